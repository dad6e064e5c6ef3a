"""An HTTP service over a small school: a certified tribe, students, an approved activity
whose registration is open at the clock's time. Callers are bearer tokens. The ``world``
fixture in tests/http/conftest.py serves it; tests import these helpers from here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from starlette.testclient import TestClient

from second_classroom.core.actor import Actor
from second_classroom.http import BearerTokens
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.stores import TEST_SECRET

TOKENS = BearerTokens.from_secret(TEST_SECRET)


@attrs.define
class Clock:
    """The service's time, moved by the test."""

    now: datetime = REGISTERING

    def __call__(self) -> datetime:
        return self.now


def bearer(actor: Actor, lifetime: timedelta = timedelta(hours=1)) -> dict[str, str]:
    """The Authorization header of ``actor``'s token, issued now (real time: PyJWT checks
    ``exp`` against the wall clock)."""
    token = TOKENS.issue(actor, datetime.now().astimezone(), lifetime)
    return {"Authorization": f"Bearer {token}"}


@attrs.frozen
class World:
    """The served school: its client, facade, clock, students and open activity."""

    client: TestClient
    service: SecondClassroom
    clock: Clock
    students: list[str]
    talk: UUID

    def as_(self, actor: Actor) -> dict[str, str]:
        return bearer(actor)


STUDENTS = 6


def build_world(service: SecondClassroom, capacity: int = 3) -> tuple[list[str], UUID]:
    """Found the school on ``service``: its students and the approved activity ``talk``."""
    students = found_school(service, STUDENTS)
    return students, approved_activity(service, "talk", capacity=capacity)


def refs(value: Any) -> Iterator[str]:
    """Every ``$ref`` in ``value`` (a JSON document: the contract, a schema)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "$ref" and isinstance(inner, str):
                yield inner
            else:
                yield from refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from refs(inner)
