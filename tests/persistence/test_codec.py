"""Every command and event round-trips through JSON; a frontend speaks to the facade in JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.demo import run_demo
from second_classroom.service import SecondClassroom
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
        service.tribe(ids.tribe_id("PE-SU")),
        service.student("2023010101"),
        service.activity(ids.activity_id(ids.tribe_id("PE-SU"), "2026-cet-talk")),
    ]
    service.close()
    assert {"Activity", "StudentRecord", "Tribe"} <= set(codec.registry.names("state"))
    for result in results:
        assert result is not None
        encoded = codec.to_json(result)
        assert codec.from_json(json.loads(json.dumps(encoded, ensure_ascii=False))) == result
