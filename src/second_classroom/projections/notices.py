"""群发通知 (第十四条) and system messages (第十二条): which events tell which students what.

A notice is a pure function of one stored event; its id is derived from the event's stream,
version and the student, so it is the same on every replay and every store.

Notices read stored envelopes (``persistence.mapper.Envelope``), so they sit with the
projections that deliver them, not with the pure rules of ``policies/``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

import attrs

from second_classroom.aggregates.activity import ActivityCancelled, ActivityDetailsChanged
from second_classroom.aggregates.activity_roster import LotteryDrawn, RegistrationWithdrawn
from second_classroom.aggregates.enrolment import LeaveDecided
from second_classroom.core.ids import NAMESPACE
from second_classroom.persistence.mapper import Envelope

FIELD_NAMES = {
    "registration_opens": "报名开始时间",
    "registration_closes": "报名结束时间",
    "starts_at": "活动开始时间",
    "ends_at": "活动结束时间",
    "locations": "活动地点",
    "details": "活动详情",
}


class NoticeKind(StrEnum):
    ACTIVITY_CHANGED = "activity_changed"
    ACTIVITY_CANCELLED = "activity_cancelled"
    LOTTERY_WON = "lottery_won"
    LOTTERY_LOST = "lottery_lost"
    LEAVE_APPROVED = "leave_approved"
    LEAVE_REJECTED = "leave_rejected"
    PROMOTED = "promoted"


@attrs.frozen
class Notice:
    """One message to one student."""

    notice_id: UUID
    student: str
    kind: NoticeKind
    activity_id: UUID
    text: str
    at: datetime


NOTICE_EVENTS: tuple[type, ...] = (
    ActivityDetailsChanged,
    ActivityCancelled,
    LotteryDrawn,
    LeaveDecided,
    RegistrationWithdrawn,
)


def notice_id(envelope: Envelope, student: str) -> UUID:
    return uuid5(
        NAMESPACE, f"notice/{envelope.originator_id}/{envelope.originator_version}/{student}"
    )


def notices_for(envelope: Envelope) -> list[Notice]:
    """The notices one stored event sends."""
    event = envelope.payload

    def notice(student: str, kind: NoticeKind, activity_id: UUID, text: str) -> Notice:
        return Notice(
            notice_id(envelope, student), student, kind, activity_id, text, envelope.timestamp
        )

    match event:
        case ActivityDetailsChanged(activity_id=aid, changed=changed, after=after, notify=notify):
            parts = "；".join(_describe(name, getattr(after, name)) for name in changed)
            text = f"活动信息变更：{parts}"
            return [notice(s, NoticeKind.ACTIVITY_CHANGED, aid, text) for s in notify]
        case ActivityCancelled(activity_id=aid, reason=reason, notify=notify):
            text = f"活动已取消：{reason}"
            return [notice(s, NoticeKind.ACTIVITY_CANCELLED, aid, text) for s in notify]
        case LotteryDrawn(activity_id=aid, registrants=registrants, winners=winners):
            won = set(winners)
            return [
                notice(s, NoticeKind.LOTTERY_WON, aid, "恭喜，您已中签")
                if s in won
                else notice(s, NoticeKind.LOTTERY_LOST, aid, "很遗憾，您未中签")
                for s in registrants
            ]
        case RegistrationWithdrawn(activity_id=aid, promoted=str(promoted)):
            # Told here, never in the canceller's reply (replies name nobody else).
            return [notice(promoted, NoticeKind.PROMOTED, aid, "候补转正：您已被录取")]
        case LeaveDecided(activity_id=aid, student=student, approved=True):
            return [notice(student, NoticeKind.LEAVE_APPROVED, aid, "请假申请已批准")]
        case LeaveDecided(activity_id=aid, student=student, reason=reason):
            text = f"请假申请未批准：{reason}"
            return [notice(student, NoticeKind.LEAVE_REJECTED, aid, text)]
    return []


def _describe(name: str, value: object) -> str:
    label = FIELD_NAMES.get(name, name)
    if isinstance(value, datetime):
        return f"{label}改为 {value:%Y-%m-%d %H:%M}"
    if isinstance(value, tuple):
        return f"{label}改为 {'、'.join(map(str, value))}"
    return f"{label}已更新"
