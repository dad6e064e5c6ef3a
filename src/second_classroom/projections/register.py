"""The register of signed documents (成绩单 and 电子证书): each serial's place in issue order,
which is its bit in the school's revocation status list, and the serials withdrawn (revoked or
superseded).

Followed from the log in memory (``LogFollower``): each call reads only the events recorded
since the last, instead of the whole log. Transcripts and certificates share one order, so one
status list covers both and an index, once given, never changes.
"""

from __future__ import annotations

from second_classroom.aggregates.certificate import CertificateIssued, CertificateRevoked
from second_classroom.aggregates.transcript import TranscriptIssued, TranscriptRevoked
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.follower import LogFollower

EVENT_TYPES = (TranscriptIssued, TranscriptRevoked, CertificateIssued, CertificateRevoked)


class DocumentRegister:
    """Status list indexes and withdrawn serials, caught up from the log on each read."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self._order: dict[str, int] = {}
        self._withdrawn: set[int] = set()
        self._follower = LogFollower(app, EVENT_TYPES, self._handle)

    def _handle(self, _position: int, envelope: Envelope) -> None:
        payload = envelope.payload
        if isinstance(payload, TranscriptIssued | CertificateIssued):
            self._order.setdefault(payload.serial, len(self._order))
        elif isinstance(payload, TranscriptRevoked | CertificateRevoked):
            index = self._order.get(payload.serial)
            if index is not None:
                self._withdrawn.add(index)

    def index(self, serial: str) -> int | None:
        """The serial's bit in the status list; None for a serial never issued."""
        with self._follower.caught_up():
            return self._order.get(serial)

    def withdrawn(self) -> set[int]:
        """The bits of every revoked or superseded document."""
        with self._follower.caught_up():
            return set(self._withdrawn)
