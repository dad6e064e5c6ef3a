"""颁发奖项 / 发放学分 and 完结活动: the results of an activity and the records they leave.

第十八条: 活动结束后，活动负责人……颁发奖项/发放学分, 可选择指定成员，也可批量选择成员;
奖项颁发错误无法撤回，学分发放错误可以撤回. 第十九条: 活动负责人……点击“完结活动”，生成相关人员
的活动记录; 记录一旦生成，活动将被冻结，无法继续进行颁奖和学分操作. 发布规范 十三 (一等奖一人(组),
二等奖两人(组), 三等奖三人(组), 优秀奖四人(组)) and 十四 (学分按照《素质考评办法》申请); seed 002
(合肥工业大学: 活动结束后10个工作日内务必上传认定成绩); seed 003 (素质拓展学分不设上限).

Each test builds an approved, ended activity directly (roster, attendance, results), decides one
command with ``given_activity(...).when(command, actor, now)`` and checks the Decision, or folds the
decided events with the Activity's ``evolve`` to check the state they lead to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import activity as activity_aggregate
from second_classroom.aggregates import activity_results, checkin, results
from second_classroom.aggregates import student as student_aggregate
from second_classroom.aggregates.activity import (
    Activity,
    ActivityStatus,
    CancelActivity,
)
from second_classroom.aggregates.activity_attendance import Attendance, Session, SessionKind
from second_classroom.aggregates.activity_facts import Decision, Involved
from second_classroom.aggregates.activity_record import ActivityRecord, ledger
from second_classroom.aggregates.activity_results import (
    ActivityFinalized,
    AwardIssued,
    CreditsGranted,
    CreditsRevoked,
    Results,
    evolve_results,
)
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import (
    FinalizeActivity,
    GrantCredits,
    IssueAward,
    ResultsCommand,
    RevokeCredits,
    attended,
    record_of,
    results_deadline,
    results_overdue,
)
from second_classroom.aggregates.student import ActivityRecorded, StudentRecord
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AttendanceOutcome,
    ParticipationScope,
    TribeLevel,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import publishing
from second_classroom.policies.activity_form import (
    ActivityForm,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.policies.calendar import add_working_days
from second_classroom.policies.rulebook import AwardQuota, CategoryWindow, Rulebook, preset
from tests.aggregates.activity_fixtures import (
    ACTIVITY_ID,
    FORM,
    LEADER,
    ORGANIZER,
    OUTSIDER,
    SCHOOL_TRIBE,
    TRIBE,
    TRIBE_ADMIN,
    actx,
    record,
    tribe_actor,
)
from tests.specification import (
    NEPU,
    PE_ADMIN,
    SCHOOL_ADMIN,
    WhenActivity,
    at,
    given_activity,
)

HFUT: Rulebook = preset("hfut")

# -- the calendar of FORM: activity Thursday 12-03 14:00-16:00 -------------------------------------

STARTS = at(12, 3, 14)
ENDS = at(12, 3, 16)
BEFORE_END = at(12, 3, 15, 59)
AFTER = at(12, 4, 9)  # the next morning: results time

A, B, C, D = "2023020201", "2023020202", "2023020203", "2023020204"  # D is never admitted
FORM_ORGANIZER = Actor.student("2023010103")  # listed in the form's organizers, no tribe role
OTHER_TRIBE_LEADER = tribe_actor("2022000001", SCHOOL_TRIBE)

FIRST = PlannedAward("一等奖", 1, Decimal("2"))
SECOND = PlannedAward("二等奖", 2, Decimal("1"))
MERIT = PlannedAward("优秀奖", 4)  # carries no credit
PARTICIPATION = FORM.plan.credits  # skills / 学分 / 0.5
PLAN = AwardPlan(awards=(FIRST, SECOND, MERIT), credits=PARTICIPATION)
# The tribe organizer 2023010102 is not listed here, so it manages by its tribe role alone.
RESULTS_FORM = attrs.evolve(FORM, plan=PLAN, organizers=("2023010103", "2023010105"))

CHECK_IN = Session(1, SessionKind.CHECK_IN, STARTS, STARTS + timedelta(minutes=10), True, None, 15)
REASON = "学分发放错误"


def activity(
    *,
    admitted: Iterable[str] = (A, B, C),
    present: Iterable[str] = (A, B),
    made_up: Iterable[str] = (),
    flagged: Iterable[str] = (),
    outcomes: Mapping[str, AttendanceOutcome] | None = None,
    form: ActivityForm = RESULTS_FORM,
    status: ActivityStatus = ActivityStatus.APPROVED,
    awards: Iterable[tuple[str, str]] = (),
    holders: Iterable[str] = (),
    finalized: bool = False,
) -> Activity:
    """The activity with ``admitted`` students, their attendance and the results so far.

    ``outcomes`` given means attendance was closed with those outcomes.
    """
    attendance = Attendance(
        sessions=(CHECK_IN,),
        present=frozenset((1, s) for s in (*present, *flagged)),
        flagged=frozenset((1, s) for s in flagged),
        made_up=frozenset(made_up),
        outcomes=tuple(sorted((outcomes or {}).items())),
        closed=outcomes is not None,
    )
    return attrs.evolve(
        Activity(ACTIVITY_ID, TRIBE.id, form, status=status),
        roster=Roster(admitted=frozenset(admitted)),
        attendance=attendance,
        results=Results(awards=tuple(awards), credits=frozenset(holders), finalized=finalized),
    )


def closed(**changes: Any) -> Activity:
    """The activity after attendance closed: the checked-in and made-up attended, the rest
    were no-shows."""
    state = activity(**changes)
    book = state.attendance
    outcomes = {
        s: AttendanceOutcome.ATTENDED if attended(state, s) else AttendanceOutcome.NO_SHOW
        for s in state.roster.admitted
    }
    return attrs.evolve(
        state,
        attendance=attrs.evolve(book, outcomes=tuple(sorted(outcomes.items())), closed=True),
    )


def deciding(
    command: object,
    state: Activity | None,
    actor: Actor = LEADER,
    now: datetime = AFTER,
    rulebook: Rulebook = NEPU,
    records: Mapping[str, StudentRecord] | None = None,
) -> WhenActivity:
    """``command`` by ``actor`` (the leader) at ``now`` (the morning after) on ``state``; every
    admitted student has a record."""
    admitted = state.roster.admitted if state is not None else ()
    if records is None:
        records = {n: record(n) for n in admitted}
    given = given_activity(state, tribe=TRIBE, records=records, rulebook=rulebook)
    return given.when(command, actor, now)


def apply(state: Activity, decision: Decision) -> Activity:
    """The activity after the decision's events, folded by the Activity's own evolve."""
    for event in decision.activity:
        state = activity_aggregate.evolve(state, event)
    return state


def run(state: Activity, *commands: ResultsCommand, actor: Actor = LEADER) -> Activity:
    """The activity after ``commands``, each decided and applied in turn."""
    for command in commands:
        state = apply(state, deciding(command, state, actor).decision())
    return state


def award(name: str, *students: str) -> IssueAward:
    return IssueAward(ACTIVITY_ID, name, students)


def grant(*students: str) -> GrantCredits:
    return GrantCredits(ACTIVITY_ID, students)


def revoke(*students: str, reason: str = REASON) -> RevokeCredits:
    return RevokeCredits(ACTIVITY_ID, students, reason)


FINALIZE = FinalizeActivity(ACTIVITY_ID)
EVERY_COMMAND: tuple[ResultsCommand, ...] = (award("一等奖", A), grant(A), revoke(A), FINALIZE)
# 第十八条 names the 活动负责人: the host tribe's leaders and admins issue results. The organizers
# do only when the rulebook delegates it (``[results] organizers_issue_results``).
MANAGERS = {
    "leader": LEADER,
    "tribe admin": TRIBE_ADMIN,
}
ORGANIZERS = {
    "tribe organizer": ORGANIZER,
    "organizer listed in the form": FORM_ORGANIZER,
}
DELEGATING = attrs.evolve(NEPU, results=attrs.evolve(NEPU.results, organizers_issue_results=True))
NOT_MANAGERS = {
    "college admin": PE_ADMIN,
    "school admin": SCHOOL_ADMIN,
    "participating student": Actor.student(A),
    "outsider": OUTSIDER,
    "another tribe's leader": OTHER_TRIBE_LEADER,
}


def finalized_record(decision: Decision, student: str) -> ActivityRecord:
    (event,) = decision.records[student]
    assert isinstance(event, ActivityRecorded)
    return event.record


# -- when and on what (第十八条: 活动结束后) -------------------------------------------------------


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: type(c).__name__)
def test_results_wait_until_the_activity_has_ended(command: ResultsCommand) -> None:
    """第十八条: 活动结束后 — a minute before the end every results command is refused."""
    state = closed(awards=[("二等奖", A)], holders=[A])
    deciding(command, state, now=BEFORE_END).raises("results.not_ended")


def test_results_may_be_issued_from_the_moment_the_activity_ends() -> None:
    """第十八条: 活动结束后 — the end itself already counts."""
    deciding(grant(A), activity(), now=ENDS).then(
        (CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, LEADER.person_id, ENDS),)
    )


@pytest.mark.parametrize(
    "status",
    [ActivityStatus.DRAFT, ActivityStatus.PENDING_COLLEGE, ActivityStatus.CANCELLED],
)
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: type(c).__name__)
def test_results_need_a_published_activity(command: ResultsCommand, status: ActivityStatus) -> None:
    """第十八条 follows an activity that took place: unpublished or cancelled ones have none."""
    state = closed(status=status, holders=[A])
    deciding(command, state).raises("activity.not_published")


def test_results_for_a_missing_activity_are_refused() -> None:
    error = deciding(grant(A), None).raises("activity.not_found")
    assert error.details == {"activity_id": str(ACTIVITY_ID)}


def test_a_command_that_is_not_a_results_command_is_a_programming_error() -> None:
    """results' own ``decide`` names a command it does not know (after the guard)."""
    stray = SimpleNamespace(activity_id=ACTIVITY_ID)
    facts = given_activity(activity(), tribe=TRIBE).facts(LEADER, AFTER)
    with pytest.raises(AssertionError, match=r"^unhandled command namespace\(activity_id="):
        results.decide(stray, facts)  # type: ignore[arg-type]


