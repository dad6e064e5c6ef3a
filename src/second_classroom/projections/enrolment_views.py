"""In-process read models for enrolment: 我的活动, the notice outbox, and the lottery reaction.

Each follows the event log (LogFollower) and rebuilds from the start after a restart; the
facts they serve (enrolments, deliveries, draws) are events, so nothing is lost or doubled.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.aggregates import activity, enrolment
from second_classroom.aggregates.activity import ActivityCancelled, ActivityStageApproved, Phase
from second_classroom.aggregates.activity_attendance import AttendanceClosed
from second_classroom.aggregates.activity_results import ActivityFinalized
from second_classroom.aggregates.activity_roster import LotteryCommitted, LotteryDrawn
from second_classroom.aggregates.checkin import CloseAttendance, closing_time
from second_classroom.aggregates.enrolment import (
    DrawLottery,
    EnrolmentRegistered,
    EnrolmentStatus,
    LeaveStatus,
)
from second_classroom.aggregates.mailbox import NoticeDelivered
from second_classroom.aggregates.results import results_deadline, results_overdue
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies.registration_questions import Answer
from second_classroom.policies.rulebook import Rulebook
from second_classroom.projections.follower import LogFollower
from second_classroom.projections.notices import NOTICE_EVENTS, Notice, notices_for


@attrs.frozen
class MyActivity:
    """One line of 我的活动 (第十二条): present from registration until cancellation."""

    activity_id: UUID
    title: str
    status: EnrolmentStatus
    status_label: str
    phase: Phase
    phase_label: str
    leave: LeaveStatus | None
    registered_at: datetime
    answers: tuple[Answer, ...] = ()  # 002 二 6) the student's own answers


class MyActivities:
    """我的活动: which activities each student has registered for."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self.app = app
        self.activities: dict[str, set[UUID]] = defaultdict(set)
        self.follower = LogFollower(app, (EnrolmentRegistered,), self._handle)

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        self.activities[event.student].add(event.activity_id)

    def of(self, student: str, now: datetime) -> list[MyActivity]:
        """The student's live registrations, newest first."""
        with self.follower.caught_up():
            registered = list(self.activities.get(student, ()))
        lines = []
        for activity_id in registered:
            stream = enrolment.enrolment_id(activity_id, student)
            state = self.app.load(enrolment.DECIDER, stream).state
            found = self.app.load(activity.DECIDER, activity_id).state
            if state is None or found is None or not state.is_live:
                continue
            current = activity.phase(found, now)
            lines.append(
                MyActivity(
                    activity_id,
                    found.form.title,
                    state.status,
                    state.status.label,
                    current,
                    current.label,
                    state.leave,
                    state.registered_at,
                    state.answers,
                )
            )
        return sorted(lines, key=lambda line: line.registered_at, reverse=True)


class Outbox:
    """Notices waiting for delivery, per student; a delivery is an event in the mailbox."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self.notices: dict[str, dict[UUID, Notice]] = defaultdict(dict)
        self.delivered: set[tuple[str, UUID]] = set()
        self.follower = LogFollower(app, (*NOTICE_EVENTS, NoticeDelivered), self._handle)

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, NoticeDelivered):
            self.delivered.add((event.student, event.notice_id))
            return
        for notice in notices_for(envelope):
            self.notices[notice.student][notice.notice_id] = notice

    def pending(self, student: str | None = None, limit: int | None = None) -> list[Notice]:
        """Undelivered notices, oldest first (the first ``limit``); all students' when
        ``student`` is None."""
        with self.follower.caught_up():
            students = [student] if student is not None else sorted(self.notices)
            waiting = [
                notice
                for s in students
                for notice in self.notices.get(s, {}).values()
                if (s, notice.notice_id) not in self.delivered
            ]
        return sorted(waiting, key=lambda n: (n.at, n.student, str(n.notice_id)))[:limit]


class LotteryReaction:
    """第十二条 中签制: draws each lottery once its registration has closed."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self.app = app
        self.waiting: set[UUID] = set()
        self.follower = LogFollower(
            app, (LotteryCommitted, LotteryDrawn, ActivityCancelled), self._handle
        )

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, LotteryCommitted):
            self.waiting.add(event.activity_id)
        else:
            self.waiting.discard(event.activity_id)

    def due(self, now: datetime) -> list[UUID]:
        """Lotteries whose registration has closed and that are not drawn yet."""
        with self.follower.caught_up():
            waiting = sorted(self.waiting)
        due = []
        for activity_id in waiting:
            found = self.app.load(activity.DECIDER, activity_id).state
            closes = found.form.registration_closes if found else None
            if (
                found is not None
                and closes is not None
                and now >= closes
                and not found.roster.drawn
            ):
                due.append(activity_id)
        return due

    def commands(self, now: datetime) -> list[tuple[DrawLottery, Actor]]:
        return [(DrawLottery(activity_id), Actor.system()) for activity_id in self.due(now)]


class AttendanceReaction:
    """第十六条: closes attendance once an activity (and its make-up window) is over, marking
    no-shows and writing every admitted student's integrity entry."""

    def __init__(self, app: SecondClassroomApplication, rulebook: Rulebook) -> None:
        self.app = app
        self.rulebook = rulebook
        self.waiting: set[UUID] = set()
        self.follower = LogFollower(
            app, (ActivityStageApproved, AttendanceClosed, ActivityCancelled), self._handle
        )

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, ActivityStageApproved):
            if event.next_stage is None:
                self.waiting.add(event.activity_id)
        else:
            self.waiting.discard(event.activity_id)

    def commands(self, now: datetime) -> list[tuple[CloseAttendance, Actor]]:
        with self.follower.caught_up():
            waiting = sorted(self.waiting)
        due = []
        for activity_id in waiting:
            found = self.app.load(activity.DECIDER, activity_id).state
            if found is None or found.attendance.closed:
                continue
            try:
                when = closing_time(found, self.rulebook)
            except DomainError:
                when = None  # e.g. an unknown calendar year: closing itself will say so
                due.append((CloseAttendance(activity_id), Actor.system()))
            if when is not None and now >= when:
                due.append((CloseAttendance(activity_id), Actor.system()))
        return due


@attrs.frozen
class OverdueResults:
    """An activity whose results (awards, credits, finalization) are past due."""

    activity_id: UUID
    title: str
    deadline: datetime


class ResultsDeadlines:
    """合工大 seed 002: 活动结束后10个工作日内务必上传认定成绩 — which activities are late."""

    def __init__(self, app: SecondClassroomApplication, rulebook: Rulebook) -> None:
        self.app = app
        self.rulebook = rulebook
        self.open: set[UUID] = set()
        self.follower = LogFollower(
            app, (ActivityStageApproved, ActivityFinalized, ActivityCancelled), self._handle
        )

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, ActivityStageApproved):
            if event.next_stage is None:
                self.open.add(event.activity_id)
        else:
            self.open.discard(event.activity_id)

    def overdue(self, now: datetime) -> list[OverdueResults]:
        with self.follower.caught_up():
            still_open = sorted(self.open)
        late = []
        for activity_id in still_open:
            found = self.app.load(activity.DECIDER, activity_id).state
            if found is None or not results_overdue(found, self.rulebook, now):
                continue
            deadline = results_deadline(found, self.rulebook)
            assert deadline is not None
            late.append(OverdueResults(activity_id, found.form.title, deadline))
        return late


DONE_CODES = frozenset({"activity.already_drawn", "checkin.attendance_closed"})


def ignore_done(error: DomainError) -> bool:
    """A reaction racing another run finds the work done: that is success, not failure."""
    return error.code in DONE_CODES
