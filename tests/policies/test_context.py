"""The context of a decision: who acts, when, under which rulebook. Tribe roles are never
trusted from the caller (DESIGN: 部落 roles come from the Tribe stream), so a decision made on
the school's behalf (a transcript or certificate issued by 校团委, seed 000 第十条) runs with the
caller's institutional roles only."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import preset

TRIBE = UUID("00000000-0000-4000-8000-000000000001")
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_the_institutional_context_drops_tribe_roles_and_keeps_everything_else() -> None:
    # given an actor holding a tribe role next to a college and a school role
    rulebook = preset("nepu")
    actor = Actor(
        "T001",
        {
            Role.tribe(RoleKind.TRIBE_LEADER, TRIBE),
            Role.tribe(RoleKind.TRIBE_ADMIN, TRIBE),
            Role.college_admin("C01"),
            Role.school_admin(),
        },
    )
    context = Context(actor, NOW, rulebook)
    # when the context is taken on the school's behalf
    institutional = context.with_institutional_actor()
    # then only the tribe roles are gone: the same person, time and rulebook
    assert institutional == Context(
        Actor("T001", {Role.college_admin("C01"), Role.school_admin()}), NOW, rulebook
    )
    assert institutional.actor.person_id == "T001"
    assert institutional.now is NOW
    assert institutional.rulebook is rulebook
    # and the original context is unchanged (frozen)
    assert context.actor.holds_tribe_role(TRIBE, RoleKind.TRIBE_LEADER)


def test_an_actor_without_tribe_roles_is_kept_as_is() -> None:
    rulebook = preset("nepu")
    context = Context(Actor.student("2023001"), NOW, rulebook)
    assert context.with_institutional_actor() == context


@pytest.mark.parametrize(
    ("now", "code", "details"),
    [
        (datetime(2026, 12, 2, 8, 0), "time.naive", {"field": "now"}),
        ("2026-12-02T08:00:00+08:00", "time.invalid", {"field": "now", "got": "str"}),
    ],
)
def test_a_context_refuses_a_time_without_a_zone(
    now: object, code: str, details: dict[str, str]
) -> None:
    """Time is data passed in by the caller, always with its zone (core/time)."""
    with pytest.raises(DomainError) as raised:
        Context(Actor.student("2023001"), now, preset("nepu"))  # type: ignore[arg-type]
    assert raised.value.code == code
    assert raised.value.details == details
