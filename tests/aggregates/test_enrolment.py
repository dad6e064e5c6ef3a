"""Enrolment (报名): registration, cancellation, the lottery, review admission and leave.

第十二条 (报名: 报名制即报即成功, 中签制随机抽取, 评审制由负责人录取; 报名结束前可取消并再次报名,
无次数限制; 我的活动; 申请请假), 第十三条 (评审制: 报名结束后由负责人或组织者录取, 单个或批量,
不可逆), 第十六条 (黑名单 120 小时), 发布规范 八 (参与范围) and 九 (录取方式).

Each test builds an approved activity and its seat ledger (Roster) directly, decides one
command with ``decide(command, ActivityFacts)`` and checks the Decision, or folds it with
the roster and enrolment ``evolve`` functions to check the state it leads to.
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
from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_form import Admission, Scope
from second_classroom.aggregates.activity_roster import (
    LotteryDrawn,
    Outcome,
    RegistrantsAdmitted,
    RegistrationAccepted,
    RegistrationWithdrawn,
    ReviewClosed,
    Roster,
    evolve_roster,
)
from second_classroom.aggregates.enrolment import Enrolment, EnrolmentAdmitted, EnrolmentCancelled, EnrolmentNotAdmitted, EnrolmentNotSelected, EnrolmentPromoted, EnrolmentRegistered, EnrolmentStatus, LeaveDecided, LeaveRequested, LeaveStatus, enrolment_id
from second_classroom.aggregates.registration import AdmitRegistrants, CancelRegistration, CloseReview, DecideLeave, DrawLottery, Register, RequestLeave, decide
from second_classroom.aggregates.activity_facts import Decision, ActivityFacts
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod, ParticipationScope
from second_classroom.policies import lottery
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
from tests.specification import PE_ADMIN, SCHOOL_ADMIN, at, context

# -- the calendar of FORM: registration 11-30 08:00 .. 12-02 20:00, activity 12-03 14:00-16:00 --

BEFORE_OPENING = at(11, 30, 7, 59)
OPENS = FORM.registration_opens
REGISTERING = at(12, 1, 10)
CLOSES = FORM.registration_closes
CLOSED = at(12, 2, 21)  # 报名结束, before the activity starts
ONGOING = at(12, 3, 15)
ENDS = FORM.ends_at
ENDED = at(12, 3, 17)

STUDENTS = tuple(f"20240000{i:02d}" for i in range(1, 9))
A, B, C, D, E = STUDENTS[:5]

SECRET = bytes(range(32))
SEED = lottery.derive_seed(SECRET, str(ACTIVITY_ID))
COMMITMENT = lottery.commitment(SEED)

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


def activity(
    method: AdmissionMethod = AdmissionMethod.FIRST_COME,
    *,
    capacity: int = 2,
    waitlist: bool = False,
    scope: Scope | None = None,
    status: ActivityStatus = ActivityStatus.APPROVED,
    roster: Roster | None = None,
) -> Activity:
    """The approved CET talk with the given admission, capacity, scope and seat ledger."""
    form = attrs.evolve(
        FORM,
        capacity=capacity,
        admission=Admission(method, review_criteria="按报名理由择优录取", waitlist=waitlist),
        scope=scope or FORM.scope,
    )
    if roster is None:
        roster = Roster(commitment=COMMITMENT) if method is AdmissionMethod.LOTTERY else Roster()
    return Activity(ACTIVITY_ID, TRIBE.id, form, status=status, roster=roster)


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


def ctx(
    actor: Actor,
    now: datetime,
    state: Activity | None,
    *,
    records: Mapping[str, StudentRecord] | None = None,
    enrolments: Mapping[str, Enrolment] | None = None,
    seed: str | None = None,
) -> ActivityFacts:
    """The context the facade builds; by default the acting student has a PE record."""
    if records is None:
        records = {actor.person_id: record(actor.person_id)}
    return ActivityFacts(context(actor, now), state, TRIBE, records, enrolments or {}, seed)


def decided(command: enrolment.EnrolmentCommand, context_: ActivityFacts) -> Decision:
    """The command is accepted; its decision."""
    return decide(command, context_)


def refused(
    command: enrolment.EnrolmentCommand, context_: ActivityFacts, code: str
) -> DomainError:
    """The command is refused with ``code``."""
    with pytest.raises(DomainError) as caught:
        decide(command, context_)
    assert caught.value.code == code, caught.value
    return caught.value


def enrolments_of(roster: Roster) -> dict[str, Enrolment]:
    """The enrolment streams that agree with a seat ledger."""
    return {
        **{s: enrolled(s, EnrolmentStatus.REGISTERED) for s in roster.pending},
        **{s: enrolled(s, EnrolmentStatus.WAITLISTED) for s in roster.waitlist},
        **{s: enrolled(s, EnrolmentStatus.ADMITTED) for s in roster.admitted},
    }


@attrs.frozen
class World:
    """An activity and its students' enrolments, moved on by accepted decisions."""

    activity: Activity
    enrolments: Mapping[str, Enrolment] = attrs.field(
        default=attrs.Factory(lambda self: enrolments_of(self.activity.roster), takes_self=True)
    )

    def context(self, actor: Actor, now: datetime, seed: str | None = None) -> ActivityFacts:
        return ctx(actor, now, self.activity, enrolments=self.enrolments, seed=seed)

    def apply(self, decision: Decision) -> World:
        roster = self.activity.roster
        for change in decision.activity:
            roster = evolve_roster(roster, change)
        enrolments = dict(self.enrolments)
        for student, events in decision.enrolments.items():
            state = enrolments.get(student)
            for event in events:
                state = enrolment.evolve(state, event)
            assert state is not None
            enrolments[student] = state
        return World(attrs.evolve(self.activity, roster=roster), enrolments)

    def after(
        self,
        command: enrolment.EnrolmentCommand,
        actor: Actor,
        now: datetime,
        seed: str | None = None,
    ) -> World:
        return self.apply(decide(command, self.context(actor, now, seed)))


