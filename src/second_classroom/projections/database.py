"""The SQL database the views live in: the same kind (and, by default, the same database) as the
event store, so a frontend can query the views without this library.

Statements are written with ``?`` placeholders; the PostgreSQL side turns them into ``%s``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol


class Cursor(Protocol):
    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any: ...


class ViewDatabase(Protocol):
    """A connection that runs each callback in one transaction."""

    kind: str

    @contextmanager
    def transaction(self) -> Iterator[Cursor]: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


class _SQLiteCursor:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(statement, tuple(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self.connection.executemany(statement, rows)


class SQLiteViews:
    """Views in an SQLite file (or a shared in-memory database for tests)."""

    kind = "sqlite"

    def __init__(self, database: str) -> None:
        uri = database.startswith("file:")
        self.connection = sqlite3.connect(
            database, uri=uri, isolation_level=None, check_same_thread=False, timeout=30
        )
        if not uri:
            self.connection.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield _SQLiteCursor(self.connection)
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(statement, tuple(params)).fetchall())

    def close(self) -> None:
        self.connection.close()


class _PostgresCursor:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor.execute(statement.replace("?", "%s"), tuple(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self.cursor.executemany(statement.replace("?", "%s"), rows)


class PostgresViews:
    """Views in a PostgreSQL schema (``search_path`` set to it)."""

    kind = "postgres"

    def __init__(self, dsn: str, schema: str = "public") -> None:
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=False)
        self.connection.execute(f'SET search_path TO "{schema}"')
        self.connection.commit()

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        # Pipeline mode: the views only write, so statements are sent without waiting for
        # each one's answer — one round trip per batch of events, not one per statement.
        try:
            with self.connection.pipeline(), self.connection.cursor() as cursor:
                yield _PostgresCursor(cursor)
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(statement.replace("?", "%s"), tuple(params))
            rows = list(cursor.fetchall())
        self.connection.commit()
        return rows

    def snapshot_horizon(self) -> tuple[int, int]:
        """(xmin, xmax) of the current snapshot: transactions below xmin have all ended."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                " pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
            )
            xmin, xmax = cursor.fetchone()  # type: ignore[misc]
        self.connection.commit()
        return int(xmin), int(xmax)

    def close(self) -> None:
        self.connection.close()
