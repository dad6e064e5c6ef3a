"""Every command and event round-trips through JSON; a frontend speaks to the facade in JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.demo import run_demo
from second_classroom.persistence.mapper import CattrsMapper
from second_classroom.service import SecondClassroom
from tests.persistence.malformed_messages import (
    ACTIVITY,
    CREDIT,
    MALFORMED_EXAMPLES,
    STUDENT,
    TRIBE,
)
from tests.specification import NOW, SCHOOL_ADMIN

aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
).flatmap(
    lambda d: st.sampled_from([SHANGHAI, UTC, timezone(timedelta(hours=-5))]).map(
        lambda tz: d.replace(tzinfo=tz)
    )
)
st.register_type_strategy(datetime, aware_datetimes)
# JSON has no NaN or infinity, and integers beyond ±2^53 are not exact in every client
# (I-JSON): the strict codec refuses them, so the round trip draws within those bounds.
st.register_type_strategy(float, st.floats(allow_nan=False, allow_infinity=False))
st.register_type_strategy(int, st.integers(-codec.JSON_INT_MAX, codec.JSON_INT_MAX))
st.register_type_strategy(
    Decimal, st.decimals(-(10**12), 10**12, allow_nan=False, allow_infinity=False, places=2)
)

MESSAGES = [
    codec.registry.named(n).cls
    for k in ("command", "event", "state")
    for n in codec.registry.names(k)
]


@pytest.mark.parametrize("cls", MESSAGES, ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_message_round_trips_through_json(cls: type, data: st.DataObject) -> None:
    message = data.draw(st.from_type(cls))
    encoded = codec.to_json(message)
    assert encoded["type"] == cls.__name__
    assert codec.from_json(encoded) == message


def test_a_frontend_sends_json_and_gets_events_back() -> None:
    with SecondClassroom.in_memory() as service:
        reply = service.execute_json(
            {
                "type": "CreateTribe",
                "code": "PE-SU",
                "name": "石油工程学院学生会",
                "kind": "student_union",
                "level": "college",
                "college": "PE",
            },
            SCHOOL_ADMIN,
            NOW,
        )
    assert reply["type"] == "Outcome"
    [stored] = reply["events"]
    assert stored["version"] == 1
    assert stored["event"]["type"] == "TribeCreated"
    assert stored["event"]["at"] == "2026-11-23T09:00:00+08:00"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "LaunchRocket"}, "command.unknown"),
        ({"no": "type"}, "command.malformed"),
        ({"type": "TribeCreated", "tribe_id": "x"}, "command.malformed"),
        ({"type": "CreateTribe", "code": "X"}, "command.malformed"),
        (
            {"type": "CreateTribe", "code": "X", "name": "n", "kind": "bank", "level": "school"},
            "command.malformed",
        ),
        (
            {"type": "CreateTribe", "code": "X", "name": "n", "kind": "club", "level": "school"},
            "auth.forbidden",
        ),
    ],
)
def test_a_refusal_comes_back_as_a_coded_error(message: dict[str, Any], code: str) -> None:
    with SecondClassroom.in_memory() as service:
        reply = service.execute_json(message, Actor.student("2023010101"), NOW)
    assert reply["type"] == "DomainError"
    assert reply["code"] == code
    assert reply["message_zh"]
    assert reply["message_en"]


def test_a_naive_time_in_json_is_malformed() -> None:
    message = {
        "type": "ChangeActivityDetails",
        "activity_id": "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f",
        "starts_at": "2026-12-03T14:00:00",
    }
    with pytest.raises(DomainError) as caught:
        codec.from_json(message)
    assert caught.value.code == "command.malformed"


def test_query_results_round_trip_through_json(tmp_path: Path) -> None:
    """What the facade's queries return (tribe, student record, activity) is plain JSON too."""
    service = run_demo(tmp_path / "demo.sqlite3", lambda _line: None)
    results = [
        service.tribe(ids.tribe_id("PE-SU"), SCHOOL_ADMIN),
        service.student("2023010101", SCHOOL_ADMIN),
        service.activity(ids.activity_id(ids.tribe_id("PE-SU"), "2026-cet-talk"), SCHOOL_ADMIN),
    ]
    service.close()
    assert {"Activity", "StudentRecord", "Tribe"} <= set(codec.registry.names("state"))
    for result in results:
        assert result is not None
        encoded = codec.to_json(result)
        assert codec.from_json(json.loads(json.dumps(encoded, ensure_ascii=False))) == result


# -- the strict boundary (issue 11, 1) -------------------------------------------------------


@pytest.mark.parametrize("case", list(MALFORMED_EXAMPLES))
def test_wrong_json_is_refused_as_malformed_naming_the_field(case: str) -> None:
    """Given the issue's examples, when read, then each is command.malformed with its path."""
    message, path = MALFORMED_EXAMPLES[case]
    with pytest.raises(DomainError) as caught:
        codec.from_json(message, kind="command")
    error = caught.value
    assert error.code == "command.malformed"
    assert error.details["path"] == path
    assert path in error.message_zh
    assert path in error.message_en
    assert error.category == "invalid"


