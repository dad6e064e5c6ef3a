"""Views behind the reports: 学院月报 facts (seed 002) and organizer workload."""

from __future__ import annotations

from second_classroom.aggregates import activity as activity_events
from second_classroom.aggregates import activity_attendance as attendance
from second_classroom.aggregates import claim as claim_events
from second_classroom.aggregates import practice as practice_events
from second_classroom.aggregates import student as student_events
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections.database import AMOUNT_CHECK, Cursor, amount_units

# The 组织 a personal or cadre 补录 claim is reported under: it has no claiming tribe.
PERSONAL_CLAIMS = "（个人补录）"
# The 组织 of a practice team its college's 基层团委 recorded (002 一 4): no tribe recorded it.
COLLEGE_PRACTICE = "（基层团委）"


class MonthlyFacts:
    """Per activity: college, tribe, month (of its start), review outcome, participation; per
    confirmed 补录 claim: college, tribe and the credits it gave, by month of confirmation; per
    rated cadre term: the student's college, the organization and its credits, by month of
    recording; per practice team: its college, recorder, members and hours, by month of
    recording."""

    name = "report_facts"
    # 1: credit amounts in whole units (database.AMOUNT_PLACES), not NUMERIC;
    # 2: cadre terms' credits (report_cadres) and practice teams (report_practice)
    shape = 2
    tables = (
        "report_activities",
        "report_credits",
        "report_claims",
        "report_backfills",
        "report_cadres",
        "report_practice",
    )
    events = (
        activity_events.ActivityDrafted,
        activity_events.ActivityDraftEdited,
        activity_events.ActivityRejected,
        activity_events.ActivityStageApproved,
        attendance.AttendanceClosed,
        attendance.NoShowMadeUp,
        student_events.ActivityRecorded,
        claim_events.ClaimFiled,
        student_events.BackfillRecorded,
        student_events.CadreTermRecorded,
        practice_events.PracticeRecorded,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_activities (activity_id TEXT PRIMARY KEY,"
            " college TEXT, tribe TEXT NOT NULL, month TEXT, approved INTEGER NOT NULL DEFAULT 0,"
            " rejections INTEGER NOT NULL DEFAULT 0, participants INTEGER NOT NULL DEFAULT 0,"
            " attended INTEGER NOT NULL DEFAULT 0, no_shows INTEGER NOT NULL DEFAULT 0)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_credits (activity_id TEXT NOT NULL,"
            " module TEXT NOT NULL, credit_type TEXT NOT NULL,"
            f" amount BIGINT NOT NULL {AMOUNT_CHECK},"
            " PRIMARY KEY (activity_id, module, credit_type))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_claims (claim_id TEXT PRIMARY KEY,"
            " college TEXT, tribe TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_backfills (claim_id TEXT NOT NULL,"
            " month TEXT NOT NULL, module TEXT NOT NULL, credit_type TEXT NOT NULL,"
            f" amount BIGINT NOT NULL {AMOUNT_CHECK},"
            " PRIMARY KEY (claim_id, month, module, credit_type))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_cadres (round_id TEXT NOT NULL,"
            " student_id TEXT NOT NULL, college TEXT, tribe TEXT NOT NULL, month TEXT NOT NULL,"
            " module TEXT NOT NULL, credit_type TEXT NOT NULL,"
            f" amount BIGINT NOT NULL {AMOUNT_CHECK},"
            " PRIMARY KEY (round_id, student_id, module, credit_type))"
        )
        # amount: the 学时 written into the members' records, hours × members, in units
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS report_practice (practice_id TEXT PRIMARY KEY,"
            " college TEXT, tribe TEXT NOT NULL, month TEXT NOT NULL, members INTEGER NOT NULL,"
            f" days INTEGER NOT NULL, amount BIGINT NOT NULL {AMOUNT_CHECK})"
        )

    def clear(self, cursor: Cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DELETE FROM {table}")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        aid = str(getattr(event, "activity_id", ""))
        match event:
            case (
                activity_events.ActivityDrafted(form=form)
                | activity_events.ActivityDraftEdited(form=form)
            ):
                month = (
                    form.starts_at.astimezone(SHANGHAI).strftime("%Y-%m")
                    if form.starts_at
                    else None
                )
                if isinstance(event, activity_events.ActivityDrafted):
                    cursor.execute(
                        "INSERT INTO report_activities (activity_id, college, tribe, month)"
                        " SELECT ?, college, name, ? FROM board_tribes WHERE tribe_id = ?",
                        (aid, month, str(event.host_tribe_id)),
                    )
                else:
                    cursor.execute(
                        "UPDATE report_activities SET month = ? WHERE activity_id = ?", (month, aid)
                    )
            case activity_events.ActivityRejected():
                cursor.execute(
                    "UPDATE report_activities SET rejections = rejections + 1"
                    " WHERE activity_id = ?",
                    (aid,),
                )
            case activity_events.ActivityStageApproved(next_stage=None):
                cursor.execute(
                    "UPDATE report_activities SET approved = 1 WHERE activity_id = ?", (aid,)
                )
            case attendance.AttendanceClosed(outcomes=outcomes):
                attended = sum(1 for _s, o in outcomes if o is AttendanceOutcome.ATTENDED)
                absent = sum(1 for _s, o in outcomes if o is AttendanceOutcome.NO_SHOW)
                cursor.execute(
                    "UPDATE report_activities SET participants = ?, attended = ?, no_shows = ?"
                    " WHERE activity_id = ?",
                    (len(outcomes), attended, absent, aid),
                )
            case attendance.NoShowMadeUp():
                cursor.execute(
                    "UPDATE report_activities SET attended = attended + 1, no_shows = no_shows - 1"
                    " WHERE activity_id = ?",
                    (aid,),
                )
            case student_events.ActivityRecorded(record=record):
                for credit in record.credits:
                    cursor.execute(
                        "INSERT INTO report_credits VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (activity_id, module, credit_type)"
                        " DO UPDATE SET amount = report_credits.amount + excluded.amount",
                        (
                            str(record.activity_id),
                            credit.module,
                            credit.credit_type,
                            amount_units(credit.amount),
                        ),
                    )
            case claim_events.ClaimFiled(tribe_id=None):
                cursor.execute(
                    "INSERT INTO report_claims VALUES (?, ?, ?) ON CONFLICT (claim_id) DO NOTHING",
                    (str(event.claim_id), event.college, PERSONAL_CLAIMS),
                )
            case claim_events.ClaimFiled(tribe_id=tribe_id):
                cursor.execute(
                    "INSERT INTO report_claims SELECT ?, college, name FROM board_tribes"
                    " WHERE tribe_id = ? ON CONFLICT (claim_id) DO NOTHING",
                    (str(event.claim_id), str(tribe_id)),
                )
            case student_events.BackfillRecorded(record=backfill):
                month = backfill.confirmed_at.astimezone(SHANGHAI).strftime("%Y-%m")
                for credit in backfill.credits:
                    cursor.execute(
                        "INSERT INTO report_backfills VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (claim_id, month, module, credit_type)"
                        " DO UPDATE SET amount = report_backfills.amount + excluded.amount",
                        (
                            str(backfill.claim_id),
                            month,
                            credit.module,
                            credit.credit_type,
                            amount_units(credit.amount),
                        ),
                    )
            case student_events.CadreTermRecorded(record=term):
                # The student's college (fixed at registration), from the students' view.
                month = term.closed_at.astimezone(SHANGHAI).strftime("%Y-%m")
                for credit in term.credits:
                    cursor.execute(
                        "INSERT INTO report_cadres SELECT ?, k.student_id, s.college, ?, ?, ?, ?, ?"
                        " FROM student_keys k JOIN student_summary s"
                        " ON s.student_number = k.student_number WHERE k.student_id = ?"
                        " ON CONFLICT (round_id, student_id, module, credit_type)"
                        " DO UPDATE SET amount = report_cadres.amount + excluded.amount",
                        (
                            str(term.round_id),
                            term.organization,
                            month,
                            credit.module,
                            credit.credit_type,
                            amount_units(credit.amount),
                            str(event.student_id),
                        ),
                    )
            case practice_events.PracticeRecorded():
                month = event.at.astimezone(SHANGHAI).strftime("%Y-%m")
                hours = amount_units(event.hours) * len(event.members)
                facts = (len(event.members), event.days, hours)
                if event.tribe_id is None:
                    cursor.execute(
                        "INSERT INTO report_practice VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (practice_id) DO NOTHING",
                        (str(event.practice_id), event.college, COLLEGE_PRACTICE, month, *facts),
                    )
                else:
                    cursor.execute(
                        "INSERT INTO report_practice SELECT ?, ?, name, ?, ?, ?, ?"
                        " FROM board_tribes WHERE tribe_id = ?"
                        " ON CONFLICT (practice_id) DO NOTHING",
                        (str(event.practice_id), event.college, month, *facts, str(event.tribe_id)),
                    )


class OrganizerWorkload:
    """Per organizer (the submitter and the listed 组织者): activities led, participants served."""

    name = "organizer_workload"
    tables = ("workload_people", "organizer_workload")
    events = (
        activity_events.ActivityDrafted,
        activity_events.ActivityDraftEdited,
        activity_events.ActivitySubmitted,
        activity_events.ActivityStageApproved,
        attendance.AttendanceClosed,
        attendance.NoShowMadeUp,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS workload_people (activity_id TEXT NOT NULL,"
            " person TEXT NOT NULL, PRIMARY KEY (activity_id, person))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS organizer_workload (person TEXT PRIMARY KEY,"
            " activities INTEGER NOT NULL DEFAULT 0, participants INTEGER NOT NULL DEFAULT 0)"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM workload_people")
        cursor.execute("DELETE FROM organizer_workload")

    def _people(self, cursor: Cursor, aid: str, people: tuple[str, ...]) -> None:
        for person in people:
            cursor.execute(
                "INSERT INTO workload_people VALUES (?, ?) ON CONFLICT DO NOTHING", (aid, person)
            )

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        aid = str(getattr(event, "activity_id", ""))
        match event:
            case (
                activity_events.ActivityDrafted(form=form)
                | activity_events.ActivityDraftEdited(form=form)
            ):
                cursor.execute("DELETE FROM workload_people WHERE activity_id = ?", (aid,))
                self._people(cursor, aid, form.organizers)
            case activity_events.ActivitySubmitted(by=by):
                self._people(cursor, aid, (by,))
            case activity_events.ActivityStageApproved(next_stage=None):
                cursor.execute(
                    "INSERT INTO organizer_workload (person) SELECT person FROM workload_people"
                    " WHERE activity_id = ? ON CONFLICT DO NOTHING",
                    (aid,),
                )
                cursor.execute(
                    "UPDATE organizer_workload SET activities = activities + 1 WHERE person IN"
                    " (SELECT person FROM workload_people WHERE activity_id = ?)",
                    (aid,),
                )
            case attendance.AttendanceClosed(outcomes=outcomes):
                served = sum(1 for _s, o in outcomes if o is AttendanceOutcome.ATTENDED)
                cursor.execute(
                    "UPDATE organizer_workload SET participants = participants + ? WHERE person IN"
                    " (SELECT person FROM workload_people WHERE activity_id = ?)",
                    (served, aid),
                )
            case attendance.NoShowMadeUp():
                cursor.execute(
                    "UPDATE organizer_workload SET participants = participants + 1 WHERE person IN"
                    " (SELECT person FROM workload_people WHERE activity_id = ?)",
                    (aid,),
                )


class AdvisorWorkload:
    """指导老师工作量 (002 二 3)): per advisor named on an activity's form, the activity, its
    college, whether it was approved, its participants (attended) and its 学时 (as recorded)."""

    name = "advisor_workload"
    tables = ("advisor_activities",)
    events = (
        activity_events.ActivityDrafted,
        activity_events.ActivityDraftEdited,
        activity_events.ActivityStageApproved,
        activity_events.ActivityCancelled,
        attendance.AttendanceClosed,
        attendance.NoShowMadeUp,
        student_events.ActivityRecorded,
    )

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS advisor_activities (activity_id TEXT NOT NULL,"
            " advisor TEXT NOT NULL, college TEXT, title TEXT NOT NULL,"
            " approved INTEGER NOT NULL DEFAULT 0, participants INTEGER NOT NULL DEFAULT 0,"
            " hours NUMERIC, PRIMARY KEY (activity_id, advisor))"
        )

    def clear(self, cursor: Cursor) -> None:
        cursor.execute("DELETE FROM advisor_activities")

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        event = envelope.payload
        aid = str(getattr(event, "activity_id", ""))
        match event:
            case activity_events.ActivityDrafted(form=form):
                for advisor in dict.fromkeys(form.advisors):
                    cursor.execute(
                        "INSERT INTO advisor_activities (activity_id, advisor, college, title)"
                        " SELECT ?, ?, college, ? FROM board_tribes WHERE tribe_id = ?",
                        (aid, advisor, form.title, str(event.host_tribe_id)),
                    )
            case activity_events.ActivityDraftEdited(form=form):
                cursor.execute("DELETE FROM advisor_activities WHERE activity_id = ?", (aid,))
                for advisor in dict.fromkeys(form.advisors):
                    cursor.execute(
                        "INSERT INTO advisor_activities (activity_id, advisor, college, title)"
                        " SELECT ?, ?, college, ? FROM report_activities WHERE activity_id = ?",
                        (aid, advisor, form.title, aid),
                    )
            case activity_events.ActivityStageApproved(next_stage=None):
                cursor.execute(
                    "UPDATE advisor_activities SET approved = 1 WHERE activity_id = ?", (aid,)
                )
            case activity_events.ActivityCancelled():
                # A cancelled activity was never guided: it leaves the advisor's workload.
                cursor.execute("DELETE FROM advisor_activities WHERE activity_id = ?", (aid,))
            case attendance.AttendanceClosed(outcomes=outcomes):
                served = sum(1 for _s, o in outcomes if o is AttendanceOutcome.ATTENDED)
                cursor.execute(
                    "UPDATE advisor_activities SET participants = ? WHERE activity_id = ?",
                    (served, aid),
                )
            case attendance.NoShowMadeUp():
                cursor.execute(
                    "UPDATE advisor_activities SET participants = participants + 1"
                    " WHERE activity_id = ?",
                    (aid,),
                )
            case student_events.ActivityRecorded(record=record):
                cursor.execute(
                    "UPDATE advisor_activities SET hours = ? WHERE activity_id = ?",
                    (str(record.hours), str(record.activity_id)),
                )
