"""The eventsourcing Application: loads functional aggregates, saves many streams atomically."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper

from second_classroom.aggregates import activity, enrolment, mailbox, student, transcript, tribe
from second_classroom.core.decider import FunctionalDecider
from second_classroom.persistence.mapper import CattrsMapper, Envelope, SnapshotEnvelope

S = TypeVar("S")
AnyDecider = FunctionalDecider[Any, Any, Any, Any]

STATE_TYPES: dict[str, type] = {
    tribe.DECIDER.name: tribe.Tribe,
    student.DECIDER.name: student.StudentRecord,
    activity.DECIDER.name: activity.Activity,
    enrolment.DECIDER.name: enrolment.Enrolment,
    mailbox.DECIDER.name: mailbox.Mailbox,
    transcript.DECIDER.name: transcript.Transcript,
}


@attrs.frozen
class Loaded(Generic[S]):
    """A stream's state and the version it was read at (0: no events yet)."""

    id: UUID
    version: int
    state: S | None


@attrs.frozen
class Change:
    """New events for one stream, decided against ``loaded``; ``after`` is the new state."""

    decider: AnyDecider
    loaded: Loaded[Any]
    events: Sequence[object]
    after: object


class ConcurrencyConflict(Exception):
    """Another writer appended to one of the streams first."""


class SecondClassroomApplication(Application[UUID]):
    """One application (one table set) per school.

    Environment keys beyond eventsourcing's own: ``SNAPSHOT_INTERVAL`` (events between
    snapshots, default 50; 0 disables).
    """

    name = "SecondClassroom"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "10000",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",  # states are immutable: no copies needed
        "IS_SNAPSHOTTING_ENABLED": "y",
    }

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self.snapshot_interval = int(self.env.get("SNAPSHOT_INTERVAL", "50"))

    def construct_mapper(self) -> Mapper[UUID]:
        return CattrsMapper(
            STATE_TYPES,
            transcoder=self.factory.transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def load(self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID) -> Loaded[S]:
        """The current state of ``stream`` (state None, version 0 if it has no events)."""
        try:
            loaded: Loaded[S] = self.repository.get(stream, projector_func=_projector(decider))
        except AggregateNotFoundError:
            return Loaded(stream, 0, None)
        cache = self.repository.cache
        if cache is not None:
            # eventsourcing fast-forwards a cached aggregate by mutating it; ours are immutable,
            # so the newer state must replace the cached one or every load replays from there.
            cache.put(stream, loaded)
        return loaded

    def load_at(
        self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID, version: int
    ) -> Loaded[S]:
        """The state of ``stream`` as it was at ``version``."""
        try:
            loaded: Loaded[S] = self.repository.get(
                stream, version=version, projector_func=_projector(decider)
            )
        except AggregateNotFoundError:
            return Loaded(stream, 0, None)
        return loaded

    def notifications(
        self, after: int, limit: int = 1000, topics: Sequence[str] = ()
    ) -> list[tuple[int, Envelope]]:
        """Events recorded after position ``after``, in log order, with their positions."""
        found = self.recorder.select_notifications(
            after + 1, limit, topics=topics, inclusive_of_start=True
        )
        return [(n.id, cast(Envelope, self.mapper.to_domain_event(n))) for n in found]

    def history(self, stream: UUID) -> list[Envelope]:
        """Every event of ``stream``, in order."""
        return [e for e in self.events.get(stream) if isinstance(e, Envelope)]

    def append(
        self, changes: Sequence[Change], at: datetime, command: str = "", actor: str = ""
    ) -> list[Envelope]:
        """Store every change in one transaction; raise ConcurrencyConflict if a stream moved."""
        envelopes = [
            Envelope(change.loaded.id, change.loaded.version + offset, at, event, command, actor)
            for change in changes
            for offset, event in enumerate(change.events, start=1)
        ]
        if not envelopes:
            return []
        try:
            self.save(*envelopes)
        except IntegrityError as exc:
            raise ConcurrencyConflict(str(exc)) from exc
        self._snapshot(changes, at)
        return envelopes

    def _snapshot(self, changes: Sequence[Change], at: datetime) -> None:
        """Snapshot a stream whose new events crossed a multiple of the interval.

        eventsourcing only snapshots aggregates passed to ``save``; ours are functional, so
        the new state computed by the service is stored directly.
        """
        interval = self.snapshot_interval
        if not interval or self.snapshots is None:
            return
        for change in changes:
            old, new = change.loaded.version, change.loaded.version + len(change.events)
            if new // interval > old // interval:
                snapshot = SnapshotEnvelope(
                    change.loaded.id, new, at, change.decider.name, change.after
                )
                self.snapshots.put([snapshot])


def _projector(decider: FunctionalDecider[Any, S, Any, Any]) -> Any:
    def project(initial: Loaded[S] | None, items: Iterable[object]) -> Loaded[S] | None:
        loaded = initial
        for item in items:
            if isinstance(item, SnapshotEnvelope):
                loaded = Loaded(item.originator_id, item.originator_version, item.state)
            else:
                assert isinstance(item, Envelope)
                state = loaded.state if loaded else None
                loaded = Loaded(
                    item.originator_id, item.originator_version, decider.evolve(state, item.payload)
                )
        return loaded

    return project


__all__ = [
    "STATE_TYPES",
    "Change",
    "ConcurrencyConflict",
    "Loaded",
    "SecondClassroomApplication",
]