def student(number: str) -> Actor:
    return Actor.student(number)


def eid(number: str) -> UUID:
    return enrolment_id(ACTIVITY_ID, number)


def registration(
    number: str, now: datetime = REGISTERING, outcome: Outcome = Outcome.ADMITTED
) -> Decision:
    """The decision that registers ``number`` with ``outcome``: its seat and its own stream."""
    status = {
        Outcome.ADMITTED: EnrolmentStatus.ADMITTED,
        Outcome.WAITLISTED: EnrolmentStatus.WAITLISTED,
        Outcome.PENDING: EnrolmentStatus.REGISTERED,
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
    command: enrolment.EnrolmentCommand,
) -> None:
    """第十二条: one registers for (and manages) an activity that exists."""
    refused(command, ctx(LEADER, REGISTERING, None), "activity.not_found")


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
    refused(
        REGISTER,
        ctx(student(A), REGISTERING, activity(status=status)),
        "enrolment.not_published",
    )


def test_cancelling_a_registration_on_a_cancelled_activity_is_refused() -> None:
    """第十二条: a cancelled activity has no registrations left to manage."""
    cancelled = activity(status=ActivityStatus.CANCELLED, roster=Roster(admitted=frozenset({A})))
    refused(CANCEL, ctx(student(A), REGISTERING, cancelled), "enrolment.not_published")


# -- 报名中: registration only while the phase is registering ------------------------------------


@pytest.mark.parametrize(
    "now",
    [BEFORE_OPENING, CLOSES, CLOSED, ONGOING, ENDED],
    ids=["规划中", "at the closing instant", "报名结束", "进行中", "已结束"],
)
def test_registration_outside_the_registration_window_is_refused(now: datetime) -> None:
    """第十二条: 若活动显示"规划中"，待活动报名开始后方可进行报名; only 报名中 can one register."""
    refused(REGISTER, ctx(student(A), now, activity()), "enrolment.not_registering")


@pytest.mark.parametrize("now", [OPENS, REGISTERING], ids=["at the opening instant", "报名中"])
def test_registration_while_registering_is_accepted(now: datetime) -> None:
    """第十二条: 若活动显示"报名中"，可直接报名."""
    assert now is not None
    decision = decided(REGISTER, ctx(student(A), now, activity()))
    assert decision.activity == (RegistrationAccepted(ACTIVITY_ID, A, Outcome.ADMITTED, now),)


# -- who may register: a registered student, in scope, not blacklisted ------------------------


def test_a_person_without_a_student_record_cannot_register() -> None:
    """第六条/第十二条: registration is by a registered student (学号)."""
    refused(
        REGISTER, ctx(student(A), REGISTERING, activity(), records={}), "enrolment.not_a_student"
    )


def test_an_actor_who_is_not_a_student_cannot_register() -> None:
    """第十二条: 报名 is a student's act; staff cannot register."""
    refused(REGISTER, ctx(SCHOOL_ADMIN, REGISTERING, activity()), "auth.forbidden")


def test_tribe_scope_admits_members_of_the_host_tribe() -> None:
    """发布规范 八: 部落内 — 只允许主办方部落内部成员参加."""
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    decision = decided(REGISTER, ctx(MEMBER, REGISTERING, tribe_only))
    member = MEMBER.person_id
    admitted = RegistrationAccepted(ACTIVITY_ID, member, Outcome.ADMITTED, REGISTERING)
    assert decision.activity == (admitted,)


def test_tribe_scope_admits_the_host_tribes_role_holders() -> None:
    """发布规范 八: 部落内 — the tribe's 负责人, 管理员 and 组织者 belong to it."""
    leader_only = attrs.evolve(TRIBE, members=frozenset())
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    context_ = ActivityFacts(
        context(LEADER, REGISTERING),
        tribe_only,
        leader_only,
        {LEADER.person_id: record(LEADER.person_id)},
    )
    assert decided(REGISTER, context_) == registration(LEADER.person_id)


def test_tribe_scope_refuses_a_student_of_the_host_college_outside_the_tribe() -> None:
    """发布规范 八: 部落内 excludes non-members, even from the host tribe's college."""
    tribe_only = activity(scope=Scope(ParticipationScope.TRIBE))
    refused(REGISTER, ctx(student(A), REGISTERING, tribe_only), "enrolment.out_of_scope")


def test_college_scope_admits_students_of_the_host_tribes_college() -> None:
    """发布规范 八: 院系内 — 允许主办方部落所属学院的学生参加."""
    assert FORM.scope.kind is ParticipationScope.COLLEGE
    assert decided(REGISTER, ctx(student(A), REGISTERING, activity())) == registration(A)


def test_college_scope_refuses_students_of_other_colleges() -> None:
    """发布规范 八: 院系内 excludes the other colleges."""
    refused(
        REGISTER,
        ctx(student(A), REGISTERING, activity(), records={A: other_college(A)}),
        "enrolment.out_of_scope",
    )


