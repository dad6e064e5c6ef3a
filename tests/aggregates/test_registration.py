"""Enrolment (报名): registration, cancellation, the lottery, review admission and leave.

第十二条 (报名: 报名制即报即成功, 中签制随机抽取, 评审制由负责人录取; 报名结束前可取消并再次报名,
无次数限制; 我的活动; 申请请假), 第十三条 (评审制: 报名结束后由负责人或组织者录取, 单个或批量,
不可逆), 第十六条 (黑名单 120 小时), 发布规范 八 (参与范围) and 九 (录取方式).

Each test builds an approved activity and its seat ledger (Roster) directly, decides one
command with the shared specification (``given_activity(...).when(command, actor, now)``) and
checks the Decision (``then``/``raises``), or folds it onto the activity and the enrolment
streams (``accepted``, ``GivenActivity.after``) to check the state it leads to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import enrolment
from second_classroom.aggregates import registration as registration_rules
from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_facts import Decision, Involved
from second_classroom.aggregates.activity_roster import (
    LotteryCommitted,
    LotteryDrawn,
    RegistrantsAdmitted,
    RegistrationAccepted,
    RegistrationOutcome,
    RegistrationWithdrawn,
    ReviewClosed,
    Roster,
    evolve_roster,
)
from second_classroom.aggregates.enrolment import (
    Enrolment,
    EnrolmentAdmitted,
    EnrolmentCancelled,
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
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod, ParticipationScope
from second_classroom.policies import lottery
from second_classroom.policies.activity_form import Scope
from second_classroom.policies.registration_questions import Answer
from tests.aggregates.activity_fixtures import (
    ACTIVITY_ID,
    FORM,
    LEADER,
    MEMBER,
    ORGANIZER,
    OUTSIDER,
    TRIBE,
    TRIBE_ADMIN,
    record,
    tribe_actor,
)
from tests.aggregates.registration_fixtures import (
    BEFORE_OPENING,
    CLOSED,
    CLOSES,
    COMMITMENT,
    ENDED,
    ENDS,
    ONGOING,
    OPENS,
    REGISTERING,
    SECRET,
    SEED,
    activity,
    when,
)
from tests.specification import (
    PE_ADMIN,
    SCHOOL_ADMIN,
    GivenActivity,
    at,
    given_activity,
)

STUDENTS = tuple(f"20240000{i:02d}" for i in range(1, 9))
A, B, C, D, E = STUDENTS[:5]

REGISTER = Register(ACTIVITY_ID)
CANCEL = CancelRegistration(ACTIVITY_ID)
DRAW = DrawLottery(ACTIVITY_ID)
CLOSE_REVIEW = CloseReview(ACTIVITY_ID)

OTHER_TRIBE = attrs.evolve(TRIBE, id=ids.tribe_id("CS-SU"), leaders=frozenset({"2023020201"}))
MANAGERS = {
    "部落负责人": LEADER,
    "部落管理员": TRIBE_ADMIN,
    "部落组织者": ORGANIZER,
    "活动组织者 (listed in the form)": MEMBER,
}
NOT_MANAGERS = {
    "a student outside the tribe": OUTSIDER,
    "a registrant": Actor.student(A),
    "校团委": SCHOOL_ADMIN,
    "院级管理员": PE_ADMIN,
    "the leader of another tribe": tribe_actor("2023020201", OTHER_TRIBE),
}


# -- given / when / then ----------------------------------------------------------------------


def lottery_activity(*pending: str, capacity: int = 2) -> Activity:
    return activity(
        AdmissionMethod.LOTTERY,
        capacity=capacity,
        roster=Roster(pending=frozenset(pending), commitment=COMMITMENT),
    )


def review_activity(
    *pending: str, admitted: tuple[str, ...] = (), capacity: int = 2, closed: bool = False
) -> Activity:
    return activity(
        AdmissionMethod.REVIEW,
        capacity=capacity,
        roster=Roster(
            pending=frozenset(pending), admitted=frozenset(admitted), review_closed=closed
        ),
    )


def enrolled(
    student: str,
    status: EnrolmentStatus = EnrolmentStatus.ADMITTED,
    leave: LeaveStatus | None = None,
) -> Enrolment:
    """The student's enrolment as its stream would hold it."""
    return Enrolment(
        enrolment_id(ACTIVITY_ID, student), ACTIVITY_ID, student, status, REGISTERING, leave=leave
    )


def other_college(number: str, college: str = "CS") -> StudentRecord:
    return attrs.evolve(record(number), college=college)


def enrolments_of(roster: Roster) -> dict[str, Enrolment]:
    """The enrolment streams that agree with a seat ledger."""
    return {
        **{s: enrolled(s, EnrolmentStatus.REGISTERED) for s in roster.pending},
        **{s: enrolled(s, EnrolmentStatus.WAITLISTED) for s in roster.waitlist},
        **{s: enrolled(s, EnrolmentStatus.ADMITTED) for s in roster.admitted},
    }


def world_of(state: Activity, enrolments: Mapping[str, Enrolment] | None = None) -> GivenActivity:
    """An activity and its students' enrolments (by default the ones its seat ledger implies),
    every student in STUDENTS with a PE record, and the school's secret."""
    return given_activity(
        state,
        tribe=TRIBE,
        records={n: record(n) for n in STUDENTS},
        enrolments=enrolments_of(state.roster) if enrolments is None else enrolments,
        secret=SECRET,
    )


def student(number: str) -> Actor:
    return Actor.student(number)


def eid(number: str) -> UUID:
    return enrolment_id(ACTIVITY_ID, number)


def registration(
    number: str,
    now: datetime = REGISTERING,
    outcome: RegistrationOutcome = RegistrationOutcome.ADMITTED,
) -> Decision:
    """The decision that registers ``number`` with ``outcome``: its seat and its own stream."""
    status = {
        RegistrationOutcome.ADMITTED: EnrolmentStatus.ADMITTED,
        RegistrationOutcome.WAITLISTED: EnrolmentStatus.WAITLISTED,
        RegistrationOutcome.PENDING: EnrolmentStatus.REGISTERED,
    }[outcome]
    return Decision(
        (RegistrationAccepted(ACTIVITY_ID, number, outcome, now),),
        {number: (EnrolmentRegistered(eid(number), ACTIVITY_ID, number, status, now),)},
    )


# -- the activity must exist and be published ---------------------------------------------------

EVERY_COMMAND = {
    "Register": REGISTER,
    "CancelRegistration": CANCEL,
    "DrawLottery": DRAW,
    "AdmitRegistrants": AdmitRegistrants(ACTIVITY_ID, (A,)),
    "CloseReview": CLOSE_REVIEW,
    "RequestLeave": RequestLeave(ACTIVITY_ID, "生病"),
    "DecideLeave": DecideLeave(ACTIVITY_ID, A, approve=True),
}


@pytest.mark.parametrize("command", EVERY_COMMAND.values(), ids=EVERY_COMMAND.keys())
def test_every_enrolment_command_on_a_missing_activity_is_refused(
    command: registration_rules.EnrolmentCommand,
) -> None:
    """第十二条: one registers for (and manages) an activity that exists."""
    when(command, LEADER, REGISTERING, None).raises("activity.not_found")


@pytest.mark.parametrize(
    "status",
    [
        ActivityStatus.DRAFT,
        ActivityStatus.PENDING_TRIBE,
        ActivityStatus.PENDING_COLLEGE,
        ActivityStatus.PENDING_SCHOOL,
        ActivityStatus.CANCELLED,
    ],
)
def test_registration_for_an_unapproved_or_cancelled_activity_is_refused(
    status: ActivityStatus,
) -> None:
    """第十二条: only a published (approved, not cancelled) activity takes registrations."""
    when(REGISTER, student(A), REGISTERING, activity(status=status)).raises(
        "activity.not_published"
    )


def test_cancelling_a_registration_on_a_cancelled_activity_is_refused() -> None:
    """第十二条: a cancelled activity has no registrations left to manage."""
    cancelled = activity(status=ActivityStatus.CANCELLED, roster=Roster(admitted=frozenset({A})))
    when(CANCEL, student(A), REGISTERING, cancelled).raises("activity.not_published")


