"""Activity (活动): draft, multi-level review (第十一条), approval, changes and cancellation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

import attrs

from second_classroom.aggregates import activity_attendance as attendance
from second_classroom.aggregates import activity_feedback as feedback
from second_classroom.aggregates import activity_results as results
from second_classroom.aggregates import activity_roster as roster
from second_classroom.aggregates.activity_attendance import Attendance, AttendanceEvent
from second_classroom.aggregates.activity_feedback import FeedbackEvent
from second_classroom.aggregates.activity_results import Results, ResultsEvent
from second_classroom.aggregates.activity_roster import Roster, RosterEvent
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require
from second_classroom.core.terms import AdmissionMethod, ReviewStage
from second_classroom.core.text import Code, Detail, LevelCode, Name, Reason
from second_classroom.core.time import aware_or_none, local_date
from second_classroom.policies import publishing
from second_classroom.policies.activity_form import ActivityForm, AwardPlan
from second_classroom.policies.context import Context
from second_classroom.policies.publishing import Host
from second_classroom.policies.rulebook import LeadTimeChange

NOT_FOUND = ErrorCode("activity.not_found", "活动不存在", "Activity not found", Category.NOT_FOUND)
EXISTS = ErrorCode(
    "activity.exists", "活动编号已被占用", "The activity id is already in use", Category.CONFLICT
)
NOT_DRAFT = ErrorCode(
    "activity.not_draft",
    "只有草稿状态的活动可以编辑或提交（当前：{status}）",
    "Only a draft can be edited or submitted (now: {status})",
    Category.CLOSED,
)
NOT_PENDING = ErrorCode(
    "activity.not_pending",
    "活动不在审核中（当前：{status}）",
    "The activity is not under review (now: {status})",
    Category.CLOSED,
)
NOT_APPROVED = ErrorCode(
    "activity.not_approved",
    "只有已通过审核的活动可以修改活动信息（当前：{status}）",
    "Only an approved activity's details can be changed (now: {status})",
    Category.CLOSED,
)
CANCELLED = ErrorCode(
    "activity.cancelled", "活动已取消", "The activity has been cancelled", Category.CLOSED
)
FROZEN = ErrorCode(
    "activity.frozen",
    "活动已完结并冻结，不能再进行任何操作（第十九条）",
    "The activity is finalized and frozen",
    Category.CLOSED,
)
ALREADY_STARTED = ErrorCode(
    "activity.already_started",
    "活动已开始，不能取消",
    "The activity has already started",
    Category.CLOSED,
)
ALREADY_ENDED = ErrorCode(
    "activity.already_ended",
    "活动已结束，不能修改",
    "The activity has already ended",
    Category.CLOSED,
)
TRIBE_UNKNOWN = ErrorCode(
    "activity.tribe_unknown", "主办部落不存在", "The host tribe does not exist", Category.NOT_FOUND
)
TRIBE_NOT_CERTIFIED = ErrorCode(
    "activity.tribe_not_certified",
    "仅认证部落有权限创建活动（发布规范 十六）",
    "Only certified tribes may publish activities",
    Category.FORBIDDEN,
)
NOT_QUALIFIED = ErrorCode(
    "activity.publisher_not_qualified",
    "首次发布活动需通过考试答题",
    "The publisher must pass the publishing exam first",
    Category.FORBIDDEN,
)
SECRET_MISSING = ErrorCode(
    "config.secret_missing",
    "未配置学校密钥，无法生成抽签承诺或签到码",
    "No school secret is configured: lotteries and check-in codes need one",
    Category.UNAVAILABLE,
)
REASON_REQUIRED = ErrorCode(
    "activity.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
NO_CHANGE = ErrorCode(
    "activity.change_empty",
    "请至少修改一项活动信息",
    "A change must modify at least one field",
    Category.INVALID,
)


class ActivityStatus(StrEnum):
    """Review status. ``label`` is what the app shows (第十一条)."""

    DRAFT = "draft"
    PENDING_TRIBE = "pending_tribe"
    PENDING_COLLEGE = "pending_college"
    PENDING_SCHOOL = "pending_school"
    APPROVED = "approved"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @classmethod
    def pending(cls, stage: ReviewStage) -> ActivityStatus:
        return _PENDING[stage]

    @property
    def stage(self) -> ReviewStage | None:
        return next((s for s, status in _PENDING.items() if status is self), None)


_PENDING = {
    ReviewStage.TRIBE: ActivityStatus.PENDING_TRIBE,
    ReviewStage.COLLEGE: ActivityStatus.PENDING_COLLEGE,
    ReviewStage.SCHOOL: ActivityStatus.PENDING_SCHOOL,
}
_STATUS_LABELS = {
    ActivityStatus.DRAFT: "草稿",
    ActivityStatus.PENDING_TRIBE: "待部落审核",
    ActivityStatus.PENDING_COLLEGE: "待院级审核",
    ActivityStatus.PENDING_SCHOOL: "待校级审核",
    ActivityStatus.APPROVED: "已通过",
    ActivityStatus.CANCELLED: "已取消",
}


class Phase(StrEnum):
    """The derived, time-dependent phase (第十二条): a function of state and ``now``."""

    UNPUBLISHED = "unpublished"
    PLANNING = "planning"
    REGISTERING = "registering"
    REGISTRATION_CLOSED = "registration_closed"
    ONGOING = "ongoing"
    ENDED = "ended"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    Phase.UNPUBLISHED: "未发布",
    Phase.PLANNING: "规划中",
    Phase.REGISTERING: "报名中",
    Phase.REGISTRATION_CLOSED: "报名结束",
    Phase.ONGOING: "进行中",
    Phase.ENDED: "已结束",
    Phase.CANCELLED: "已取消",
}


# -- state ----------------------------------------------------------------------------------


@attrs.frozen
class Activity:
    """An activity's current state."""

    id: UUID
    host_tribe_id: UUID
    form: ActivityForm
    status: ActivityStatus = ActivityStatus.DRAFT
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    last_rejection: str | None = None
    revision: int = 0
    roster: Roster = attrs.field(factory=Roster)
    attendance: Attendance = attrs.field(factory=Attendance)
    results: Results = attrs.field(factory=Results)
    feedback: int = 0  # highlights, ratings and evaluations received (kept in the log)

    @property
    def frozen(self) -> bool:
        """完结活动 (第十九条): after finalizing, nothing more happens to the activity."""
        return self.results.finalized

    @property
    def level(self) -> LevelCode | None:
        return self.form.level


