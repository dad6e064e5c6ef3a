"""Stored form of domain events: plain attrs events wrapped with their stream position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import Mapper, StoredEvent

from second_classroom.codec import converter, registry
from second_classroom.core.wire import isoformat

S = TypeVar("S")
SNAPSHOT_PREFIX = "snapshot:"


@attrs.frozen
class Envelope:
    """A domain event at its position in a stream (eventsourcing's DomainEventProtocol)."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    payload: Any
    command: str = ""  # the command that caused it, for the audit log
    actor: str = ""  # who sent that command
    # The payload's JSON as read back from the store (after upcasting), so a reader that
    # wants JSON (the audit log) need not encode the payload again. Not part of equality.
    stored: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class SnapshotEnvelope(Generic[S]):
    """An aggregate's state at a version, so loading skips the events before it."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    aggregate: str
    state: S


class CattrsMapper(Mapper[UUID]):
    """Maps envelopes to stored events with cattrs (the default mapper's ``vars()`` breaks
    slotted attrs classes) and upcasts old event shapes on the way back."""

    def __init__(self, state_types: dict[str, type], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state_types = state_types
        # Per payload class: its topic, schema version and cattrs' unstructure function, so
        # an event costs one look-up instead of the registry's and cattrs' dispatch.
        self._encoders: dict[type, tuple[str, int, Callable[[Any], Any]]] = {}

    def _encoder(self, cls: type) -> tuple[str, int, Callable[[Any], Any]]:
        encoder = self._encoders.get(cls)
        if encoder is None:
            message_type = registry.of_class(cls)
            hook = converter.get_unstructure_hook(cls)
            encoder = self._encoders[cls] = (message_type.name, message_type.version, hook)
        return encoder

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, SnapshotEnvelope):
            topic = SNAPSHOT_PREFIX + domain_event.aggregate
            version, data = 1, converter.unstructure(domain_event.state)
        else:
            topic, version, unstructure = self._encoder(type(domain_event.payload))
            data = unstructure(domain_event.payload)
        body: dict[str, Any] = {
            "v": version,
            "at": isoformat(domain_event.timestamp),
            "data": data,
        }
        if isinstance(domain_event, Envelope) and domain_event.command:
            body["cmd"] = domain_event.command
            body["by"] = domain_event.actor
        # orjson writes the same compact UTF-8 text as json.dumps(ensure_ascii=False,
        # separators=(",", ":")), several times faster, and reads it back likewise.
        state = orjson.dumps(body)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        body = orjson.loads(state)
        originator_id = stored_event.originator_id
        assert isinstance(originator_id, UUID)
        timestamp = datetime.fromisoformat(body["at"])
        topic = stored_event.topic
        if topic.startswith(SNAPSHOT_PREFIX):
            aggregate = topic.removeprefix(SNAPSHOT_PREFIX)
            snapshot_state: Any = converter.structure(body["data"], self.state_types[aggregate])
            return SnapshotEnvelope(
                originator_id, stored_event.originator_version, timestamp, aggregate, snapshot_state
            )
        data = registry.upcast(topic, body["v"], body["data"])
        payload: Any = converter.structure(data, registry.named(topic).cls)
        return Envelope(
            originator_id,
            stored_event.originator_version,
            timestamp,
            payload,
            body.get("cmd", ""),
            body.get("by", ""),
            data,
        )
