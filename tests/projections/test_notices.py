"""群发通知 (第十四条) and system messages (第十二条): which stored events tell which students what.

Each notice is a pure function of one stored event; its id comes from the event's stream, version
and the student, so replaying the log or moving it to another store sends no notice twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

import attrs

from second_classroom.aggregates.activity import ActivityCancelled, ActivityDetailsChanged
from second_classroom.aggregates.activity_roster import LotteryDrawn, RegistrationWithdrawn
from second_classroom.aggregates.enrolment import LeaveDecided
from second_classroom.core import ids
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.notices import Notice, NoticeKind, notice_id, notices_for
from tests.aggregates.activity_fixtures import ACTIVITY_ID, FORM
from tests.specification import at

WHEN = at(12, 1, 9)
A, B, C = "2024000001", "2024000002", "2024000003"
ENROLMENT = ids.derive("enrolment", "test", A)


def stored(payload: object, version: int = 7, stream: UUID = ACTIVITY_ID) -> Envelope:
    return Envelope(stream, version, WHEN, payload)


def expected(
    envelope: Envelope, student: str, kind: NoticeKind, text: str, activity: UUID = ACTIVITY_ID
) -> Notice:
    return Notice(notice_id(envelope, student), student, kind, activity, text, WHEN)


def test_a_notice_id_is_derived_from_stream_version_and_student() -> None:
    envelope = stored(None)
    assert notice_id(envelope, A) == uuid5(ids.NAMESPACE, f"notice/{ACTIVITY_ID}/7/{A}")
    assert notice_id(envelope, A) == notice_id(stored(None), A)
    assert notice_id(envelope, A) != notice_id(envelope, B)
    assert notice_id(envelope, A) != notice_id(stored(None, version=8), A)
    assert notice_id(envelope, A) != notice_id(stored(None, stream=ENROLMENT), A)


def test_a_change_of_time_and_place_tells_every_registered_student_what_changed() -> None:
    """第十四条: 活动信息变更后，系统向已报名学生群发通知."""
    after = attrs.evolve(
        FORM,
        starts_at=datetime(2026, 12, 3, 15, 30, tzinfo=WHEN.tzinfo),
        locations=("一教", "二教"),
    )
    event = ActivityDetailsChanged(
        ACTIVITY_ID,
        FORM,
        after,
        ("starts_at", "locations", "details", "capacity"),
        None,
        "leader",
        WHEN,
        notify=(A, B),
    )
    envelope = stored(event)
    text = (
        "活动信息变更：活动开始时间改为 2026-12-03 15:30；活动地点改为 一教、二教；"
        "活动详情已更新；capacity已更新"
    )
    assert notices_for(envelope) == [
        expected(envelope, A, NoticeKind.ACTIVITY_CHANGED, text),
        expected(envelope, B, NoticeKind.ACTIVITY_CHANGED, text),
    ]


def test_a_cancellation_tells_every_registered_student_why() -> None:
    """第十四条: 活动取消 is announced with its reason."""
    envelope = stored(ActivityCancelled(ACTIVITY_ID, "天气原因", "leader", WHEN, notify=(B,)))
    assert notices_for(envelope) == [
        expected(envelope, B, NoticeKind.ACTIVITY_CANCELLED, "活动已取消：天气原因")
    ]


def test_the_draw_tells_each_registrant_whether_they_won() -> None:
    """第十二条: 抽取后系统消息会告知报名同学是否中签."""
    envelope = stored(LotteryDrawn(ACTIVITY_ID, "0" * 64, (A, B, C), 1, (B,), "system", WHEN))
    assert notices_for(envelope) == [
        expected(envelope, A, NoticeKind.LOTTERY_LOST, "很遗憾，您未中签"),
        expected(envelope, B, NoticeKind.LOTTERY_WON, "恭喜，您已中签"),
        expected(envelope, C, NoticeKind.LOTTERY_LOST, "很遗憾，您未中签"),
    ]


def test_a_leave_decision_tells_the_student() -> None:
    """第十二条: 请假 is approved or rejected by the 负责人 or 组织者; the student is told which."""
    approved = stored(LeaveDecided(ENROLMENT, ACTIVITY_ID, A, True, "", "leader", WHEN))
    rejected = stored(LeaveDecided(ENROLMENT, ACTIVITY_ID, A, False, "理由不充分", "leader", WHEN))
    assert notices_for(approved) == [
        expected(approved, A, NoticeKind.LEAVE_APPROVED, "请假申请已批准")
    ]
    assert notices_for(rejected) == [
        expected(rejected, A, NoticeKind.LEAVE_REJECTED, "请假申请未批准：理由不充分")
    ]


def test_a_cancellation_tells_the_student_promoted_from_the_waitlist() -> None:
    """第十二条 (报名制 with a waitlist, a school's option, not a seed rule): a cancelled seat
    goes to the first on the waitlist, who is told here, never in the canceller's reply; a
    cancellation that promotes nobody tells nobody."""
    promoting = stored(RegistrationWithdrawn(ACTIVITY_ID, A, B, WHEN))
    assert notices_for(promoting) == [
        expected(promoting, B, NoticeKind.PROMOTED, "候补转正：您已被录取")
    ]
    assert notices_for(stored(RegistrationWithdrawn(ACTIVITY_ID, A, None, WHEN))) == []


def test_other_events_send_nothing() -> None:
    assert notices_for(stored("not an event")) == []
    nobody = ActivityCancelled(ACTIVITY_ID, "天气原因", "leader", WHEN)
    assert notices_for(stored(nobody)) == []