def phase(activity: Activity, now: datetime) -> Phase:
    """规划中 / 报名中 / 报名结束 / 进行中 / 已结束 for an approved activity at ``now``."""
    if activity.status is ActivityStatus.CANCELLED:
        return Phase.CANCELLED
    if activity.status is not ActivityStatus.APPROVED:
        return Phase.UNPUBLISHED
    form = activity.form
    assert form.registration_opens is not None
    assert form.registration_closes is not None
    assert form.starts_at is not None
    assert form.ends_at is not None
    if now < form.registration_opens:
        return Phase.PLANNING
    if now < form.registration_closes:
        return Phase.REGISTERING
    if now < form.starts_at:
        return Phase.REGISTRATION_CLOSED
    if now < form.ends_at:
        return Phase.ONGOING
    return Phase.ENDED


# -- events ---------------------------------------------------------------------------------


@attrs.frozen
class ActivityDrafted:
    """A draft was started.

    Schema 2 stores ``form.locations`` as a list; schema 1 (the 到梦空间 export shape) held one
    comma-separated ``form.location`` string (发布规范 五: 多个地点用逗号隔开).
    """

    schema_version: ClassVar[int] = 2

    activity_id: UUID
    host_tribe_id: UUID
    form: ActivityForm
    by: str
    at: datetime


@attrs.frozen
class ActivityDraftEdited:
    activity_id: UUID
    form: ActivityForm
    by: str
    at: datetime


@attrs.frozen
class ActivitySubmitted:
    """Sent to the first review stage of its level's chain."""

    activity_id: UUID
    stage: ReviewStage
    by: str
    at: datetime


@attrs.frozen
class ActivityStageApproved:
    """One stage approved; ``next_stage`` None means the activity is now approved."""

    activity_id: UUID
    stage: ReviewStage
    next_stage: ReviewStage | None
    comment: str
    by: str
    at: datetime


@attrs.frozen
class ActivityRejected:
    """Rejected at ``stage``; the activity is a draft again, to revise and resubmit."""

    activity_id: UUID
    stage: ReviewStage
    reason: str
    by: str
    at: datetime


@attrs.frozen
class ActivityWithdrawn:
    activity_id: UUID
    stage: ReviewStage
    by: str
    at: datetime


