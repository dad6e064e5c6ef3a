"""PostgreSQL deployments: many processes may start at once, and the views connect with the
store's own settings (issue 11, §3 and §4)."""

from __future__ import annotations

import multiprocessing
import queue
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from second_classroom.aggregates.student import RegisterStudent
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.postgres import connection_settings
from second_classroom.persistence.stores import postgres_env
from second_classroom.service import SecondClassroom
from tests.conftest import TEST_SECRET
from tests.specification import PE_ADMIN, at

pytestmark = pytest.mark.postgres
PROCESSES = 40


def _start(env: dict[str, str], number: str, start: Any, results: Any) -> None:
    """One process: open the store and its views, write a student, read the views."""
    try:
        start.wait()
        with SecondClassroom.open(env, secret=TEST_SECRET) as service:
            service.views.catch_up()
            command = RegisterStudent(number, "学生", "PE", "石工25-1班", 2025)
            service.execute(command, PE_ADMIN, at(11, 23))
            service.views.catch_up()
        results.put("ok")
    except BaseException as error:
        results.put(f"{type(error).__name__}: {error}")


def test_forty_processes_start_at_once_on_a_fresh_schema(
    postgres_dsn: str, postgres_schema: str
) -> None:
    """Given an empty schema; when 40 processes open the store and its views at the same moment
    (each creating the tables, types and functions it needs); then every one starts, writes
    and reads, and the views count all 40 students."""
    env = postgres_env(postgres_dsn, postgres_schema)
    # One connection for the store and one for the views per process: 80 in all.
    env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="0")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_start, args=(env, f"2025{n:06d}", start, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in processes:
            answers.append(results.get(timeout=120))
    except queue.Empty:
        pass
    for process in processes:
        process.join(timeout=30)
    assert answers == ["ok"] * PROCESSES
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        assert service.views.query("SELECT COUNT(*) FROM student_summary") == [(PROCESSES,)]


@pytest.fixture
def odd_role(postgres_dsn: str, postgres_schema: str) -> Iterator[str]:
    """A login role whose password holds ``@`` and ``/``, allowed into the test schema."""
    import psycopg

    role = f"sc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'p@ss/w0rd'")
        admin.execute(f'GRANT ALL ON SCHEMA "{postgres_schema}" TO {role}')
    yield role
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role} CASCADE")
        admin.execute(f"DROP ROLE {role}")


def test_the_views_connect_with_the_stores_settings_whatever_the_password(
    postgres_dsn: str, postgres_schema: str, odd_role: str
) -> None:
    """Given a DSN whose password ``p@ss/w0rd`` is percent-encoded (as a URL needs); when the
    store opens and its views connect; then the views use the store's host, database, user
    and password as given — not a URL rebuilt from them, which would read ``ss`` as the
    host."""
    host = postgres_dsn.split("@")[-1]  # host:port/dbname
    dsn = f"postgresql://{odd_role}:p%40ss%2Fw0rd@{host}"
    env = postgres_env(dsn, postgres_schema)
    with SecondClassroomApplication(env) as app:
        settings = connection_settings(app.factory)
        assert settings is not None
        assert settings.kwargs["password"] == "p@ss/w0rd"
        assert settings.kwargs["user"] == odd_role
        assert settings.schema == postgres_schema
        assert settings.max_size == int(env["POSTGRES_POOL_SIZE"])  # the views' pool
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        service.execute(
            RegisterStudent("2025000001", "甲", "PE", "石工25-1班", 2025), PE_ADMIN, at(11, 23)
        )
        assert service.views.query("SELECT name FROM student_summary") == [("甲",)]
        database: Any = service.views.database
        with database.pool.connection() as connection:
            info = connection.info
            assert (info.user, info.password) == (odd_role, "p@ss/w0rd")
            assert f"{info.host}:{info.port}/{info.dbname}" == host


def test_an_sqlite_or_memory_store_has_no_postgres_settings() -> None:
    with SecondClassroomApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}) as app:
        assert connection_settings(app.factory) is None
