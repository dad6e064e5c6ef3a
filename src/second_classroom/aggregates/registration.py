"""Registration (报名) and what follows it — 第十二、十三条, 发布规范 八、九: registering,
cancelling, the lottery draw, review admission and leave requests. Each decides events for the
Activity's seat ledger and for the students' Enrolment streams together.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.aggregates import activity_roster as ledger
from second_classroom.aggregates.activity import (
    SECRET_MISSING,
    Activity,
    Phase,
    is_activity_manager,
    phase,
)
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision, Involved, published
from second_classroom.aggregates.activity_roster import RegistrationOutcome as Registration
from second_classroom.aggregates.enrolment import (
    EnrolmentAdmitted,
    EnrolmentCancelled,
    EnrolmentEvent,
    EnrolmentNotAdmitted,
    EnrolmentNotSelected,
    EnrolmentPromoted,
    EnrolmentRegistered,
    EnrolmentStatus,
    LeaveDecided,
    LeaveRequested,
    LeaveStatus,
    enrolment_id,
)
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core.actor import Actor, Role
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import AdmissionMethod, ParticipationScope
from second_classroom.core.text import PersonId, Proof, Reason
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import lottery
from second_classroom.policies.registration_questions import Answer, check_answers

NOT_REGISTERING = ErrorCode(
    "enrolment.not_registering",
    "当前不在报名时间内（活动{phase}）",
    "Registration is not open (the activity is {phase})",
    Category.CLOSED,
)
NOT_A_STUDENT = ErrorCode(
    "enrolment.not_a_student",
    "仅注册学生可以报名",
    "Only registered students may register",
    Category.FORBIDDEN,
)
OUT_OF_SCOPE = ErrorCode(
    "enrolment.out_of_scope",
    "不在活动参与范围内（{scope}）",
    "Outside the activity's participation scope ({scope})",
    Category.FORBIDDEN,
)
BLACKLISTED = ErrorCode(
    "enrolment.blacklisted",
    "处于黑名单中，{until} 前不能报名活动（第十六条）",
    "Blacklisted until {until}: registration refused",
    Category.FORBIDDEN,
)
ALREADY_REGISTERED = ErrorCode(
    "enrolment.already_registered",
    "已报名该活动",
    "Already registered for this activity",
    Category.CONFLICT,
)
FULL = ErrorCode(
    "activity.capacity_full",
    "活动名额已满（{capacity} 人）",
    "The activity is full ({capacity} places)",
    Category.CONFLICT,
)
NOT_REGISTERED = ErrorCode(
    "enrolment.not_registered",
    "{student} 未报名该活动",
    "{student} has not registered",
    Category.NOT_FOUND,
)
CANCEL_CLOSED = ErrorCode(
    "enrolment.cancel_closed",
    "报名已结束，不能取消报名；如临时有事请提交请假申请（第十二条）",
    "Registration has ended, so it cannot be cancelled; submit a leave request instead",
    Category.CLOSED,
)
WRONG_METHOD = ErrorCode(
    "enrolment.wrong_method",
    "该活动的录取方式为{method}",
    "This activity admits by {method}",
    Category.INVALID,
)
REGISTRATION_OPEN = ErrorCode(
    "enrolment.registration_open",
    "报名结束后才能{action_zh}",
    "Only after registration ends can one {action_en}",
    Category.CLOSED,
)
ALREADY_DRAWN = ErrorCode(
    "activity.already_drawn", "已抽签", "The lottery has already been drawn", Category.CLOSED
)
SEED_MISMATCH = ErrorCode(
    "activity.seed_mismatch",
    "抽签种子与公布的承诺不符",
    "The seed does not match the published commitment",
    Category.CONFLICT,
)
OVER_CAPACITY = ErrorCode(
    "activity.admission_over_capacity",
    "录取后将超出名额：已录取 {admitted}，本次 {adding}，名额 {capacity}",
    "Admitting would exceed capacity: {admitted} admitted + {adding} > {capacity}",
    Category.CONFLICT,
)
NOT_PENDING = ErrorCode(
    "enrolment.not_pending",
    "{student} 不在待录取名单中",
    "{student} is not awaiting admission",
    Category.CONFLICT,
)
REVIEW_CLOSED = ErrorCode(
    "activity.review_closed", "评审录取已结束", "The review admission is closed", Category.CLOSED
)
NOT_ADMITTED = ErrorCode(
    "enrolment.not_admitted",
    "只有已录取的学生可以请假",
    "Only an admitted student can request leave",
    Category.FORBIDDEN,
)
LEAVE_WINDOW = ErrorCode(
    "enrolment.leave_window",
    "请假须在报名结束后、活动结束前提交",
    "Leave is requested after registration ends and before the activity ends",
    Category.CLOSED,
)
LEAVE_PENDING = ErrorCode(
    "enrolment.leave_exists",
    "已有请假申请（{status}）",
    "A leave request exists ({status})",
    Category.CONFLICT,
)
NO_LEAVE = ErrorCode(
    "enrolment.no_leave",
    "没有待审核的请假申请",
    "No leave request awaits a decision",
    Category.NOT_FOUND,
)
REASON_REQUIRED = ErrorCode(
    "enrolment.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
SELF_DEALING = ErrorCode(
    "enrolment.self_dealing",
    "不能录取自己或审批自己的请假，须由其他负责人或组织者办理",
    "Nobody admits themselves or decides their own leave: another manager must",
    Category.FORBIDDEN,
)


# -- commands -------------------------------------------------------------------------------


@attrs.frozen
class Register:
    """The acting student registers (报名), answering the form's questions (002 二 6)."""

    activity_id: UUID
    answers: tuple[Answer, ...] = ()


