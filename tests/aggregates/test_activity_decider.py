"""The Activity's combined decider: one ``decide`` for every command on a published activity
and its participants, one guard with one code, and what each part needs loaded.

第十一条 (an activity is published once approved), 第十二条 (registration), 第十五、十六条
(check-in), 第十八条 (results), 第十七条 (feedback), 第十九条 (a finalized activity is frozen).
"""

from __future__ import annotations

from types import SimpleNamespace

import attrs
import pytest

from second_classroom.aggregates import activity_decider, checkin, feedback, registration, results
from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_facts import Involved, published
from second_classroom.aggregates.activity_feedback import RateActivity
from second_classroom.aggregates.activity_results import Results
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.aggregates.checkin import OpenCheckInSession
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.core.actor import Actor
from tests.aggregates.activity_fixtures import ACTIVITY_ID, FORM, LEADER, TRIBE
from tests.specification import at, given_activity

STUDENT = Actor.student("2024000001")
APPROVED = attrs.evolve(
    Activity(ACTIVITY_ID, TRIBE.id, FORM, status=ActivityStatus.APPROVED),
    roster=Roster(admitted=frozenset({STUDENT.person_id})),
)
ONE_OF_EACH = {
    "registration": (Register(ACTIVITY_ID), STUDENT),
    "check-in": (OpenCheckInSession(ACTIVITY_ID, 10), LEADER),
    "results": (GrantCredits(ACTIVITY_ID, (STUDENT.person_id,)), LEADER),
    "feedback": (RateActivity(ACTIVITY_ID, 5), STUDENT),
}
NOW = at(12, 1, 10)


def test_the_combined_decider_answers_every_command_of_its_four_parts() -> None:
    parts = (registration, checkin, results, feedback)
    every = {command for part in parts for command in part.COMMANDS}
    assert set(activity_decider.COMMANDS) == every
    assert len(activity_decider.COMMANDS) == len(every)  # no command answered twice
    for command, _actor in ONE_OF_EACH.values():
        assert activity_decider.DECIDER.answers(command)
    assert not activity_decider.DECIDER.answers(SimpleNamespace(activity_id=ACTIVITY_ID))


@pytest.mark.parametrize(("command", "actor"), ONE_OF_EACH.values(), ids=ONE_OF_EACH.keys())
def test_every_part_refuses_a_missing_activity_with_one_code(command: object, actor: Actor) -> None:
    """第十二条: one acts on an activity that exists."""
    error = given_activity(None, tribe=TRIBE).when(command, actor, NOW).raises("activity.not_found")
    assert error.details == {"activity_id": str(ACTIVITY_ID)}


@pytest.mark.parametrize(("command", "actor"), ONE_OF_EACH.values(), ids=ONE_OF_EACH.keys())
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
def test_every_part_refuses_an_unpublished_activity_with_one_code(
    command: object, actor: Actor, status: ActivityStatus
) -> None:
    """第十一条: an activity is published (已通过) once approved, and no longer once cancelled;
    registration, check-in, results and feedback answer ``activity.not_published`` alike."""
    state = attrs.evolve(APPROVED, status=status)
    error = (
        given_activity(state, tribe=TRIBE)
        .when(command, actor, NOW)
        .raises("activity.not_published")
    )
    assert error.details == {"status": status.label}


@pytest.mark.parametrize(("command", "actor"), ONE_OF_EACH.values(), ids=ONE_OF_EACH.keys())
def test_every_part_refuses_a_finalized_activity(command: object, actor: Actor) -> None:
    """第十九条: 记录一旦生成，活动将被冻结."""
    frozen = attrs.evolve(APPROVED, results=Results(finalized=True))
    given_activity(frozen, tribe=TRIBE).when(command, actor, NOW).raises("activity.frozen")


def test_each_part_says_what_the_facade_loads() -> None:
    """Registration reads the acting student's record (and the secret only for the draw);
    check-in writes the same students' enrolments and records and checks codes with the
    secret; finalizing writes every participant's record; feedback writes the activity alone."""
    me = STUDENT.person_id
    involved = activity_decider.involved
    assert involved(Register(ACTIVITY_ID), APPROVED, STUDENT) == Involved(
        enrolments=frozenset({me}), actor_record=True
    )
    draw = involved(registration.DrawLottery(ACTIVITY_ID), APPROVED, LEADER)
    assert (draw.secret, draw.actor_record) == (True, True)
    lottery = attrs.evolve(APPROVED, roster=Roster(pending=frozenset({me, "2024000002"})))
    assert involved(registration.DrawLottery(ACTIVITY_ID), lottery, LEADER) == Involved(
        enrolments=frozenset({me, "2024000002"}), actor_record=True, secret=True
    )
    assert involved(OpenCheckInSession(ACTIVITY_ID, 10), APPROVED, LEADER) == Involved(secret=True)
    close = involved(checkin.CloseAttendance(ACTIVITY_ID), APPROVED, LEADER)
    assert close == Involved(frozenset({me}), frozenset({me}), secret=True)
    assert involved(FinalizeActivity(ACTIVITY_ID), APPROVED, LEADER) == Involved(
        records=frozenset({me})
    )
    assert involved(RateActivity(ACTIVITY_ID, 5), APPROVED, STUDENT) == Involved()


def test_a_command_of_no_part_is_a_programming_error() -> None:
    stray = SimpleNamespace(activity_id=ACTIVITY_ID)
    with pytest.raises(AssertionError, match="unhandled command"):
        activity_decider.involved(stray, APPROVED, LEADER)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="unhandled command"):
        given_activity(APPROVED, tribe=TRIBE).when(stray, LEADER, NOW).decision()


def test_an_approved_activity_passes_the_one_guard() -> None:
    """第十一条: approved, not cancelled, not finalized — published; the guard hands the
    activity on to the part that decides."""
    facts = given_activity(APPROVED, tribe=TRIBE).facts(STUDENT, NOW)
    assert published(facts, ACTIVITY_ID) is APPROVED