# -- who (第十八条: 活动负责人; 第十三条 / 发布规范 四: 组织者) ------------------------------------


@pytest.mark.parametrize("actor", MANAGERS.values(), ids=MANAGERS.keys())
def test_activity_managers_issue_awards(actor: Actor) -> None:
    """第十八条: the 活动负责人 — the host tribe's leader and admins."""
    deciding(award("一等奖", A), activity(), actor).then(
        (AwardIssued(ACTIVITY_ID, "一等奖", (A,), actor.person_id, AFTER),)
    )


@pytest.mark.parametrize("actor", MANAGERS.values(), ids=MANAGERS.keys())
def test_activity_managers_grant_credits(actor: Actor) -> None:
    """第十八条: 发放学分 is a management action of the 活动负责人."""
    deciding(grant(A), activity(), actor).then(
        (CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, actor.person_id, AFTER),)
    )


@pytest.mark.parametrize("actor", MANAGERS.values(), ids=MANAGERS.keys())
def test_activity_managers_revoke_credits(actor: Actor) -> None:
    """第十八条: 学分发放错误可以撤回, by those who may grant them."""
    deciding(revoke(A), activity(holders=[A]), actor).then(
        (CreditsRevoked(ACTIVITY_ID, (A,), REASON, actor.person_id, AFTER),)
    )


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_others_cannot_issue_awards(actor: Actor) -> None:
    """第十八条: only the activity's own managers issue awards — not even a college admin."""
    deciding(award("一等奖", A), activity(), actor).raises("auth.forbidden")


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_others_cannot_grant_credits(actor: Actor) -> None:
    """第十八条: only the activity's own managers grant credits."""
    deciding(grant(A), activity(), actor).raises("auth.forbidden")


@pytest.mark.parametrize("actor", NOT_MANAGERS.values(), ids=NOT_MANAGERS.keys())
def test_others_cannot_revoke_credits(actor: Actor) -> None:
    """第十八条: only the activity's own managers revoke credits."""
    deciding(revoke(A), activity(holders=[A]), actor).raises("auth.forbidden")


# -- 颁发奖项 (第十八条, 发布规范 十三) ------------------------------------------------------------


def test_an_award_is_issued_to_chosen_members_in_one_batch() -> None:
    """第十八条: 可选择指定成员，也可批量选择成员."""
    decision = deciding(award("二等奖", A, B), activity()).decision()
    assert decision.activity == (
        AwardIssued(ACTIVITY_ID, "二等奖", (A, B), LEADER.person_id, AFTER),
    )
    assert decision.records == {}


def test_issued_awards_are_held_in_issue_order() -> None:
    state = run(activity(), award("二等奖", B), award("一等奖", A), award("二等奖", C))
    assert state.results.awards == (("二等奖", B), ("一等奖", A), ("二等奖", C))
    assert state.results.holders("二等奖") == [B, C]
    assert state.results.awards_of(A) == ("一等奖",)


def test_a_student_chosen_twice_in_one_batch_is_awarded_once() -> None:
    """A repeated name counts once, so it neither fails the quota nor doubles the award."""
    deciding(award("一等奖", A, A), activity()).then(
        (AwardIssued(ACTIVITY_ID, "一等奖", (A,), LEADER.person_id, AFTER),)
    )


def test_an_award_the_activity_does_not_offer_is_refused() -> None:
    """发布规范 十三: awards are those set in the form (活动奖项), nothing else."""
    error = deciding(award("特等奖", A), activity()).raises("results.award_unknown")
    assert error.details["award"] == "特等奖"


def test_an_award_to_nobody_is_refused() -> None:
    deciding(award("一等奖"), activity()).raises("results.nobody")


def test_an_award_may_fill_its_quota_exactly() -> None:
    """发布规范 十三: 二等奖，两人(组)."""
    state = run(activity(), award("二等奖", A), award("二等奖", B))
    assert state.results.holders("二等奖") == [A, B]


def test_an_award_quota_counts_every_earlier_issue() -> None:
    """发布规范 十三: 二等奖，两人(组) — one issued, two more asked is one too many."""
    state = run(activity(), award("二等奖", A))
    error = deciding(award("二等奖", B, C), state).raises("results.award_over_quota")
    assert error.details == {"award": "二等奖", "quota": 2, "issued": 1, "adding": 2}


def test_a_single_batch_above_the_quota_is_refused() -> None:
    """发布规范 十三: 一等奖，一人(组)."""
    error = deciding(award("一等奖", A, B), activity()).raises("results.award_over_quota")
    assert (error.details["issued"], error.details["adding"]) == (0, 2)


def test_a_student_holding_an_award_of_this_activity_gets_no_other() -> None:
    """One award per student per activity: 优秀奖 held, 一等奖 is refused."""
    error = deciding(award("一等奖", A), activity(awards=[("优秀奖", A)])).raises(
        "results.already_awarded"
    )
    assert error.details == {"student": A, "award": "优秀奖"}


