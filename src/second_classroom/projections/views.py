"""The SQL read models: real tables a frontend may query directly, kept by the runner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import orjson

from second_classroom.aggregates import activity as activity_events
from second_classroom.aggregates import activity_attendance as attendance
from second_classroom.aggregates import activity_results as results
from second_classroom.aggregates import activity_roster as roster
from second_classroom.aggregates import enrolment as enrolment_events
from second_classroom.aggregates import student as student_events
from second_classroom.aggregates import tribe as tribe_events
from second_classroom.aggregates.activity_roster import RegistrationOutcome as Registration
from second_classroom.aggregates.enrolment import EnrolmentStatus, LeaveStatus
from second_classroom.aggregates.mailbox import NoticeDelivered
from second_classroom.codec import converter, registry
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.core.wire import isoformat
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.reading import Recorded
from second_classroom.projections.database import (
    AMOUNT_CHECK,
    Cursor,
    Index,
    amount_units,
    index_key,
)
from second_classroom.projections.notices import NOTICE_EVENTS, notices_for


def _iso(moment: Any) -> str | None:
    return isoformat(moment) if moment is not None else None


class AuditLog:
    """Who did what, when, with which command: one row per event."""

    name = "audit_log"
    tables = ("audit_log",)
    # ``queries.audit_log``: one stream's, actor's or event type's rows in log order.
    indexes = tuple(
        Index(f"audit_log_by_{column}", "audit_log", (column, "position"))
        for column in ("stream", "actor", "event")
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS audit_log (position BIGINT PRIMARY KEY,"
            " stream TEXT NOT NULL, version INTEGER NOT NULL, event TEXT NOT NULL,"
            " command TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL)"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM audit_log")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        payload = envelope.payload
        data = envelope.stored if envelope.stored is not None else converter.unstructure(payload)
        actor = envelope.actor or str(getattr(payload, "by", "") or getattr(payload, "student", ""))
        row = _audit_row(
            position,
            str(envelope.originator_id),
            envelope.originator_version,
            registry.of(payload).name,
            envelope.command,
            index_key(actor),
            isoformat(envelope.timestamp),
            data,
        )
        cursor.execute(_AUDIT_INSERT, row)

    def apply_records(self, cursor: Cursor, records: Sequence[tuple[int, Recorded]]) -> None:
        # The stored JSON as it is: no event is decoded for the audit log.
        cursor.executemany(_AUDIT_INSERT, [self._row(n, r) for n, r in records])

    @staticmethod
    def _row(position: int, recorded: Recorded) -> tuple[object, ...]:
        data = recorded.data
        actor = recorded.actor
        if not actor:  # an event stored without its command: who it names
            who = _WHO.get(recorded.topic)
            if who is None:
                who = _WHO[recorded.topic] = _who(recorded.topic)
            actor = str(next((value for name in who if (value := data.get(name))), ""))
        return _audit_row(
            position,
            recorded.stream,
            recorded.originator_version,
            recorded.topic,
            recorded.command,
            index_key(actor),
            recorded.at,
            data,
        )


_AUDIT_INSERT = "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
# Per event type, the payload fields naming who acted when the event carries no command:
# ``by``, else ``student`` (those its class has).
_WHO: dict[str, tuple[str, ...]] = {}


def _who(topic: str) -> tuple[str, ...]:
    fields = attrs.fields_dict(registry.named(topic).cls)
    return tuple(name for name in ("by", "student") if name in fields)


def _audit_row(
    position: int,
    stream: str,
    version: int,
    topic: str,
    command: str,
    actor: str,
    at: str,
    data: Any,
) -> tuple[object, ...]:
    text = orjson.dumps({"type": topic, **data}, option=orjson.OPT_SORT_KEYS).decode()
    return (position, stream, version, topic, command, actor, at, text)


_OUTCOME_COLUMN = {
    AttendanceOutcome.ATTENDED: "attended",
    AttendanceOutcome.NO_SHOW: "no_shows",
    AttendanceOutcome.SIGNED_OFF: "signed_off",
    AttendanceOutcome.EXCUSED: "excused",
}
_NUMBER_OF = "(SELECT student_number FROM student_keys WHERE student_id = ?)"


class StudentSummary:
    """Per student: identity, attendance counts, blacklist, activities, credits per module/type."""

    name = "student_summary"
    shape = 1  # 1: credit amounts in whole units (database.AMOUNT_PLACES), not NUMERIC
    tables = ("student_summary", "student_credits", "student_keys")
    events = (
        student_events.StudentRegistered,
        student_events.AttendanceRecorded,
        student_events.AppealDecided,
        student_events.StudentRecordCorrected,
        student_events.DefaultMadeUp,
        student_events.ActivityRecorded,
        student_events.BackfillRecorded,
        student_events.CadreTermRecorded,
        student_events.TranscriptNumbered,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS student_summary (student_number TEXT PRIMARY KEY,"
            " name TEXT NOT NULL, college TEXT NOT NULL, class_name TEXT NOT NULL,"
            " cohort INTEGER NOT NULL, attended INTEGER NOT NULL DEFAULT 0,"
            " no_shows INTEGER NOT NULL DEFAULT 0, signed_off INTEGER NOT NULL DEFAULT 0,"
            " excused INTEGER NOT NULL DEFAULT 0, overturned INTEGER NOT NULL DEFAULT 0,"
            " blacklisted_until TEXT, activities INTEGER NOT NULL DEFAULT 0,"
            " transcripts INTEGER NOT NULL DEFAULT 0)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS student_credits (student_number TEXT NOT NULL,"
            " module TEXT NOT NULL, credit_type TEXT NOT NULL,"
            f" amount BIGINT NOT NULL {AMOUNT_CHECK},"
            " PRIMARY KEY (student_number, module, credit_type))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS student_keys (student_id TEXT PRIMARY KEY,"
            " student_number TEXT NOT NULL)"
        )

    def clear(self, cursor: Cursor) -> None:
        for table in ("student_summary", "student_credits", "student_keys"):
            cursor.execute(f"DELETE FROM {table}")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        match event:
            case student_events.StudentRegistered():
                cursor.execute(
                    "INSERT INTO student_summary (student_number, name, college, class_name,"
                    " cohort) VALUES (?, ?, ?, ?, ?)",
                    (
                        event.student_number,
                        event.name,
                        event.college,
                        event.class_name,
                        event.cohort,
                    ),
                )
                cursor.execute(
                    "INSERT INTO student_keys VALUES (?, ?)",
                    (str(event.student_id), event.student_number),
                )
            case student_events.AttendanceRecorded(entry=entry, blacklisted_until=until):
                column = _OUTCOME_COLUMN[entry.outcome]
                cursor.execute(
                    f"UPDATE student_summary SET {column} = {column} + 1, blacklisted_until = ?"
                    f" WHERE student_number = {_NUMBER_OF}",
                    (_iso(until), str(event.student_id)),
                )
            case student_events.AppealDecided(overturned=overturned, blacklisted_until=until):
                cursor.execute(
                    "UPDATE student_summary SET overturned = overturned + ?, blacklisted_until = ?"
                    f" WHERE student_number = {_NUMBER_OF}",
                    (1 if overturned else 0, _iso(until), str(event.student_id)),
                )
            case student_events.StudentRecordCorrected(after=after):
                for field, value in after:
                    column = {"name": "name", "class_name": "class_name"}[field]
                    cursor.execute(
                        f"UPDATE student_summary SET {column} = ?"
                        f" WHERE student_number = {_NUMBER_OF}",
                        (value, str(event.student_id)),
                    )
            case student_events.DefaultMadeUp(blacklisted_until=until):
                # 补签 after closing: the no-show now counts as attended (发布规范 十).
                cursor.execute(
                    "UPDATE student_summary SET no_shows = no_shows - 1, attended = attended + 1,"
                    f" blacklisted_until = ? WHERE student_number = {_NUMBER_OF}",
                    (_iso(until), str(event.student_id)),
                )
            case student_events.ActivityRecorded(record=record):
                cursor.execute(
                    "UPDATE student_summary SET activities = activities + 1"
                    f" WHERE student_number = {_NUMBER_OF}",
                    (str(event.student_id),),
                )
                for credit in record.credits:
                    cursor.execute(
                        "INSERT INTO student_credits SELECT student_number, ?, ?, ?"
                        " FROM student_keys WHERE student_id = ?"
                        " ON CONFLICT (student_number, module, credit_type)"
                        " DO UPDATE SET amount = student_credits.amount + excluded.amount",
                        (
                            credit.module,
                            credit.credit_type,
                            amount_units(credit.amount),
                            str(event.student_id),
                        ),
                    )
            case (
                student_events.BackfillRecorded(record=credited)
                | student_events.CadreTermRecorded(record=credited)
            ):
                # 补录 credits and a rated cadre term's credits (issue 14 §2) count as an
                # activity's do.
                for credit in credited.credits:
                    cursor.execute(
                        "INSERT INTO student_credits SELECT student_number, ?, ?, ?"
                        " FROM student_keys WHERE student_id = ?"
                        " ON CONFLICT (student_number, module, credit_type)"
                        " DO UPDATE SET amount = student_credits.amount + excluded.amount",
                        (
                            credit.module,
                            credit.credit_type,
                            amount_units(credit.amount),
                            str(event.student_id),
                        ),
                    )
            case student_events.TranscriptNumbered():
                cursor.execute(
                    "UPDATE student_summary SET transcripts = transcripts + 1"
                    f" WHERE student_number = {_NUMBER_OF}",
                    (str(event.student_id),),
                )


_BUCKET = {
    Registration.ADMITTED: "admitted",
    Registration.WAITLISTED: "waitlisted",
    Registration.PENDING: "pending",
}
_STATUS_AFTER = {
    activity_events.ActivityRejected: "draft",
    activity_events.ActivityWithdrawn: "draft",
    activity_events.ActivityCancelled: "cancelled",
}
_TIMES = ("registration_opens", "registration_closes", "starts_at", "ends_at")


class ActivityBoard:
    """Per activity: definition, status, seats taken and left, registrations, check-ins."""

    name = "activity_board"
    tables = ("activity_board", "board_tribes")
    events = (
        tribe_events.TribeCreated,
        activity_events.ActivityDrafted,
        activity_events.ActivityDraftEdited,
        activity_events.ActivitySubmitted,
        activity_events.ActivityStageApproved,
        activity_events.AwardPlanChanged,
        activity_events.ActivityDetailsChanged,
        roster.RegistrationAccepted,
        roster.RegistrationWithdrawn,
        roster.LotteryDrawn,
        roster.RegistrantsAdmitted,
        roster.ReviewClosed,
        attendance.StudentCheckedIn,
        results.ActivityFinalized,
        *_STATUS_AFTER,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS activity_board (activity_id TEXT PRIMARY KEY,"
            " title TEXT NOT NULL, host_tribe TEXT NOT NULL, college TEXT, level TEXT,"
            " module TEXT, status TEXT NOT NULL, capacity INTEGER,"
            " admitted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0,"
            " waitlisted INTEGER NOT NULL DEFAULT 0, registrations INTEGER NOT NULL DEFAULT 0,"
            " checkins INTEGER NOT NULL DEFAULT 0, registration_opens TEXT,"
            " registration_closes TEXT, starts_at TEXT, ends_at TEXT,"
            " finalized INTEGER NOT NULL DEFAULT 0)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS board_tribes (tribe_id TEXT PRIMARY KEY,"
            " name TEXT NOT NULL, college TEXT)"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM activity_board")
        cursor.execute("DELETE FROM board_tribes")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        aid = str(getattr(event, "activity_id", ""))
        match event:
            case tribe_events.TribeCreated():
                cursor.execute(
                    "INSERT INTO board_tribes VALUES (?, ?, ?)",
                    (str(event.tribe_id), event.name, event.college),
                )
            case activity_events.ActivityDrafted(form=form):
                cursor.execute(
                    "INSERT INTO activity_board (activity_id, title, host_tribe, college, status)"
                    " SELECT ?, ?, name, college, 'draft' FROM board_tribes WHERE tribe_id = ?",
                    (aid, form.title, str(event.host_tribe_id)),
                )
                self._form(cursor, aid, form)
            case activity_events.ActivityDraftEdited(form=form):
                self._form(cursor, aid, form)
            case activity_events.ActivitySubmitted(stage=stage):
                self._status(cursor, aid, f"pending_{stage.value}")
            case activity_events.ActivityStageApproved(next_stage=following):
                self._status(cursor, aid, f"pending_{following.value}" if following else "approved")
            case activity_events.AwardPlanChanged(review_stage=stage):
                self._status(cursor, aid, f"pending_{stage.value}")
            case activity_events.ActivityDetailsChanged(
                after=after, changed=changed, review_stage=stage
            ):
                for name in (n for n in changed if n in _TIMES):
                    cursor.execute(
                        f"UPDATE activity_board SET {name} = ? WHERE activity_id = ?",
                        (_iso(getattr(after, name)), aid),
                    )
                if stage is not None:
                    self._status(cursor, aid, f"pending_{stage.value}")
            case roster.RegistrationAccepted(outcome=outcome):
                self._add(cursor, aid, registrations=1, **{_BUCKET[outcome]: 1})
            case roster.RegistrationWithdrawn(left=left, promoted=promoted):
                deltas = {"registrations": -1}
                if left is not None:
                    deltas[_BUCKET[left]] = -1
                if promoted is not None:
                    deltas["waitlisted"] = deltas.get("waitlisted", 0) - 1
                    deltas["admitted"] = deltas.get("admitted", 0) + 1
                self._add(cursor, aid, **deltas)
            case roster.LotteryDrawn(registrants=registrants, winners=winners):
                self._add(cursor, aid, pending=-len(registrants), admitted=len(winners))
            case roster.RegistrantsAdmitted(students=students):
                self._add(cursor, aid, pending=-len(students), admitted=len(students))
            case roster.ReviewClosed(not_admitted=rest):
                self._add(cursor, aid, pending=-len(rest))
            case attendance.StudentCheckedIn(method=method) if (
                method is not attendance.Method.MAKEUP
            ):
                self._add(cursor, aid, checkins=1)
            case results.ActivityFinalized():
                cursor.execute(
                    "UPDATE activity_board SET finalized = 1 WHERE activity_id = ?", (aid,)
                )
            case _ if type(event) in _STATUS_AFTER:
                self._status(cursor, aid, _STATUS_AFTER[type(event)])

    def _form(self, cursor: Cursor, aid: str, form: Any) -> None:
        times = tuple(_iso(getattr(form, name)) for name in _TIMES)
        cursor.execute(
            "UPDATE activity_board SET title = ?, level = ?, module = ?, capacity = ?,"
            " registration_opens = ?, registration_closes = ?, starts_at = ?, ends_at = ?"
            " WHERE activity_id = ?",
            (
                form.title,
                form.level,
                form.module,
                form.capacity,
                *times,
                aid,
            ),
        )

    def _add(self, cursor: Cursor, aid: str, **deltas: int) -> None:
        assignments = ", ".join(f"{column} = {column} + ?" for column in deltas)
        cursor.execute(
            f"UPDATE activity_board SET {assignments} WHERE activity_id = ?",
            (*deltas.values(), aid),
        )

    def _status(self, cursor: Cursor, aid: str, status: str) -> None:
        cursor.execute("UPDATE activity_board SET status = ? WHERE activity_id = ?", (status, aid))


_ENROLMENT_STATUS = {
    enrolment_events.EnrolmentCancelled: EnrolmentStatus.CANCELLED,
    enrolment_events.EnrolmentPromoted: EnrolmentStatus.ADMITTED,
    enrolment_events.EnrolmentAdmitted: EnrolmentStatus.ADMITTED,
    enrolment_events.EnrolmentNotSelected: EnrolmentStatus.NOT_SELECTED,
    enrolment_events.EnrolmentNotAdmitted: EnrolmentStatus.NOT_ADMITTED,
}


class MyActivitiesView:
    """我的活动 (第十二条): a line per registration, hidden once cancelled."""

    name = "my_activities"
    # roster_answers: 002 二 6) the answers to a form's registration questions, as JSON, for
    # the roster (personal data: only the roster's readers see them). A table of its own, so
    # a view database made before it needs no migration.
    tables = ("my_activities", "roster_answers")
    # ``queries.roster``: an activity's registrations in registration order.
    indexes = (
        Index(
            "my_activities_by_activity",
            "my_activities",
            ("activity_id", "registered_at", "student"),
        ),
    )
    events = (
        enrolment_events.EnrolmentRegistered,
        enrolment_events.LeaveRequested,
        enrolment_events.LeaveDecided,
        enrolment_events.EnrolmentOutcomeRecorded,
        *_ENROLMENT_STATUS,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS my_activities (enrolment_id TEXT PRIMARY KEY,"
            " student TEXT NOT NULL, activity_id TEXT NOT NULL, status TEXT NOT NULL,"
            " leave TEXT, outcome TEXT, registered_at TEXT NOT NULL, live INTEGER NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS roster_answers (enrolment_id TEXT PRIMARY KEY,"
            " answers TEXT NOT NULL)"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM my_activities")
        cursor.execute("DELETE FROM roster_answers")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        eid = str(getattr(event, "enrolment_id", ""))
        match event:
            case enrolment_events.EnrolmentRegistered(status=status):
                cursor.execute(
                    "INSERT INTO my_activities VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)"
                    " ON CONFLICT (enrolment_id) DO UPDATE SET status = excluded.status,"
                    " leave = NULL, registered_at = excluded.registered_at, live = 1",
                    (
                        eid,
                        index_key(event.student),
                        str(event.activity_id),
                        status.value,
                        _iso(event.at),
                    ),
                )
                # A new registration after a cancellation answers afresh. The enrolment's
                # first event (version 1 of its stream) has no answers before it to drop.
                if envelope.originator_version > 1 or event.enrolment_id != envelope.originator_id:
                    cursor.execute("DELETE FROM roster_answers WHERE enrolment_id = ?", (eid,))
                if event.answers:
                    answers = converter.unstructure(event.answers)
                    cursor.execute(
                        "INSERT INTO roster_answers VALUES (?, ?)",
                        (eid, orjson.dumps(answers).decode()),
                    )
            case enrolment_events.LeaveRequested():
                self._set(cursor, eid, leave=LeaveStatus.REQUESTED.value)
            case enrolment_events.LeaveDecided(approved=approved):
                leave = LeaveStatus.APPROVED if approved else LeaveStatus.REJECTED
                self._set(cursor, eid, leave=leave.value)
            case enrolment_events.EnrolmentOutcomeRecorded(outcome=outcome):
                self._set(cursor, eid, outcome=outcome.value)
            case _ if type(event) in _ENROLMENT_STATUS:
                status = _ENROLMENT_STATUS[type(event)]
                live = 0 if status is EnrolmentStatus.CANCELLED else 1
                self._set(cursor, eid, status=status.value, live=live)

    def _set(self, cursor: Cursor, eid: str, **values: object) -> None:
        assignments = ", ".join(f"{column} = ?" for column in values)
        cursor.execute(
            f"UPDATE my_activities SET {assignments} WHERE enrolment_id = ?",
            (*values.values(), eid),
        )


class OutboxView:
    """群发通知 and system messages, with their delivery marks."""

    name = "notice_outbox"
    tables = ("notice_outbox",)
    events = (NoticeDelivered, *NOTICE_EVENTS)

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS notice_outbox (notice_id TEXT PRIMARY KEY,"
            " student TEXT NOT NULL, kind TEXT NOT NULL, activity_id TEXT NOT NULL,"
            " text TEXT NOT NULL, at TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0)"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM notice_outbox")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, NoticeDelivered):
            cursor.execute(
                "UPDATE notice_outbox SET delivered = 1 WHERE notice_id = ?",
                (str(event.notice_id),),
            )
            return
        for notice in notices_for(envelope):
            cursor.execute(
                "INSERT INTO notice_outbox VALUES (?, ?, ?, ?, ?, ?, 0)",
                (
                    str(notice.notice_id),
                    notice.student,
                    notice.kind.value,
                    str(notice.activity_id),
                    notice.text,
                    notice.at.isoformat(),
                ),
            )


def standard_views() -> list[Any]:
    """Every view the library maintains (the students' and the board's before the report's:
    it reads the students' colleges and the tribes)."""
    from second_classroom.projections.report_views import (
        AdvisorWorkload,
        MonthlyFacts,
        OrganizerWorkload,
    )

    return [
        AuditLog(),
        StudentSummary(),
        ActivityBoard(),
        MyActivitiesView(),
        OutboxView(),
        MonthlyFacts(),
        OrganizerWorkload(),
        AdvisorWorkload(),  # after MonthlyFacts: an edited draft reads its college there
    ]
