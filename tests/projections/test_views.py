"""SQL views (the projections issue): kept exactly once by the tracked runner, equal to a rebuild
from zero, on SQLite and PostgreSQL; typed queries over them."""

from __future__ import annotations

import contextlib
import json
import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.aggregates.activity import CancelActivity, ChangeActivityDetails
from second_classroom.aggregates.checkin import (
    CheckIn,
    CloseAttendance,
    MakeUpCheckIn,
    OpenCheckInSession,
    SignOff,
)
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits, RevokeCredits
from second_classroom.aggregates.student import (
    AppealDefault,
    CorrectStudentRecord,
    DecideAppeal,
    RegisterStudent,
)
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.answers import Outcome
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.stores import popo_env
from second_classroom.projections.database import Cursor, PostgresViews, SQLiteViews
from second_classroom.projections.runner import ProjectionRunner
from second_classroom.projections.views import standard_views
from second_classroom.service import SecondClassroom
from second_classroom.simulation import simulate
from tests.checkin_world import (
    ENDED,
    FIELD,
    ON_SITE,
    ORGANIZER,
    STARTED,
    checked_in_world,
)
from tests.enrolment_world import CLOSED, LEADER, REGISTERING, approved_activity, found_school
from tests.example_counts import examples
from tests.specification import PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET, legacy_event, sqlite_memory_env


def test_views_follow_a_whole_semester_and_equal_a_rebuild(service: SecondClassroom) -> None:
    """Caught up after every step, then rebuilt from zero: the same tables, row for row."""
    views = service.views
    talk, students = checked_in_world(service)
    views.catch_up()
    service.run_reactions(ENDED)
    views.catch_up()
    a = students[0].person_id
    service.execute(GrantCredits(talk, (a,)), Actor.student("2023010101"), at(12, 4))
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), at(12, 4, 1))
    views.catch_up()
    live = views.runner.snapshot()
    views.runner.rebuild()
    assert views.runner.snapshot() == live

    summary = views.student_summary(a)
    assert summary is not None
    assert (summary.attended, summary.activities) == (1, 1)
    assert summary.credits == (("skills", "学分", Decimal("0.5")),)
    absent = views.student_summary(students[2].person_id)
    assert absent is not None
    assert absent.no_shows == 1
    assert absent.blacklisted_until == ENDED + timedelta(hours=120)
    [board] = views.activity_board(str(talk))
    assert (board.status, board.admitted, board.checkins, board.finalized) == (
        "approved",
        3,
        2,
        True,
    )
    assert board.seats_left == 27
    [top] = views.leaderboard(by="student")
    assert (top.rank, top.group, top.amount) == (1, a, Decimal("0.5"))
    audit = service.views.database.query(
        "SELECT command, actor FROM audit_log WHERE event = 'ActivityFinalized'"
    )
    assert audit == [("FinalizeActivity", "2023010101")]


def test_the_audit_log_holds_each_event_as_the_codec_writes_it(service: SecondClassroom) -> None:
    """The audit log reuses the JSON read from the store; it must be the codec's JSON."""
    checked_in_world(service)
    rows = service.views.query("SELECT position, data FROM audit_log ORDER BY position")
    log = service.app.notifications(0, 10_000)
    assert [position for position, _ in rows] == [position for position, _ in log]
    for (_position, data), (_, envelope) in zip(rows, log, strict=True):
        assert json.loads(str(data)) == codec.to_json(envelope.payload)


class Crash(Exception):
    pass


class CrashingView:
    """Wraps a view and dies on the n-th event it sees (inside the transaction)."""

    def __init__(self, inner: Any, after: int) -> None:
        self.inner, self.after, self.seen = inner, after, 0
        self.name, self.tables = inner.name, inner.tables
        self.shape = getattr(inner, "shape", 0)  # the same tables: the runner keeps them

    def create(self, cursor: Cursor) -> None:
        self.inner.create(cursor)

    def clear(self, cursor: Cursor) -> None:
        self.inner.clear(cursor)

    def apply(self, cursor: Cursor, position: int, envelope: Envelope) -> None:
        self.seen += 1
        if self.seen == self.after:
            raise Crash
        self.inner.apply(cursor, position, envelope)