# -- 报名中: registration only while the phase is registering ------------------------------------


@pytest.mark.parametrize(
    "now",
    [BEFORE_OPENING, CLOSES, CLOSED, ONGOING, ENDED],
    ids=["规划中", "at the closing instant", "报名结束", "进行中", "已结束"],
)
def test_registration_outside_the_registration_window_is_refused(now: datetime) -> None:
    """第十二条: 若活动显示"规划中"，待活动报名开始后方可进行报名; only 报名中 can one register."""
    when(REGISTER, student(A), now, activity()).raises("enrolment.not_registering")


@pytest.mark.parametrize("now", [OPENS, REGISTERING], ids=["at the opening instant", "报名中"])
def test_registration_while_registering_is_accepted(now: datetime) -> None:
    """第十二条: 若活动显示"报名中"，可直接报名."""
    assert now is not None
    decision = when(REGISTER, student(A), now, activity()).decision()
    assert decision.activity == (
        RegistrationAccepted(ACTIVITY_ID, A, RegistrationOutcome.ADMITTED, now),
    )


# -- who may register: a registered student, in scope, not blacklisted ------------------------


def test_a_person_without_a_student_record_cannot_register() -> None:
    """第六条/第十二条: registration is by a registered student (学号)."""
    when(REGISTER, student(A), REGISTERING, activity(), records={}).raises(
        "enrolment.not_a_student"
    )


def test_an_actor_who_is_not_a_student_cannot_register() -> None:
    """第十二条: 报名 is a student's act; staff cannot register."""
    when(REGISTER, SCHOOL_ADMIN, REGISTERING, activity()).raises("auth.forbidden")


def test_tribe_scope_admits_members_of_the_host_tribe() -> None:
    """发布规范 八: 部落内 — 只允许主办方部落内部成员参加."""
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    decision = when(REGISTER, MEMBER, REGISTERING, tribe_only).decision()
    member = MEMBER.person_id
    admitted = RegistrationAccepted(ACTIVITY_ID, member, RegistrationOutcome.ADMITTED, REGISTERING)
    assert decision.activity == (admitted,)


def test_tribe_scope_admits_the_host_tribes_role_holders() -> None:
    """发布规范 八: 部落内 — the tribe's 负责人, 管理员 and 组织者 belong to it."""
    leader_only = attrs.evolve(TRIBE, members=frozenset())
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    given = given_activity(
        tribe_only, tribe=leader_only, records={LEADER.person_id: record(LEADER.person_id)}
    )
    assert given.when(REGISTER, LEADER, REGISTERING).decision() == registration(LEADER.person_id)


def test_tribe_scope_refuses_a_student_of_the_host_college_outside_the_tribe() -> None:
    """发布规范 八: 部落内 excludes non-members, even from the host tribe's college."""
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    when(REGISTER, student(A), REGISTERING, tribe_only).raises("enrolment.out_of_scope")


def test_college_scope_admits_students_of_the_host_tribes_college() -> None:
    """发布规范 八: 院系内 — 允许主办方部落所属学院的学生参加."""
    assert FORM.scope.kind is ParticipationScope.COLLEGE
    assert when(REGISTER, student(A), REGISTERING, activity()).decision() == registration(A)


def test_college_scope_refuses_students_of_other_colleges() -> None:
    """发布规范 八: 院系内 excludes the other colleges."""
    when(REGISTER, student(A), REGISTERING, activity(), records={A: other_college(A)}).raises(
        "enrolment.out_of_scope"
    )


def test_custom_scope_admits_students_of_the_listed_colleges() -> None:
    """发布规范 八: 自定义 — 根据活动举办方选择可参加活动的院系范围."""
    custom = activity(scope=Scope(ParticipationScope.CUSTOM, ("PE", "CS")))
    decision = when(
        REGISTER, student(A), REGISTERING, custom, records={A: other_college(A)}
    ).decision()
    assert decision == registration(A)


def test_custom_scope_refuses_students_of_unlisted_colleges() -> None:
    """发布规范 八: 自定义 admits the listed colleges only."""
    custom = activity(scope=Scope(ParticipationScope.CUSTOM, ("PE", "CS")))
    when(REGISTER, student(A), REGISTERING, custom, records={A: other_college(A, "GEO")}).raises(
        "enrolment.out_of_scope"
    )


@pytest.mark.parametrize(
    "kind", [ParticipationScope.SCHOOL, ParticipationScope.UNLIMITED], ids=["学校内", "不限"]
)
def test_school_and_unlimited_scopes_admit_students_of_any_college(
    kind: ParticipationScope,
) -> None:
    """发布规范 八: 学校内 — 允许全校学生参加; 不限 has no restriction."""
    open_to_all = activity(scope=Scope(kind))
    decision = when(
        REGISTER, student(A), REGISTERING, open_to_all, records={A: other_college(A)}
    ).decision()
    assert decision == registration(A)


def test_a_blacklisted_student_cannot_register() -> None:
    """第十六条: 进入黑名单120小时不能报名参加其他活动."""
    blacklisted = attrs.evolve(record(A), blacklisted_until=REGISTERING + timedelta(hours=1))
    error = when(REGISTER, student(A), REGISTERING, activity(), records={A: blacklisted}).raises(
        "enrolment.blacklisted"
    )
    assert error.details["until_iso"] == (REGISTERING + timedelta(hours=1)).isoformat()
    assert error.details["until"] == "2026-12-01 11:00"  # shown in Shanghai time


@pytest.mark.parametrize(
    "expired", [REGISTERING - timedelta(hours=1), REGISTERING], ids=["long ago", "just now"]
)
def test_a_blacklisting_that_has_expired_no_longer_bars_registration(expired: datetime) -> None:
    """第十六条: the blacklist lasts 120 hours, then expires by itself."""
    was_blacklisted = attrs.evolve(record(A), blacklisted_until=expired)
    decision = when(
        REGISTER, student(A), REGISTERING, activity(), records={A: was_blacklisted}
    ).decision()
    assert decision == registration(A)


@pytest.mark.parametrize(
    "roster",
    [
        Roster(admitted=frozenset({A})),
        Roster(admitted=frozenset({B}), waitlist=(A,)),
        Roster(pending=frozenset({A})),
    ],
    ids=["admitted", "waitlisted", "pending"],
)
def test_registering_twice_is_refused(roster: Roster) -> None:
    """第十二条: one live registration per student and activity."""
    state = activity(capacity=1, waitlist=True, roster=roster)
    when(REGISTER, student(A), REGISTERING, state).raises("enrolment.already_registered")


# -- 录取方式 (发布规范 九): what a registration leads to ------------------------------------------


def test_first_come_registration_is_admitted_at_once_while_seats_remain() -> None:
    """第十二条: 报名制活动即报即成功."""
    state = activity(capacity=2, roster=Roster(admitted=frozenset({B})))
    when(REGISTER, student(A), REGISTERING, state).then(
        (RegistrationAccepted(ACTIVITY_ID, A, RegistrationOutcome.ADMITTED, REGISTERING),),
        {A: (EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, REGISTERING),)},
    )


def test_first_come_registration_is_refused_when_every_seat_is_taken() -> None:
    """第十二条/发布规范 九: 报名制 admits up to the capacity (报名人数)."""
    full = activity(capacity=2, roster=Roster(admitted=frozenset({B, C})))
    error = when(REGISTER, student(A), REGISTERING, full).raises("activity.capacity_full")
    assert error.details["capacity"] == 2


def test_first_come_registration_joins_the_waitlist_when_full_and_waitlisting() -> None:
    """第十二条: a full 报名制 activity with a waitlist queues the newcomer (候补中)."""
    full = activity(capacity=2, waitlist=True, roster=Roster(admitted=frozenset({B, C})))
    when(REGISTER, student(A), REGISTERING, full).then(
        (RegistrationAccepted(ACTIVITY_ID, A, RegistrationOutcome.WAITLISTED, REGISTERING),),
        {
            A: (
                EnrolmentRegistered(
                    eid(A), ACTIVITY_ID, A, EnrolmentStatus.WAITLISTED, REGISTERING
                ),
            )
        },
    )