@attrs.frozen
class CancelRegistration:
    """The acting student cancels, before registration ends; any number of times (第十二条)."""

    activity_id: UUID


@attrs.frozen
class DrawLottery:
    """中签制 draw after registration closes, by an organizer or the reaction; exactly once."""

    activity_id: UUID


@attrs.frozen
class AdmitRegistrants:
    """评审制: admit chosen registrants, one or many (第十三条). Irreversible."""

    activity_id: UUID
    students: tuple[PersonId, ...]


@attrs.frozen
class CloseReview:
    """评审制: finish admitting; everyone else is not admitted."""

    activity_id: UUID


@attrs.frozen
class RequestLeave:
    """申请请假: the acting admitted student, with a reason and proof references."""

    activity_id: UUID
    reason: Reason
    proofs: tuple[Proof, ...] = ()


@attrs.frozen
class DecideLeave:
    """The leader or an organizer approves or rejects a leave request."""

    activity_id: UUID
    student: PersonId
    approve: bool
    reason: Reason = ""


EnrolmentCommand = (
    Register
    | CancelRegistration
    | DrawLottery
    | AdmitRegistrants
    | CloseReview
    | RequestLeave
    | DecideLeave
)
COMMANDS: tuple[type, ...] = EnrolmentCommand.__args__


def students_involved(
    command: EnrolmentCommand, activity: Activity | None, actor: Actor
) -> set[str]:
    """Whose enrolments a decision needs (the acting student's record is read as well)."""
    match command:
        case Register() | CancelRegistration() | RequestLeave():
            involved = {actor.person_id}
            if isinstance(command, CancelRegistration) and activity and activity.roster.waitlist:
                involved.add(activity.roster.waitlist[0])
            return involved
        case DrawLottery() | CloseReview():
            return set(activity.roster.pending) if activity else set()
        case AdmitRegistrants(students=students):
            return set(students)
        case DecideLeave(student=student):
            return {student}
    raise AssertionError(f"unhandled command {command!r}")


# -- decide ---------------------------------------------------------------------------------


def involved(command: EnrolmentCommand, activity: Activity | None, actor: Actor) -> Involved:
    """The enrolments a decision may write, the acting student's record it reads, and (for the
    draw) the secret the seed is derived from."""
    return Involved(
        enrolments=frozenset(students_involved(command, activity, actor)),
        actor_record=True,
        secret=isinstance(command, DrawLottery),
    )


def decide(command: EnrolmentCommand, ctx: ActivityFacts) -> Decision:
    """Decide the events; raise a DomainError when the command is refused."""
    activity = published(ctx, command.activity_id)
    match command:
        case Register(answers=answers):
            return _register(activity, answers, ctx)
        case CancelRegistration():
            return _cancel(activity, ctx)
        case DrawLottery():
            return _draw(activity, ctx)
        case AdmitRegistrants(students=students):
            return _admit(activity, students, ctx)
        case CloseReview():
            return _close_review(activity, ctx)
        case RequestLeave(reason=reason, proofs=proofs):
            return _request_leave(activity, reason, proofs, ctx)
        case DecideLeave():
            return _decide_leave(activity, command, ctx)
    raise AssertionError(f"unhandled command {command!r}")


def _self_student(ctx: ActivityFacts, action: str) -> tuple[str, StudentRecord]:
    actor = ctx.base.actor
    require(actor.has(Role.student()), UNAUTHORIZED, action=action)
    return actor.person_id, required(ctx.records.get(actor.person_id), NOT_A_STUDENT)


