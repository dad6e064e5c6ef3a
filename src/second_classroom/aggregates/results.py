"""颁发奖项 / 发放学分 (第十八条) and 完结活动 (第十九条), decided on the activity; finalizing
also writes an activity record into every participant's student record, in the same save."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs

from second_classroom.aggregates import activity_results as ledger
from second_classroom.aggregates.activity import Activity, ActivityStatus, is_activity_manager
from second_classroom.aggregates.activity_attendance import SessionKind
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision, Involved, published
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.student import ActivityRecorded, StudentEvent
from second_classroom.core.actor import RoleKind
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.core.text import Name, PersonId, Reason
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.calendar import window_end
from second_classroom.policies.rulebook import Rulebook

NOT_ENDED = ErrorCode(
    "results.not_ended",
    "活动结束后才能颁发奖项、发放学分（第十八条）",
    "Awards and credits come after the activity ends",
    Category.CLOSED,
)
AWARD_UNKNOWN = ErrorCode(
    "results.award_unknown",
    "活动未设置奖项「{award}」",
    "The activity offers no award named {award}",
    Category.INVALID,
)
OVER_QUOTA = ErrorCode(
    "results.award_over_quota",
    "「{award}」最多 {quota} 人(组)，已颁发 {issued}，本次 {adding}",
    "{award} has {quota} places: {issued} issued, {adding} more asked",
    Category.CONFLICT,
)
ALREADY_AWARDED = ErrorCode(
    "results.already_awarded",
    "{student} 已获得本活动奖项「{award}」",
    "{student} already holds {award} in this activity",
    Category.CONFLICT,
)
NOT_PARTICIPANT = ErrorCode(
    "results.not_participant",
    "{student} 未被录取参加本活动",
    "{student} was not admitted",
    Category.FORBIDDEN,
)
NOT_ATTENDED = ErrorCode(
    "results.not_attended",
    "{student} 未签到或补签，不能发放学分",
    "{student} neither checked in nor was made up: no credits",
    Category.FORBIDDEN,
)
UNDER_REVIEW = ErrorCode(
    "results.checkin_under_review",
    "{student} 的签到存在异常待审核，审核后才能发放学分",
    "{student}'s check-in is flagged for review; credits wait for it",
    Category.CONFLICT,
)
NO_CREDITS = ErrorCode(
    "results.no_credits", "活动未设置学分", "The activity plans no credits", Category.INVALID
)
NOT_GRANTED = ErrorCode(
    "results.not_granted",
    "{student} 没有已发放的学分",
    "{student} holds no credits here",
    Category.NOT_FOUND,
)
REASON_REQUIRED = ErrorCode(
    "results.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
ATTENDANCE_OPEN = ErrorCode(
    "results.attendance_open",
    "签到尚未结算，不能完结活动",
    "Attendance is not closed yet, so the activity cannot be finalized",
    Category.CLOSED,
)
NOBODY = ErrorCode("results.nobody", "请选择成员", "Choose at least one member", Category.INVALID)
SELF_DEALING = ErrorCode(
    "results.self_dealing",
    "不能给自己颁发奖项或发放学分，须由其他负责人或组织者办理",
    "Nobody awards or grants credits to themselves: another manager must",
    Category.FORBIDDEN,
)


@attrs.frozen
class IssueAward:
    """颁发奖项 to chosen members, one or many. Irreversible."""

    activity_id: UUID
    award: Name
    students: tuple[PersonId, ...]


@attrs.frozen
class GrantCredits:
    """发放学分: the planned credits, to chosen members."""

    activity_id: UUID
    students: tuple[PersonId, ...]


@attrs.frozen
class RevokeCredits:
    """学分发放错误可以撤回, until the activity is finalized."""

    activity_id: UUID
    students: tuple[PersonId, ...]
    reason: Reason


@attrs.frozen
class FinalizeActivity:
    """完结活动: write every participant's record and freeze the activity."""

    activity_id: UUID


