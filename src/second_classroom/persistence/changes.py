"""What a command writes: the states it read, the changes it decided, and the units that
store them — alone, or many together in a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, StoredEvent

from second_classroom.core.decider import FunctionalDecider
from second_classroom.persistence.group_commit import GroupCommit, Ticket
from second_classroom.persistence.mapper import Envelope, SnapshotEnvelope

S = TypeVar("S")
EventTicket = Ticket[StoredEvent, int]  # encoded events stored together, and their positions
AnyDecider = FunctionalDecider[Any, Any, Any, Any]


@attrs.frozen
class Loaded(Generic[S]):
    """A stream's state and the version it was read at (0: no events yet).

    ``foreign``: the stream holds another kind of aggregate. It reads as absent (state None),
    so a caller naming another kind's id gets the answer an unknown id gets; a change that
    would write to it is refused (``SecondClassroomApplication.stage``).
    """

    id: UUID
    version: int
    state: S | None
    foreign: bool = False


@attrs.frozen
class Change:
    """New events for one stream, decided against ``loaded``; ``after`` is the new state."""

    decider: AnyDecider
    loaded: Loaded[Any]
    events: Sequence[object]
    after: object


@attrs.define
class Unit:
    """Events to store together, the states they lead to, and the snapshots they call for.

    Only the latest state of each stream is kept, so a long batch holds one state per
    stream it touched, not one per command.
    """

    snapshot_interval: int
    generation: int = 0  # of the state cache when the unit was queued
    envelopes: list[Envelope] = attrs.Factory(list)
    staged: dict[UUID, Loaded[Any]] = attrs.Factory(dict)
    snapshots: list[SnapshotEnvelope[Any]] = attrs.Factory(list)
    lease: Any = None  # cross-process locks (``locks.Lease``) released once it is stored

    def stage(self, changes: Sequence[Change], envelopes: Sequence[Envelope], at: datetime) -> None:
        self.envelopes += envelopes
        interval = self.snapshot_interval
        for change in changes:
            old = change.loaded.version
            new = old + len(change.events)
            self.staged[change.loaded.id] = Loaded(change.loaded.id, new, change.after)
            # eventsourcing only snapshots aggregates passed to ``save``; ours are functional,
            # so the state the decider computed is stored when a stream crosses the interval.
            kind = change.decider
            if interval and not kind.short and new // interval > old // interval:
                self.snapshots.append(
                    SnapshotEnvelope(change.loaded.id, new, at, kind.name, change.after)
                )


class Staged:
    """Changes queued for storing; ``wait()`` stores them (with whatever else is queued)."""

    def __init__(
        self,
        envelopes: list[Envelope],
        ticket: EventTicket | None,
        group: GroupCommit[StoredEvent, int],
    ) -> None:
        self.envelopes, self.ticket, self._group = envelopes, ticket, group

    def wait(self) -> list[Envelope]:
        """The stored envelopes; ConcurrencyConflict if a stream moved first."""
        if self.ticket is not None:
            try:
                self._group.wait(self.ticket)
            except IntegrityError as exc:
                raise ConcurrencyConflict(str(exc)) from exc
        return self.envelopes


class ConcurrencyConflict(Exception):
    """Another writer appended to one of the streams first."""


__all__ = [
    "Change",
    "ConcurrencyConflict",
    "EventTicket",
    "Loaded",
    "Staged",
    "Unit",
]