@attrs.frozen
class ActivityDetailsChanged:
    """An approved activity's time, place or details changed (第十四条 群发通知 follows).

    ``before`` and ``after`` hold the changed fields only; ``review_stage`` is the stage the
    activity returns to when the rulebook reopens review on change, else None.
    """

    activity_id: UUID
    before: ActivityForm
    after: ActivityForm
    changed: tuple[str, ...]
    review_stage: ReviewStage | None
    by: str
    at: datetime
    notify: tuple[str, ...] = ()  # 群发通知: every student registered at the time


@attrs.frozen
class AwardPlanChanged:
    """The plan changed after approval; review starts again at ``review_stage``."""

    activity_id: UUID
    before: AwardPlan
    after: AwardPlan
    review_stage: ReviewStage
    by: str
    at: datetime


@attrs.frozen
class ActivityCancelled:
    activity_id: UUID
    reason: str
    by: str
    at: datetime
    notify: tuple[str, ...] = ()  # every student registered at the time


ActivityEvent = (
    FeedbackEvent
    | ResultsEvent
    | RosterEvent
    | AttendanceEvent
    | ActivityDrafted
    | ActivityDraftEdited
    | ActivitySubmitted
    | ActivityStageApproved
    | ActivityRejected
    | ActivityWithdrawn
    | ActivityDetailsChanged
    | AwardPlanChanged
    | ActivityCancelled
)
EVENTS: tuple[type, ...] = (
    ActivityDrafted,
    ActivityDraftEdited,
    ActivitySubmitted,
    ActivityStageApproved,
    ActivityRejected,
    ActivityWithdrawn,
    ActivityDetailsChanged,
    AwardPlanChanged,
    ActivityCancelled,
    *roster.EVENTS,
    *attendance.EVENTS,
    *results.EVENTS,
    *feedback.EVENTS,
)

# -- commands -------------------------------------------------------------------------------


@attrs.frozen
class DraftActivity:
    """Start a draft for ``host_tribe_id`` (第十条 活动由部落负责人或管理员进行发布).

    The activity's id is derived from the host and ``key``, a name unique within the host
    (``ids.activity_id``): a caller never picks a raw stream id, so a draft cannot land on a
    student record, enrolment, tribe or any other kind's stream.
    """

    host_tribe_id: UUID
    key: Code
    form: ActivityForm = attrs.field(factory=ActivityForm)

    @property
    def activity_id(self) -> UUID:
        return ids.activity_id(self.host_tribe_id, self.key)


@attrs.frozen
class EditDraft:
    """Replace the draft's form."""

    activity_id: UUID
    form: ActivityForm


@attrs.frozen
class SubmitActivity:
    """Send the draft to review; every 发布规范 check runs now."""

    activity_id: UUID


@attrs.frozen
class ApproveActivity:
    """Approve the current review stage, by that stage's reviewer."""

    activity_id: UUID
    comment: Reason = ""


@attrs.frozen
class RejectActivity:
    activity_id: UUID
    reason: Reason


@attrs.frozen
class WithdrawActivity:
    activity_id: UUID


@attrs.frozen
class ChangeActivityDetails:
    """Change an approved activity's registration window, time, place or details (第十四条).

    A field left None is unchanged.
    """

    activity_id: UUID
    registration_opens: datetime | None = attrs.field(default=None, validator=aware_or_none)
    registration_closes: datetime | None = attrs.field(default=None, validator=aware_or_none)
    starts_at: datetime | None = attrs.field(default=None, validator=aware_or_none)
    ends_at: datetime | None = attrs.field(default=None, validator=aware_or_none)
    locations: tuple[Name, ...] | None = None
    details: Detail | None = None


@attrs.frozen
class ChangeAwardPlan:
    """Change an approved activity's awards and credits; the plan was fixed at approval, so
    the activity goes back to review (发布规范 十三、十四)."""

    activity_id: UUID
    plan: AwardPlan


@attrs.frozen
class CancelActivity:
    activity_id: UUID
    reason: Reason


ActivityCommand = (
    DraftActivity
    | EditDraft
    | SubmitActivity
    | ApproveActivity
    | RejectActivity
    | WithdrawActivity
    | ChangeActivityDetails
    | ChangeAwardPlan
    | CancelActivity
)
COMMANDS: tuple[type, ...] = ActivityCommand.__args__

CHANGEABLE = (
    "registration_opens",
    "registration_closes",
    "starts_at",
    "ends_at",
    "locations",
    "details",
)


def target(command: ActivityCommand) -> UUID:
    return command.activity_id


