"""The boundary every command passes (issue 11, 1): text free of control characters and within
its kind's length, identifiers NFKC-normalised and matching the rulebook's pattern, numbers,
amounts, times and activity hours bounded — for Python callers as for JSON ones."""

from __future__ import annotations

import math
import typing
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from second_classroom.aggregates.activity import (
    CancelActivity,
    ChangeActivityDetails,
    ChangeAwardPlan,
    DraftActivity,
)
from second_classroom.aggregates.checkin import CheckIn, Location, OpenCheckInSession
from second_classroom.aggregates.registration import DecideLeave, RequestLeave
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.core.text import Code, Name, PersonId, QuantityKind, TextKind
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import boundary, publishing
from second_classroom.policies.activity_form import AwardPlan, PlannedCredit
from second_classroom.policies.boundary import (
    _item_hints,
    admit,
    admit_actor,
    decimal_places,
    field_hints,
    forbidden_characters,
    identifier,
    kind_of,
    maximum_items,
)
from second_classroom.policies.rulebook import Limits, Rulebook, preset
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.example_counts import examples
from tests.specification import NOW, PE_ADMIN
from tests.valid_commands import COMMANDS, instances, replaced, text_paths

LIMITS = Limits()
TRIBE = ids.tribe_id("PE-SU")
ACTIVITY = ids.activity_id(TRIBE, "talk")


@pytest.fixture(autouse=True)
def _shapes_worked_out_afresh() -> None:
    """Each test works out the field shapes and hints itself: the boundary keeps them per
    hint and class for the process, and a test reading the kept ones would check only the
    first test's work (mutmut runs the tests once, then each mutant in a fork of that process:
    a mutant of ``_shape_of`` or ``field_hints`` would otherwise never run)."""
    boundary._SHAPES.clear()
    boundary._FIELDS.clear()
    boundary._HINTS.clear()


def refused(command: object, limits: Limits = LIMITS) -> DomainError:
    with pytest.raises(DomainError) as caught:
        admit(command, limits)
    return caught.value


def student(number: str, name: str = "王五") -> RegisterStudent:
    return RegisterStudent(number, name, "PE", "石工25-1班", 2025)


def _leaves(hint: Any, seen: set[type]) -> typing.Iterator[tuple[Any, Any]]:
    base, kind = kind_of(hint)
    if attrs.has(base):
        if base not in seen:
            seen.add(base)
            for field_hint in field_hints(base).values():
                yield from _leaves(field_hint, seen)
        return
    args = [a for a in typing.get_args(base) if a is not Ellipsis]
    if args:
        for arg in args:
            yield from _leaves(typing.Annotated[arg, kind] if kind else arg, seen)
        return
    yield base, kind


def test_every_text_and_amount_of_every_command_declares_its_kind() -> None:
    """A str field without a kind would get the default rules silently: declare each one."""
    undeclared = []
    for command in COMMANDS:
        for base, kind in _leaves(command, set()):
            if base is str and not isinstance(kind, TextKind):
                undeclared.append(command.__name__)
            if base is Decimal and not isinstance(kind, QuantityKind):
                undeclared.append(command.__name__)
    assert undeclared == []


commands = st.sampled_from(COMMANDS).flatmap(instances)


@settings(max_examples=examples(300), deadline=None)
@given(command=commands)
def test_a_valid_command_passes_unchanged(command: object) -> None:
    """Nothing to normalise: the very same command comes back (no copy of it or its lists)."""
    assert admit(command, LIMITS) is command


@settings(max_examples=examples(300), deadline=None)
@given(
    command=commands,
    data=st.data(),
    bad=st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\u202e", "\u2066", "\u200f"]),
)
def test_a_control_character_in_any_text_field_is_refused_naming_it(
    command: object, data: st.DataObject, bad: str
) -> None:
    """NUL, escapes, C1 controls, lone surrogates and bidi controls, in any text field of
    any command, are refused with the field's path."""
    paths = list(text_paths(command))
    assume(paths)  # a command without text fields has nothing to poison
    path = data.draw(st.sampled_from(paths))
    poisoned = replaced(command, path, f"20230101{bad}01")
    error = refused(poisoned)
    assert error.code == "text.control_character"
    assert error.details == {"path": path, "codepoint": f"{ord(bad):04X}"}


def test_line_breaks_are_text_in_reasons_but_not_in_names() -> None:
    assert admit(CancelActivity(ACTIVITY, "下雨\n改期"), LIMITS).reason == "下雨\n改期"
    assert refused(student("2025000001", "王\n五")).code == "text.control_character"


@pytest.mark.parametrize("look_alike", ["２０２５０００００１", "2025000001"])
def test_a_student_number_is_nfkc_normalised(look_alike: str) -> None:
    """Full-width digits name the same student as ASCII ones, never a second one."""
    assert admit(student(look_alike), LIMITS) == student("2025000001")