def test_the_same_award_is_not_issued_twice_to_one_student() -> None:
    error = deciding(award("优秀奖", B, A), activity(awards=[("优秀奖", A)])).raises(
        "results.already_awarded"
    )
    assert error.details["student"] == A


def test_awards_go_only_to_admitted_participants() -> None:
    error = deciding(award("二等奖", A, D), activity()).raises("results.not_participant")
    assert error.details["student"] == D


def test_there_is_no_command_to_take_an_award_back() -> None:
    """第十八条: 奖项颁发错误无法撤回 — the only undo is for credits."""
    assert set(results.COMMANDS) == {IssueAward, GrantCredits, RevokeCredits, FinalizeActivity}


def test_revoking_credits_leaves_awards_untouched() -> None:
    """第十八条: 奖项颁发错误无法撤回, 学分发放错误可以撤回 — a revocation touches credits only."""
    before = activity(awards=[("一等奖", A), ("二等奖", B)], holders=[A, B])
    after = run(before, revoke(A, B))
    assert after.results.awards == before.results.awards
    assert after.results.credits == frozenset()


# -- 发放学分 (第十八条) ---------------------------------------------------------------------------


def test_credits_are_granted_in_one_batch_to_attendees() -> None:
    """第十八条: 批量选择成员，再点击……发放学分 — the planned credits, to each."""
    decision = deciding(grant(A, B), activity()).decision()
    assert decision.activity == (
        CreditsGranted(ACTIVITY_ID, (A, B), PARTICIPATION, LEADER.person_id, AFTER),
    )
    assert apply(activity(), decision).results.credits == {A, B}


def test_a_made_up_student_gets_credits() -> None:
    """第十六条: 补签 counts as attending, so 补签 students get their credits too."""
    deciding(grant(C), activity(made_up=[C])).then(
        (CreditsGranted(ACTIVITY_ID, (C,), PARTICIPATION, LEADER.person_id, AFTER),)
    )


def test_a_student_who_neither_checked_in_nor_was_made_up_gets_no_credits() -> None:
    error = deciding(grant(A, C), activity()).raises("results.not_attended")
    assert error.details["student"] == C


@pytest.mark.parametrize(
    ("outcome", "granted"),
    [
        (AttendanceOutcome.ATTENDED, True),
        (AttendanceOutcome.NO_SHOW, False),
        (AttendanceOutcome.SIGNED_OFF, False),
        (AttendanceOutcome.EXCUSED, False),
    ],
)
def test_after_attendance_closes_the_outcome_decides(
    outcome: AttendanceOutcome, granted: bool
) -> None:
    """Once attendance is closed, the recorded outcome — not the raw scan — decides."""
    state = activity(
        present=[A],
        outcomes={A: outcome, B: AttendanceOutcome.NO_SHOW, C: AttendanceOutcome.NO_SHOW},
    )
    assert attended(state, A) is granted
    if granted:
        deciding(grant(A), state).then(
            (CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, LEADER.person_id, AFTER),)
        )
    else:
        deciding(grant(A), state).raises("results.not_attended")


def test_a_checked_in_student_closed_as_attended_gets_credits_without_the_scan() -> None:
    """The closed outcome decides in the student's favour too."""
    state = activity(present=[], outcomes={A: AttendanceOutcome.ATTENDED})
    deciding(grant(A), state).then(
        (CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, LEADER.person_id, AFTER),)
    )


def test_a_made_up_student_signed_off_gets_no_credits_once_attendance_is_closed() -> None:
    """第十六条: no make-up undoes a sign-off; after closing, the outcome (被签退) decides."""
    state = activity(present=[], made_up=[A], outcomes={A: AttendanceOutcome.SIGNED_OFF})
    deciding(grant(A), state).raises("results.not_attended")


def test_a_flagged_check_in_waits_for_review() -> None:
    """A check-in the anomaly rule flagged counts only after the organizer accepts it."""
    error = deciding(grant(A, C), activity(flagged=[C])).raises("results.checkin_under_review")
    assert error.details["student"] == C


def test_without_the_attendance_rule_any_admitted_student_gets_credits() -> None:
    """A school may grant credits without check-in (ResultsRule.credits_require_attendance)."""
    lenient = attrs.evolve(
        NEPU, results=attrs.evolve(NEPU.results, credits_require_attendance=False)
    )
    (event,) = deciding(grant(C), activity(), rulebook=lenient).decision().activity
    assert event == CreditsGranted(ACTIVITY_ID, (C,), PARTICIPATION, LEADER.person_id, AFTER)


def test_without_the_attendance_rule_outsiders_still_get_no_credits() -> None:
    lenient = attrs.evolve(
        NEPU, results=attrs.evolve(NEPU.results, credits_require_attendance=False)
    )
    deciding(grant(D), activity(), rulebook=lenient).raises("results.not_participant")


def test_credits_go_only_to_admitted_participants() -> None:
    error = deciding(grant(A, D), activity(present=[A, D])).raises("results.not_participant")
    assert error.details["student"] == D


def test_granting_again_to_holders_changes_nothing() -> None:
    """Idempotent: pressing 发放学分 twice grants nothing the second time."""
    deciding(grant(A, B), activity(holders=[A, B])).then_nothing()


def test_a_grant_mixing_holders_and_newcomers_grants_only_the_newcomers() -> None:
    deciding(grant(A, B), activity(holders=[A])).then(
        (CreditsGranted(ACTIVITY_ID, (B,), PARTICIPATION, LEADER.person_id, AFTER),)
    )


def test_an_activity_without_planned_credits_grants_none() -> None:
    """发布规范 十四: credits are those planned in the form; none planned, none granted."""
    no_credits = attrs.evolve(RESULTS_FORM, plan=AwardPlan(awards=PLAN.awards))
    deciding(grant(A), activity(form=no_credits)).raises("results.no_credits")


def test_a_grant_to_nobody_is_refused() -> None:
    deciding(grant(), activity()).raises("results.nobody")


# -- 撤回学分 (第十八条: 学分发放错误可以撤回) -----------------------------------------------------


def test_revoking_credits_removes_the_holder() -> None:
    state = activity(holders=[A, B])
    decision = deciding(revoke(A), state).decision()
    assert decision.activity == (
        CreditsRevoked(ACTIVITY_ID, (A,), REASON, LEADER.person_id, AFTER),
    )
    assert apply(state, decision).results.credits == {B}


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_credits_needs_a_reason(reason: str) -> None:
    deciding(revoke(A, reason=reason), activity(holders=[A])).raises("results.reason_required")


def test_only_a_current_holder_can_have_credits_revoked() -> None:
    error = deciding(revoke(A, B), activity(holders=[A])).raises("results.not_granted")
    assert error.details["student"] == B


def test_credits_cannot_be_revoked_twice() -> None:
    state = run(activity(holders=[A]), revoke(A))
    deciding(revoke(A), state).raises("results.not_granted")


def test_a_revocation_of_nobody_is_refused() -> None:
    deciding(revoke(), activity(holders=[A])).raises("results.nobody")


def test_revoked_credits_can_be_granted_again() -> None:
    """A mistaken revocation is corrected by granting again."""
    state = run(activity(holders=[A]), revoke(A), grant(A))
    assert state.results.credits == {A}


