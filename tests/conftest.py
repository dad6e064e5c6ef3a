"""Shared fixtures: a facade on each store. PostgreSQL tests skip without a server, unless
``SECOND_CLASSROOM_REQUIRE_POSTGRES=1`` (set by CI) makes a missing server an error."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings

from second_classroom.persistence.stores import popo_env, postgres_env, sqlite_env
from second_classroom.service import SecondClassroom

POSTGRES_DSN = os.environ.get(
    "SECOND_CLASSROOM_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = bytes(range(32))
REQUIRE_POSTGRES = os.environ.get("SECOND_CLASSROOM_REQUIRE_POSTGRES") == "1"

# Hypothesis profiles (docs/testing.md): "ci" (the default) keeps the example counts written in
# the tests; "thorough" runs ten times as many for a developer hunting a rare case, e.g.
# HYPOTHESIS_PROFILE=thorough pytest tests/persistence/test_state_cache.py; "mutation" (which
# tools/mutation.py selects) runs a tenth as many, always the same ones, since mutmut re-runs a
# module's tests once per mutant and a mutant must be killed (or not) the same way every time
PROFILE_SCALE = {"ci": 1.0, "thorough": 10.0, "mutation": 0.1}
settings.register_profile("ci", print_blob=True)
settings.register_profile("thorough", max_examples=1000, print_blob=True)
settings.register_profile("mutation", max_examples=10, derandomize=True, database=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """``count`` examples under the ci profile, scaled under another (at least one)."""
    return max(1, round(count * PROFILE_SCALE.get(PROFILE, 1.0)))


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


def sqlite_memory_env() -> dict[str, str]:
    return sqlite_env(f"file:sc_{uuid.uuid4().hex}?mode=memory&cache=shared")


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
