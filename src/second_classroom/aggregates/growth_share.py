"""成长档案的分享 (004 三（二）): a student shares their growth timeline read-only with a person
they choose (a parent, a tutor) until a date, may revoke it, and sees each view by a grantee.

"为家长及社会动态了解学生的成长过程提供支撑": the grant, its revocation and every view by a
grantee are events on the student's share stream, so the student reads who saw it and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.actor import Role
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require
from second_classroom.core.text import PersonId
from second_classroom.policies.context import Context

# A grant is for a while, not for ever: a student renews it rather than forgets it.
LONGEST_GRANT = timedelta(days=366)

EXPIRY_INVALID = ErrorCode(
    "growth.expiry_invalid",
    "分享截止时间须晚于现在且不超过一年（{expires_at}）",
    "A share must expire after now and within a year ({expires_at})",
    Category.INVALID,
)
GRANTEE_SELF = ErrorCode(
    "growth.grantee_self",
    "不能向自己分享成长档案",
    "A student cannot share their growth timeline with themselves",
    Category.INVALID,
)
NOT_GRANTED = ErrorCode(
    "growth.not_granted",
    "未向 {grantee} 分享成长档案，或分享已失效",
    "No current share of the growth timeline with {grantee}",
    Category.NOT_FOUND,
)


@attrs.frozen
class GrowthGrant:
    """One share with a grantee: from when, until when, and its revocation if any."""

    grantee: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Readable at ``now``: granted, not yet expired, not revoked."""
        return self.revoked_at is None and self.granted_at <= now < self.expires_at


@attrs.frozen
class GrowthView:
    """A grantee read the timeline at ``at``, as it stood at ``as_of``."""

    viewer: str
    at: datetime
    as_of: datetime


@attrs.frozen
class GrowthShare:
    """A student's shares of their growth timeline and the views by grantees."""

    student: str
    grants: tuple[GrowthGrant, ...] = ()
    views: tuple[GrowthView, ...] = ()

    def grant_of(self, grantee: str) -> GrowthGrant | None:
        """The latest grant to ``grantee`` (a new one replaces an earlier one)."""
        return next((g for g in reversed(self.grants) if g.grantee == grantee), None)

    def may_view(self, grantee: str, now: datetime) -> bool:
        found = self.grant_of(grantee)
        return found is not None and found.active(now)


@attrs.frozen
class GrowthAccessGranted:
    student: str
    grantee: str
    expires_at: datetime
    by: str
    at: datetime


@attrs.frozen
class GrowthAccessRevoked:
    student: str
    grantee: str
    by: str
    at: datetime


@attrs.frozen
class GrowthTimelineViewed:
    student: str
    viewer: str
    as_of: datetime
    at: datetime


GrowthShareEvent = GrowthAccessGranted | GrowthAccessRevoked | GrowthTimelineViewed
EVENTS: tuple[type, ...] = GrowthShareEvent.__args__


@attrs.frozen
class GrantGrowthAccess:
    """The student shares their growth timeline with ``grantee`` until ``expires_at``."""

    student_number: PersonId
    grantee: PersonId
    expires_at: datetime


@attrs.frozen
class RevokeGrowthAccess:
    """The student ends a share before it expires."""

    student_number: PersonId
    grantee: PersonId


@attrs.frozen
class ViewGrowthTimeline:
    """A grantee reads the timeline (as of ``as_of``, default now): recorded for the student.
    The facade's ``growth_timeline`` runs it for a grantee and answers the timeline."""

    student_number: PersonId
    as_of: datetime | None = None


GrowthShareCommand = GrantGrowthAccess | RevokeGrowthAccess | ViewGrowthTimeline
COMMANDS: tuple[type, ...] = GrowthShareCommand.__args__


def growth_share_id(student_number: str) -> UUID:
    return ids.derive("growth-share", student_number)


def target(command: GrowthShareCommand) -> UUID:
    return growth_share_id(command.student_number)


def decide(
    command: GrowthShareCommand, state: GrowthShare | None, ctx: Context
) -> Sequence[GrowthShareEvent]:
    actor, now = ctx.actor, ctx.now
    student = command.student_number
    if isinstance(command, ViewGrowthTimeline):
        allowed = state is not None and state.may_view(actor.person_id, now)
        require(allowed, UNAUTHORIZED, action="查看成长档案 read growth timeline")
        as_of = min(command.as_of or now, now)  # the future reads as today
        return [GrowthTimelineViewed(student, actor.person_id, as_of, now)]
    # Only the student shares: not their college, not an operator (the choice is theirs).
    own = actor.person_id == student and actor.has(Role.student())
    require(own, UNAUTHORIZED, action="分享成长档案 share growth timeline")
    if isinstance(command, GrantGrowthAccess):
        require(command.grantee != student, GRANTEE_SELF)
        expires = command.expires_at
        require(
            now < expires <= now + LONGEST_GRANT, EXPIRY_INVALID, expires_at=expires.isoformat()
        )
        return [GrowthAccessGranted(student, command.grantee, expires, actor.person_id, now)]
    require(
        state is not None and state.may_view(command.grantee, now),
        NOT_GRANTED,
        grantee=command.grantee,
    )
    return [GrowthAccessRevoked(student, command.grantee, actor.person_id, now)]


def evolve(state: GrowthShare | None, event: GrowthShareEvent) -> GrowthShare:
    current = state or GrowthShare(event.student)
    if isinstance(event, GrowthAccessGranted):
        grant = GrowthGrant(event.grantee, event.at, event.expires_at)
        kept = tuple(g for g in current.grants if g.grantee != event.grantee)
        return attrs.evolve(current, grants=(*kept, grant))
    if isinstance(event, GrowthAccessRevoked):
        grants = tuple(
            attrs.evolve(g, revoked_at=event.at) if g.grantee == event.grantee else g
            for g in current.grants
        )
        return attrs.evolve(current, grants=grants)
    view = GrowthView(event.viewer, event.at, event.as_of)
    return attrs.evolve(current, views=(*current.views, view))


DECIDER: FunctionalDecider[GrowthShareCommand, GrowthShare, GrowthShareEvent, Context] = (
    FunctionalDecider("growth-share", decide, evolve, GrowthShare, EVENTS)
)