def test_the_waitlist_keeps_the_order_of_registration() -> None:
    """第十二条: 候补 is first come, first served."""
    full = world_of(activity(capacity=1, waitlist=True, roster=Roster(admitted=frozenset({E}))))
    after = (
        full.when(REGISTER, student(A), REGISTERING)
        .accepted()
        .when(REGISTER, student(B), REGISTERING)
        .accepted()
    )
    assert after.the_activity.roster.waitlist == (A, B)


@pytest.mark.parametrize(
    "method", [AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW], ids=["中签制", "评审制"]
)
def test_lottery_and_review_registrations_await_the_decision(method: AdmissionMethod) -> None:
    """第十二条: 中签制 awaits the draw, 评审制 the 负责人's admission: 已报名, no seat yet."""
    state = activity(method, capacity=1)
    when(REGISTER, student(A), REGISTERING, state).then(
        (RegistrationAccepted(ACTIVITY_ID, A, RegistrationOutcome.PENDING, REGISTERING),),
        {
            A: (
                EnrolmentRegistered(
                    eid(A), ACTIVITY_ID, A, EnrolmentStatus.REGISTERED, REGISTERING
                ),
            )
        },
    )


@pytest.mark.parametrize(
    "method", [AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW], ids=["中签制", "评审制"]
)
def test_lottery_and_review_registrations_are_not_limited_by_capacity(
    method: AdmissionMethod,
) -> None:
    """第十二条: 中签制 draws 按活动设定人数 from all registrants, so more may register."""
    crowded = world_of(activity(method, capacity=1, roster=Roster(pending=frozenset({B, C, D}))))
    decision = crowded.when(REGISTER, student(A), REGISTERING).decision()
    assert decision == registration(A, outcome=RegistrationOutcome.PENDING)
    after = crowded.after(decision).the_activity.roster
    assert after.pending == {A, B, C, D}
    assert after.admitted == frozenset()
    assert after.waitlist == ()


def test_a_registration_appears_in_my_activities() -> None:
    """第十二条: 报名的活动将会出现在"我的"→"我的活动"中."""
    world = world_of(activity()).when(REGISTER, student(A), REGISTERING).accepted()
    mine = world.enrolments[A]
    assert mine.is_live
    assert mine.status.label == "已录取"
    assert mine.times_registered == 1


# -- cancelling (取消报名) -------------------------------------------------------------------------


def test_cancelling_before_registration_ends_frees_the_seat() -> None:
    """第十二条: 活动报名结束前，可以取消报名; the seat goes back to the pool."""
    full = world_of(activity(capacity=2, roster=Roster(admitted=frozenset({A, B}))))
    decision = full.when(CANCEL, student(A), REGISTERING).decision()
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, None, REGISTERING, RegistrationOutcome.ADMITTED),),
        {A: (EnrolmentCancelled(eid(A), REGISTERING),)},
    )
    freed = full.after(decision)
    assert freed.the_activity.roster.admitted == {B}
    newcomer = freed.when(REGISTER, student(C), REGISTERING).decision()
    admitted = RegistrationAccepted(ACTIVITY_ID, C, RegistrationOutcome.ADMITTED, REGISTERING)
    assert newcomer.activity == (admitted,)


def test_cancelling_an_admitted_registration_promotes_the_first_on_the_waitlist() -> None:
    """第十二条: a freed seat of a waitlisting 报名制 activity goes to the first waiting."""
    world = world_of(
        activity(
            capacity=2, waitlist=True, roster=Roster(admitted=frozenset({A, B}), waitlist=(C, D))
        )
    )
    decision = world.when(CANCEL, student(A), REGISTERING).decision()
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, C, REGISTERING, RegistrationOutcome.ADMITTED),),
        {
            A: (EnrolmentCancelled(eid(A), REGISTERING),),
            C: (EnrolmentPromoted(eid(C), REGISTERING),),
        },
    )
    after = world.after(decision)
    assert after.the_activity.roster.admitted == {B, C}
    assert after.the_activity.roster.waitlist == (D,)
    assert after.enrolments[C].status is EnrolmentStatus.ADMITTED


def test_cancelling_from_the_waitlist_promotes_nobody() -> None:
    """第十二条: leaving the waitlist frees no seat; the queue closes up."""
    world = world_of(
        activity(capacity=1, waitlist=True, roster=Roster(admitted=frozenset({A}), waitlist=(B, C)))
    )
    decision = world.when(CANCEL, student(B), REGISTERING).decision()
    assert decision.activity == (
        RegistrationWithdrawn(ACTIVITY_ID, B, None, REGISTERING, RegistrationOutcome.WAITLISTED),
    )
    assert set(decision.enrolments) == {B}
    assert world.after(decision).the_activity.roster.waitlist == (C,)


def test_cancelling_a_lottery_registration_leaves_the_draw() -> None:
    """第十二条: a cancelled 中签制 registrant is not drawn."""
    world = world_of(lottery_activity(A, B))
    decision = world.when(CANCEL, student(A), REGISTERING).decision()
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, None, REGISTERING, RegistrationOutcome.PENDING),),
        {A: (EnrolmentCancelled(eid(A), REGISTERING),)},
    )
    after = world.when(CANCEL, student(A), REGISTERING).accepted()
    assert after.the_activity.roster.pending == {B}


def test_staff_cannot_cancel_a_registration_for_a_student() -> None:
    """第十二条: 取消报名 is the student's own act."""
    error = when(CANCEL, SCHOOL_ADMIN, REGISTERING, lottery_activity(A)).raises("auth.forbidden")
    assert error.details == {"action": "取消报名 cancel registration"}


def test_cancelling_after_registration_ends_is_refused() -> None:
    """第十二条: 报名结束 后 无法取消报名 — the student applies for leave instead."""
    state = activity(roster=Roster(admitted=frozenset({A})))
    when(CANCEL, student(A), CLOSED, state).raises("enrolment.cancel_closed")


def test_cancelling_without_a_registration_is_refused() -> None:
    """第十二条: only a registration can be cancelled."""
    state = activity(roster=Roster(admitted=frozenset({B})))
    error = when(CANCEL, student(A), REGISTERING, state).raises("enrolment.not_registered")
    assert error.details["student"] == A


def test_a_cancelled_registration_disappears_from_my_activities() -> None:
    """第十二条: 取消报名后将会消失 (from 我的活动)."""
    world = world_of(activity()).when(REGISTER, student(A), REGISTERING).accepted()
    cancelled = world.when(CANCEL, student(A), REGISTERING).accepted()
    assert not cancelled.enrolments[A].is_live
    assert cancelled.enrolments[A].status is EnrolmentStatus.CANCELLED


def test_cancel_and_register_again_any_number_of_times() -> None:
    """第十二条: 可以取消报名并再次报名，报名与取消报名无次数限制."""
    world = world_of(activity(capacity=1)).when(REGISTER, student(A), REGISTERING).accepted()
    for _ in range(5):
        world = world.when(CANCEL, student(A), REGISTERING).accepted()
        assert not world.the_activity.roster.holds(A)
        world = world.when(REGISTER, student(A), REGISTERING).accepted()
    mine = world.enrolments[A]
    assert mine.times_registered == 6
    assert mine.status is EnrolmentStatus.ADMITTED
    assert world.the_activity.roster.admitted == {A}


# -- whose records and enrolments a decision needs -------------------------------------------


