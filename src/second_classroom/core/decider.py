"""The decider: ``decide(command, state, context) -> events`` and ``evolve(state, event) -> state``.

State ``None`` means the stream has no events yet. Both functions are pure: time, randomness
and the actor arrive inside the context or the command. The context every aggregate decides
with (actor, time, the school's rulebook) is ``policies.context.Context``: it names the
rulebook, so it sits in the layer of the rules, above this kernel.

Two shapes, and only two:

- ``FunctionalDecider``: one stream. ``decide(command, state, context) -> events``.
- ``CombinedDecider``: a decision that spans one aggregate and streams of its participants
  (fmodel's ``combine``). ``decide(command, facts) -> decision``: the facts hold every state
  the decision reads, the decision names the events for every stream it writes, and the
  facade saves them in one transaction. Each stream it writes still has its own
  ``FunctionalDecider`` for folding; one whose events only the combined decider decides
  says so with ``decided_by``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

import attrs

from second_classroom.core.errors import Category, ErrorCode

C = TypeVar("C")
S = TypeVar("S")
E = TypeVar("E")
X = TypeVar("X")
F = TypeVar("F")
D = TypeVar("D")
C_contra = TypeVar("C_contra", contravariant=True)
X_contra = TypeVar("X_contra", contravariant=True)

WRONG_STREAM_KIND = ErrorCode(
    "store.wrong_stream_kind",
    "该编号属于另一类记录，不能作为 {kind} 使用",
    "This id belongs to another kind of record, not a {kind}",
    Category.NOT_FOUND,
)


class Decider(Protocol[C_contra, S, E, X_contra]):
    """An aggregate's behaviour as two pure functions."""

    def decide(self, command: C_contra, state: S | None, context: X_contra) -> Sequence[E]: ...

    def evolve(self, state: S | None, event: E) -> S: ...


def _type_set(types: Iterable[type]) -> frozenset[type]:
    return frozenset(types)


@attrs.frozen
class FunctionalDecider(Generic[C, S, E, X]):
    """One kind of aggregate: its ``decide`` and ``evolve`` functions, the state they fold
    to, and the events its streams hold.

    A stream holds one kind: every event on it is one of ``events`` (each event type belongs
    to exactly one kind), so a load can tell a stream of another kind from its first event
    and refuse it with ``store.wrong_stream_kind`` rather than fold foreign events. ``short``
    streams stay a handful of events long: they are read without asking the snapshot store
    (one query instead of two; registrations mostly load streams that do not exist yet) and
    never snapshotted.
    """

    name: str
    decide: Callable[[C, S | None, X], Sequence[E]]
    evolve: Callable[[S | None, E], S]
    state: type[S]
    events: frozenset[type] = attrs.field(converter=_type_set)
    short: bool = False

    def holds(self, event: object) -> bool:
        """Whether ``event`` belongs on a stream of this kind."""
        return type(event) in self.events

    def fold(self, events: Iterable[E], state: S | None = None) -> S | None:
        """Replay ``events`` onto ``state``; an event of another kind is refused."""
        for event in events:
            if not self.holds(event):
                raise WRONG_STREAM_KIND.error(kind=self.name)
            state = self.evolve(state, event)
        return state


def decided_by(stream: str, combined: str) -> Callable[[object, object, object], Sequence[E]]:
    """The ``decide`` of a stream that only a ``CombinedDecider`` writes: it decides nothing
    alone, and says which decider does."""

    def decide(_command: object, _state: object, _context: object) -> Sequence[E]:
        raise AssertionError(f"{stream} commands are decided with their {combined}: see decide()")

    return decide


@attrs.frozen
class CombinedDecider(Generic[C, F, D]):
    """Decisions that span streams (fmodel's ``combine``): ``decide(command, facts) ->
    decision``.

    ``facts`` is everything the decision reads (the aggregate's state, the states of the
    other streams involved, the context); the ``decision`` names the events for each stream,
    saved together. ``commands`` are the command types it answers, one ``decide`` for all.
    """

    name: str
    decide: Callable[[C, F], D]
    commands: frozenset[type] = attrs.field(converter=_type_set)

    def answers(self, command: object) -> bool:
        """Whether ``command`` is one of this decider's."""
        return type(command) in self.commands
