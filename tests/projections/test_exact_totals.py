"""Credit totals in the views are exact on every store (issue 14 §3: a total is the sum of the
student's credits): 0.1 + 0.2 学时 is 0.3, never 0.30000000000000004 — the ledger
(``StudentRecord.credits``), the leaderboard, the student summary and the monthly report agree."""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.practice import RecordPractice
from second_classroom.aggregates.student import ActivityRecorded, StudentRegistered
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import ActivityLevel, Program
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.stores import sqlite_env
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import Limits
from second_classroom.projections import queries, reports
from second_classroom.projections.database import (
    AMOUNT_PLACES,
    amount_units,
    units_amount,
)
from second_classroom.projections.report_views import MonthlyFacts
from second_classroom.projections.views import StudentSummary
from second_classroom.service import SecondClassroom
from tests.enrolment_world import found_school
from tests.practice_world import RULES
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at, present
from tests.stores import TEST_SECRET

PROBE = ("0.1", "0.2", "0.01", "0.07")  # binary floats add these to 0.38000000000000006
NOT_BINARY = st.sampled_from(
    [Decimal(a) for a in ("0.1", "0.2", "0.07", "0.01", "0.3", "1.1", "0.33", "0.0000000001")]
)
AMOUNTS = NOT_BINARY | st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(1000), places=2, allow_nan=False
)
TYPES = ("学分", "学时")


def record_practice(school: SecondClassroom, students: list[str]) -> None:
    for n, hours in enumerate(PROBE):
        practice = RecordPractice(
            f"实践{n}", "社会实践", at(12, 3, 8), at(12, 3, 18), tuple(students), college="PE",
            hours=Decimal(hours),
        )  # fmt: skip
        school.execute(practice, PE_ADMIN, at(12, 7))


def test_four_practice_records_total_exactly(store_env: dict[str, str]) -> None:
    """Given 0.1, 0.2, 0.01 and 0.07 学时 of 社会实践 (002 一 4)) for one student, when the
    leaderboard, the student summary and the ledger are read, then each says 0.38 exactly."""
    with SecondClassroom.open(store_env, RULES, secret=TEST_SECRET) as school:
        [number] = found_school(school, 1)
        record_practice(school, [number])
        by_student = school.leaderboard(SCHOOL_ADMIN, "student", college="PE", credit_type="学时")
        by_college = school.leaderboard(SCHOOL_ADMIN, "college", credit_type="学时")
        summary = school.student_summary(number, Actor.student(number))
        ledger = present(school.student(number, PE_ADMIN)).credits()
    exact = Decimal("0.38")
    assert [(r.group, r.amount) for r in by_student] == [(number, exact)]
    assert str(by_student.rows[0].amount) == "0.38"
    assert [(r.group, r.amount) for r in by_college] == [("PE", exact)]
    assert summary is not None
    assert summary.credits == (("practice", "学时", exact),)
    assert ledger == {("practice", "学时"): exact}


def credited(
    activity: uuid.UUID, credits: list[tuple[str, Decimal]], student: uuid.UUID
) -> ActivityRecorded:
    record = ActivityRecord(
        activity, "活动", "skills", ActivityLevel.SCHOOL, NOW, NOW + timedelta(hours=2),
        Decimal(2), None, (), tuple(PlannedCredit("skills", k, a) for k, a in credits), NOW,
    )  # fmt: skip
    return ActivityRecorded(student, record, NOW)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(TYPES), AMOUNTS), min_size=1, max_size=3),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.integers(0, 1), min_size=6, max_size=6),
)
def test_view_totals_are_the_decimal_sums_of_the_records(
    service: SecondClassroom, activities: list[list[tuple[str, Decimal]]], whose: list[int]
) -> None:
    """Given two students of one college credited any non-binary amounts (0.1, 0.07 …) of two
    types by several activities of one organization, then the leaderboard by student and by
    type, each student's summary and the college's monthly report (学院月报) total each
    (module, type) to the exact Decimal sum of its credits."""
    database = service.views.database
    college = f"C{uuid.uuid4().hex[:8]}"  # each example its own college: the views are shared
    numbers = [f"9{uuid.uuid4().int % 10**9:09d}" for _ in range(2)]
    summary, facts = StudentSummary(), MonthlyFacts()
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    per_student: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with database.transaction() as cursor:
        for number in numbers:
            sid = ids.student_id(number)
            born = StudentRegistered(
                sid, number, "王芳", college, "班", 2024, Program.UNDERGRADUATE, "admin", NOW
            )
            summary.apply(cursor, 0, Envelope(sid, 1, NOW, born))
        for n, credits in enumerate(activities):
            activity = uuid.uuid4()
            cursor.execute(
                "INSERT INTO report_activities (activity_id, college, tribe, month, approved)"
                " VALUES (?, ?, '团委', '2026-12', 1)",
                (str(activity), college),
            )
            number = numbers[whose[n]]
            event = credited(activity, credits, ids.student_id(number))
            envelope = Envelope(ids.student_id(number), n + 2, NOW, event)
            summary.apply(cursor, 0, envelope)
            facts.apply(cursor, 0, envelope)
            for kind, amount in credits:
                expected[("skills", kind)] += amount
                per_student[(number, kind)] += amount
    for kind in TYPES:
        board = queries.leaderboard(database, "student", college=college, credit_type=kind)
        assert {(r.group, r.amount) for r in board} == {
            (number, total) for (number, k), total in per_student.items() if k == kind
        }
    for number in numbers:
        row = queries.student_summary(database, number)
        assert row is not None
        assert {(m, k, a) for m, k, a in row.credits} == {
            ("skills", k, total) for (n, k), total in per_student.items() if n == number
        }
    [month] = reports.monthly_report(database, "2026-12", college=college)
    assert {(m, k): a for m, k, a in month.credits} == expected


