"""花絮 and 评价 (第十七条, 第二十六条, 发布规范 十一、十二): after the activity, participants and
organizers add highlights; participants rate; organizers evaluate participants."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import attrs
import pytest

from second_classroom.aggregates import feedback
from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_attendance import Attendance
from second_classroom.aggregates.activity_facts import Involved
from second_classroom.aggregates.activity_feedback import (
    ActivityRated,
    AddHighlight,
    EvaluateParticipant,
    HighlightAdded,
    ParticipantEvaluated,
    RateActivity,
)
from second_classroom.aggregates.activity_results import Results
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.core.actor import Actor
from second_classroom.core.terms import AttendanceOutcome
from tests.aggregates.activity_fixtures import ACTIVITY_ID, FORM, LEADER, OUTSIDER, TRIBE
from tests.specification import WhenActivity, at, given_activity

STUDENT = Actor.student("2024000001")
AFTER = at(12, 3, 17)
ACTIVITY = attrs.evolve(
    Activity(ACTIVITY_ID, TRIBE.id, FORM, status=ActivityStatus.APPROVED),
    roster=Roster(admitted=frozenset({STUDENT.person_id})),
    attendance=Attendance(made_up=frozenset({STUDENT.person_id})),  # took part (第十七条)
)


def when(
    command: object, actor: Actor, now: datetime = AFTER, activity: Activity | None = ACTIVITY
) -> WhenActivity:
    """The command on ``activity`` (by default: ended, the student took part)."""
    return given_activity(activity, tribe=TRIBE).when(command, actor, now)


def test_a_participant_adds_a_highlight_and_rates_the_activity() -> None:
    when(AddHighlight(ACTIVITY_ID, "photo/1.jpg", "合影"), STUDENT).then(
        (HighlightAdded(ACTIVITY_ID, "photo/1.jpg", "合影", STUDENT.person_id, AFTER),)
    )
    when(RateActivity(ACTIVITY_ID, 5, "很有收获！"), STUDENT).then(
        (ActivityRated(ACTIVITY_ID, 5, "很有收获！", STUDENT.person_id, AFTER),)
    )


def test_the_leader_adds_highlights_and_evaluates_participants() -> None:
    when(AddHighlight(ACTIVITY_ID, "video/1.mp4"), LEADER).then(
        (HighlightAdded(ACTIVITY_ID, "video/1.mp4", "", LEADER.person_id, AFTER),)
    )
    when(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 4, "积极"), LEADER).then(
        (ParticipantEvaluated(ACTIVITY_ID, STUDENT.person_id, 4, "积极", LEADER.person_id, AFTER),)
    )


def test_feedback_waits_for_the_end_and_outsiders_give_none() -> None:
    when(AddHighlight(ACTIVITY_ID, "x.jpg"), STUDENT, now=at(12, 3, 15)).raises(
        "feedback.not_ended"
    )
    when(AddHighlight(ACTIVITY_ID, "x.jpg"), OUTSIDER).raises("feedback.not_participant")
    when(RateActivity(ACTIVITY_ID, 5), LEADER).raises("feedback.not_participant")
    when(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 5), STUDENT).raises("auth.forbidden")


@pytest.mark.parametrize("stars", [0, 6])
def test_ratings_are_one_to_five_stars(stars: int) -> None:
    when(RateActivity(ACTIVITY_ID, stars), STUDENT).raises("feedback.rating_range")


def test_a_finalized_activity_takes_no_more_feedback() -> None:
    frozen = attrs.evolve(ACTIVITY, results=Results(finalized=True))
    when(RateActivity(ACTIVITY_ID, 5), STUDENT, activity=frozen).raises("activity.frozen")


def test_comments_are_kept_as_written() -> None:
    comment = "  建议：下次提前发通知！！ \n"
    when(RateActivity(ACTIVITY_ID, 3, comment), STUDENT).then(
        (ActivityRated(ACTIVITY_ID, 3, comment, STUDENT.person_id, AFTER),)
    )


ENDS = FORM.ends_at


def test_feedback_opens_at_the_instant_the_activity_ends() -> None:
    """第十七条: 活动结束后 — the end itself already counts, a second before does not."""
    assert ENDS is not None
    when(RateActivity(ACTIVITY_ID, 4), STUDENT, now=ENDS).then(
        (ActivityRated(ACTIVITY_ID, 4, "", STUDENT.person_id, ENDS),)
    )
    early = ENDS - timedelta(seconds=1)
    when(RateActivity(ACTIVITY_ID, 4), STUDENT, now=early).raises("feedback.not_ended")


@pytest.mark.parametrize("stars", [1, 5])
def test_one_and_five_stars_are_ratings(stars: int) -> None:
    when(RateActivity(ACTIVITY_ID, stars), STUDENT).then(
        (ActivityRated(ACTIVITY_ID, stars, "", STUDENT.person_id, AFTER),)
    )
    when(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, stars), LEADER).then(
        (ParticipantEvaluated(ACTIVITY_ID, STUDENT.person_id, stars, "", LEADER.person_id, AFTER),)
    )


@pytest.mark.parametrize("stars", [0, 6])
def test_an_evaluation_is_one_to_five_stars(stars: int) -> None:
    when(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, stars), LEADER).raises(
        "feedback.rating_range"
    )


def test_only_a_participant_is_evaluated() -> None:
    """第二十六条: organizers evaluate the students who took part."""
    error = when(EvaluateParticipant(ACTIVITY_ID, "2024999999", 5), LEADER).raises(
        "feedback.student_not_participant"
    )
    assert error.details == {"student": "2024999999"}


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_highlight_needs_a_reference(reference: str) -> None:
    when(AddHighlight(ACTIVITY_ID, reference), STUDENT).raises("feedback.empty")


def test_feedback_on_a_missing_or_unpublished_activity_is_refused() -> None:
    error = when(RateActivity(ACTIVITY_ID, 5), STUDENT, activity=None).raises("activity.not_found")
    assert error.details == {"activity_id": str(ACTIVITY_ID)}
    cancelled = attrs.evolve(ACTIVITY, status=ActivityStatus.CANCELLED)
    when(RateActivity(ACTIVITY_ID, 5), STUDENT, activity=cancelled).raises("activity.not_published")


def test_a_student_may_not_evaluate_and_the_refusal_says_what_was_refused() -> None:
    """第二十六条: evaluating participants is for the 负责人 and 组织者."""
    error = when(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 5), STUDENT).raises(
        "auth.forbidden"
    )
    assert error.details == {"action": "评价学生 evaluate participant"}


def test_a_command_that_is_not_feedback_is_a_programming_error() -> None:
    """Both the combined decider and feedback's own ``decide`` name a command they don't know."""
    command = SimpleNamespace(activity_id=ACTIVITY_ID)
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(activity_id="):
        when(command, STUDENT).decision()
    facts = given_activity(ACTIVITY, tribe=TRIBE).facts(STUDENT, AFTER)
    with pytest.raises(AssertionError, match=r"^unhandled command namespace\(activity_id="):
        feedback.decide(command, facts)  # type: ignore[arg-type]


def test_feedback_loads_no_enrolment_or_record() -> None:
    """花絮 and 评价 write the activity's stream alone."""
    assert feedback.involved(RateActivity(ACTIVITY_ID, 5), ACTIVITY) == Involved()


