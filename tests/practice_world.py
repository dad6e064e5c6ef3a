"""What the practice-team tests share (002 一 4)): NEPU recording teams as HFUT does, one
winter team of 石油工程学院 over three days, and 校学生会 recording a team of its own."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from second_classroom.aggregates.practice import RecordPractice
from second_classroom.aggregates.tribe import (
    AddTribeMember,
    AppointTribeRole,
    CertifyTribe,
    CreateTribe,
    TribeRole,
)
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.policies.rulebook import HoursRule, PracticeRule
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER
from tests.specification import NEPU, NOW, SCHOOL_ADMIN, at

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


SCHOOL_UNION = CreateTribe("SU", "校学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL)


def school_union(school: SecondClassroom, members: list[str], *, certified: bool = True) -> None:
    """校学生会, led by LEADER, with ``members`` admitted; certified unless told."""
    school.execute(SCHOOL_UNION, SCHOOL_ADMIN, NOW)
    if certified:
        school.execute(CertifyTribe(SCHOOL_UNION.tribe_id), SCHOOL_ADMIN, NOW)
    appoint = AppointTribeRole(SCHOOL_UNION.tribe_id, LEADER.person_id, TribeRole.LEADER)
    school.execute(appoint, SCHOOL_ADMIN, NOW)
    for number in members:
        school.execute(AddTribeMember(SCHOOL_UNION.tribe_id, number), SCHOOL_ADMIN, NOW)


def by_tribe(
    people: list[str], tribe: UUID = SCHOOL_UNION.tribe_id, **changes: Any
) -> RecordPractice:
    """The winter team of ``people``, recorded by ``tribe`` (by default 校学生会), no college."""
    return team(people, college=None, tribe_id=tribe, **changes)