@pytest.mark.parametrize(
    ("look_alike", "code"),
    [
        ("2025000001\u200b", "text.control_character"),  # zero-width space
        ("\u200f2025000001", "text.control_character"),  # right-to-left mark
        ("2025\u2060000001", "text.control_character"),  # word joiner
        ("Т-001", "text.identifier_invalid"),  # Cyrillic Т
        ("2025 000001", "text.identifier_invalid"),
        ("", "text.identifier_invalid"),
    ],
)
def test_an_invisible_or_foreign_character_cannot_make_a_look_alike_student(
    look_alike: str, code: str
) -> None:
    error = refused(student(look_alike))
    assert error.code == code
    assert error.details["path"] == "$.student_number"


def test_tribe_codes_are_identifiers_too() -> None:
    command = CreateTribe("ＰＥ－ＣＨＥＳＳ", "象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
    assert admit(command, LIMITS).code == "PE-CHESS"
    bad = CreateTribe("PE-CHESS\u200d", "象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
    assert refused(bad).details["path"] == "$.code"


def test_the_identifier_pattern_comes_from_the_rulebook() -> None:
    digits_only = Limits(person_id_pattern=r"[0-9]{10}")
    assert admit(student("2025000001"), digits_only) == student("2025000001")
    assert refused(student("T-staff"), digits_only).code == "text.identifier_invalid"


@pytest.mark.parametrize(
    ("command", "path", "maximum"),
    [
        (student("2025000001", "王" * 101), "$.name", 100),
        (student("2" * 65), "$.student_number", 64),
        (CancelActivity(ACTIVITY, "因" * 2001), "$.reason", 2000),
        (ChangeActivityDetails(ACTIVITY, details="详" * 20_001), "$.details", 20_000),
        (DraftActivity(TRIBE, "talk", attrs.evolve(FORM, title="题" * 201)), "$.form.title", 200),
        (RequestLeave(ACTIVITY, "病", ("f" * 2049,)), "$.proofs[0]", 2048),
        (CheckIn(ACTIVITY, 1, token="t" * 65), "$.token", 64),
    ],
)
def test_every_kind_of_text_has_a_maximum_length(command: object, path: str, maximum: int) -> None:
    error = refused(command)
    assert error.code == "text.too_long"
    assert error.details == {"path": path, "maximum": maximum, "length": maximum + 1}


def test_a_length_of_exactly_the_maximum_is_accepted() -> None:
    assert admit(student("2025000001", "王" * 100), LIMITS).name == "王" * 100
    shorter = Limits(names=10)
    assert refused(student("2025000001", "王" * 11), shorter).details["maximum"] == 10


def plan(amount: Decimal | float) -> object:
    return ChangeAwardPlan(
        ACTIVITY,
        # a float is the wrong type the boundary must refuse (plan(2.5) below)
        AwardPlan(credits=(PlannedCredit("ideology", "学分", amount),)),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "amount", [Decimal("1E+999999"), Decimal("100.01"), Decimal("-1E+9"), Decimal("sNaN")]
)
def test_credit_amounts_are_bounded_by_the_rulebook(amount: Decimal) -> None:
    error = refused(plan(amount))
    assert error.code == "value.out_of_range"
    assert error.details["path"] == "$.plan.credits[0].amount"
    assert error.details["maximum"] == "100"


def test_the_largest_credit_amount_is_accepted() -> None:
    assert admit(plan(Decimal(100)), LIMITS) == plan(Decimal(100))


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (OpenCheckInSession(ACTIVITY, 10**12), "$.valid_minutes"),
        (OpenCheckInSession(ACTIVITY, 10, rotation_seconds=-(2**40)), "$.rotation_seconds"),
        (
            OpenCheckInSession(ACTIVITY, 10, opens_at=datetime(9999, 1, 1, tzinfo=SHANGHAI)),
            "$.opens_at",
        ),
        (CheckIn(ACTIVITY, 1, password="1", location=Location(math.nan, 1)), "$.location.latitude"),
        (
            CheckIn(ACTIVITY, 1, password="1", location=Location(1, math.inf)),
            "$.location.longitude",
        ),
    ],
)
def test_numbers_and_times_are_bounded_for_python_callers_too(command: object, path: str) -> None:
    error = refused(command)
    assert error.code == "value.out_of_range"
    assert error.details["path"] == path


def test_the_limits_load_from_toml_and_a_bad_pattern_is_refused() -> None:
    """Both presets carry the [limits] section, with the defaults (chosen by us)."""
    assert preset("nepu").limits == Limits()
    assert preset("hfut").limits == Limits()
    assert Rulebook.from_toml(preset("nepu").to_toml()) == preset("nepu")
    with pytest.raises(DomainError) as caught:
        attrs.evolve(preset("nepu"), limits=Limits(person_id_pattern="[0-9"))
    assert caught.value.code == "rulebook.invalid"


