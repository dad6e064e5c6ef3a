"""干部任期记录 (工作履历): what closing a cadre round writes into a rated cadre's record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.core.terms import CadrePosition, CadreRating
from second_classroom.policies.activity_form import PlannedCredit


@attrs.frozen
class CadreRecord:
    """One rated term of office: the organization, the post, the dates, the rating, and the
    credits it earned (none when the service was shorter than the rulebook's minimum)."""

    round_id: UUID  # the source: the cadre round that rated and closed it
    tribe_id: UUID
    organization: str
    term: str
    module: str  # the rulebook's cadre module when the round closed ("" when none)
    position: CadrePosition
    title: str
    starts: datetime
    ends: datetime  # the term's end, or the day it ended early
    ended_early: bool
    rating: CadreRating
    credits: tuple[PlannedCredit, ...]
    closed_at: datetime


def cadre_credits(records: Iterable[CadreRecord]) -> Iterable[PlannedCredit]:
    """Every credit the records earned."""
    return (credit for record in records for credit in record.credits)
