"""The activity's seat ledger (名额): who registered, who holds a seat, who waits.

These events live on the Activity stream, so capacity is enforced inside one consistency
boundary whatever the concurrency; each student's Enrolment stream mirrors their own part.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs


class RegistrationOutcome(StrEnum):
    """What a registration led to at once."""

    ADMITTED = "admitted"  # 报名制: 即报即成功
    WAITLISTED = "waitlisted"  # 报名制 with a waitlist, when full
    PENDING = "pending"  # 中签制 awaiting the draw, 评审制 awaiting review


@attrs.frozen
class Roster:
    """Registrations of one activity."""

    pending: frozenset[str] = frozenset()
    admitted: frozenset[str] = frozenset()
    waitlist: tuple[str, ...] = ()
    commitment: str | None = None
    drawn: bool = False
    review_closed: bool = False

    def holds(self, student: str) -> bool:
        """Whether the student has a live registration (pending, admitted or waiting)."""
        return student in self.pending or student in self.admitted or student in self.waitlist

    @property
    def registrants(self) -> frozenset[str]:
        return self.pending | self.admitted | frozenset(self.waitlist)


@attrs.frozen
class RegistrationAccepted:
    activity_id: UUID
    student: str
    outcome: RegistrationOutcome
    at: datetime


@attrs.frozen
class RegistrationWithdrawn:
    """A student cancelled; ``promoted`` is the first on the waitlist, who takes the seat."""

    activity_id: UUID
    student: str
    promoted: str | None
    at: datetime
    left: RegistrationOutcome | None = (
        None  # the seat, place in the draw/review, or waitlist given up
    )


@attrs.frozen
class LotteryCommitted:
    """The commitment to the draw's seed, published at approval."""

    activity_id: UUID
    commitment: str
    at: datetime


@attrs.frozen
class LotteryDrawn:
    """The draw: its revealed seed and every input, so anyone can re-run it (verify_draw)."""

    activity_id: UUID
    seed: str
    registrants: tuple[str, ...]
    capacity: int
    winners: tuple[str, ...]
    by: str
    at: datetime


@attrs.frozen
class RegistrantsAdmitted:
    """评审制 admission of chosen registrants (第十三条); irreversible."""

    activity_id: UUID
    students: tuple[str, ...]
    by: str
    at: datetime


@attrs.frozen
class ReviewClosed:
    """评审制 review finished: everyone not admitted is not admitted."""

    activity_id: UUID
    not_admitted: tuple[str, ...]
    by: str
    at: datetime


RosterEvent = (
    RegistrationAccepted
    | RegistrationWithdrawn
    | LotteryCommitted
    | LotteryDrawn
    | RegistrantsAdmitted
    | ReviewClosed
)
EVENTS: tuple[type, ...] = RosterEvent.__args__


def evolve_roster(roster: Roster, event: RosterEvent) -> Roster:
    """Apply one roster event."""
    match event:
        case RegistrationAccepted(student=student, outcome=RegistrationOutcome.ADMITTED):
            return attrs.evolve(roster, admitted=roster.admitted | {student})
        case RegistrationAccepted(student=student, outcome=RegistrationOutcome.WAITLISTED):
            return attrs.evolve(roster, waitlist=(*roster.waitlist, student))
        case RegistrationAccepted(student=student):
            return attrs.evolve(roster, pending=roster.pending | {student})
        case RegistrationWithdrawn(student=student, promoted=promoted):
            admitted = roster.admitted - {student}
            waitlist = tuple(s for s in roster.waitlist if s not in (student, promoted))
            if promoted is not None:
                admitted |= {promoted}
            return attrs.evolve(
                roster,
                pending=roster.pending - {student},
                admitted=admitted,
                waitlist=waitlist,
            )
        case LotteryCommitted(commitment=commitment):
            return attrs.evolve(roster, commitment=commitment)
        case LotteryDrawn(winners=winners):
            return attrs.evolve(
                roster, pending=frozenset(), admitted=roster.admitted | set(winners), drawn=True
            )
        case RegistrantsAdmitted(students=students):
            return attrs.evolve(
                roster,
                pending=roster.pending - set(students),
                admitted=roster.admitted | set(students),
            )
        case ReviewClosed():
            return attrs.evolve(roster, pending=frozenset(), review_closed=True)
    raise AssertionError(f"unhandled event {event!r}")
