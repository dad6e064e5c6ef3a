"""Different credit types are never added together (issue 14 §3; 001 附件4 说明 4 学分类型，不是
单指学分，而是…学分、积分、学时、小时…): the student's ledger, the transcript's totals, the
monthly report's columns and totals and the leaderboard each total one type at a time — today's
0.5 学分 + 4 志愿时 is never 4.5."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import IssueTranscript, Version, build_content
from second_classroom.core import ids
from second_classroom.core.terms import ActivityLevel, Program
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import HoursRule, PracticeRule
from second_classroom.projections.reports import Columns, MonthlyRow, Names, _totals
from second_classroom.service import SecondClassroom
from tests.specification import NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at

TYPES = ("学分", "志愿时", "学时")
RULES = attrs.evolve(NEPU, credit_types=TYPES)
MODULES = ("skills", "volunteering", "practice")

credits = st.builds(
    PlannedCredit,
    st.sampled_from(MODULES),
    st.sampled_from(TYPES),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10), places=2),
)


def entry(items: list[PlannedCredit]) -> ActivityRecord:
    return ActivityRecord(
        uuid4(), "活动", "skills", ActivityLevel.SCHOOL, NOW, NOW + timedelta(hours=2),
        Decimal(2), None, (), tuple(items), NOW,
    )  # fmt: skip


def expected(items: list[PlannedCredit]) -> dict[tuple[str, str], Decimal]:
    """Each (module, type) summed over its own credits alone."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        sums[(item.module, item.credit_type)] += item.amount
    return dict(sums)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(credits, max_size=4), min_size=1, max_size=6))
def test_no_transcript_total_mixes_two_types(activities: list[list[PlannedCredit]]) -> None:
    """Given any activities crediting any mix of types, when a transcript is built, then each
    total is of one module and one type and equals the sum of that pair's credits alone."""
    flat = [c for items in activities for c in items]
    record = StudentRecord(
        ids.student_id("2024010101"), "2024010101", "王芳", "PE", "石工24-1班", 2024,
        Program.UNDERGRADUATE, activities=tuple(entry(items) for items in activities),
    )  # fmt: skip
    assert record.credits() == expected(flat)
    if not flat:
        return
    content = build_content(
        IssueTranscript("2024010101", Version.CREDIT), record, "S-1", RULES, NOW
    )
    names = {m.code: m.name for m in RULES.modules}
    totals = {(t.module, t.credit_type): t.amount for t in content.totals}
    assert len(totals) == len(content.totals)
    assert totals == {(names.get(m, m), k): a for (m, k), a in expected(flat).items()}


def row_credits(items: list[PlannedCredit]) -> tuple[tuple[str, str, Decimal], ...]:
    return tuple((m, k, a) for (m, k), a in sorted(expected(items).items()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(credits, max_size=4), min_size=1, max_size=5))
def test_no_monthly_report_column_or_total_mixes_two_types(
    groups: list[list[PlannedCredit]],
) -> None:
    """Given organizations with any mix of types, then every credit column of the report names
    one module and one type, and its total is the sum of that pair alone."""
    rows = [
        MonthlyRow("PE", f"组织{n}", 1, 1, 0, 1, None, None, row_credits(items))
        for n, items in enumerate(groups)
    ]
    names = Names("东北石油大学", {"PE": "石油工程学院"}, {m: m for m in MODULES})
    columns = Columns.of(rows, names)
    header = columns.header(names)[8:]
    assert header == [f"{m}（{k}）" for m, k in columns.credits]
    sums = expected([c for items in groups for c in items])
    totals = _totals(rows, columns)[8:]
    assert len(totals) == len(columns.credits)
    for (module, kind), total in zip(columns.credits, totals, strict=True):
        assert total == float(sums[(module, kind)])


def test_the_leaderboard_ranks_one_type_at_a_time(store_env: dict[str, str]) -> None:
    """Given two students with 0.5 学时 each (a practice team, 002 一 4)) and the first with
    4 志愿时 too, when the leaderboard is asked, then the 学时 board holds 0.5 each and the
    志愿时 board 4 — never 4.5 — the default board is the rulebook's first type (学分, empty
    here), and asking the views for no type while two exist is refused."""
    import pytest

    from second_classroom.aggregates.practice import RecordPractice
    from second_classroom.aggregates.student import RegisterStudent
    from second_classroom.core.errors import DomainError
    from tests.stores import TEST_SECRET

    rules = attrs.evolve(
        RULES,
        hours=HoursRule(Decimal(8)),
        practice=PracticeRule(module="practice", credit_type="学时"),
    )
    with SecondClassroom.open(store_env, rules, secret=TEST_SECRET) as school:
        for number in ("2024010101", "2024010102"):
            school.execute(RegisterStudent(number, "王芳", "PE", "石工24-1班", 2024), PE_ADMIN, NOW)
        short = RecordPractice(
            "half", "实践", at(12, 3, 8), at(12, 3, 12), ("2024010101", "2024010102"),
            college="PE", hours=Decimal("0.5"),
        )  # fmt: skip
        school.execute(short, PE_ADMIN, at(12, 7))
        # A second type for the first student: the school now credits its teams in 志愿时 (the
        # rulebook is read at decision time; what was recorded stays as recorded).
        school.rulebook = attrs.evolve(rules, practice=PracticeRule("volunteering", "", "志愿时"))
        vol = RecordPractice(
            "vol", "志愿", at(12, 3, 8), at(12, 3, 12), ("2024010101",), college="PE",
            hours=Decimal(4),
        )  # fmt: skip
        school.execute(vol, PE_ADMIN, at(12, 7))
        hours_board = school.leaderboard(SCHOOL_ADMIN, by="student", credit_type="学时")
        assert [(r.group, r.amount, r.credit_type) for r in hours_board] == [
            ("2024010101", Decimal("0.5"), "学时"),
            ("2024010102", Decimal("0.5"), "学时"),
        ]
        volunteer = school.leaderboard(SCHOOL_ADMIN, by="college", credit_type="志愿时")
        assert [(r.group, r.amount) for r in volunteer] == [("PE", Decimal(4))]
        default = school.leaderboard(SCHOOL_ADMIN, by="college")  # the rulebook's first: 学分
        assert list(default) == []
        with pytest.raises(DomainError) as caught:
            school.views.leaderboard(by="college")
        assert caught.value.code == "query.invalid"
