"""The stores tests open: the secret every test facade is keyed with, the PostgreSQL server's
address, and a fresh in-memory SQLite store. Tests import these from here, never from a
conftest (pytest and mypy each import a conftest under their own name)."""

from __future__ import annotations

import os
import uuid

from second_classroom.persistence.stores import sqlite_env

POSTGRES_DSN = os.environ.get(
    "SECOND_CLASSROOM_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = bytes(range(32))
REQUIRE_POSTGRES = os.environ.get("SECOND_CLASSROOM_REQUIRE_POSTGRES") == "1"


def sqlite_memory_env() -> dict[str, str]:
    """Settings for a new in-memory SQLite store, shared by the connections of this process."""
    return sqlite_env(f"file:sc_{uuid.uuid4().hex}?mode=memory&cache=shared")