@attrs.frozen
class ActivityContext:
    """The context plus the facts an activity decision reads: host tribe, actor's record."""

    base: Context
    tribe: Tribe | None
    actor_record: StudentRecord | None = None
    lottery_commitment: str | None = None


# -- authorization --------------------------------------------------------------------------


def _is_publisher(actor: Actor, tribe: Tribe) -> bool:
    """部落负责人或管理员 (第十条)."""
    return actor.holds_tribe_role(tribe.id, RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN)


def _may_review(actor: Actor, tribe: Tribe, stage: ReviewStage) -> bool:
    """Tribe stage: its leader or admin; college stage: that college's admin; school: 校团委."""
    match stage:
        case ReviewStage.TRIBE:
            return _is_publisher(actor, tribe)
        case ReviewStage.COLLEGE:
            return tribe.college is not None and actor.is_college_admin(tribe.college)
        case ReviewStage.SCHOOL:
            return actor.is_school_admin
    return False


def _require_reviewer(actor: Actor, tribe: Tribe, stage: ReviewStage) -> None:
    require(_may_review(actor, tribe, stage), UNAUTHORIZED, action=f"审核 review ({stage.label})")


def host(tribe: Tribe, ctx: Context) -> Host:
    college = ctx.rulebook.college(tribe.college) if tribe.college else None
    return Host(tribe.name, tribe.level, college.name if college else None, tribe.college)


# -- decide ---------------------------------------------------------------------------------


def decide(
    command: ActivityCommand, state: Activity | None, ctx: ActivityContext
) -> Sequence[ActivityEvent]:
    """Decide the events for ``command``; raise a DomainError when it is refused."""
    if not isinstance(command, DraftActivity):
        require(state is not None, NOT_FOUND, activity_id=str(command.activity_id))
    tribe = ctx.tribe
    require(tribe is not None, TRIBE_UNKNOWN)
    assert tribe is not None
    if isinstance(command, DraftActivity):
        return _draft(command, state, tribe, ctx)
    assert state is not None
    require(not state.frozen, FROZEN)
    require(state.status is not ActivityStatus.CANCELLED, CANCELLED)
    base = ctx.base
    actor, by, now = base.actor, base.actor.person_id, base.now
    match command:
        case EditDraft(form=form):
            require(_is_publisher(actor, tribe), UNAUTHORIZED, action="编辑活动 edit activity")
            _require_draft(state)
            _require_content_valid(form, tribe, base)
            return [] if form == state.form else [ActivityDraftEdited(state.id, form, by, now)]
        case SubmitActivity():
            return _submit(state, tribe, ctx)
        case ApproveActivity(comment=comment):
            stage = _pending_stage(state)
            _require_reviewer(actor, tribe, stage)
            next_stage = _next_stage(state, stage, base)
            approved = ActivityStageApproved(state.id, stage, next_stage, comment, by, now)
            if next_stage is None and state.form.admission.method is AdmissionMethod.LOTTERY:
                # 中签制: the draw's commitment is public from the moment the activity is.
                require(ctx.lottery_commitment is not None, SECRET_MISSING)
                assert ctx.lottery_commitment is not None
                return [approved, roster.LotteryCommitted(state.id, ctx.lottery_commitment, now)]
            return [approved]
        case RejectActivity(reason=reason):
            stage = _pending_stage(state)
            _require_reviewer(actor, tribe, stage)
            require(bool(reason.strip()), REASON_REQUIRED)
            return [ActivityRejected(state.id, stage, reason, by, now)]
        case WithdrawActivity():
            stage = _pending_stage(state)
            require(
                by == state.submitted_by or _is_publisher(actor, tribe),
                UNAUTHORIZED,
                action="撤回活动 withdraw activity",
            )
            return [ActivityWithdrawn(state.id, stage, by, now)]
        case ChangeActivityDetails():
            return _change(command, state, tribe, base)
        case ChangeAwardPlan(plan=plan):
            require(_is_publisher(actor, tribe), UNAUTHORIZED, action="修改奖项学分 change plan")
            require(
                state.status is ActivityStatus.APPROVED, NOT_APPROVED, status=state.status.label
            )
            ends = state.form.ends_at
            require(ends is None or now < ends, ALREADY_ENDED)
            if plan == state.form.plan:
                return []
            _require_content_valid(attrs.evolve(state.form, plan=plan), tribe, base)
            assert state.form.level is not None
            first = base.rulebook.chain(state.form.level)[0]
            return [AwardPlanChanged(state.id, state.form.plan, plan, first, by, now)]
        case CancelActivity(reason=reason):
            require(
                _is_publisher(actor, tribe) or actor.is_school_admin,
                UNAUTHORIZED,
                action="取消活动 cancel activity",
            )
            require(bool(reason.strip()), REASON_REQUIRED)
            starts = state.form.starts_at
            require(starts is None or now < starts, ALREADY_STARTED)
            return [ActivityCancelled(state.id, reason, by, now, _registered(state))]
    raise AssertionError(f"unhandled command {command!r}")