# -- 完结活动 (第十九条) ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [LEADER, TRIBE_ADMIN], ids=["leader", "tribe admin"])
def test_the_host_tribes_leader_or_admin_finalizes(actor: Actor) -> None:
    """第十九条: 活动负责人……点击“完结活动”."""
    (event,) = deciding(FINALIZE, closed(), actor).decision().activity
    assert event == ActivityFinalized(ACTIVITY_ID, (A, B, C), actor.person_id, AFTER)


FINALIZE_REFUSED = {
    "tribe organizer": ORGANIZER,
    "organizer listed in the form": FORM_ORGANIZER,
    **NOT_MANAGERS,
}


@pytest.mark.parametrize("actor", FINALIZE_REFUSED.values(), ids=FINALIZE_REFUSED.keys())
def test_organizers_and_everyone_else_cannot_finalize(actor: Actor) -> None:
    """第十九条 names 活动负责人: an organizer may issue results but not finalize."""
    deciding(FINALIZE, closed(), actor).raises("auth.forbidden")


def test_finalizing_waits_for_attendance_to_close() -> None:
    """Records carry the outcome (第十九条), so the outcomes must be settled first."""
    deciding(FINALIZE, activity()).raises("results.attendance_open")


def test_finalizing_lists_every_admitted_participant_no_show_included() -> None:
    """第十九条: 生成相关人员的活动记录 — everyone admitted, whatever their outcome."""
    (event,) = deciding(FINALIZE, closed(present=[A])).decision().activity
    assert event == ActivityFinalized(ACTIVITY_ID, (A, B, C), LEADER.person_id, AFTER)


def test_the_participants_to_load_for_finalizing_are_the_admitted() -> None:
    assert results.students_involved(FINALIZE, closed()) == {A, B, C}
    assert results.students_involved(grant(A), closed()) == set()


def test_finalizing_writes_one_activity_record_per_participant() -> None:
    """第十九条: 生成相关人员的活动记录."""
    decision = deciding(FINALIZE, closed()).decision()
    assert set(decision.records) == {A, B, C}
    for student, events in decision.records.items():
        (event,) = events
        assert isinstance(event, ActivityRecorded)
        assert event.student_id == record(student).id
        assert event.at == AFTER


def test_the_record_carries_the_activity_itself() -> None:
    """第二十条: 活动记录 — what, which module and level, when, how long, when finalized."""
    entry = finalized_record(deciding(FINALIZE, closed()).decision(), A)
    assert entry.activity_id == ACTIVITY_ID
    assert entry.title == FORM.title
    assert entry.module == "skills"
    assert entry.level == ActivityLevel.COLLEGE
    assert (entry.starts_at, entry.ends_at) == (STARTS, ENDS)
    assert entry.hours == Decimal("2.00")  # 14:00-16:00
    assert entry.finalized_at == AFTER


def test_a_multi_day_activity_records_its_days_times_the_hours_per_day() -> None:
    """002 一 4) 建议一天按8学时记录: a practice from 12-03 08:00 to 12-05 18:00 spans 58 clock
    hours; it records 3 days × 8 = 24 学时."""
    form = attrs.evolve(
        RESULTS_FORM,
        starts_at=datetime(2026, 12, 3, 8, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 12, 5, 18, tzinfo=SHANGHAI),
    )
    state = activity(
        form=form, outcomes={A: AttendanceOutcome.ATTENDED, B: AttendanceOutcome.ATTENDED}
    )
    assert record_of(state, A, HFUT, AFTER).hours == Decimal("24.00")


def test_the_hours_per_day_is_rulebook_data() -> None:
    """The 8 of 002 一 4) is HFUT's; a school setting 6 gets 3 × 6 = 18 学时, and a span that
    crosses midnight in Shanghai counts each day's clock hours (2 + 2), not two days × 6."""
    from second_classroom.policies.rulebook import HoursRule

    six = attrs.evolve(HFUT, hours=HoursRule(Decimal(6)))
    starts = datetime(2026, 12, 3, 8, tzinfo=SHANGHAI)
    assert six.hours.of(starts, starts + timedelta(hours=58)) == Decimal("18.00")
    late = datetime(2026, 12, 3, 22, tzinfo=SHANGHAI)
    assert six.hours.of(late, late + timedelta(hours=4)) == Decimal("4.00")


@pytest.mark.parametrize(
    ("starts", "ends", "hours"),
    [
        ((12, 3, 8, 0), (12, 5, 18, 0), "24.00"),  # 8 + 8 + 8: each day holds ≥ 8 clock hours
        ((12, 3, 23, 50), (12, 4, 0, 10), "0.33"),  # 10 + 10 minutes, not 2 days × 8
        ((12, 3, 23, 0), (12, 4, 1, 0), "2.00"),  # 1 + 1
        ((12, 3, 7, 0), (12, 3, 19, 0), "8.00"),  # one day counts at most 8
    ],
)
def test_each_calendar_day_counts_its_clock_hours_up_to_the_hours_per_day(
    starts: tuple[int, int, int, int], ends: tuple[int, int, int, int], hours: str
) -> None:
    """Given HFUT's 8 per day (002 一 4) 建议一天按8学时记录), when a span is counted, then each
    Shanghai calendar day it touches counts min(8, its clock hours within the span): a few
    minutes across midnight are not 16 学时."""
    first = datetime(2026, *starts, tzinfo=SHANGHAI)
    last = datetime(2026, *ends, tzinfo=SHANGHAI)
    assert HFUT.hours.of(first, last) == Decimal(hours)


def test_a_same_day_activity_records_its_clock_span() -> None:
    """A lecture 14:00-16:00 is 2 学时: under the day's 8 (002 一 4) speaks of days)."""
    assert record_of(closed(), A, HFUT, AFTER).hours == Decimal("2.00")


def test_the_record_of_an_attendee_holds_outcome_award_and_credits() -> None:
    """第十九条: the record holds the outcome, the award, the participation credit and the
    award's own credit (发布规范 十三 奖品: 可以直接写获得的学分), in the activity's module."""
    state = closed(awards=[("一等奖", A)], holders=[A])
    entry = finalized_record(deciding(FINALIZE, state).decision(), A)
    assert entry.outcome is AttendanceOutcome.ATTENDED
    assert entry.awards == ("一等奖",)
    assert entry.credits == (
        PlannedCredit("skills", "学分", Decimal("0.5")),
        PlannedCredit("skills", "学分", Decimal("2")),
    )


def test_an_award_without_credit_adds_no_credit() -> None:
    state = closed(awards=[("优秀奖", B)], holders=[B])
    entry = finalized_record(deciding(FINALIZE, state).decision(), B)
    assert entry.awards == ("优秀奖",)
    assert entry.credits == PARTICIPATION


def test_a_student_whose_credits_were_revoked_gets_a_record_without_them() -> None:
    """第十八条: 学分发放错误可以撤回 — and what was revoked never reaches the record."""
    state = run(closed(holders=[A, B]), revoke(A))
    entry = finalized_record(deciding(FINALIZE, state).decision(), A)
    assert entry.outcome is AttendanceOutcome.ATTENDED
    assert entry.credits == ()


def test_a_no_show_gets_a_record_without_awards_or_credits() -> None:
    """第二十条: 活动记录中包含所有参加过的活动 — a no-show's record says so."""
    entry = finalized_record(deciding(FINALIZE, closed()).decision(), C)
    assert (entry.outcome, entry.awards, entry.credits) == (AttendanceOutcome.NO_SHOW, (), ())


def test_record_of_matches_what_finalizing_writes() -> None:
    state = closed(awards=[("二等奖", B)], holders=[A, B])
    decision = deciding(FINALIZE, state).decision()
    for student in (A, B, C):
        assert finalized_record(decision, student) == record_of(state, student, NEPU, AFTER)


