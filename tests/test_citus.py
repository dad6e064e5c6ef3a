"""Schools on a Citus cluster (issue 17 §4): each school's schema a distributed schema, whole
on one worker, moved between workers without losing its log, views or keys.

These run when ``SECOND_CLASSROOM_TEST_CITUS_DSN`` names the coordinator of a cluster prepared
with ``tools/citus.py init`` (docs/deploy.md says how); everywhere else they skip with that
reason — Citus is not a Debian package, so CI cannot install it. The rest of the PostgreSQL
suite runs on such a cluster too by pointing ``SECOND_CLASSROOM_TEST_POSTGRES_DSN`` at the
coordinator (every test schema then becomes a distributed schema)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.persistence.stores import create_schema, postgres_env, school_schema
from second_classroom.service import SecondClassroom
from tests.enrolment_world import REGISTERING, approved_activity, found_school
from tests.stores import TEST_SECRET
from tests.two_processes import SEATS, STUDENTS, register_from_two_processes

CITUS_DSN = os.environ.get("SECOND_CLASSROOM_TEST_CITUS_DSN", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
citus = pytest.importorskip("citus", reason="tools/citus.py is not beside the tests")

needs_citus = pytest.mark.skipif(
    not CITUS_DSN,
    reason="no Citus cluster: set SECOND_CLASSROOM_TEST_CITUS_DSN to a coordinator prepared "
    "with tools/citus.py init (docs/deploy.md)",
)


@pytest.fixture
def school() -> Iterator[str]:
    """A fresh school code; its distributed schema is dropped afterwards."""
    import psycopg

    code = f"c{uuid.uuid4().hex[:10]}"
    yield code
    with psycopg.connect(CITUS_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{code}" CASCADE')


def _tables_by_node(school: str) -> dict[str, set[str]]:
    """Each table of the school's schema and the nodes holding its shard."""
    import psycopg

    with psycopg.connect(CITUS_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name::text, nodename || ':' || nodeport FROM citus_shards"
            " WHERE table_name::text LIKE %s",
            (f"{school}.%",),
        ).fetchall()
    found: dict[str, set[str]] = {}
    for table, node in rows:
        found.setdefault(table, set()).add(node)
    return found


def _workers() -> list[tuple[str, int]]:
    import psycopg

    with psycopg.connect(CITUS_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary'"
            " AND groupid <> 0 ORDER BY nodeport"
        ).fetchall()
    return [(str(host), int(port)) for host, port in rows]


@needs_citus
def test_a_school_opened_through_the_coordinator_lives_whole_on_one_worker(school: str) -> None:
    """Given a cluster with schema-based sharding on; when a school opens through the
    coordinator and a student registers; then the school's schema is a distributed schema,
    every one of its tables (log, snapshots, views, tracking) has its one shard on the same
    worker, and the library reads back what it wrote."""
    secret = os.urandom(32)
    with SecondClassroom.postgres(CITUS_DSN, school=school, secret=secret) as service:
        [number] = found_school(service, 1)
        talk = approved_activity(service, "talk")
        service.execute(Register(talk), Actor.student(number), REGISTERING)
        service.views.catch_up()
        office = Actor.school_admin("T-office")
        assert service.activity(talk, office) is not None
        assert service.views.query("SELECT COUNT(*) FROM audit_log") == [
            (service.app.recorder.max_notification_id(),)
        ]

    tables = _tables_by_node(school)
    assert {"secondclassroom_events", "audit_log", "my_activities"} <= {
        name.split(".", 1)[1] for name in tables
    }
    nodes = set().union(*tables.values())
    assert len(nodes) == 1
    assert all(len(held) == 1 for held in tables.values())
    assert citus.placements(CITUS_DSN)[school_schema(school)] == nodes
    assert nodes < {f"{host}:{port}" for host, port in _workers()}


@needs_citus
def test_a_school_moved_to_another_worker_keeps_its_log_views_and_keys(school: str) -> None:
    """Given a school with students, an activity and a registration on one worker; when the
    operator moves it to the other worker (``tools/citus.py move``, the way a platform
    rebalances schools); then its log reads the same, its views equal a rebuild, its keys
    still open it, and it takes new commands there."""
    workers = _workers()
    if len(workers) < 2:
        pytest.skip("the cluster has one worker: nowhere to move a school")
    secret = os.urandom(32)
    office = Actor.school_admin("T-office")
    with SecondClassroom.postgres(CITUS_DSN, school=school, secret=secret) as service:
        numbers = found_school(service, 2)
        talk = approved_activity(service, "talk")
        service.execute(Register(talk), Actor.student(numbers[0]), REGISTERING)
        before = service.history(talk, office)
        top = service.app.recorder.max_notification_id()

    [here] = citus.placements(CITUS_DSN)[school]
    there = next(f"{h}:{p}" for h, p in workers if f"{h}:{p}" != here)
    host, _, port = there.rpartition(":")
    assert citus.move(CITUS_DSN, school, (host, int(port))) == [f"{school}: moved to {there}"]
    assert citus.placements(CITUS_DSN)[school] == {there}

    with SecondClassroom.postgres(CITUS_DSN, school=school, secret=secret) as moved:
        assert moved.app.recorder.max_notification_id() == top
        assert moved.history(talk, office) == before
        moved.execute(Register(talk), Actor.student(numbers[1]), REGISTERING)
        assert (moved.app.recorder.max_notification_id() or 0) > (top or 0)
        moved.views.catch_up()
        live = moved.views.runner.digests()
        moved.views.runner.rebuild()
        assert moved.views.runner.digests() == live