@pytest.mark.parametrize(
    ("command", "actor", "state", "involved"),
    [
        (REGISTER, student(A), activity(), {A}),
        (RequestLeave(ACTIVITY_ID, "生病"), student(A), activity(), {A}),
        (CANCEL, student(A), activity(capacity=1, waitlist=True), {A}),
        (
            CANCEL,
            student(A),
            activity(
                capacity=1, waitlist=True, roster=Roster(admitted=frozenset({A}), waitlist=(B, C))
            ),
            {A, B},
        ),
        (CANCEL, student(A), None, {A}),
        (DRAW, Actor.system(), lottery_activity(A, B, C), {A, B, C}),
        (CLOSE_REVIEW, LEADER, review_activity(A, B), {A, B}),
        (DRAW, Actor.system(), None, set()),
        (AdmitRegistrants(ACTIVITY_ID, (A, C)), LEADER, review_activity(A, B, C), {A, C}),
        (DecideLeave(ACTIVITY_ID, B, approve=True), LEADER, activity(), {B}),
    ],
    ids=[
        "register",
        "request leave",
        "cancel, nobody waiting",
        "cancel, the first on the waitlist",
        "cancel on a missing activity",
        "draw",
        "close review",
        "draw on a missing activity",
        "admit",
        "decide leave",
    ],
)
def test_a_decision_loads_the_students_it_concerns(
    command: registration_rules.EnrolmentCommand,
    actor: Actor,
    state: Activity | None,
    involved: set[str],
) -> None:
    """The facade loads these students' records and enrolment streams, and no others."""
    assert registration_rules.students_involved(command, state, actor) == involved


def test_an_unknown_command_involves_nobody_it_could_load() -> None:
    with pytest.raises(AssertionError, match="unhandled command"):
        registration_rules.students_involved("register", activity(), student(A))  # type: ignore[arg-type]


def test_an_enrolment_stream_alone_decides_nothing() -> None:
    """Enrolment commands need the activity's seat ledger, so the stream's own decider refuses."""
    whole = r"^enrolment commands are decided with their activity: see decide\(\)$"
    with pytest.raises(AssertionError, match=whole):
        enrolment.DECIDER.decide(REGISTER, None, None)


# -- 中签制: the draw ------------------------------------------------------------------------------


def test_the_draw_waits_until_registration_ends() -> None:
    """第十二条/第十三条: 按活动设定人数随机抽取 from the registrants, once registration ends."""
    when(DRAW, LEADER, REGISTERING, lottery_activity(A, B, C), secret=SECRET).raises(
        "enrolment.registration_open"
    )


def test_the_draw_may_run_at_the_instant_registration_closes() -> None:
    """第十二条: registration is over at its closing time; the draw may run then."""
    assert CLOSES is not None
    decision = when(
        DRAW, Actor.system(), CLOSES, lottery_activity(A, B, C), secret=SECRET
    ).decision()
    winners = lottery.draw_winners(SEED, (A, B, C), 2)
    assert decision.activity == (
        LotteryDrawn(ACTIVITY_ID, SEED, (A, B, C), 2, winners, "system", CLOSES),
    )
    (loser,) = {A, B, C} - set(winners)
    assert decision.enrolments == {
        **{
            n: (EnrolmentAdmitted(eid(n), AdmissionMethod.LOTTERY, "system", CLOSES),)
            for n in winners
        },
        loser: (EnrolmentNotSelected(eid(loser), CLOSES),),
    }


@pytest.mark.parametrize(
    "method", [AdmissionMethod.FIRST_COME, AdmissionMethod.REVIEW], ids=["报名制", "评审制"]
)
def test_only_a_lottery_activity_is_drawn(method: AdmissionMethod) -> None:
    """发布规范 九: only 中签制 admits by drawing."""
    state = activity(method, roster=Roster(pending=frozenset({A}), commitment=COMMITMENT))
    when(DRAW, LEADER, CLOSED, state, secret=SECRET).raises("enrolment.wrong_method")


@pytest.mark.parametrize(
    "manager", [*MANAGERS.values(), Actor.system()], ids=[*MANAGERS.keys(), "the system"]
)
def test_the_draw_is_run_by_a_manager_of_the_activity_or_the_system(manager: Actor) -> None:
    """第十二条/第十三条: the system draws, or the 负责人 / 组织者 on its behalf."""
    decision = when(DRAW, manager, CLOSED, lottery_activity(A, B, C), secret=SECRET).decision()
    drawn = decision.activity[0]
    assert isinstance(drawn, LotteryDrawn)
    assert drawn.by == manager.person_id


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_anyone_else_may_not_draw(actor: Actor) -> None:
    """第十三条: managing an activity is for its 负责人 and 组织者."""
    when(DRAW, actor, CLOSED, lottery_activity(A, B, C), secret=SECRET).raises("auth.forbidden")


@pytest.mark.parametrize(
    "secret",
    [bytes(range(1, 33)), bytes(32)],
    ids=["another school's secret", "a made-up secret"],
)
def test_a_seed_that_does_not_match_the_published_commitment_is_refused(secret: bytes) -> None:
    """第十二条: the draw is verifiable — its seed (derived from the secret) must open the
    commitment made at approval."""
    when(DRAW, LEADER, CLOSED, lottery_activity(A, B), secret=secret).raises(
        "activity.seed_mismatch"
    )


def test_a_lottery_without_a_commitment_cannot_be_drawn() -> None:
    """第十二条: no published commitment, no verifiable draw."""
    uncommitted = activity(AdmissionMethod.LOTTERY, roster=Roster(pending=frozenset({A})))
    when(DRAW, LEADER, CLOSED, uncommitted, secret=SECRET).raises("config.secret_missing")


def test_a_draw_without_the_school_secret_is_refused() -> None:
    """The seed comes from the school's secret; without it nothing can be revealed."""
    when(DRAW, LEADER, CLOSED, lottery_activity(A, B)).raises("config.secret_missing")


def test_the_lottery_is_drawn_only_once() -> None:
    """第十二条: one draw; its result stands."""
    world = world_of(lottery_activity(A, B, C))
    drawn = world.when(DRAW, Actor.system(), CLOSED).accepted()
    assert drawn.the_activity.roster.drawn
    drawn.when(DRAW, LEADER, CLOSED).raises("activity.already_drawn")


def test_winners_are_admitted_and_the_others_not_selected() -> None:
    """第十二条: 抽取后系统消息会告知报名同学是否中签."""
    registrants = (A, B, C, D, E)
    world = world_of(lottery_activity(*registrants, capacity=2))
    decision = world.when(DRAW, Actor.system(), CLOSED).decision()
    winners = lottery.draw_winners(SEED, registrants, 2)
    assert decision.activity == (
        LotteryDrawn(ACTIVITY_ID, SEED, registrants, 2, winners, "system", CLOSED),
    )
    for number in registrants:
        expected = (
            EnrolmentAdmitted(eid(number), AdmissionMethod.LOTTERY, "system", CLOSED)
            if number in winners
            else EnrolmentNotSelected(eid(number), CLOSED)
        )
        assert decision.enrolments[number] == (expected,)
    after = world.after(decision)
    assert after.the_activity.roster.admitted == set(winners)
    assert after.the_activity.roster.pending == frozenset()
    statuses = {n: after.enrolments[n].status for n in registrants}
    assert {n for n, s in statuses.items() if s is EnrolmentStatus.ADMITTED} == set(winners)
    assert {n for n, s in statuses.items() if s is EnrolmentStatus.NOT_SELECTED} == (
        set(registrants) - set(winners)
    )
    assert after.enrolments[next(iter(set(registrants) - set(winners)))].status.label == "未中签"


def test_the_recorded_draw_verifies_against_the_published_commitment() -> None:
    """第十二条: anyone can re-run the draw from what it recorded."""
    decision = when(
        DRAW, Actor.system(), CLOSED, lottery_activity(A, B, C, D), secret=SECRET
    ).decision()
    drawn = decision.activity[0]
    assert isinstance(drawn, LotteryDrawn)
    assert lottery.verify_draw(
        COMMITMENT, drawn.seed, drawn.registrants, drawn.capacity, drawn.winners
    )


@settings(max_examples=60, deadline=None)
@given(
    registrants=st.sets(st.sampled_from(STUDENTS), max_size=len(STUDENTS)),
    capacity=st.integers(1, 10),
)
def test_the_draw_admits_min_of_capacity_and_registrants_all_of_them_registrants(
    registrants: set[str], capacity: int
) -> None:
    """第十二条: 按活动设定人数随机抽取 — never more winners than seats or than registrants."""
    decision = when(
        DRAW,
        Actor.system(),
        CLOSED,
        lottery_activity(*registrants, capacity=capacity),
        secret=SECRET,
    ).decision()
    drawn = decision.activity[0]
    assert isinstance(drawn, LotteryDrawn)
    assert set(drawn.winners) <= registrants
    assert len(drawn.winners) == len(set(drawn.winners)) == min(capacity, len(registrants))
    assert set(decision.enrolments) == registrants