def test_finalizing_freezes_the_activity() -> None:
    """第十九条: 记录一旦生成，活动将被冻结."""
    state = run(closed(), FINALIZE)
    assert state.frozen
    assert state.results.finalized


def test_the_record_enters_the_students_transcript() -> None:
    """第二十条: 可以查询……获得的学分 — the record adds its credits to the student's ledger."""
    state = closed(awards=[("一等奖", A)], holders=[A])
    (event,) = deciding(FINALIZE, state).decision().records[A]
    transcript = student_aggregate.evolve(record(A), event)
    assert transcript.activities == (finalized_record(deciding(FINALIZE, state).decision(), A),)
    assert transcript.credits() == {("skills", "学分"): Decimal("2.5")}


# -- frozen (第十九条: 无法继续进行颁奖和学分操作) -------------------------------------------------

FROZEN_STATE = closed(awards=[("一等奖", A)], holders=[A, B], finalized=True)


@pytest.mark.parametrize(
    "command",
    [award("二等奖", B), grant(A, B), revoke(A), FINALIZE],
    ids=lambda c: type(c).__name__,
)
def test_a_finalized_activity_refuses_every_results_command(command: ResultsCommand) -> None:
    """第十九条: 活动将被冻结，无法继续进行颁奖和学分操作 — finalizing again included."""
    deciding(command, FROZEN_STATE).raises("activity.frozen")


@pytest.mark.parametrize(
    "command",
    [
        checkin.CloseAttendance(ACTIVITY_ID),
        checkin.MakeUpCheckIn(ACTIVITY_ID, C, "忘记签到"),
    ],
    ids=lambda c: type(c).__name__,
)
def test_a_finalized_activity_refuses_check_in_management(
    command: checkin.CheckInCommand,
) -> None:
    """第十九条: the attendance behind the records can no longer change."""
    given = given_activity(FROZEN_STATE, tribe=TRIBE, secret=bytes(32))
    given.when(command, LEADER, AFTER).raises("activity.frozen")


def test_a_finalized_activity_refuses_registration() -> None:
    """第十九条: nothing more happens to a frozen activity, registration included."""
    given = given_activity(FROZEN_STATE, tribe=TRIBE, records={D: record(D)})
    given.when(Register(ACTIVITY_ID), Actor.student(D), AFTER).raises("activity.frozen")


def test_a_finalized_activity_cannot_be_cancelled() -> None:
    """第十九条: a finalized activity's records stand; it cannot be cancelled afterwards."""
    with pytest.raises(DomainError) as caught:
        activity_aggregate.decide(
            CancelActivity(ACTIVITY_ID, "误操作"), FROZEN_STATE, actx(LEADER, AFTER)
        )
    assert caught.value.code == "activity.frozen"


# -- the ledger (evolve_results) -------------------------------------------------------------------


def test_the_results_ledger_folds_each_event() -> None:
    events: list[activity_results.ResultsEvent] = [
        AwardIssued(ACTIVITY_ID, "二等奖", (A, B), LEADER.person_id, AFTER),
        CreditsGranted(ACTIVITY_ID, (A, B, C), PARTICIPATION, LEADER.person_id, AFTER),
        CreditsRevoked(ACTIVITY_ID, (B,), REASON, LEADER.person_id, AFTER),
        ActivityFinalized(ACTIVITY_ID, (A, B, C), LEADER.person_id, AFTER),
    ]
    ledger_ = Results()
    for event in events:
        ledger_ = evolve_results(ledger_, event)
    assert ledger_ == Results(
        awards=(("二等奖", A), ("二等奖", B)), credits=frozenset({A, C}), finalized=True
    )


def test_the_results_ledger_names_an_event_it_does_not_know() -> None:
    with pytest.raises(AssertionError, match=r"^unhandled event 'awarded'$"):
        evolve_results(Results(), "awarded")  # type: ignore[arg-type]


# -- the credit ledger (第二十条; seed 003: 不设上限) ----------------------------------------------


def _entry(*credits: PlannedCredit) -> ActivityRecord:
    return ActivityRecord(
        ACTIVITY_ID,
        FORM.title,
        "skills",
        ActivityLevel.COLLEGE,
        STARTS,
        ENDS,
        Decimal("2.00"),
        AttendanceOutcome.ATTENDED,
        (),
        credits,
        AFTER,
    )


def test_student_credits_are_summed_per_module_and_type() -> None:
    """第二十条: 查询……获得的学分, per module and credit type."""
    transcript = attrs.evolve(
        record(A),
        activities=(
            _entry(PlannedCredit("skills", "学分", Decimal("0.5"))),
            _entry(
                PlannedCredit("skills", "学分", Decimal("2")),
                PlannedCredit("ideology", "学分", Decimal("1")),
            ),
            _entry(PlannedCredit("skills", "学时", Decimal("3"))),
        ),
    )
    assert transcript.credits() == {
        ("skills", "学分"): Decimal("2.5"),
        ("ideology", "学分"): Decimal("1"),
        ("skills", "学时"): Decimal("3"),
    }


def test_student_credits_have_no_upper_limit() -> None:
    """Seed 003: 学生获取素质拓展学分不设上限，多多益善."""
    many = tuple(_entry(PlannedCredit("skills", "学分", Decimal("2.5"))) for _ in range(100))
    assert ledger(many) == {("skills", "学分"): Decimal("250.0")}


def test_a_student_without_activities_has_no_credits() -> None:
    assert record(A).credits() == {}


# -- the results deadline (seed 002: 合工大 10个工作日内务必上传认定成绩) --------------------------


COMPETITION = attrs.evolve(RESULTS_FORM, module="competition")  # HFUT's 竞赛类活动


def test_hfut_results_are_due_at_the_end_of_the_tenth_working_day() -> None:
    """Seed 002 一 2) 竞赛类活动…结束后10个工作日内务必上传认定成绩: ending Thursday
    2026-12-03, a competition's results are due by Thursday 2026-12-17."""
    state = activity(form=COMPETITION)
    assert add_working_days(HFUT, date(2026, 12, 3), 10) == date(2026, 12, 17)
    assert results_deadline(state, HFUT) == datetime(2026, 12, 17, 23, 59, 59, tzinfo=SHANGHAI)


def test_hfut_deadline_counts_only_official_working_days() -> None:
    """Seed 002: 工作日 on the official calendar — 国庆 holidays and 调休 workdays included."""
    ends = datetime(2026, 9, 30, 16, tzinfo=SHANGHAI)
    state = activity(
        form=attrs.evolve(COMPETITION, starts_at=ends - timedelta(hours=2), ends_at=ends)
    )
    day, counted = ends.date(), 0
    while counted < 10:
        day += timedelta(days=1)
        counted += bool(chinese_calendar.is_workday(day))
    assert results_deadline(state, HFUT) == datetime(
        day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI
    )
    assert day > date(2026, 10, 14)  # ten weekdays would have been enough without 国庆


def test_hfut_results_are_not_overdue_on_the_last_day() -> None:
    assert not results_overdue(activity(form=COMPETITION), HFUT, at(12, 17, 23, 59))


def test_hfut_results_are_overdue_after_the_last_day() -> None:
    assert results_overdue(activity(form=COMPETITION), HFUT, at(12, 18, 0, 0))


def test_a_finalized_activity_is_never_overdue() -> None:
    assert not results_overdue(closed(finalized=True), HFUT, at(12, 31))


def test_nepu_sets_no_results_deadline() -> None:
    assert results_deadline(activity(), NEPU) is None
    assert not results_overdue(activity(), NEPU, datetime(2030, 1, 1, tzinfo=SHANGHAI))