def test_custom_scope_admits_students_of_the_listed_colleges() -> None:
    """发布规范 八: 自定义 — 根据活动举办方选择可参加活动的院系范围."""
    custom = activity(scope=Scope(ParticipationScope.CUSTOM, ("PE", "CS")))
    decision = decided(
        REGISTER, ctx(student(A), REGISTERING, custom, records={A: other_college(A)})
    )
    assert decision == registration(A)


def test_custom_scope_refuses_students_of_unlisted_colleges() -> None:
    """发布规范 八: 自定义 admits the listed colleges only."""
    custom = activity(scope=Scope(ParticipationScope.CUSTOM, ("PE", "CS")))
    refused(
        REGISTER,
        ctx(student(A), REGISTERING, custom, records={A: other_college(A, "GEO")}),
        "enrolment.out_of_scope",
    )


@pytest.mark.parametrize(
    "kind", [ParticipationScope.SCHOOL, ParticipationScope.UNLIMITED], ids=["学校内", "不限"]
)
def test_school_and_unlimited_scopes_admit_students_of_any_college(
    kind: ParticipationScope,
) -> None:
    """发布规范 八: 学校内 — 允许全校学生参加; 不限 has no restriction."""
    open_to_all = activity(scope=Scope(kind))
    decision = decided(
        REGISTER, ctx(student(A), REGISTERING, open_to_all, records={A: other_college(A)})
    )
    assert decision == registration(A)


def test_a_blacklisted_student_cannot_register() -> None:
    """第十六条: 进入黑名单120小时不能报名参加其他活动."""
    blacklisted = attrs.evolve(record(A), blacklisted_until=REGISTERING + timedelta(hours=1))
    error = refused(
        REGISTER,
        ctx(student(A), REGISTERING, activity(), records={A: blacklisted}),
        "enrolment.blacklisted",
    )
    assert error.details["until_iso"] == (REGISTERING + timedelta(hours=1)).isoformat()
    assert error.details["until"] == "2026-12-01 11:00"  # shown in Shanghai time


@pytest.mark.parametrize(
    "expired", [REGISTERING - timedelta(hours=1), REGISTERING], ids=["long ago", "just now"]
)
def test_a_blacklisting_that_has_expired_no_longer_bars_registration(expired: datetime) -> None:
    """第十六条: the blacklist lasts 120 hours, then expires by itself."""
    was_blacklisted = attrs.evolve(record(A), blacklisted_until=expired)
    decision = decided(
        REGISTER, ctx(student(A), REGISTERING, activity(), records={A: was_blacklisted})
    )
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
    refused(REGISTER, ctx(student(A), REGISTERING, state), "enrolment.already_registered")


# -- 录取方式 (发布规范 九): what a registration leads to ------------------------------------------


def test_first_come_registration_is_admitted_at_once_while_seats_remain() -> None:
    """第十二条: 报名制活动即报即成功."""
    state = activity(capacity=2, roster=Roster(admitted=frozenset({B})))
    assert decided(REGISTER, ctx(student(A), REGISTERING, state)) == Decision(
        (RegistrationAccepted(ACTIVITY_ID, A, Outcome.ADMITTED, REGISTERING),),
        {A: (EnrolmentRegistered(eid(A), ACTIVITY_ID, A, EnrolmentStatus.ADMITTED, REGISTERING),)},
    )


def test_first_come_registration_is_refused_when_every_seat_is_taken() -> None:
    """第十二条/发布规范 九: 报名制 admits up to the capacity (报名人数)."""
    full = activity(capacity=2, roster=Roster(admitted=frozenset({B, C})))
    error = refused(REGISTER, ctx(student(A), REGISTERING, full), "activity.capacity_full")
    assert error.details["capacity"] == 2


def test_first_come_registration_joins_the_waitlist_when_full_and_waitlisting() -> None:
    """第十二条: a full 报名制 activity with a waitlist queues the newcomer (候补中)."""
    full = activity(capacity=2, waitlist=True, roster=Roster(admitted=frozenset({B, C})))
    assert decided(REGISTER, ctx(student(A), REGISTERING, full)) == Decision(
        (RegistrationAccepted(ACTIVITY_ID, A, Outcome.WAITLISTED, REGISTERING),),
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
    full = World(activity(capacity=1, waitlist=True, roster=Roster(admitted=frozenset({E}))))
    after = full.after(REGISTER, student(A), REGISTERING).after(REGISTER, student(B), REGISTERING)
    assert after.activity.roster.waitlist == (A, B)


@pytest.mark.parametrize(
    "method", [AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW], ids=["中签制", "评审制"]
)
def test_lottery_and_review_registrations_await_the_decision(method: AdmissionMethod) -> None:
    """第十二条: 中签制 awaits the draw, 评审制 the 负责人's admission: 已报名, no seat yet."""
    state = activity(method, capacity=1)
    assert decided(REGISTER, ctx(student(A), REGISTERING, state)) == Decision(
        (RegistrationAccepted(ACTIVITY_ID, A, Outcome.PENDING, REGISTERING),),
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
    crowded = World(activity(method, capacity=1, roster=Roster(pending=frozenset({B, C, D}))))
    decision = decide(REGISTER, crowded.context(student(A), REGISTERING))
    assert decision == registration(A, outcome=Outcome.PENDING)
    after = crowded.apply(decision).activity.roster
    assert after.pending == {A, B, C, D}
    assert after.admitted == frozenset()
    assert after.waitlist == ()


def test_a_registration_appears_in_my_activities() -> None:
    """第十二条: 报名的活动将会出现在"我的"→"我的活动"中."""
    world = World(activity()).after(REGISTER, student(A), REGISTERING)
    mine = world.enrolments[A]
    assert mine.is_live
    assert mine.status.label == "已录取"
    assert mine.times_registered == 1


# -- cancelling (取消报名) -------------------------------------------------------------------------


def test_cancelling_before_registration_ends_frees_the_seat() -> None:
    """第十二条: 活动报名结束前，可以取消报名; the seat goes back to the pool."""
    full = World(activity(capacity=2, roster=Roster(admitted=frozenset({A, B}))))
    decision = decide(CANCEL, full.context(student(A), REGISTERING))
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, None, REGISTERING, Outcome.ADMITTED),),
        {A: (EnrolmentCancelled(eid(A), REGISTERING),)},
    )
    freed = full.apply(decision)
    assert freed.activity.roster.admitted == {B}
    newcomer = decided(REGISTER, freed.context(student(C), REGISTERING))
    admitted = RegistrationAccepted(ACTIVITY_ID, C, Outcome.ADMITTED, REGISTERING)
    assert newcomer.activity == (admitted,)


