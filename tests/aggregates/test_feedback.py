"""花絮 and 评价 (第十七条, 第二十六条, 发布规范 十一、十二): after the activity, participants and
organizers add highlights; participants rate; organizers evaluate participants."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import attrs
import pytest

from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_attendance import Attendance, Outcome
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
from second_classroom.aggregates.feedback import FeedbackContext, decide
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from tests.aggregates.activity_fixtures import ACTIVITY_ID, FORM, LEADER, OUTSIDER, TRIBE
from tests.specification import at, context

STUDENT = Actor.student("2024000001")
AFTER = at(12, 3, 17)
ACTIVITY = attrs.evolve(
    Activity(ACTIVITY_ID, TRIBE.id, FORM, status=ActivityStatus.APPROVED),
    roster=Roster(admitted=frozenset({STUDENT.person_id})),
    attendance=Attendance(made_up=frozenset({STUDENT.person_id})),  # took part (第十七条)
)


def run(
    command: object, actor: Actor, now: object = AFTER, activity: Activity = ACTIVITY
) -> tuple[object, ...]:
    return decide(command, FeedbackContext(context(actor, now), activity, TRIBE))  # type: ignore[arg-type]


def refused(command: object, actor: Actor, code: str, **kw: object) -> None:
    with pytest.raises(DomainError) as caught:
        run(command, actor, **kw)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_a_participant_adds_a_highlight_and_rates_the_activity() -> None:
    assert run(AddHighlight(ACTIVITY_ID, "photo/1.jpg", "合影"), STUDENT) == (
        HighlightAdded(ACTIVITY_ID, "photo/1.jpg", "合影", STUDENT.person_id, AFTER),
    )
    assert run(RateActivity(ACTIVITY_ID, 5, "很有收获！"), STUDENT) == (
        ActivityRated(ACTIVITY_ID, 5, "很有收获！", STUDENT.person_id, AFTER),
    )


def test_the_leader_adds_highlights_and_evaluates_participants() -> None:
    assert run(AddHighlight(ACTIVITY_ID, "video/1.mp4"), LEADER) == (
        HighlightAdded(ACTIVITY_ID, "video/1.mp4", "", LEADER.person_id, AFTER),
    )
    assert run(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 4, "积极"), LEADER) == (
        ParticipantEvaluated(ACTIVITY_ID, STUDENT.person_id, 4, "积极", LEADER.person_id, AFTER),
    )


def test_feedback_waits_for_the_end_and_outsiders_give_none() -> None:
    refused(AddHighlight(ACTIVITY_ID, "x.jpg"), STUDENT, "feedback.not_ended", now=at(12, 3, 15))
    refused(AddHighlight(ACTIVITY_ID, "x.jpg"), OUTSIDER, "feedback.not_participant")
    refused(RateActivity(ACTIVITY_ID, 5), LEADER, "feedback.not_participant")
    refused(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 5), STUDENT, "auth.forbidden")


@pytest.mark.parametrize("stars", [0, 6])
def test_ratings_are_one_to_five_stars(stars: int) -> None:
    refused(RateActivity(ACTIVITY_ID, stars), STUDENT, "feedback.rating_range")


def test_a_finalized_activity_takes_no_more_feedback() -> None:
    frozen = attrs.evolve(ACTIVITY, results=Results(finalized=True))
    refused(RateActivity(ACTIVITY_ID, 5), STUDENT, "activity.frozen", activity=frozen)


def test_comments_are_kept_as_written() -> None:
    comment = "  建议：下次提前发通知！！ \n"
    [event] = run(RateActivity(ACTIVITY_ID, 3, comment), STUDENT)
    assert isinstance(event, ActivityRated)
    assert event.comment == comment


ENDS = FORM.ends_at


def test_feedback_opens_at_the_instant_the_activity_ends() -> None:
    """第十七条: 活动结束后 — the end itself already counts, a second before does not."""
    assert ENDS is not None
    assert run(RateActivity(ACTIVITY_ID, 4), STUDENT, now=ENDS) == (
        ActivityRated(ACTIVITY_ID, 4, "", STUDENT.person_id, ENDS),
    )
    early = ENDS - timedelta(seconds=1)
    refused(RateActivity(ACTIVITY_ID, 4), STUDENT, "feedback.not_ended", now=early)


@pytest.mark.parametrize("stars", [1, 5])
def test_one_and_five_stars_are_ratings(stars: int) -> None:
    assert run(RateActivity(ACTIVITY_ID, stars), STUDENT) == (
        ActivityRated(ACTIVITY_ID, stars, "", STUDENT.person_id, AFTER),
    )
    assert run(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, stars), LEADER) == (
        ParticipantEvaluated(ACTIVITY_ID, STUDENT.person_id, stars, "", LEADER.person_id, AFTER),
    )


@pytest.mark.parametrize("stars", [0, 6])
def test_an_evaluation_is_one_to_five_stars(stars: int) -> None:
    refused(
        EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, stars), LEADER, "feedback.rating_range"
    )


def test_only_a_participant_is_evaluated() -> None:
    """第二十六条: organizers evaluate the students who took part."""
    with pytest.raises(DomainError) as caught:
        run(EvaluateParticipant(ACTIVITY_ID, "2024999999", 5), LEADER)
    assert caught.value.code == "feedback.student_not_participant"
    assert caught.value.details == {"student": "2024999999"}


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_highlight_needs_a_reference(reference: str) -> None:
    refused(AddHighlight(ACTIVITY_ID, reference), STUDENT, "feedback.empty")


def test_feedback_on_a_missing_or_unpublished_activity_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        decide(RateActivity(ACTIVITY_ID, 5), FeedbackContext(context(STUDENT, AFTER), None, TRIBE))
    assert caught.value.code == "activity.not_found"
    assert caught.value.details == {"activity_id": str(ACTIVITY_ID)}
    cancelled = attrs.evolve(ACTIVITY, status=ActivityStatus.CANCELLED)
    refused(RateActivity(ACTIVITY_ID, 5), STUDENT, "activity.not_found", activity=cancelled)


def test_a_student_may_not_evaluate_and_the_refusal_says_what_was_refused() -> None:
    """第二十六条: evaluating participants is for the 负责人 and 组织者."""
    with pytest.raises(DomainError) as caught:
        run(EvaluateParticipant(ACTIVITY_ID, STUDENT.person_id, 5), STUDENT)
    assert caught.value.code == "auth.forbidden"
    assert caught.value.details == {"action": "评价学生 evaluate participant"}


def test_a_command_that_is_not_feedback_is_a_programming_error() -> None:
    command = SimpleNamespace(activity_id=ACTIVITY_ID)
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(activity_id="):
        run(command, STUDENT)


# -- who rates: those who took part (第十七条) ----------------------------------------------------
#
# 第十七条: 活动结束后，参与活动的成员可以在到梦空间 APP上对活动进行评价. Being admitted is not
# taking part: a no-show (第十六条 未进行签到), a signed-off or an excused student does not rate.

NO_SHOW_ACTIVITY = attrs.evolve(ACTIVITY, attendance=Attendance())


def test_an_admitted_student_who_never_checked_in_does_not_rate() -> None:
    """Given STUDENT admitted with no check-in nor make-up, when they rate, then refused."""
    refused(
        RateActivity(ACTIVITY_ID, 1), STUDENT, "feedback.not_attended", activity=NO_SHOW_ACTIVITY
    )


@pytest.mark.parametrize("outcome", [Outcome.NO_SHOW, Outcome.SIGNED_OFF, Outcome.EXCUSED])
def test_once_attendance_is_closed_only_an_attended_outcome_rates(outcome: Outcome) -> None:
    """Given attendance closed with ``outcome`` for STUDENT, when they rate, then refused."""
    book = Attendance(outcomes=((STUDENT.person_id, outcome),), closed=True)
    state = attrs.evolve(ACTIVITY, attendance=book)
    refused(RateActivity(ACTIVITY_ID, 2), STUDENT, "feedback.not_attended", activity=state)


def test_a_student_closed_as_attended_rates() -> None:
    book = Attendance(outcomes=((STUDENT.person_id, Outcome.ATTENDED),), closed=True)
    state = attrs.evolve(ACTIVITY, attendance=book)
    assert run(RateActivity(ACTIVITY_ID, 4), STUDENT, activity=state) == (
        ActivityRated(ACTIVITY_ID, 4, "", STUDENT.person_id, AFTER),
    )


def test_a_no_show_may_still_add_a_highlight() -> None:
    """The attendance rule is for ratings; a highlight needs only admission, as before."""
    assert run(AddHighlight(ACTIVITY_ID, "x.jpg"), STUDENT, activity=NO_SHOW_ACTIVITY) == (
        HighlightAdded(ACTIVITY_ID, "x.jpg", "", STUDENT.person_id, AFTER),
    )