def _in_scope(activity: Activity, tribe: Tribe, record: StudentRecord) -> bool:
    """发布规范 八 参与范围."""
    scope = activity.form.scope
    match scope.kind:
        case ParticipationScope.TRIBE:
            return tribe.belongs(record.student_number)
        case ParticipationScope.COLLEGE:
            return record.college == tribe.college
        case ParticipationScope.CUSTOM:
            return record.college in scope.colleges
    return True


def _register(activity: Activity, answers: tuple[Answer, ...], ctx: ActivityFacts) -> Decision:
    now = ctx.base.now
    student, record = _self_student(ctx, "报名 register")
    current = phase(activity, now)
    # Each refusal's details are written only when it is refused (every registration passes).
    if current is not Phase.REGISTERING:
        raise NOT_REGISTERING.error(phase=current.label)
    assert ctx.tribe is not None  # a published activity has a host
    if not _in_scope(activity, ctx.tribe, record):
        raise OUT_OF_SCOPE.error(scope=activity.form.scope.kind.label)
    if record.is_blacklisted(now):
        until = record.blacklisted_until
        raise BLACKLISTED.error(
            until=f"{until.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if until else "",
            until_iso=until.isoformat() if until else "",
        )
    roster = activity.roster
    require(not roster.holds(student), ALREADY_REGISTERED)
    most = ctx.base.rulebook.questions.max_answer_length
    kept = check_answers(activity.form.questions, answers, most)
    outcome, status = Registration.PENDING, EnrolmentStatus.REGISTERED
    if activity.form.admission.method is AdmissionMethod.FIRST_COME:
        capacity = activity.form.capacity or 0
        if len(roster.admitted) < capacity:
            outcome, status = Registration.ADMITTED, EnrolmentStatus.ADMITTED
        else:
            require(activity.form.admission.waitlist, FULL, capacity=capacity)
            outcome, status = Registration.WAITLISTED, EnrolmentStatus.WAITLISTED
    eid = enrolment_id(activity.id, student)
    return Decision(
        activity=(ledger.RegistrationAccepted(activity.id, student, outcome, now),),
        enrolments={student: (EnrolmentRegistered(eid, activity.id, student, status, now, kept),)},
    )


def _cancel(activity: Activity, ctx: ActivityFacts) -> Decision:
    now = ctx.base.now
    student, _record = _self_student(ctx, "取消报名 cancel registration")
    roster = activity.roster
    require(roster.holds(student), NOT_REGISTERED, student=student)
    require(phase(activity, now) is Phase.REGISTERING, CANCEL_CLOSED)
    promoted = None
    if student in roster.admitted and roster.waitlist:
        promoted = roster.waitlist[0]
    enrolments: dict[str, tuple[EnrolmentEvent, ...]] = {
        student: (EnrolmentCancelled(enrolment_id(activity.id, student), now),)
    }
    if promoted is not None:
        enrolments[promoted] = (EnrolmentPromoted(enrolment_id(activity.id, promoted), now),)
    if student in roster.admitted:
        left = Registration.ADMITTED
    elif student in roster.pending:
        left = Registration.PENDING
    else:
        left = Registration.WAITLISTED
    withdrawn = ledger.RegistrationWithdrawn(activity.id, student, promoted, now, left)
    return Decision(activity=(withdrawn,), enrolments=enrolments)


def _require_after_registration(activity: Activity, now: datetime, action: str) -> None:
    """第十二条 (the draw) and 第十三条 (review admission) act once registration has ended."""
    closes = activity.form.registration_closes
    action_zh, _, action_en = action.partition(" ")
    require(
        closes is not None and now >= closes,
        REGISTRATION_OPEN,
        action_zh=action_zh,
        action_en=action_en,
    )


def _require_method(activity: Activity, method: AdmissionMethod) -> None:
    actual = activity.form.admission.method
    require(actual is method, WRONG_METHOD, method=actual.label)