def test_cancelling_an_admitted_registration_promotes_the_first_on_the_waitlist() -> None:
    """第十二条: a freed seat of a waitlisting 报名制 activity goes to the first waiting."""
    world = World(
        activity(
            capacity=2, waitlist=True, roster=Roster(admitted=frozenset({A, B}), waitlist=(C, D))
        )
    )
    decision = decide(CANCEL, world.context(student(A), REGISTERING))
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, C, REGISTERING, Outcome.ADMITTED),),
        {
            A: (EnrolmentCancelled(eid(A), REGISTERING),),
            C: (EnrolmentPromoted(eid(C), REGISTERING),),
        },
    )
    after = world.apply(decision)
    assert after.activity.roster.admitted == {B, C}
    assert after.activity.roster.waitlist == (D,)
    assert after.enrolments[C].status is EnrolmentStatus.ADMITTED


def test_cancelling_from_the_waitlist_promotes_nobody() -> None:
    """第十二条: leaving the waitlist frees no seat; the queue closes up."""
    world = World(
        activity(capacity=1, waitlist=True, roster=Roster(admitted=frozenset({A}), waitlist=(B, C)))
    )
    decision = decide(CANCEL, world.context(student(B), REGISTERING))
    assert decision.activity == (
        RegistrationWithdrawn(ACTIVITY_ID, B, None, REGISTERING, Outcome.WAITLISTED),
    )
    assert set(decision.enrolments) == {B}
    assert world.apply(decision).activity.roster.waitlist == (C,)


def test_cancelling_a_lottery_registration_leaves_the_draw() -> None:
    """第十二条: a cancelled 中签制 registrant is not drawn."""
    world = World(lottery_activity(A, B))
    decision = decide(CANCEL, world.context(student(A), REGISTERING))
    assert decision == Decision(
        (RegistrationWithdrawn(ACTIVITY_ID, A, None, REGISTERING, Outcome.PENDING),),
        {A: (EnrolmentCancelled(eid(A), REGISTERING),)},
    )
    after = world.after(CANCEL, student(A), REGISTERING)
    assert after.activity.roster.pending == {B}


def test_staff_cannot_cancel_a_registration_for_a_student() -> None:
    """第十二条: 取消报名 is the student's own act."""
    error = refused(CANCEL, ctx(SCHOOL_ADMIN, REGISTERING, lottery_activity(A)), "auth.forbidden")
    assert error.details == {"action": "取消报名 cancel registration"}


def test_cancelling_after_registration_ends_is_refused() -> None:
    """第十二条: 报名结束 后 无法取消报名 — the student applies for leave instead."""
    state = activity(roster=Roster(admitted=frozenset({A})))
    refused(CANCEL, ctx(student(A), CLOSED, state), "enrolment.cancel_closed")


def test_cancelling_without_a_registration_is_refused() -> None:
    """第十二条: only a registration can be cancelled."""
    state = activity(roster=Roster(admitted=frozenset({B})))
    error = refused(CANCEL, ctx(student(A), REGISTERING, state), "enrolment.not_registered")
    assert error.details["student"] == A


def test_a_cancelled_registration_disappears_from_my_activities() -> None:
    """第十二条: 取消报名后将会消失 (from 我的活动)."""
    world = World(activity()).after(REGISTER, student(A), REGISTERING)
    cancelled = world.after(CANCEL, student(A), REGISTERING)
    assert not cancelled.enrolments[A].is_live
    assert cancelled.enrolments[A].status is EnrolmentStatus.CANCELLED


def test_cancel_and_register_again_any_number_of_times() -> None:
    """第十二条: 可以取消报名并再次报名，报名与取消报名无次数限制."""
    world = World(activity(capacity=1)).after(REGISTER, student(A), REGISTERING)
    for _ in range(5):
        world = world.after(CANCEL, student(A), REGISTERING)
        assert not world.activity.roster.holds(A)
        world = world.after(REGISTER, student(A), REGISTERING)
    mine = world.enrolments[A]
    assert mine.times_registered == 6
    assert mine.status is EnrolmentStatus.ADMITTED
    assert world.activity.roster.admitted == {A}


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
    command: enrolment.EnrolmentCommand, actor: Actor, state: Activity | None, involved: set[str]
) -> None:
    """The facade loads these students' records and enrolment streams, and no others."""
    assert enrolment.students_involved(command, state, actor) == involved


def test_an_unknown_command_involves_nobody_it_could_load() -> None:
    with pytest.raises(AssertionError, match="unhandled command"):
        enrolment.students_involved("register", activity(), student(A))  # type: ignore[arg-type]


