"""干部任期记录 (工作履历): the credits a closed cadre round wrote into a student's record
(seed 002 一 3) 党团学干部经历, 优秀、称职、一般称职、不称职分级评价)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.cadre_record import CadreRecord, cadre_credits
from second_classroom.core import ids
from second_classroom.core.terms import CadrePosition, CadreRating
from second_classroom.policies.activity_form import PlannedCredit
from tests.specification import at

TERM = CadreRecord(
    UUID(int=1),
    ids.tribe_id("PE-SU"),
    "石油工程学院学生会",
    "2025-2026学年",
    "cadre",
    CadrePosition.STUDENT_UNION,
    "部长",
    at(9, 1, year=2025),
    at(9, 1, year=2026),
    False,
    CadreRating.EXCELLENT,
    (PlannedCredit("cadre", "学分", Decimal("0.5")), PlannedCredit("cadre", "学时", Decimal("8"))),
    at(9, 2, year=2026),
)


def test_the_credits_of_every_term_in_order() -> None:
    """Given two rated terms and one too short to earn credit, when the credits are read,
    then every credit of each term comes once, term by term."""
    short = attrs.evolve(TERM, round_id=UUID(int=2), ended_early=True, credits=())
    class_committee = attrs.evolve(
        TERM,
        round_id=UUID(int=3),
        position=CadrePosition.CLASS_COMMITTEE,
        rating=CadreRating.COMPETENT,
        credits=(PlannedCredit("cadre", "学分", Decimal("0.2")),),
    )
    assert list(cadre_credits([TERM, short, class_committee])) == [
        PlannedCredit("cadre", "学分", Decimal("0.5")),
        PlannedCredit("cadre", "学时", Decimal("8")),
        PlannedCredit("cadre", "学分", Decimal("0.2")),
    ]


def test_no_terms_earn_no_credits() -> None:
    assert list(cadre_credits([])) == []