@pytest.mark.parametrize("case", list(MALFORMED_EXAMPLES))
def test_execute_json_answers_every_example_with_a_code_and_stores_nothing(case: str) -> None:
    message, path = MALFORMED_EXAMPLES[case]
    with SecondClassroom.in_memory() as service:
        before = service.app.recorder.max_notification_id()
        reply = service.execute_json(message, SCHOOL_ADMIN, NOW)
        assert service.app.recorder.max_notification_id() == before
    assert reply["type"] == "DomainError"
    assert reply["code"] == "command.malformed"
    assert reply["category"] == "invalid"
    assert reply["details"]["path"] == path
    orjson.dumps(reply)  # the reply itself is valid JSON text


def test_the_approve_false_leave_is_not_approved() -> None:
    """Given "approve": "false", the old codec read True (bool("false")) and approved."""
    message, _path = MALFORMED_EXAMPLES['"approve": "false" approved the leave']
    with pytest.raises(DomainError) as refused:
        codec.from_json(message)
    assert refused.value.code == "command.malformed"
    assert codec.from_json({**message, "approve": False}).approve is False


def test_a_refusal_names_every_wrong_field_in_both_languages() -> None:
    message = {"type": "RegisterStudent", **STUDENT, "cohort": "2025", "name": 7, "extra": 1}
    with pytest.raises(DomainError) as caught:
        codec.from_json(message)
    problems = caught.value.details["problems"]
    assert [p["path"] for p in problems] == ["$.name", "$.cohort", "$"]
    assert problems[0]["reason_zh"] == "应为字符串，收到数字"
    assert problems[0]["reason"] == "expected a string, got number"
    assert problems[2]["reason"] == "unknown field(s): extra"


def test_an_unknown_type_with_a_lone_surrogate_is_echoed_safely() -> None:
    reply = SecondClassroom.in_memory().execute_json({"type": "X\ud800"}, SCHOOL_ADMIN, NOW)
    assert reply["code"] == "command.unknown"
    assert reply["details"]["type"] == "X\\ud800"
    orjson.dumps(reply)


@pytest.mark.parametrize(
    ("value", "read"),
    [("2.5", Decimal("2.5")), (2, Decimal(2)), (2.5, Decimal("2.5")), ("100", Decimal(100))],
)
def test_an_amount_is_a_finite_number_or_numeric_text(value: Any, read: Decimal) -> None:
    message: dict[str, Any] = {"type": "ChangeAwardPlan", "activity_id": ACTIVITY}
    message |= {"plan": {"credits": [CREDIT | {"amount": value}]}}
    assert codec.from_json(message).plan.credits[0].amount == read


@pytest.mark.parametrize(
    "value", ["2,5", " 2.5", "2_5", "0x10", "", True, [], "1E+9999999", "1E+2", "1e-999999"]
)
def test_anything_else_is_not_an_amount(value: Any) -> None:
    """Plain notation only (review finding 8): "1e-999999" was stored and shown as 0."""
    message: dict[str, Any] = {"type": "ChangeAwardPlan", "activity_id": ACTIVITY}
    message |= {"plan": {"credits": [CREDIT | {"amount": value}]}}
    with pytest.raises(DomainError) as caught:
        codec.from_json(message)
    assert caught.value.details["path"] == "$.plan.credits[0].amount"


def test_stored_events_are_still_read_leniently() -> None:
    """The mapper keeps reading what older code stored (here a float where an int is now),
    while the input converter refuses the same payload."""
    stored = {"student_id": ACTIVITY, "score": 90.0, "by": "T-pe"}
    stored |= {"at": "2026-11-23T09:00:00+08:00"}
    body = {"v": 1, "at": "2026-11-23T09:00:00+08:00", "data": stored}
    mapper = CattrsMapper({}, transcoder=JSONTranscoder())
    event = StoredEvent(UUID(ACTIVITY), 1, "PublisherExamPassed", orjson.dumps(body))
    assert mapper.to_domain_event(event).payload.score == 90
    with pytest.raises(DomainError) as strict:
        codec.from_json({"type": "PublisherExamPassed", **stored})
    assert strict.value.code == "command.malformed"


def test_a_python_caller_s_odd_mapping_is_read_or_refused_not_raised() -> None:
    """A Mapping that is not a dict is read like one; keys JSON cannot have are refused."""
    message = MappingProxyType({"type": "CreateTribe", **TRIBE})
    assert codec.from_json(message).code == "PE-CHESS"
    with pytest.raises(DomainError) as caught:
        codec.from_json({"type": "CreateTribe", **TRIBE, 1: "x", None: "y"})
    assert caught.value.details["problems"][0]["reason"] == "unknown field(s): 1, None"
