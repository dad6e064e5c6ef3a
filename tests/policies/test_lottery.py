"""The verifiable lottery (中签制): 第十二条 — 中签制活动需由系统按活动设定人数随机抽取.

The school commits to a secret seed when the activity is approved (the SHA-256 of the seed is
published), reveals the seed at the draw, and anyone can re-run the draw from the record.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Callable
from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from second_classroom.policies.lottery import (
    commitment,
    derive_seed,
    draw_winners,
    ticket,
    verify_draw,
)

SECRET = bytes(range(32))
SEED = derive_seed(SECRET, "activity-1")
REGISTRANTS = tuple(f"20230101{i:02d}" for i in range(1, 11))

seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
secrets = st.binary(min_size=1, max_size=64)
student_numbers = st.text(alphabet=string.digits, min_size=10, max_size=10)
registrant_sets = st.sets(student_numbers, max_size=25)
capacities = st.integers(0, 30)


def is_hex64(text: str) -> bool:
    return len(text) == 64 and set(text) <= set("0123456789abcdef")


# -- commitment -----------------------------------------------------------------------------------


def test_the_commitment_is_the_sha256_hex_of_the_seed() -> None:
    """第十二条: what is published before the draw is sha256(seed), lowercase hex."""
    assert commitment(SEED) == hashlib.sha256(SEED.encode("ascii")).hexdigest()
    assert is_hex64(commitment(SEED))


@given(seeds, seeds)
def test_different_seeds_have_different_commitments(seed: str, other: str) -> None:
    """第十二条: the commitment binds the draw to one seed."""
    assume(seed != other)
    assert commitment(seed) != commitment(other)


# -- derive_seed -----------------------------------------------------------------------------------


def test_the_seed_is_the_hmac_of_the_activity_id_under_the_school_secret() -> None:
    """第十二条: the seed is secret until the draw, yet reproducible by the school."""
    expected = hmac.new(SECRET, b"activity-1", hashlib.sha256).hexdigest()
    assert expected == SEED
    assert is_hex64(SEED)


@given(secrets, st.text(min_size=1, max_size=40))
def test_the_seed_is_deterministic_per_secret_and_activity(secret: bytes, activity: str) -> None:
    """第十二条: re-deriving the seed from the school's secret and the activity id gives the
    committed one: the published format (HMAC-SHA256, lowercase hex), recomputed here
    independently of the library."""
    expected = hmac.new(secret, activity.encode("utf-8"), hashlib.sha256).hexdigest()
    assert derive_seed(secret, activity) == expected
    assert is_hex64(expected)


def test_a_known_secret_and_activity_give_a_fixed_seed_and_commitment() -> None:
    """第十二条: re-deriving months later gives the very seed committed at approval."""
    assert SEED == "862aacd7bcc7e3275f04be0404cc9faa45e45368d50952fe22898d640e209e68"
    assert commitment(SEED) == "4f9df8e48796368fff93f9d832f9f6189127dbefcab0b25a12ef4e0270be7f9a"


@given(secrets, st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_each_activity_gets_its_own_seed(secret: bytes, activity: str, other: str) -> None:
    """第十二条: one activity's revealed seed tells nothing of another's draw."""
    assume(activity != other)
    assert derive_seed(secret, activity) != derive_seed(secret, other)


def test_another_school_secret_gives_another_seed() -> None:
    """第十二条: the seed depends on the school's secret, not on the public id alone."""
    assert derive_seed(bytes(32), "activity-1") != SEED


# -- draw_winners ---------------------------------------------------------------------------------


def test_the_winners_follow_the_documented_ticket_rule() -> None:
    """第十二条: ticket = sha256(f"{seed}:{student_number}") hex; the ``capacity`` smallest
    tickets win; the winners are listed by student number."""
    tickets = {s: hashlib.sha256(f"{SEED}:{s}".encode()).hexdigest() for s in REGISTRANTS}
    by_ticket = sorted(REGISTRANTS, key=lambda s: tickets[s])
    expected = tuple(sorted(by_ticket[:3]))
    assert draw_winners(SEED, REGISTRANTS, 3) == expected
    assert all(ticket(SEED, s) == tickets[s] for s in REGISTRANTS)


def test_everyone_wins_when_there_are_no_more_registrants_than_seats() -> None:
    """第十二条: 按活动设定人数 — a draw with enough seats admits all."""
    assert draw_winners(SEED, REGISTRANTS[:4], 4) == REGISTRANTS[:4]
    assert draw_winners(SEED, REGISTRANTS[:4], 10) == REGISTRANTS[:4]


def test_nobody_wins_without_seats_or_without_registrants() -> None:
    """第十二条: zero seats or zero registrants draw nobody."""
    assert draw_winners(SEED, REGISTRANTS, 0) == ()
    assert draw_winners(SEED, REGISTRANTS, -1) == ()
    assert draw_winners(SEED, (), 5) == ()


