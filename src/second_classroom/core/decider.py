"""The decider: ``decide(command, state, context) -> events`` and ``evolve(state, event) -> state``.

State ``None`` means the stream has no events yet. Both functions are pure: time, randomness
and the actor arrive inside the context or the command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import attrs

from second_classroom.core.actor import Actor
from second_classroom.core.time import aware

if TYPE_CHECKING:
    from second_classroom.policies.rulebook import Rulebook

C = TypeVar("C")
S = TypeVar("S")
E = TypeVar("E")
X = TypeVar("X")
C_contra = TypeVar("C_contra", contravariant=True)
X_contra = TypeVar("X_contra", contravariant=True)


@attrs.frozen
class Context:
    """What every decision may consult besides the state: who, when, under which rules."""

    actor: Actor
    now: datetime = attrs.field(validator=aware)
    rulebook: Rulebook

    def with_institutional_actor(self) -> Context:
        """This context without any tribe role the caller claimed."""
        return attrs.evolve(self, actor=self.actor.institutional())


class Decider(Protocol[C_contra, S, E, X_contra]):
    """An aggregate's behaviour as two pure functions."""

    def decide(self, command: C_contra, state: S | None, context: X_contra) -> Sequence[E]: ...

    def evolve(self, state: S | None, event: E) -> S: ...


@attrs.frozen
class FunctionalDecider(Generic[C, S, E, X]):
    """A decider made of an aggregate module's ``decide`` and ``evolve`` functions."""

    name: str
    decide: Callable[[C, S | None, X], Sequence[E]]
    evolve: Callable[[S | None, E], S]

    def fold(self, events: Iterable[E], state: S | None = None) -> S | None:
        """Replay ``events`` onto ``state``."""
        for event in events:
            state = self.evolve(state, event)
        return state
