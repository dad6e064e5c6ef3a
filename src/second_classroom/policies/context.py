"""The context of a decision: who acts, when, and under which school's rulebook."""

from __future__ import annotations

from datetime import datetime

import attrs

from second_classroom.core.actor import Actor
from second_classroom.core.time import aware
from second_classroom.policies.rulebook import Rulebook


@attrs.frozen
class Context:
    """What every decision may consult besides the state: who, when, under which rules."""

    actor: Actor
    now: datetime = attrs.field(validator=aware)
    rulebook: Rulebook

    def with_institutional_actor(self) -> Context:
        """This context without any tribe role the caller claimed."""
        return attrs.evolve(self, actor=self.actor.institutional())
