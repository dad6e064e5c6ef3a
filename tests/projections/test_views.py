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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.aggregates.activity import CancelActivity, ChangeActivityDetails
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.student import RegisterStudent
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
from tests.conftest import TEST_SECRET, examples, sqlite_memory_env
from tests.enrolment_world import CLOSED, LEADER, REGISTERING, approved_activity, found_school
from tests.specification import PE_ADMIN, SCHOOL_ADMIN, at
from tests.test_checkin_service import ENDED, checked_in_world


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
    "cancel_activity",
)
METHODS = (AdmissionMethod.FIRST_COME, AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW)


def enrolment_command(kind: str, activity: UUID, student: Actor) -> tuple[object, Actor, datetime]:
    """The command of ``kind`` on ``activity`` about ``student``: what, by whom and when."""
    number = student.person_id
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
        "cancel_activity": (CancelActivity(activity, "天气原因"), LEADER, REGISTERING),
    }[kind]


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(COMMAND_KINDS), st.integers(0, 2), st.integers(0, 5)),
        max_size=25,
    ),
    st.integers(1, 7),
)
def test_after_any_commands_the_views_equal_a_rebuild(
    steps: list[tuple[str, int, int]], every: int
) -> None:
    """Every enrolment command kind (第十二、十三、十四条) on a 报名制, a 中签制 and a 评审制
    activity, refusals included, with catch-ups at random points: the live views equal a
    rebuild and agree with the activities' seat ledgers."""
    with SecondClassroom.open(sqlite_memory_env(), secret=TEST_SECRET) as service:
        students = [Actor.student(n) for n in found_school(service, 6)]
        activities = [
            approved_activity(service, f"prop-{m.value}", m, capacity=3, waitlist=True)
            for m in METHODS
        ]
        for index, (kind, which, who) in enumerate(steps):
            command, actor, now = enrolment_command(kind, activities[which], students[who])
            with contextlib.suppress(DomainError):  # refusals are part of the random walk
                service.execute(command, actor, now)
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
            live = [
                enrolled
                for s in students
                if (enrolled := service.enrolment(activity, s.person_id, SCHOOL_ADMIN))
                and enrolled.is_live
            ]
            assert board.registrations == len(live)
            if method is AdmissionMethod.FIRST_COME:  # nobody is ever left unselected
                assert board.registrations == len(found.roster.registrants)


@pytest.mark.postgres
def test_the_runner_never_passes_an_uncommitted_notification(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """A transaction holds notification n open while n+1..n+3 commit: the runner waits at n,
    applies all four in order once n commits, and skips n only once it is known rolled back."""
    import json
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
            body = {
                "v": 1,
                "at": at(11, 24).isoformat(),
                "data": {
                    "student_id": str(sid),
                    "student_number": number,
                    "name": number,
                    "college": "PE",
                    "class_name": "班",
                    "cohort": 2025,
                    "program": "undergraduate",
                    "by": "T",
                    "at": at(11, 24).isoformat(),
                },
            }
            return (sid, 1, "StudentRegistered", json.dumps(body).encode())

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
