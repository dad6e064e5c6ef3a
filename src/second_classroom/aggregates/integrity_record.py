"""A student's integrity entries (诚信记录): one per admitted activity, with appeals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_attendance import Outcome
from second_classroom.core.text import LevelCode


class AppealStatus(StrEnum):
    """申诉 of a default."""

    PENDING = "pending"
    UPHELD = "upheld"  # the default stands
    OVERTURNED = "overturned"  # reversed: score restored, blacklist lifted

    @property
    def label(self) -> str:
        return {"pending": "申诉处理中", "upheld": "申诉驳回", "overturned": "申诉成立"}[self.value]


@attrs.frozen
class IntegrityEntry:
    """One admitted activity's outcome in the student's integrity record, with its rule."""

    entry_id: UUID
    activity_id: UUID
    level: LevelCode
    outcome: Outcome
    at: datetime
    rule: str
    appeal: AppealStatus | None = None

    @property
    def overturned(self) -> bool:
        return self.appeal is AppealStatus.OVERTURNED
