"""POST /api/commands: events or the DomainError with its category's status; idempotent
retries (Idempotency-Key) answer the first reply without deciding again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import Category, ErrorCode
from second_classroom.http import HttpSettings, create_app
from second_classroom.http.refusals import STATUS, status_of
from second_classroom.service import SecondClassroom
from tests.enrolment_world import CLOSED, LEADER
from tests.http.world import TOKENS, World, bearer, build_world
from tests.specification import PE_ADMIN, at

STARTED = at(12, 3, 14, 5)  # the activity is under way

OPEN_SESSION = {
    "type": "OpenCheckInSession",
    "valid_minutes": 10,
    "geofence": {"latitude": 46.5889, "longitude": 125.1487, "radius_m": 100.0},
}


def register(world: World, number: str, **headers: str) -> tuple[int, dict[str, Any]]:
    reply = world.client.post(
        "/api/commands",
        json={"type": "Register", "activity_id": str(world.talk)},
        headers={**bearer(Actor.student(number)), **headers},
    )
    return reply.status_code, reply.json()


def test_an_accepted_command_answers_its_stored_events(world: World) -> None:
    status, body = register(world, world.students[0])
    assert status == 200
    assert body["type"] == "Outcome"
    assert [e["event"]["type"] for e in body["events"]][:1] == ["RegistrationAccepted"]
    assert world.service.enrolment(world.talk, world.students[0], PE_ADMIN) is not None


def test_every_category_maps_to_its_documented_status() -> None:
    """docs/errors.md: invalid 400, forbidden 403, not_found 404, conflict 409, closed 422,
    unavailable 503; every code in the catalogue gets one of them."""
    assert {c.value: s for c, s in STATUS.items()} == {
        "invalid": 400,
        "forbidden": 403,
        "not_found": 404,
        "conflict": 409,
        "closed": 422,
        "unavailable": 503,
    }
    for code in ErrorCode.catalogue.values():
        assert status_of(code.error()) in {400, 401, 403, 404, 409, 422, 429, 503}


def test_refusals_answer_with_their_category_status(world: World) -> None:
    """One real refusal of each category through HTTP, nothing stored by any."""
    post = world.client.post
    cases = [
        ({"type": "Register", "activity_id": "not-a-uuid"}, Actor.student("2024000001"), 400),
        # Not a registered student of the school: enrolment.not_a_student.
        ({"type": "Register", "activity_id": str(world.talk)}, Actor.student("2099999999"), 403),
        (
            {"type": "Register", "activity_id": str(ids.activity_id(world.talk, "nope"))},
            Actor.student(world.students[0]),
            404,
        ),
    ]
    for message, actor, expected in cases:
        reply = post("/api/commands", json=message, headers=bearer(actor))
        assert reply.status_code == expected, reply.json()
        assert reply.json()["type"] == "DomainError"
        assert STATUS[Category(reply.json()["category"])] == expected
    for number in world.students[:3]:  # capacity 3
        assert register(world, number)[0] == 200
    status, body = register(world, world.students[0])
    assert (status, body["category"]) == (409, "conflict")
    status, body = register(world, world.students[3])
    assert (status, body["code"]) == (409, "activity.capacity_full")
    world.clock.now = CLOSED
    status, body = register(world, world.students[4])
    assert (status, body["category"]) == (422, "closed")


def test_a_missing_secret_is_unavailable(
    store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """config.secret_missing (unavailable) is 503: the deployment lacks the school secret."""
    monkeypatch.delenv("SECOND_CLASSROOM_SECRET", raising=False)
    with SecondClassroom.open(store_env) as service:
        _students, talk = build_world(service)
        settings = HttpSettings(worker=False, authenticate=TOKENS, clock=lambda: STARTED)
        with TestClient(create_app(service, settings)) as client:
            opened = client.post(
                "/api/commands",
                json=OPEN_SESSION | {"activity_id": str(talk)},
                headers=bearer(LEADER),
            )
            assert opened.status_code == 200, opened.json()
            reply = client.get(f"/api/activities/{talk}/checkin/1", headers=bearer(LEADER))
    assert (reply.status_code, reply.json()["code"]) == (503, "config.secret_missing")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "http.body_invalid"),
        (b'{"type": "Register", "x": "' + b"a" * (1024 * 1024) + b'"}', "http.body_invalid"),
        (b"\xff\xfe", "http.body_invalid"),
        (b"[1, 2]", "command.malformed"),
        (b'{"type": "Bogus"}', "command.unknown"),
        (b'{"type": "RegistrationAccepted"}', "command.malformed"),
    ],
)
def test_a_body_that_is_no_command_is_400(world: World, body: bytes, code: str) -> None:
    reply = world.client.post(
        "/api/commands", content=body, headers=bearer(Actor.student(world.students[0]))
    )
    assert (reply.status_code, reply.json()["code"]) == (400, code)


def test_without_a_valid_token_a_command_is_401_and_stores_nothing(world: World) -> None:
    message = {"type": "Register", "activity_id": str(world.talk)}
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        reply = world.client.post("/api/commands", json=message, headers=headers)
        assert reply.status_code == 401
        assert reply.json()["code"] == "http.unauthenticated"
        assert reply.headers["www-authenticate"].startswith("Bearer")
    assert world.service.enrolment(world.talk, world.students[0], PE_ADMIN) is None


def test_a_retry_with_the_same_key_returns_the_first_reply_without_deciding_again(
    world: World,
) -> None:
    first = register(world, world.students[0], **{"Idempotency-Key": "k-1"})
    history = len(world.service.history(world.talk, Actor.system()))
    again = world.client.post(
        "/api/commands",
        json={"type": "Register", "activity_id": str(world.talk)},
        headers={**bearer(Actor.student(world.students[0])), "Idempotency-Key": "k-1"},
    )
    assert first[0] == again.status_code == 200
    assert again.json() == first[1]  # not enrolment.already_registered: not decided again
    assert again.headers["idempotent-replayed"] == "true"
    assert len(world.service.history(world.talk, Actor.system())) == history
    # Without the key the same command is decided again, and refused as a duplicate.
    assert register(world, world.students[0])[1]["code"] == "enrolment.already_registered"


def test_a_refusal_is_replayed_too_and_keys_belong_to_their_caller(world: World) -> None:
    world.clock.now = CLOSED
    first = register(world, world.students[0], **{"Idempotency-Key": "same"})
    assert first[0] == 422
    assert register(world, world.students[0], **{"Idempotency-Key": "same"}) == first
    # Another caller's same key is their own.
    other = register(world, world.students[1], **{"Idempotency-Key": "same"})
    assert other[0] == 422


def test_a_key_reused_for_another_request_or_malformed_is_refused(world: World) -> None:
    assert register(world, world.students[0], **{"Idempotency-Key": "k"})[0] == 200
    reply = world.client.post(
        "/api/commands",
        content=json.dumps({"type": "CancelRegistration", "activity_id": str(world.talk)}),
        headers={**bearer(Actor.student(world.students[0])), "Idempotency-Key": "k"},
    )
    assert (reply.status_code, reply.json()["code"]) == (409, "http.idempotency_key_reused")
    status, body = register(world, world.students[1], **{"Idempotency-Key": "x" * 201})
    assert (status, body["code"]) == (400, "http.idempotency_key_invalid")
