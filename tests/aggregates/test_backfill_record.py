"""补录记录 (seed 001 第三条 名单导入): the ledger's lines, each naming its source — an activity
record, a confirmed 补录 claim, or a rated cadre term (001 第四条)."""

from __future__ import annotations

from decimal import Decimal

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.backfill_record import BackfillRecord, CreditLine, credit_lines
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.core import ids
from second_classroom.core.terms import ActivityLevel, AttendanceOutcome, CadrePosition, CadreRating
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from tests.specification import at

SKILLS = PlannedCredit("skills", "学分", Decimal("0.5"))
HOURS = PlannedCredit("volunteer", "学时", Decimal(4))


def activity(key: str, *credits: PlannedCredit) -> ActivityRecord:
    return ActivityRecord(
        ids.derive("activity", "test", key),
        f"活动{key}",
        "skills",
        ActivityLevel.COLLEGE,
        at(10, 1, 14),
        at(10, 1, 16),
        Decimal(2),
        AttendanceOutcome.ATTENDED,
        (),
        credits,
        at(10, 1, 18),
    )


def backfill(key: str, *credits: PlannedCredit) -> BackfillRecord:
    return BackfillRecord(
        ids.derive("claim", "test", key), ClaimKind.COLLECTIVE, f"补录{key}", credits, at(10, 20)
    )


def cadre_term(key: str, *credits: PlannedCredit) -> CadreRecord:
    return CadreRecord(
        ids.derive("cadre-round", "test", key),
        ids.tribe_id("PE-SU"),
        "石油工程学院学生会",
        "2025-2026学年",
        "cadre",
        CadrePosition.STUDENT_UNION,
        f"部长{key}",
        at(9, 1, year=2025),
        at(9, 1, year=2026),
        False,
        CadreRating.EXCELLENT,
        credits,
        at(9, 2, year=2026),
    )


def test_every_credit_is_a_line_naming_its_source_activities_then_claims_then_cadre_terms() -> None:
    """001 第三条 名单导入 and 第四条: given two activities, two 补录 claims and two cadre terms,
    each with its credits, then every credit is one line with its source kind, id and title, in
    that order; a record without credits gives no line."""
    a1, a2 = activity("1", SKILLS, HOURS), activity("2")
    b1, b2 = backfill("1", HOURS), backfill("2", SKILLS, SKILLS)
    c1, c2 = cadre_term("1", SKILLS), cadre_term("2", HOURS)
    lines = credit_lines([a1, a2], [b1, b2], [c1, c2])
    assert lines == (
        CreditLine("activity", a1.activity_id, "活动1", "skills", "学分", Decimal("0.5")),
        CreditLine("activity", a1.activity_id, "活动1", "volunteer", "学时", Decimal(4)),
        CreditLine("backfill", b1.claim_id, "补录1", "volunteer", "学时", Decimal(4)),
        CreditLine("backfill", b2.claim_id, "补录2", "skills", "学分", Decimal("0.5")),
        CreditLine("backfill", b2.claim_id, "补录2", "skills", "学分", Decimal("0.5")),
        CreditLine("cadre", c1.round_id, "部长1", "skills", "学分", Decimal("0.5")),
        CreditLine("cadre", c2.round_id, "部长2", "volunteer", "学时", Decimal(4)),
    )


def test_without_cadre_terms_the_lines_are_the_activities_and_claims() -> None:
    """A caller that has no cadre terms (the default) gets the activity and claim lines."""
    a, b = activity("1", SKILLS), backfill("1", HOURS)
    assert credit_lines([a], [b]) == (
        CreditLine("activity", a.activity_id, "活动1", "skills", "学分", Decimal("0.5")),
        CreditLine("backfill", b.claim_id, "补录1", "volunteer", "学时", Decimal(4)),
    )
    assert credit_lines([], []) == ()
