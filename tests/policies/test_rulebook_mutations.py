"""Whole rulebooks, drawn from the packaged presets and mutated anywhere (issue 18): the nested
tables too — modules and their categories, review chains, bands, the integrity, results, claims,
cadre, practice, graduation and calendar tables, at any depth.

Validity round-trips: a mutated rulebook is either refused with ``rulebook.invalid`` and a
reason, or it loads, has no problems, and is written back exactly as it was read — every value
kept, none added or changed — and reads back equal to itself.
"""

from __future__ import annotations

import copy
import tomllib
from datetime import date, timedelta
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from second_classroom.core.errors import DomainError
from second_classroom.policies.rulebook import Rulebook, preset, presets
from tests.example_counts import examples

Path = tuple[str | int, ...]
JUNK = ["", " ", "a b", "x" * 70, "\x00", "零", "-1", "1e999"]
OTHER_TYPES: list[Any] = [
    "3",
    "true",
    3,
    0,
    True,
    1.5,
    [],
    [1],
    {},
    {"code": "x"},
    date(2027, 1, 1),
]


def unstructured(name: str) -> dict[str, Any]:
    """A preset as its TOML file holds it: nested tables and arrays of tables."""
    return tomllib.loads(preset(name).to_toml())


def nodes(value: Any, path: Path = ()) -> list[Path]:
    """The path of every value below ``value``: tables, arrays and leaves."""
    found: list[Path] = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += nodes(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += nodes(inner, (*path, index))
    return found


def strings(value: Any) -> set[str]:
    """Every text of the preset: codes one table names in another (a module in the rubric,
    a credit type in a cadre rule) then stay consistent often enough to load."""
    if isinstance(value, dict):
        return set().union(*map(strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(strings, value)) if value else set()
    return {value} if isinstance(value, str) else set()


def get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def put(data: Any, path: Path, new: Any) -> None:
    get(data, path[:-1])[path[-1]] = new


def load_or_refusal(data: dict[str, Any]) -> Rulebook | DomainError:
    """The rulebook ``data`` makes, or the DomainError refusing it (any other error fails)."""
    try:
        return Rulebook.from_toml(tomli_w.dumps(data))
    except DomainError as refused:
        return refused


@st.composite
def mutated_presets(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A preset with one to four values changed, tables and arrays included; now and then a
    value of another type (a text where a number is due, a table where a list is)."""
    name = draw(st.sampled_from(presets()))
    data = copy.deepcopy(unstructured(name))
    texts = sorted(strings(data))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(nodes(data)))
        value = get(data, path)
        if draw(st.integers(0, 9)) == 0:  # a value of another type: never coerced
            # a copy: a later change of this example must not edit the shared list's value
            put(data, path, copy.deepcopy(draw(st.sampled_from(OTHER_TYPES))))
        elif isinstance(value, bool):
            put(data, path, not value)
        elif isinstance(value, int):
            near = [0, 1, -1, value - 1, value + 1, value * 2, 10**7]
            put(data, path, draw(st.sampled_from(near) | st.integers(-5, 10**4)))
        elif isinstance(value, str):
            put(data, path, draw(st.sampled_from(texts + JUNK)))
        elif isinstance(value, date):
            put(data, path, value + timedelta(days=draw(st.integers(-400, 400))))
        elif isinstance(value, list) and value:
            index = draw(st.integers(0, len(value) - 1))
            change = draw(st.sampled_from(["drop", "repeat", "reverse", "clear"]))
            if change == "drop":
                del value[index]
            elif change == "repeat":
                value.insert(index, copy.deepcopy(value[index]))
            elif change == "reverse":
                value.reverse()
            else:
                value.clear()
        elif isinstance(value, dict) and value:
            key = draw(st.sampled_from(sorted(value)))  # a table loses one key: its default
            del value[key]
    return name, data


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(mutated_presets())
def test_a_mutated_preset_is_refused_with_a_reason_or_round_trips_exactly(
    mutated: tuple[str, dict[str, Any]],
) -> None:
    name, data = mutated
    rulebook = load_or_refusal(data)
    if isinstance(rulebook, DomainError):
        assert rulebook.code == "rulebook.invalid"
        assert str(rulebook.details["reason"]).strip()
        event(f"{name}: refused")
        return
    event(f"{name}: loaded")
    assert rulebook.problems() == []
    written = rulebook.to_toml()
    assert Rulebook.from_toml(written) == rulebook
    # a key the mutation removed comes back as its default; every other value as it was read
    assert as_read(tomllib.loads(written), data) == data


def as_read(written: Any, read: Any) -> Any:
    """``written`` restricted to the keys ``read`` has, at every depth (a removed key comes
    back written out as its default), and in the form ``read`` used where the rulebook
    documents two: a decimal given as a whole number is written as text ("3"), a date given
    as ISO text is written as a date, a level given as its well-known code as a table."""
    if isinstance(written, dict) and isinstance(read, dict):
        return {k: as_read(v, read[k]) for k, v in written.items() if k in read}
    if isinstance(written, list) and isinstance(read, list) and len(written) == len(read):
        return [as_read(w, r) for w, r in zip(written, read, strict=True)]
    if isinstance(read, int) and not isinstance(read, bool) and written == str(read):
        return read
    if isinstance(read, str) and isinstance(written, date) and written.isoformat() == read:
        return read
    if isinstance(read, str) and isinstance(written, dict) and written.get("code") == read:
        return read
    return written


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("hours", "per_day"), 3),  # a decimal as a whole number
        (("calendar",), [{"year": 2026, "holidays": ["2026-01-01"]}]),  # a date as ISO text
        (("activity_levels", 0), "school"),  # a level as its well-known code
    ],
)
def test_a_value_in_its_other_documented_form_is_written_in_the_canonical_one(
    path: Path, value: Any
) -> None:
    data = unstructured("nepu")
    put(data, path, value)
    rulebook = load_or_refusal(data)
    assert isinstance(rulebook, Rulebook)
    written = tomllib.loads(rulebook.to_toml())
    assert get(written, path) != value  # written in the canonical form ...
    assert as_read(written, data) == data  # ... which says the same


@pytest.mark.parametrize("name", presets())
def test_every_nested_table_of_a_preset_is_reached_by_the_mutations(name: str) -> None:
    """The mutations reach the nested tables, not only the top-level scalars: every table and
    array of tables of each preset has a path the strategy may draw."""
    data = unstructured(name)
    paths = nodes(data)
    tables = {p[0] for p in paths if len(p) > 1}
    assert tables == {k for k, v in data.items() if isinstance(v, dict | list) and v}
    assert max(len(p) for p in paths) >= 3  # e.g. modules[0].categories[1].code
    assert len(paths) > 100


@pytest.mark.parametrize("name", presets())
def test_a_preset_whose_nested_rows_are_repeated_or_dropped_still_validates_or_says_why(
    name: str,
) -> None:
    """Given each array of tables of a preset, when its first row is dropped, then the rulebook
    either loads and round-trips or is refused as ``rulebook.invalid`` with a reason — never
    another error."""
    data = unstructured(name)
    arrays = [p for p in nodes(data) if isinstance(get(data, p), list) and get(data, p)]
    assert arrays
    outcomes = set()
    for path in arrays:
        changed = copy.deepcopy(data)
        del get(changed, path)[0]
        rulebook = load_or_refusal(changed)
        if isinstance(rulebook, DomainError):
            assert rulebook.code == "rulebook.invalid", path
            assert rulebook.details["reason"], path
            outcomes.add("refused")
        else:
            assert Rulebook.from_toml(rulebook.to_toml()) == rulebook, path
            outcomes.add("loaded")
    assert outcomes == {"refused", "loaded"}  # both sides of validity are reached


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"name": 3}, "expected str, got int 3 @ $.activity_levels[2].name"),
        ({"code": 7}, "expected str, got int 7 @ $.activity_levels[2].code"),
        ({"name": True}, "expected str, got bool True @ $.activity_levels[2].name"),
        ({"extra": 1}, "extra fields found (extra) @ $.activity_levels[2]"),
    ],
)
def test_a_level_table_is_read_as_strictly_as_every_other_table(
    change: dict[str, Any], reason: str
) -> None:
    """Found by the property above: a level's table was structured by a function made before
    the strict hooks were registered, so ``name = 3`` was read as the text "3"."""
    data = unstructured("qtnu")
    data["activity_levels"][2].update(change)
    refused = load_or_refusal(data)
    assert isinstance(refused, DomainError)
    assert refused.code == "rulebook.invalid"
    assert refused.details["reason"] == reason
