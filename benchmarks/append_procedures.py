"""PostgreSQL appends, the procedure alone: the library's two-commit append against one that
holds the table lock through its flush, from 1, 2 and 4 processes, in the same minutes.

Each process appends one event per call, a new stream each time (as registrations of
different students are), for ``--seconds``; no library code runs in the timed loop, only the
``CALL``, so the figures compare the procedures, not the Python around them. Both variants
are durable before they answer (each flushes the WAL), and both take the same table lock:

- ``two_commits``: the library's ``sc_append_<table>`` (lock, ``NOTIFY``, insert, commit
  without waiting for the flush, then a transaction whose synchronous commit flushes).
- ``one_commit``: the same statements in one transaction whose synchronous commit flushes
  while the lock is still held (the procedure before issue 17's change).
- ``raw``: a plain ``INSERT`` and synchronous ``COMMIT`` of one row, no lock and no
  ``NOTIFY``: the ceiling the disk and the server allow.

Every repeat runs every variant at every process count, interleaved, so a noisy minute
touches all of them; the medians of the repeats are reported, and the ratio of each count to
one process.

    python benchmarks/append_procedures.py --postgres DSN [--seconds 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import BenchStore, failing_together, report, together

from second_classroom.persistence.application import SecondClassroomApplication

VARIANTS = ("two_commits", "one_commit", "raw")
STATE = b'{"at":"2026-12-03T08:00:00+08:00","v":1,"data":{"student":"' + b"x" * 40 + b'"}}'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", metavar="DSN", required=True)
    parser.add_argument("--seconds", type=float, default=5.0, help="each run's length")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--commit-delay",
        type=int,
        default=0,
        metavar="MICROSECONDS",
        help="a slower disk: each flush waits this long first (commit_delay, superuser only)",
    )
    args = parser.parse_args()
    with BenchStore(args.postgres) as store:
        with SecondClassroomApplication(store.env) as app:  # creates the table and procedure
            recorder: Any = app.recorder
            table = f'"{store.schema}"."{recorder.events_table_name}"'
            procedure = f'"{store.schema}"."sc_append_{recorder.events_table_name}"'
            channel = recorder.channel_name
        statements = _statements(store.dsn or "", store.schema, table, procedure, channel)
        rates: dict[str, dict[int, list[float]]] = {
            v: {n: [] for n in args.processes} for v in VARIANTS
        }
        for run in range(args.repeat):
            for n in args.processes:
                for variant in VARIANTS:
                    rate = _run(
                        store.dsn or "", statements[variant], n, args.seconds, args.commit_delay
                    )
                    rates[variant][n].append(rate)
                    print(f"  run {run + 1}: {variant:11} {n} processes: {rate:8.1f}/s", flush=True)
    medians = {v: {n: statistics.median(r) for n, r in by.items()} for v, by in rates.items()}
    one = min(args.processes)
    report(
        {
            "benchmark": "append_procedures",
            "store": "postgres",
            "seconds": args.seconds,
            "commit_delay_us": args.commit_delay,
            "repeat": args.repeat,
            "appends_per_s": {
                v: {str(n): round(r, 1) for n, r in m.items()} for v, m in medians.items()
            },
            "ratio_to_one_process": {
                v: {str(n): round(r / m[one], 3) for n, r in m.items()} for v, m in medians.items()
            },
            "runs_per_s": {
                v: {str(n): [round(x, 1) for x in r] for n, r in by.items()}
                for v, by in rates.items()
            },
        }
    )


def _statements(dsn: str, schema: str, table: str, procedure: str, channel: str) -> dict[str, str]:
    """Each variant's statement, its one-commit procedure and raw table made first."""
    import psycopg

    single = f'"{schema}"."sc_append_one_commit"'
    raw = f'"{schema}"."raw_appends"'
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE PROCEDURE {single}(ids uuid[], versions bigint[], topics text[],"
            " states bytea[], INOUT positions bigint[] DEFAULT NULL) LANGUAGE plpgsql AS $BODY$"
            " BEGIN"
            " SET LOCAL lock_timeout = '5s';"
            f" LOCK TABLE {table} IN EXCLUSIVE MODE;"
            f' NOTIFY "{channel}";'
            f" WITH inserted AS (INSERT INTO {table}"
            " (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id)"
            " SELECT array_agg(notification_id ORDER BY notification_id) INTO positions"
            " FROM inserted;"
            " END; $BODY$"
        )
        conn.execute(
            f"CREATE TABLE {raw} (originator_id uuid NOT NULL, originator_version bigint"
            " NOT NULL, topic text, state bytea, PRIMARY KEY (originator_id, originator_version))"
        )
    arrays = "(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
    return {
        "two_commits": f"CALL {procedure}{arrays}",
        "one_commit": f"CALL {single}{arrays}",
        "raw": f"INSERT INTO {raw} VALUES (%s, %s, %s, %s)",
    }


def _run(dsn: str, statement: str, processes: int, seconds: float, delay: int) -> float:
    """Appends a second from ``processes`` processes started together."""
    shares = [(dsn, statement, seconds, delay)] * processes
    _elapsed, counts = together(_append, shares, "appending")
    rate: float = sum(count / elapsed for count, elapsed in counts)  # each process's own
    return rate


def _append(dsn: str, statement: str, seconds: float, delay: int, start: Any, out: Any) -> None:
    """One process: append for ``seconds`` on its own connection; (appends, seconds).
    ``delay``: every flush of this session waits that many microseconds first, whatever
    other transactions are open (``commit_delay``, ``commit_siblings = 0``)."""
    import psycopg

    raw = statement.startswith("INSERT")
    with failing_together(start, out), psycopg.connect(dsn, autocommit=True) as conn:
        if delay:
            conn.execute(f"SET commit_delay = {int(delay)}")
            conn.execute("SET commit_siblings = 0")
        start.wait()
        count, began = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - began) < seconds:
            stream = uuid.uuid4()
            if raw:
                conn.execute(statement, (stream, 1, "t", STATE), prepare=True)
            else:
                conn.execute(statement, ([stream], [1], ["t"], [STATE]), prepare=True)
            count += 1
        out.put((count, elapsed))


if __name__ == "__main__":
    main()
