"""Enrolment (报名): one stream per (activity, student) — 第十二、十三条, 发布规范 八、九.

The stream's state, events and fold. Its events are decided together with the Activity's
seat ledger (``registration``), attendance (``checkin``) and results, by the Activity's
combined decider (``activity_decider``); the facade saves them in one transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider, decided_by
from second_classroom.core.terms import AdmissionMethod, AttendanceOutcome
from second_classroom.policies.registration_questions import Answer


class EnrolmentStatus(StrEnum):
    """Where a student's registration stands. ``label`` is what 我的活动 shows."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    ADMITTED = "admitted"
    NOT_SELECTED = "not_selected"
    NOT_ADMITTED = "not_admitted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


class LeaveStatus(StrEnum):
    """申请请假."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _LEAVE_LABELS[self]


_STATUS_LABELS = {
    EnrolmentStatus.REGISTERED: "已报名",
    EnrolmentStatus.WAITLISTED: "候补中",
    EnrolmentStatus.ADMITTED: "已录取",
    EnrolmentStatus.NOT_SELECTED: "未中签",
    EnrolmentStatus.NOT_ADMITTED: "未录取",
    EnrolmentStatus.CANCELLED: "已取消报名",
}
_LEAVE_LABELS = {
    LeaveStatus.REQUESTED: "请假审核中",
    LeaveStatus.APPROVED: "请假已批准",
    LeaveStatus.REJECTED: "请假未批准",
}


@attrs.frozen
class Enrolment:
    """One student's registration for one activity."""

    id: UUID
    activity_id: UUID
    student: str
    status: EnrolmentStatus
    registered_at: datetime
    times_registered: int = 1
    leave: LeaveStatus | None = None
    leave_reason: str = ""
    outcome: AttendanceOutcome | None = None
    answers: tuple[Answer, ...] = ()  # 002 二 6) the registration questions, answered

    @property
    def is_live(self) -> bool:
        """Shown in 我的活动: everything but a cancelled registration (第十二条)."""
        return self.status is not EnrolmentStatus.CANCELLED

    @property
    def excused(self) -> bool:
        """An approved leave excuses the student from no-show penalties."""
        return self.leave is LeaveStatus.APPROVED


# -- events ---------------------------------------------------------------------------------


@attrs.frozen
class EnrolmentRegistered:
    enrolment_id: UUID
    activity_id: UUID
    student: str
    status: EnrolmentStatus
    at: datetime
    answers: tuple[Answer, ...] = ()  # 002 二 6); events stored before it carry none


@attrs.frozen
class EnrolmentCancelled:
    enrolment_id: UUID
    at: datetime


@attrs.frozen
class EnrolmentPromoted:
    """First on the waitlist when a seat was freed: admitted."""

    enrolment_id: UUID
    at: datetime


@attrs.frozen
class EnrolmentAdmitted:
    enrolment_id: UUID
    method: AdmissionMethod
    by: str
    at: datetime


@attrs.frozen
class EnrolmentNotSelected:
    """中签制: not drawn."""

    enrolment_id: UUID
    at: datetime


@attrs.frozen
class EnrolmentNotAdmitted:
    """评审制: not admitted when the review closed."""

    enrolment_id: UUID
    at: datetime


@attrs.frozen
class LeaveRequested:
    enrolment_id: UUID
    activity_id: UUID
    student: str
    reason: str
    proofs: tuple[str, ...]
    at: datetime


@attrs.frozen
class LeaveDecided:
    enrolment_id: UUID
    activity_id: UUID
    student: str
    approved: bool
    reason: str
    by: str
    at: datetime


@attrs.frozen
class EnrolmentOutcomeRecorded:
    """How the student's participation ended, when attendance closed (第十六条)."""

    enrolment_id: UUID
    activity_id: UUID
    student: str
    outcome: AttendanceOutcome
    at: datetime


EnrolmentEvent = (
    EnrolmentOutcomeRecorded
    | EnrolmentRegistered
    | EnrolmentCancelled
    | EnrolmentPromoted
    | EnrolmentAdmitted
    | EnrolmentNotSelected
    | EnrolmentNotAdmitted
    | LeaveRequested
    | LeaveDecided
)
EVENTS: tuple[type, ...] = EnrolmentEvent.__args__


def evolve(state: Enrolment | None, event: EnrolmentEvent) -> Enrolment:
    """Apply one event."""
    if isinstance(event, EnrolmentRegistered):
        if state is None:
            return Enrolment(
                event.enrolment_id,
                event.activity_id,
                event.student,
                event.status,
                event.at,
                answers=event.answers,
            )
        return attrs.evolve(
            state,
            status=event.status,
            registered_at=event.at,
            times_registered=state.times_registered + 1,
            leave=None,
            leave_reason="",
            answers=event.answers,
        )
    assert state is not None, "an enrolment event before EnrolmentRegistered"
    match event:
        case EnrolmentCancelled():
            return attrs.evolve(state, status=EnrolmentStatus.CANCELLED)
        case EnrolmentPromoted() | EnrolmentAdmitted():
            return attrs.evolve(state, status=EnrolmentStatus.ADMITTED)
        case EnrolmentNotSelected():
            return attrs.evolve(state, status=EnrolmentStatus.NOT_SELECTED)
        case EnrolmentNotAdmitted():
            return attrs.evolve(state, status=EnrolmentStatus.NOT_ADMITTED)
        case LeaveRequested(reason=reason):
            return attrs.evolve(state, leave=LeaveStatus.REQUESTED, leave_reason=reason)
        case EnrolmentOutcomeRecorded(outcome=outcome):
            return attrs.evolve(state, outcome=outcome)
        case LeaveDecided(approved=approved):
            return attrs.evolve(
                state, leave=LeaveStatus.APPROVED if approved else LeaveStatus.REJECTED
            )
    raise AssertionError(f"unhandled event {event!r}")


DECIDER: FunctionalDecider[object, Enrolment, EnrolmentEvent, object] = FunctionalDecider(
    "enrolment", decided_by("enrolment", "activity"), evolve, Enrolment, EVENTS, short=True
)


@functools.lru_cache(maxsize=65536)  # pure; asked 2-3 times per registration, by plan and reply
def enrolment_id(activity_id: UUID, student: str) -> UUID:
    """The enrolment stream of ``student`` (学号) in the activity."""
    return ids.enrolment_id(activity_id, ids.student_id(student))