# -- the [results] rulebook table ------------------------------------------------------------------

STANDARD_QUOTAS = (
    AwardQuota("一等奖", 1),
    AwardQuota("二等奖", 2),
    AwardQuota("三等奖", 3),
    AwardQuota("优秀奖", 4),
)


def test_nepu_carries_the_standard_award_quotas() -> None:
    """000 发布规范 十三: 一等奖一人(组)，二等奖两人(组)，三等奖三人(组)，优秀奖四人(组)."""
    assert NEPU.results.award_quotas == STANDARD_QUOTAS
    assert NEPU.results.quota("三等奖") == 3
    assert NEPU.results.quota("最佳组织奖") is None


def test_hfut_sets_no_quotas_its_seed_does_not_give() -> None:
    """002's 附件2 (积分认定细则) is not in the seed: NEPU's 发布规范 十三 is not HFUT's rule."""
    assert HFUT.results.award_quotas == ()
    assert HFUT.results.quota("一等奖") is None


@pytest.mark.parametrize("rulebook", [NEPU, HFUT], ids=["nepu", "hfut"])
def test_presets_require_attendance_for_credits(rulebook: Rulebook) -> None:
    assert rulebook.results.credits_require_attendance


def test_the_results_deadline_is_hfuts_alone() -> None:
    """Seed 002 一 2) is 合工大's rule, for 竞赛类活动 and 志愿服务 alone; NEPU sets none."""
    assert HFUT.results_working_days("competition") == 10
    assert HFUT.results_working_days("volunteering") == 10
    assert HFUT.results_working_days("lecture") is None
    assert NEPU.results.deadline_working_days is None


@pytest.mark.parametrize("module", ["lecture", "practice"])
def test_hfut_sets_no_results_deadline_outside_competitions_and_volunteering(module: str) -> None:
    """002 一 2) names 竞赛类活动、志愿服务活动 only: a lecture's results are never overdue."""
    lecture = activity(form=attrs.evolve(RESULTS_FORM, module=module))
    assert results_deadline(lecture, HFUT) is None
    assert not results_overdue(lecture, HFUT, at(12, 31))


def test_the_nepu_rubric_caps_school_level_credits() -> None:
    """发布规范 六 examples: 思想成长 校级 2分; 创新创业 校级 2.5分."""
    rule = NEPU.results
    assert rule.max_credit("ideology", ActivityLevel.SCHOOL, "学分") == Decimal("2")
    assert rule.max_credit("innovation", ActivityLevel.SCHOOL, "学分") == Decimal("2.5")
    assert rule.max_credit("ideology", ActivityLevel.COLLEGE, "学分") is None
    assert rule.max_credit("skills", ActivityLevel.SCHOOL, "学分") is None


def test_the_results_table_survives_a_toml_round_trip() -> None:
    assert Rulebook.from_toml(NEPU.to_toml()).results == NEPU.results
    assert Rulebook.from_toml(HFUT.to_toml()).results == HFUT.results


# -- the plan rules at publication (发布规范 十三、十四) -------------------------------------------

SCHOOL_HOST = publishing.Host("校学生会", TribeLevel.SCHOOL, None, None)
COLLEGE_HOST = publishing.Host("石油工程学院学生会", TribeLevel.COLLEGE, "石油工程学院", "PE")


def plan_problems(
    plan: AwardPlan, level: str = ActivityLevel.COLLEGE, module: str = "skills"
) -> list[publishing.Violation]:
    """The plan violations of FORM with ``plan`` at ``level`` in ``module``."""
    host = SCHOOL_HOST if level == ActivityLevel.SCHOOL else COLLEGE_HOST
    scope = Scope(ParticipationScope.SCHOOL if level == ActivityLevel.SCHOOL else FORM.scope.kind)
    form = attrs.evolve(FORM, plan=plan, level=level, module=module, scope=scope)
    return [
        v
        for v in publishing.check_form(NEPU, form, host, None)
        if v.code is publishing.PLAN_INVALID
    ]


@pytest.mark.parametrize(("name", "quota"), [(q.name, q.quota) for q in STANDARD_QUOTAS])
def test_a_standard_award_above_its_quota_is_an_invalid_plan(name: str, quota: int) -> None:
    """发布规范 十三: 比赛类奖项……一等奖，一人(组); 二等奖，两人(组); ……"""
    (problem,) = plan_problems(AwardPlan(awards=(PlannedAward(name, quota + 1),)))
    assert problem.field == "plan.awards"
    assert problem.error().code == "activity.plan_invalid"
    assert f"{name}最多{quota}人(组)" in str(problem.details["reason"])


@pytest.mark.parametrize(("name", "quota"), [(q.name, q.quota) for q in STANDARD_QUOTAS])
def test_a_standard_award_within_its_quota_is_a_valid_plan(name: str, quota: int) -> None:
    assert plan_problems(AwardPlan(awards=(PlannedAward(name, quota),))) == []


def test_an_award_of_its_own_name_is_not_held_to_a_standard_quota() -> None:
    """发布规范 十三: 长期培训类 可根据培训目标设置奖项 — names outside the standard four."""
    assert plan_problems(AwardPlan(awards=(PlannedAward("最佳组织奖", 10),))) == []


@pytest.mark.parametrize(("module", "amount"), [("ideology", "2.01"), ("innovation", "2.6")])
def test_a_credit_above_the_rubric_is_an_invalid_plan(module: str, amount: str) -> None:
    """发布规范 十四: 按照《素质考评办法》申请 — not above its maximum for module and level."""
    plan = AwardPlan(credits=(PlannedCredit(module, "学分", Decimal(amount)),))
    (problem,) = plan_problems(plan, ActivityLevel.SCHOOL, module)
    assert problem.field == "plan.credits"
    assert problem.error().code == "activity.plan_invalid"


@pytest.mark.parametrize(("module", "amount"), [("ideology", "2"), ("innovation", "2.5")])
def test_a_credit_at_the_rubric_maximum_is_a_valid_plan(module: str, amount: str) -> None:
    plan = AwardPlan(credits=(PlannedCredit(module, "学分", Decimal(amount)),))
    assert plan_problems(plan, ActivityLevel.SCHOOL, module) == []


def test_the_rubric_caps_only_its_own_module_level_and_type() -> None:
    """The school-level cap of 思想成长 says nothing of a college-level 思想成长 activity."""
    plan = AwardPlan(credits=(PlannedCredit("ideology", "学分", Decimal("3")),))
    assert plan_problems(plan, ActivityLevel.COLLEGE, "ideology") == []


# -- property: grants and revocations, then the records --------------------------------------------

STUDENTS = (A, B, C, D)
ATTENDANCE = st.sampled_from(["checked_in", "made_up", "absent"])
OPERATION = st.tuples(
    st.sampled_from(["grant", "revoke"]),
    st.lists(st.sampled_from(STUDENTS), min_size=1, max_size=3).map(tuple),
)


