"""补录记录: what a confirmed claim writes into each beneficiary's record, and the ledger's lines
with their source (an activity or a claim)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind


@attrs.frozen
class BackfillRecord:
    """One confirmed 补录 claim in a student's record: its credits, marked with the claim."""

    claim_id: UUID
    kind: ClaimKind
    title: str
    credits: tuple[PlannedCredit, ...]
    confirmed_at: datetime


@attrs.frozen
class CreditLine:
    """One line of the credit ledger and its source: ``activity``, ``backfill`` (补录) or
    ``cadre`` (a rated term of office, written by its cadre round)."""

    source: str
    source_id: UUID
    title: str
    module: str
    credit_type: str
    amount: Decimal


def credit_lines(
    activities: Iterable[ActivityRecord],
    backfills: Iterable[BackfillRecord],
    cadre_terms: Iterable[CadreRecord] = (),
) -> tuple[CreditLine, ...]:
    """Every credit a student holds, activity records first, each naming where it came from."""
    found = [
        CreditLine("activity", r.activity_id, r.title, c.module, c.credit_type, c.amount)
        for r in activities
        for c in r.credits
    ]
    found += [
        CreditLine("backfill", b.claim_id, b.title, c.module, c.credit_type, c.amount)
        for b in backfills
        for c in b.credits
    ]
    found += [
        CreditLine("cadre", t.round_id, t.title, c.module, c.credit_type, c.amount)
        for t in cadre_terms
        for c in t.credits
    ]
    return tuple(found)
