"""The event store: atomic multi-stream saves, optimistic concurrency with retry, snapshots on
long streams, upcasting of old event shapes — on POPO, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from second_classroom.aggregates import activity, enrolment, tribe
from second_classroom.aggregates.enrolment import EnrolmentStatus, enrolment_id
from second_classroom.aggregates.tribe import (
    AppointTribeRole,
    RemoveTribeRole,
    TribeCreated,
    TribeRole,
)
from second_classroom.core import ids
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.changes import Change, ConcurrencyConflict, Loaded
from second_classroom.persistence.stores import sqlite_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import UNION
from tests.specification import NOW, SCHOOL_ADMIN, at


def created(code: str) -> TribeCreated:
    return TribeCreated(
        ids.tribe_id(code), code, code, TribeKind.CLUB, TribeLevel.SCHOOL, None, "T", NOW
    )


def change(app: SecondClassroomApplication, event: TribeCreated, version: int = 0) -> Change:
    loaded: Loaded[tribe.Tribe] = Loaded(event.tribe_id, version, None)
    return Change(tribe.DECIDER, loaded, [event], tribe.DECIDER.fold([event]))


def test_several_streams_are_saved_together(store_env: dict[str, str]) -> None:
    with SecondClassroomApplication(store_env) as app:
        a, b = created("A"), created("B")
        app.append([change(app, a), change(app, b)], NOW)
        assert app.load(tribe.DECIDER, a.tribe_id).version == 1
        assert app.load(tribe.DECIDER, b.tribe_id).version == 1


def test_a_conflict_on_one_stream_stores_nothing_at_all(store_env: dict[str, str]) -> None:
    with SecondClassroomApplication(store_env) as app:
        taken = created("TAKEN")
        app.append([change(app, taken)], NOW)
        fresh = created("FRESH")
        with pytest.raises(ConcurrencyConflict):
            app.append([change(app, fresh), change(app, taken, version=0)], NOW)
        assert app.load(tribe.DECIDER, fresh.tribe_id).state is None
        assert app.recorder.max_notification_id() == 1


def test_concurrent_writers_to_one_stream_are_retried_not_lost(
    tmp_path: Path, store_env: dict[str, str]
) -> None:
    """Twenty organizers appointed at once on one tribe: every appointment lands."""
    env = store_env
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        env = sqlite_env(tmp_path / "concurrent.sqlite3")  # threads need a real file
    with SecondClassroom.open(env) as service:
        service.execute(UNION, SCHOOL_ADMIN, NOW)
        errors: list[BaseException] = []

        def appoint(n: int) -> None:
            try:
                service.execute(
                    AppointTribeRole(UNION.tribe_id, f"2023{n:06d}", TribeRole.ORGANIZER),
                    SCHOOL_ADMIN,
                    NOW,
                )
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=appoint, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        found = service._load.tribe(UNION.tribe_id)
        assert found is not None
        assert len(found.organizers) == 20
        assert service._load.loaded(tribe.DECIDER, UNION.tribe_id).version == 21


def test_a_long_stream_is_loaded_from_its_latest_snapshot(store_env: dict[str, str]) -> None:
    env = {**store_env, "SNAPSHOT_INTERVAL": "50"}
    with SecondClassroom.open(env) as service:
        service.execute(UNION, SCHOOL_ADMIN, NOW)
        for n in range(130):
            role = AppointTribeRole if n % 2 == 0 else RemoveTribeRole
            service.execute(role(UNION.tribe_id, "2023010101", TribeRole.LEADER), SCHOOL_ADMIN, NOW)
        live = service._load.tribe(UNION.tribe_id)
        snapshots = list(service.app.snapshots.get(UNION.tribe_id))  # type: ignore[union-attr]
        assert [s.originator_version for s in snapshots] == [50, 100]

        in_memory = store_env["PERSISTENCE_MODULE"] == "eventsourcing.popo"
        # A second application (or, in memory, the same one without its cache) reads the store.
        fresh = service.app if in_memory else SecondClassroomApplication(env)
        fresh.forget_states()
        asked: list[int | None] = []
        original = fresh.events.get

        def spy(originator_id, gt=None, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(gt)
            return original(originator_id, gt=gt, **kwargs)

        fresh.events.get = spy  # type: ignore[method-assign]
        loaded = fresh.load(tribe.DECIDER, UNION.tribe_id)
        assert asked == [100]  # only the 31 events after the snapshot were read
        assert loaded.version == 131
        assert (
            loaded.state
            == live
            == tribe.DECIDER.fold(e.payload for e in service._load.history(UNION.tribe_id))
        )
        if not in_memory:
            fresh.close()


def test_an_old_event_shape_is_upcast_on_read(store_env: dict[str, str]) -> None:
    """ActivityDrafted schema 1 held one comma-separated ``location`` (发布规范 五)."""
    with SecondClassroomApplication(store_env) as app:
        activity_id = ids.activity_id(UNION.tribe_id, "legacy")
        v1 = {
            "v": 1,
            "at": NOW.isoformat(),
            "data": {
                "activity_id": str(activity_id),
                "host_tribe_id": str(UNION.tribe_id),
                "form": {
                    "title": "石油工程学院迎新晚会",
                    "location": "大学生活动中心，体育馆, 图书馆",
                },
                "by": "2023010101",
                "at": NOW.isoformat(),
            },
        }
        stored = StoredEvent(activity_id, 1, "ActivityDrafted", json.dumps(v1).encode())
        app.recorder.insert_events([stored])
        state = app.load(activity.DECIDER, activity_id).state
        assert state is not None
        assert state.form.locations == ("大学生活动中心", "体育馆", "图书馆")
        assert state.form.title == "石油工程学院迎新晚会"


def test_events_stored_before_levels_were_data_and_before_answers_read_back(
    store_env: dict[str, str],
) -> None:
    """Issue 14: the level moved from a fixed enum to the rulebook's data, and registrations
    gained answers (002 二 6). The stored shapes did not change — a level was and is its code,
    a registration without answers has none — so events written before still load as they
    were, with no upcaster."""
    with SecondClassroomApplication(store_env) as app:
        activity_id = ids.activity_id(UNION.tribe_id, "stored-with-enum")
        drafted = {
            "v": 2,
            "at": NOW.isoformat(),
            "data": {
                "activity_id": str(activity_id),
                "host_tribe_id": str(UNION.tribe_id),
                "form": {"title": "上海海关学院“关务知识竞赛”", "level": "provincial"},
                "by": "2023010101",
                "at": NOW.isoformat(),
            },
        }
        eid = enrolment_id(activity_id, "2024000001")
        registered = {
            "v": 1,
            "at": NOW.isoformat(),
            "data": {
                "enrolment_id": str(eid),
                "activity_id": str(activity_id),
                "student": "2024000001",
                "status": "admitted",
                "at": NOW.isoformat(),
            },
        }
        app.recorder.insert_events(
            [
                StoredEvent(activity_id, 1, "ActivityDrafted", json.dumps(drafted).encode()),
                StoredEvent(eid, 1, "EnrolmentRegistered", json.dumps(registered).encode()),
            ]
        )
        state = app.load(activity.DECIDER, activity_id).state
        assert state is not None
        assert state.form.level == "provincial"
        enrolled = app.load(enrolment.DECIDER, eid).state
        assert enrolled is not None
        assert enrolled.answers == ()
        assert enrolled.status is EnrolmentStatus.ADMITTED


def test_history_and_as_of_versions(service: SecondClassroom) -> None:
    service.execute(UNION, SCHOOL_ADMIN, NOW)
    service.execute(
        AppointTribeRole(UNION.tribe_id, "2023010101", TribeRole.LEADER), SCHOOL_ADMIN, at(11, 24)
    )
    history = service._load.history(UNION.tribe_id)
    assert [e.originator_version for e in history] == [1, 2]
    assert history[1].timestamp == at(11, 24)
    before = service.app.load_at(tribe.DECIDER, UNION.tribe_id, 1).state
    assert before is not None
    assert before.leaders == frozenset()
