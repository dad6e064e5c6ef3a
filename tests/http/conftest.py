"""An HTTP service over a small school: a certified tribe, students, an approved activity
whose registration is open at the clock's time. Callers are bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import UUID

import attrs
import pytest
from starlette.testclient import TestClient

from second_classroom.core.actor import Actor
from second_classroom.http import BearerTokens, HttpSettings, create_app
from second_classroom.service import SecondClassroom
from tests.conftest import TEST_SECRET
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.specification import PE_ADMIN, SCHOOL_ADMIN

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
    client: TestClient
    service: SecondClassroom
    clock: Clock
    students: list[str]
    talk: UUID

    def as_(self, actor: Actor) -> dict[str, str]:
        return bearer(actor)


STUDENTS = 6


def build_world(service: SecondClassroom, capacity: int = 3) -> tuple[list[str], UUID]:
    students = found_school(service, STUDENTS)
    return students, approved_activity(service, "talk", capacity=capacity)


@pytest.fixture
def world(service: SecondClassroom) -> Iterator[World]:
    """The school on each store, served in-process, the worker left to the test."""
    students, talk = build_world(service)
    clock = Clock()
    app = create_app(service, HttpSettings(worker=False, clock=clock))
    with TestClient(app) as client:
        yield World(client, service, clock, students, talk)


__all__ = ["PE_ADMIN", "SCHOOL_ADMIN", "Clock", "World", "bearer", "build_world"]
