"""The eventsourcing Application: loads functional aggregates, saves many streams atomically."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    Notification,
    StoredEvent,
)
from eventsourcing.utils import Environment

from second_classroom.aggregates.kinds import KINDS
from second_classroom.core.decider import WRONG_STREAM_KIND, FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.persistence.changes import (
    Change,
    EventTicket,
    Loaded,
    Staged,
    Unit,
)
from second_classroom.persistence.group_commit import GroupCommit
from second_classroom.persistence.locks import StreamLeases, StreamLocks
from second_classroom.persistence.mapper import CattrsMapper, Envelope, SnapshotEnvelope
from second_classroom.persistence.pending import PendingStates
from second_classroom.persistence.state_cache import StateCache
from second_classroom.persistence.stores import describe_store
from second_classroom.persistence.stream_index import StreamIndex

S = TypeVar("S")
REFRESH_LIMIT = 5000  # log positions to scan for evictions; beyond, the cache is dropped
LOG_PAGE = 1000  # events read from the log per query
CONTENDED_FOR = 1.0  # seconds a stream counts as written by another process too
AnyDecider = FunctionalDecider[Any, Any, Any, Any]
logger = logging.getLogger(__name__)

STATE_TYPES: dict[str, type] = {kind.name: kind.state for kind in KINDS}  # for snapshots
# Each event type belongs to exactly one kind (``FunctionalDecider``): its decider folds it.
DECIDER_OF_EVENT: dict[type, AnyDecider] = {event: kind for kind in KINDS for event in kind.events}


class SecondClassroomApplication(Application[UUID]):
    """One application (one table set) per school.

    Environment keys: ``SNAPSHOT_INTERVAL`` (events between snapshots, default 50; 0
    disables), ``STATE_CACHE_MAXSIZE`` (streams kept in the state cache, default 100000;
    0 disables) and, on PostgreSQL, ``STREAM_LEASES=y`` (processes take turns on a stream
    they all write: see ``writing``; off by default). eventsourcing's own repository cache is
    not used: see ``state_cache``.
    """

    name = "SecondClassroom"
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "y"}

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._top: Any = None  # SQLite files: the log's top on a connection of its own
        if self.env.get(InfrastructureFactory.PERSISTENCE_MODULE) == "eventsourcing.sqlite":
            from second_classroom.persistence import sqlite

            self._top = sqlite.log_top(self.env, self.recorder)
        self.snapshot_interval = int(self.env.get("SNAPSHOT_INTERVAL", "50"))
        self.states = StateCache(
            int(self.env.get("STATE_CACHE_MAXSIZE", "100000") or 0), self._log_top()
        )
        # In memory (POPO) a read of an empty stream costs no more than the index would.
        on_disk = hasattr(self.recorder, "datastore")
        self.streams = StreamIndex(self._stream_ids, enabled=self.states.enabled and on_disk)
        self._reading = threading.local()
        self._pending = PendingStates()
        self._foreign: dict[UUID, float] = {}  # streams another process wrote, and when
        self._locks = StreamLocks()
        self._leases: StreamLeases | None = None
        datastore = getattr(self.recorder, "datastore", None)
        postgres = (
            self.env.get(InfrastructureFactory.PERSISTENCE_MODULE) == "eventsourcing.postgres"
        )
        if postgres and self.env.get("STREAM_LEASES", "") in ("y", "yes", "true", "1"):
            self._leases = StreamLeases(datastore.pool, datastore.schema)  # type: ignore[union-attr]
        self._group: GroupCommit[StoredEvent, int] = GroupCommit(
            self._insert, IntegrityError, self._settle
        )
        logger.info("store opened: %s", describe_store(self.env))

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        # PostgreSQL: ours creates tables under an advisory lock, so processes may start at once.
        if env.get(InfrastructureFactory.PERSISTENCE_MODULE) == "eventsourcing.postgres":
            from second_classroom.persistence import postgres

            return postgres.construct_factory(env)
        if env.get(InfrastructureFactory.PERSISTENCE_MODULE) == "eventsourcing.sqlite":
            from second_classroom.persistence import sqlite

            # WAL before any connection (processes may start at once); appends on a
            # connection of their own (sqlite.WriterRecorder).
            return sqlite.construct_factory(env)
        return super().construct_factory(env)

    def construct_mapper(self) -> Mapper[UUID]:
        return CattrsMapper(
            STATE_TYPES,
            transcoder=self.factory.transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def load(self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID) -> Loaded[S]:
        """The current state of ``stream`` (state None, version 0 if it has no events).

        A stream holding another kind of aggregate reads as absent too, marked ``foreign``:
        a command naming another kind's id gets the answer an unknown id gets (no oracle of
        which ids exist in other kinds), never folds the foreign events, and ``stage``
        refuses any change to it with ``store.wrong_stream_kind``.
        """
        try:
            if getattr(self._reading, "active", False):
                return self._load(decider, stream)
            with self.reading():
                return self._load(decider, stream)
        except DomainError as error:
            if error.code != WRONG_STREAM_KIND.code:
                raise
            # Kept for the operator: the caller's answer does not tell it apart.
            logger.info(
                "stream %s holds another kind than %s: read as absent", stream, decider.name
            )
            return Loaded(stream, 0, None, foreign=True)

    def find(self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID) -> S | None:
        """The state of ``stream`` for a query: None if it has no events, or if it holds
        another kind of aggregate (there is no activity whose id is a tribe's)."""
        return self.load(decider, stream).state

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Check the log once; loads inside the block trust the state cache.

        A command's plan reads several streams inside one such block: one query for the
        log's top position instead of one per stream.
        """
        if getattr(self._reading, "active", False):
            yield
            return
        self.refresh()
        self._reading.active = True
        try:
            yield
        finally:
            self._reading.active = False

    @contextmanager
    def writing(self, streams: Iterable[UUID]) -> Iterator[None]:
        """Hold the in-process locks of ``streams`` for a decision on them. On PostgreSQL,
        for the streams another process wrote lately, also take locks that process shares,
        held until this thread's next write (``stage``) is stored, so the two take turns
        on a hot stream instead of deciding at once and retrying (``locks.StreamLeases``).
        Enter it before ``deciding``: the look at the log must follow the lock."""
        streams = list(streams)
        with self._locks.holding(streams):
            contended = [s for s in streams if self._contended(s)]
            lease = self._leases.take(contended) if contended and self._leases else None
            self._reading.lease = lease
            try:
                yield
            finally:
                self._reading.lease = None
                if lease is not None and not lease.handed:  # nothing staged: nothing to wait
                    lease.release()

    @contextmanager
    def deciding(self) -> Iterator[set[EventTicket]]:
        """Like ``reading``, for a command's decision: loads also see states that earlier
        commands decided but have not stored yet. Yields the set of their tickets, which the
        decision then depends on (``stage`` and ``settled`` take it)."""
        depends: set[EventTicket] = set()
        with self.reading():
            self._reading.depends = depends
            try:
                yield depends
            finally:
                self._reading.depends = None

    def refresh(self) -> None:
        """Bring the cached streams that another process wrote since the last check up to
        date: fold the new event onto a cached state one version behind (the page of the log
        read here holds it), evict any other.

        Where the log's top costs a round trip of its own (PostgreSQL, memory), the events
        after the watermark are asked for at once: one query, whose last position is the
        top. Positions become visible in order (the events table is locked by each append
        until its commit), so no later commit can fill a position below the ones read.
        """
        cache = self.states
        if not cache.enabled:
            return
        start = cache.watermark + 1
        page: Sequence[Notification] = ()
        if self._top is None:
            page = self.recorder.select_notifications(start, LOG_PAGE)
            if not page:
                return
            top = page[-1].id
        if self._top is not None or len(page) == LOG_PAGE:  # a long way behind: measure it
            top = self._log_top()
        if top <= cache.watermark:  # below: our own commits overtook this read of the top
            return
        if top - cache.watermark > REFRESH_LIMIT:
            self.streams.forget()
            cache.reset(top)
            return
        written: list[tuple[int, UUID, int]] = []
        found: dict[int, Notification] = {}
        while True:
            page = [n for n in page if n.id <= top]
            written += [(n.id, UUID(str(n.originator_id)), n.originator_version) for n in page]
            found.update((n.id, n) for n in page)
            start = page[-1].id + 1 if page else start
            if start > top:
                break
            page = self.recorder.select_notifications(start, LOG_PAGE, stop=top)
            if not page:
                break
        self.streams.add(stream for _position, stream, _version in written)
        foreign = cache.caught_up(
            top, written, lambda cached, position: self._follow(cached, found[position])
        )
        now = time.monotonic()
        if len(self._foreign) > REFRESH_LIMIT:
            self._foreign = {s: t for s, t in self._foreign.items() if now - t < CONTENDED_FOR}
        self._foreign.update(dict.fromkeys(foreign, now))

    def _contended(self, stream: UUID) -> bool:
        """Whether another process wrote ``stream`` lately (``CONTENDED_FOR`` seconds)."""
        seen = self._foreign.get(stream)
        return seen is not None and time.monotonic() - seen < CONTENDED_FOR

    def _follow(self, cached: Loaded[Any], written: Notification) -> Loaded[Any] | None:
        """``cached`` with another process's next event on its stream applied; None if the
        event is not of the state's kind (a load will say so) or cannot be read."""
        try:
            envelope = self.mapper.to_domain_event(written)
            assert isinstance(envelope, Envelope)
            decider = DECIDER_OF_EVENT.get(type(envelope.payload))
            if decider is None or not (cached.state is None or type(cached.state) is decider.state):
                return None
            state = decider.evolve(cached.state, envelope.payload)
        except Exception:  # whatever fails here, a load from the store meets and reports
            return None
        return Loaded(cached.id, envelope.originator_version, state)

    def forget_states(self) -> None:
        """Empty the state cache: the next loads read the store."""
        self.streams.forget()
        self.states.reset(self._log_top())

    def _stream_ids(self) -> list[UUID]:
        """The id of every stream in the log (the first event of each; one query)."""
        recorder = self.recorder
        table = recorder.events_table_name  # type: ignore[attr-defined]
        datastore = recorder.datastore  # type: ignore[attr-defined]
        schema = getattr(datastore, "schema", "")
        where = f'"{schema}"."{table}"' if schema else f'"{table}"'
        query = f"SELECT originator_id FROM {where} WHERE originator_version = 1"
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(query)
            rows = cursor.fetchall()
        return [_as_uuid(row["originator_id"]) for row in rows]

    def _log_top(self) -> int:
        if self._top is not None:
            return int(self._top())
        return self.recorder.max_notification_id() or 0

    def close(self) -> None:
        if self._top is not None:
            self._top.close()
        super().close()

    def _load(self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID) -> Loaded[S]:
        unit: Unit | None = getattr(self._reading, "unit", None)
        if unit is not None and stream in unit.staged:
            return _of_kind(decider, unit.staged[stream])
        depends = getattr(self._reading, "depends", None)
        if depends is not None and unit is None:
            held = self._pending.get(stream)
            if held is not None and self._contended(stream):
                # Another process writes this stream too: deciding ahead of our unstored
                # write would chain our next writes to it, and all of them would fail when
                # theirs wins (a process could starve the other). Store it first.
                self.settled([cast(EventTicket, held[1])])
                held = self._pending.get(stream)
            if held is not None:
                # Depend on it first: a refusal for its kind stands only if it is stored.
                depends.add(cast(EventTicket, held[1]))
                return _of_kind(decider, held[0])
        cached: Loaded[S] | None = self.states.get(stream)
        if cached is not None:
            return _of_kind(decider, cached)
        generation = self.states.generation
        loaded = self._read(decider, stream)
        self.states.put(loaded, generation)
        return loaded

    def _read(self, decider: FunctionalDecider[Any, S, Any, Any], stream: UUID) -> Loaded[S]:
        if self.streams.absent(stream):  # a new stream (a first registration): no query
            return Loaded(stream, 0, None)
        project = _projector(decider)
        if decider.short:
            found: Loaded[S] | None = project(None, self.events.get(stream))
            return found if found is not None else Loaded(stream, 0, None)
        try:
            loaded: Loaded[S] = self.repository.get(stream, projector_func=project)
        except AggregateNotFoundError:
            return Loaded(stream, 0, None)
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
        """Store every change in one transaction; raise ConcurrencyConflict if a stream moved.

        Concurrent appends from this process may share the transaction (``group_commit``);
        each is still all-or-nothing. Inside ``unit_of_work`` the changes are staged instead,
        and stored with the unit's.
        """
        return self.stage(changes, at, command, actor).wait()

    def stage(
        self,
        changes: Sequence[Change],
        at: datetime,
        command: str = "",
        actor: str = "",
        depends: Iterable[EventTicket] = (),
    ) -> Staged:
        """Queue the changes for storing, after the ``depends`` tickets; ``wait()`` on the
        result stores them (or raises ConcurrencyConflict). Until then the next decision on
        these streams (inside ``deciding``) sees the new states."""
        for change in changes:
            if change.loaded.foreign and change.events:
                # A decision on a stream of another kind read as absent (a log written before
                # ids were derived per kind): never append to it.
                raise WRONG_STREAM_KIND.error(
                    stream=str(change.loaded.id), kind=change.decider.name
                )
        envelopes = [
            Envelope(change.loaded.id, change.loaded.version + offset, at, event, command, actor)
            for change in changes
            for offset, event in enumerate(change.events, start=1)
        ]
        unit: Unit | None = getattr(self._reading, "unit", None)
        if unit is not None:
            unit.stage(changes, envelopes, at)
            return Staged(envelopes, None, self._group)
        if not envelopes:
            return Staged([], None, self._group)
        alone = self._new_unit()
        alone.stage(changes, envelopes, at)
        lease = getattr(self._reading, "lease", None)
        if lease is not None:  # held until this write is stored (``_settle``)
            alone.lease, lease.handed, self._reading.lease = lease, True, None
        ticket = self._queue(alone, depends)
        self._pending.hold(alone.staged.values(), ticket)
        return Staged(envelopes, ticket, self._group)

    def settled(self, depends: Iterable[EventTicket]) -> bool:
        """Wait until every ticket in ``depends`` is stored; False if any failed."""
        stored = True
        for ticket in depends:
            try:
                self._group.wait(ticket)
            except IntegrityError:
                stored = False
        return stored

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Stage every append of this thread inside the block and store them all in one
        transaction at its end: all or nothing.

        Loads inside the block see the staged states (read your own writes); nobody else
        does until the end. If another writer moved a staged stream meanwhile, nothing is
        stored and ConcurrencyConflict is raised. Units do not nest: an inner block joins
        the outer one.
        """
        if getattr(self._reading, "unit", None) is not None:
            yield
            return
        unit = self._new_unit()
        self._reading.unit = unit
        try:
            yield
        finally:
            self._reading.unit = None
        if unit.envelopes:
            Staged(unit.envelopes, self._queue(unit), self._group).wait()

    def _new_unit(self) -> Unit:
        enabled = self.snapshots is not None
        return Unit(self.snapshot_interval if enabled else 0)

    def _queue(self, unit: Unit, depends: Iterable[EventTicket] = ()) -> EventTicket:
        """Queue the unit's events for the next group; ``_settle`` finishes it."""
        unit.generation = self.states.generation
        # Encoded here, by the caller: the thread writing the group should only write.
        stored = [self.mapper.to_stored_event(envelope) for envelope in unit.envelopes]
        return self._group.enqueue(stored, list(depends), unit)

    def _settle(self, ticket: EventTicket) -> None:
        """A ticket was stored or failed: update the cache, drop its pending states."""
        unit = cast(Unit, ticket.context)
        if unit.lease is not None:
            unit.lease.release()
        if ticket.written:
            self.streams.add(unit.staged)  # before the pending states go: never a gap
            self.states.recorded(ticket.result)
            for loaded in unit.staged.values():
                self.states.put(loaded, unit.generation)
            if unit.snapshots and self.snapshots is not None:
                self.snapshots.put(unit.snapshots)
        elif not isinstance(ticket.error, IntegrityError):
            # The write may or may not have been stored: read the streams again.
            self.states.evict(unit.staged)
        # A conflict leaves the cached states as they were: true at their versions, and the
        # write that won is above the watermark (it was not seen when deciding), so the next
        # look at the log brings them up to date without reading the streams again.
        self._pending.release(unit.staged, ticket)

    def _insert(self, stored: Sequence[StoredEvent]) -> list[int]:
        """Write encoded events in one transaction; their positions in the log."""
        # The recorder directly: eventsourcing's save would test every event against runtime
        # protocols and encode it in this (the group's) thread; ours are encoded already.
        return list(self.recorder.insert_events(list(stored)) or [])


def _as_uuid(value: object) -> UUID:
    """A stored stream id: a ``UUID`` (PostgreSQL) or its text (SQLite)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def _of_kind(decider: FunctionalDecider[Any, S, Any, Any], loaded: Loaded[Any]) -> Loaded[S]:
    """``loaded`` if its state is of ``decider``'s kind (or there is none yet); else refused."""
    if loaded.state is not None and type(loaded.state) is not decider.state:
        raise WRONG_STREAM_KIND.error(stream=str(loaded.id), kind=decider.name)
    return loaded


def _projector(decider: FunctionalDecider[Any, S, Any, Any]) -> Any:
    def project(initial: Loaded[S] | None, items: Iterable[object]) -> Loaded[S] | None:
        loaded = initial
        for item in items:
            if isinstance(item, SnapshotEnvelope):
                if item.aggregate != decider.name:
                    raise WRONG_STREAM_KIND.error(stream=str(item.originator_id), kind=decider.name)
                loaded = Loaded(item.originator_id, item.originator_version, item.state)
            else:
                assert isinstance(item, Envelope)
                if not decider.holds(item.payload):  # the first event tells the stream's kind
                    raise WRONG_STREAM_KIND.error(stream=str(item.originator_id), kind=decider.name)
                state = loaded.state if loaded else None
                loaded = Loaded(
                    item.originator_id, item.originator_version, decider.evolve(state, item.payload)
                )
        return loaded

    return project


__all__ = ["STATE_TYPES", "SecondClassroomApplication"]
