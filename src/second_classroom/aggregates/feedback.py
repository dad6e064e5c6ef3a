"""花絮 and 评价 decisions (第十七条, 第二十六条): who may add what, and when."""

from __future__ import annotations

from second_classroom.aggregates.activity import Activity, is_activity_manager
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision, Involved, published
from second_classroom.aggregates.activity_feedback import (
    COMMANDS,
    ActivityRated,
    AddHighlight,
    EvaluateParticipant,
    FeedbackCommand,
    FeedbackEvent,
    HighlightAdded,
    ParticipantEvaluated,
    RateActivity,
)
from second_classroom.aggregates.results import attended
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require

__all__ = ["COMMANDS", "decide", "involved"]

NOT_ENDED = ErrorCode(
    "feedback.not_ended",
    "活动结束后才能上传花絮和评价（第十七条）",
    "Feedback comes after the activity",
    Category.CLOSED,
)
NOT_PARTICIPANT = ErrorCode(
    "feedback.not_participant",
    "只有参与活动的成员、负责人和组织者可以上传花絮或评价",
    "Only participants and organizers give feedback",
    Category.FORBIDDEN,
)
RATING_RANGE = ErrorCode(
    "feedback.rating_range", "评分须为 1-5 星", "A rating is 1 to 5 stars", Category.INVALID
)
EMPTY = ErrorCode("feedback.empty", "内容不能为空", "Feedback must not be empty", Category.INVALID)
NOT_ATTENDED = ErrorCode(
    "feedback.not_attended",
    "未参加活动（未签到、被签退或已请假）不能评价活动（第十七条：参与活动的成员可以评价）",
    "Only those who took part rate the activity: not a no-show, signed off or excused",
    Category.FORBIDDEN,
)
NOT_ADMITTED = ErrorCode(
    "feedback.student_not_participant",
    "{student} 未参加本活动",
    "{student} did not take part",
    Category.INVALID,
)


def involved(_command: FeedbackCommand, _activity: Activity | None) -> Involved:
    """Feedback writes the activity's stream alone."""
    return Involved()


def decide(command: FeedbackCommand, ctx: ActivityFacts) -> Decision:
    """Decide the events; raise a DomainError when the command is refused."""
    activity = published(ctx, command.activity_id)
    base = ctx.base
    actor, now = base.actor, base.now
    ends = activity.form.ends_at
    require(ends is not None and now >= ends, NOT_ENDED)
    manager = is_activity_manager(actor, activity, ctx.tribe)
    participant = actor.person_id in activity.roster.admitted
    match command:
        case AddHighlight(reference=reference, caption=caption):
            require(manager or participant, NOT_PARTICIPANT)
            require(bool(reference.strip()), EMPTY)
            return _decided(HighlightAdded(activity.id, reference, caption, actor.person_id, now))
        case RateActivity(stars=stars, comment=comment):
            require(participant, NOT_PARTICIPANT)
            # 第十七条 参与活动的成员……对活动进行评价: admitted is not enough, they took part.
            require(attended(activity, actor.person_id), NOT_ATTENDED)
            require(1 <= stars <= 5, RATING_RANGE)
            return _decided(ActivityRated(activity.id, stars, comment, actor.person_id, now))
        case EvaluateParticipant(student=student, stars=stars, comment=comment):
            require(manager, UNAUTHORIZED, action="评价学生 evaluate participant")
            require(student in activity.roster.admitted, NOT_ADMITTED, student=student)
            require(1 <= stars <= 5, RATING_RANGE)
            return _decided(
                ParticipantEvaluated(activity.id, student, stars, comment, actor.person_id, now)
            )
    raise AssertionError(f"unhandled command {command!r}")


def _decided(event: FeedbackEvent) -> Decision:
    return Decision(activity=(event,))
