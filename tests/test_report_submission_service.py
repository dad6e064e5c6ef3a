"""学院月报上报 through the facade (issue 14 §4; 002 一 5) 要求各学院每月28日上报学院相关数据
(附件1)): a college submits its month's report as an event; after the 28th the 校团委 sees which
colleges had not submitted by then, a late one with when it came."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest

from second_classroom.aggregates.report_submission import (
    MonthlyReportSubmitted,
    SubmitMonthlyReport,
)
from second_classroom.core import ids
from second_classroom.core.errors import DomainError
from second_classroom.policies.rulebook import preset
from second_classroom.service import SecondClassroom
from tests.specification import CS_ADMIN, NEPU, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET

RULES = attrs.evolve(NEPU, report_due_day=28)  # as HFUT's 一 5)
MONTH = "2026-12"


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, RULES, secret=TEST_SECRET) as opened:
        yield opened


def report(college: str = "PE", month: str = MONTH, **changes: str) -> SubmitMonthlyReport:
    return attrs.evolve(SubmitMonthlyReport(college, month, "本月活动 12 场"), **changes)


def test_hfut_reports_are_due_on_the_28th() -> None:
    """002 一 5) 每月28日上报; NEPU's seed asks no monthly report of its colleges."""
    assert preset("hfut").report_due_day == 28
    assert NEPU.report_due_day is None


def test_a_college_submits_its_report_on_time(school: SecondClassroom) -> None:
    """Given 石油工程学院's admin, when it submits December's report on the 28th at 23:00, then
    the event holds the college, month and text, not late."""
    outcome = school.execute(report(), PE_ADMIN, at(12, 28, 23))
    (event,) = [e.payload for e in outcome.events]
    assert isinstance(event, MonthlyReportSubmitted)
    assert (event.college, event.month, event.summary, event.late) == (
        "PE",
        MONTH,
        "本月活动 12 场",
        False,
    )
    assert event.by == PE_ADMIN.person_id


def test_after_the_28th_the_missing_and_the_late_colleges_are_listed(
    school: SecondClassroom,
) -> None:
    """Given PE on time and CS on the 29th, when the 校团委 asks on the 30th, then every college
    but PE is listed — CS with when it came — and nothing is listed on the 28th itself."""
    school.execute(report(), PE_ADMIN, at(12, 10))
    late = school.execute(report("CS"), CS_ADMIN, at(12, 29, 0, 1))
    assert late.events[0].payload.late
    assert school.overdue_reports(MONTH, SCHOOL_ADMIN, at(12, 28, 23, 59)) == []
    overdue = {r.college: r for r in school.overdue_reports(MONTH, SCHOOL_ADMIN, at(12, 30))}
    assert "PE" not in overdue
    assert overdue["CS"].submitted_at == at(12, 29, 0, 1)
    assert set(overdue) == {c.code for c in RULES.colleges} - {"PE"}
    assert all(r.submitted_at is None for code, r in overdue.items() if code != "CS")
    assert overdue["CS"].due == at(12, 29, 0)  # the end of the 28th


def test_a_school_without_a_due_day_lists_nothing(store_env: dict[str, str]) -> None:
    with SecondClassroom.open(store_env, NEPU, secret=TEST_SECRET) as school:
        assert school.overdue_reports(MONTH, SCHOOL_ADMIN, at(12, 30)) == []


@pytest.mark.parametrize(
    ("command", "actor", "when", "code"),
    [
        (report(), CS_ADMIN, at(12, 10), "auth.forbidden"),  # another college's admin
        (report("XX"), SCHOOL_ADMIN, at(12, 10), "report.college_unknown"),
        (report(month="2026-13"), PE_ADMIN, at(12, 10), "report.month_invalid"),
        (report(month="0000-01"), PE_ADMIN, at(12, 10), "report.month_invalid"),  # no year 0
        (report(month="2027-01"), PE_ADMIN, at(12, 10), "report.month_not_started"),
        (report(summary=""), PE_ADMIN, at(12, 10), "report.empty"),
    ],
)
def test_a_refused_submission_stores_nothing(
    school: SecondClassroom,
    command: SubmitMonthlyReport,
    actor: object,
    when: object,
    code: str,
) -> None:
    with pytest.raises(DomainError) as caught:
        school.execute(command, actor, when)  # type: ignore[arg-type]
    assert caught.value.code == code
    stream = ids.report_submission_id(command.college, command.month)
    assert school.history(stream, SCHOOL_ADMIN) == []


def test_a_month_is_submitted_once(school: SecondClassroom) -> None:
    school.execute(report(), PE_ADMIN, at(12, 10))
    with pytest.raises(DomainError) as caught:
        school.execute(report(), PE_ADMIN, at(12, 11))
    assert caught.value.code == "report.submitted"


def test_an_attachment_alone_is_a_report(school: SecondClassroom) -> None:
    """附件1 学院自报工作简报: the filled template's link is enough."""
    link = "https://files.example.edu.cn/pe-2026-12.xlsx"
    attached = report(summary="", attachment=link)
    (event,) = [e.payload for e in school.execute(attached, PE_ADMIN, at(12, 10)).events]
    assert isinstance(event, MonthlyReportSubmitted)
    assert (event.college, event.month, event.summary, event.attachment) == ("PE", MONTH, "", link)


@pytest.mark.parametrize("month", ["December", "0000-01", "2026-13"])
def test_a_bad_month_asked_is_refused(school: SecondClassroom, month: str) -> None:
    """Given a month that is not YYYY-MM of a calendar year (002 一 5) 每月28日上报), when the
    校团委 asks for its overdue reports or its 学院月报, then both refuse it as
    report.month_invalid (not an empty page, not a crash)."""
    with pytest.raises(DomainError) as caught:
        school.overdue_reports(month, SCHOOL_ADMIN, at(12, 30))
    assert caught.value.code == "report.month_invalid"
    with pytest.raises(DomainError) as caught:
        school.monthly_report(month, SCHOOL_ADMIN)
    assert caught.value.code == "report.month_invalid"
