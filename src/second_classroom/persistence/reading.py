"""Reading the log for read models, so that no stored event can stop them.

Logs written before the boundary refused bad text can hold events with a NUL character or a
lone UTF-16 surrogate (``"\\ud800"``), which the JSON reader refuses, or which a stricter
codec no longer accepts. ``notifications`` decodes each event on its own; one that fails is
read again with such characters replaced by U+FFFD (the Unicode replacement character), and
one that still fails comes back as ``Unreadable`` instead of an exception, so a reader can
record it and move on.

``records`` reads the log for the SQL views: each event's JSON is read (and upcast) at once,
its payload decoded into the typed event only when a view asks for it (``Recorded.envelope``),
so an event that only the audit log reads (it keeps the JSON) is never decoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import Mapper, StoredEvent

from second_classroom.codec import converter, registry
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope

REPLACEMENT = "\ufffd"
# NUL: PostgreSQL text cannot hold it (and SQLite's functions stop at it); lone surrogates:
# no UTF-8 encoder accepts them.
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


def safe_text(text: str) -> str:
    """``text`` with every NUL and lone surrogate replaced by U+FFFD."""
    return UNSAFE_TEXT.sub(REPLACEMENT, text) if UNSAFE_TEXT.search(text) else text


@attrs.frozen
class Unreadable:
    """A stored event that cannot be decoded, even with its text made safe."""

    topic: str
    error: str


def notifications(
    app: SecondClassroomApplication, after: int, limit: int, topics: Sequence[str] = ()
) -> list[tuple[int, Envelope | Unreadable]]:
    """Events recorded after position ``after``, in log order, each decoded on its own."""
    found = app.recorder.select_notifications(
        after + 1, limit, topics=topics, inclusive_of_start=True
    )
    return [(n.id, decode(app.mapper, n)) for n in found]


def decode(mapper: Mapper[Any], stored: StoredEvent) -> Envelope | Unreadable:
    """The event, or, if its text must be made safe first, the event with safe text."""
    try:
        return cast(Envelope, mapper.to_domain_event(stored))
    except Exception as error:  # any failure of any decoder: this event is the problem
        first = error
    try:
        return cast(Envelope, mapper.to_domain_event(_with_safe_text(mapper, stored)))
    except Exception:  # still undecodable: report the original reason
        return Unreadable(stored.topic, f"{type(first).__name__}: {first}")


def _with_safe_text(mapper: Mapper[Any], stored: StoredEvent) -> StoredEvent:
    state = stored.state
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    # The standard library's reader accepts lone surrogates, which orjson refuses.
    body = _safe(json.loads(state))
    state = orjson.dumps(body)
    if mapper.compressor:
        state = mapper.compressor.compress(state)
    if mapper.cipher:
        state = mapper.cipher.encrypt(state)
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, list):
        return [_safe(item) for item in value]
    if isinstance(value, dict):
        return {safe_text(key): _safe(item) for key, item in value.items()}
    return value


class Undecodable(Exception):
    """A recorded event whose payload cannot be decoded into its event type."""


class Recorded:
    """A stored event as the SQL views read it: its stream, version, time, command and actor,
    and its payload's JSON (``data``, upcast to the current schema). ``envelope`` decodes the
    payload, once, for the views that read it."""

    __slots__ = (
        "_envelope",
        "_error",
        "actor",
        "command",
        "data",
        "originator_id",
        "originator_version",
        "timestamp",
        "topic",
    )

    def __init__(
        self,
        originator_id: UUID,
        originator_version: int,
        topic: str,
        timestamp: datetime,
        data: Any,
        command: str,
        actor: str,
        error: str | None = None,
    ) -> None:
        self.originator_id = originator_id
        self.originator_version = originator_version
        self.topic = topic
        self.timestamp = timestamp
        self.data = data
        self.command = command
        self.actor = actor
        self._envelope: Envelope | None = None
        # The first failure, when the JSON was read only with its text made safe: the reason
        # reported if the payload cannot be decoded either.
        self._error = error

    def envelope(self) -> Envelope:
        """The typed event (decoded on the first call); ``Undecodable`` if it cannot be, even
        with its text made safe."""
        if self._envelope is None:
            cls = registry.named(self.topic).cls
            data = self.data
            try:
                payload: Any = converter.structure(data, cls)
            except Exception as error:  # any failure of the decoder: this event is the problem
                first = self._error or f"{type(error).__name__}: {error}"
                try:
                    data = _safe(data)
                    payload = converter.structure(data, cls)
                except Exception:  # still undecodable: report the original reason
                    raise Undecodable(first) from None
            self._envelope = Envelope(
                self.originator_id,
                self.originator_version,
                self.timestamp,
                payload,
                self.command,
                self.actor,
                data,
            )
        return self._envelope


def records(
    app: SecondClassroomApplication, after: int, limit: int
) -> list[tuple[int, Recorded | Unreadable]]:
    """Events recorded after position ``after``, in log order, their payloads not decoded."""
    found = app.recorder.select_notifications(after + 1, limit, inclusive_of_start=True)
    return [(n.id, read_record(app.mapper, n)) for n in found]


def read_record(mapper: Mapper[Any], stored: StoredEvent) -> Recorded | Unreadable:
    """The event's JSON read and upcast (with its text made safe if it must be), or
    ``Unreadable``; the payload is left to ``Recorded.envelope``."""
    try:
        return _record(mapper, stored, None)
    except Exception as error:  # any failure of any reader: this event is the problem
        first = f"{type(error).__name__}: {error}"
    try:
        return _record(mapper, _with_safe_text(mapper, stored), first)
    except Exception:  # still unreadable: report the original reason
        return Unreadable(stored.topic, first)


def _record(mapper: Mapper[Any], stored: StoredEvent, error: str | None) -> Recorded:
    state = stored.state
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    body = orjson.loads(state)
    topic = stored.topic
    originator_id = stored.originator_id
    assert isinstance(originator_id, UUID)
    return Recorded(
        originator_id,
        stored.originator_version,
        topic,
        datetime.fromisoformat(body["at"]),
        registry.upcast(topic, body["v"], body["data"]),
        body.get("cmd", ""),
        body.get("by", ""),
        error,
    )
