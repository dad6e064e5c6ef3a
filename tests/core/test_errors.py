"""Every error code has a category (issue 11, 1) and is documented in docs/errors.md."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import second_classroom
from second_classroom import codec
from second_classroom.core.errors import NAIVE_TIME, Category, DomainError, ErrorCode, required

DOCS = Path(__file__).parents[2] / "docs" / "errors.md"


def _every_module() -> None:
    for module in pkgutil.walk_packages(second_classroom.__path__, "second_classroom."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _documented() -> dict[str, str]:
    """code -> category, as docs/errors.md lists them (a row under a category heading)."""
    found, category = {}, ""
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"### (\w+)", line)
        if heading:
            category = heading[1]
        row = re.match(r"\| `([a-z_.]+)` \|", line)
        if row and category:
            found[row[1]] = category
    return found


def test_every_error_code_in_the_catalogue_has_a_category() -> None:
    _every_module()
    assert len(ErrorCode.catalogue) > 100
    for code in ErrorCode.catalogue.values():
        assert isinstance(code.category, Category), code.code


def test_every_error_code_is_documented_with_its_category() -> None:
    _every_module()
    expected = {c.code: c.category.value for c in ErrorCode.catalogue.values()}
    documented = _documented()
    missing = [
        f"{category}: | `{code}` | {ErrorCode.catalogue[code].en} | … |"
        for code, category in sorted(expected.items())
        if documented.get(code) != category
    ]
    assert missing == [], "add these rows to docs/errors.md"
    assert documented.keys() == expected.keys(), "docs/errors.md lists codes that do not exist"


def test_a_code_without_a_category_cannot_be_defined() -> None:
    with pytest.raises(TypeError):
        ErrorCode("test.uncategorised", "无", "none")  # type: ignore[call-arg]


def test_the_error_json_carries_the_category() -> None:
    error = ErrorCode.catalogue["store.conflict"].error(attempts=8)
    assert isinstance(error, DomainError)
    assert error.category is Category.CONFLICT
    assert codec.error_to_json(error)["category"] == "conflict"


def test_required_gives_the_value_it_was_handed() -> None:
    assert required(0, NAIVE_TIME) == 0  # a falsy value is still a value
    assert required("学号", NAIVE_TIME) == "学号"


def test_required_refuses_none_with_its_code_and_details() -> None:
    with pytest.raises(DomainError) as refused:
        required(None, NAIVE_TIME, field="now")
    assert refused.value.code == "time.naive"
    assert refused.value.details["field"] == "now"
