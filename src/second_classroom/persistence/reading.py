"""Reading the log for read models, so that no stored event can stop them.

Logs written before the boundary refused bad text can hold events with a NUL character or a
lone UTF-16 surrogate (``"\\ud800"``), which the JSON reader refuses, or which a stricter
codec no longer accepts. ``notifications`` decodes each event on its own; one that fails is
read again with such characters replaced by U+FFFD (the Unicode replacement character), and
one that still fails comes back as ``Unreadable`` instead of an exception, so a reader can
record it and move on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, cast

import attrs
import orjson
from eventsourcing.persistence import Mapper, StoredEvent

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
