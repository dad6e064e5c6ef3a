"""Settings for the three stores: an SQLite file (default), PostgreSQL, and POPO (in memory)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_SQLITE_FILE = "second_classroom.sqlite3"


def sqlite_env(path: str | Path = DEFAULT_SQLITE_FILE) -> dict[str, str]:
    """An SQLite file; a ``file:NAME?mode=memory&cache=shared`` URI for tests."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def postgres_env(dsn: str, schema: str = "") -> dict[str, str]:
    """PostgreSQL from a ``postgresql://user:password@host:port/dbname`` DSN."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL DSN: {dsn!r}")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "20",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


def popo_env() -> dict[str, str]:
    """Plain Python objects in memory, for fast unit tests."""
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
