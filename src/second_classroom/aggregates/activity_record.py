"""活动记录 (第十九、二十条): what finalizing an activity writes into a participant's record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_attendance import Outcome
from second_classroom.core.text import LevelCode
from second_classroom.policies.activity_form import PlannedCredit


@attrs.frozen
class ActivityRecord:
    """One finalized activity in a student's record: attendance, awards, credits, hours."""

    activity_id: UUID
    title: str
    module: str
    level: LevelCode
    starts_at: datetime
    ends_at: datetime
    hours: Decimal
    outcome: Outcome | None
    awards: tuple[str, ...]
    credits: tuple[PlannedCredit, ...]
    finalized_at: datetime


def ledger(records: Iterable[ActivityRecord]) -> dict[tuple[str, str], Decimal]:
    """Credits per (module, credit type); no upper limit (seed 003: 不设上限)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for record in records:
        for credit in record.credits:
            totals[(credit.module, credit.credit_type)] += credit.amount
    return dict(totals)
