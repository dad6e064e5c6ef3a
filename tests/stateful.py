"""Run a hypothesis state machine whose ``env`` is a fresh store per example."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from hypothesis import settings as Settings
from hypothesis.stateful import RuleBasedStateMachine

from second_classroom.persistence.stores import postgres_env, sqlite_env


def run_on_sqlite(machine: type[RuleBasedStateMachine], settings: Settings, folder: Path) -> None:
    """Each example gets its own SQLite file in ``folder``."""

    class OnSQLite(machine):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            super().__init__()
            self.env = sqlite_env(folder / f"{uuid.uuid4().hex}.sqlite3")

    OnSQLite.TestCase.settings = settings
    OnSQLite.TestCase().runTest()


def run_on_postgres(machine: type[RuleBasedStateMachine], settings: Settings, dsn: str) -> None:
    """Each example gets its own PostgreSQL schema, all dropped afterwards."""
    import psycopg

    schemas: list[str] = []

    class OnPostgres(machine):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            super().__init__()
            schema = f"sm_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            schemas.append(schema)
            self.env: dict[str, Any] = postgres_env(dsn, schema=schema)

    OnPostgres.TestCase.settings = settings
    try:
        OnPostgres.TestCase().runTest()
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
