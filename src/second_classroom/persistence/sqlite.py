"""SQLite files: switched to WAL once, safely, before eventsourcing opens them."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import Any
from uuid import UUID

from eventsourcing import persistence
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment


def prepare(env: Environment) -> None:
    """Put a new SQLite file in WAL mode before the store connects.

    eventsourcing switches each new connection's file to WAL itself, but SQLite answers a
    switch that meets another process's connection with "database is locked" at once, not
    after the busy timeout: eight processes starting on one new file lost one of them. Here
    the switch is retried until one process has made it; the mode is kept in the file, so
    every later connection finds WAL and never switches. In-memory databases are left as
    they are.
    """
    name = env.get("SQLITE_DBNAME") or ""
    if not name or name == ":memory:" or "mode=memory" in name:
        return
    timeout = float(env.get("SQLITE_LOCK_TIMEOUT") or 5)
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            with closing(
                sqlite3.connect(name, timeout=timeout, uri=name.startswith("file:"))
            ) as db:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            attempt += 1
            time.sleep(min(0.005 * 2**attempt, 0.2))


class LogTop:
    """The log's top position of an SQLite file, read on a connection of its own.

    The state cache asks for it before every command. Through eventsourcing's recorder that
    is a pooled connection, an explicit ``BEGIN`` and a ``ROLLBACK`` around the ``SELECT``:
    about 30 µs of Python a command; a single statement on a connection in autocommit mode is
    its own read transaction in WAL mode (a consistent snapshot, never blocked by a writer)
    and costs about 2.5 µs.
    """

    def __init__(self, name: str, statement: str, timeout: float) -> None:
        self._db = sqlite3.connect(
            name,
            timeout=timeout,
            uri=name.startswith("file:"),
            isolation_level=None,
            check_same_thread=False,  # shared by the threads, under the lock
        )
        self._statement = statement
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            row = self._db.execute(self._statement).fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        with self._lock:
            self._db.close()


# sqlite3's errors as eventsourcing raises them (its SQLiteTransaction's table, in its order:
# subclasses first), so callers catch the same IntegrityError for a version already taken.
_ERRORS: tuple[tuple[type[sqlite3.Error], type[persistence.PersistenceError]], ...] = (
    (sqlite3.InterfaceError, persistence.InterfaceError),
    (sqlite3.DataError, persistence.DataError),
    (sqlite3.OperationalError, persistence.OperationalError),
    (sqlite3.IntegrityError, persistence.IntegrityError),
    (sqlite3.InternalError, persistence.InternalError),
    (sqlite3.ProgrammingError, persistence.ProgrammingError),
    (sqlite3.NotSupportedError, persistence.NotSupportedError),
    (sqlite3.DatabaseError, persistence.DatabaseError),
)


def persistence_error(error: sqlite3.Error) -> persistence.PersistenceError:
    """``error`` as eventsourcing's recorder would have raised it."""
    for raised, mapped in _ERRORS:
        if isinstance(error, raised):
            return mapped(error)
    return persistence.PersistenceError(error)


class WriterRecorder(SQLiteApplicationRecorder):
    """eventsourcing's application recorder, appending on a connection of its own (files).

    eventsourcing's ``insert_events`` takes a pooled connection (a semaphore, the pool's
    writer lock, its condition and the connection's own lock, each way) inside five context
    managers: about 25 µs of Python a commit, for one ``BEGIN``, the inserts and a
    ``COMMIT``. Here one connection in autocommit mode, under a lock of its own, issues the
    same statements and stores the same rows. The application writes from one thread at a
    time (its group commit), and other connections to the file (the pool's, the views')
    still wait for SQLite's lock with the busy timeout, as before. An in-memory database
    keeps eventsourcing's path: its pool keeps readers and writers apart.
    """

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        pool = datastore.pool
        self._writer: sqlite3.Connection | None = None
        if not pool.is_sqlite_memory_mode:
            self._writer = sqlite3.connect(
                pool.db_name,
                uri=True,
                check_same_thread=False,  # the group commit's writer varies; the lock is ours
                isolation_level=None,  # autocommit: BEGIN and COMMIT are ours
                timeout=pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        self._write_lock = threading.Lock()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        """Append ``stored_events`` in one transaction; their positions in the log."""
        db = self._writer
        if db is None:
            return super().insert_events(stored_events, **kwargs) or []
        statement = self.insert_events_statement
        rows = [
            (
                s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                s.originator_version,
                s.topic,
                s.state,
            )
            for s in stored_events
        ]
        with self._write_lock:
            try:
                db.execute("BEGIN")
                try:
                    positions = [int(db.execute(statement, row).lastrowid or 0) for row in rows]
                    db.commit()
                except BaseException:
                    if db.in_transaction:
                        db.rollback()
                    raise
            except sqlite3.Error as error:
                raise persistence_error(error) from error
        return positions

    def close(self) -> None:
        """Close the writing connection (the pool's are the datastore's to close)."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


class Factory(SQLiteFactory):
    """eventsourcing's SQLite factory with the ``WriterRecorder`` for the application's log."""

    application_recorder_class = WriterRecorder

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self._writers: list[WriterRecorder] = []

    def application_recorder(self) -> persistence.ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, WriterRecorder):
            self._writers.append(recorder)
        return recorder

    def close(self) -> None:
        for recorder in self._writers:
            recorder.close()
        super().close()


def construct_factory(env: Environment) -> Factory:
    """The factory for ``env`` (``PERSISTENCE_MODULE=eventsourcing.sqlite``), its file in WAL
    mode first (see ``prepare``)."""
    prepare(env)
    return Factory(env)


def log_top(env: Mapping[str, str], recorder: object) -> LogTop | None:
    """A ``LogTop`` for an SQLite file's recorder; None for memory or another store."""
    name = env.get("SQLITE_DBNAME") or ""
    statement = getattr(recorder, "select_max_notification_id_statement", None)
    if not name or name == ":memory:" or "mode=memory" in name or statement is None:
        return None
    return LogTop(name, statement, float(env.get("SQLITE_LOCK_TIMEOUT") or 5))
