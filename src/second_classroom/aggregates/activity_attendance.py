"""The activity's attendance ledger (签到管理): sessions, check-ins, make-ups, sign-offs.

Like the seat ledger, it lives on the Activity stream; it keeps only what the rules need —
the verdict, a distance bucket, the time, keyed fingerprints for the anomaly rule — never a
student's coordinates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.core.terms import AttendanceOutcome


class SessionKind(StrEnum):
    CHECK_IN = "check_in"  # 签到
    CHECK_OUT = "check_out"  # 签退 (by the student, when the school requires it)

    @property
    def label(self) -> str:
        return "签到" if self is SessionKind.CHECK_IN else "签退"


class Method(StrEnum):
    QR = "qr"  # 扫码签到
    PASSWORD = "password"  # 密码签到
    MAKEUP = "makeup"  # 补签


@attrs.frozen
class Geofence:
    """签到距离: centre and radius in metres."""

    latitude: float
    longitude: float
    radius_m: float


@attrs.frozen
class Session:
    number: int
    kind: SessionKind
    opens_at: datetime
    closes_at: datetime
    allow_password: bool
    geofence: Geofence | None
    rotation_seconds: int


@attrs.frozen
class Scan:
    """A recent check-in, kept for the anomaly rule."""

    session: int
    student: str
    device: str | None
    place: str | None
    at: datetime


@attrs.frozen
class Attendance:
    sessions: tuple[Session, ...] = ()
    present: frozenset[tuple[int, str]] = frozenset()  # (session, student)
    tokens: frozenset[tuple[int, str, int]] = frozenset()  # (session, student, step) used
    flagged: frozenset[tuple[int, str]] = frozenset()  # awaiting the organizer's review
    made_up: frozenset[str] = frozenset()
    signed_off: tuple[tuple[str, datetime], ...] = ()  # (student, when)
    recent: tuple[Scan, ...] = ()
    outcomes: tuple[tuple[str, AttendanceOutcome], ...] = ()  # set once, when attendance is closed
    closed: bool = False
    # Wrong passwords, each as (session, student, its attempt number 1, 2, …), and the
    # students whose password attempts in a session are used up (flagged for the organizers).
    wrong_passwords: frozenset[tuple[int, str, int]] = frozenset()
    password_locked: frozenset[tuple[int, str]] = frozenset()
    # 签到时间 (第十六条): set by the host; None means the default, the activity's start or end.
    window_opens: datetime | None = None
    window_closes: datetime | None = None

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def checked(self, student: str, kind: SessionKind) -> bool:
        """Whether the student has an accepted scan in a session of ``kind``."""
        numbers = {s.number for s in self.sessions if s.kind is kind}
        return any((n, student) in self.present for n in numbers)

    def signed_off_at(self, student: str) -> datetime | None:
        return next((at for s, at in self.signed_off if s == student), None)

    def outcome(self, student: str) -> AttendanceOutcome | None:
        return dict(self.outcomes).get(student)

    def wrong_guesses(self, session: int, student: str) -> int:
        """How many wrong passwords the student entered in the session: the unbroken run of
        attempts 1, 2, … recorded for them."""
        # The run is at most the set's size, so the search is bounded (an unbounded ``while``
        # turned infinite under mutation testing); it stops at the first missing attempt.
        return next(
            n
            for n in range(len(self.wrong_passwords) + 1)
            if (session, student, n + 1) not in self.wrong_passwords
        )


# -- events (Activity stream) ---------------------------------------------------------------


@attrs.frozen
class CheckInSessionOpened:
    activity_id: UUID
    session: Session
    by: str
    at: datetime


@attrs.frozen
class CheckInWindowSet:
    """签到时间可由活动主办方修改 (第十六条): the period in which check-in codes may be valid."""

    activity_id: UUID
    opens_at: datetime
    closes_at: datetime
    by: str
    at: datetime


@attrs.frozen
class StudentCheckedIn:
    """An accepted scan or password, or a make-up (``method`` MAKEUP, with ``reason``)."""

    activity_id: UUID
    session: int
    student: str
    method: Method
    distance: str
    step: int | None
    device: str | None
    place: str | None
    flagged: bool
    reason: str
    by: str
    at: datetime
    evidence: str = ""  # 补签: the reference of the paper evidence (发布规范 十), if given


@attrs.frozen
class NoShowMadeUp:
    """补签 after attendance closed (发布规范 十 活动结束后活动负责人需按照要求提供相关纸质材料):
    the no-show becomes attended, with the evidence's reference; the default is reversed in
    the student's record in the same save."""

    activity_id: UUID
    student: str
    reason: str
    evidence: str
    by: str
    at: datetime


