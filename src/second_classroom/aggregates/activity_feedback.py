"""Events and commands of 花絮 and 评价 (第十七条, 第二十六条, 发布规范 十一、十二):
highlights, ratings and comments on the activity, and organizers' evaluations of participants,
kept as written. The decisions are in feedback.py."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.core.text import PersonId, Proof, Reason


@attrs.frozen
class HighlightAdded:
    activity_id: UUID
    reference: str
    caption: str
    by: str
    at: datetime


@attrs.frozen
class ActivityRated:
    activity_id: UUID
    stars: int
    comment: str
    by: str
    at: datetime


@attrs.frozen
class ParticipantEvaluated:
    activity_id: UUID
    student: str
    stars: int
    comment: str
    by: str
    at: datetime


FeedbackEvent = HighlightAdded | ActivityRated | ParticipantEvaluated
EVENTS: tuple[type, ...] = FeedbackEvent.__args__


@attrs.frozen
class AddHighlight:
    """上传花絮: a picture or video reference with a caption."""

    activity_id: UUID
    reference: Proof
    caption: Reason = ""


@attrs.frozen
class RateActivity:
    """评价活动: stars and a comment, by a participant."""

    activity_id: UUID
    stars: int
    comment: Reason = ""


@attrs.frozen
class EvaluateParticipant:
    """组织者评价学生表现."""

    activity_id: UUID
    student: PersonId
    stars: int
    comment: Reason = ""


FeedbackCommand = AddHighlight | RateActivity | EvaluateParticipant
COMMANDS: tuple[type, ...] = FeedbackCommand.__args__