def _draw(activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    actor, now = base.actor, base.now
    require(
        actor.is_system or is_activity_manager(actor, activity, ctx.tribe),
        UNAUTHORIZED,
        action="抽签 draw",
    )
    _require_method(activity, AdmissionMethod.LOTTERY)
    _require_after_registration(activity, now, "抽签 draw")
    roster = activity.roster
    require(not roster.drawn, ALREADY_DRAWN)
    require(ctx.secret is not None and roster.commitment is not None, SECRET_MISSING)
    seed = lottery.derive_seed(required(ctx.secret, SECRET_MISSING), str(activity.id))
    require(lottery.commitment(seed) == roster.commitment, SEED_MISMATCH)
    capacity = activity.form.capacity or 0
    registrants = tuple(sorted(roster.pending))
    winners = lottery.draw_winners(seed, registrants, capacity)
    won = set(winners)
    enrolments: dict[str, tuple[EnrolmentEvent, ...]] = {}
    for student in registrants:
        eid = enrolment_id(activity.id, student)
        outcome: EnrolmentEvent = (
            EnrolmentAdmitted(eid, AdmissionMethod.LOTTERY, actor.person_id, now)
            if student in won
            else EnrolmentNotSelected(eid, now)
        )
        enrolments[student] = (outcome,)
    drawn = ledger.LotteryDrawn(
        activity.id, seed, registrants, capacity, winners, actor.person_id, now
    )
    return Decision(activity=(drawn,), enrolments=enrolments)


def _admit(activity: Activity, students: tuple[str, ...], ctx: ActivityFacts) -> Decision:
    base = ctx.base
    actor, now = base.actor, base.now
    require(is_activity_manager(actor, activity, ctx.tribe), UNAUTHORIZED, action="录取 admit")
    _require_second_person(ctx, students)
    _require_method(activity, AdmissionMethod.REVIEW)
    _require_after_registration(activity, now, "录取 admit")
    roster = activity.roster
    require(not roster.review_closed, REVIEW_CLOSED)
    chosen = tuple(dict.fromkeys(s for s in students if s not in roster.admitted))
    for student in chosen:
        require(student in roster.pending, NOT_PENDING, student=student)
    if not chosen:
        return Decision()  # re-sending an admission changes nothing
    capacity = activity.form.capacity or 0
    require(
        len(roster.admitted) + len(chosen) <= capacity,
        OVER_CAPACITY,
        admitted=len(roster.admitted),
        adding=len(chosen),
        capacity=capacity,
    )
    enrolments = {
        s: (
            EnrolmentAdmitted(
                enrolment_id(activity.id, s), AdmissionMethod.REVIEW, actor.person_id, now
            ),
        )
        for s in chosen
    }
    admitted = ledger.RegistrantsAdmitted(activity.id, chosen, actor.person_id, now)
    return Decision(activity=(admitted,), enrolments=enrolments)


def _close_review(activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    actor, now = base.actor, base.now
    require(
        is_activity_manager(actor, activity, ctx.tribe),
        UNAUTHORIZED,
        action="结束录取 close review",
    )
    _require_method(activity, AdmissionMethod.REVIEW)
    _require_after_registration(activity, now, "结束录取 close review")
    roster = activity.roster
    if roster.review_closed:
        return Decision()
    rest = tuple(sorted(roster.pending))
    enrolments = {s: (EnrolmentNotAdmitted(enrolment_id(activity.id, s), now),) for s in rest}
    closed = ledger.ReviewClosed(activity.id, rest, actor.person_id, now)
    return Decision(activity=(closed,), enrolments=enrolments)


def _require_second_person(ctx: ActivityFacts, students: tuple[str, ...]) -> None:
    """A manager's own admission or leave is decided by someone else (ours; cf. 第二十四条)."""
    me = ctx.base.actor.person_id
    allowed = ctx.base.rulebook.allow_self_review
    require(allowed or me not in students, SELF_DEALING, student=me)


def _request_leave(
    activity: Activity, reason: str, proofs: tuple[str, ...], ctx: ActivityFacts
) -> Decision:
    now = ctx.base.now
    student, _record = _self_student(ctx, "申请请假 request leave")
    require(student in activity.roster.admitted, NOT_ADMITTED)
    closes, ends = activity.form.registration_closes, activity.form.ends_at
    assert closes is not None
    assert ends is not None
    require(closes <= now < ends, LEAVE_WINDOW)
    require(bool(reason.strip()), REASON_REQUIRED)
    enrolment = required(ctx.enrolments.get(student), NOT_ADMITTED)
    leave = enrolment.leave
    require(
        leave is None or leave is LeaveStatus.REJECTED,
        LEAVE_PENDING,
        status=leave.label if leave else "",
    )
    event = LeaveRequested(enrolment.id, activity.id, student, reason, proofs, now)
    return Decision(enrolments={student: (event,)})


def _decide_leave(activity: Activity, command: DecideLeave, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    actor, now = base.actor, base.now
    require(
        is_activity_manager(actor, activity, ctx.tribe),
        UNAUTHORIZED,
        action="审核请假 decide leave",
    )
    _require_second_person(ctx, (command.student,))
    enrolment = required(ctx.enrolments.get(command.student), NO_LEAVE)
    require(enrolment.leave is LeaveStatus.REQUESTED, NO_LEAVE)
    if not command.approve:
        require(bool(command.reason.strip()), REASON_REQUIRED)
    event = LeaveDecided(
        enrolment.id,
        activity.id,
        command.student,
        command.approve,
        command.reason,
        actor.person_id,
        now,
    )
    return Decision(enrolments={command.student: (event,)})
