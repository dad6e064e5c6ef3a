"""A student's integrity entries (诚信记录) and the 申诉 of a default (第十五、十六条)."""

from __future__ import annotations

from uuid import UUID

import pytest

from second_classroom.aggregates.activity_attendance import Outcome
from second_classroom.aggregates.integrity_record import AppealStatus, IntegrityEntry
from second_classroom.core.terms import ActivityLevel
from tests.specification import NOW


@pytest.mark.parametrize(
    ("status", "value", "label"),
    [
        (AppealStatus.PENDING, "pending", "申诉处理中"),
        (AppealStatus.UPHELD, "upheld", "申诉驳回"),
        (AppealStatus.OVERTURNED, "overturned", "申诉成立"),
    ],
)
def test_an_appeal_status_reads_in_chinese(status: AppealStatus, value: str, label: str) -> None:
    assert status.value == value
    assert status.label == label


@pytest.mark.parametrize(
    ("appeal", "overturned"),
    [
        (None, False),
        (AppealStatus.PENDING, False),
        (AppealStatus.UPHELD, False),
        (AppealStatus.OVERTURNED, True),  # score restored, blacklist lifted
    ],
)
def test_only_an_overturned_appeal_reverses_the_default(
    appeal: AppealStatus | None, overturned: bool
) -> None:
    entry = IntegrityEntry(
        UUID(int=1), UUID(int=2), ActivityLevel.SCHOOL, Outcome.NO_SHOW, NOW, "rule", appeal
    )
    assert entry.overturned is overturned
