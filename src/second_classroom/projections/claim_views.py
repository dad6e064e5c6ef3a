"""In-process read model for 补录 reviewers: the claims still in a chain (待我审核).

It follows the event log (LogFollower) and rebuilds from the start after a restart; which
claims are open is a fact of the claims' own events, so nothing is lost or doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.aggregates import claim
from second_classroom.aggregates.claim import (
    Claim,
    ClaimConfirmed,
    ClaimFiled,
    ClaimRejected,
    ClaimResubmitted,
    ClaimStatus,
    ReviewAction,
)
from second_classroom.core.actor import Actor, RoleKind
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies.claim_rules import ClaimKind, ClaimsRule
from second_classroom.projections.follower import LogFollower


@attrs.frozen
class ClaimToReview:
    """One line of 待我审核: a claim, the step it stands at and what the reader may do now."""

    claim_id: UUID
    kind: ClaimKind
    title: str
    claimant: str
    college: str | None
    status: ClaimStatus
    step: int  # 0-based index of the chain's step the claim stands at
    step_name: str
    actions: tuple[ReviewAction, ...]
    publicity_until: datetime | None
    batch: str


class ClaimQueue:
    """Claims filed or resubmitted and neither rejected nor confirmed."""

    def __init__(self, app: SecondClassroomApplication, rule: ClaimsRule) -> None:
        self.app = app
        self.rule = rule
        self.open: set[UUID] = set()
        # The role kinds of each claim's recorded chain (``ClaimFiled.chain``): a reviewer of an
        # open claim's chain may ask for the queue even if the current rulebook dropped the role.
        self.roles: dict[UUID, frozenset[RoleKind]] = {}
        self.follower = LogFollower(
            app, (ClaimFiled, ClaimResubmitted, ClaimRejected, ClaimConfirmed), self._handle
        )

    def _handle(self, _position: int, envelope: Envelope) -> None:
        event = envelope.payload
        if isinstance(event, ClaimFiled) and event.chain is not None:
            self.roles[event.claim_id] = event.chain.role_kinds()
        if isinstance(event, ClaimFiled | ClaimResubmitted):
            self.open.add(event.claim_id)
        else:
            self.open.discard(event.claim_id)

    def role_kinds(self) -> frozenset[RoleKind]:
        """Every role kind a step of an open claim's recorded chain asks for."""
        with self.follower.caught_up():
            found = [self.roles.get(claim_id, frozenset()) for claim_id in self.open]
        return frozenset().union(*found)

    def awaiting(
        self, actor_for: Callable[[Claim], Actor | None], now: datetime
    ) -> list[ClaimToReview]:
        """The open claims and what ``actor_for(claim)`` may do to each at ``now`` (a claim
        with nothing to do is left out; ``None``: every open claim, each with no action),
        oldest stream first by id for a stable order."""
        with self.follower.caught_up():
            still_open = sorted(self.open)
        lines = []
        for claim_id in still_open:
            found = self.app.load(claim.DECIDER, claim_id).state
            chain = claim.chain_of(found, self.rule) if found is not None else None
            if found is None or chain is None:
                continue
            actor = actor_for(found)
            allowed = claim.actions(found, chain, actor, now) if actor is not None else ()
            if actor is not None and not allowed:
                continue
            at = min(found.step, len(chain.steps) - 1)
            lines.append(
                ClaimToReview(
                    found.id, found.kind, found.title, found.claimant, found.college,
                    found.status, at, chain.steps[at].name, allowed, found.publicity_until,
                    found.batch,
                )
            )  # fmt: skip
        return lines
