"""64 concurrent clients for a few seconds of mixed reads and writes, on SQLite and on
PostgreSQL: no 5xx, and never more admitted than the activity's capacity (第十二条 先到先得)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from second_classroom.core.actor import Actor
from second_classroom.http import HttpSettings, create_app
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import approved_activity, found_school
from tests.http.world import Clock, bearer
from tests.specification import SCHOOL_ADMIN
from tests.stores import TEST_SECRET

CLIENTS = 64
CAPACITY = 20
SECONDS = 4.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SecondClassroom]:
    if request.param == "sqlite":
        opened = SecondClassroom.open(sqlite_env(tmp_path / "school.sqlite3"), secret=TEST_SECRET)
    else:
        env = postgres_env(
            request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")
        )
        opened = SecondClassroom.open(env, secret=TEST_SECRET)
    with opened:
        yield opened


async def client_session(
    client: httpx.AsyncClient, number: str, talk: str, stop: float, seed: int
) -> Counter[int]:
    """One student: registers, cancels, reads the board, their activities and record."""
    statuses: Counter[int] = Counter()
    chance = random.Random(seed)
    headers = bearer(Actor.student(number))
    turn = 0
    while time.monotonic() < stop:
        turn += 1
        roll = chance.random()
        if roll < 0.35:
            kind = chance.choice(["Register", "CancelRegistration"])
            extra = {"Idempotency-Key": f"{number}-{turn}"} if chance.random() < 0.3 else {}
            reply = await client.post(
                "/api/commands",
                json={"type": kind, "activity_id": talk},
                headers={**headers, **extra},
            )
        elif roll < 0.6:
            reply = await client.get("/api/activities", params={"limit": "5"}, headers=headers)
        elif roll < 0.8:
            reply = await client.get(f"/api/students/{number}/activities", headers=headers)
        else:
            reply = await client.get(f"/api/students/{number}", headers=headers)
        statuses[reply.status_code] += 1
    return statuses


def test_64_clients_no_5xx_and_no_over_admission(store: SecondClassroom) -> None:
    numbers = found_school(store, CLIENTS)
    talk = approved_activity(store, "talk", capacity=CAPACITY)
    app = create_app(store, HttpSettings(worker=False, clock=Clock()))

    async def run() -> Counter[int]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://school", timeout=120
        ) as client:
            stop = time.monotonic() + SECONDS
            sessions = [
                client_session(client, number, str(talk), stop, seed)
                for seed, number in enumerate(numbers)
            ]
            totals: Counter[int] = Counter()
            for found in await asyncio.gather(*sessions):
                totals.update(found)
            return totals

    totals = asyncio.run(run())
    assert not [s for s in totals if s >= 500], totals
    assert sum(totals.values()) > CLIENTS  # every client did more than one request
    assert set(totals) <= {200, 409, 422, 404}, totals
    activity = store.activity(talk, SCHOOL_ADMIN)
    assert activity is not None
    holding = {
        n
        for n in numbers
        if (found := store.enrolment(talk, n, SCHOOL_ADMIN)) is not None
        and found.status.value == "admitted"
    }
    assert holding == set(activity.roster.admitted)  # each student's stream agrees
    assert len(holding) <= CAPACITY
    assert totals[409] > 0  # the seats were contended: some found it full or were registered