ResultsCommand = IssueAward | GrantCredits | RevokeCredits | FinalizeActivity
COMMANDS: tuple[type, ...] = ResultsCommand.__args__


def students_involved(command: ResultsCommand, activity: Activity | None) -> set[str]:
    """Whose records a decision may write: every participant's, at finalizing."""
    if isinstance(command, FinalizeActivity) and activity is not None:
        return set(activity.roster.admitted)
    return set()


def involved(command: ResultsCommand, activity: Activity | None) -> Involved:
    """The records a decision may write."""
    return Involved(records=frozenset(students_involved(command, activity)))


def results_deadline(activity: Activity, rulebook: Rulebook) -> datetime | None:
    """When results are due, end of that day: N working days after the end, N the activity
    category's (002 一 2) 竞赛类、志愿服务…10个工作日内), else the rulebook's."""
    days = rulebook.results_working_days(activity.form.module, activity.form.category)
    ends = activity.form.ends_at
    if days is None or ends is None:
        return None
    return window_end(rulebook, ends, days) - timedelta(seconds=1)


def results_overdue(activity: Activity, rulebook: Rulebook, now: datetime) -> bool:
    """Past the deadline and still not finalized."""
    deadline = results_deadline(activity, rulebook)
    approved = activity.status is ActivityStatus.APPROVED
    return deadline is not None and now > deadline and approved and not activity.frozen


def decide(command: ResultsCommand, ctx: ActivityFacts) -> Decision:
    """Decide the events; raise a DomainError when the command is refused."""
    activity = published(ctx, command.activity_id)
    base = ctx.base
    ends = activity.form.ends_at
    assert ends is not None
    require(base.now >= ends, NOT_ENDED)
    match command:
        case IssueAward(award=award, students=students):
            _require_manager(ctx, activity)
            _require_second_person(ctx, students)
            return _award(activity, award, students, ctx)
        case GrantCredits(students=students):
            _require_manager(ctx, activity)
            _require_second_person(ctx, students)
            return _grant(activity, students, ctx)
        case RevokeCredits(students=students, reason=reason):
            _require_manager(ctx, activity)
            require(bool(reason.strip()), REASON_REQUIRED)
            require(bool(students), NOBODY)
            for student in students:
                require(student in activity.results.credits, NOT_GRANTED, student=student)
            event = ledger.CreditsRevoked(
                activity.id, tuple(dict.fromkeys(students)), reason, base.actor.person_id, base.now
            )
            return Decision(activity=(event,))
        case FinalizeActivity():
            return _finalize(activity, ctx)
    raise AssertionError(f"unhandled command {command!r}")


def _require_manager(ctx: ActivityFacts, activity: Activity) -> None:
    """第十八条: the 活动负责人 (the host tribe's leaders and admins); the organizers too only
    when the rulebook delegates results to them."""
    base = ctx.base
    if base.rulebook.results.organizers_issue_results:
        allowed = is_activity_manager(base.actor, activity, ctx.tribe)
    else:
        allowed = _leads(ctx)
    require(allowed, UNAUTHORIZED, action="颁发奖项/发放学分 issue results")


def _leads(ctx: ActivityFacts) -> bool:
    """The host tribe's leader or admin: the 活动负责人 of 第十八、十九条."""
    tribe = ctx.tribe
    return tribe is not None and ctx.base.actor.holds_tribe_role(
        tribe.id, RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN
    )


def _require_second_person(ctx: ActivityFacts, students: tuple[str, ...]) -> None:
    """A manager's own award or credits come from someone else (ours; cf. 第二十四条)."""
    me = ctx.base.actor.person_id
    allowed = ctx.base.rulebook.results.allow_self_results
    require(allowed or me not in students, SELF_DEALING, student=me)


