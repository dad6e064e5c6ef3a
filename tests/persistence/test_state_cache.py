"""The state cache: own writes are trusted without a re-read; another process's writes are
seen at the next check of the log, by queries and by commands alike."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import activity, tribe
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.tribe import (
    AppointTribeRole,
    CreateTribe,
    RemoveTribeRole,
    TribeRole,
)
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence import state_cache
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.changes import Loaded
from second_classroom.persistence.state_cache import StateCache
from second_classroom.persistence.stores import sqlite_env
from second_classroom.service import SecondClassroom
from tests.enrolment_world import (
    REGISTERING,
    UNION,
    approved_activity,
    found_school,
)
from tests.example_counts import examples
from tests.specification import NOW, PE_ADMIN
from tests.spies import count_calls
from tests.stores import TEST_SECRET

STREAM = uuid.UUID(int=1)


def loaded(version: int, stream: uuid.UUID = STREAM) -> Loaded[str]:
    return Loaded(stream, version, f"v{version}")


# -- the cache on its own -----------------------------------------------------------------------


def test_own_writes_advance_the_watermark_even_when_they_finish_out_of_order() -> None:
    cache = StateCache(10, watermark=100)
    cache.recorded([102, 103])  # a later transaction reported first
    assert cache.watermark == 100
    cache.recorded([101])
    assert cache.watermark == 103


def test_a_foreign_write_evicts_its_stream_and_an_own_write_does_not() -> None:
    ours, theirs = uuid.UUID(int=2), uuid.UUID(int=3)
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1, ours), cache.generation)
    cache.put(loaded(1, theirs), cache.generation)
    cache.recorded([2])  # position 1 is not ours: the watermark stays
    cache.caught_up(2, [(1, theirs, 2), (2, ours, 1)])
    assert cache.get(ours) == loaded(1, ours)
    assert cache.get(theirs) is None
    assert cache.watermark == 2


def test_a_state_read_before_an_eviction_is_not_put_back() -> None:
    cache = StateCache(10, watermark=0)
    generation = cache.generation  # a load from the store starts here
    cache.caught_up(1, [(1, STREAM, 1)])  # meanwhile another process wrote the stream
    cache.put(loaded(1), generation)
    assert cache.get(STREAM) is None


def test_a_write_that_raced_an_eviction_of_its_stream_drops_the_older_cached_state() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    generation = cache.generation  # our append of version 2 starts
    cache.caught_up(1, [(1, STREAM, 3)])  # another process wrote versions 2 and 3 meanwhile
    cache.put(loaded(2), generation)  # (ours failed: that write took version 2)
    assert cache.get(STREAM) is None  # neither version 1 nor 2: the store has version 3


def test_an_eviction_of_another_stream_keeps_a_write_that_raced_it() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    generation = cache.generation  # our append of version 2 starts
    cache.caught_up(1, [(1, uuid.UUID(int=7), 1)])  # an unrelated eviction meanwhile
    cache.put(loaded(2), generation)
    assert cache.get(STREAM) == loaded(2)  # kept: a hot stream is not read again


def test_once_too_many_evictions_are_remembered_every_earlier_state_counts_as_evicted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(state_cache, "EVICTIONS_KEPT", 2)
    cache = StateCache(10, watermark=0)
    generation = cache.generation  # a load of STREAM starts
    cache.caught_up(3, [(n, uuid.UUID(int=10 + n), 1) for n in (1, 2, 3)])
    cache.put(loaded(1), generation)
    assert cache.get(STREAM) is None
    cache.put(loaded(1), cache.generation)
    assert cache.get(STREAM) == loaded(1)


def test_a_foreign_write_one_version_ahead_is_folded_onto_the_cached_state() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    foreign = cache.caught_up(
        2, [(1, STREAM, 2), (2, STREAM, 3)], lambda cached, _position: loaded(cached.version + 1)
    )
    assert cache.get(STREAM) == loaded(3)
    assert foreign == {STREAM}


def test_a_foreign_write_that_cannot_be_followed_evicts_its_stream() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    cache.caught_up(1, [(1, STREAM, 2)], lambda _cached, _position: None)
    assert cache.get(STREAM) is None


def test_a_foreign_write_more_than_one_version_ahead_evicts_without_following() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    followed: list[int] = []
    cache.caught_up(1, [(1, STREAM, 3)], lambda c, position: followed.append(position))
    assert cache.get(STREAM) is None
    assert followed == []


def test_an_older_version_never_replaces_a_newer_one() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(5), cache.generation)
    cache.put(loaded(4), cache.generation)
    assert cache.get(STREAM) == loaded(5)


def test_a_write_the_cached_state_already_holds_evicts_nothing() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(3), cache.generation)  # read from the store after the write at 1
    cache.caught_up(1, [(1, STREAM, 3)])
    assert cache.get(STREAM) == loaded(3)


def test_a_reset_forgets_everything() -> None:
    cache = StateCache(10, watermark=0)
    cache.put(loaded(1), cache.generation)
    cache.reset(7)
    assert cache.get(STREAM) is None
    assert cache.watermark == 7
    cache.put(loaded(2), cache.generation)
    assert cache.get(STREAM) == loaded(2)


def test_a_full_cache_drops_the_least_recently_used_stream() -> None:
    """Given a cache of two streams, when a third is put after the first was read again, then
    the second (the least recently used) is dropped and the other two are kept."""
    first, second, third = (uuid.UUID(int=n) for n in (1, 2, 3))
    cache = StateCache(2, watermark=0)
    cache.put(loaded(1, first), cache.generation)
    cache.put(loaded(1, second), cache.generation)
    assert cache.get(first) == loaded(1, first)  # now the most recently used
    cache.put(loaded(1, third), cache.generation)
    assert cache.get(second) is None
    assert cache.get(first) == loaded(1, first)
    assert cache.get(third) == loaded(1, third)
    assert len(cache) == 2


def test_comparing_versions_is_no_use_of_a_cached_state() -> None:
    """Given a cache of two streams, the first put first, when the log shows a write the first
    already holds and an older read of it is put, then neither makes it the most recently used:
    a third stream drops the first, as if neither had happened."""
    first, second, third = (uuid.UUID(int=n) for n in (1, 2, 3))
    cache = StateCache(2, watermark=0)
    cache.put(loaded(2, first), cache.generation)
    cache.put(loaded(1, second), cache.generation)
    cache.caught_up(1, [(1, first, 2)])  # ``first`` holds it already: kept as it was
    cache.put(loaded(1, first), cache.generation)  # older than what is cached: not kept
    cache.put(loaded(1, third), cache.generation)
    assert cache.get(first) is None
    assert (cache.get(second), cache.get(third)) == (loaded(1, second), loaded(1, third))


def test_size_zero_keeps_nothing() -> None:
    cache = StateCache(0, watermark=0)
    cache.put(loaded(1), cache.generation)
    assert not cache.enabled
    assert cache.get(STREAM) is None


# -- two processes on one store ----------------------------------------------------------------


def test_a_query_sees_another_process_write(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, there = two_services
    found_school(here, 1)
    before = here._load.tribe(UNION.tribe_id)  # cached here
    there.execute(
        AppointTribeRole(UNION.tribe_id, "2024000000", TribeRole.ORGANIZER), PE_ADMIN, NOW
    )
    seen = here._load.tribe(UNION.tribe_id)
    assert seen != before
    assert seen == there._load.tribe(UNION.tribe_id)


def test_a_command_decides_on_another_process_write_without_a_conflict(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, there = two_services
    first, second = found_school(here, 2)
    full = approved_activity(here, "one-seat", capacity=1)
    assert here._load.activity(full) is not None  # cached here with the seat free
    there.execute(Register(full), Actor.student(first), REGISTERING)
    appends = count_calls(here.app, "stage")
    with pytest.raises(DomainError) as refused:
        here.execute(Register(full), Actor.student(second), REGISTERING)
    assert refused.value.code == "activity.capacity_full"
    assert appends == []  # decided on the fresh ledger, not on a stale one and a retry


def test_own_writes_are_not_read_back(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    here, _there = two_services
    numbers = found_school(here, 3)
    hot = approved_activity(here, "hot", capacity=10)
    here._load.activity(hot)
    reads = count_calls(here.app.recorder, "select_events")
    here.execute(Register(hot), Actor.student(numbers[0]), REGISTERING)
    here.execute(Register(hot), Actor.student(numbers[1]), REGISTERING)
    state = here._load.activity(hot)
    assert state is not None
    assert len(state.roster.admitted) == 2
    # Only the new enrolment streams are read (and found empty); the activity, the host
    # tribe and the student records come from the cache.
    assert len(reads) <= 2 * 2


CLUB = CreateTribe("PE-PHOTO", "石油工程学院摄影社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
TRIBES = (UNION.tribe_id, CLUB.tribe_id)
PEOPLE = ("2024000000", "2024000001", "2024000002")
STEPS = st.lists(
    st.tuples(
        st.booleans(),
        st.sampled_from(["appoint", "remove"]),
        st.sampled_from(TRIBES),
        st.sampled_from(PEOPLE),
        st.sampled_from(list(TribeRole)),
    ),
    max_size=12,
)


def refusal(service: SecondClassroom, command: object) -> str | None:
    """The code refusing ``command`` by the college admin, or None if it was accepted."""
    try:
        service.execute(command, PE_ADMIN, NOW)
    except DomainError as refused:
        return refused.code
    return None


@settings(max_examples=examples(25), deadline=None)
@given(STEPS)
def test_caches_of_two_processes_always_agree_with_the_store(
    steps: list[tuple[bool, str, uuid.UUID, str, TribeRole]],
) -> None:
    """Several people, every role, two tribes, written from either process in any order."""
    env = sqlite_env(f"file:agree_{uuid.uuid4().hex}?mode=memory&cache=shared")
    with (
        SecondClassroom.open(env, secret=TEST_SECRET) as a,
        SecondClassroom.open(env, secret=TEST_SECRET) as b,
    ):
        found_school(a, len(PEOPLE))
        b.execute(CLUB, PE_ADMIN, NOW)
        for on_a, action, tribe_id, person, role in steps:
            writer = a if on_a else b
            command = AppointTribeRole if action == "appoint" else RemoveTribeRole
            code = refusal(writer, command(tribe_id, person, role))
            # Removing what is not held is the one refusal (and stores nothing).
            assert code is None or (command, code) == (RemoveTribeRole, "tribe.role_not_held")
            with SecondClassroomApplication(env) as fresh:
                truths = {t: fresh.load(tribe.DECIDER, t) for t in TRIBES}
            for tribe_id_ in TRIBES:
                assert a.app.load(tribe.DECIDER, tribe_id_) == truths[tribe_id_]
                assert b.app.load(tribe.DECIDER, tribe_id_) == truths[tribe_id_]
            assert a.app.load(activity.DECIDER, uuid.UUID(int=9)).state is None


def test_another_process_write_on_a_cached_stream_is_folded_not_read_again(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    """Given an activity cached here; when another process admits a student to it; then
    the next load here has that registration, equal to a load from the store, without
    reading the activity's stream again (its event came with the look at the log)."""
    here, there = two_services
    first, second = found_school(here, 2)
    hot = approved_activity(here, "hot", capacity=5)
    assert here._load.activity(hot) is not None  # cached here
    there.execute(Register(hot), Actor.student(first), REGISTERING)
    reads = count_calls(here.app.recorder, "select_events")
    seen = here._load.activity(hot)
    assert reads == []
    assert seen is not None
    assert first in seen.roster.admitted
    with SecondClassroomApplication(here.app.env) as fresh:
        assert here.app.load(activity.DECIDER, hot) == fresh.load(activity.DECIDER, hot)
    here.execute(Register(hot), Actor.student(second), REGISTERING)
    after = there._load.activity(hot)
    assert after is not None
    assert set(after.roster.admitted) == {first, second}


def test_a_conflict_leaves_the_cached_state_to_be_brought_up_to_date(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    """Given an activity cached in both processes; when both register a student on the
    same version (there's write stored first), here's write conflicts and is decided
    again on the state with there's registration folded in — no reload of the stream."""
    here, there = two_services
    first, second = found_school(here, 2)
    hot = approved_activity(here, "contended", capacity=5)
    assert here._load.activity(hot) is not None
    assert there._load.activity(hot) is not None
    original = here.app.refresh
    raced: list[bool] = []

    def refresh_then_race() -> None:
        original()
        if not raced:  # after here's look at the log, before its write: there writes
            raced.append(True)
            there.execute(Register(hot), Actor.student(first), REGISTERING)

    here.app.refresh = refresh_then_race  # type: ignore[method-assign]
    reads = count_calls(here.app.recorder, "select_events")
    here.execute(Register(hot), Actor.student(second), REGISTERING)
    state = here._load.activity(hot)
    assert raced == [True]
    assert state is not None
    assert set(state.roster.admitted) == {first, second}
    assert all(args[0] != hot for args in reads)  # type: ignore[index]