# -- who rates: those who took part (第十七条) ----------------------------------------------------
#
# 第十七条: 活动结束后，参与活动的成员可以在到梦空间 APP上对活动进行评价. Being admitted is not
# taking part: a no-show (第十六条 未进行签到), a signed-off or an excused student does not rate.

NO_SHOW_ACTIVITY = attrs.evolve(ACTIVITY, attendance=Attendance())


def test_an_admitted_student_who_never_checked_in_does_not_rate() -> None:
    """Given STUDENT admitted with no check-in nor make-up, when they rate, then refused."""
    when(RateActivity(ACTIVITY_ID, 1), STUDENT, activity=NO_SHOW_ACTIVITY).raises(
        "feedback.not_attended"
    )


@pytest.mark.parametrize(
    "outcome", [AttendanceOutcome.NO_SHOW, AttendanceOutcome.SIGNED_OFF, AttendanceOutcome.EXCUSED]
)
def test_once_attendance_is_closed_only_an_attended_outcome_rates(
    outcome: AttendanceOutcome,
) -> None:
    """Given attendance closed with ``outcome`` for STUDENT, when they rate, then refused."""
    book = Attendance(outcomes=((STUDENT.person_id, outcome),), closed=True)
    state = attrs.evolve(ACTIVITY, attendance=book)
    when(RateActivity(ACTIVITY_ID, 2), STUDENT, activity=state).raises("feedback.not_attended")


def test_a_student_closed_as_attended_rates() -> None:
    book = Attendance(outcomes=((STUDENT.person_id, AttendanceOutcome.ATTENDED),), closed=True)
    state = attrs.evolve(ACTIVITY, attendance=book)
    when(RateActivity(ACTIVITY_ID, 4), STUDENT, activity=state).then(
        (ActivityRated(ACTIVITY_ID, 4, "", STUDENT.person_id, AFTER),)
    )


def test_a_no_show_may_still_add_a_highlight() -> None:
    """The attendance rule is for ratings; a highlight needs only admission, as before."""
    when(AddHighlight(ACTIVITY_ID, "x.jpg"), STUDENT, activity=NO_SHOW_ACTIVITY).then(
        (HighlightAdded(ACTIVITY_ID, "x.jpg", "", STUDENT.person_id, AFTER),)
    )
