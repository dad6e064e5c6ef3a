"""The cadre rounds each student was appointed in, by term (002 一 3)): how the 查证入口 finds
the round of a 聘书 issued before certificates recorded it (``CertificateIssued.round_id``).

Followed from the log in memory (``LogFollower``), caught up only when asked: only such a
letter asks.
"""

from __future__ import annotations

from uuid import UUID

from second_classroom.aggregates.cadre import CadreAppointed
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.follower import LogFollower


class Appointments:
    """(学号, 届次) → the rounds that appointed the student in that term, in log order."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self._rounds: dict[tuple[str, str], list[UUID]] = {}
        self._follower = LogFollower(app, (CadreAppointed,), self._handle)

    def _handle(self, _position: int, envelope: Envelope) -> None:
        payload = envelope.payload
        if isinstance(payload, CadreAppointed):
            found = self._rounds.setdefault((payload.student_number, payload.term), [])
            if payload.round_id not in found:
                found.append(payload.round_id)

    def rounds(self, student_number: str, term: str) -> tuple[UUID, ...]:
        """The rounds of ``term`` that appointed ``student_number``; () if none."""
        with self._follower.caught_up():
            return tuple(self._rounds.get((student_number, term), ()))
