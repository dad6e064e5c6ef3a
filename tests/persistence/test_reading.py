"""Reading the log for the SQL views (``persistence.reading``): each event's JSON read at once,
its payload decoded only when a view asks, to the very event the store's mapper decodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from second_classroom.core.wire import isoformat
from second_classroom.demo import run_demo
from second_classroom.persistence.reading import Recorded, Unreadable, read_record, records


def test_a_recorded_event_decodes_to_the_event_the_store_decodes(tmp_path: Path) -> None:
    """Given the demo's log (events of every kind the demo writes, on an SQLite file, read
    with one plain query); when each event is read for the views and its payload decoded (ids
    kept for the next event, enums looked up by value), then it equals, field for field and
    with the same stream, version, time, command and actor, the event the store's mapper
    decodes; and its stream text is ``str`` of its UUID."""
    service = run_demo(tmp_path / "demo.sqlite3", lambda _line: None)
    log = service.app.notifications(0, 10**6)
    read = records(service.app, 0, 10**6)
    assert [position for position, _ in read] == [position for position, _ in log]
    kinds = set()
    for (_, recorded), (_, envelope) in zip(read, log, strict=True):
        assert isinstance(recorded, Recorded)
        decoded = recorded.envelope()
        assert decoded == envelope
        assert decoded.stored == envelope.stored
        # repr, not only ==: a StrEnum member equals its text, a member is wanted
        assert repr(decoded.payload) == repr(envelope.payload)
        assert recorded.stream == str(envelope.originator_id)
        assert recorded.topic == type(envelope.payload).__name__
        kinds.add(recorded.topic)
    assert len(kinds) >= 50
    # A page at a time, from any position, as the runner reads.
    assert [p for p, _ in records(service.app, 10, 5)] == [p for p, _ in log[10:15]]
    service.close()


def test_a_time_stored_in_another_spelling_is_read_and_written_as_isoformat_writes_it(
    tmp_path: Path,
) -> None:
    """Given an event of the demo's log stored again with its time in another spelling of
    the same moment (``Z``-less UTC offset, milliseconds, as an older writer might have);
    when it is read for the views; then its time is that moment and the text the audit log
    keeps (``Recorded.at``) is the one ``isoformat`` writes, as for an event read live."""
    service = run_demo(tmp_path / "demo.sqlite3", lambda _line: None)
    [(_, envelope)] = service.app.notifications(0, 1)
    stored = service.app.mapper.to_stored_event(envelope)
    body = orjson.loads(stored.state)
    moment = datetime.fromisoformat(body["at"])
    for spelling in (
        moment.astimezone(UTC).isoformat(),
        moment.isoformat(timespec="milliseconds"),
        body["at"],
    ):
        state = orjson.dumps({**body, "at": spelling})
        recorded = read_record(service.app.mapper, stored.originator_id, 1, stored.topic, state)
        assert isinstance(recorded, Recorded)
        assert recorded.timestamp == moment
        assert recorded.at == isoformat(datetime.fromisoformat(spelling))
    assert body["at"] == isoformat(moment)  # what the mapper writes is read as it is
    service.close()


def test_an_event_whose_time_cannot_be_read_is_unreadable(tmp_path: Path) -> None:
    """Given an event stored with a time that is not a time (a number, a word); when it is
    read for the views; then it is ``Unreadable`` at once, as an event whose JSON cannot be
    read, and no view is handed it."""
    service = run_demo(tmp_path / "demo.sqlite3", lambda _line: None)
    [(_, envelope)] = service.app.notifications(0, 1)
    stored = service.app.mapper.to_stored_event(envelope)
    body = orjson.loads(stored.state)
    for wrong in (20261202, "yesterday", None, ["2026-12-02"]):
        state = orjson.dumps({**body, "at": wrong})
        read = read_record(service.app.mapper, stored.originator_id, 1, stored.topic, state)
        assert isinstance(read, Unreadable)
    service.close()
