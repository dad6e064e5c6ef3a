"""What the facade answers besides stored states: a command's ``Outcome`` and the results of
its reads, each registered with the codec so a frontend gets it as JSON too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction
from typing import Any

import attrs
from cattrs.gen import make_dict_unstructure_fn, override

from second_classroom import codec
from second_classroom.aggregates.activity_roster import LotteryCommitted, LotteryDrawn
from second_classroom.aggregates.integrity_record import IntegrityEntry
from second_classroom.aggregates.report_submission import OverdueReport
from second_classroom.aggregates.student import StudentRecord
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies import checkin_codes
from second_classroom.policies import integrity as integrity_policy
from second_classroom.policies.lottery import verify_draw
from second_classroom.policies.rulebook import IntegrityRule, IntegrityStyle
from second_classroom.projections import growth, queries
from second_classroom.projections import reports as report_exports
from second_classroom.projections.claim_views import ClaimToReview
from second_classroom.projections.enrolment_views import MyActivity, OverdueResults
from second_classroom.projections.notices import Notice
from second_classroom.projections.reports import MonthlyRow
from second_classroom.verification import Verification


@attrs.frozen
class Outcome:
    """What a command did: the stored events, with their streams and versions."""

    events: tuple[Envelope, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Outcome",
            "events": [
                {
                    "stream": str(e.originator_id),
                    "version": e.originator_version,
                    "event": codec.to_json(e.payload),
                }
                for e in self.events
            ],
        }


@attrs.frozen
class DrawRecord:
    """Everything needed to re-run a draw: ``verify_draw(*attrs.astuple(record))``."""

    commitment: str
    seed: str
    registrants: tuple[str, ...]
    capacity: int
    winners: tuple[str, ...]

    def verify(self) -> bool:
        return verify_draw(
            self.commitment, self.seed, self.registrants, self.capacity, self.winners
        )

    @classmethod
    def of(cls, history: Iterable[Envelope]) -> DrawRecord | None:
        """The draw an activity's history records, once both its commitment and draw are."""
        commitment, drawn = None, None
        for envelope in history:
            if isinstance(envelope.payload, LotteryCommitted):
                commitment = envelope.payload.commitment
            elif isinstance(envelope.payload, LotteryDrawn):
                drawn = envelope.payload
        if commitment is None or drawn is None:
            return None
        return cls(commitment, drawn.seed, drawn.registrants, drawn.capacity, drawn.winners)


@attrs.frozen
class CheckInCode:
    """The current code of a session: the QR payload, its password, and when it closes."""

    token: str
    password: str | None
    closes_at: datetime

    def svg(self) -> str:
        return checkin_codes.render_svg(self.token)

    def png(self) -> bytes:
        return checkin_codes.render_png(self.token)

    def terminal(self) -> str:
        return checkin_codes.render_terminal(self.token)


@attrs.frozen
class IntegrityReport:
    """A student's integrity: the score (a percentage or points), the blacklist and entries."""

    student_number: str
    style: IntegrityStyle
    score: Fraction
    blacklisted_until: datetime | None
    entries: tuple[IntegrityEntry, ...]

    @classmethod
    def of(cls, record: StudentRecord, rule: IntegrityRule) -> IntegrityReport:
        score = integrity_policy.score(record.integrity, rule)
        return cls(
            record.student_number, rule.style, score, record.blacklisted_until, record.integrity
        )

    def is_blacklisted(self, now: datetime) -> bool:
        return self.blacklisted_until is not None and now < self.blacklisted_until


@attrs.frozen
class ReportFiles:
    """学院月报 as files: the workbook, CSV (UTF-8 with a BOM), the chart as PNG and SVG."""

    xlsx: bytes
    csv: bytes
    png: bytes
    svg: str


codec.register_results(
    (DrawRecord, CheckInCode, IntegrityReport, MyActivity, Notice, Verification, OverdueResults)
)
# The rows the facade's listings answer a ``Page`` of (``queries.Page[BoardRow]``, …).
PAGE_ROWS: tuple[type, ...] = (
    queries.BoardRow,
    queries.LeaderboardRow,
    queries.AuditRow,
    queries.RosterRow,
    queries.WorkloadRow,
    queries.AdvisorRow,
    MonthlyRow,
)
codec.register_results(
    (
        queries.StudentSummaryRow,
        queries.BoardRow,
        queries.LeaderboardRow,
        queries.AuditRow,
        queries.RosterRow,
        queries.WorkloadRow,
        queries.Page,
        MonthlyRow,
    )
)
codec.register_results((growth.GrowthEntry, growth.GrowthTimeline))
codec.register_results((ClaimToReview, OverdueReport, queries.AdvisorRow, report_exports.Shortfall))


def _page_json(page: queries.Page[Any]) -> dict[str, Any]:
    """A page with each row as the codec writes it alone, ``{"type": "<Row>", ...}``: one
    shape per kind of thing, wherever it appears (a row of a page, an item of a list)."""
    return {"rows": [codec.to_json(row) for row in page.rows], "next_cursor": page.next_cursor}


codec.converter.register_unstructure_hook(queries.Page, _page_json)
# Likewise a timeline's entries: each a GrowthEntry as the codec writes it alone.
codec.converter.register_unstructure_hook(
    growth.GrowthTimeline,
    make_dict_unstructure_fn(
        growth.GrowthTimeline,
        codec.converter,
        entries=override(unstruct_hook=lambda entries: [codec.to_json(e) for e in entries]),
    ),
)

__all__ = ["PAGE_ROWS", "CheckInCode", "DrawRecord", "IntegrityReport", "Outcome", "ReportFiles"]
