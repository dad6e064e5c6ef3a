"""The facade: load the streams a command needs, decide purely, save atomically, retry."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from second_classroom import codec
from second_classroom.aggregates import activity, student, tribe
from second_classroom.aggregates.activity import Activity, ActivityContext, Phase
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.decider import Context, FunctionalDecider
from second_classroom.core.errors import CONCURRENCY, UNKNOWN_COMMAND, DomainError
from second_classroom.core.time import require_aware
from second_classroom.persistence.application import (
    Change,
    ConcurrencyConflict,
    Loaded,
    SecondClassroomApplication,
)
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.stores import popo_env, postgres_env, sqlite_env
from second_classroom.policies.rulebook import Rulebook, preset

AnyDecider = FunctionalDecider[Any, Any, Any, Any]
ContextBuilder = Callable[["SecondClassroom", Any, Any, Context], Any]


@attrs.frozen
class Route:
    """How the facade runs one command type: which stream it writes, which facts it reads."""

    decider: AnyDecider
    target: Callable[[Any], UUID]
    context: ContextBuilder


def _tribe_context(service: SecondClassroom, _cmd: Any, state: Tribe | None, base: Context) -> Any:
    return _with_tribe_roles(base, state)


def _student_context(
    _service: SecondClassroom, _cmd: Any, _state: StudentRecord | None, base: Context
) -> Any:
    return attrs.evolve(base, actor=base.actor.institutional())


def _activity_context(
    service: SecondClassroom, cmd: Any, state: Activity | None, base: Context
) -> ActivityContext:
    if state is not None:
        host = service.tribe(state.host_tribe_id)
    elif isinstance(cmd, activity.DraftActivity):
        host = service.tribe(cmd.host_tribe_id)
    else:
        host = None  # decide answers activity.not_found

    record = service.student(base.actor.person_id)
    return ActivityContext(_with_tribe_roles(base, host), host, record)


def _with_tribe_roles(base: Context, host: Tribe | None) -> Context:
    """Tribe roles come from the Tribe stream, never from the caller."""
    actor = base.actor.institutional()
    if host is not None:
        actor = actor.with_roles(host.roles_of(actor.person_id))
    return attrs.evolve(base, actor=actor)


ROUTES: dict[type, Route] = {}
for _module, _builder in (
    (tribe, _tribe_context),
    (student, _student_context),
    (activity, _activity_context),
):
    for _command in _module.COMMANDS:
        ROUTES[_command] = Route(_module.DECIDER, _module.target, _builder)


@attrs.frozen
class Outcome:
    """What a command did: the stored events, with their streams and versions."""

    events: tuple[Envelope, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Outcome",
            "events": [
                {
                    "stream": str(e.originator_id),
                    "version": e.originator_version,
                    "event": codec.to_json(e.payload),
                }
                for e in self.events
            ],
        }


class StreamLocks:
    """Striped in-process locks, so writers in one process queue instead of conflicting.

    Writers in other processes still meet optimistic concurrency, and are retried.
    """

    def __init__(self, stripes: int = 256) -> None:
        self._stripes = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def holding(self, streams: Iterable[UUID]) -> Iterator[None]:
        # Sorted acquisition keeps multi-stream commands free of deadlocks.
        indexes = sorted({stream.int % len(self._stripes) for stream in streams})
        with ExitStack() as stack:
            for index in indexes:
                stack.enter_context(self._stripes[index])
            yield


def _back_off(attempt: int) -> None:
    """Jittered exponential pause before retrying against another process's write."""
    time.sleep(random.random() * min(0.002 * 2**attempt, 0.1))


class SecondClassroom:
    """The library's entry point for any frontend."""

    def __init__(
        self,
        app: SecondClassroomApplication,
        rulebook: Rulebook | None = None,
        max_attempts: int = 8,
    ) -> None:
        self.app = app
        self.rulebook = rulebook or preset("nepu")
        self.max_attempts = max_attempts
        self._locks = StreamLocks()

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def open(
        cls, env: Mapping[str, str], rulebook: Rulebook | None = None, **kwargs: Any
    ) -> SecondClassroom:
        return cls(SecondClassroomApplication(dict(env)), rulebook, **kwargs)

    @classmethod
    def sqlite(cls, path: str | Path, rulebook: Rulebook | None = None) -> SecondClassroom:
        """The embedded default: an SQLite file."""
        return cls.open(sqlite_env(path), rulebook)

    @classmethod
    def postgres(cls, dsn: str, rulebook: Rulebook | None = None) -> SecondClassroom:
        return cls.open(postgres_env(dsn), rulebook)

    @classmethod
    def in_memory(cls, rulebook: Rulebook | None = None) -> SecondClassroom:
        return cls.open(popo_env(), rulebook)

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> SecondClassroom:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------

    def execute(self, command: object, actor: Actor, now: datetime) -> Outcome:
        """Run ``command`` as ``actor`` at ``now``; raise DomainError if refused.

        A refused command stores nothing. A conflict with a concurrent writer is retried
        against fresh state up to ``max_attempts`` times.
        """
        route = ROUTES.get(type(command))
        if route is None:
            raise UNKNOWN_COMMAND.error(type=type(command).__name__)
        base = Context(actor, require_aware(now), self.rulebook)
        stream = route.target(command)
        for attempt in range(self.max_attempts):
            with self._locks.holding([stream]):
                change = self._decide(route, command, base)
                try:
                    return Outcome(tuple(self.app.append([change], now)))
                except ConcurrencyConflict:
                    pass
            _back_off(attempt)
        raise CONCURRENCY.error(attempts=self.max_attempts)

    def _decide(self, route: Route, command: object, base: Context) -> Change:
        loaded = self.app.load(route.decider, route.target(command))
        context = route.context(self, command, loaded.state, base)
        events = list(route.decider.decide(command, loaded.state, context))
        after = route.decider.fold(events, loaded.state)
        return Change(route.decider, loaded, events, after)

    def execute_json(
        self, message: Mapping[str, Any], actor: Actor, now: datetime
    ) -> dict[str, Any]:
        """JSON in, JSON out: the events, or the DomainError with its stable code."""
        try:
            command = codec.from_json(dict(message), kind="command")
            return self.execute(command, actor, now).to_json()
        except DomainError as error:
            return codec.error_to_json(error)

    # -- queries ----------------------------------------------------------------------------

    def tribe(self, tribe_id: UUID) -> Tribe | None:
        return self.app.load(tribe.DECIDER, tribe_id).state

    def student(self, student_number: str) -> StudentRecord | None:
        return self.app.load(student.DECIDER, ids.student_id(student_number)).state

    def activity(self, activity_id: UUID) -> Activity | None:
        return self.app.load(activity.DECIDER, activity_id).state

    def phase(self, activity_id: UUID, now: datetime) -> Phase | None:
        found = self.activity(activity_id)
        return activity.phase(found, require_aware(now)) if found else None

    def loaded(self, decider: AnyDecider, stream: UUID) -> Loaded[Any]:
        return self.app.load(decider, stream)

    def history(self, stream: UUID) -> Sequence[Envelope]:
        return self.app.history(stream)