# -- 评审制: admission by the 负责人 or 组织者 (第十三条) ------------------------------------------


def test_review_admission_waits_until_registration_ends() -> None:
    """第十三条: 报名结束后需要活动负责人或组织者手动录取."""
    when(AdmitRegistrants(ACTIVITY_ID, (A,)), LEADER, REGISTERING, review_activity(A, B)).raises(
        "enrolment.registration_open"
    )


@pytest.mark.parametrize("manager", MANAGERS.values(), ids=MANAGERS.keys())
def test_a_manager_admits_one_registrant(manager: Actor) -> None:
    """第十三条: 点击成员姓名→"录取"，可以录取指定成员."""
    world = world_of(review_activity(A, B))
    decision = world.when(AdmitRegistrants(ACTIVITY_ID, (A,)), manager, CLOSED).decision()
    by = manager.person_id
    assert decision == Decision(
        (RegistrantsAdmitted(ACTIVITY_ID, (A,), by, CLOSED),),
        {A: (EnrolmentAdmitted(eid(A), AdmissionMethod.REVIEW, by, CLOSED),)},
    )
    assert world.after(decision).the_activity.roster.admitted == {A}
    assert world.after(decision).the_activity.roster.pending == {B}


def test_a_manager_admits_a_batch_of_registrants() -> None:
    """第十三条: 也可点击多个成员进行批量录取."""
    world = world_of(review_activity(A, B, C, capacity=3))
    decision = world.when(AdmitRegistrants(ACTIVITY_ID, (A, C)), LEADER, CLOSED).decision()
    assert decision.activity == (
        RegistrantsAdmitted(ACTIVITY_ID, (A, C), LEADER.person_id, CLOSED),
    )
    assert set(decision.enrolments) == {A, C}
    after = world.after(decision)
    assert after.the_activity.roster.admitted == {A, C}
    assert after.the_activity.roster.pending == {B}


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_only_a_manager_admits(actor: Actor) -> None:
    """第十三条: 活动负责人或组织者 admit; nobody else."""
    when(AdmitRegistrants(ACTIVITY_ID, (A,)), actor, CLOSED, review_activity(A, B)).raises(
        "auth.forbidden"
    )


def test_only_a_review_activity_admits_by_hand() -> None:
    """发布规范 九/第十三条: manual admission is the 评审制 method."""
    when(AdmitRegistrants(ACTIVITY_ID, (A,)), LEADER, CLOSED, lottery_activity(A)).raises(
        "enrolment.wrong_method"
    )


def test_admitting_beyond_the_capacity_is_refused() -> None:
    """发布规范 九/第十二条: admission stays within 报名人数."""
    error = when(
        AdmitRegistrants(ACTIVITY_ID, (B, C)),
        LEADER,
        CLOSED,
        review_activity(B, C, admitted=(A,), capacity=2),
    ).raises("activity.admission_over_capacity")
    assert error.details == {"admitted": 1, "adding": 2, "capacity": 2}


def test_admitting_up_to_exactly_the_capacity_is_accepted() -> None:
    """发布规范 九: the last seat can be filled."""
    world = world_of(review_activity(B, C, admitted=(A,), capacity=2))
    decision = world.when(AdmitRegistrants(ACTIVITY_ID, (B,)), LEADER, CLOSED).decision()
    by = LEADER.person_id
    assert decision == Decision(
        (RegistrantsAdmitted(ACTIVITY_ID, (B,), by, CLOSED),),
        {B: (EnrolmentAdmitted(eid(B), AdmissionMethod.REVIEW, by, CLOSED),)},
    )
    after = world.after(decision).the_activity.roster
    assert after.admitted == {A, B}
    assert len(after.admitted) == 2
    assert after.pending == {C}


@pytest.mark.parametrize(
    "who", ["2024999999", A], ids=["never registered", "cancelled (not in the roster)"]
)
def test_admitting_someone_not_awaiting_admission_is_refused(who: str) -> None:
    """第十三条: 录取 is of registrants (报名同学)."""
    error = when(
        AdmitRegistrants(ACTIVITY_ID, (B, who)), LEADER, CLOSED, review_activity(B, C)
    ).raises("enrolment.not_pending")
    assert error.details["student"] == who


def test_admitting_an_admitted_student_again_changes_nothing() -> None:
    """第十三条: 录取操作不可逆 — and repeating it is harmless."""
    state = review_activity(B, admitted=(A,))
    when(AdmitRegistrants(ACTIVITY_ID, (A,)), LEADER, CLOSED, state).then_nothing()


def test_admitting_a_batch_with_an_already_admitted_student_admits_only_the_new_ones() -> None:
    """第十三条: a batch that repeats an admission admits only the rest."""
    decision = when(
        AdmitRegistrants(ACTIVITY_ID, (A, B, B)), LEADER, CLOSED, review_activity(B, admitted=(A,))
    ).decision()
    assert decision.activity == (RegistrantsAdmitted(ACTIVITY_ID, (B,), LEADER.person_id, CLOSED),)
    assert set(decision.enrolments) == {B}


def test_closing_the_review_marks_everyone_else_not_admitted() -> None:
    """第十三条: once the 负责人 has admitted whom they choose, the rest are 未录取."""
    world = world_of(review_activity(B, C, admitted=(A,), capacity=3))
    decision = world.when(CLOSE_REVIEW, ORGANIZER, CLOSED).decision()
    assert decision == Decision(
        (ReviewClosed(ACTIVITY_ID, (B, C), ORGANIZER.person_id, CLOSED),),
        {
            B: (EnrolmentNotAdmitted(eid(B), CLOSED),),
            C: (EnrolmentNotAdmitted(eid(C), CLOSED),),
        },
    )
    after = world.after(decision)
    assert after.the_activity.roster.review_closed
    assert after.the_activity.roster.admitted == {A}  # 录取操作不可逆
    assert after.enrolments[B].status.label == "未录取"


def test_closing_the_review_waits_until_registration_ends() -> None:
    """第十三条: review admission happens after registration ends."""
    error = when(CLOSE_REVIEW, LEADER, REGISTERING, review_activity(A)).raises(
        "enrolment.registration_open"
    )
    assert error.details == {"action_zh": "结束录取", "action_en": "close review"}


def test_closing_the_review_twice_changes_nothing() -> None:
    """第十三条: the review ends once."""
    closed = review_activity(closed=True)
    when(CLOSE_REVIEW, LEADER, CLOSED, closed).then_nothing()


def test_only_a_manager_closes_the_review() -> None:
    """第十三条: 活动负责人或组织者."""
    error = when(CLOSE_REVIEW, OUTSIDER, CLOSED, review_activity(A)).raises("auth.forbidden")
    assert error.details == {"action": "结束录取 close review"}


def test_admitting_after_the_review_closed_is_refused() -> None:
    """第十三条: after the review is closed nobody more is admitted."""
    world = world_of(review_activity(A, B)).when(CLOSE_REVIEW, LEADER, CLOSED).accepted()
    world.when(AdmitRegistrants(ACTIVITY_ID, (A,)), LEADER, CLOSED).raises("activity.review_closed")


# -- 申请请假 (第十二条) ---------------------------------------------------------------------------

LEAVE = RequestLeave(ACTIVITY_ID, "家中有急事", ("proof.jpg",))


def admitted_world(leave: LeaveStatus | None = None) -> GivenActivity:
    """A 报名制 activity where A holds a seat."""
    return world_of(activity(roster=Roster(admitted=frozenset({A}))), {A: enrolled(A, leave=leave)})


