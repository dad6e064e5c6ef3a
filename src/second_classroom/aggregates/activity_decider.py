"""The Activity's combined decider (fmodel's ``combine``): every command that decides on a
published activity together with its participants' streams, in one ``decide``.

Below it, the rules of each part (one module each, ``decide(command, ActivityFacts) ->
Decision``): ``registration`` (报名, the draw, review admission, leave: the seat ledger and the
enrolments), ``checkin`` (签到, 补签, 签退, closing attendance: the attendance ledger, the
enrolments' outcomes, the records' integrity entries), ``results`` (奖项, 学分, 完结: the
results ledger, the participants' activity records) and ``feedback`` (花絮, 评价: the feedback
ledger). All of them first pass the one guard ``activity_facts.published``.
"""

from __future__ import annotations

from second_classroom.aggregates import checkin, feedback, registration, results
from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision, Involved
from second_classroom.aggregates.activity_feedback import FeedbackCommand
from second_classroom.aggregates.checkin import CheckInCommand
from second_classroom.aggregates.registration import EnrolmentCommand
from second_classroom.aggregates.results import ResultsCommand
from second_classroom.core.actor import Actor
from second_classroom.core.decider import CombinedDecider

ActivityDecisionCommand = EnrolmentCommand | CheckInCommand | ResultsCommand | FeedbackCommand
COMMANDS: tuple[type, ...] = (
    *registration.COMMANDS,
    *checkin.COMMANDS,
    *results.COMMANDS,
    *feedback.COMMANDS,
)


def involved(command: ActivityDecisionCommand, activity: Activity | None, actor: Actor) -> Involved:
    """Whose enrolments and records ``command`` may write, and whether it reads the acting
    student's record: what the facade loads besides the activity and its host."""
    if isinstance(command, EnrolmentCommand):
        return registration.involved(command, activity, actor)
    if isinstance(command, CheckInCommand):
        return checkin.involved(command, activity)
    if isinstance(command, ResultsCommand):
        return results.involved(command, activity)
    if isinstance(command, FeedbackCommand):
        return feedback.involved(command, activity)
    raise AssertionError(f"unhandled command {command!r}")


def decide(command: ActivityDecisionCommand, facts: ActivityFacts) -> Decision:
    """Decide the events for the activity and its participants; raise a DomainError when the
    command is refused."""
    if isinstance(command, EnrolmentCommand):
        return registration.decide(command, facts)
    if isinstance(command, CheckInCommand):
        return checkin.decide(command, facts)
    if isinstance(command, ResultsCommand):
        return results.decide(command, facts)
    if isinstance(command, FeedbackCommand):
        return feedback.decide(command, facts)
    raise AssertionError(f"unhandled command {command!r}")


DECIDER: CombinedDecider[ActivityDecisionCommand, ActivityFacts, Decision] = CombinedDecider(
    "activity", decide, COMMANDS
)