def test_an_enrolment_stream_alone_decides_nothing() -> None:
    """Enrolment commands need the activity's seat ledger, so the stream's own decider refuses."""
    whole = r"^enrolment commands are decided with their activity: see decide\(\)$"
    with pytest.raises(AssertionError, match=whole):
        enrolment.DECIDER.decide(REGISTER, None, None)


# -- 中签制: the draw ------------------------------------------------------------------------------


def test_the_draw_waits_until_registration_ends() -> None:
    """第十二条/第十三条: 按活动设定人数随机抽取 from the registrants, once registration ends."""
    refused(
        DRAW,
        ctx(LEADER, REGISTERING, lottery_activity(A, B, C), seed=SEED),
        "enrolment.registration_open",
    )


def test_the_draw_may_run_at_the_instant_registration_closes() -> None:
    """第十二条: registration is over at its closing time; the draw may run then."""
    assert CLOSES is not None
    decision = decided(DRAW, ctx(Actor.system(), CLOSES, lottery_activity(A, B, C), seed=SEED))
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
    refused(DRAW, ctx(LEADER, CLOSED, state, seed=SEED), "enrolment.wrong_method")


@pytest.mark.parametrize(
    "manager", [*MANAGERS.values(), Actor.system()], ids=[*MANAGERS.keys(), "the system"]
)
def test_the_draw_is_run_by_a_manager_of_the_activity_or_the_system(manager: Actor) -> None:
    """第十二条/第十三条: the system draws, or the 负责人 / 组织者 on its behalf."""
    decision = decided(DRAW, ctx(manager, CLOSED, lottery_activity(A, B, C), seed=SEED))
    drawn = decision.activity[0]
    assert isinstance(drawn, LotteryDrawn)
    assert drawn.by == manager.person_id


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_anyone_else_may_not_draw(actor: Actor) -> None:
    """第十三条: managing an activity is for its 负责人 and 组织者."""
    refused(DRAW, ctx(actor, CLOSED, lottery_activity(A, B, C), seed=SEED), "auth.forbidden")


@pytest.mark.parametrize(
    "seed",
    [lottery.derive_seed(SECRET, "another activity"), "0" * 64],
    ids=["another activity's seed", "a made-up seed"],
)
def test_a_seed_that_does_not_match_the_published_commitment_is_refused(seed: str | None) -> None:
    """第十二条: the draw is verifiable — its seed must open the commitment made at approval."""
    refused(DRAW, ctx(LEADER, CLOSED, lottery_activity(A, B), seed=seed), "activity.seed_mismatch")


def test_a_lottery_without_a_commitment_cannot_be_drawn() -> None:
    """第十二条: no published commitment, no verifiable draw."""
    uncommitted = activity(AdmissionMethod.LOTTERY, roster=Roster(pending=frozenset({A})))
    refused(DRAW, ctx(LEADER, CLOSED, uncommitted, seed=SEED), "config.secret_missing")


def test_a_draw_without_the_school_secret_is_refused() -> None:
    """The seed comes from the school's secret; without it nothing can be revealed."""
    refused(DRAW, ctx(LEADER, CLOSED, lottery_activity(A, B), seed=None), "config.secret_missing")


def test_the_lottery_is_drawn_only_once() -> None:
    """第十二条: one draw; its result stands."""
    world = World(lottery_activity(A, B, C))
    drawn = world.after(DRAW, Actor.system(), CLOSED, seed=SEED)
    assert drawn.activity.roster.drawn
    refused(DRAW, drawn.context(LEADER, CLOSED, seed=SEED), "activity.already_drawn")


def test_winners_are_admitted_and_the_others_not_selected() -> None:
    """第十二条: 抽取后系统消息会告知报名同学是否中签."""
    registrants = (A, B, C, D, E)
    world = World(lottery_activity(*registrants, capacity=2))
    decision = decide(DRAW, world.context(Actor.system(), CLOSED, seed=SEED))
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
    after = world.apply(decision)
    assert after.activity.roster.admitted == set(winners)
    assert after.activity.roster.pending == frozenset()
    statuses = {n: after.enrolments[n].status for n in registrants}
    assert {n for n, s in statuses.items() if s is EnrolmentStatus.ADMITTED} == set(winners)
    assert {n for n, s in statuses.items() if s is EnrolmentStatus.NOT_SELECTED} == (
        set(registrants) - set(winners)
    )
    assert after.enrolments[next(iter(set(registrants) - set(winners)))].status.label == "未中签"


def test_the_recorded_draw_verifies_against_the_published_commitment() -> None:
    """第十二条: anyone can re-run the draw from what it recorded."""
    decision = decided(DRAW, ctx(Actor.system(), CLOSED, lottery_activity(A, B, C, D), seed=SEED))
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
    decision = decided(
        DRAW,
        ctx(Actor.system(), CLOSED, lottery_activity(*registrants, capacity=capacity), seed=SEED),
    )
    drawn = decision.activity[0]
    assert isinstance(drawn, LotteryDrawn)
    assert set(drawn.winners) <= registrants
    assert len(drawn.winners) == len(set(drawn.winners)) == min(capacity, len(registrants))
    assert set(decision.enrolments) == registrants


# -- 评审制: admission by the 负责人 or 组织者 (第十三条) ------------------------------------------


def test_review_admission_waits_until_registration_ends() -> None:
    """第十三条: 报名结束后需要活动负责人或组织者手动录取."""
    refused(
        AdmitRegistrants(ACTIVITY_ID, (A,)),
        ctx(LEADER, REGISTERING, review_activity(A, B)),
        "enrolment.registration_open",
    )