@pytest.mark.parametrize("now", [CLOSES, CLOSED, ONGOING], ids=["报名结束时", "报名结束", "进行中"])
def test_an_admitted_student_requests_leave_between_registration_close_and_activity_end(
    now: datetime,
) -> None:
    """第十二条: 已经报名…临时有事已经无法取消报名，可以…"申请请假"，提交请假理由及证明图片."""
    world = admitted_world()
    decision = world.when(LEAVE, student(A), now).decision()
    assert decision == Decision(
        (),
        {
            A: (
                LeaveRequested(
                    eid(A), ACTIVITY_ID, A, reason="家中有急事", proofs=("proof.jpg",), at=now
                ),
            )
        },
    )
    after = world.after(decision)
    assert after.enrolments[A].leave is LeaveStatus.REQUESTED
    assert after.enrolments[A].leave_reason == "家中有急事"
    assert not after.enrolments[A].excused  # not until approved


@pytest.mark.parametrize(
    "now", [REGISTERING, ENDS, ENDED], ids=["报名中 (cancel instead)", "at the end", "已结束"]
)
def test_leave_outside_its_window_is_refused(now: datetime) -> None:
    """第十二条: leave is for when one can no longer cancel, and before the activity is over."""
    admitted_world().when(LEAVE, student(A), now).raises("enrolment.leave_window")


@pytest.mark.parametrize(
    "roster",
    [
        Roster(admitted=frozenset({B}), waitlist=(A,)),
        Roster(pending=frozenset({A})),
        Roster(admitted=frozenset({B})),
    ],
    ids=["waitlisted", "awaiting admission", "not registered"],
)
def test_only_an_admitted_student_may_request_leave(roster: Roster) -> None:
    """第十二条: leave excuses a 报名成功 student from attending."""
    state = activity(capacity=1, waitlist=True, roster=roster)
    when(LEAVE, student(A), CLOSED, state).raises("enrolment.not_admitted")


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_leave_request_needs_a_reason(reason: str) -> None:
    """第十二条: 提交请假理由."""
    admitted_world().when(RequestLeave(ACTIVITY_ID, reason), student(A), CLOSED).raises(
        "enrolment.reason_required"
    )


@pytest.mark.parametrize(
    "leave", [LeaveStatus.REQUESTED, LeaveStatus.APPROVED], ids=["awaiting review", "approved"]
)
def test_a_second_leave_request_while_one_stands_is_refused(leave: LeaveStatus) -> None:
    """第十二条: one leave request at a time; an approved leave needs no second one."""
    error = admitted_world(leave).when(LEAVE, student(A), CLOSED).raises("enrolment.leave_exists")
    assert error.details["status"] == leave.label


def test_after_a_rejected_leave_a_new_request_is_allowed() -> None:
    """第十二条: a rejected request may be resubmitted with better reasons or proof."""
    world = admitted_world().when(LEAVE, student(A), CLOSED).accepted()
    world = world.when(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason="证明不足"), LEADER, CLOSED
    ).accepted()
    assert world.enrolments[A].leave is LeaveStatus.REJECTED
    again = world.when(
        RequestLeave(ACTIVITY_ID, "补充医院证明", ("hospital.jpg",)), student(A), CLOSED
    ).accepted()
    assert again.enrolments[A].leave is LeaveStatus.REQUESTED
    assert again.enrolments[A].leave_reason == "补充医院证明"


@pytest.mark.parametrize("manager", MANAGERS.values(), ids=MANAGERS.keys())
def test_a_manager_approves_a_leave_which_then_takes_effect(manager: Actor) -> None:
    """第十二条: 经负责人或组织者审核批准后，即可生效."""
    world = admitted_world(LeaveStatus.REQUESTED)
    decision = world.when(DecideLeave(ACTIVITY_ID, A, approve=True), manager, ONGOING).decision()
    assert decision == Decision(
        (),
        {
            A: (
                LeaveDecided(
                    eid(A),
                    ACTIVITY_ID,
                    A,
                    approved=True,
                    reason="",
                    by=manager.person_id,
                    at=ONGOING,
                ),
            )
        },
    )
    after = world.after(decision)
    assert after.enrolments[A].leave is LeaveStatus.APPROVED
    assert after.enrolments[A].excused


def test_a_manager_rejects_a_leave_with_a_reason() -> None:
    """第十二条: the 负责人 or 组织者 may refuse a leave, saying why."""
    world = (
        admitted_world(LeaveStatus.REQUESTED)
        .when(DecideLeave(ACTIVITY_ID, A, approve=False, reason="证明不足"), ORGANIZER, CLOSED)
        .accepted()
    )
    assert world.enrolments[A].leave is LeaveStatus.REJECTED
    assert not world.enrolments[A].excused


@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "blank"])
def test_rejecting_a_leave_needs_a_reason(reason: str) -> None:
    """第十二条: a refusal is explained."""
    admitted_world(LeaveStatus.REQUESTED).when(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason=reason), LEADER, CLOSED
    ).raises("enrolment.reason_required")


@pytest.mark.parametrize(
    "leave",
    [None, LeaveStatus.APPROVED, LeaveStatus.REJECTED],
    ids=["none", "approved", "rejected"],
)
def test_deciding_without_a_pending_leave_request_is_refused(leave: LeaveStatus | None) -> None:
    """第十二条: only a submitted request is reviewed."""
    admitted_world(leave).when(DecideLeave(ACTIVITY_ID, A, approve=True), LEADER, CLOSED).raises(
        "enrolment.no_leave"
    )


def test_deciding_a_leave_of_a_student_without_an_enrolment_is_refused() -> None:
    """第十二条: there is no request to review for a student who never registered."""
    admitted_world(LeaveStatus.REQUESTED).when(
        DecideLeave(ACTIVITY_ID, B, approve=True), LEADER, CLOSED
    ).raises("enrolment.no_leave")


@pytest.mark.parametrize(
    "actor",
    [student(A), OUTSIDER, SCHOOL_ADMIN],
    ids=["the student themself", "外部学生", "校团委"],
)
def test_only_a_manager_decides_a_leave(actor: Actor) -> None:
    """第十二条: 经负责人或组织者审核."""
    admitted_world(LeaveStatus.REQUESTED).when(
        DecideLeave(ACTIVITY_ID, A, approve=True), actor, CLOSED
    ).raises("auth.forbidden")


# -- self-dealing: a manager's own admission or leave needs a second person (ours; 第二十四条) ---

OWN = ORGANIZER.person_id  # an organizer of the host tribe who also takes part


def _allowing_self_review(world: GivenActivity) -> GivenActivity:
    return attrs.evolve(world, rulebook=attrs.evolve(world.rulebook, allow_self_review=True))


def _own_leave_world() -> GivenActivity:
    """A 报名制 activity where the organizer holds a seat and has asked for leave."""
    return world_of(
        activity(roster=Roster(admitted=frozenset({OWN}))),
        {OWN: enrolled(OWN, leave=LeaveStatus.REQUESTED)},
    )


def test_a_manager_does_not_admit_themselves() -> None:
    """第十三条 / 第二十四条: under 评审制 an organizer is admitted by another manager."""
    error = (
        world_of(review_activity(OWN, B))
        .when(AdmitRegistrants(ACTIVITY_ID, (B, OWN)), ORGANIZER, CLOSED)
        .raises("enrolment.self_dealing")
    )
    assert error.details == {"student": OWN}


def test_another_manager_admits_an_organizer_who_registered() -> None:
    """第十三条: the leader admits the organizer; the organizer's enrolment records who did."""
    decision = (
        world_of(review_activity(OWN, B))
        .when(AdmitRegistrants(ACTIVITY_ID, (OWN,)), LEADER, CLOSED)
        .decision()
    )
    assert decision.activity == (
        RegistrantsAdmitted(ACTIVITY_ID, (OWN,), LEADER.person_id, CLOSED),
    )
    assert decision.enrolments == {
        OWN: (EnrolmentAdmitted(eid(OWN), AdmissionMethod.REVIEW, LEADER.person_id, CLOSED),)
    }