@given(st.decimals(min_value=-(10**8), max_value=10**8, places=AMOUNT_PLACES, allow_nan=False))
def test_stored_units_give_back_the_amount(amount: Decimal) -> None:
    """Any amount of up to the rulebook's most places (limits.credit_places ≤ 10) is stored as
    whole units and read back equal."""
    assert units_amount(amount_units(amount)) == amount


def test_an_amount_finer_than_the_units_is_refused() -> None:
    """An amount with more places than the units hold is refused, never rounded: the runner
    records it as a view failure."""
    with pytest.raises(ValueError, match="more than 10 places"):
        amount_units(Decimal("0.00000000001"))


def test_a_view_database_of_the_old_shape_is_rebuilt_from_the_log(tmp_path: Path) -> None:
    """Given a view database written by a release that kept credit amounts as NUMERIC (a float
    on SQLite) and recorded no view shapes, when the library opens it, then the changed views
    are dropped and rebuilt from the log, and the totals are exact."""
    env = sqlite_env(str(tmp_path / "school.db"))
    with SecondClassroom.open(env, RULES, secret=TEST_SECRET) as school:
        [number] = found_school(school, 1)
        record_practice(school, [number])
        school.views.catch_up()
    with sqlite3.connect(tmp_path / "school.db") as old:  # as the older release left it
        old.execute("DROP TABLE student_credits")
        old.execute(
            "CREATE TABLE student_credits (student_number TEXT NOT NULL, module TEXT NOT NULL,"
            " credit_type TEXT NOT NULL, amount NUMERIC NOT NULL,"
            " PRIMARY KEY (student_number, module, credit_type))"
        )
        old.execute(
            "INSERT INTO student_credits VALUES (?, 'practice', '学时', ?)",
            (number, 0.38000000000000006),
        )
        old.execute("DROP TABLE sc_view_shapes")
    with SecondClassroom.open(env, RULES, secret=TEST_SECRET) as school:
        board = school.leaderboard(SCHOOL_ADMIN, "student", college="PE", credit_type="学时")
        summary = school.student_summary(number, Actor.student(number))
        stored = school.views.query("SELECT typeof(amount) FROM student_credits")
        shapes = {
            row[0]: row[1] for row in school.views.query("SELECT view, shape FROM sc_view_shapes")
        }
    assert [(r.group, str(r.amount)) for r in board] == [(number, "0.38")]
    assert summary is not None
    assert summary.credits == (("practice", "学时", Decimal("0.38")),)
    assert stored == [("integer",)]
    assert shapes["student_summary"] == 1
    assert shapes["report_facts"] == 2


def test_the_units_hold_every_amount_a_rulebook_allows() -> None:
    """The rulebook's bound on ``limits.credit_places`` is the units' places: a rulebook with
    finer amounts than the views keep is refused."""
    assert Limits(credit_places=AMOUNT_PLACES).problems() == []
    assert Limits(credit_places=AMOUNT_PLACES + 1).problems() == [
        "limits.credit_places must be 0-10"
    ]
