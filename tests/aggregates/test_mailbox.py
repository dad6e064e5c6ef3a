"""A student's mailbox: each notice is delivered exactly once, marked by the system (the
frontend pushing it) or by the student reading it, never by anyone else."""

from __future__ import annotations

from uuid import UUID

from second_classroom.aggregates.mailbox import (
    COMMANDS,
    DECIDER,
    EVENTS,
    Mailbox,
    MarkNoticeDelivered,
    NoticeDelivered,
    mailbox_id,
    target,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from tests.specification import NOW, SCHOOL_ADMIN, at, context, given

STUDENT = "2023010101"
NOTICE = UUID("00000000-0000-4000-8000-000000000001")
OTHER_NOTICE = UUID("00000000-0000-4000-8000-000000000002")
FORBIDDEN = "auth.forbidden"


def test_the_mailbox_is_the_students_own_stream() -> None:
    assert mailbox_id(STUDENT) == ids.derive("mailbox", STUDENT)
    assert mailbox_id(STUDENT) != mailbox_id("2023010102")
    assert target(MarkNoticeDelivered(STUDENT, NOTICE)) == mailbox_id(STUDENT)
    assert (NoticeDelivered,) == EVENTS
    assert (MarkNoticeDelivered,) == COMMANDS
    assert DECIDER.name == "mailbox"


def test_the_system_marks_a_notice_delivered() -> None:
    state = (
        given(DECIDER)
        .when(MarkNoticeDelivered(STUDENT, NOTICE), context(Actor.system("notifier")))
        .then(NoticeDelivered(STUDENT, NOTICE, "notifier", NOW))
    )
    assert state == Mailbox(STUDENT, frozenset({NOTICE}))


def test_the_student_marks_their_own_notice_read() -> None:
    state = (
        given(DECIDER)
        .when(MarkNoticeDelivered(STUDENT, NOTICE), context(Actor.student(STUDENT), at(11, 24)))
        .then(NoticeDelivered(STUDENT, NOTICE, STUDENT, at(11, 24)))
    )
    assert state.delivered == {NOTICE}


def test_a_notice_is_delivered_exactly_once() -> None:
    delivered = NoticeDelivered(STUDENT, NOTICE, "system", NOW)
    given(DECIDER, delivered).when(
        MarkNoticeDelivered(STUDENT, NOTICE), context(Actor.student(STUDENT))
    ).then_nothing()
    state = (
        given(DECIDER, delivered)
        .when(MarkNoticeDelivered(STUDENT, OTHER_NOTICE), context(Actor.system()))
        .then(NoticeDelivered(STUDENT, OTHER_NOTICE, "system", NOW))
    )
    assert state == Mailbox(STUDENT, frozenset({NOTICE, OTHER_NOTICE}))


def test_nobody_else_marks_a_students_notice() -> None:
    for actor in (Actor.student("2023010102"), SCHOOL_ADMIN):
        error = (
            given(DECIDER)
            .when(MarkNoticeDelivered(STUDENT, NOTICE), context(actor))
            .raises(FORBIDDEN)
        )
        assert error.details == {"action": "标记通知已送达 mark delivered"}