def _award(
    activity: Activity, award: str, students: tuple[str, ...], ctx: ActivityFacts
) -> Decision:
    planned = required(
        next((a for a in activity.form.plan.awards if a.name == award), None),
        AWARD_UNKNOWN,
        award=award,
    )
    chosen = tuple(dict.fromkeys(students))
    require(bool(chosen), NOBODY)
    results = activity.results
    for student in chosen:
        require(student in activity.roster.admitted, NOT_PARTICIPANT, student=student)
        held = results.awards_of(student)
        if ctx.base.rulebook.results.multiple_awards_per_student:
            held = tuple(name for name in held if name == award)  # each award once per student
        require(not held, ALREADY_AWARDED, student=student, award="、".join(held))
    issued = len(results.holders(award))
    require(
        issued + len(chosen) <= planned.quota,
        OVER_QUOTA,
        award=award,
        quota=planned.quota,
        issued=issued,
        adding=len(chosen),
    )
    base = ctx.base
    issued_to = ledger.AwardIssued(activity.id, award, chosen, base.actor.person_id, base.now)
    return Decision(activity=(issued_to,))


def attended(activity: Activity, student: str) -> bool:
    """Checked in (a flagged scan only after review) or made up (第十八条 by default)."""
    book = activity.attendance
    outcome = book.outcome(student)
    if outcome is not None:  # once attendance is closed, its verdict decides
        return outcome is AttendanceOutcome.ATTENDED
    if book.signed_off_at(student) is not None:
        return False
    return student in book.made_up or book.checked(student, SessionKind.CHECK_IN)


def _grant(activity: Activity, students: tuple[str, ...], ctx: ActivityFacts) -> Decision:
    plan = activity.form.plan.credits
    require(bool(plan), NO_CREDITS)
    chosen = tuple(s for s in dict.fromkeys(students) if s not in activity.results.credits)
    require(bool(students), NOBODY)
    book = activity.attendance
    for student in chosen:
        require(student in activity.roster.admitted, NOT_PARTICIPANT, student=student)
        flagged = any(s == student for _n, s in book.flagged)
        require(not flagged, UNDER_REVIEW, student=student)
        if ctx.base.rulebook.results.credits_require_attendance:
            require(attended(activity, student), NOT_ATTENDED, student=student)
    if not chosen:
        return Decision()  # granting again changes nothing
    base = ctx.base
    event = ledger.CreditsGranted(activity.id, chosen, plan, base.actor.person_id, base.now)
    return Decision(activity=(event,))


def _finalize(activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    require(_leads(ctx), UNAUTHORIZED, action="完结活动 finalize")
    require(activity.attendance.closed, ATTENDANCE_OPEN)
    participants = tuple(sorted(activity.roster.admitted))
    records: dict[str, tuple[StudentEvent, ...]] = {}
    for student in participants:
        record = ctx.records.get(student)
        if record is not None:
            entry = record_of(activity, student, base.rulebook, base.now)
            records[student] = (ActivityRecorded(record.id, entry, base.now),)
    event = ledger.ActivityFinalized(activity.id, participants, base.actor.person_id, base.now)
    return Decision(activity=(event,), records=records)


def record_of(
    activity: Activity, student: str, rulebook: Rulebook, now: datetime
) -> ActivityRecord:
    """The student's activity record: attendance, awards, credits (with award credit), hours."""
    form = activity.form
    assert form.level is not None
    assert form.starts_at is not None
    assert form.ends_at is not None
    awards = activity.results.awards_of(student)
    credits: list[PlannedCredit] = []
    if student in activity.results.credits:
        credits.extend(form.plan.credits)
    credit_type = (
        form.plan.credits[0].credit_type if form.plan.credits else rulebook.credit_types[0]
    )
    for award in form.plan.awards:
        if award.name in awards and award.credit > 0:
            credits.append(PlannedCredit(form.module, credit_type, award.credit))
    # 002 一 4): a multi-day activity counts its days × hours per day, not its clock span.
    hours = rulebook.hours.of(form.starts_at, form.ends_at)
    return ActivityRecord(
        activity.id,
        form.title,
        form.module,
        form.level,
        form.starts_at,
        form.ends_at,
        hours,
        activity.attendance.outcome(student),
        awards,
        tuple(credits),
        now,
    )