def test_an_activity_longer_than_the_rulebook_allows_is_refused() -> None:
    """学时 come from the activity's length, so the length is bounded (limits)."""
    assert FORM.starts_at is not None
    long = attrs.evolve(FORM, ends_at=FORM.starts_at + timedelta(hours=745))
    fits = attrs.evolve(FORM, ends_at=FORM.starts_at + timedelta(hours=744))
    host = publishing.Host("石油工程学院学生会", TribeLevel.COLLEGE, "石油工程学院", "PE")
    too_long = publishing.check_form(preset("nepu"), long, host, None)
    assert [v.code.code for v in too_long] == ["activity.duration_too_long"]
    assert publishing.check_form(preset("nepu"), fits, host, None) == []


def test_execute_applies_the_boundary_to_python_commands_and_stores_nothing() -> None:
    with SecondClassroom.in_memory() as service:
        before = service.app.recorder.max_notification_id()
        bad = CreateTribe("PE-CHESS", "象\x00棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
        with pytest.raises(DomainError) as caught:
            service.execute(bad, PE_ADMIN, NOW)
        assert caught.value.code == "text.control_character"
        assert service.app.recorder.max_notification_id() == before


def test_a_full_width_student_number_reaches_the_same_student() -> None:
    with SecondClassroom.in_memory() as service:
        service.execute(student("2025000001"), PE_ADMIN, NOW)
        again = service.execute_json(
            {"type": "RegisterStudent", "student_number": "２０２５０００００１", "name": "王五"}
            | {"college": "PE", "class_name": "石工25-1班", "cohort": 2025},
            PE_ADMIN,
            NOW,
        )
        assert again == {"type": "Outcome", "events": []}  # the same student: nothing new
        look_alike = service.execute_json(
            {"type": "RegisterStudent", "student_number": "2025000001\u200b", "name": "王五"}
            | {"college": "PE", "class_name": "石工25-1班", "cohort": 2025},
            PE_ADMIN,
            NOW,
        )
        assert look_alike["code"] == "text.control_character"
        # Reads take the same canonical form: the student finds their record by either.
        own = Actor.student("2025000001")
        assert service.student("２０２５０００００１", own) == service.student("2025000001", own)
        assert service.student("2025000001", own) is not None
        with pytest.raises(DomainError) as caught:
            service.student("2025000001\u200b", own)
        assert caught.value.code == "text.control_character"


def test_a_query_argument_is_normalised_and_checked_like_a_command_field() -> None:
    assert identifier("２０２５０００００１", TextKind.PERSON_ID, LIMITS) == "2025000001"
    with pytest.raises(DomainError) as caught:
        identifier("2025000001\u200b", TextKind.PERSON_ID, LIMITS, "$.student_number")
    assert caught.value.details["path"] == "$.student_number"


@pytest.mark.parametrize(
    ("command", "path"),
    # each ignore is a wrong type the boundary must refuse, as it would one from JSON
    [
        (DecideLeave(ACTIVITY, "2023010101", "false", "同意"), "$.approve"),  # type: ignore[arg-type]
        (CreateTribe(123, "象棋社", TribeKind.CLUB, TribeLevel.COLLEGE), "$.code"),  # type: ignore[arg-type]
        (CreateTribe("PE-CHESS", None, TribeKind.CLUB, TribeLevel.COLLEGE), "$.name"),  # type: ignore[arg-type]
        (CreateTribe("PE-CHESS", "象棋社", "club", TribeLevel.COLLEGE), "$.kind"),  # type: ignore[arg-type]
        (RequestLeave(ACTIVITY, "病", "病假条"), "$.proofs"),  # type: ignore[arg-type]
        (OpenCheckInSession(str(ACTIVITY), 10), "$.activity_id"),  # type: ignore[arg-type]
        (OpenCheckInSession(ACTIVITY, 10.5), "$.valid_minutes"),  # type: ignore[arg-type]
        (OpenCheckInSession(ACTIVITY, True), "$.valid_minutes"),
        (plan(2.5), "$.plan.credits[0].amount"),
    ],
)
def test_a_python_caller_s_wrong_type_is_malformed_as_from_json(command: object, path: str) -> None:
    """mypy catches these in typed code; the boundary catches them for everyone else."""
    error = refused(command)
    assert error.code == "command.malformed"
    assert error.details["path"] == path


def test_numbers_of_the_numeric_tower_are_fine_for_python_callers() -> None:
    assert admit(plan(2), LIMITS) == plan(2)
    location = CheckIn(ACTIVITY, 1, password="1", location=Location(46, 125))
    assert admit(location, LIMITS) == location


BAD_ACTOR_IDS = [
    ("２０２４００００００", "text.identifier_invalid"),  # NFKC would change it: refused
    ("2024\x00", "text.control_character"),
    ("\u202e2024000000", "text.control_character"),
    ("2024000000\u200b", "text.control_character"),
    ("9" * 1_000_000, "text.too_long"),
    ("\udc00", "text.control_character"),
    ("", "text.identifier_invalid"),
    ("T x", "text.identifier_invalid"),
]


@pytest.mark.parametrize(("person_id", "code"), BAD_ACTOR_IDS)
def test_an_actor_id_passes_the_boundary_as_a_student_number_does(
    person_id: str, code: str
) -> None:
    """Given an actor whose id is not a canonical 学号/工号 (full width, NUL, an RTL mark, a
    megabyte, a lone surrogate), when it executes a command or reads, then the answer is a
    ``text.*`` code naming ``$actor.person_id`` and nothing is stored (the id would be stored in
    every event it causes)."""
    with SecondClassroom.in_memory() as service:
        before = service.app.recorder.max_notification_id()
        for actor in (Actor.student(person_id), Actor.school_admin(person_id)):
            bad = CreateTribe("PE-CHESS", "象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
            with pytest.raises(DomainError) as caught:
                service.execute(bad, actor, NOW)
            assert (caught.value.code, caught.value.details["path"]) == (code, "$actor.person_id")
            reply = service.execute_json(
                {"type": "ApplyToTribe", "tribe_id": str(ACTIVITY)}, actor, NOW
            )
            assert reply["code"] == code
            with pytest.raises(DomainError) as caught:
                service.student("2024000000", actor)
            assert caught.value.code == code
        assert service.app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "actor",
    [
        None,
        "2024000000",
        2024000000,
        Actor(2024000000),  # type: ignore[arg-type]  # a wrong type to refuse
        Actor("T-1", frozenset({"admin"})),  # type: ignore[arg-type]  # a wrong type to refuse
        Actor("T-1", frozenset({Role(RoleKind.COLLEGE_ADMIN, "PE\x00")})),
    ],
)
def test_an_actor_of_the_wrong_shape_is_refused_with_a_code(actor: Any) -> None:
    with SecondClassroom.in_memory() as service:
        bad = CreateTribe("PE-CHESS", "象棋社", TribeKind.CLUB, TribeLevel.COLLEGE, "PE")
        with pytest.raises(DomainError) as caught:
            service.execute(bad, actor, NOW)
        assert caught.value.code in ("command.malformed", "text.control_character")
        with pytest.raises(DomainError) as read:
            service.student("2024000000", actor)
        # A read is refused as the command is: the actor never reaches the rules.
        assert read.value.code == caught.value.code


@settings(max_examples=examples(200), deadline=None)
@given(person_id=st.text(max_size=80))
def test_any_actor_id_is_admitted_exactly_when_canonical_and_matching(person_id: str) -> None:
    """Property: an actor id is admitted iff it is already NFKC, free of control and format
    characters, and matches the rulebook's pattern; otherwise a ``text.*`` code, never an
    exception."""
    import re
    import unicodedata

    expected = (
        unicodedata.normalize("NFKC", person_id) == person_id
        and re.fullmatch(LIMITS.person_id_pattern, person_id) is not None
    )
    if expected:
        admit_actor(Actor.student(person_id), LIMITS)
    else:
        with pytest.raises(DomainError) as caught:
            admit_actor(Actor.student(person_id), LIMITS)
        assert caught.value.code.startswith("text.")


def test_a_list_longer_than_the_rulebook_allows_is_refused_before_its_items_are_read() -> None:
    """Given 100,000 proofs (a 4 MB event once) or 200,000 tags, when the command is admitted,
    then ``value.too_many`` names the list; the rulebook's ``items`` and ``people`` are the
    bounds, and a list of exactly the bound passes."""
    from second_classroom.aggregates.results import GrantCredits

    many = refused(RequestLeave(ACTIVITY, "病", ("病假条",) * 100_000))
    assert many.code == "value.too_many"
    assert many.details == {"path": "$.proofs", "maximum": LIMITS.items, "count": 100_000}
    tags = attrs.evolve(FORM, tags=("x",) * 200_000)
    assert refused(DraftActivity(TRIBE, "talk", tags)).details["path"] == "$.form.tags"
    assert admit(RequestLeave(ACTIVITY, "病", ("x",) * LIMITS.items), LIMITS)
    everyone = tuple(f"2025{n:06d}" for n in range(LIMITS.people + 1))
    assert refused(GrantCredits(ACTIVITY, everyone)).details == {
        "path": "$.students",
        "maximum": LIMITS.people,
        "count": LIMITS.people + 1,
    }
    assert admit(GrantCredits(ACTIVITY, everyone[:-1]), LIMITS)
    tight = Limits(items=2)
    assert refused(RequestLeave(ACTIVITY, "病", ("a", "b", "c")), tight).code == "value.too_many"


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        (Decimal("2.5"), True),
        (Decimal("0.25"), True),
        (Decimal("2.50000"), True),  # trailing zeros add no precision
        (Decimal("1E+2"), True),
        (Decimal("0.125"), False),
        (Decimal("1e-999999"), False),  # was stored; every view showed 0
        (Decimal("1.0000000000000000000000000000001"), False),  # beyond 28 digits, exactly
    ],
)
def test_a_credit_amount_has_at_most_the_rulebook_s_decimal_places(
    amount: Decimal, ok: bool
) -> None:
    """Given a credit amount, when admitted, then it passes with at most ``credit_places``
    (2) decimal places and is ``value.too_precise`` beyond — for Python callers; JSON callers
    cannot write an exponent at all (the codec's plain notation)."""
    if ok:
        assert admit(plan(amount), LIMITS) == plan(amount)
    else:
        error = refused(plan(amount))
        assert error.code == "value.too_precise"
        assert error.details == {"path": "$.plan.credits[0].amount", "places": 2}
    assert refused(plan(Decimal("0.5")), Limits(credit_places=0)).code == "value.too_precise"