def test_a_crash_at_any_point_of_a_long_replay_counts_nothing_twice() -> None:
    """Kill the runner inside the transaction (before commit) and between batches (after
    commit) at random points of a replay of about 10,000 events of every kind a semester writes
    (students, tribes, activities, registrations, draws, check-ins, results, transcripts); after
    restarts every view equals a fresh rebuild and every student and event is counted once."""
    app = SecondClassroomApplication(popo_env())
    service = SecondClassroom(app, secret=TEST_SECRET)
    simulate(service, students=480, activities=48, seed=11, bars=False)
    log = app.notifications(0, 10**6)
    total = len(log)
    kinds = Counter(type(envelope.payload).__name__ for _, envelope in log)
    assert total > 8_000
    assert len(kinds) >= 25  # a mixed log, not one event type
    database = SQLiteViews(f"file:crash_{random.random()}?mode=memory&cache=shared")
    rng = random.Random(2026)
    reached = 0
    restarts = 0
    while reached < log[-1][0]:
        views = [CrashingView(view, rng.randint(1, 4000)) for view in standard_views()]
        runner = ProjectionRunner(app, database, views, batch=rng.choice([50, 500, 1000]))
        try:
            reached = runner.catch_up()
        except Crash:
            restarts += 1
            reached = runner.position()
    assert restarts >= 3
    live = ProjectionRunner(app, database, standard_views()).snapshot()
    fresh = ProjectionRunner(
        app, SQLiteViews("file:fresh?mode=memory&cache=shared"), standard_views()
    )
    fresh.catch_up()
    assert fresh.snapshot() == live
    students = kinds["StudentRegistered"]
    assert students >= 480
    assert database.query("SELECT COUNT(*) FROM student_summary") == [(students,)]
    assert database.query("SELECT COUNT(*) FROM audit_log") == [(total,)]