@pytest.mark.parametrize("manager", MANAGERS.values(), ids=MANAGERS.keys())
def test_a_manager_admits_one_registrant(manager: Actor) -> None:
    """第十三条: 点击成员姓名→"录取"，可以录取指定成员."""
    world = World(review_activity(A, B))
    decision = decide(AdmitRegistrants(ACTIVITY_ID, (A,)), world.context(manager, CLOSED))
    by = manager.person_id
    assert decision == Decision(
        (RegistrantsAdmitted(ACTIVITY_ID, (A,), by, CLOSED),),
        {A: (EnrolmentAdmitted(eid(A), AdmissionMethod.REVIEW, by, CLOSED),)},
    )
    assert world.apply(decision).activity.roster.admitted == {A}
    assert world.apply(decision).activity.roster.pending == {B}


def test_a_manager_admits_a_batch_of_registrants() -> None:
    """第十三条: 也可点击多个成员进行批量录取."""
    world = World(review_activity(A, B, C, capacity=3))
    decision = decide(AdmitRegistrants(ACTIVITY_ID, (A, C)), world.context(LEADER, CLOSED))
    assert decision.activity == (
        RegistrantsAdmitted(ACTIVITY_ID, (A, C), LEADER.person_id, CLOSED),
    )
    assert set(decision.enrolments) == {A, C}
    after = world.apply(decision)
    assert after.activity.roster.admitted == {A, C}
    assert after.activity.roster.pending == {B}


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_only_a_manager_admits(actor: Actor) -> None:
    """第十三条: 活动负责人或组织者 admit; nobody else."""
    refused(
        AdmitRegistrants(ACTIVITY_ID, (A,)),
        ctx(actor, CLOSED, review_activity(A, B)),
        "auth.forbidden",
    )


def test_only_a_review_activity_admits_by_hand() -> None:
    """发布规范 九/第十三条: manual admission is the 评审制 method."""
    refused(
        AdmitRegistrants(ACTIVITY_ID, (A,)),
        ctx(LEADER, CLOSED, lottery_activity(A)),
        "enrolment.wrong_method",
    )


def test_admitting_beyond_the_capacity_is_refused() -> None:
    """发布规范 九/第十二条: admission stays within 报名人数."""
    error = refused(
        AdmitRegistrants(ACTIVITY_ID, (B, C)),
        ctx(LEADER, CLOSED, review_activity(B, C, admitted=(A,), capacity=2)),
        "activity.admission_over_capacity",
    )
    assert error.details == {"admitted": 1, "adding": 2, "capacity": 2}


def test_admitting_up_to_exactly_the_capacity_is_accepted() -> None:
    """发布规范 九: the last seat can be filled."""
    world = World(review_activity(B, C, admitted=(A,), capacity=2))
    decision = decide(AdmitRegistrants(ACTIVITY_ID, (B,)), world.context(LEADER, CLOSED))
    by = LEADER.person_id
    assert decision == Decision(
        (RegistrantsAdmitted(ACTIVITY_ID, (B,), by, CLOSED),),
        {B: (EnrolmentAdmitted(eid(B), AdmissionMethod.REVIEW, by, CLOSED),)},
    )
    after = world.apply(decision).activity.roster
    assert after.admitted == {A, B}
    assert len(after.admitted) == 2
    assert after.pending == {C}


@pytest.mark.parametrize(
    "who", ["2024999999", A], ids=["never registered", "cancelled (not in the roster)"]
)
def test_admitting_someone_not_awaiting_admission_is_refused(who: str) -> None:
    """第十三条: 录取 is of registrants (报名同学)."""
    error = refused(
        AdmitRegistrants(ACTIVITY_ID, (B, who)),
        ctx(LEADER, CLOSED, review_activity(B, C)),
        "enrolment.not_pending",
    )
    assert error.details["student"] == who


def test_admitting_an_admitted_student_again_changes_nothing() -> None:
    """第十三条: 录取操作不可逆 — and repeating it is harmless."""
    state = review_activity(B, admitted=(A,))
    assert decided(AdmitRegistrants(ACTIVITY_ID, (A,)), ctx(LEADER, CLOSED, state)) == Decision()


def test_admitting_a_batch_with_an_already_admitted_student_admits_only_the_new_ones() -> None:
    """第十三条: a batch that repeats an admission admits only the rest."""
    decision = decided(
        AdmitRegistrants(ACTIVITY_ID, (A, B, B)),
        ctx(LEADER, CLOSED, review_activity(B, admitted=(A,))),
    )
    assert decision.activity == (RegistrantsAdmitted(ACTIVITY_ID, (B,), LEADER.person_id, CLOSED),)
    assert set(decision.enrolments) == {B}


def test_closing_the_review_marks_everyone_else_not_admitted() -> None:
    """第十三条: once the 负责人 has admitted whom they choose, the rest are 未录取."""
    world = World(review_activity(B, C, admitted=(A,), capacity=3))
    decision = decide(CLOSE_REVIEW, world.context(ORGANIZER, CLOSED))
    assert decision == Decision(
        (ReviewClosed(ACTIVITY_ID, (B, C), ORGANIZER.person_id, CLOSED),),
        {
            B: (EnrolmentNotAdmitted(eid(B), CLOSED),),
            C: (EnrolmentNotAdmitted(eid(C), CLOSED),),
        },
    )
    after = world.apply(decision)
    assert after.activity.roster.review_closed
    assert after.activity.roster.admitted == {A}  # 录取操作不可逆
    assert after.enrolments[B].status.label == "未录取"