@settings(max_examples=examples(200), deadline=None)
@given(amount=st.decimals(-100, 100, allow_nan=False, allow_infinity=False))
def test_any_credit_amount_is_admitted_exactly_when_it_rounds_to_itself(amount: Decimal) -> None:
    """Property: an amount passes iff quantizing it to two places changes nothing."""
    fits = amount == amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    if fits:
        admit(plan(amount), LIMITS)
    else:
        assert refused(plan(amount)).code == "value.too_precise"


def refused_actor(actor: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        admit_actor(actor, LIMITS)
    return caught.value


def admitted_actor(actor: object) -> bool:
    """Whether ``admit_actor`` lets ``actor`` through (it refuses by raising)."""
    try:
        admit_actor(actor, LIMITS)
    except DomainError:
        return False
    return True


@pytest.mark.parametrize(
    ("actor", "path", "reason"),
    [
        (None, "$actor", "expected Actor, got NoneType"),
        ("2024000000", "$actor", "expected Actor, got str"),
        (Actor(2024000000), "$actor.person_id", "expected str, got int"),  # type: ignore[arg-type]
        (Actor(None), "$actor.person_id", "expected str, got NoneType"),  # type: ignore[arg-type]
        (Actor("T-1", frozenset({"admin"})), "$actor.roles", "expected a Role, got str"),  # type: ignore[arg-type]
        (
            Actor("T-1", frozenset({Role("college_admin", "PE")})),  # type: ignore[arg-type]
            "$actor.roles",
            "expected a Role, got str",
        ),
        (
            Actor("T-1", frozenset({Role(RoleKind.COLLEGE_ADMIN, 7)})),  # type: ignore[arg-type]
            "$actor.roles[].scope",
            "expected str, got int",
        ),
    ],
)
def test_an_actor_of_the_wrong_shape_names_what_is_wrong_where(
    actor: object, path: str, reason: str
) -> None:
    """The actor comes from the frontend's sign-in: a wrong shape is ``command.malformed``
    naming the part of the actor, in both languages."""
    error = refused_actor(actor)
    assert error.code == "command.malformed"
    assert error.details["path"] == path
    assert error.details["reason"] == f"{path}: {reason}"
    assert error.details["reason_zh"].startswith(f"{path}：应为 ")


def test_a_well_formed_actor_with_scoped_roles_is_admitted() -> None:
    tribe_leader = Role(RoleKind.TRIBE_LEADER, str(TRIBE))
    actor = Actor("2024000000", frozenset({Role.student(), tribe_leader}))
    assert admitted_actor(actor)
    assert admitted_actor(Actor.college_admin("T-1", "PE"))


def test_an_actor_role_scope_is_checked_as_a_code() -> None:
    error = refused_actor(Actor("T-1", frozenset({Role(RoleKind.COLLEGE_ADMIN, "PE\x00")})))
    assert error.code == "text.control_character"
    assert error.details == {"path": "$actor.roles[].scope", "codepoint": "0000"}
    long = Actor("T-1", frozenset({Role(RoleKind.COLLEGE_ADMIN, "P" * (LIMITS.ids + 1))}))
    assert refused_actor(long).code == "text.too_long"


def test_a_query_argument_is_refused_at_the_root_path_unless_told_otherwise() -> None:
    with pytest.raises(DomainError) as caught:
        identifier("2024 000", TextKind.PERSON_ID, LIMITS)
    assert (caught.value.code, caught.value.details) == ("text.identifier_invalid", {"path": "$"})


@pytest.mark.parametrize(
    ("hint", "maximum"),
    [
        (tuple[str, ...], LIMITS.items),
        (tuple[Name, ...], LIMITS.items),
        (tuple[PersonId, ...], LIMITS.people),  # lists of 学号/工号
        (frozenset[PersonId], LIMITS.people),
        (frozenset[Code], LIMITS.items),
        (frozenset, LIMITS.items),
        (tuple[float, float], None),  # a pair is no list
    ],
)
def test_a_list_s_bound_depends_on_what_it_lists(hint: Any, maximum: int | None) -> None:
    limits = Limits(items=7, people=9)
    expected = {LIMITS.items: 7, LIMITS.people: 9, None: None}[maximum]
    assert maximum_items(hint, limits) == expected


@pytest.mark.parametrize(
    ("amount", "places"),
    [
        ("2.50", 1),
        ("0.125", 3),
        ("1.01", 2),
        ("10.10", 1),
        ("-0.10", 1),
        ("1.000", 0),
        ("0.0", 0),
        ("100", 0),
        ("1E+2", 0),
        ("1E-3", 3),
        ("NaN", 0),
        ("Infinity", 0),
    ],
)
def test_the_decimal_places_an_amount_needs(amount: str, places: int) -> None:
    """Trailing zeros add no precision; an exponent counts (value.too_precise reads this)."""
    assert decimal_places(Decimal(amount)) == places


def test_a_fixed_length_tuple_checks_each_item_by_its_own_hint() -> None:
    assert _item_hints(tuple[str, ...], 3) == [str, str, str]
    assert _item_hints(frozenset[int], 2) == [int, int]
    assert _item_hints(tuple[float, str], 2) == [float, str]
    # a pair given the wrong number of items: each item is checked as anything
    assert _item_hints(tuple[float, str], 3) == [Any, Any, Any]


def test_the_shapes_worked_out_once_never_hold_a_rulebooks_limits() -> None:
    """Given a command class whose field shapes the boundary has already worked out, when
    the rulebook's limits change (a school shortens names to 3 characters) and change back,
    then each check follows the limits it is given: refused under the short limit, admitted
    again under the default one (issue 11 §1; the per-hint shapes cache types, not limits)."""
    command = RegisterStudent("2025001", "欧阳明月", "PE", "石工25-1班", 2025)
    assert admit(command, LIMITS) is command
    with pytest.raises(DomainError) as refused:
        admit(command, attrs.evolve(LIMITS, names=3))
    assert refused.value.code == "text.too_long"
    assert refused.value.details["path"] == "$.name"
    assert admit(command, LIMITS) is command


PROBES = {
    "\n": "a line break",
    "\t": "a tab",
    "\x00": "NUL",
    "\x85": "a C1 control",
    "\u202e": "a right-to-left override (Trojan Source)",
    "\u200b": "a zero-width space (a format character)",
    "\u00ad": "a soft hyphen (a format character)",
}
FORMAT = {"\u200b", "\u00ad"}


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (TextKind.NAME, FORMAT),
        (TextKind.TITLE, FORMAT),
        (TextKind.PROOF, FORMAT),
        (TextKind.DETAIL, {"\n", "\t", *FORMAT}),
        (TextKind.REASON, {"\n", "\t", *FORMAT}),
        (TextKind.PERSON_ID, set()),
        (TextKind.TRIBE_CODE, set()),
        (TextKind.CODE, set()),
    ],
)
def test_the_schema_forbids_exactly_what_the_boundary_refuses(
    kind: TextKind, allowed: set[str]
) -> None:
    """The JSON schema's pattern of a text field (schema.py) is this character class: line
    breaks and tabs only in multi-line text, format characters in no identifier or code,
    controls and bidirectional overrides nowhere; and the boundary refuses the same."""
    import re

    forbidden = re.compile(forbidden_characters(kind))
    for probe, what in PROBES.items():
        assert (forbidden.fullmatch(probe) is None) is (probe in allowed), (kind, what)
    assert forbidden.fullmatch("a") is None
    assert forbidden.fullmatch("学") is None
    assert forbidden.pattern.startswith("[")
    assert forbidden.pattern.endswith("]")
    for probe in PROBES.keys() - allowed:
        with pytest.raises(DomainError) as caught:
            identifier(f"P{probe}", kind, LIMITS)
        assert caught.value.code == "text.control_character"