def _credit_total(entry: ActivityRecord) -> Decimal:
    return sum((c.amount for c in entry.credits), Decimal(0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attendance=st.fixed_dictionaries(dict.fromkeys(STUDENTS, ATTENDANCE)),
    closed_first=st.booleans(),
    winner=st.sampled_from([None, *STUDENTS]),
    operations=st.lists(OPERATION, max_size=12),
)
def test_holders_are_the_granted_minus_the_revoked_and_records_sum_up(
    attendance: dict[str, str],
    closed_first: bool,
    winner: str | None,
    operations: list[tuple[str, tuple[str, ...]]],
) -> None:
    """第十八条 and 第十九条: whatever the order of grants and revocations, the holders are
    those granted and not since revoked, and each participant's record totals the planned
    credit if a holder plus the credit of the award they won."""
    admitted = (A, B, C)
    shape: dict[str, Any] = {
        "admitted": admitted,
        "present": [s for s in admitted if attendance[s] == "checked_in"],
        "made_up": [s for s in admitted if attendance[s] == "made_up"],
    }
    state = closed(**shape) if closed_first else activity(**shape)
    if winner in admitted:
        state = run(state, award("一等奖", winner))
    holders: set[str] = set()
    for kind, students in operations:
        chosen = set(students)
        if kind == "grant":
            command: ResultsCommand = grant(*students)
            allowed = all(s in admitted and attendance[s] != "absent" for s in chosen - holders)
        else:
            command = revoke(*students)
            allowed = chosen <= holders
        if not allowed:
            with pytest.raises(DomainError) as caught:
                deciding(command, state).decision()
            refusals = {"grant": {"results.not_participant", "results.not_attended"}}
            assert caught.value.code in refusals.get(kind, {"results.not_granted"})
            continue
        state = apply(state, deciding(command, state).decision())
        holders = holders | chosen if kind == "grant" else holders - chosen
        assert state.results.credits == holders

    state = attrs.evolve(state, attendance=closed(**shape).attendance)
    decision = deciding(FINALIZE, state).decision()
    assert set(decision.records) == set(admitted)
    for student in admitted:
        expected = PARTICIPATION[0].amount * (student in holders) + FIRST.credit * (
            student == winner
        )
        assert _credit_total(finalized_record(decision, student)) == expected
        (event,) = decision.records[student]
        transcript = student_aggregate.evolve(record(student), event)
        assert sum(transcript.credits().values(), Decimal(0)) == expected


# -- self-dealing: a manager's own results come from a second person (ours; cf. 第二十四条) ------
#
# 第十八条 lets the leader 颁发奖项/发放学分 to chosen members; a leader or organizer who was also
# an admitted participant could choose themselves. 第二十四条 makes them personally answerable
# for 弄虚作假, so the library asks for a second person: nobody awards or grants to themselves.

PARTICIPATING_ORGANIZER = ORGANIZER.person_id  # a tribe organizer, admitted and present here


def with_the_organizer() -> Activity:
    return activity(admitted=(A, B, PARTICIPATING_ORGANIZER), present=(A, PARTICIPATING_ORGANIZER))


@pytest.mark.parametrize(
    "command",
    [
        award("一等奖", PARTICIPATING_ORGANIZER),
        award("二等奖", A, PARTICIPATING_ORGANIZER),
        grant(PARTICIPATING_ORGANIZER),
        grant(A, PARTICIPATING_ORGANIZER),
    ],
    ids=["award-self", "award-self-among-others", "grant-self", "grant-self-among-others"],
)
def test_nobody_awards_or_grants_credits_to_themselves(command: ResultsCommand) -> None:
    """The whole command is refused with results.self_dealing, naming the manager."""
    error = deciding(command, with_the_organizer(), ORGANIZER, rulebook=DELEGATING).raises(
        "results.self_dealing"
    )
    assert error.details == {"student": PARTICIPATING_ORGANIZER}


@pytest.mark.parametrize(
    "command",
    [award("一等奖", PARTICIPATING_ORGANIZER), grant(PARTICIPATING_ORGANIZER)],
    ids=["award", "grant"],
)
def test_another_manager_awards_or_grants_to_the_organizer(command: ResultsCommand) -> None:
    """第十八条: the leader (a second person) may give the participating organizer their due."""
    by = LEADER.person_id
    expected = {
        IssueAward: AwardIssued(ACTIVITY_ID, "一等奖", (PARTICIPATING_ORGANIZER,), by, AFTER),
        GrantCredits: CreditsGranted(
            ACTIVITY_ID, (PARTICIPATING_ORGANIZER,), PARTICIPATION, by, AFTER
        ),
    }[type(command)]
    deciding(command, with_the_organizer(), LEADER).then((expected,))


def test_a_manager_still_awards_and_grants_to_others() -> None:
    """The rule concerns oneself only: the organizer grants A and awards A as before."""
    by = ORGANIZER.person_id
    state = with_the_organizer()
    deciding(grant(A), state, ORGANIZER, rulebook=DELEGATING).then(
        (CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, by, AFTER),)
    )
    deciding(award("一等奖", A), state, ORGANIZER, rulebook=DELEGATING).then(
        (AwardIssued(ACTIVITY_ID, "一等奖", (A,), by, AFTER),)
    )


def test_a_manager_may_revoke_their_own_credits() -> None:
    """Taking one's own credits back gains nothing: 学分发放错误可以撤回 stays open to them."""
    state = activity(admitted=(A, PARTICIPATING_ORGANIZER), holders=[PARTICIPATING_ORGANIZER])
    deciding(revoke(PARTICIPATING_ORGANIZER), state, ORGANIZER, rulebook=DELEGATING).then(
        (
            CreditsRevoked(
                ACTIVITY_ID, (PARTICIPATING_ORGANIZER,), REASON, ORGANIZER.person_id, AFTER
            ),
        )
    )


def test_a_school_may_allow_self_results() -> None:
    """``[results] allow_self_results = true`` is the named exception (off by default)."""
    allowing = attrs.evolve(
        DELEGATING, results=attrs.evolve(DELEGATING.results, allow_self_results=True)
    )
    assert NEPU.results.allow_self_results is False
    state = with_the_organizer()
    deciding(grant(PARTICIPATING_ORGANIZER), state, ORGANIZER, rulebook=allowing).then(
        (
            CreditsGranted(
                ACTIVITY_ID,
                (PARTICIPATING_ORGANIZER,),
                PARTICIPATION,
                PARTICIPATING_ORGANIZER,
                AFTER,
            ),
        )
    )


# -- who issues results: the 活动负责人, organizers by delegation (第十八条) ----------------------
#
# 第十八条: 活动结束后，活动负责人在到梦空间 APP 端活动界面点击“管理活动”→“颁发奖项/发放学分”.
# It names the 负责人 alone (第十三条 gives 录取 to 负责人或组织者, 第十八条 does not).


@pytest.mark.parametrize("command", EVERY_COMMAND[:3], ids=["award", "grant", "revoke"])
@pytest.mark.parametrize("actor", ORGANIZERS.values(), ids=ORGANIZERS.keys())
def test_organizers_do_not_issue_results_by_default(actor: Actor, command: ResultsCommand) -> None:
    """Given NEPU's rulebook (no delegation), when an organizer issues results, then
    auth.forbidden: 第十八条 names the 活动负责人."""
    assert NEPU.results.organizers_issue_results is False
    state = activity(holders=[A]) if isinstance(command, RevokeCredits) else activity()
    deciding(command, state, actor).raises("auth.forbidden")


@pytest.mark.parametrize("command", EVERY_COMMAND[:3], ids=["award", "grant", "revoke"])
@pytest.mark.parametrize("actor", ORGANIZERS.values(), ids=ORGANIZERS.keys())
def test_a_rulebook_may_delegate_results_to_organizers(
    actor: Actor, command: ResultsCommand
) -> None:
    """Given ``[results] organizers_issue_results = true``, when an organizer issues results,
    then they are decided; finalizing stays with the 负责人 (第十九条)."""
    state = activity(holders=[A]) if isinstance(command, RevokeCredits) else activity()
    by = actor.person_id
    expected = {
        IssueAward: AwardIssued(ACTIVITY_ID, "一等奖", (A,), by, AFTER),
        GrantCredits: CreditsGranted(ACTIVITY_ID, (A,), PARTICIPATION, by, AFTER),
        RevokeCredits: CreditsRevoked(ACTIVITY_ID, (A,), REASON, by, AFTER),
    }[type(command)]
    deciding(command, state, actor, rulebook=DELEGATING).then((expected,))
    deciding(FINALIZE, closed(), actor, rulebook=DELEGATING).raises("auth.forbidden")


