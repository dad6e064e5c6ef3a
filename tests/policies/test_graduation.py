"""毕业要求 as data (``[graduation]``): seed 003 makes 创新创业学分 a graduation requirement; the
section names only modules and credit types the school has, once each, with positive amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from second_classroom.policies.graduation import GraduationRule, Requirement

MODULES = ("创新创业", "志愿公益")
CREDIT_TYPES = ("创新学分", "第二课堂学分")
INNOVATION = Requirement("创新创业", "创新学分", Decimal("2"))


def test_no_requirement_is_a_usable_section() -> None:
    """A school that sets no credit requirement to graduate."""
    assert GraduationRule().requirements == ()
    assert GraduationRule().problems(MODULES, CREDIT_TYPES) == []


def test_known_modules_and_types_with_positive_amounts_are_accepted() -> None:
    """003: 创新创业学分 is required; a tiny amount is still above zero."""
    rule = GraduationRule((INNOVATION, Requirement("志愿公益", "第二课堂学分", Decimal("0.01"))))
    # any iterables, read once each (generators included)
    assert rule.problems(iter(MODULES), iter(CREDIT_TYPES)) == []


@pytest.mark.parametrize(
    ("requirements", "problems"),
    [
        (
            (INNOVATION, Requirement("创新创业", "创新学分", Decimal("1"))),
            ["graduation: a module and credit type is required twice"],
        ),
        (
            (Requirement("体育", "创新学分", Decimal("1")),),
            ["graduation: no module '体育'"],
        ),
        (
            (Requirement("创新创业", "体育学分", Decimal("1")),),
            ["graduation: no credit type '体育学分'"],
        ),
        (
            (Requirement("创新创业", "创新学分", Decimal("0")),),
            ["graduation: the 创新创业 amount must be > 0"],
        ),
        (
            (Requirement("创新创业", "创新学分", Decimal("-1")),),
            ["graduation: the 创新创业 amount must be > 0"],
        ),
        (
            (Requirement("创新创业", "创新学分", Decimal("Infinity")),),
            ["graduation: the 创新创业 amount must be > 0"],
        ),
        (
            (Requirement("创新创业", "创新学分", Decimal("NaN")),),
            ["graduation: the 创新创业 amount must be > 0"],
        ),
        (
            (Requirement("体育", "体育学分", Decimal("0")),),
            [
                "graduation: no module '体育'",
                "graduation: no credit type '体育学分'",
                "graduation: the 体育 amount must be > 0",
            ],
        ),
    ],
)
def test_an_unusable_section_names_every_problem(
    requirements: tuple[Requirement, ...], problems: list[str]
) -> None:
    assert GraduationRule(requirements).problems(MODULES, CREDIT_TYPES) == problems


def test_the_same_module_with_another_credit_type_is_no_repeat() -> None:
    rule = GraduationRule((INNOVATION, Requirement("创新创业", "第二课堂学分", Decimal("1"))))
    assert rule.problems(MODULES, CREDIT_TYPES) == []