def test_closing_the_review_waits_until_registration_ends() -> None:
    """第十三条: review admission happens after registration ends."""
    error = refused(
        CLOSE_REVIEW, ctx(LEADER, REGISTERING, review_activity(A)), "enrolment.registration_open"
    )
    assert error.details == {"action_zh": "结束录取", "action_en": "close review"}


def test_closing_the_review_twice_changes_nothing() -> None:
    """第十三条: the review ends once."""
    closed = review_activity(closed=True)
    assert decided(CLOSE_REVIEW, ctx(LEADER, CLOSED, closed)) == Decision()


def test_only_a_manager_closes_the_review() -> None:
    """第十三条: 活动负责人或组织者."""
    error = refused(CLOSE_REVIEW, ctx(OUTSIDER, CLOSED, review_activity(A)), "auth.forbidden")
    assert error.details == {"action": "结束录取 close review"}


def test_admitting_after_the_review_closed_is_refused() -> None:
    """第十三条: after the review is closed nobody more is admitted."""
    world = World(review_activity(A, B)).after(CLOSE_REVIEW, LEADER, CLOSED)
    refused(
        AdmitRegistrants(ACTIVITY_ID, (A,)),
        world.context(LEADER, CLOSED),
        "activity.review_closed",
    )


# -- 申请请假 (第十二条) ---------------------------------------------------------------------------

LEAVE = RequestLeave(ACTIVITY_ID, "家中有急事", ("proof.jpg",))


def admitted_world(leave: LeaveStatus | None = None) -> World:
    """A 报名制 activity where A holds a seat."""
    return World(activity(roster=Roster(admitted=frozenset({A}))), {A: enrolled(A, leave=leave)})


@pytest.mark.parametrize("now", [CLOSES, CLOSED, ONGOING], ids=["报名结束时", "报名结束", "进行中"])
def test_an_admitted_student_requests_leave_between_registration_close_and_activity_end(
    now: datetime,
) -> None:
    """第十二条: 已经报名…临时有事已经无法取消报名，可以…"申请请假"，提交请假理由及证明图片."""
    world = admitted_world()
    decision = decide(LEAVE, world.context(student(A), now))
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
    after = world.apply(decision)
    assert after.enrolments[A].leave is LeaveStatus.REQUESTED
    assert after.enrolments[A].leave_reason == "家中有急事"
    assert not after.enrolments[A].excused  # not until approved


@pytest.mark.parametrize(
    "now", [REGISTERING, ENDS, ENDED], ids=["报名中 (cancel instead)", "at the end", "已结束"]
)
def test_leave_outside_its_window_is_refused(now: datetime) -> None:
    """第十二条: leave is for when one can no longer cancel, and before the activity is over."""
    refused(LEAVE, admitted_world().context(student(A), now), "enrolment.leave_window")


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
    refused(LEAVE, ctx(student(A), CLOSED, state), "enrolment.not_admitted")


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_leave_request_needs_a_reason(reason: str) -> None:
    """第十二条: 提交请假理由."""
    refused(
        RequestLeave(ACTIVITY_ID, reason),
        admitted_world().context(student(A), CLOSED),
        "enrolment.reason_required",
    )


@pytest.mark.parametrize(
    "leave", [LeaveStatus.REQUESTED, LeaveStatus.APPROVED], ids=["awaiting review", "approved"]
)
def test_a_second_leave_request_while_one_stands_is_refused(leave: LeaveStatus) -> None:
    """第十二条: one leave request at a time; an approved leave needs no second one."""
    error = refused(
        LEAVE, admitted_world(leave).context(student(A), CLOSED), "enrolment.leave_exists"
    )
    assert error.details["status"] == leave.label


def test_after_a_rejected_leave_a_new_request_is_allowed() -> None:
    """第十二条: a rejected request may be resubmitted with better reasons or proof."""
    world = admitted_world().after(LEAVE, student(A), CLOSED)
    world = world.after(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason="证明不足"), LEADER, CLOSED
    )
    assert world.enrolments[A].leave is LeaveStatus.REJECTED
    again = world.after(
        RequestLeave(ACTIVITY_ID, "补充医院证明", ("hospital.jpg",)), student(A), CLOSED
    )
    assert again.enrolments[A].leave is LeaveStatus.REQUESTED
    assert again.enrolments[A].leave_reason == "补充医院证明"


@pytest.mark.parametrize("manager", MANAGERS.values(), ids=MANAGERS.keys())
def test_a_manager_approves_a_leave_which_then_takes_effect(manager: Actor) -> None:
    """第十二条: 经负责人或组织者审核批准后，即可生效."""
    world = admitted_world(LeaveStatus.REQUESTED)
    decision = decide(DecideLeave(ACTIVITY_ID, A, approve=True), world.context(manager, ONGOING))
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
    after = world.apply(decision)
    assert after.enrolments[A].leave is LeaveStatus.APPROVED
    assert after.enrolments[A].excused


def test_a_manager_rejects_a_leave_with_a_reason() -> None:
    """第十二条: the 负责人 or 组织者 may refuse a leave, saying why."""
    world = admitted_world(LeaveStatus.REQUESTED).after(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason="证明不足"), ORGANIZER, CLOSED
    )
    assert world.enrolments[A].leave is LeaveStatus.REJECTED
    assert not world.enrolments[A].excused