def test_a_duplicated_registrant_holds_one_ticket() -> None:
    """第十二条: one registration, one chance."""
    assert draw_winners(SEED, (*REGISTRANTS, *REGISTRANTS), 3) == draw_winners(SEED, REGISTRANTS, 3)


def test_another_seed_draws_other_winners() -> None:
    """第十二条: 随机抽取 — the result depends on the seed."""
    other = derive_seed(SECRET, "activity-2")
    assert draw_winners(SEED, REGISTRANTS, 3) != draw_winners(other, REGISTRANTS, 3)


@given(seeds, registrant_sets, capacities)
def test_the_draw_is_deterministic(seed: str, registrants: set[str], capacity: int) -> None:
    """第十二条: anyone re-running the draw from the published format (the ``capacity``
    smallest sha256(seed:学号) tickets, listed by 学号) gets the same winners, whatever order
    the registrants are listed in and however often one is repeated."""
    tickets = {s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest() for s in registrants}
    expected = tuple(sorted(sorted(registrants, key=lambda s: (tickets[s], s))[:capacity]))
    listed = sorted(registrants, reverse=True)
    assert draw_winners(seed, registrants, capacity) == expected
    assert draw_winners(seed, listed + listed[:3], capacity) == expected


@pytest.mark.parametrize(
    ("capacity", "winners"),
    [
        (3, ("2023010105", "2023010106", "2023010109")),
        (5, ("2023010104", "2023010105", "2023010106", "2023010108", "2023010109")),
    ],
)
def test_a_known_seed_draws_fixed_winners(capacity: int, winners: tuple[str, ...]) -> None:
    """第十二条: a draw re-run anywhere, by any version, gives the recorded winners."""
    assert draw_winners(SEED, REGISTRANTS, capacity) == winners
    assert ticket(SEED, REGISTRANTS[0]) == (
        "e81963a8a99ace34f7b066b085ff0bba1272472205dfa28aa5ec58bf545191ce"
    )


@given(seeds, st.lists(student_numbers, max_size=25), capacities, st.randoms())
def test_the_draw_ignores_the_order_of_registration(
    seed: str, registrants: list[str], capacity: int, random: Random
) -> None:
    """第十二条: the draw is by lot, not by who registered first."""
    shuffled = list(registrants)
    random.shuffle(shuffled)
    assert draw_winners(seed, registrants, capacity) == draw_winners(seed, shuffled, capacity)


@given(seeds, registrant_sets, capacities)
def test_the_winners_are_distinct_sorted_registrants_as_many_as_the_seats_allow(
    seed: str, registrants: set[str], capacity: int
) -> None:
    """第十二条: 按活动设定人数随机抽取 — min(capacity, registrants) distinct winners."""
    winners = draw_winners(seed, registrants, capacity)
    assert set(winners) <= registrants
    assert len(set(winners)) == len(winners) == min(capacity, len(registrants))
    assert list(winners) == sorted(winners)


@given(seeds, registrant_sets, st.integers(0, 29))
def test_one_more_seat_keeps_every_winner(seed: str, registrants: set[str], capacity: int) -> None:
    """第十二条: the ranking is fixed by the seed; more seats only add winners."""
    assert set(draw_winners(seed, registrants, capacity)) <= set(
        draw_winners(seed, registrants, capacity + 1)
    )


# -- verify_draw --------------------------------------------------------------------------------


def true_draw(capacity: int = 3) -> tuple[str, str, tuple[str, ...], int, tuple[str, ...]]:
    """A published commitment, its seed, the registrants, the capacity and the winners."""
    return (
        commitment(SEED),
        SEED,
        REGISTRANTS,
        capacity,
        draw_winners(SEED, REGISTRANTS, capacity),
    )


def test_the_true_draw_verifies() -> None:
    """第十二条: the published record re-runs to the announced winners."""
    assert verify_draw(*true_draw())


def test_the_winners_may_be_listed_in_any_order() -> None:
    """第十二条: the winner set is what is verified."""
    published, seed, registrants, capacity, winners = true_draw()
    assert verify_draw(published, seed, registrants, capacity, tuple(reversed(winners)))


def test_a_seed_that_does_not_open_the_commitment_is_rejected() -> None:
    """第十二条: a draw re-run with a seed chosen afterwards is not the committed draw."""
    published, _seed, registrants, capacity, _winners = true_draw()
    other = derive_seed(SECRET, "activity-2")
    assert not verify_draw(
        published, other, registrants, capacity, draw_winners(other, registrants, capacity)
    )


