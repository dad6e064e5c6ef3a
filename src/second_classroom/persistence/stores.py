"""Settings for the three stores: an SQLite file (default), PostgreSQL, and POPO (in memory)."""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import PersistenceError

from second_classroom.core.errors import Category, ErrorCode

DEFAULT_SQLITE_FILE = "second_classroom.sqlite3"

SCHOOL_INVALID = ErrorCode(
    "store.school_invalid",
    "不是学校代码（小写字母、数字、下划线，2–40 个字符）：{school}",
    "Not a school code (a-z, 0-9, _; 2-40 characters): {school}",
    Category.INVALID,
)
STORE_UNREACHABLE = ErrorCode(
    "store.unreachable",
    "无法连接数据库 {where}：{reason}",
    "Cannot connect to the database {where}: {reason}",
    Category.UNAVAILABLE,
)


def database_errors() -> tuple[type[Exception], ...]:
    """What the stores and the views' databases raise when the database itself fails (not a
    database, gone away, locked), as opposed to a refused command (DomainError) or a bug."""
    try:
        import psycopg  # only where psycopg is installed: PostgreSQL is an extra
    except ImportError:
        return (PersistenceError, sqlite3.Error)
    return (PersistenceError, sqlite3.Error, psycopg.Error)


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


SCHOOL_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")


def school_schema(school: str) -> str:
    """The PostgreSQL schema that holds ``school``'s log, views and keys: its code (lower-case
    letters, digits, ``_``; 2 to 40 characters), so no quoting is ever needed."""
    if not SCHOOL_CODE.fullmatch(school) or school.startswith("pg_") or school == "public":
        raise SCHOOL_INVALID.error(school=repr(school))
    return school


def create_schema(dsn: str, schema: str) -> None:
    """Create ``schema`` in the DSN's database if it is not there (any number of processes at
    once: the creation is serialized by an advisory lock)."""
    import psycopg
    from psycopg import sql

    from second_classroom.persistence.postgres import schema_lock_key

    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema_lock_key(schema),))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def describe_store(env: Mapping[str, str]) -> str:
    """Where a store's events live, for logs and messages; never the password."""
    module = env.get("PERSISTENCE_MODULE", "")
    if module == "eventsourcing.sqlite":
        return f"SQLite {env.get('SQLITE_DBNAME', '')}"
    if module == "eventsourcing.postgres":
        schema = env.get("POSTGRES_SCHEMA") or "public"
        return f"PostgreSQL {_postgres_where(env)} schema {schema}"
    return "in memory"


def probe_postgres(dsn: str, timeout: float = 5.0) -> None:
    """Connect to ``dsn`` once, waiting at most ``timeout`` seconds (whole seconds, at least 2),
    and close; an unreachable or refusing server raises ``store.unreachable`` with its reason.

    A start-up check: the store's own pool waits 30 s for a connection and then reports only
    that it timed out.
    """
    env = postgres_env(dsn)
    where = _postgres_where(env)
    try:
        import psycopg
    except ImportError:
        reason = "psycopg is not installed (pip install 'second-classroom[postgres]')"
        raise STORE_UNREACHABLE.error(where=where, reason=reason) from None
    try:
        connection = psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=max(2, math.ceil(timeout)),
        )
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__  # libpq's text spans lines
        raise STORE_UNREACHABLE.error(where=where, reason=reason) from exc
    connection.close()


def _postgres_where(env: Mapping[str, str]) -> str:
    return f"{env.get('POSTGRES_HOST')}:{env.get('POSTGRES_PORT')}/{env.get('POSTGRES_DBNAME')}"


def popo_env() -> dict[str, str]:
    """Plain Python objects in memory, for fast unit tests."""
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