# -- more than one award per student (ours; the seeds set quotas only, 发布规范 十三) ----------
#
# 发布规范 十三 一等奖，一人(组)；二等奖，两人(组)… caps each award, not a student's count.
# Whether a student may hold two different awards of one activity is the school's choice.

MULTIPLE = attrs.evolve(NEPU, results=attrs.evolve(NEPU.results, multiple_awards_per_student=True))


def test_a_second_different_award_is_refused_by_default() -> None:
    """Given NEPU (no switch), when A holding 优秀奖 is given 一等奖, then already_awarded."""
    assert NEPU.results.multiple_awards_per_student is False
    deciding(award("一等奖", A), activity(awards=[("优秀奖", A)])).raises("results.already_awarded")


def test_a_school_may_allow_different_awards_to_one_student() -> None:
    """Given ``multiple_awards_per_student = true``, when A holding 优秀奖 is given 一等奖,
    then it is issued and A holds both, in issue order."""
    state = activity(awards=[("优秀奖", A)])
    state = apply(state, deciding(award("一等奖", A), state, rulebook=MULTIPLE).decision())
    assert state.results.awards_of(A) == ("优秀奖", "一等奖")


def test_with_multiple_awards_the_same_award_is_still_once_per_student() -> None:
    """Given the switch on, when A is given 优秀奖 again, then already_awarded names it."""
    error = deciding(
        award("优秀奖", A), activity(awards=[("优秀奖", A)]), rulebook=MULTIPLE
    ).raises("results.already_awarded")
    assert error.details == {"student": A, "award": "优秀奖"}


def test_with_multiple_awards_quotas_still_hold() -> None:
    """发布规范 十三 一等奖，一人(组): the switch never lifts a quota."""
    deciding(award("一等奖", B), activity(awards=[("一等奖", A)]), rulebook=MULTIPLE).raises(
        "results.award_over_quota"
    )


def test_the_award_switches_survive_a_toml_round_trip() -> None:
    both = attrs.evolve(
        MULTIPLE, results=attrs.evolve(MULTIPLE.results, organizers_issue_results=True)
    )
    assert Rulebook.from_toml(both.to_toml()) == both


# -- what a decision needs loaded, the award credit's type, deadlines to the second --------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [(FINALIZE, frozenset({A, B, C})), (grant(A), frozenset())],
    ids=["finalize", "grant"],
)
def test_finalizing_loads_every_participants_record_and_nothing_else_does(
    command: ResultsCommand, expected: frozenset[str]
) -> None:
    """第十九条: finalizing writes each admitted participant's record; awards and credits write
    only the activity's stream."""
    assert results.involved(command, closed()) == Involved(records=expected)


def test_an_award_of_one_credit_is_recorded() -> None:
    """发布规范 十三 奖品: 可以直接写获得的学分 — 二等奖 carries 1, which is a credit too."""
    state = closed(awards=[("二等奖", B)])
    entry = finalized_record(deciding(FINALIZE, state).decision(), B)
    assert entry.awards == ("二等奖",)
    assert entry.credits == (PlannedCredit("skills", "学分", Decimal("1")),)


def test_an_award_credit_takes_the_participation_credits_type() -> None:
    """An award's credit is counted in the form's credit type (HFUT: 志愿时, not its first 积分)."""
    hours = (PlannedCredit("skills", "志愿时", Decimal("0.5")),)
    form = attrs.evolve(RESULTS_FORM, plan=attrs.evolve(PLAN, credits=hours))
    state = closed(form=form, awards=[("一等奖", A)], holders=[A])
    assert record_of(state, A, HFUT, AFTER).credits == (
        PlannedCredit("skills", "志愿时", Decimal("0.5")),
        PlannedCredit("skills", "志愿时", Decimal("2")),
    )


def test_without_participation_credits_an_award_credit_takes_the_schools_first_type() -> None:
    """发布规范 十三 奖品: an activity planning only award credits counts them in the rulebook's
    first credit type (HFUT: 积分)."""
    form = attrs.evolve(RESULTS_FORM, plan=AwardPlan(awards=PLAN.awards))
    state = closed(form=form, awards=[("一等奖", A)])
    assert HFUT.credit_types[:2] == ("积分", "学时")
    assert record_of(state, A, HFUT, AFTER).credits == (
        PlannedCredit("skills", "积分", Decimal("2")),
    )


def test_a_category_window_sets_the_results_deadline_of_its_category() -> None:
    """002 一 2): a deadline may hold for one category of a module that has none: given a
    school-supplied 5 working days for 暑期“三下乡” (practice), a practice of that category ending
    Thursday 2026-12-03 is due Thursday 2026-12-10, and one of no category has no deadline."""
    window = CategoryWindow("practice", "summer_practice", results_working_days=5)
    school = attrs.evolve(HFUT, windows=(*HFUT.windows, window))
    practice = attrs.evolve(RESULTS_FORM, module="practice")
    summer = activity(form=attrs.evolve(practice, category="summer_practice"))
    assert results_deadline(summer, school) == datetime(2026, 12, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert results_deadline(activity(form=practice), school) is None


def test_hfut_results_are_not_overdue_at_the_last_second() -> None:
    """Seed 002 一 2) 10个工作日内: the last second of the tenth working day is still within."""
    last = datetime(2026, 12, 17, 23, 59, 59, tzinfo=SHANGHAI)
    assert not results_overdue(activity(form=COMPETITION), HFUT, last)
    assert results_overdue(activity(form=COMPETITION), HFUT, last + timedelta(microseconds=1))


def test_a_student_holding_two_awards_is_refused_a_third_naming_both() -> None:
    """Awards given while a school allowed several (``multiple_awards_per_student``) stand;
    under the default a further award is refused, and the refusal lists what A holds."""
    state = activity(awards=[("优秀奖", A), ("二等奖", A)])
    error = deciding(award("一等奖", A), state).raises("results.already_awarded")
    assert error.details == {"student": A, "award": "优秀奖、二等奖"}


def test_a_student_signed_off_before_attendance_closes_has_not_attended() -> None:
    """第十六条 签退: a checked-in student the organizer signed off took no part, even before
    attendance is closed; the credits are refused, naming them."""
    state = activity(present=[A, B])
    state = attrs.evolve(state, attendance=attrs.evolve(state.attendance, signed_off=((A, ENDS),)))
    assert attended(state, A) is False
    assert attended(state, B) is True
    error = deciding(grant(B, A), state).raises("results.not_attended")
    assert error.details == {"student": A}


@pytest.mark.parametrize(
    ("command", "action"),
    [
        (award("一等奖", A), "颁发奖项/发放学分 issue results"),
        (grant(A), "颁发奖项/发放学分 issue results"),
        (FINALIZE, "完结活动 finalize"),
    ],
    ids=["award", "grant", "finalize"],
)
def test_a_forbidden_results_act_is_named_in_the_refusal(
    command: ResultsCommand, action: str
) -> None:
    """第十八、十九条: the refusal says which act of the 活动负责人 was refused."""
    error = deciding(command, closed(), SCHOOL_ADMIN).raises("auth.forbidden")
    assert error.details == {"action": action}