def _draft(
    command: DraftActivity, state: Activity | None, tribe: Tribe, ctx: ActivityContext
) -> Sequence[ActivityEvent]:
    base = ctx.base
    require(_is_publisher(base.actor, tribe), UNAUTHORIZED, action="发布活动 publish activity")
    require(tribe.certified, TRIBE_NOT_CERTIFIED)
    if state is not None:
        same = state.host_tribe_id == command.host_tribe_id and state.form == command.form
        require(same, EXISTS)
        return []
    _require_content_valid(command.form, tribe, base)
    return [
        ActivityDrafted(
            command.activity_id, command.host_tribe_id, command.form, base.actor.person_id, base.now
        )
    ]


def _require_draft(state: Activity) -> None:
    require(state.status is ActivityStatus.DRAFT, NOT_DRAFT, status=state.status.label)


def _require_content_valid(form: ActivityForm, tribe: Tribe, ctx: Context) -> None:
    """Nothing filled in may be wrong, though values may still be missing (a draft, a change)."""
    wrong = [
        v
        for v in publishing.check_form(ctx.rulebook, form, host(tribe, ctx), None)
        if not v.missing
    ]
    if wrong:
        raise _with_all(wrong)


def _with_all(violations: list[publishing.Violation]) -> Exception:
    """The first violation, listing every violation's code and field in its details."""
    error = violations[0].error()
    error.details["violations"] = [{"code": v.code.code, "field": v.field} for v in violations]
    return error


def _submit(state: Activity, tribe: Tribe, ctx: ActivityContext) -> Sequence[ActivityEvent]:
    base = ctx.base
    actor = base.actor
    require(_is_publisher(actor, tribe), UNAUTHORIZED, action="提交活动 submit activity")
    _require_draft(state)
    require(tribe.certified, TRIBE_NOT_CERTIFIED)
    record = ctx.actor_record
    if base.rulebook.require_publisher_exam:  # 000 第十条; the other seeds name no exam
        qualified = record is not None and record.is_publisher_qualified
        # A staff member (no student role: a 职能部门 or 校团委 tribe's leader) has no student
        # record to hold the exam; the rulebook says whether they publish without it
        # (发布规范 十六).
        staff = not actor.has(Role.student())
        exempt = staff and base.rulebook.publisher_exam_exempts_staff
        require(qualified or exempt, NOT_QUALIFIED)
    violations = publishing.check_form(base.rulebook, state.form, host(tribe, base), base.now)
    if violations:
        raise _with_all(violations)
    assert state.form.level is not None
    first = base.rulebook.chain(state.form.level)[0]
    return [ActivitySubmitted(state.id, first, actor.person_id, base.now)]


def _pending_stage(state: Activity) -> ReviewStage:
    stage = state.status.stage
    require(stage is not None, NOT_PENDING, status=state.status.label)
    assert stage is not None
    return stage


def _next_stage(state: Activity, stage: ReviewStage, ctx: Context) -> ReviewStage | None:
    assert state.form.level is not None
    chain = ctx.rulebook.chain(state.form.level)
    position = chain.index(stage)
    return chain[position + 1] if position + 1 < len(chain) else None


def _change(
    command: ChangeActivityDetails, state: Activity, tribe: Tribe, ctx: Context
) -> Sequence[ActivityEvent]:
    require(_is_publisher(ctx.actor, tribe), UNAUTHORIZED, action="修改活动 change activity")
    require(state.status is ActivityStatus.APPROVED, NOT_APPROVED, status=state.status.label)
    ends = state.form.ends_at
    require(ends is None or ctx.now < ends, ALREADY_ENDED)
    updates = {
        name: getattr(command, name)
        for name in CHANGEABLE
        if getattr(command, name) is not None
        and getattr(command, name) != getattr(state.form, name)
    }
    require(bool(updates), NO_CHANGE)
    after = attrs.evolve(state.form, **updates)
    _require_content_valid(after, tribe, ctx)
    before = ActivityForm(**{name: getattr(state.form, name) for name in updates})
    changed_only = ActivityForm(**updates)
    reopen = ctx.rulebook.reopen_review_on_change or _breaks_lead_time(state.form, after, ctx)
    assert state.form.level is not None
    return [
        ActivityDetailsChanged(
            state.id,
            before,
            changed_only,
            tuple(updates),
            ctx.rulebook.chain(state.form.level)[0] if reopen else None,
            ctx.actor.person_id,
            ctx.now,
            _registered(state),
        )
    ]


