"""The read-side boundary (issue 11 §5): every public read of the facade checks its arguments
before anything loads — types, the actor, times, text — so whatever a frontend passes, the
answer is a result or a ``DomainError`` with a code, never a Python exception."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.stores import popo_env
from second_classroom.service import SecondClassroom
from tests.read_world import VERIFY_URL, World
from tests.specification import NOW, SCHOOL_ADMIN
from tests.stores import TEST_SECRET

NOT_READS = {
    *("open", "sqlite", "postgres", "in_memory", "close", "execute", "execute_json", "batch"),
    "first_use_dated",  # dates the secret's first use in its block: reads nothing
}
READS = sorted(
    name
    for name in vars(SecondClassroom)
    if not name.startswith("_")
    and name not in NOT_READS
    and inspect.isfunction(getattr(SecondClassroom, name))
)


def test_every_public_read_passes_the_read_side_boundary() -> None:
    """One helper guards them all: a read added without it fails here."""
    unguarded = [
        name for name in READS if not hasattr(getattr(SecondClassroom, name), "__wrapped__")
    ]
    assert unguarded == []
    assert {"student", "activity_board", "mark_delivered", "verify_transcript"} <= set(READS)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        yield World(service)


WRONG: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    # (read, args, kwargs, code) — each once raised a Python exception
    ("activity_board", (SCHOOL_ADMIN,), {"college": "\ud800"}, "text.control_character"),
    ("activity_board", (SCHOOL_ADMIN,), {"module": ["M1"]}, "query.invalid"),
    ("leaderboard", (SCHOOL_ADMIN,), {"by": ["college"]}, "query.invalid"),
    ("audit_log", (SCHOOL_ADMIN,), {"event": {"x": 1}}, "query.invalid"),
    ("roster", ("not a uuid", SCHOOL_ADMIN), {}, "query.invalid"),
    ("student", (2024000001, SCHOOL_ADMIN), {}, "query.invalid"),
    ("transcript", (123, SCHOOL_ADMIN), {}, "query.invalid"),
    ("my_activities", ("2024000001", SCHOOL_ADMIN, "2026-11-23T09:00+08:00"), {}, "time.invalid"),
    ("my_activities", ("2024000001", SCHOOL_ADMIN, None), {}, "time.invalid"),
    (
        "overdue_results",
        (SCHOOL_ADMIN, datetime(9999, 1, 1, tzinfo=SHANGHAI)),
        {},
        "value.out_of_range",
    ),
    ("student", ("2024000001", None), {}, "command.malformed"),
    ("student", ("2024000001", "T-school"), {}, "command.malformed"),
    ("check_in_code", (UUID(int=1), 2**70, SCHOOL_ADMIN, NOW), {}, "value.out_of_range"),
    ("outbox", (SCHOOL_ADMIN,), {"limit": "10"}, "query.invalid"),
    ("mark_delivered", ("notice", NOW), {"actor": Actor.system()}, "query.invalid"),
    ("run_reactions", ("now",), {}, "time.invalid"),
]


@pytest.mark.parametrize("document", [None, 7, [], {"content": {}, "proof": 5}, "\ud800"])
def test_the_verification_reads_answer_malformed_rather_than_refuse(
    world: World, document: Any
) -> None:
    """查证入口 (第四条): whatever a visitor hands over, the answer is a verdict, never an error
    (issue 11 §7: malformed inputs answer ``malformed``)."""
    assert world.service.verify_transcript(document).status.value == "malformed"
    assert world.service.verify_credential(document).status.value == "malformed"


@pytest.mark.parametrize(("read", "args", "kwargs", "code"), WRONG, ids=lambda v: str(v)[:30])
def test_a_wrong_argument_to_a_read_is_a_coded_error(
    world: World, read: str, args: tuple[Any, ...], kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        getattr(world.service, read)(*args, **kwargs)
    assert caught.value.code == code


def test_mark_delivered_takes_its_actor() -> None:
    """Without an actor it once ran as the system; now the actor is required."""
    parameter = inspect.signature(SecondClassroom.mark_delivered).parameters["actor"]
    assert parameter.default is inspect.Parameter.empty


def _anything(world: World) -> st.SearchStrategy[Any]:
    """Any value a frontend might pass: junk of every type, and the world's real values."""
    real = st.sampled_from(
        [
            world.me,
            world.other,
            SCHOOL_ADMIN,
            Actor.system(),
            world.me.person_id,
            world.talk,
            world.serial,
            "PE",
            "2026-12",
            "college",
            "student",
            VERIFY_URL,
            1,
            NOW,
        ]
    )
    junk = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=30),
        st.binary(max_size=8),
        st.lists(st.text(max_size=5), max_size=3),
        st.uuids(),
        st.datetimes(),
        st.datetimes(timezones=st.just(SHANGHAI)),
        st.builds(Actor.student, st.text(max_size=12)),
    )
    return st.one_of(real, junk)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_arguments_to_any_public_read_give_a_result_or_a_domain_error(
    world: World, data: st.DataObject
) -> None:
    """Property: for every public read and any argument values, the read answers or raises a
    ``DomainError`` (verify_* with documents are the 查证入口's own tests)."""
    name = data.draw(st.sampled_from(READS), label="read")
    parameters = list(inspect.signature(getattr(SecondClassroom, name)).parameters.values())
    kwargs = {
        p.name: data.draw(_anything(world), label=p.name) for p in parameters if p.name != "self"
    }
    try:
        getattr(world.service, name)(**kwargs)
    except DomainError as error:
        refused = error
        assert refused.code


def test_junk_to_the_view_reads_leaves_the_views_answering(service: SecondClassroom) -> None:
    """On each store (PostgreSQL: an error inside the database would abort the views'
    transaction), junk is refused before SQL and the next read answers."""
    cases: list[tuple[object, str]] = [
        ("\ud800", "text.control_character"),
        ("PE\x00", "text.control_character"),
        (["PE"], "query.invalid"),
        ({"PE": 1}, "query.invalid"),
        (7, "query.invalid"),
        ("x" * 10_000, "text.too_long"),
    ]
    for junk, code in cases:
        # each ignore: junk of the wrong type, which the read must refuse
        reads: list[Callable[[], object]] = [
            functools.partial(service.activity_board, SCHOOL_ADMIN, college=junk),  # type: ignore[arg-type]
            functools.partial(service.leaderboard, SCHOOL_ADMIN, module=junk),  # type: ignore[arg-type]
            functools.partial(service.audit_log, SCHOOL_ADMIN, by=junk),  # type: ignore[arg-type]
            functools.partial(service.monthly_report, junk, SCHOOL_ADMIN),  # type: ignore[arg-type]
        ]
        for read in reads:
            with pytest.raises(DomainError) as refused:
                read()
            assert refused.value.code == code, (junk, read)
    assert list(service.activity_board(SCHOOL_ADMIN)) == []
    assert list(service.audit_log(SCHOOL_ADMIN)) == []