def test_the_student_numbers_of_a_list_are_normalised_each() -> None:
    """Given 发放学分 to a list of 学号, some typed full width, when admitted, then every 学号 of
    the list is in its canonical form; a list with nothing to normalise is kept as it is."""
    from second_classroom.aggregates.results import GrantCredits

    canonical = ("2025000001", "2025000002")
    for typed in (
        ("２０２５０００００１", "２０２５０００００２"),
        ("２０２５０００００１", "2025000002"),
    ):
        admitted = admit(GrantCredits(ACTIVITY, typed), LIMITS)
        assert admitted == GrantCredits(ACTIVITY, canonical)
    already = GrantCredits(ACTIVITY, canonical)
    assert admit(already, LIMITS) is already


@attrs.frozen
class Roll:
    """A command-shaped value holding a set of 学号 (no command has one yet; the boundary
    walks any attrs class)."""

    people: frozenset[PersonId]


def test_a_set_of_student_numbers_stays_a_set_once_normalised() -> None:
    admitted = admit(Roll(frozenset({"２０２５０００００１", "2025000002"})), LIMITS)
    assert admitted == Roll(frozenset({"2025000001", "2025000002"}))
    assert type(admitted.people) is frozenset


INT_RANGE = {"minimum": "-2147483648", "maximum": "2147483647"}
YEAR_RANGE = {"minimum": "1970", "maximum": "2199"}