def test_a_swapped_winner_is_rejected() -> None:
    """第十二条: the announced winners must be the drawn ones."""
    published, seed, registrants, capacity, winners = true_draw()
    loser = next(s for s in registrants if s not in winners)
    assert not verify_draw(published, seed, registrants, capacity, (*winners[1:], loser))


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w[1:],
        lambda w: (*w, "2099999999"),
        lambda w: (*w, w[0]),
    ],
    ids=["a winner dropped", "an outsider added", "a winner listed twice"],
)
def test_a_changed_winner_list_is_rejected(
    change: Callable[[tuple[str, ...]], tuple[str, ...]],
) -> None:
    """第十二条: exactly the drawn winners, no more, no fewer."""
    published, seed, registrants, capacity, winners = true_draw()
    assert not verify_draw(published, seed, registrants, capacity, change(winners))


@pytest.mark.parametrize("changed", [2, 4], ids=["one seat fewer", "one seat more"])
def test_a_changed_capacity_is_rejected(changed: int) -> None:
    """第十二条: 按活动设定人数 — the draw is for the published number of seats."""
    published, seed, registrants, _capacity, winners = true_draw(3)
    assert not verify_draw(published, seed, registrants, changed, winners)


def test_removing_a_winner_from_the_registrants_is_rejected() -> None:
    """第十二条: the draw is over the recorded registrants."""
    published, seed, registrants, capacity, winners = true_draw()
    fewer = tuple(s for s in registrants if s != winners[0])
    assert not verify_draw(published, seed, fewer, capacity, winners)


def test_adding_a_registrant_is_rejected_when_seats_were_left_over() -> None:
    """第十二条: with seats for all, an added registrant would have won too."""
    published, seed, registrants, _capacity, winners = true_draw(len(REGISTRANTS) + 1)
    assert not verify_draw(published, seed, (*registrants, "2099999999"), 11, winners)


def test_adding_a_registrant_who_would_have_won_is_rejected() -> None:
    """第十二条: the draw is over the recorded registrants."""
    published, seed, registrants, capacity, winners = true_draw()
    cutoff = max(ticket(seed, s) for s in winners)
    newcomer = next(n for n in (f"2099{i:06d}" for i in range(10_000)) if ticket(seed, n) < cutoff)
    assert not verify_draw(published, seed, (*registrants, newcomer), capacity, winners)


@given(seeds, registrant_sets, capacities)
def test_every_true_draw_verifies(seed: str, registrants: set[str], capacity: int) -> None:
    """第十二条: re-running any draw from its record confirms it."""
    winners = draw_winners(seed, registrants, capacity)
    assert verify_draw(commitment(seed), seed, registrants, capacity, winners)


@given(seeds, seeds, registrant_sets, capacities)
def test_a_draw_never_verifies_under_another_seed(
    seed: str, other: str, registrants: set[str], capacity: int
) -> None:
    """第十二条: only the committed seed opens the commitment."""
    assume(seed != other)
    winners = draw_winners(other, registrants, capacity)
    assert not verify_draw(commitment(seed), other, registrants, capacity, winners)


@given(seeds, registrant_sets, capacities, st.data())
def test_a_changed_winner_set_never_verifies(
    seed: str, registrants: set[str], capacity: int, data: st.DataObject
) -> None:
    """第十二条: any other winner set than the drawn one is rejected."""
    winners = draw_winners(seed, registrants, capacity)
    pool = sorted(registrants | {"2099999999"})
    forged = data.draw(st.sets(st.sampled_from(pool), max_size=len(pool)))
    assume(forged != set(winners))
    assert not verify_draw(commitment(seed), seed, registrants, capacity, sorted(forged))


@given(seeds, registrant_sets, capacities, capacities)
def test_a_changed_capacity_verifies_only_if_it_draws_the_same_winners(
    seed: str, registrants: set[str], capacity: int, changed: int
) -> None:
    """第十二条: a capacity other than the published one is rejected whenever it matters,
    i.e. unless both capacities cover every registrant."""
    winners = draw_winners(seed, registrants, capacity)
    same = min(max(capacity, 0), len(registrants)) == min(max(changed, 0), len(registrants))
    assert verify_draw(commitment(seed), seed, registrants, changed, winners) is same


@given(seeds, registrant_sets, capacities, student_numbers)
def test_an_added_or_removed_registrant_is_rejected_whenever_it_changes_the_draw(
    seed: str, registrants: set[str], capacity: int, someone: str
) -> None:
    """第十二条: verification re-runs the draw over the given registrants, so a registrant
    list that would have drawn other winners is rejected."""
    winners = draw_winners(seed, registrants, capacity)
    changed = registrants ^ {someone}  # added if absent, removed if present
    redrawn = draw_winners(seed, changed, capacity)
    verified = verify_draw(commitment(seed), seed, changed, capacity, winners)
    assert verified is (redrawn == winners)
    if someone in winners or len(registrants) < capacity:
        assert not verified