def test_a_school_may_let_a_manager_admit_themselves() -> None:
    """``allow_self_review``: a school where one person runs and attends switches it on."""
    world = _allowing_self_review(world_of(review_activity(OWN, B)))
    decision = world.when(AdmitRegistrants(ACTIVITY_ID, (OWN,)), ORGANIZER, CLOSED).decision()
    assert decision.activity == (RegistrantsAdmitted(ACTIVITY_ID, (OWN,), OWN, CLOSED),)


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_a_manager_does_not_decide_their_own_leave(approve: bool) -> None:
    """第十二条 / 第二十四条: an approved leave excuses a no-show, so it is someone else's call."""
    error = (
        _own_leave_world()
        .when(
            DecideLeave(ACTIVITY_ID, OWN, approve=approve, reason="" if approve else "不批"),
            ORGANIZER,
            CLOSED,
        )
        .raises("enrolment.self_dealing")
    )
    assert error.details == {"student": OWN}


def test_another_manager_decides_an_organizers_leave() -> None:
    """第十二条: 经负责人或组织者审核批准后，即可生效 — by a manager other than the applicant."""
    world = (
        _own_leave_world()
        .when(DecideLeave(ACTIVITY_ID, OWN, approve=True), LEADER, CLOSED)
        .accepted()
    )
    assert world.enrolments[OWN].leave is LeaveStatus.APPROVED
    assert world.enrolments[OWN].excused


def test_a_school_may_let_a_manager_decide_their_own_leave() -> None:
    """``allow_self_review`` covers one's own leave too."""
    world = _allowing_self_review(_own_leave_world())
    decision = world.when(DecideLeave(ACTIVITY_ID, OWN, approve=True), ORGANIZER, CLOSED).decision()
    (event,) = decision.enrolments[OWN]
    assert isinstance(event, LeaveDecided)
    assert (event.approved, event.by) == (True, OWN)


# -- property: the seat ledger of a waitlisting 报名制 activity ----------------------------------


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(1, 3),
    moves=st.lists(st.tuples(st.sampled_from(STUDENTS[:5]), st.booleans()), max_size=40),
)
def test_register_and_cancel_in_any_order_keep_the_seat_ledger_sound(
    capacity: int, moves: list[tuple[str, bool]]
) -> None:
    """第十二条: 报名制 with a waitlist, any register/cancel sequence by any students:

    - never more admitted than seats, and no seat left empty while someone waits;
    - the waitlist has no duplicates and nobody both waits and holds a seat;
    - a student who cancelled holds nothing;
    - each student's Enrolment stream agrees with the ledger.
    """
    world = world_of(activity(capacity=capacity, waitlist=True))
    cancelled: set[str] = set()
    for number, registering in moves:
        command = REGISTER if registering else CANCEL
        try:
            world = world.when(command, student(number), REGISTERING).accepted()
        except DomainError:
            continue
        (cancelled.discard if registering else cancelled.add)(number)
        roster = world.the_activity.roster
        assert len(roster.admitted) <= capacity
        assert len(roster.waitlist) == len(set(roster.waitlist))
        assert not set(roster.waitlist) & roster.admitted
        assert not roster.waitlist or len(roster.admitted) == capacity
        assert not roster.pending
        for gone in cancelled:
            assert not roster.holds(gone)
        for number_, mine in world.enrolments.items():
            expected = (
                EnrolmentStatus.ADMITTED
                if number_ in roster.admitted
                else EnrolmentStatus.WAITLISTED
                if number_ in roster.waitlist
                else EnrolmentStatus.CANCELLED
            )
            assert mine.status is expected, (number_, mine.status, roster)


# -- what each refusal says (the details a client shows) ---------------------------------------


def test_registering_outside_the_window_names_the_phase() -> None:
    """第十二条: 若活动显示"规划中"… — the refusal names the phase the activity is in."""
    error = when(REGISTER, student(A), BEFORE_OPENING, activity()).raises(
        "enrolment.not_registering"
    )
    assert error.details == {"phase": "规划中"}


def test_an_out_of_scope_refusal_names_the_scope() -> None:
    """发布规范 八: the refusal names the activity's 参与范围."""
    error = when(
        REGISTER, student(A), REGISTERING, activity(), records={A: other_college(A)}
    ).raises("enrolment.out_of_scope")
    assert error.details == {"scope": "院系内"}


def test_staff_cannot_register_and_the_refusal_names_the_act() -> None:
    """第十二条: 报名 is a student's act."""
    error = when(REGISTER, SCHOOL_ADMIN, REGISTERING, activity()).raises("auth.forbidden")
    assert error.details == {"action": "报名 register"}


def test_a_person_without_a_record_is_refused_without_details() -> None:
    error = when(REGISTER, student(A), REGISTERING, activity(), records={}).raises(
        "enrolment.not_a_student"
    )
    assert error.details == {}


def test_a_full_activity_without_a_waitlist_refuses_the_capacity_exactly() -> None:
    """第十二条: 报名制 admits up to 报名人数; one seat, taken."""
    full = activity(capacity=1, roster=Roster(admitted=frozenset({B})))
    error = when(REGISTER, student(A), REGISTERING, full).raises("activity.capacity_full")
    assert error.details == {"capacity": 1}


def test_a_first_come_activity_without_a_capacity_admits_nobody() -> None:
    """发布规范 九: an unset 报名人数 is no seat (the form's rules require one to publish)."""
    no_seats = activity(roster=Roster())
    no_seats = attrs.evolve(no_seats, form=attrs.evolve(no_seats.form, capacity=None))
    error = when(REGISTER, student(A), REGISTERING, no_seats).raises("activity.capacity_full")
    assert error.details == {"capacity": 0}


def test_a_blacklisting_until_a_later_instant_bars_and_names_both_times() -> None:
    """第十六条: the refusal names the end of the 120 hours, in Shanghai time and exactly."""
    until = at(12, 5, 23, 30)
    blacklisted = attrs.evolve(record(A), blacklisted_until=until)
    error = when(REGISTER, student(A), REGISTERING, activity(), records={A: blacklisted}).raises(
        "enrolment.blacklisted"
    )
    assert error.details == {"until": "2026-12-05 23:30", "until_iso": until.isoformat()}


@pytest.mark.parametrize(
    ("command", "state", "method"),
    [
        (DRAW, review_activity(A), "评审制"),
        (AdmitRegistrants(ACTIVITY_ID, (A,)), lottery_activity(A), "中签制"),
        (CLOSE_REVIEW, activity(), "报名制"),
    ],
    ids=["draw on review", "admit on lottery", "close review on first come"],
)
def test_the_wrong_method_refusal_names_the_activitys_method(
    command: registration_rules.EnrolmentCommand, state: Activity, method: str
) -> None:
    """发布规范 九: each admission act belongs to one 录取方式; the refusal names the actual one."""
    error = when(command, LEADER, CLOSED, state, secret=SECRET).raises("enrolment.wrong_method")
    assert error.details == {"method": method}


@pytest.mark.parametrize(
    ("command", "state", "action_zh", "action_en"),
    [
        (DRAW, lottery_activity(A), "抽签", "draw"),
        (AdmitRegistrants(ACTIVITY_ID, (A,)), review_activity(A), "录取", "admit"),
    ],
    ids=["draw", "admit"],
)
def test_acting_before_registration_ends_names_the_act(
    command: registration_rules.EnrolmentCommand, state: Activity, action_zh: str, action_en: str
) -> None:
    """第十二、十三条: 报名结束后 — a minute before the closing the act is refused, by name."""
    assert CLOSES is not None
    early = CLOSES - timedelta(minutes=1)
    error = when(command, LEADER, early, state, secret=SECRET).raises("enrolment.registration_open")
    assert error.details == {"action_zh": action_zh, "action_en": action_en}


def test_an_activity_without_a_registration_closing_time_is_never_after_registration() -> None:
    """第十三条: review admission waits for a 报名结束 the form must give."""
    state = review_activity(A)
    state = attrs.evolve(state, form=attrs.evolve(state.form, registration_closes=None))
    when(AdmitRegistrants(ACTIVITY_ID, (A,)), LEADER, ENDED, state).raises(
        "enrolment.registration_open"
    )