@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "blank"])
def test_rejecting_a_leave_needs_a_reason(reason: str) -> None:
    """第十二条: a refusal is explained."""
    refused(
        DecideLeave(ACTIVITY_ID, A, approve=False, reason=reason),
        admitted_world(LeaveStatus.REQUESTED).context(LEADER, CLOSED),
        "enrolment.reason_required",
    )


@pytest.mark.parametrize(
    "leave",
    [None, LeaveStatus.APPROVED, LeaveStatus.REJECTED],
    ids=["none", "approved", "rejected"],
)
def test_deciding_without_a_pending_leave_request_is_refused(leave: LeaveStatus | None) -> None:
    """第十二条: only a submitted request is reviewed."""
    refused(
        DecideLeave(ACTIVITY_ID, A, approve=True),
        admitted_world(leave).context(LEADER, CLOSED),
        "enrolment.no_leave",
    )


def test_deciding_a_leave_of_a_student_without_an_enrolment_is_refused() -> None:
    """第十二条: there is no request to review for a student who never registered."""
    refused(
        DecideLeave(ACTIVITY_ID, B, approve=True),
        admitted_world(LeaveStatus.REQUESTED).context(LEADER, CLOSED),
        "enrolment.no_leave",
    )


@pytest.mark.parametrize(
    "actor",
    [student(A), OUTSIDER, SCHOOL_ADMIN],
    ids=["the student themself", "外部学生", "校团委"],
)
def test_only_a_manager_decides_a_leave(actor: Actor) -> None:
    """第十二条: 经负责人或组织者审核."""
    refused(
        DecideLeave(ACTIVITY_ID, A, approve=True),
        admitted_world(LeaveStatus.REQUESTED).context(actor, CLOSED),
        "auth.forbidden",
    )


# -- self-dealing: a manager's own admission or leave needs a second person (ours; 第二十四条) ---

OWN = ORGANIZER.person_id  # an organizer of the host tribe who also takes part


def _allowing_self_review(context_: ActivityFacts) -> ActivityFacts:
    rulebook = attrs.evolve(context_.base.rulebook, allow_self_review=True)
    return attrs.evolve(context_, base=attrs.evolve(context_.base, rulebook=rulebook))


def _own_leave_world() -> World:
    """A 报名制 activity where the organizer holds a seat and has asked for leave."""
    return World(
        activity(roster=Roster(admitted=frozenset({OWN}))),
        {OWN: enrolled(OWN, leave=LeaveStatus.REQUESTED)},
    )


def test_a_manager_does_not_admit_themselves() -> None:
    """第十三条 / 第二十四条: under 评审制 an organizer is admitted by another manager."""
    error = refused(
        AdmitRegistrants(ACTIVITY_ID, (B, OWN)),
        World(review_activity(OWN, B)).context(ORGANIZER, CLOSED),
        "enrolment.self_dealing",
    )
    assert error.details == {"student": OWN}


def test_another_manager_admits_an_organizer_who_registered() -> None:
    """第十三条: the leader admits the organizer; the organizer's enrolment records who did."""
    decision = decided(
        AdmitRegistrants(ACTIVITY_ID, (OWN,)),
        World(review_activity(OWN, B)).context(LEADER, CLOSED),
    )
    assert decision.activity == (
        RegistrantsAdmitted(ACTIVITY_ID, (OWN,), LEADER.person_id, CLOSED),
    )
    assert decision.enrolments == {
        OWN: (EnrolmentAdmitted(eid(OWN), AdmissionMethod.REVIEW, LEADER.person_id, CLOSED),)
    }


def test_a_school_may_let_a_manager_admit_themselves() -> None:
    """``allow_self_review``: a school where one person runs and attends switches it on."""
    context_ = _allowing_self_review(World(review_activity(OWN, B)).context(ORGANIZER, CLOSED))
    decision = decided(AdmitRegistrants(ACTIVITY_ID, (OWN,)), context_)
    assert decision.activity == (RegistrantsAdmitted(ACTIVITY_ID, (OWN,), OWN, CLOSED),)


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_a_manager_does_not_decide_their_own_leave(approve: bool) -> None:
    """第十二条 / 第二十四条: an approved leave excuses a no-show, so it is someone else's call."""
    error = refused(
        DecideLeave(ACTIVITY_ID, OWN, approve=approve, reason="" if approve else "不批"),
        _own_leave_world().context(ORGANIZER, CLOSED),
        "enrolment.self_dealing",
    )
    assert error.details == {"student": OWN}


def test_another_manager_decides_an_organizers_leave() -> None:
    """第十二条: 经负责人或组织者审核批准后，即可生效 — by a manager other than the applicant."""
    world = _own_leave_world().after(DecideLeave(ACTIVITY_ID, OWN, approve=True), LEADER, CLOSED)
    assert world.enrolments[OWN].leave is LeaveStatus.APPROVED
    assert world.enrolments[OWN].excused


def test_a_school_may_let_a_manager_decide_their_own_leave() -> None:
    """``allow_self_review`` covers one's own leave too."""
    context_ = _allowing_self_review(_own_leave_world().context(ORGANIZER, CLOSED))
    decision = decided(DecideLeave(ACTIVITY_ID, OWN, approve=True), context_)
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
    world = World(activity(capacity=capacity, waitlist=True))
    cancelled: set[str] = set()
    for number, registering in moves:
        command = REGISTER if registering else CANCEL
        try:
            world = world.after(command, student(number), REGISTERING)
        except DomainError:
            continue
        (cancelled.discard if registering else cancelled.add)(number)
        roster = world.activity.roster
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
