"""Reading the log for the SQL views (``persistence.reading``): each event's JSON read at once,
its payload decoded only when a view asks, to the very event the store's mapper decodes."""

from __future__ import annotations

from pathlib import Path

from second_classroom.demo import run_demo
from second_classroom.persistence.reading import Recorded, records


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