@needs_citus
def test_two_processes_writing_one_distributed_school_keep_every_invariant(school: str) -> None:
    """Given a 报名制 activity of SEATS seats in a school on a distributed schema; when two OS
    processes register STUDENTS students at once through the coordinator; then exactly the
    seats are admitted and the views equal a rebuild (as on a single server,
    tests/test_processes.py)."""
    create_schema(CITUS_DSN, school_schema(school))
    env = postgres_env(CITUS_DSN, schema=school)
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        numbers = found_school(service, STUDENTS)
        activity = approved_activity(service, "rush", capacity=SEATS)
    assert register_from_two_processes(env, activity, numbers, timeout=600) == [0, 0]
    assert set(citus.placements(CITUS_DSN)[school]) <= {f"{h}:{p}" for h, p in _workers()}
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        office = Actor.school_admin("T-office")
        state = service.activity(activity, office)
        assert state is not None
        assert len(state.roster.admitted) == SEATS
        top = service.app.recorder.max_notification_id() or 0
        assert service.views.runner.wait(top, timeout=60)
        live = service.views.runner.digests()
        service.views.runner.rebuild()
        assert service.views.runner.digests() == live
        assert service.views.query("SELECT COUNT(*) FROM my_activities") == [(SEATS,)]


@pytest.mark.parametrize(
    "node", ["nohost", "host:", "host:0", "host:65536", "host:+5", "host:\u0665"]
)
def test_the_tool_refuses_a_school_code_and_a_node_it_cannot_read(
    node: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a school code with punctuation, and a node that is not host:port with an ASCII
    port in 1–65535; then the tool answers one line and a non-zero exit before it connects
    anywhere (the coordinator named here does not exist)."""
    nowhere = "postgresql://postgres@127.0.0.1:1/none"
    assert citus.main(["distribute", "--coordinator", nowhere, "nepu", "nepu;drop"]) == 1
    said = capsys.readouterr().err
    assert said.startswith("citus.py: ")
    assert said.count("\n") == 1
    assert "store.school_invalid" in said
    with pytest.raises(SystemExit) as exited:
        citus.main(["move", "--coordinator", nowhere, "nepu", node])
    assert exited.value.code == 2
    assert "not host:port" in capsys.readouterr().err


@needs_citus
def test_the_view_runner_reads_the_horizon_of_the_worker_that_holds_the_log(school: str) -> None:
    """Given a school on a distributed schema and a write held open on its worker; when the
    log's transaction horizon is read (the view runner's gap rule); then it is the worker's —
    the open write is still running by it — not the coordinator's, whose transaction ids are
    unrelated (a query naming no table is answered by the coordinator)."""
    import psycopg

    with SecondClassroom.postgres(CITUS_DSN, school=school, secret=os.urandom(32)) as service:
        found_school(service, 1)
        recorder: Any = service.app.recorder
        [node] = citus.placements(CITUS_DSN)[school]
        host, _, port = node.rpartition(":")
        with psycopg.connect(CITUS_DSN, autocommit=True) as setup:
            setup.execute(f'CREATE TABLE "{school}".held (x int)')
        with psycopg.connect(CITUS_DSN) as holder:
            holder.execute(f'INSERT INTO "{school}".held VALUES (1)')  # open on the worker
            worker_dsn = citus._on_node(CITUS_DSN, host, int(port))
            with psycopg.connect(worker_dsn, autocommit=True) as worker:
                [(held,)] = worker.execute(
                    "SELECT backend_xid::text::bigint FROM pg_stat_activity"
                    " WHERE backend_xid IS NOT NULL AND state = 'idle in transaction'"
                ).fetchall()
            xmin, xmax = recorder.snapshot_horizon()
            # xmax is one past the newest *ended* transaction, so an open one may equal it
            assert xmin <= held <= xmax
            holder.rollback()
