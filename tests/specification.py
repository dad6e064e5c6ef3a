"""Given/when/then for deciders: ``given(decider, *events).when(command, ctx).then(*events)``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import pytest

from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook, preset

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # a Monday
NEPU: Rulebook = preset("nepu")

SCHOOL_ADMIN = Actor.school_admin("T-school")
PE_ADMIN = Actor.college_admin("T-pe", "PE")
CS_ADMIN = Actor.college_admin("T-cs", "CS")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A Shanghai time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def context(actor: Actor, now: datetime = NOW, rulebook: Rulebook = NEPU) -> Context:
    return Context(actor, now, rulebook)


@attrs.frozen
class When:
    decider: FunctionalDecider[Any, Any, Any, Any]
    state: Any
    command: Any
    ctx: Any

    def _run(self) -> Sequence[Any]:
        return self.decider.decide(self.command, self.state, self.ctx)

    def then(self, *expected: Any) -> Any:
        """The command yields exactly ``expected``; returns the state after them."""
        events = list(self._run())
        assert events == list(expected)
        return self.decider.fold(events, self.state)

    def then_nothing(self) -> None:
        """The command is accepted and changes nothing (idempotent)."""
        assert list(self._run()) == []

    def raises(self, code: str) -> DomainError:
        """The command is refused with ``code``."""
        with pytest.raises(DomainError) as caught:
            self._run()
        assert caught.value.code == code, caught.value
        return caught.value

    def events(self) -> list[Any]:
        return list(self._run())


@attrs.frozen
class Given:
    decider: FunctionalDecider[Any, Any, Any, Any]
    state: Any

    def when(self, command: Any, ctx: Any) -> When:
        return When(self.decider, self.state, command, ctx)


def given(decider: FunctionalDecider[Any, Any, Any, Any], *events: Any) -> Given:
    """Start from the state the ``events`` build."""
    return Given(decider, decider.fold(events))
