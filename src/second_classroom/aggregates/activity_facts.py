"""What a decision on a published activity reads, what it decides, and the one guard all such
decisions pass.

Registration (``registration``), check-in (``checkin``), results (``results``) and feedback
(``feedback``) decide on the Activity's ledgers and, together, on the students' Enrolment and
StudentRecord streams: each is ``decide(command, ActivityFacts) -> Decision``, combined into
one ``CombinedDecider`` in ``activity_decider``.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import attrs

from second_classroom.aggregates.activity import (
    FROZEN,
    NOT_FOUND,
    Activity,
    ActivityEvent,
    ActivityStatus,
)
from second_classroom.aggregates.enrolment import Enrolment, EnrolmentEvent
from second_classroom.aggregates.student import StudentEvent, StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core.errors import Category, DomainError, ErrorCode, require
from second_classroom.policies.context import Context

NOT_PUBLISHED = ErrorCode(
    "activity.not_published",
    "活动未发布或已取消（{status}）",
    "The activity is not published, or was cancelled ({status})",
    Category.CLOSED,
)


@attrs.frozen
class ActivityFacts:
    """What a decision on an activity and its participants reads: the context (actor with
    the host's tribe roles, time, rulebook), the activity, its host tribe, the records and
    enrolments of the students involved, and the school's secret (check-in codes, the
    lottery seed)."""

    base: Context
    activity: Activity | None
    tribe: Tribe | None
    records: Mapping[str, StudentRecord] = attrs.field(factory=dict)
    enrolments: Mapping[str, Enrolment] = attrs.field(factory=dict)
    secret: bytes | None = None


@attrs.frozen
class Decision:
    """The events for the activity's stream, for each student's enrolment stream and for each
    student's record, saved together. With ``refusal``, the command is refused *after* they
    are stored: the refusal is itself a fact worth keeping (a wrong check-in password)."""

    activity: tuple[ActivityEvent, ...] = ()
    enrolments: Mapping[str, tuple[EnrolmentEvent, ...]] = attrs.field(factory=dict)
    records: Mapping[str, tuple[StudentEvent, ...]] = attrs.field(factory=dict)
    refusal: DomainError | None = None


@attrs.frozen
class Involved:
    """What a decision needs loaded besides the activity and its host: the enrolments and
    records it may write, whether it reads the acting student's own record (registering,
    cancelling, asking leave), and whether it needs the school's secret (whose first use the
    facade records, so it is asked for only when needed)."""

    enrolments: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()
    actor_record: bool = False
    secret: bool = False


def published(facts: ActivityFacts, activity_id: UUID) -> Activity:
    """The guard every such decision passes: the activity exists (``activity.not_found``), is
    not finalized (``activity.frozen``) and is published — approved, not cancelled
    (``activity.not_published``)."""
    # Every activity command passes here: the refusals' details are written only when refused.
    activity = facts.activity
    if activity is None:
        raise NOT_FOUND.error(activity_id=str(activity_id))
    require(not activity.frozen, FROZEN)
    if activity.status is not ActivityStatus.APPROVED:
        raise NOT_PUBLISHED.error(status=activity.status.label)
    return activity
