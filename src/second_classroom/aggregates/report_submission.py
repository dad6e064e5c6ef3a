"""学院月报上报 (002 一 5) 要求各学院每月28日上报学院相关数据(附件1)): a college submits its
month's report to the 校团委; one stream per college and month.

The due day is rulebook data (``report_due_day``: HFUT 28); a report submitted after the end
of that day is stored and marked late, and ``overdue_reports`` lists the colleges that had
not submitted by then.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.text import YEAR_MAX, YEAR_MIN, Code, Detail, Proof
from second_classroom.core.time import SHANGHAI, local_date
from second_classroom.policies.context import Context

MONTH_INVALID = ErrorCode(
    "report.month_invalid",
    "月份须形如 2026-12，在 1970-01 至 2199-12 之间：{month}",
    "A month is written like 2026-12, from 1970-01 to 2199-12: {month}",
    Category.INVALID,
)
COLLEGE_UNKNOWN = ErrorCode(
    "report.college_unknown",
    "未知的学院：{college}",
    "Unknown college: {college}",
    Category.INVALID,
)
NOT_YET = ErrorCode(
    "report.month_not_started",
    "{month} 尚未开始，不能上报该月月报",
    "{month} has not started: its report cannot be submitted yet",
    Category.CLOSED,
)
SUBMITTED = ErrorCode(
    "report.submitted",
    "{college} 已上报 {month} 月报",
    "{college} already submitted its report for {month}",
    Category.CONFLICT,
)
EMPTY = ErrorCode(
    "report.empty",
    "请填写月报内容或附件（附件1 学院自报工作简报）",
    "A report needs its content or its attachment (附件1)",
    Category.INVALID,
)

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@attrs.frozen
class ReportSubmission:
    """A college's report for a month, when it came and whether after its due day."""

    id: UUID
    college: str
    month: str
    summary: str
    attachment: str
    by: str
    at: datetime
    late: bool


@attrs.frozen
class MonthlyReportSubmitted:
    submission_id: UUID
    college: str
    month: str
    summary: str
    attachment: str
    by: str
    at: datetime
    late: bool  # after the end of the rulebook's due day of that month


ReportEvent = MonthlyReportSubmitted
EVENTS: tuple[type, ...] = (MonthlyReportSubmitted,)


@attrs.frozen
class SubmitMonthlyReport:
    """A college's admin (学院基层团委) submits the college's report for ``month`` ("2026-12"):
    its text and/or a link to the filled 附件1 (学院自报工作简报)."""

    college: Code
    month: Code
    summary: Detail = ""
    attachment: Proof = ""

    @property
    def submission_id(self) -> UUID:
        return ids.report_submission_id(self.college, self.month)


ReportCommand = SubmitMonthlyReport
COMMANDS: tuple[type, ...] = (SubmitMonthlyReport,)


def target(command: ReportCommand) -> UUID:
    return command.submission_id


def first_day(month: str) -> date | None:
    """The month's first day, or None when ``month`` is not ``YYYY-MM`` of a year every
    command may name (core.text: 1970–2199; a report of 0001-01 would be stored as merely
    late)."""
    found = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if found is None or not YEAR_MIN <= int(found[1]) <= YEAR_MAX:
        return None
    return date(int(found[1]), int(found[2]), 1)


def require_month(month: str) -> date:
    """``first_day`` of ``month``; ``report.month_invalid`` when it is none."""
    return required(first_day(month), MONTH_INVALID, month=month)


def due_at(first: date, due_day: int) -> datetime:
    """The end of the due day of the month beginning ``first`` (``require_month``; the 28th:
    29th 00:00 Shanghai)."""
    return datetime.combine(first.replace(day=due_day) + timedelta(days=1), time(), SHANGHAI)


def decide(
    command: ReportCommand, state: ReportSubmission | None, ctx: Context
) -> Sequence[ReportEvent]:
    """Decide the submission; raise a DomainError when it is refused."""
    rulebook, actor = ctx.rulebook, ctx.actor
    require(rulebook.college(command.college) is not None, COLLEGE_UNKNOWN, college=command.college)
    allowed = actor.is_school_admin or actor.is_college_admin(command.college)
    require(allowed, UNAUTHORIZED, action="上报学院月报 submit the monthly report")
    first = require_month(command.month)
    require(local_date(ctx.now) >= first, NOT_YET, month=command.month)
    require(state is None, SUBMITTED, college=command.college, month=command.month)
    require(bool(command.summary.strip() or command.attachment.strip()), EMPTY)
    day = rulebook.report_due_day
    late = day is not None and ctx.now >= due_at(first, day)
    return (
        MonthlyReportSubmitted(
            command.submission_id,
            command.college,
            command.month,
            command.summary,
            command.attachment,
            actor.person_id,
            ctx.now,
            late,
        ),
    )


def evolve(state: ReportSubmission | None, event: ReportEvent) -> ReportSubmission:
    """Apply one event."""
    return ReportSubmission(
        event.submission_id,
        event.college,
        event.month,
        event.summary,
        event.attachment,
        event.by,
        event.at,
        event.late,
    )


@attrs.frozen
class OverdueReport:
    """A college that had not submitted its month's report by the due day: when it came, if
    it came late."""

    college: str
    name: str
    due: datetime
    submitted_at: datetime | None


DECIDER: FunctionalDecider[ReportCommand, ReportSubmission, ReportEvent, Context] = (
    FunctionalDecider("report-submission", decide, evolve, ReportSubmission, EVENTS)
)
