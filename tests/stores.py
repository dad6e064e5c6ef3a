"""The stores tests open: the secret every test facade is keyed with, the PostgreSQL server's
address, a fresh in-memory SQLite store, and events stored as an older writer stored them.
Tests import these from here, never from a conftest (pytest and mypy each import a conftest
under their own name)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from typing import Any

from eventsourcing.persistence import StoredEvent

from second_classroom.persistence.stores import sqlite_env

POSTGRES_DSN = os.environ.get(
    "SECOND_CLASSROOM_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = bytes(range(32))
REQUIRE_POSTGRES = os.environ.get("SECOND_CLASSROOM_REQUIRE_POSTGRES") == "1"


def sqlite_memory_env() -> dict[str, str]:
    """Settings for a new in-memory SQLite store, shared by the connections of this process."""
    return sqlite_env(f"file:sc_{uuid.uuid4().hex}?mode=memory&cache=shared")


def legacy_event(topic: str, stream: uuid.UUID, at: datetime, data: dict[str, Any]) -> StoredEvent:
    """Version 1 of ``stream``: a ``topic`` event at ``at`` with no command, its JSON written
    by hand as a writer before the boundary could have stored it (``json.dumps`` escapes NUL
    and lone surrogates, as any JSON writer may)."""
    body = {"v": 1, "at": at.isoformat(), "data": data}
    return StoredEvent(stream, 1, topic, json.dumps(body).encode())
