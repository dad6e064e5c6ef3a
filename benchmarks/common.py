"""Shared pieces of the benchmark scripts: the store to run on, raw baselines measured on that
same kind of store, timing summaries, and the results file."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.sqlite import SQLiteAggregateRecorder

from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.stores import postgres_env, sqlite_env
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


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--postgres DSN`` (run on a throwaway PostgreSQL schema instead of an SQLite file)."""
    parser.add_argument(
        "--postgres",
        metavar="DSN",
        help="run on a fresh schema in this PostgreSQL database instead of an SQLite file",
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

    def raw_one_row_per_commit(self, sizes: Sequence[int]) -> float:
        """Rows per second: one INSERT of a ``size``-byte state and one commit per row."""
        rows = [(uuid4().hex, 1, "t", b"x" * size) for size in sizes]
        if not self.dsn:
            db, table = self._sqlite_raw_table()
            insert = f"INSERT INTO {table} VALUES (?, ?, ?, ?)"
            began = time.perf_counter()
            for row in rows:
                db.execute("BEGIN")
                db.execute(insert, row)
                db.execute("COMMIT")
            elapsed = time.perf_counter() - began
            db.close()
            return len(rows) / elapsed
        conn, table = self._postgres_raw_table()
        with conn:
            insert = f"INSERT INTO {table} VALUES (%s, %s, %s, %s)"
            began = time.perf_counter()
            for row in rows:
                conn.execute(insert, row)
                conn.commit()
            return len(rows) / (time.perf_counter() - began)

    def raw_batched_insert(self, rows: Sequence[Row]) -> float:
        """Rows per second: ``rows`` by executemany, one transaction per 1,000."""
        if not self.dsn:
            db, table = self._sqlite_raw_table()
            insert = f"INSERT INTO {table} VALUES (?, ?, ?, ?)"
            began = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                db.execute("BEGIN")
                db.executemany(insert, rows[i : i + BATCH])
                db.execute("COMMIT")
            elapsed = time.perf_counter() - began
            db.close()
            return len(rows) / elapsed
        conn, table = self._postgres_raw_table()
        with conn, conn.cursor() as cursor:
            insert = f"INSERT INTO {table} VALUES (%s, %s, %s, %s)"
            began = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                cursor.executemany(insert, rows[i : i + BATCH])
                conn.commit()
            return len(rows) / (time.perf_counter() - began)

    def raw_select_decode(self, table: str) -> float:
        """Rows per second: SELECT every ``state`` of ``table`` and ``json.loads`` each."""
        began = time.perf_counter()
        decoded = [json.loads(row[0]) for row in self._read(f"SELECT state FROM {self._in(table)}")]
        return len(decoded) / (time.perf_counter() - began)

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

    def _admin(self, statement: str) -> None:
        import psycopg

        assert self.dsn is not None
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(statement)

    def _sqlite_raw_table(self) -> tuple[sqlite3.Connection, str]:
        """A new file in WAL mode (as eventsourcing sets it) with an empty raw table."""
        self._raw_tables += 1
        db = sqlite3.connect(self.folder / f"raw_{self._raw_tables}.sqlite3", isolation_level=None)
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
