"""A student's mailbox: which notices have been delivered, so each is delivered exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, require
from second_classroom.core.text import PersonId
from second_classroom.policies.context import Context


@attrs.frozen
class Mailbox:
    student: str
    delivered: frozenset[UUID] = frozenset()


@attrs.frozen
class NoticeDelivered:
    student: str
    notice_id: UUID
    by: str
    at: datetime


MailboxEvent = NoticeDelivered
EVENTS: tuple[type, ...] = (NoticeDelivered,)


@attrs.frozen
class MarkNoticeDelivered:
    """The frontend (as the system) or the student reports a notice delivered or read."""

    student: PersonId
    notice_id: UUID


COMMANDS: tuple[type, ...] = (MarkNoticeDelivered,)


def mailbox_id(student: str) -> UUID:
    return ids.derive("mailbox", student)


def target(command: MarkNoticeDelivered) -> UUID:
    return mailbox_id(command.student)


def decide(
    command: MarkNoticeDelivered, state: Mailbox | None, ctx: Context
) -> Sequence[MailboxEvent]:
    actor = ctx.actor
    require(
        actor.is_system or actor.person_id == command.student,
        UNAUTHORIZED,
        action="标记通知已送达 mark delivered",
    )
    if state is not None and command.notice_id in state.delivered:
        return []  # exactly once: a repeated mark changes nothing
    return [NoticeDelivered(command.student, command.notice_id, actor.person_id, ctx.now)]


def evolve(state: Mailbox | None, event: MailboxEvent) -> Mailbox:
    current = state or Mailbox(event.student)
    return attrs.evolve(current, delivered=current.delivered | {event.notice_id})


DECIDER: FunctionalDecider[MarkNoticeDelivered, Mailbox, MailboxEvent, Context] = FunctionalDecider(
    "mailbox", decide, evolve, Mailbox, EVENTS
)
