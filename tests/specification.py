"""Given/when/then for every decider.

One stream (``FunctionalDecider``)::

    given(decider, *events).when(command, ctx).then(*events)   # or .then_nothing(), .raises(code)

The Activity with its participants (``CombinedDecider``, ``aggregates/activity_decider.py``)::

    given_activity(activity, tribe=TRIBE, records=…, enrolments=…, secret=…)
        .when(command, actor, now)
        .then(activity=(…), enrolments={…}, records={…})  # or .then_nothing(), .raises(code)

``then`` returns the ``given`` after the decision (every stream folded), so a story reads as a
chain; ``decision()`` gives the ``Decision`` itself for a test that looks at one part of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs
import pytest

from second_classroom.aggregates import activity as activity_module
from second_classroom.aggregates import activity_decider, enrolment, student
from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision
from second_classroom.aggregates.enrolment import Enrolment
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook, preset

T = TypeVar("T")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # a Monday
NEPU: Rulebook = preset("nepu")

SCHOOL_ADMIN = Actor.school_admin("T-school")
PE_ADMIN = Actor.college_admin("T-pe", "PE")
CS_ADMIN = Actor.college_admin("T-cs", "CS")
# Digits ``int()`` reads as well as ASCII ones (٥ is 5): a strict boundary reads none of them.
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A Shanghai time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def present(value: T | None) -> T:
    """``value``, which the test expects to be there (a fold's state, a read, a form's time)."""
    assert value is not None
    return value


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


# -- the Activity and its participants: one CombinedDecider ----------------------------------


def _fold(decider: FunctionalDecider[Any, Any, Any, Any], state: Any, events: Sequence[Any]) -> Any:
    for event in events:
        state = decider.evolve(state, event)
    return state


@attrs.frozen
class GivenActivity:
    """The states a decision on an activity reads: the activity, its host, the students'
    records and enrolments, the school's secret, under a rulebook."""

    activity: Activity | None
    tribe: Tribe | None = None
    records: Mapping[str, StudentRecord] = attrs.field(factory=dict)
    enrolments: Mapping[str, Enrolment] = attrs.field(factory=dict)
    secret: bytes | None = None
    rulebook: Rulebook = NEPU

    @property
    def the_activity(self) -> Activity:
        """The activity, for a test that expects it to exist."""
        assert self.activity is not None
        return self.activity

    def when(self, command: Any, actor: Actor, now: datetime) -> WhenActivity:
        return WhenActivity(self, command, actor, now)

    def facts(self, actor: Actor, now: datetime) -> ActivityFacts:
        """The facts the facade would build (tribe roles are the actor's own here)."""
        return ActivityFacts(
            Context(actor, now, self.rulebook),
            self.activity,
            self.tribe,
            self.records,
            self.enrolments,
            self.secret,
        )

    def after(self, decision: Decision) -> GivenActivity:
        """Every stream of ``decision`` folded onto these states."""
        enrolments = dict(self.enrolments)
        for number, events in decision.enrolments.items():
            enrolments[number] = _fold(enrolment.DECIDER, enrolments.get(number), events)
        records = dict(self.records)
        for number, facts in decision.records.items():
            records[number] = _fold(student.DECIDER, records.get(number), facts)
        state = _fold(activity_module.DECIDER, self.activity, decision.activity)
        return attrs.evolve(self, activity=state, enrolments=enrolments, records=records)


@attrs.frozen
class WhenActivity:
    given: GivenActivity
    command: Any
    actor: Actor
    now: datetime

    def decision(self) -> Decision:
        """The command's decision (accepted, or refused with a recorded ``refusal``)."""
        return activity_decider.DECIDER.decide(self.command, self.given.facts(self.actor, self.now))

    def then(
        self,
        activity: Sequence[Any] = (),
        enrolments: Mapping[str, Sequence[Any]] | None = None,
        records: Mapping[str, Sequence[Any]] | None = None,
        refused: str | None = None,
    ) -> GivenActivity:
        """The command decides exactly these events for each stream (and, with ``refused``,
        is refused with that code after they are stored); returns the states after them."""
        decision = self.decision()
        assert decision.activity == tuple(activity)
        assert {s: tuple(e) for s, e in decision.enrolments.items()} == {
            s: tuple(e) for s, e in (enrolments or {}).items()
        }
        assert {s: tuple(e) for s, e in decision.records.items()} == {
            s: tuple(e) for s, e in (records or {}).items()
        }
        code = decision.refusal.code if decision.refusal is not None else None
        assert code == refused, decision.refusal
        return self.given.after(decision)

    def then_nothing(self) -> GivenActivity:
        """The command is accepted and changes nothing (idempotent)."""
        return self.then()

    def raises(self, code: str) -> DomainError:
        """The command is refused with ``code`` and stores nothing."""
        with pytest.raises(DomainError) as caught:
            self.decision()
        assert caught.value.code == code, caught.value
        return caught.value

    def accepted(self) -> GivenActivity:
        """The command is accepted (whatever it decides): the states after it."""
        decision = self.decision()
        assert decision.refusal is None, decision.refusal
        return self.given.after(decision)


def given_activity(
    activity: Activity | None,
    *,
    tribe: Tribe | None = None,
    records: Mapping[str, StudentRecord] | None = None,
    enrolments: Mapping[str, Enrolment] | None = None,
    secret: bytes | None = None,
    rulebook: Rulebook = NEPU,
) -> GivenActivity:
    """Start a decision on ``activity`` and its participants from these states."""
    return GivenActivity(activity, tribe, records or {}, enrolments or {}, secret, rulebook)
