"""What the practice-team tests share (002 一 4)): NEPU recording teams as HFUT does, and one
winter team of 石油工程学院 over three days."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.aggregates.practice import RecordPractice
from second_classroom.policies.rulebook import HoursRule, PracticeRule
from tests.specification import NEPU, at

# NEPU recording practice teams as HFUT does (002 一 4)): 8 学时 a day, credited as 学时 in
# 实践实习.
RULES = attrs.evolve(
    NEPU,
    credit_types=("学分", "学时"),
    hours=HoursRule(Decimal(8)),
    practice=PracticeRule(module="practice", credit_type="学时"),
)
STARTS, ENDS = at(12, 3, 8), at(12, 5, 18)  # Thursday 08:00 to Saturday 18:00: 58 clock hours
AFTER = at(12, 7)
KEY = "2026-winter-1"
TITLE = "石油工程学院“三下乡”实践团"


def team(people: Sequence[str], /, **changes: Any) -> RecordPractice:
    """石油工程学院's winter team of ``people``, recorded by the college, with ``changes``
    (``members`` among them replaces ``people``)."""
    command = RecordPractice(KEY, TITLE, STARTS, ENDS, tuple(people), college="PE")
    return attrs.evolve(command, **changes)
