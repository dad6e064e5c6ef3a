"""Messages the strict codec refuses (issue 11, 1): every one of MALFORMED_EXAMPLES was read
(coerced) or raised a Python exception on the old codec; the parts they are built from."""

from __future__ import annotations

import math
from typing import Any

ACTIVITY = "6f1c3d4e-2b7a-5c8d-9e0f-1a2b3c4d5e6f"
TRIBE: dict[str, Any] = {"code": "PE-CHESS", "name": "象棋社", "kind": "club", "level": "college"}
STUDENT: dict[str, Any] = {"student_number": "2025000001", "name": "王五", "college": "PE"}
STUDENT |= {"class_name": "石工25-1班", "cohort": 2025}
SESSION: dict[str, Any] = {"activity_id": ACTIVITY, "valid_minutes": 10}
CREDIT: dict[str, Any] = {"module": "ideology", "credit_type": "学分", "amount": "2"}


def deeply_nested(depth: int) -> Any:
    """A name inside ``depth`` lists."""
    nested: Any = "象棋社"
    for _ in range(depth):
        nested = [nested]
    return nested


# Every one of these was read (coerced) or raised a Python exception on the old codec; each
# is (message, path named in the refusal). tests/test_schema.py shows the schemas refuse them.
MALFORMED_EXAMPLES: dict[str, tuple[Any, str]] = {
    '"approve": "false" approved the leave': (
        {"type": "DecideLeave", "activity_id": ACTIVITY, "student": "2023010101"}
        | {"approve": "false"},
        "$.approve",
    ),
    '"overturn": "false"': (
        {"type": "DecideAppeal", "student_number": "2023010101", "entry_id": ACTIVITY}
        | {"overturn": "false", "reason": "r"},
        "$.overturn",
    ),
    '"accept": "no"': (
        {"type": "ReviewFlaggedCheckIn", "activity_id": ACTIVITY, "session": 1}
        | {"student": "2023010101", "accept": "no"},
        "$.accept",
    ),
    '"allow_password": "false"': (
        {"type": "OpenCheckInSession", **SESSION, "allow_password": "false"},
        "$.allow_password",
    ),
    '"allow_password": []': (
        {"type": "OpenCheckInSession", **SESSION, "allow_password": []},
        "$.allow_password",
    ),
    "a list for a string was stored as its repr": (
        {"type": "CreateTribe", **TRIBE, "name": ["象棋社"]},
        "$.name",
    ),
    'null for a string was stored as "None"': (
        {"type": "CreateTribe", **TRIBE, "name": None},
        "$.name",
    ),
    '"cohort": "2025"': ({"type": "RegisterStudent", **STUDENT, "cohort": "2025"}, "$.cohort"),
    '"cohort": 2025.9 was read as 2025': (
        {"type": "RegisterStudent", **STUDENT, "cohort": 2025.9},
        "$.cohort",
    ),
    "true for an int": ({"type": "RegisterStudent", **STUDENT, "cohort": True}, "$.cohort"),
    "a string for a list became a list of characters": (
        {"type": "RequestLeave", "activity_id": ACTIVITY, "reason": "病", "proofs": "病假条"},
        "$.proofs",
    ),
    "a misspelled optional field was dropped": (
        {"type": "CreateTribe", **TRIBE, "colege": "PE"},
        "$",
    ),
    'a non-object message "x"': ("x", "$"),
    "a non-object message null": (None, "$"),
    "a non-object message 7": (7, "$"),
    "a non-object message []": ([], "$"),
    "Infinity in coordinates": (
        {"type": "OpenCheckInSession", **SESSION}
        | {"geofence": {"latitude": math.inf, "longitude": 126.6, "radius_m": 100}},
        "$.geofence.latitude",
    ),
    "NaN in coordinates": (
        {"type": "CheckIn", "activity_id": ACTIVITY, "session": 1, "password": "123456"}
        | {"location": {"latitude": 46.6, "longitude": math.nan}},
        "$.location.longitude",
    ),
    "Infinity as an amount": (
        {"type": "ChangeAwardPlan", "activity_id": ACTIVITY}
        | {"plan": {"credits": [CREDIT | {"amount": math.inf}]}},
        "$.plan.credits[0].amount",
    ),
    '"NaN" as an amount': (
        {"type": "ChangeAwardPlan", "activity_id": ACTIVITY}
        | {"plan": {"credits": [CREDIT | {"amount": "NaN"}]}},
        "$.plan.credits[0].amount",
    ),
    '"sNaN" as an amount': (
        {"type": "ChangeAwardPlan", "activity_id": ACTIVITY}
        | {"plan": {"credits": [CREDIT | {"amount": "sNaN"}]}},
        "$.plan.credits[0].amount",
    ),
    "a year 9999 time": (
        {"type": "OpenCheckInSession", **SESSION, "opens_at": "9999-12-31T23:59:00+08:00"},
        "$.opens_at",
    ),
    "a naive time": (
        {"type": "OpenCheckInSession", **SESSION, "opens_at": "2026-12-03T14:00:00"},
        "$.opens_at",
    ),
    "a huge integer": ({"type": "RegisterStudent", **STUDENT, "cohort": 10**400}, "$.cohort"),
    "deep nesting": ({"type": "CreateTribe", **TRIBE, "name": deeply_nested(50_000)}, "$.name"),
}
