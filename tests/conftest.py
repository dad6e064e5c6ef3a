"""Shared fixtures: a facade on each store. PostgreSQL tests skip without a server, unless
``SECOND_CLASSROOM_REQUIRE_POSTGRES=1`` (set by CI) makes a missing server an error. Helpers
tests import live in tests/stores.py and tests/example_counts.py, not here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from second_classroom.persistence.stores import popo_env, postgres_env, sqlite_env
from second_classroom.service import SecondClassroom
from tests.example_counts import register_profiles
from tests.stores import POSTGRES_DSN, REQUIRE_POSTGRES, TEST_SECRET, sqlite_memory_env

register_profiles()


def _postgres_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'second-classroom[postgres]')"
    try:
        with psycopg.connect(POSTGRES_DSN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL at {POSTGRES_DSN}: {exc}".strip()
    return None


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    problem = _postgres_problem()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here: {problem}")
        pytest.skip(f"PostgreSQL tests skipped: {problem}")
    return POSTGRES_DSN


@pytest.fixture
def postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """A fresh schema per test, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["popo", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings for each store kind."""
    kind = request.param
    if kind == "popo":
        return popo_env()
    if kind == "sqlite":
        return sqlite_memory_env()
    schema = request.getfixturevalue("postgres_schema")
    return postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)


@pytest.fixture
def service(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, secret=TEST_SECRET) as opened:
        yield opened


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """A store two applications can open, as two processes would."""
    if request.param == "sqlite":
        return sqlite_env(f"file:shared_{uuid.uuid4().hex}?mode=memory&cache=shared")
    schema = request.getfixturevalue("postgres_schema")
    return postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)


@pytest.fixture
def two_services(
    shared_store_env: dict[str, str],
) -> Iterator[tuple[SecondClassroom, SecondClassroom]]:
    """Two facades on one store: here and there, as two processes."""
    with (
        SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as here,
        SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as there,
    ):
        yield here, there