@pytest.mark.postgres
def test_a_crash_inside_a_pipelined_postgres_transaction_counts_nothing(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """PostgreSQL views are written in pipeline mode; a failure mid-batch still rolls the
    whole batch and its tracking position back."""
    app = SecondClassroomApplication(popo_env())
    service = SecondClassroom(app, secret=TEST_SECRET)
    for n in range(600):
        service.execute(
            RegisterStudent(f"2025{n:06d}", "学生", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
    database = PostgresViews(postgres_dsn, postgres_schema)
    rng = random.Random(7)
    reached, restarts = 0, 0
    while reached < 600:
        views = [CrashingView(view, rng.randint(1, 700)) for view in standard_views()]
        runner = ProjectionRunner(app, database, views, batch=rng.choice([50, 200]))
        try:
            reached = runner.catch_up()
        except Crash:
            restarts += 1
            reached = runner.position()
    assert restarts >= 2
    assert database.query("SELECT COUNT(*) FROM student_summary") == [(600,)]
    assert database.query("SELECT COUNT(*) FROM audit_log") == [(600,)]
    database.close()


# Every command kind whose events a view reads (第十二–十六条, 第二十条, 000 第八条), in
# the order of a semester; the property walks them in any order, refusals included.
COMMAND_KINDS = (
    "register",
    "cancel",
    "draw",
    "admit",
    "close_review",
    "request_leave",
    "approve_leave",
    "reject_leave",
    "change_details",
    "open_session",
    "scan",
    "password",
    "make_up",
    "sign_off",
    "close_attendance",
    "appeal",
    "overturn",
    "uphold",
    "grant",
    "revoke",
    "finalize",
    "transcript",
    "correct_record",
    "cancel_activity",
)
METHODS = (AdmissionMethod.FIRST_COME, AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW)
AFTER = at(12, 4, 9)  # the morning after the activity (FORM: 12-03 14:00–16:00)


def enrolment_command(kind: str, activity: UUID, student: Actor) -> tuple[object, Actor, datetime]:
    """The command of ``kind`` on ``activity`` about ``student``: what, by whom and when
    (``scan`` and ``password`` are built by ``walk_step``, which needs the session's code)."""
    number = student.person_id
    entry = ids.derive("integrity", str(activity), number)
    return {
        "register": (Register(activity), student, REGISTERING),
        "cancel": (CancelRegistration(activity), student, REGISTERING),
        "draw": (DrawLottery(activity), Actor.system(), CLOSED),
        "admit": (AdmitRegistrants(activity, (number,)), LEADER, CLOSED),
        "close_review": (CloseReview(activity), LEADER, CLOSED),
        "request_leave": (RequestLeave(activity, "生病"), student, CLOSED),
        "approve_leave": (DecideLeave(activity, number, approve=True), LEADER, CLOSED),
        "reject_leave": (
            DecideLeave(activity, number, approve=False, reason="理由不足"),
            LEADER,
            CLOSED,
        ),
        "change_details": (
            ChangeActivityDetails(activity, locations=(f"第二教学楼{number[-2:]}室",)),
            LEADER,
            REGISTERING,
        ),
        "open_session": (OpenCheckInSession(activity, 10, geofence=FIELD), ORGANIZER, STARTED),
        "make_up": (MakeUpCheckIn(activity, number, "定位失败", "签到表 第2页"), LEADER, AFTER),
        "sign_off": (SignOff(activity, number, "提前离场"), LEADER, STARTED + timedelta(hours=1)),
        "close_attendance": (CloseAttendance(activity), ORGANIZER, ENDED),
        "appeal": (AppealDefault(number, entry, "当天就医", ("hospital.jpg",)), student, AFTER),
        "overturn": (DecideAppeal(number, entry, True, "证明属实"), PE_ADMIN, AFTER),
        "uphold": (DecideAppeal(number, entry, False, "证明不足"), PE_ADMIN, AFTER),
        "grant": (GrantCredits(activity, (number,)), LEADER, AFTER),
        "revoke": (RevokeCredits(activity, (number,), "发放错误"), LEADER, AFTER),
        "finalize": (FinalizeActivity(activity), LEADER, AFTER + timedelta(hours=1)),
        "transcript": (IssueTranscript(number), student, at(12, 5)),
        "correct_record": (
            CorrectStudentRecord(number, "姓名录入错误", name=f"更正{number[-2:]}"),
            PE_ADMIN,
            AFTER,
        ),
        "cancel_activity": (CancelActivity(activity, "天气原因"), LEADER, REGISTERING),
    }[kind]


def walk_step(service: SecondClassroom, kind: str, activity: UUID, student: Actor) -> Outcome:
    """Run one step of the walk: what it stored, or the DomainError that refused it."""
    if kind not in ("scan", "password"):
        command, actor, now = enrolment_command(kind, activity, student)
        return service.execute(command, actor, now)
    # the latest session the organizer opened; its code is read as a phone would read it
    found = service.activity(activity, SCHOOL_ADMIN)
    opened = found.attendance.sessions if found is not None else ()
    session = max((s.number for s in opened), default=1)
    now = STARTED + timedelta(seconds=20)
    code = service.check_in_code(activity, session, ORGANIZER, now)
    scan = CheckIn(activity, session, token=code.token, location=ON_SITE)
    typed = CheckIn(activity, session, password=code.password, location=ON_SITE)
    return service.execute(scan if kind == "scan" else typed, student, now)


# One walk through a whole semester, so every kind is accepted at least once in every run.
SEMESTER = [
    *(("register", 0, who) for who in range(6)),  # four seats: 0–3 admitted, 4 and 5 wait
    ("cancel", 0, 5),
    *(("register", which, who) for which in (1, 2) for who in (0, 1)),
    ("change_details", 0, 0),
    ("draw", 1, 0),
    ("admit", 2, 0),
    ("close_review", 2, 0),
    ("request_leave", 0, 2),
    ("approve_leave", 0, 2),
    ("request_leave", 0, 3),
    ("reject_leave", 0, 3),
    ("open_session", 0, 0),
    ("scan", 0, 0),
    ("password", 0, 1),
    ("sign_off", 0, 1),
    ("close_attendance", 0, 0),  # 3 never came: a no-show
    ("appeal", 0, 1),
    ("overturn", 0, 1),
    ("appeal", 0, 3),
    ("uphold", 0, 3),
    ("make_up", 0, 3),
    ("grant", 0, 0),
    ("grant", 0, 3),
    ("revoke", 0, 3),
    ("finalize", 0, 0),
    ("transcript", 0, 0),
    ("correct_record", 0, 0),
    ("cancel_activity", 2, 0),
]
assert {kind for kind, _, _ in SEMESTER} == set(COMMAND_KINDS)


def test_the_semester_walk_is_accepted_step_by_step() -> None:
    """The example every run of the property starts from is a real semester: each of its
    steps is accepted and stores events, so every command kind reaches the views."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        students = [Actor.student(n) for n in found_school(service, 6)]
        activities = [
            approved_activity(service, f"prop-{m.value}", m, capacity=4, waitlist=True)
            for m in METHODS
        ]
        stored = {}
        for kind, which, who in SEMESTER:
            outcome = walk_step(service, kind, activities[which], students[who])
            stored[kind] = {type(e.payload).__name__ for e in outcome.events}
    assert stored["close_attendance"] >= {"AttendanceClosed", "AttendanceRecorded"}
    assert stored["make_up"] == {"NoShowMadeUp", "EnrolmentOutcomeRecorded", "DefaultMadeUp"}
    assert stored["overturn"] == stored["uphold"] == {"AppealDecided"}
    assert stored["finalize"] == {"ActivityFinalized", "ActivityRecorded"}
    assert "TranscriptNumbered" in stored["transcript"]
    assert stored["correct_record"] == {"StudentRecordCorrected"}
    assert all(stored[kind] for kind in COMMAND_KINDS)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(steps=SEMESTER, every=3)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(COMMAND_KINDS), st.integers(0, 2), st.integers(0, 5)),
        max_size=40,
    ),
    every=st.integers(1, 7),
)
def test_after_any_commands_the_views_equal_a_rebuild(
    steps: list[tuple[str, int, int]], every: int
) -> None:
    """Every command kind a view reads — enrolment (第十二、十三、十四条), check-in, sign-off and
    make-up (第十五、十六条), closing attendance, appeals, credits granted and revoked, 完结,
    transcripts, record corrections — on a 报名制, a 中签制 and a 评审制 activity, in any
    order, refusals included, with catch-ups at random points: the live views equal a rebuild,
    and agree with the activities' seat ledgers and the students' records."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        students = [Actor.student(n) for n in found_school(service, 6)]
        activities = [
            approved_activity(service, f"prop-{m.value}", m, capacity=4, waitlist=True)
            for m in METHODS
        ]
        for index, (kind, which, who) in enumerate(steps):
            with contextlib.suppress(DomainError):  # refusals are part of the random walk
                walk_step(service, kind, activities[which], students[who])
            if index % every == 0:
                service.views.catch_up()
        service.views.catch_up()
        live = service.views.runner.snapshot()
        service.views.runner.rebuild()
        assert service.views.runner.snapshot() == live
        for method, activity in zip(METHODS, activities, strict=True):
            [board] = service.views.activity_board(str(activity))
            found = service.activity(activity, SCHOOL_ADMIN)
            assert found is not None
            assert board.admitted == len(found.roster.admitted)
            assert board.waitlisted == len(found.roster.waitlist)
            assert board.pending == len(found.roster.pending)
            # registrations count every registration not cancelled, 未中签 and 未录取 included
            enrolled = [
                enrolment
                for s in students
                if (enrolment := service.enrolment(activity, s.person_id, SCHOOL_ADMIN))
                and enrolment.is_live
            ]
            assert board.registrations == len(enrolled)
            if method is AdmissionMethod.FIRST_COME:  # nobody is ever left unselected
                assert board.registrations == len(found.roster.registrants)
        for student in students:
            record = service.student(student.person_id, SCHOOL_ADMIN)
            summary = service.views.student_summary(student.person_id)
            assert record is not None
            assert summary is not None
            assert (summary.name, summary.class_name) == (record.name, record.class_name)
            assert summary.blacklisted_until == record.blacklisted_until
            assert summary.activities == len(record.activities)
            assert summary.transcripts == record.transcripts_issued
            credits = {(m, t): amount for m, t, amount in summary.credits if amount}
            assert credits == {k: v for k, v in record.credits().items() if v}


@pytest.mark.postgres
def test_the_runner_never_passes_an_uncommitted_notification(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """A transaction holds notification n open while n+1..n+3 commit: the runner waits at n,
    applies all four in order once n commits, and skips n only once it is known rolled back."""
    import uuid

    import psycopg

    from second_classroom.persistence.stores import postgres_env

    env = postgres_env(postgres_dsn, schema=postgres_schema)
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        service.execute(RegisterStudent("2025000001", "甲", "PE", "班", 2025), PE_ADMIN, at(11, 23))
        views = service.views
        assert views.catch_up() == 1
        [table] = [
            row[0]
            for row in psycopg.connect(postgres_dsn).execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                " AND table_name LIKE %s",
                (postgres_schema, "%events"),
            )
            if "snapshot" not in row[0]
        ]

        def stored(number: str) -> tuple[Any, ...]:
            sid = uuid.uuid4()
            data = {
                "student_id": str(sid),
                "student_number": number,
                "name": number,
                "college": "PE",
                "class_name": "班",
                "cohort": 2025,
                "program": "undergraduate",
                "by": "T",
                "at": at(11, 24).isoformat(),
            }
            event = legacy_event("StudentRegistered", sid, at(11, 24), data)
            return (event.originator_id, 1, event.topic, event.state)

        insert = (
            f'INSERT INTO "{postgres_schema}"."{table}"'
            " (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        )
        for outcome in ("commit", "rollback"):
            holder = psycopg.connect(postgres_dsn)
            holder.execute(insert, stored(f"held-{outcome}"))  # takes n, stays open
            with psycopg.connect(postgres_dsn) as others:
                for k in range(3):
                    others.execute(insert, stored(f"after-{outcome}-{k}"))
            before = views.catch_up()
            assert views.catch_up() == before  # waits at n: n+1..n+3 are not applied yet
            if outcome == "commit":
                holder.commit()
            else:
                holder.rollback()
            holder.close()
            for _ in range(5):
                views.catch_up()
            names = [r[0] for r in views.database.query("SELECT name FROM student_summary")]
            assert all(f"after-{outcome}-{k}" in names for k in range(3))
            assert (f"held-{outcome}" in names) == (outcome == "commit")
