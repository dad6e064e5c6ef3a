"""The demo world (second_classroom.demo) with three transcripts to verify: one valid, one
revoked, one superseded by a newer one."""

from __future__ import annotations

from pathlib import Path

import attrs

from second_classroom.aggregates.transcript import (
    IssueTranscript,
    RevokeTranscript,
    TranscriptIssued,
)
from second_classroom.core.actor import Actor
from second_classroom.demo import at, run_demo
from second_classroom.service import SecondClassroom

ADMIN = Actor.school_admin("T-校团委-001")


@attrs.frozen
class Transcripts:
    service: SecondClassroom
    valid: str
    revoked: str
    superseded: str
    newer: str


def _issue(service: SecondClassroom, number: str, hour: int) -> str:
    outcome = service.execute(IssueTranscript(number), Actor.student(number), at(6, hour, month=12))
    return next(e.payload.serial for e in outcome.events if isinstance(e.payload, TranscriptIssued))


def demo_transcripts(folder: Path) -> Transcripts:
    """Play the demo into ``folder``, then issue and revoke as the 查证 cases need."""
    service = run_demo(folder / "demo.sqlite3", out=lambda _line: None)
    qian = "2024010102"  # 钱静, who has credits in the demo
    valid = _issue(service, qian, 9)
    revoked = _issue(service, qian, 10)
    service.execute(RevokeTranscript(revoked, "发放错误"), ADMIN, at(6, 11, month=12))
    superseded = _issue(service, qian, 12)
    newer = _issue(service, qian, 13)
    service.execute(RevokeTranscript(superseded, "学分更正", newer), ADMIN, at(6, 14, month=12))
    return Transcripts(service, valid, revoked, superseded, newer)
