"""Acceptance (issue 11): whatever JSON a client sends to ``execute_json`` — any value, or a
valid command with one field changed to any value — the reply is an Outcome or a DomainError
with a code, never an exception, and a refusal stores nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.aggregates.activity import DraftActivity
from second_classroom.core.actor import Actor
from second_classroom.core.errors import ErrorCode
from second_classroom.policies.checkin_codes import session_password
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import (
    DURING,
    LEADER,
    REGISTERING,
    UNION,
    approved_activity,
    found_school,
    student_number,
)
from tests.persistence.malformed_messages import deeply_nested
from tests.specification import PE_ADMIN
from tests.stores import TEST_SECRET

ODD_VALUES = [
    "\ud800",
    "\x00",
    "2023010101\u200b",
    "\u202e",
    "Infinity",
    "NaN",
    "sNaN",
    "1E+999999",
    "9999-12-31T23:59:00+08:00",
    "0001-01-01T00:00:00+00:00",
    "2026-12-03T14:00:00",
    "2025",
    "false",
    "",
    10**12,
    10**400,
    -(2**63),
    2**53,
    float("inf"),
    float("nan"),
    1e308,
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(codec="utf-8") | st.sampled_from("\ud800\udfff\x00\u200b"))
    | st.sampled_from(ODD_VALUES)
    | st.just(5_000).map(deeply_nested),  # built lazily: its repr would overflow
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def world(shared_store_env: dict[str, str]) -> Iterator[tuple[SecondClassroom, list[Any]]]:
    """A school with an approved activity, and valid commands (JSON, actor) for it."""
    with SecondClassroom.open(shared_store_env, secret=TEST_SECRET) as service:
        found_school(service, 2)
        activity = approved_activity(service, "talk")
        checking_in, registering = (
            Actor.student(student_number(0)),
            Actor.student(student_number(1)),
        )
        session = {"type": "OpenCheckInSession", "activity_id": str(activity), "valid_minutes": 10}
        session |= {"allow_password": True, "opens_at": "2026-12-03T15:00:00+08:00"}
        session |= {"geofence": {"latitude": 46.6, "longitude": 125.1, "radius_m": 200}}
        # Set the stage: an admitted student and a live session 1, so a CheckIn can pass.
        register = {"type": "Register", "activity_id": str(activity)}
        assert service.execute_json(register, checking_in, REGISTERING)["type"] == "Outcome"
        assert service.execute_json(session, LEADER, DURING)["type"] == "Outcome"
        password = session_password(TEST_SECRET, activity, 1)
        valid = [
            (
                {"type": "RegisterStudent", "student_number": "2025000001", "name": "王五"}
                | {"college": "PE", "class_name": "石工25-1班", "cohort": 2025},
                PE_ADMIN,
                REGISTERING,
            ),
            (
                {"type": "CreateTribe", "code": "PE-CHESS", "name": "象棋社", "kind": "club"}
                | {"level": "college", "college": "PE"},
                PE_ADMIN,
                REGISTERING,
            ),
            (register, registering, REGISTERING),
            (codec.to_json(DraftActivity(UNION.tribe_id, "new", FORM)), LEADER, REGISTERING),
            (session, LEADER, DURING),
            (
                {"type": "CheckIn", "activity_id": str(activity), "session": 1}
                | {"password": password, "device_id": "d-1"}
                | {"location": {"latitude": 46.6, "longitude": 125.1, "accuracy_m": 10.0}},
                checking_in,
                DURING,
            ),
            (  # last: it sends the activity back to review
                {"type": "ChangeAwardPlan", "activity_id": str(activity)}
                | {"plan": {"credits": [CREDIT]}},
                LEADER,
                REGISTERING,
            ),
        ]
        yield service, [(json.loads(json.dumps(m, ensure_ascii=False)), a, t) for m, a, t in valid]


def _reply_is_sound(
    service: SecondClassroom, message: Any, actor: Actor, now: datetime = REGISTERING
) -> None:
    before = service.app.recorder.max_notification_id() or 0
    reply = service.execute_json(message, actor, now)
    after = service.app.recorder.max_notification_id() or 0
    assert reply["type"] in ("Outcome", "DomainError")
    if reply["type"] == "DomainError":
        assert reply["code"] in ErrorCode.catalogue
        assert reply["category"] == ErrorCode.catalogue[reply["code"]].category
        assert reply["message_zh"]
        assert reply["message_en"]
        stored = [type(e.payload).__name__ for _, e in service.app.notifications(before)]
        if reply["code"] in RECORDED:  # a wrong password is counted on purpose (第十五条)
            assert set(stored) <= {"CheckInPasswordRejected", "CheckInPasswordLocked"}
        else:
            assert stored == [], reply  # a refusal stores nothing
            assert after == before
    else:
        assert after >= before + len(reply["events"])
    orjson.dumps(reply)  # and the reply is JSON a wrapper can send (no NaN, no surrogate)


RECORDED = {"checkin.wrong_password", "checkin.password_locked"}
CREDIT = {"module": "ideology", "credit_type": "学分", "amount": "1"}
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(message=json_values)
def test_any_json_value_gets_a_coded_reply(
    world: tuple[SecondClassroom, list[Any]], message: Any
) -> None:
    service, _valid = world
    _reply_is_sound(service, message, LEADER)


@PROPERTY
@given(data=st.data(), value=json_values)
def test_a_valid_command_with_one_field_changed_to_any_json_gets_a_coded_reply(
    world: tuple[SecondClassroom, list[Any]], data: st.DataObject, value: Any
) -> None:
    service, valid = world
    message, actor, now = data.draw(st.sampled_from(valid))
    fields = [k for k in message if k != "type"]
    field = data.draw(st.sampled_from([*fields, "unexpected"]))
    _reply_is_sound(service, {**message, field: value}, actor, now)


@PROPERTY
@given(data=st.data(), value=json_values)
def test_a_nested_field_changed_to_any_json_gets_a_coded_reply(
    world: tuple[SecondClassroom, list[Any]], data: st.DataObject, value: Any
) -> None:
    """The publishing form's fields, one level down."""
    service, valid = world
    message, actor, now = next(v for v in valid if v[0]["type"] == "DraftActivity")
    field = data.draw(st.sampled_from(sorted(message["form"])))
    changed = {**message, "form": {**message["form"], field: value}}
    _reply_is_sound(service, changed, actor, now)


def test_the_valid_commands_are_accepted(world: tuple[SecondClassroom, list[Any]]) -> None:
    """The mutated commands start valid, so a refusal is the mutation's doing."""
    service, valid = world
    for message, actor, now in valid:
        reply = service.execute_json(message, actor, now)
        assert reply["type"] == "Outcome", reply


def test_a_wrong_password_is_the_one_refusal_that_is_recorded(
    world: tuple[SecondClassroom, list[Any]],
) -> None:
    service, valid = world
    message, actor, now = next(v for v in valid if v[0]["type"] == "CheckIn")
    before = service.app.recorder.max_notification_id() or 0
    wrong = "000000" if message["password"] != "000000" else "111111"
    reply = service.execute_json({**message, "password": wrong}, actor, now)
    assert reply["code"] == "checkin.wrong_password"
    stored = [type(e.payload).__name__ for _, e in service.app.notifications(before)]
    assert stored == ["CheckInPasswordRejected"]