@attrs.frozen
class CheckInPasswordRejected:
    """A wrong password, kept as a trace: the ``attempt``-th of the student in the session.

    Neither the guess nor the student's location is stored.
    """

    activity_id: UUID
    session: int
    student: str
    attempt: int
    at: datetime


@attrs.frozen
class CheckInPasswordLocked:
    """The student used up the session's password attempts: no more passwords from them in
    this session, and the organizers see the flag. Scanning the QR code still works."""

    activity_id: UUID
    session: int
    student: str
    attempts: int
    at: datetime


@attrs.frozen
class FlaggedCheckInReviewed:
    activity_id: UUID
    session: int
    student: str
    accepted: bool
    by: str
    at: datetime


@attrs.frozen
class StudentSignedOff:
    """被负责人、组织者签退 (第十六条): removed from the activity, with a reason."""

    activity_id: UUID
    student: str
    reason: str
    by: str
    at: datetime


@attrs.frozen
class AttendanceClosed:
    """After the activity ended: every admitted student's outcome, decided once."""

    activity_id: UUID
    outcomes: tuple[tuple[str, AttendanceOutcome], ...]
    by: str
    at: datetime


AttendanceEvent = (
    CheckInSessionOpened
    | StudentCheckedIn
    | CheckInPasswordRejected
    | CheckInPasswordLocked
    | FlaggedCheckInReviewed
    | StudentSignedOff
    | AttendanceClosed
    | NoShowMadeUp
    | CheckInWindowSet
)
EVENTS: tuple[type, ...] = AttendanceEvent.__args__


RECENT_HORIZON_S = 120  # scans kept for the anomaly rule; its window may not exceed this
_RECENT_HORIZON = timedelta(seconds=RECENT_HORIZON_S)


def evolve_attendance(ledger: Attendance, event: AttendanceEvent) -> Attendance:
    """Apply one attendance event."""
    match event:
        case CheckInSessionOpened(session=session):
            return attrs.evolve(ledger, sessions=(*ledger.sessions, session))
        case StudentCheckedIn(method=Method.MAKEUP, student=student):
            return attrs.evolve(ledger, made_up=ledger.made_up | {student})
        case StudentCheckedIn(session=number, student=student, step=step, flagged=flagged):
            key = (number, student)
            # s.at >= at - horizon is (at - s.at) <= horizon, one comparison a scan instead
            # of a subtraction and a float (a burst keeps every scan of the last minutes).
            oldest = event.at - _RECENT_HORIZON
            recent = tuple(s for s in ledger.recent if s.at >= oldest)
            scan = Scan(number, student, event.device, event.place, event.at)
            return attrs.evolve(
                ledger,
                present=ledger.present | {key},
                tokens=ledger.tokens | ({(number, student, step)} if step is not None else set()),
                flagged=ledger.flagged | ({key} if flagged else set()),
                recent=(*recent, scan),
            )
        case CheckInPasswordRejected(session=number, student=student, attempt=attempt):
            return attrs.evolve(
                ledger, wrong_passwords=ledger.wrong_passwords | {(number, student, attempt)}
            )
        case CheckInPasswordLocked(session=number, student=student):
            return attrs.evolve(
                ledger, password_locked=ledger.password_locked | {(number, student)}
            )
        case FlaggedCheckInReviewed(session=number, student=student, accepted=accepted):
            key = (number, student)
            present = ledger.present if accepted else ledger.present - {key}
            return attrs.evolve(ledger, flagged=ledger.flagged - {key}, present=present)
        case StudentSignedOff(student=student, at=at):
            return attrs.evolve(ledger, signed_off=(*ledger.signed_off, (student, at)))
        case AttendanceClosed(outcomes=outcomes):
            return attrs.evolve(ledger, outcomes=outcomes, closed=True)
        case CheckInWindowSet(opens_at=opens, closes_at=closes):
            return attrs.evolve(ledger, window_opens=opens, window_closes=closes)
        case NoShowMadeUp(student=student):
            outcomes = tuple(
                (s, AttendanceOutcome.ATTENDED if s == student else o) for s, o in ledger.outcomes
            )
            return attrs.evolve(ledger, made_up=ledger.made_up | {student}, outcomes=outcomes)
    raise AssertionError(f"unhandled event {event!r}")
