"""What the HTTP service answers beside the facade's results: plain JSON objects (no ``type``
field) its handlers build, each an attrs class so that the contract documents it by the
schema generated from it (``schema.answer_schema``) and the handler cannot drift from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import attrs

from second_classroom.aggregates.activity import Phase
from second_classroom.answers import CheckInCode
from second_classroom.core.actor import Actor, RoleKind
from second_classroom.core.wire import converter


@attrs.frozen
class Caller:
    """Who the bearer token says is calling: the person and the kinds of their roles."""

    person_id: str
    roles: tuple[RoleKind, ...]

    @classmethod
    def of(cls, actor: Actor) -> Caller:
        return cls(actor.person_id, tuple(sorted((role.kind for role in actor.roles), key=str)))


@attrs.frozen
class ActivityPhase:
    """An activity's phase (第十二条), derived from its state and the time, and its label."""

    phase: Phase
    label: str

    @classmethod
    def of(cls, phase: Phase) -> ActivityPhase:
        return cls(phase, phase.label)


@attrs.frozen
class CheckInScreen:
    """The organizer's screen (第十五条): the current QR payload and its SVG, the password,
    when the session closes, and the seconds until the code turns (the page refreshes then)."""

    token: str
    password: str | None
    closes_at: datetime
    svg: str
    refresh_seconds: int

    @classmethod
    def of(cls, code: CheckInCode, refresh_seconds: int) -> CheckInScreen:
        return cls(code.token, code.password, code.closes_at, code.svg(), refresh_seconds)


@attrs.frozen
class Liveness:
    """The process answers."""

    status: Literal["ok"]


@attrs.frozen
class Readiness:
    """Whether the store answers and the views keep up: the log's last position, the views'
    position and how far they lag."""

    status: Literal["ready", "views lagging"]
    log_position: int
    views_position: int
    lag: int


@attrs.frozen
class StoreDown:
    """Not ready because the store did not answer: within 10 s (``error`` None), or with an
    error (``error``: its type's name, never its message, which may name the server)."""

    status: Literal["store not answering", "store unreachable"]
    error: str | None


# Every plain answer: ``reads.answer`` writes these with ``plain``, the contract names each.
ANSWERS: tuple[type, ...] = (
    Caller,
    ActivityPhase,
    CheckInScreen,
    Liveness,
    Readiness,
    StoreDown,
)


def plain(answer: object) -> dict[str, Any]:
    """``answer`` as JSON, as the codec writes a value's fields (times as RFC 3339 text)."""
    data: dict[str, Any] = converter.unstructure(answer)
    return data