def _opens(year: int, month: int = 1, day: int = 1) -> OpenCheckInSession:
    return OpenCheckInSession(ACTIVITY, 10, opens_at=datetime(year, month, day, tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    ("inside", "outside", "path", "bounds"),
    [
        (
            OpenCheckInSession(ACTIVITY, 10, rotation_seconds=-(2**31)),
            OpenCheckInSession(ACTIVITY, 10, rotation_seconds=-(2**31) - 1),
            "$.rotation_seconds",
            INT_RANGE,
        ),
        (
            OpenCheckInSession(ACTIVITY, 2**31 - 1),
            OpenCheckInSession(ACTIVITY, 2**31),
            "$.valid_minutes",
            INT_RANGE,
        ),
        (_opens(1970), _opens(1969, 12, 31), "$.opens_at", YEAR_RANGE),
        (_opens(2199, 12, 31), _opens(2200), "$.opens_at", YEAR_RANGE),
        (
            plan(Decimal(-100)),
            plan(Decimal("-100.01")),
            "$.plan.credits[0].amount",
            {"minimum": "-100", "maximum": "100"},
        ),
    ],
    ids=["lowest int", "highest int", "first year", "last year", "lowest credit"],
)
def test_a_number_exactly_at_its_bound_is_admitted_and_one_step_past_is_not(
    inside: object, outside: object, path: str, bounds: dict[str, str]
) -> None:
    """Bounds are inclusive (core.text: ±2^31 for whole numbers, the years 1970-2199, the
    rulebook's max_credit either way); the refusal names the field and both bounds."""
    assert admit(inside, LIMITS) is inside
    error = refused(outside)
    assert error.code == "value.out_of_range"
    assert error.details == {"path": path, **bounds}


@pytest.mark.parametrize(
    ("location", "path"),
    [
        (Location(math.nan, 1), "$.location.latitude"),
        (Location(1, -math.inf), "$.location.longitude"),
    ],
)
def test_a_coordinate_that_is_no_number_is_out_of_an_unbounded_range(
    location: Location, path: str
) -> None:
    """A float has no bound but finiteness: NaN and ±∞ are refused naming -∞ to ∞."""
    error = refused(CheckIn(ACTIVITY, 1, password="1", location=location))
    assert error.code == "value.out_of_range"
    assert error.details == {"path": path, "minimum": "-∞", "maximum": "∞"}


@attrs.frozen
class Note:
    """A command-shaped value whose text declares no kind (every command's does: see
    test_every_text_and_amount_of_every_command_declares_its_kind)."""

    text: str


def test_text_without_a_declared_kind_is_held_to_a_name() -> None:
    """A text field that declares no kind is checked as a name: one line, the rulebook's
    ``names`` long."""
    assert admit(Note("王" * 100), LIMITS) == Note("王" * 100)
    error = refused(Note("王" * 101))
    assert error.code == "text.too_long"
    assert error.details == {"path": "$.text", "maximum": 100, "length": 101}
    assert refused(Note("王\n五")).code == "text.control_character"


@attrs.frozen
class Remark:
    """A command-shaped value whose field carries an annotation that cannot be hashed (a
    list): the boundary cannot keep its shape, and works it out each time."""

    author: typing.Annotated[str, TextKind.PERSON_ID, ["unhashable"]]


def test_a_field_whose_hint_cannot_be_kept_is_still_checked_by_its_kind() -> None:
    """Given a field declared a 学号 with an unhashable annotation beside the kind, when it
    is admitted, then it is NFKC-normalised and bounded as any 学号 is."""
    assert admit(Remark("２０２５０００００１"), LIMITS) == Remark("2025000001")
    error = refused(Remark("2" * 65))
    assert error.code == "text.too_long"
    assert error.details == {"path": "$.author", "maximum": 64, "length": 65}


def _unchecked(hint: Any, seen: set[type]) -> typing.Iterator[str]:
    shape = boundary._shape_of(hint)
    if attrs.has(shape.base):
        if shape.base not in seen:
            seen.add(shape.base)
            for field_hint in field_hints(shape.base).values():
                yield from _unchecked(field_hint, seen)
    elif shape.container is not None:
        for arg in shape.args:
            if arg is not Ellipsis:
                yield from _unchecked(arg, seen)
    elif shape.base is Any or shape.base in (tuple, frozenset):
        yield repr(hint)  # any value, or items of any kind
    elif not isinstance(shape.base, type):
        yield repr(hint)


def test_every_field_of_every_command_has_a_shape_the_boundary_type_checks() -> None:
    """The boundary type-checks a field of one class (``X``, ``X | None``, ``Annotated``) and
    walks tuples and frozensets item by item; a union of several classes or another container
    (a list, a dict), ``Any`` or a bare ``tuple`` would let its values or items through
    unchecked: no command declares one."""
    unchecked = [found for command in COMMANDS for found in _unchecked(command, set())]
    assert unchecked == []
    # the walk sees what it should refuse
    assert list(_unchecked(int | str, set())) == ["int | str"]
    assert list(_unchecked(list[str], set())) == ["list[str]"]
    assert list(_unchecked(Anything, set())) == ["typing.Any"]
    assert list(_unchecked(tuple, set())) == ["<class 'tuple'>"]
    assert list(_unchecked(tuple[PersonId, ...], set())) == []


def test_a_number_a_form_asks_for_is_bounded_as_a_whole_number_not_as_a_credit() -> None:
    """002 二 6) 自定义需要获取的报名同学信息: a number a student answers (a height, a score) is
    no credit: above the rulebook's largest credit and with three decimals it is admitted, up
    to ±(2^31 - 1); beyond, or not finite, it is ``value.out_of_range`` naming those bounds."""
    from second_classroom.aggregates.registration import Register
    from second_classroom.policies.registration_questions import Answer

    def answering(number: Decimal) -> Register:
        return Register(ACTIVITY, (Answer("height", number=number),))

    for fine in (Decimal("170.125"), Decimal(2**31 - 1), Decimal(-(2**31) + 1)):
        command = answering(fine)
        assert admit(command, LIMITS) is command
    bounds = {"minimum": "-2147483647", "maximum": "2147483647"}
    for beyond in (Decimal(2**31), Decimal("-Infinity")):
        error = refused(answering(beyond))
        assert error.code == "value.out_of_range"
        assert error.details == {"path": "$.answers[0].number", **bounds}


@attrs.frozen
class Corner:
    """A command-shaped value holding a pair (no command has one yet)."""

    at: tuple[float, Name]


@pytest.mark.parametrize("items", [(1.0, "东门", "多"), (1.0,), ()], ids=["three", "one", "none"])
def test_a_pair_given_the_wrong_number_of_items_is_malformed(items: tuple[Any, ...]) -> None:
    """As from JSON: a pair holds two items; a third would go unchecked (it has no hint of
    its own), a missing one unnoticed."""
    error = refused(Corner(items))
    assert error.code == "command.malformed"
    assert error.details["path"] == "$.at"
    assert error.details["reason"] == f"$.at: expected 2 items, got {len(items)}"
    assert error.details["reason_zh"] == f"$.at：应为 2 项，收到 {len(items)} 项"


def test_a_pair_checks_each_item_by_its_own_hint() -> None:
    fine = Corner((1.5, "东门"))
    assert admit(fine, LIMITS) is fine
    error = refused(Corner((1.5, "东\x00门")))
    assert (error.code, error.details) == (
        "text.control_character",
        {"path": "$.at[1]", "codepoint": "0000"},
    )
    wrong = refused(Corner(("1.5", "东门")))  # type: ignore[arg-type]
    assert (wrong.code, wrong.details["path"]) == ("command.malformed", "$.at[0]")


@attrs.frozen
class Anything:
    """A command-shaped value whose field is declared ``Any`` (no command has one)."""

    value: Any


@pytest.mark.parametrize("value", [3, 2.5, "王五", None, (1, "a"), frozenset({"b"})])
def test_a_field_declared_any_takes_any_value_even_none(value: Any) -> None:
    """``Any`` is what the boundary gives an item it has no hint for (a bare ``tuple``'s):
    any value passes its type check (it was a TypeError: ``Any`` is a class since Python
    3.11, and ``isinstance(3, Any)`` raises)."""
    command = Anything(value)
    assert admit(command, LIMITS) is command


def test_a_field_declared_any_still_holds_its_text_to_a_name() -> None:
    error = refused(Anything("王\x00五"))
    assert (error.code, error.details) == (
        "text.control_character",
        {"path": "$.value", "codepoint": "0000"},
    )


def test_only_identifiers_are_normalised_other_text_is_kept_as_typed() -> None:
    """NFKC applies to 学号/工号, tribe codes and codes' look-alikes; a name keeps its
    full-width letters and circled numbers as the student typed them."""
    typed = student("2025000001", "王五ＡＢ①")
    assert admit(typed, LIMITS) is typed


def test_an_id_that_nfkc_leaves_alone_is_kept_as_the_very_same_text() -> None:
    """Given a school whose ids may carry combining accents, when an id NFKC has to look at
    twice (a combining acute on x, which has no composed form) is admitted, then the command
    comes back itself: nothing was normalised, so nothing is copied."""
    accents = Limits(person_id_pattern=r"[A-Za-z\u0300-\u036f]{1,64}")
    command = student("Tx\u0301")
    assert admit(command, accents) is command


@attrs.frozen
class Either:
    """A command-shaped value whose field is of two classes (no command has one)."""

    value: int | str


def test_a_required_field_of_two_classes_given_nothing_names_both() -> None:
    error = refused(Either(None))  # type: ignore[arg-type]
    assert error.code == "command.malformed"
    assert error.details["reason"] == "$.value: expected int | str, got NoneType"


def test_a_hint_annotated_without_a_kind_declares_none() -> None:
    """``Annotated`` may carry other notes than a kind: the kind is then None, the base kept."""
    assert kind_of(typing.Annotated[str, "a note"]) == (str, None)
    assert kind_of(typing.Annotated[str, "a note", TextKind.CODE]) == (str, TextKind.CODE)
    assert kind_of(PersonId) == (str, TextKind.PERSON_ID)
    assert kind_of(int) == (int, None)
