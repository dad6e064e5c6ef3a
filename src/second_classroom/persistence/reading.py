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
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, cast, get_args, get_origin
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from second_classroom.codec import converter, registry
from second_classroom.core.wire import isoformat
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
    payload, once, for the views that read it; the time is read from its stored text only
    when asked for (``timestamp``, ``at``)."""

    __slots__ = (
        "_at",
        "_envelope",
        "_error",
        "_id",
        "_uuid",
        "actor",
        "command",
        "data",
        "originator_version",
        "topic",
    )

    def __init__(
        self,
        originator_id: UUID | str,
        originator_version: int,
        topic: str,
        at: str,
        data: Any,
        command: str,
        actor: str,
        error: str | None = None,
    ) -> None:
        self._id = originator_id  # as the store gave it: SQLite keeps the text
        self._uuid = originator_id if isinstance(originator_id, UUID) else None
        self.originator_version = originator_version
        self.topic = topic
        self._at = at  # the stored text: parsed (and written again) only when asked for
        self.data = data
        self.command = command
        self.actor = actor
        self._envelope: Envelope | None = None
        # The first failure, when the JSON was read only with its text made safe: the reason
        # reported if the payload cannot be decoded either.
        self._error = error

    @property
    def originator_id(self) -> UUID:
        if self._uuid is None:
            self._uuid = _uuid(self._id, UUID)
        return self._uuid

    @property
    def timestamp(self) -> datetime:
        return moment(self._at)

    @property
    def at(self) -> str:
        """The time as ``isoformat`` writes it (what the mapper stores, so usually the text
        itself; an older log's other spelling of the same moment is written again)."""
        return moment_text(self._at)

    @property
    def stream(self) -> str:
        """The stream's id as ``str(originator_id)`` writes it, from the stored text when it
        is 32 lowercase hex digits (as SQLite keeps it) without making a UUID of it."""
        text = self._id
        if type(text) is str and _HEX(text):
            return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
        return str(self.originator_id)

    def envelope(self) -> Envelope:
        """The typed event (decoded on the first call); ``Undecodable`` if it cannot be, even
        with its text made safe."""
        if self._envelope is None:
            cls = registry.named(self.topic).cls
            data = self.data
            try:
                payload: Any = _views.structure(data, cls)
            except Exception as error:  # any failure of the decoder: this event is the problem
                first = self._error or f"{type(error).__name__}: {error}"
                try:
                    data = _safe(data)
                    payload = _views.structure(data, cls)
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


_HEX = re.compile("[0-9a-f]{32}").fullmatch

# A log's events share few moments (a command's events share its ``now``): each stored text is
# parsed, and written again as ``isoformat`` writes it, once. Bounded: emptied when full.
_MOMENTS_KEPT = 4096
_moments: dict[str, datetime] = {}
_moment_texts: dict[str, str] = {}


def moment(text: str) -> datetime:
    """``datetime.fromisoformat(text)``, remembered for recent texts."""
    found = _moments.get(text)
    if found is None:
        if len(_moments) >= _MOMENTS_KEPT:
            _moments.clear()
        found = _moments[text] = datetime.fromisoformat(text)
    return found


def moment_text(text: str) -> str:
    """``isoformat(datetime.fromisoformat(text))``, remembered for recent texts."""
    found = _moment_texts.get(text)
    if found is None:
        if len(_moment_texts) >= _MOMENTS_KEPT:
            _moment_texts.clear()
        found = _moment_texts[text] = isoformat(moment(text))
    return found


# The views' payloads are decoded as the store's mapper decodes them (``converter``), with
# shortcuts that give equal values: an id's UUID is kept for the next event naming it (the
# same activities, students and enrolments recur; a bounded memo); an enum member is looked up
# by its value (what ``Enum(value)`` does first, without its call); and a ``tuple[X, ...]`` is
# read without cattrs' per-call look at the type (on any error, cattrs reads it again, so
# the error is its own).
_views = converter.copy()
_UUIDS: dict[str, UUID] = {}
_UUIDS_KEPT = 16_384


def _uuid(value: Any, _type: type) -> UUID:
    if isinstance(value, UUID):
        return value
    if type(value) is not str:
        return UUID(str(value))
    found = _UUIDS.get(value)
    if found is None:
        found = UUID(value)
        if len(_UUIDS) >= _UUIDS_KEPT:
            _UUIDS.clear()
        _UUIDS[value] = found
    return found


def _enum(value: Any, enum_type: type[Enum]) -> Enum:
    try:
        return enum_type._value2member_map_[value]
    except (KeyError, TypeError):  # not a value, or unhashable: as Enum() would answer
        return enum_type(value)


def _is_homogeneous_tuple(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _homogeneous_tuple(type_: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
    item = get_args(type_)[0]
    hooks: list[Callable[[Any, Any], Any]] = []

    def structure(value: Any, _type: Any) -> tuple[Any, ...]:
        if not hooks:  # looked up on first use: the item's own hook may not exist yet
            hooks.append(_views.get_structure_hook(item))
        hook = hooks[0]
        try:
            return tuple([hook(v, item) for v in value])
        except Exception:  # read again by cattrs, to raise its own error
            return cast(tuple[Any, ...], _views._structure_tuple(value, type_))

    return structure


_views.register_structure_hook(UUID, _uuid)
_views.register_structure_hook(Enum, _enum)
_views.register_structure_hook_factory(_is_homogeneous_tuple, _homogeneous_tuple)


def records(
    app: SecondClassroomApplication, after: int, limit: int
) -> list[tuple[int, Recorded | Unreadable]]:
    """Events recorded after position ``after``, in log order, their payloads not decoded."""
    mapper = app.mapper
    return [
        (n, read_record(mapper, stream, version, topic, state))
        for n, stream, version, topic, state in _stored(app, after, limit)
    ]


def _stored(app: SecondClassroomApplication, after: int, limit: int) -> Sequence[Sequence[Any]]:
    """(position, stream, version, topic, state) of the events after ``after``. An SQLite
    store is read with one plain query: eventsourcing's ``select_notifications`` makes a UUID
    and a dataclass of every row, several times the cost of reading it."""
    recorder = app.recorder
    if (
        isinstance(recorder, SQLiteApplicationRecorder)
        and recorder.datastore.originator_id_type == "uuid"
    ):
        statement = (
            "SELECT rowid, originator_id, originator_version, topic, state"
            f" FROM {recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, limit))
            return cast(Sequence[Sequence[Any]], cursor.fetchall())
    found = recorder.select_notifications(after + 1, limit, inclusive_of_start=True)
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in found]


def read_record(
    mapper: Mapper[Any], stream: UUID | str, version: int, topic: str, state: bytes
) -> Recorded | Unreadable:
    """The event's JSON read and upcast (with its text made safe if it must be), or
    ``Unreadable``; the payload is left to ``Recorded.envelope``."""
    try:
        return _record(mapper, stream, version, topic, state, None)
    except Exception as error:  # any failure of any reader: this event is the problem
        first = f"{type(error).__name__}: {error}"
    try:
        safe = _with_safe_text(mapper, StoredEvent(stream, version, topic, state)).state
        return _record(mapper, stream, version, topic, safe, first)
    except Exception:  # still unreadable: report the original reason
        return Unreadable(topic, first)


def _record(
    mapper: Mapper[Any],
    stream: UUID | str,
    version: int,
    topic: str,
    state: bytes,
    error: str | None,
) -> Recorded:
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    body = orjson.loads(state)
    at = body["at"]
    moment(at)  # a time that cannot be read makes the event unreadable, as its payload would
    return Recorded(
        stream,
        version,
        topic,
        at,
        registry.upcast(topic, body["v"], body["data"]),
        body.get("cmd", ""),
        body.get("by", ""),
        error,
    )