def _breaks_lead_time(before: ActivityForm, after: ActivityForm, ctx: Context) -> bool:
    """第十一条 活动需至少提前三个工作日进行申请: a change that moves the start earlier, to a date
    the lead time counted from the change does not reach, is a new request for that date. Per
    the rulebook it is refused (``activity.lead_time``) or sent back to review (True)."""
    old, new = before.starts_at, after.starts_at
    if old is None or new is None or new >= old:
        return False
    rulebook = ctx.rulebook
    earliest = publishing.earliest_start(rulebook, ctx.now)
    if local_date(new) >= earliest:
        return False
    refuse = rulebook.lead_time_change is LeadTimeChange.REFUSE
    days = rulebook.lead_working_days
    require(not refuse, publishing.LEAD_TIME, days=days, earliest=earliest.isoformat())
    return True


def _registered(state: Activity) -> tuple[str, ...]:
    """Who a group notice goes to, in a stable order: every live registration — admitted,
    awaiting the draw or review, or waitlisted — since all of them plan around the activity
    (第十四条 names 报名成功的学生; waiting students are told too)."""
    return tuple(sorted(state.roster.registrants))


# -- evolve ---------------------------------------------------------------------------------


def evolve(state: Activity | None, event: ActivityEvent) -> Activity:
    """Apply one event."""
    if isinstance(event, ActivityDrafted):
        return Activity(event.activity_id, event.host_tribe_id, event.form)
    assert state is not None, "an activity event before ActivityDrafted"
    if isinstance(event, roster.EVENTS):
        return attrs.evolve(state, roster=roster.evolve_roster(state.roster, event))  # type: ignore[arg-type]
    if isinstance(event, feedback.EVENTS):
        return attrs.evolve(state, feedback=state.feedback + 1)
    if isinstance(event, results.EVENTS):
        return attrs.evolve(state, results=results.evolve_results(state.results, event))  # type: ignore[arg-type]
    if isinstance(event, attendance.EVENTS):
        ledger = attendance.evolve_attendance(state.attendance, event)  # type: ignore[arg-type]
        return attrs.evolve(state, attendance=ledger)
    match event:
        case ActivityDraftEdited(form=form):
            return attrs.evolve(state, form=form)
        case ActivitySubmitted(stage=stage, by=by, at=at):
            return attrs.evolve(
                state, status=ActivityStatus.pending(stage), submitted_by=by, submitted_at=at
            )
        case ActivityStageApproved(next_stage=None, at=at):
            return attrs.evolve(state, status=ActivityStatus.APPROVED, approved_at=at)
        case ActivityStageApproved(next_stage=ReviewStage() as stage):
            return attrs.evolve(state, status=ActivityStatus.pending(stage))
        case ActivityRejected(reason=reason):
            return attrs.evolve(state, status=ActivityStatus.DRAFT, last_rejection=reason)
        case ActivityWithdrawn():
            return attrs.evolve(state, status=ActivityStatus.DRAFT)
        case ActivityDetailsChanged(after=after, changed=changed, review_stage=stage):
            form = attrs.evolve(state.form, **{name: getattr(after, name) for name in changed})
            status = state.status if stage is None else ActivityStatus.pending(stage)
            return attrs.evolve(state, form=form, status=status, revision=state.revision + 1)
        case AwardPlanChanged(after=plan, review_stage=stage):
            form = attrs.evolve(state.form, plan=plan)
            return attrs.evolve(state, form=form, status=ActivityStatus.pending(stage))
        case ActivityCancelled():
            return attrs.evolve(state, status=ActivityStatus.CANCELLED)
    raise AssertionError(f"unhandled event {event!r}")


DECIDER: FunctionalDecider[ActivityCommand, Activity, ActivityEvent, ActivityContext] = (
    FunctionalDecider("activity", decide, evolve, Activity, EVENTS)
)
