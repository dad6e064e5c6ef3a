"""Shared pieces of the benchmark scripts: the store to run on, raw baselines measured on that
same kind of store, timing summaries, and the results file."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import multiprocessing
import os
import platform
import resource
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.sqlite import SQLiteAggregateRecorder

from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.projections.runner import _collector_paused  # a baseline as a rebuild runs
from second_classroom.service import SecondClassroom

RESULTS = Path(
    os.environ.get("SECOND_CLASSROOM_BENCH_RESULTS", Path(__file__).with_name("results.jsonl"))
)
BATCH = 1000  # rows per transaction in the batched raw insert
SECRET = bytes(32)  # benchmarks sign with a fixed secret on every store
Row = tuple[str, int, str, bytes]  # originator id, version, topic, state

# The raw tables have the shape of eventsourcing's events table on each store.
SQLITE_RAW_TABLE = (
    "CREATE TABLE {table} (originator_id TEXT, originator_version INTEGER, topic TEXT, "
    "state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
POSTGRES_RAW_TABLE = (
    "CREATE TABLE {table} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
    "topic text, state bytea, PRIMARY KEY (originator_id, originator_version))"
)


def add_store_option(parser: argparse.ArgumentParser, repeat: int = 3) -> None:
    """Add ``--postgres DSN`` (run on a throwaway PostgreSQL schema instead of an SQLite file)
    and ``--repeat N`` (run the scenario N times, each on a fresh store)."""
    parser.add_argument(
        "--postgres",
        metavar="DSN",
        help="run on a fresh schema in this PostgreSQL database instead of an SQLite file",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=repeat,
        help=f"runs of the scenario, each on a fresh store; median and spread (default {repeat})",
    )


class BenchStore:
    """An SQLite file in a temporary folder, or with ``dsn`` a fresh PostgreSQL schema
    ``bench_<hex>`` (created on enter, dropped with CASCADE on exit); the raw baselines run on
    the same kind. The folder (it also holds the raw baselines' files) goes on exit."""

    def __init__(self, dsn: str | None = None) -> None:
        self._temporary = tempfile.TemporaryDirectory()
        self.folder = Path(self._temporary.name)
        self.dsn = dsn or None
        self.path = self.folder / "bench.sqlite3"
        self.schema = f"bench_{uuid4().hex[:10]}" if self.dsn else ""
        self.label = "postgres" if self.dsn else "sqlite-file"
        self._raw_tables = 0
        self._reader: Any = None

    @property
    def env(self) -> dict[str, str]:
        """Settings for ``SecondClassroomApplication`` and ``SecondClassroom.open``."""
        if self.dsn:
            return postgres_env(self.dsn, self.schema)
        return sqlite_env(self.path)

    def open(self, **overrides: str) -> SecondClassroom:
        """The facade on this store, ``overrides`` added to its settings."""
        return SecondClassroom.open({**self.env, **overrides}, secret=SECRET)

    def __enter__(self) -> BenchStore:
        if self.dsn:
            self._admin(f'CREATE SCHEMA "{self.schema}"')
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self.dsn:
            self._admin(f'DROP SCHEMA "{self.schema}" CASCADE')
        self._temporary.cleanup()

    # -- raw baselines ----------------------------------------------------------------------

    def raw_one_row_per_commit(self, sizes: Sequence[int], processes: int = 1) -> float:
        """Rows per second: one INSERT of a ``size``-byte state and one commit per row; with
        ``processes``, from that many OS processes started together, each inserting its share
        on its own connection (the machine's own gain from more writers, to set the
        library's beside)."""
        rows = [(uuid4().hex, 1, "t", b"x" * size) for size in sizes]
        db, table = self._postgres_raw_table() if self.dsn else self._sqlite_raw_table()
        try:
            if processes > 1:
                where = (self.dsn, str(self._raw_path()))
                return _raw_commits_from(where, table, rows, processes)
            count, elapsed = _raw_commits(db, table, rows)
            return count / elapsed
        finally:
            db.close()

    def raw_batched_insert(self, rows: Iterable[Row]) -> float:
        """Rows per second: ``rows`` by executemany, one transaction per 1,000. Only the
        inserts are timed, so ``rows`` may be read lazily (the semester's million rows need
        not be held at once)."""
        chunks = _chunks(rows, BATCH)
        count, seconds = 0, 0.0
        if not self.dsn:
            db, table = self._sqlite_raw_table()
            insert = f"INSERT INTO {table} VALUES (?, ?, ?, ?)"
            for chunk in chunks:
                began = time.perf_counter()
                db.execute("BEGIN")
                db.executemany(insert, chunk)
                db.execute("COMMIT")
                seconds += time.perf_counter() - began
                count += len(chunk)
            db.close()
            return count / seconds
        conn, table = self._postgres_raw_table()
        with conn, conn.cursor() as cursor:
            insert = f"INSERT INTO {table} VALUES (%s, %s, %s, %s)"
            for chunk in chunks:
                began = time.perf_counter()
                cursor.executemany(insert, chunk)
                conn.commit()
                seconds += time.perf_counter() - began
                count += len(chunk)
            return count / seconds

    def raw_select_decode(self, table: str) -> float:
        """Rows per second: SELECT every ``state`` of ``table`` and ``json.loads`` each (a
        page of 10,000 rows at a time, as the view runner reads). The cyclic collector is
        paused, as the view runner pauses it: in a process that holds a semester's objects
        its passes over them doubled this baseline's time (measured), flattering the ratio."""
        began = time.perf_counter()
        count = 0
        with _collector_paused():
            for page in self._pages(f"SELECT state FROM {self._in(table)}"):
                decoded = [json.loads(row[0]) for row in page]
                count += len(decoded)
        return count / (time.perf_counter() - began)

    def raw_read_stream(self, table: str, originator_id: UUID) -> list[Any]:
        """One stream's states in version order, each decoded with ``json.loads``."""
        if self.dsn:
            query = f"SELECT state FROM {self._in(table)} WHERE originator_id = %s"
            params: tuple[object, ...] = (originator_id,)
        else:
            query = f"SELECT state FROM {table} WHERE originator_id IN (?, ?)"
            params = (str(originator_id), originator_id.hex)
        return [
            json.loads(row[0]) for row in self._read(query + " ORDER BY originator_version", params)
        ]

    def stored_sizes(self, table: str, limit: int = 100_000) -> list[int]:
        """Byte sizes of the first ``limit`` states in ``table``."""
        mark = "%s" if self.dsn else "?"
        query = f"SELECT length(state) FROM {self._in(table)} LIMIT {mark}"
        return [int(row[0]) for row in self._read(query, (limit,))]

    # -- plumbing ---------------------------------------------------------------------------

    def _in(self, table: str) -> str:
        return f'"{self.schema}"."{table}"' if self.dsn else f'"{table}"'

    def _read(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self._reader is None:
            if self.dsn:
                import psycopg

                self._reader = psycopg.connect(self.dsn, autocommit=True)
            else:
                self._reader = sqlite3.connect(self.path)
        return list(self._reader.execute(query, params).fetchall())

    def _pages(self, query: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``query``, ``size`` at a time, by a driver cursor."""
        if self.dsn:
            import psycopg

            with psycopg.connect(self.dsn) as conn, conn.cursor(name="raw_pages") as cursor:
                cursor.execute(query)
                while page := cursor.fetchmany(size):
                    yield page
            return
        db = sqlite3.connect(self.path)
        try:
            rows = db.execute(query)
            while page := rows.fetchmany(size):
                yield page
        finally:
            db.close()

    def _admin(self, statement: str) -> None:
        import psycopg

        assert self.dsn is not None
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(statement)

    def _raw_path(self) -> Path:
        """The file of the last raw table made on SQLite."""
        return self.folder / f"raw_{self._raw_tables}.sqlite3"

    def _sqlite_raw_table(self) -> tuple[sqlite3.Connection, str]:
        """A new file in WAL mode (as eventsourcing sets it) with an empty raw table."""
        self._raw_tables += 1
        db = sqlite3.connect(self._raw_path(), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SQLITE_RAW_TABLE.format(table="raw_events"))
        return db, "raw_events"

    def _postgres_raw_table(self) -> tuple[Any, str]:
        """A connection (not autocommit) and an empty raw table in the bench schema."""
        import psycopg

        assert self.dsn is not None
        self._raw_tables += 1
        table = self._in(f"raw_{self._raw_tables}")
        conn = psycopg.connect(self.dsn)
        conn.execute(POSTGRES_RAW_TABLE.format(table=table))
        conn.commit()
        return conn, table


def _raw_commits(db: Any, table: str, rows: Sequence[Row]) -> tuple[int, float]:
    """Insert ``rows`` one a transaction on ``db`` (sqlite3, or psycopg not in autocommit);
    (rows, seconds)."""
    began = time.perf_counter()
    if isinstance(db, sqlite3.Connection):
        insert = f"INSERT INTO {table} VALUES (?, ?, ?, ?)"
        for row in rows:
            db.execute("BEGIN")
            db.execute(insert, row)
            db.execute("COMMIT")
    else:
        insert = f"INSERT INTO {table} VALUES (%s, %s, %s, %s)"
        for row in rows:
            db.execute(insert, row)
            db.commit()
    return len(rows), time.perf_counter() - began


def together(
    target: Callable[..., None], shares: Sequence[tuple[Any, ...]], what: str
) -> tuple[float, list[Any]]:
    """Run ``target(*share, start, out)`` in a spawned process for each share, released
    together at the barrier ``start``; each puts its result on ``out``. The seconds from the
    start to the last result, and the results (in the order they came). A process that
    fails (``failing_together``) breaks the barrier and puts None: either is raised here,
    naming ``what``, instead of leaving the driver waiting; its own error is printed by the
    process."""
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Barrier(len(shares) + 1), spawn.Queue()
    workers = [spawn.Process(target=target, args=(*share, start, out)) for share in shares]
    for worker in workers:
        worker.start()
    try:
        start.wait()  # broken (BrokenBarrierError) if a process could not begin
        began = time.perf_counter()
        results = [out.get() for _ in workers]
        elapsed = time.perf_counter() - began
        if any(result is None for result in results):
            raise RuntimeError(f"a {what} process failed (its error is above)")
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.terminate()
    return elapsed, results


@contextlib.contextmanager
def failing_together(start: Any, out: Any) -> Iterator[None]:
    """A process of ``together``: any failure inside breaks the barrier (the others and the
    driver stop waiting for the start) and puts None (the driver stops waiting for a result),
    then is raised, so the process prints it."""
    try:
        yield
    except BaseException:
        start.abort()
        out.put(None)
        raise


def _raw_commits_from(
    where: tuple[str | None, str], table: str, rows: Sequence[Row], processes: int
) -> float:
    """Rows per second of ``_raw_commits`` from ``processes`` processes started together, each
    with its share of ``rows``: all rows over the time from the start to the last one's end."""
    shares = [(where, table, rows[k::processes]) for k in range(processes)]
    elapsed, counts = together(_raw_commits_in, shares, "raw inserting")
    rows_inserted: int = sum(counts)
    return rows_inserted / elapsed


def _raw_commits_in(
    where: tuple[str | None, str], table: str, rows: Sequence[Row], start: Any, out: Any
) -> None:
    """One process of ``_raw_commits_from``: its own connection to the DSN, else to the SQLite
    file (whose writers wait for each other, up to 30 s)."""
    dsn, path = where
    with failing_together(start, out):
        if dsn:
            import psycopg

            db: Any = psycopg.connect(dsn)
        else:
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            start.wait()
            out.put(_raw_commits(db, table, rows)[0])
        finally:
            db.close()


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def events_table(service: SecondClassroom) -> str:
    """The name of the table that holds ``service``'s stored events."""
    recorder = service.app.recorder
    if isinstance(recorder, SQLiteAggregateRecorder):
        return recorder.events_table_name
    from eventsourcing.postgres import PostgresAggregateRecorder

    assert isinstance(recorder, PostgresAggregateRecorder)
    return recorder.events_table_name


# -- figures --------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values (nearest rank, clamped to the last)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summary(latencies: Sequence[float]) -> dict[str, float]:
    """Median and 99th percentile of ``latencies`` (seconds), in milliseconds."""
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
    }


def report(result: dict[str, Any], results: Path = RESULTS) -> None:
    """Print ``result`` with the interpreter, machine and time, and append it as a JSON line."""
    result = {
        **result,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
    }
    for key, value in result.items():
        print(f"{key:>32}: {value}")
    with results.open("a", encoding="utf-8") as out:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


# -- where the CPU goes -----------------------------------------------------------------------

PHASES = ("boundary", "decide", "load", "encode", "store", "reply", "views")
COUNTS = ("conflicts", "stream_reads", "events_decoded", "statements")


class Meter:
    """CPU time (each thread's ``thread_time``) spent in each phase of a command, exclusive
    of the phases nested in it, and the wall time of each commit.

    Phases: ``boundary`` (``policies.boundary.admit``); ``decide`` (the rest of
    ``SecondClassroom.execute``: locks, cached states, the deciders, the rulebook); ``load``
    (reading streams from the store, and the look at the log for foreign writes); ``encode``
    (events to stored JSON); ``store`` (the insert and commit; ``commit_ms`` is its wall
    time); ``reply`` (``_reply``'s read filter); ``views`` (the view runner's catch-up and
    rebuild). Each wrapper costs two clock reads a call, included in the figures.

    Counts per command, to see what contention costs: ``conflicts`` (a write refused because
    another writer moved a stream first, then decided again), ``stream_reads`` (streams read
    from the store), ``events_decoded`` (stored events and snapshots decoded) and, on
    PostgreSQL, ``statements`` (SQL statements sent, each a round trip).
    """

    def __init__(self, service: Any) -> None:
        self.service = service
        self.cpu = dict.fromkeys(PHASES, 0.0)
        self.commits = 0
        self.commit_s = 0.0
        self.counts = dict.fromkeys(COUNTS, 0)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []
        self._process = 0.0
        self._wall = 0.0

    def __enter__(self) -> Meter:
        from second_classroom import service as service_module
        from second_classroom.persistence.application import SecondClassroomApplication
        from second_classroom.persistence.mapper import CattrsMapper
        from second_classroom.projections.runner import ProjectionRunner

        self._wrap(service_module, "admit", "boundary")
        self._wrap(service_module.SecondClassroom, "execute", "decide")
        self._wrap(service_module.SecondClassroom, "_reply", "reply")
        self._wrap(SecondClassroomApplication, "_read", "load")
        self._wrap(SecondClassroomApplication, "load_at", "load")
        self._wrap(SecondClassroomApplication, "refresh", "load")
        self._wrap(CattrsMapper, "to_stored_event", "encode")
        # The recorder's insert: the group commit holds the application's bound ``_insert``.
        self._wrap(type(self.service.app.recorder), "insert_events", "store", commit=True)
        self._wrap(ProjectionRunner, "catch_up", "views")
        self._count(service_module, "back_off", "conflicts")
        self._count(SecondClassroomApplication, "_read", "stream_reads")
        self._count(CattrsMapper, "to_domain_event", "events_decoded")
        try:
            import psycopg
        except ImportError:
            pass
        else:
            # A connection's execute calls its cursor's: counted once.
            self._count(psycopg.Cursor, "execute", "statements")
        self._wrap(ProjectionRunner, "rebuild", "views")
        self._process = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._process = time.process_time() - self._process
        self._wall = time.perf_counter() - self._wall
        for undo in reversed(self._undo):
            undo()

    def figures(self, commands: int) -> dict[str, Any]:
        """Per command: process CPU in all, CPU per phase, other (outside every phase) in
        microseconds; commits, and the mean commit's wall time in milliseconds."""
        per = max(commands, 1)
        phases = {k: round(v / per * 1e6, 1) for k, v in self.cpu.items()}
        return {
            "cpu_us_per_command": round(self._process / per * 1e6, 1),
            "cpu_us_by_phase": {
                **phases,
                "other": round((self._process - sum(self.cpu.values())) / per * 1e6, 1),
            },
            "commits": self.commits,
            "commit_ms": round(self.commit_s / max(self.commits, 1) * 1000, 3),
            "per_command": {k: round(v / per, 3) for k, v in self.counts.items()},
        }

    def raw(self) -> dict[str, Any]:
        """The totals (for a driver adding up several processes' meters)."""
        return {
            "process": self._process,
            "cpu": dict(self.cpu),
            "commits": self.commits,
            "commit_s": self.commit_s,
            "counts": dict(self.counts),
        }

    @classmethod
    def combined(cls, raws: Sequence[dict[str, Any]], commands: int) -> dict[str, Any]:
        """``figures`` for the sum of several processes' ``raw`` totals."""
        meter = cls(None)
        for raw in raws:
            meter._process += raw["process"]
            meter.commits += raw["commits"]
            meter.commit_s += raw["commit_s"]
            for k, v in raw["cpu"].items():
                meter.cpu[k] += v
            for k, v in raw["counts"].items():
                meter.counts[k] += v
        return meter.figures(commands)

    def _count(self, owner: Any, name: str, key: str) -> None:
        own = name in vars(owner)
        original = vars(owner)[name] if own else getattr(owner, name)
        counts, lock = self.counts, self._lock

        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            with lock:
                counts[key] += 1
            return original(*args, **kwargs)

        setattr(owner, name, counted)
        self._undo.append(
            (lambda: setattr(owner, name, original)) if own else (lambda: delattr(owner, name))
        )

    def _wrap(self, owner: Any, name: str, phase: str, commit: bool = False) -> None:
        own = name in vars(owner)
        original = vars(owner)[name] if own else getattr(owner, name)
        local, cpu, lock = self._local, self.cpu, self._lock
        meter = self

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack: list[list[Any]] | None = getattr(local, "stack", None)
            if stack is None:
                stack = local.stack = []
            now = time.thread_time()
            if stack:
                top = stack[-1]
                with lock:
                    cpu[top[0]] += now - top[1]
            stack.append([phase, now])
            wall = time.perf_counter() if commit else 0.0
            try:
                return original(*args, **kwargs)
            finally:
                now = time.thread_time()
                top = stack.pop()
                with lock:
                    cpu[phase] += now - top[1]
                    if commit:
                        meter.commits += 1
                        meter.commit_s += time.perf_counter() - wall
                if stack:
                    stack[-1][1] = now

        setattr(owner, name, timed)
        self._undo.append(
            (lambda: setattr(owner, name, original)) if own else (lambda: delattr(owner, name))
        )


def max_rss_mb() -> float:
    """The whole process's maximum resident set so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def repeated(runs: int, scenario: Callable[[], dict[str, Any]], key: str) -> dict[str, Any]:
    """Run ``scenario`` ``runs`` times; the run with the median ``key`` as the figures, plus
    ``runs``, and the spread (min, max) of every number the runs report."""
    results = []
    for n in range(max(runs, 1)):
        results.append(scenario())
        print(f"  run {n + 1}/{runs}: {key} = {results[-1][key]}", flush=True)
    ordered = sorted(results, key=lambda r: r[key])
    median = ordered[len(ordered) // 2]
    spread = {
        k: (min(r[k] for r in results), max(r[k] for r in results))
        for k, v in median.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and len(results) > 1
    }
    return {**median, "runs": len(results), "spread_min_max": spread}


class MachineLoad:
    """What the whole machine spent while a scenario ran (Linux ``/proc``; nothing elsewhere):
    the busy share of all its cores, and the CPU of the local PostgreSQL server's processes.

    A ratio between runs with 1 and N client processes is bounded by the machine once its
    cores are busy: ``cpu_bound_commands_per_s`` is what the cores would give at the run's CPU
    a command (clients' and server's together), whatever the number of processes.
    """

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self._began: tuple[tuple[int, int] | None, int] = (None, 0)
        self._ended: tuple[tuple[int, int] | None, int] = (None, 0)

    def __enter__(self) -> MachineLoad:
        self._began = (_cpu_jiffies(), _server_jiffies())
        return self

    def __exit__(self, *_exc: object) -> None:
        self._ended = (_cpu_jiffies(), _server_jiffies())

    def figures(self, commands: int, client_cpu_us: float | None) -> dict[str, Any]:
        """Per command: the server's CPU, the machine's busy share and, given the clients'
        CPU a command, the rate the cores bound the scenario to."""
        (began, server0), (ended, server1) = self._began, self._ended
        if began is None or ended is None:
            return {}
        (busy0, total0), (busy1, total1) = began, ended
        tick = os.sysconf("SC_CLK_TCK")
        server_us = (server1 - server0) / tick / max(commands, 1) * 1e6
        figures: dict[str, Any] = {
            "machine_busy": round((busy1 - busy0) / max(total1 - total0, 1), 3),
            "server_cpu_us_per_command": round(server_us, 1),
        }
        if client_cpu_us is not None and server_us > 0:
            bound = self.cores / ((client_cpu_us + server_us) / 1e6)
            figures["cpu_bound_commands_per_s"] = round(bound, 1)
        return figures


def _cpu_jiffies() -> tuple[int, int] | None:
    """All cores' busy and total jiffies since boot (``/proc/stat``'s first line)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def process_cpu_s(pid: int) -> float | None:
    """User and system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``); None
    where there is no such file (not Linux, or the process is gone)."""
    found = _proc_stat(Path(f"/proc/{pid}/stat"))
    if found is None:
        return None
    _name, fields = found
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _proc_stat(path: Path) -> tuple[str, list[str]] | None:
    """A ``/proc/<pid>/stat``: the process's name, and the fields after it (the state is
    ``[0]``; ``utime`` ``[11]``, ``stime`` ``[12]``, ``cutime`` ``[13]``, ``cstime`` ``[14]``);
    None if it cannot be read (the process is gone)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    name_end = text.rfind(")")  # a name may hold ")" or spaces
    return text[text.find("(") + 1 : name_end], text[name_end + 2 :].split()


def _server_jiffies() -> int:
    """User and system jiffies of every process named ``postgres`` on this machine (the
    server's backends, writers and WAL writer) and of their ended children (the postmaster
    waits for each backend that ends: its time is in the postmaster's children's times)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        found = _proc_stat(stat)
        if found is None or found[0] != "postgres":
            continue
        total += sum(int(v) for v in found[1][11:15])  # utime, stime, cutime, cstime (14–17)
    return total


class StatementLog:
    """Every statement the views send to an SQLite view database inside the block, with its
    parameters and transactions, replayed afterwards by plain ``sqlite3`` into a copy of the
    database as it was when the block began (``snapshot``): what those statements cost with
    no library code around them. A rebuild's replay is the floor of any rebuild that applies
    the log event by event. Only a block whose transactions all committed can be replayed (a
    refused event, rolled back and applied again in halves, would be refused again)."""

    def __init__(self, service: SecondClassroom, snapshot: Path) -> None:
        from second_classroom.projections.database import SQLiteViews

        database = service.views.database
        assert isinstance(database, SQLiteViews), "the replay is of an SQLite view database"
        self.database = database
        self.snapshot = snapshot
        self.entries: list[tuple[str, str, Any]] = []  # (how, statement, parameters)
        self.rolled_back = 0
        self._undo: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> StatementLog:
        from second_classroom.projections import database

        source = sqlite3.connect(self.database.database)
        copy = sqlite3.connect(self.snapshot)
        source.backup(copy)  # the tables as the block finds them: its DELETEs cost as there
        copy.close()
        source.close()
        log = self.entries
        cursor = database._SQLiteCursor
        execute, executemany = cursor.execute, cursor.executemany
        transaction = database.SQLiteViews.transaction
        statements = self

        def logged_execute(self: Any, statement: str, params: Sequence[Any] = ()) -> Any:
            log.append(("one", statement, tuple(params)))
            return execute(self, statement, params)

        def logged_executemany(self: Any, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
            log.append(("many", statement, [tuple(row) for row in rows]))
            return executemany(self, statement, rows)

        @contextlib.contextmanager
        def logged_transaction(self: Any, **options: bool) -> Iterator[Any]:
            log.append(("one", "BEGIN IMMEDIATE", ()))
            try:
                with transaction(self, **options) as opened:
                    yield opened
            except BaseException:
                statements.rolled_back += 1
                raise
            log.append(("one", "COMMIT", ()))

        for owner, name, replacement in (
            (cursor, "execute", logged_execute),
            (cursor, "executemany", logged_executemany),
            (database.SQLiteViews, "transaction", logged_transaction),
        ):
            self._undo.append((owner, name, owner.__dict__[name]))
            setattr(owner, name, replacement)
        return self

    def __exit__(self, *_exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def replay_cpu_s(self) -> float:
        """CPU seconds of plain ``sqlite3`` running the logged statements, in order, on the
        snapshot (WAL, ``synchronous=NORMAL``, as the views' own); the cyclic collector
        paused, as the runner pauses it."""
        if self.rolled_back:
            raise RuntimeError(f"{self.rolled_back} logged transactions rolled back: no replay")
        db = sqlite3.connect(self.snapshot, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            with _collector_paused():
                began = time.process_time()
                for how, statement, params in self.entries:
                    if how == "many":
                        db.executemany(statement, params)
                    else:
                        db.execute(statement, params)
                return time.process_time() - began
        finally:
            db.close()
