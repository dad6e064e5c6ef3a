"""The activity's results ledger (颁发奖项/发放学分, 第十八条; 完结活动, 第十九条).

Awards are irreversible; credits can be revoked until the activity is finalized; finalizing
freezes the activity for good.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.policies.activity_form import PlannedCredit


@attrs.frozen
class Results:
    awards: tuple[tuple[str, str], ...] = ()  # (award name, student), in issue order
    credits: frozenset[str] = frozenset()  # students holding the planned credits now
    finalized: bool = False

    def holders(self, award: str) -> list[str]:
        return [student for name, student in self.awards if name == award]

    def awards_of(self, student: str) -> tuple[str, ...]:
        return tuple(name for name, s in self.awards if s == student)


@attrs.frozen
class AwardIssued:
    """颁发奖项: irreversible (奖项颁发错误无法撤回)."""

    activity_id: UUID
    award: str
    students: tuple[str, ...]
    by: str
    at: datetime


@attrs.frozen
class CreditsGranted:
    """发放学分: the activity's planned credits, to the chosen students."""

    activity_id: UUID
    students: tuple[str, ...]
    credits: tuple[PlannedCredit, ...]
    by: str
    at: datetime


@attrs.frozen
class CreditsRevoked:
    """学分发放错误可以撤回 — until the activity is finalized."""

    activity_id: UUID
    students: tuple[str, ...]
    reason: str
    by: str
    at: datetime


@attrs.frozen
class ActivityFinalized:
    """完结活动: records are written for every participant; the activity is frozen."""

    activity_id: UUID
    participants: tuple[str, ...]
    by: str
    at: datetime


ResultsEvent = AwardIssued | CreditsGranted | CreditsRevoked | ActivityFinalized
EVENTS: tuple[type, ...] = ResultsEvent.__args__


def evolve_results(results: Results, event: ResultsEvent) -> Results:
    match event:
        case AwardIssued(award=award, students=students):
            return attrs.evolve(results, awards=(*results.awards, *((award, s) for s in students)))
        case CreditsGranted(students=students):
            return attrs.evolve(results, credits=results.credits | set(students))
        case CreditsRevoked(students=students):
            return attrs.evolve(results, credits=results.credits - set(students))
        case ActivityFinalized():
            return attrs.evolve(results, finalized=True)
    raise AssertionError(f"unhandled event {event!r}")
