"""SQLite files: switched to WAL once, safely, before eventsourcing opens them."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

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
