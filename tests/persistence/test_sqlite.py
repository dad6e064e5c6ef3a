"""SQLite files: the application's appends on a connection of their own (``WriterRecorder``)
store what eventsourcing's recorder stores, refuse what it refuses, and close with the store."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing import persistence
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.sqlite import (
    Factory,
    WriterRecorder,
    persistence_error,
)
from second_classroom.persistence.stores import sqlite_env
from tests.stores import sqlite_memory_env

STREAM_A = UUID("00000000-0000-4000-8000-00000000000a")
STREAM_B = UUID("00000000-0000-4000-8000-00000000000b")


def events(stream: UUID, *versions: int) -> list[StoredEvent]:
    return [StoredEvent(stream, v, f"Topic{v}", f"state {v}".encode()) for v in versions]


def recorder_on(path: Path, kind: type[SQLiteApplicationRecorder]) -> SQLiteApplicationRecorder:
    recorder = kind(SQLiteDatastore(str(path), lock_timeout=5))
    recorder.create_table()
    return recorder


def rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT rowid, * FROM stored_events ORDER BY rowid").fetchall()


def test_appends_store_the_rows_and_positions_eventsourcing_stores(tmp_path: Path) -> None:
    # given a file with our recorder and a file with eventsourcing's own
    ours = recorder_on(tmp_path / "ours.sqlite3", WriterRecorder)
    theirs = recorder_on(tmp_path / "theirs.sqlite3", SQLiteApplicationRecorder)
    # when both append the same events, one and two to a transaction
    batches = [events(STREAM_A, 1), events(STREAM_B, 1, 2), events(STREAM_A, 2, 3)]
    positions = [list(ours.insert_events(b) or []) for b in batches]
    expected = [list(theirs.insert_events(b) or []) for b in batches]
    # then the same positions are returned and the same rows stored
    assert positions == expected == [[1], [2, 3], [4, 5]]
    assert rows(tmp_path / "ours.sqlite3") == rows(tmp_path / "theirs.sqlite3")
    # and they read back through eventsourcing's own selects
    assert [e.originator_version for e in ours.select_events(STREAM_A)] == [1, 2, 3]
    assert [n.id for n in ours.select_notifications(1, 10)] == [1, 2, 3, 4, 5]
    assert isinstance(ours, WriterRecorder)
    assert ours._writer is not None


def test_a_version_already_taken_refuses_the_whole_append(tmp_path: Path) -> None:
    # given a stream at version 1
    recorder = recorder_on(tmp_path / "log.sqlite3", WriterRecorder)
    recorder.insert_events(events(STREAM_A, 1))
    # when a transaction appends a new stream's event and version 1 again
    with pytest.raises(persistence.IntegrityError):
        recorder.insert_events([*events(STREAM_B, 1), *events(STREAM_A, 1)])
    # then nothing of it is stored, and the connection is usable again
    assert [r[1:3] for r in rows(tmp_path / "log.sqlite3")] == [(STREAM_A.hex, 1)]
    assert list(recorder.insert_events(events(STREAM_B, 1)) or []) == [2]


def test_appends_from_several_threads_are_each_atomic(tmp_path: Path) -> None:
    # given one recorder shared by four threads
    recorder = recorder_on(tmp_path / "log.sqlite3", WriterRecorder)
    streams = [uuid4() for _ in range(4)]

    def append(stream: UUID) -> None:
        for version in range(1, 41, 2):
            recorder.insert_events(events(stream, version, version + 1))

    # when each appends 20 transactions of two events to its own stream
    threads = [threading.Thread(target=append, args=(s,)) for s in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every event is stored, and each transaction's two events are adjacent in the log
    stored = rows(tmp_path / "log.sqlite3")
    assert len(stored) == 160
    for first, second in zip(stored[::2], stored[1::2], strict=True):
        assert first[1] == second[1]
        assert second[2] == first[2] + 1


def test_an_in_memory_database_keeps_eventsourcings_pooled_path() -> None:
    # given an in-memory database (its pool keeps readers and writers apart)
    env = sqlite_memory_env()
    with SecondClassroomApplication(env) as app:
        recorder = app.recorder
        # then no connection of its own is opened, and appends still work
        assert isinstance(recorder, WriterRecorder)
        assert recorder._writer is None
        assert list(recorder.insert_events(events(STREAM_A, 1))) == [1]


def test_the_application_appends_through_the_writer_and_closes_it(tmp_path: Path) -> None:
    # given an application on a file
    app = SecondClassroomApplication(sqlite_env(tmp_path / "school.sqlite3"))
    recorder = app.recorder
    assert isinstance(recorder, WriterRecorder)
    assert isinstance(app.factory, Factory)
    writer = recorder._writer
    assert writer is not None
    assert list(recorder.insert_events(events(STREAM_A, 1))) == [1]
    # when it closes
    app.close()
    # then its writing connection is closed too
    assert recorder._writer is None
    with pytest.raises(sqlite3.ProgrammingError):
        writer.execute("SELECT 1")


@pytest.mark.parametrize(
    ("raised", "mapped"),
    [
        (sqlite3.IntegrityError, persistence.IntegrityError),
        (sqlite3.OperationalError, persistence.OperationalError),
        (sqlite3.DataError, persistence.DataError),
        (sqlite3.InterfaceError, persistence.InterfaceError),
        (sqlite3.InternalError, persistence.InternalError),
        (sqlite3.ProgrammingError, persistence.ProgrammingError),
        (sqlite3.NotSupportedError, persistence.NotSupportedError),
        (sqlite3.DatabaseError, persistence.DatabaseError),
        (sqlite3.Error, persistence.PersistenceError),
    ],
)
def test_sqlite_errors_are_raised_as_eventsourcing_raises_them(
    raised: type[sqlite3.Error], mapped: type[persistence.PersistenceError]
) -> None:
    # given an error of sqlite3, when mapped, then it is eventsourcing's class for it
    error = persistence_error(raised("boom"))
    assert type(error) is mapped
    assert str(error) == "boom"
