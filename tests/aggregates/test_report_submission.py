"""学院月报上报 (002 一 5) 要求各学院每月28日上报学院相关数据(附件1)): a college's admin submits
the college's report for a month, once; after the end of the rulebook's due day it is marked
late. The due day is rulebook data (HFUT 28; NEPU's seed asks no monthly report)."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from second_classroom.aggregates import report_submission
from second_classroom.aggregates.report_submission import (
    DECIDER,
    MonthlyReportSubmitted,
    ReportSubmission,
    SubmitMonthlyReport,
    due_at,
    first_day,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.time import SHANGHAI
from tests.specification import CS_ADMIN, NEPU, PE_ADMIN, SCHOOL_ADMIN, at, context, given

RULES = attrs.evolve(NEPU, report_due_day=28)  # as HFUT's 一 5)
MONTH = "2026-12"
SID = ids.report_submission_id("PE", MONTH)
REPORT = SubmitMonthlyReport("PE", MONTH, "本月活动 12 场", "https://pan.example/附件1.xlsx")


def submitted(by: str = "T-pe", when: object = None, late: bool = False) -> MonthlyReportSubmitted:
    return MonthlyReportSubmitted(
        SID,
        "PE",
        MONTH,
        "本月活动 12 场",
        "https://pan.example/附件1.xlsx",
        by,
        when or at(12, 28, 23),  # type: ignore[arg-type]
        late,
    )


@pytest.mark.parametrize("actor", [PE_ADMIN, SCHOOL_ADMIN], ids=["own-college", "school"])
def test_the_college_or_the_school_submits_the_month_s_report_by_the_28th(actor: Actor) -> None:
    """002 一 5) 每月28日上报: given 石油工程学院, when its admin (or the 校团委) submits
    December's report on the 28th at 23:59:59, then it is stored with its text, attachment,
    submitter and time, not late; the stream is the college's month."""
    now = at(12, 28, 23, 59) + timedelta(seconds=59)
    state = (
        given(DECIDER)
        .when(REPORT, context(actor, now, RULES))
        .then(submitted(actor.person_id, now, late=False))
    )
    assert state == ReportSubmission(
        SID,
        "PE",
        MONTH,
        "本月活动 12 场",
        "https://pan.example/附件1.xlsx",
        actor.person_id,
        now,
        False,
    )
    assert report_submission.target(REPORT) == SID == REPORT.submission_id
    assert SID != ids.report_submission_id("PE", "2026-11") != ids.report_submission_id("CS", MONTH)


def test_a_report_from_the_29th_on_is_late() -> None:
    """After the end of the due day (the 29th 00:00 Shanghai) the report is stored, late."""
    now = at(12, 29, 0)
    given(DECIDER).when(REPORT, context(PE_ADMIN, now, RULES)).then(submitted("T-pe", now, True))


def test_a_school_without_a_due_day_has_no_late_report() -> None:
    now = at(1, 15, year=2027)
    given(DECIDER).when(REPORT, context(PE_ADMIN, now, NEPU)).then(submitted("T-pe", now, False))


def test_another_college_s_admin_cannot_submit() -> None:
    error = (
        given(DECIDER).when(REPORT, context(CS_ADMIN, at(12, 28), RULES)).raises("auth.forbidden")
    )
    assert error.details == {"action": "上报学院月报 submit the monthly report"}


def test_an_unknown_college_is_refused_whoever_asks() -> None:
    command = attrs.evolve(REPORT, college="NOPE")
    error = (
        given(DECIDER)
        .when(command, context(SCHOOL_ADMIN, at(12, 28), RULES))
        .raises("report.college_unknown")
    )
    assert error.details == {"college": "NOPE"}


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "202612", "0000-12", " 2026-12", "0001-01", "1969-12"]
)
def test_a_month_not_written_yyyy_mm_is_refused(month: str) -> None:
    command = attrs.evolve(REPORT, month=month)
    error = (
        given(DECIDER)
        .when(command, context(PE_ADMIN, at(12, 28), RULES))
        .raises("report.month_invalid")
    )
    assert error.details == {"month": month}


def test_a_month_is_reported_from_its_first_day_on() -> None:
    """December's report may come from 1 December 00:00 Shanghai on, not on 30 November."""
    first = at(12, 1, 0)
    given(DECIDER).when(REPORT, context(PE_ADMIN, first, RULES)).then(submitted("T-pe", first))
    before = first - timedelta(seconds=1)
    error = (
        given(DECIDER)
        .when(REPORT, context(PE_ADMIN, before, RULES))
        .raises("report.month_not_started")
    )
    assert error.details == {"month": MONTH}


def test_a_month_is_submitted_once() -> None:
    error = (
        given(DECIDER, submitted())
        .when(REPORT, context(SCHOOL_ADMIN, at(12, 30), RULES))
        .raises("report.submitted")
    )
    assert error.details == {"college": "PE", "month": MONTH}


@pytest.mark.parametrize(
    ("summary", "attachment"), [("本月活动 12 场", ""), ("", "附件1.xlsx"), ("  ", "附件1.xlsx")]
)
def test_the_text_or_the_attachment_alone_is_a_report(summary: str, attachment: str) -> None:
    command = attrs.evolve(REPORT, summary=summary, attachment=attachment)
    (event,) = given(DECIDER).when(command, context(PE_ADMIN, at(12, 2), RULES)).events()
    assert (event.summary, event.attachment) == (summary, attachment)


def test_a_report_with_neither_text_nor_attachment_is_refused() -> None:
    command = attrs.evolve(REPORT, summary=" ", attachment=" ")
    given(DECIDER).when(command, context(PE_ADMIN, at(12, 2), RULES)).raises("report.empty")


def test_a_month_s_first_day_and_due_instant() -> None:
    """The due instant is the end of the due day, Shanghai time: 28 December → 29th 00:00."""
    assert first_day("2026-12") == at(12, 1).date()
    # The years every command may name (core.text.YEAR_MIN, YEAR_MAX), both ends kept.
    assert first_day("1970-01") == date(1970, 1, 1)
    assert first_day("2199-12") == date(2199, 12, 1)
    bad = ("0000-01", "0001-01", "1969-12", "2200-01", "2026-13", "x", 202612)
    assert [first_day(m) for m in bad] == [None] * len(bad)  # type: ignore[arg-type]
    due = due_at(date(2026, 12, 1), 28)
    assert due == at(12, 29, 0)
    assert due.tzinfo is SHANGHAI
    assert due_at(date(2027, 2, 1), 1) == at(2, 2, 0, year=2027)