@pytest.mark.parametrize(
    ("command", "state", "action"),
    [
        (DRAW, lottery_activity(A), "抽签 draw"),
        (AdmitRegistrants(ACTIVITY_ID, (A,)), review_activity(A), "录取 admit"),
        (DecideLeave(ACTIVITY_ID, A, approve=True), activity(), "审核请假 decide leave"),
        (RequestLeave(ACTIVITY_ID, "生病"), activity(), "申请请假 request leave"),
    ],
    ids=["draw", "admit", "decide leave", "request leave"],
)
def test_a_forbidden_act_is_named_in_the_refusal(
    command: registration_rules.EnrolmentCommand, state: Activity, action: str
) -> None:
    """第十二、十三条: the 负责人 and 组织者 manage; a student asks leave — the refusal names
    the act refused."""
    error = when(command, SCHOOL_ADMIN, CLOSED, state, secret=SECRET).raises("auth.forbidden")
    assert error.details == {"action": action}


def test_a_second_leave_request_names_the_standing_one() -> None:
    """第十二条: the refusal says the request is 待审核."""
    error = (
        admitted_world(LeaveStatus.REQUESTED)
        .when(LEAVE, student(A), CLOSED)
        .raises("enrolment.leave_exists")
    )
    assert error.details == {"status": LeaveStatus.REQUESTED.label}


def test_a_leave_request_of_an_admitted_student_without_a_stream_is_refused() -> None:
    """The seat ledger and the enrolment stream agree; without the stream nothing is asked."""
    state = activity(roster=Roster(admitted=frozenset({A})))
    when(LEAVE, student(A), CLOSED, state, enrolments={}).raises("enrolment.not_admitted")


def test_rejecting_a_leave_with_a_reason_records_the_decision() -> None:
    """第十二条: 经负责人或组织者审核 — a rejection carries its reason."""
    world = admitted_world(LeaveStatus.REQUESTED)
    decision = world.when(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason="证明不足"), LEADER, CLOSED
    ).decision()
    by = LEADER.person_id
    assert decision == Decision(
        (), {A: (LeaveDecided(eid(A), ACTIVITY_ID, A, False, "证明不足", by, CLOSED),)}
    )


@pytest.mark.parametrize(
    ("command", "actor", "state", "expected"),
    [
        (REGISTER, student(A), activity(), Involved(frozenset({A}), actor_record=True)),
        (
            DRAW,
            Actor.system(),
            lottery_activity(A, B),
            Involved(frozenset({A, B}), actor_record=True, secret=True),
        ),
        (CLOSE_REVIEW, LEADER, review_activity(C), Involved(frozenset({C}), actor_record=True)),
    ],
    ids=["register", "draw", "close review"],
)
def test_what_a_decision_needs_loaded(
    command: registration_rules.EnrolmentCommand,
    actor: Actor,
    state: Activity,
    expected: Involved,
) -> None:
    """The facade loads the enrolments, the acting student's record, and for the draw alone
    the school's secret (whose first use it records)."""
    assert registration_rules.involved(command, state, actor) == expected


# -- the seat ledger (Roster) folds its own events -----------------------------------------------


def test_the_seat_ledger_folds_the_commitment_published_at_approval() -> None:
    """第十二条: the draw's commitment is published when the activity is approved."""
    committed = evolve_roster(Roster(), LotteryCommitted(ACTIVITY_ID, COMMITMENT, OPENS))
    assert committed == Roster(commitment=COMMITMENT)


def test_the_registrants_are_the_pending_the_admitted_and_the_waiting() -> None:
    roster = Roster(pending=frozenset({A}), admitted=frozenset({B}), waitlist=(C, D))
    assert roster.registrants == {A, B, C, D}
    assert [roster.holds(n) for n in (A, B, C, D, E)] == [True, True, True, True, False]


def test_the_seat_ledger_names_an_event_it_does_not_know() -> None:
    with pytest.raises(AssertionError, match=r"^unhandled event 'registered'$"):
        evolve_roster(Roster(), "registered")  # type: ignore[arg-type]


# -- the enrolment stream (我的活动) folds its own events ----------------------------------------


def _fold_enrolment(*events: enrolment.EnrolmentEvent) -> Enrolment | None:
    state: Enrolment | None = None
    for event in events:
        state = enrolment.evolve(state, event)
    return state


def test_a_first_registration_keeps_the_answers_given() -> None:
    """002 二 6): the answers to the form's questions stay with the registration."""
    answers = (Answer("reason", text="想提高英语"),)
    state = _fold_enrolment(
        EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, OPENS, answers)
    )
    assert state == Enrolment(
        eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, OPENS, answers=answers
    )


def test_registering_again_starts_afresh_and_counts() -> None:
    """第十二条: 报名与取消报名无次数限制 — a new registration has its own time, status and
    answers, no leave, and counts once more."""
    first = (Answer("reason", text="第一次"),)
    state = _fold_enrolment(
        EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, OPENS, first),
        LeaveRequested(eid(A), ACTIVITY_ID, A, "生病", (), CLOSED),
        LeaveDecided(eid(A), ACTIVITY_ID, A, False, "证明不足", LEADER.person_id, CLOSED),
        EnrolmentCancelled(eid(A), CLOSED),
        EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.WAITLISTED, REGISTERING),
    )
    assert state == Enrolment(
        eid(A), ACTIVITY_ID, A, EnrolmentStatus.WAITLISTED, REGISTERING, times_registered=2
    )


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (EnrolmentNotSelected(eid(A), CLOSED), EnrolmentStatus.NOT_SELECTED),
        (EnrolmentNotAdmitted(eid(A), CLOSED), EnrolmentStatus.NOT_ADMITTED),
        (EnrolmentPromoted(eid(A), CLOSED), EnrolmentStatus.ADMITTED),
        (EnrolmentCancelled(eid(A), CLOSED), EnrolmentStatus.CANCELLED),
    ],
    ids=["未中签", "未录取", "promoted", "已取消报名"],
)
def test_each_decision_on_a_registration_sets_its_status(
    event: enrolment.EnrolmentEvent, status: EnrolmentStatus
) -> None:
    registered = EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.REGISTERED, OPENS)
    state = _fold_enrolment(registered, event)
    assert state == Enrolment(eid(A), ACTIVITY_ID, A, status, OPENS)


def test_a_leave_request_then_its_approval_excuses() -> None:
    """第十二条 申请请假, 经负责人或组织者审核: requested, then approved — excused."""
    registered = EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, OPENS)
    asked = _fold_enrolment(registered, LeaveRequested(eid(A), ACTIVITY_ID, A, "生病", (), CLOSED))
    assert asked is not None
    assert (asked.leave, asked.leave_reason) == (LeaveStatus.REQUESTED, "生病")
    assert not asked.excused
    approved = enrolment.evolve(
        asked, LeaveDecided(eid(A), ACTIVITY_ID, A, True, "", LEADER.person_id, CLOSED)
    )
    assert (approved.leave, approved.leave_reason, approved.excused) == (
        LeaveStatus.APPROVED,
        "生病",
        True,
    )


def test_an_enrolment_event_before_the_registration_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match=r"^an enrolment event before EnrolmentRegistered$"):
        enrolment.evolve(None, EnrolmentCancelled(eid(A), CLOSED))


def test_the_enrolment_stream_names_an_event_it_does_not_know() -> None:
    registered = _fold_enrolment(
        EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, OPENS)
    )
    with pytest.raises(AssertionError, match=r"^unhandled event 'admitted'$"):
        enrolment.evolve(registered, "admitted")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (EnrolmentStatus.REGISTERED, "已报名"),
        (EnrolmentStatus.WAITLISTED, "候补中"),
        (EnrolmentStatus.ADMITTED, "已录取"),
        (EnrolmentStatus.NOT_SELECTED, "未中签"),
        (EnrolmentStatus.NOT_ADMITTED, "未录取"),
        (EnrolmentStatus.CANCELLED, "已取消报名"),
        (LeaveStatus.REQUESTED, "请假审核中"),
        (LeaveStatus.APPROVED, "请假已批准"),
        (LeaveStatus.REJECTED, "请假未批准"),
    ],
)
def test_my_activities_shows_each_status_by_its_label(
    status: EnrolmentStatus | LeaveStatus, label: str
) -> None:
    """第十二条: 我的活动 shows where each registration and leave request stands."""
    assert status.label == label
