"""补录 rules as data (``[claims]``): chains, windows, caps and the section's own checks.

Seed 001 (川工科〔2023〕156号) 第四条: 学生干部积分补录 in October–November; 第五条: 个人成长积分
补录 in February–March; 第三条: a collective claim's last approval waits for the 附件4 list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from second_classroom.core.actor import RoleKind
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.claim_rules import (
    ClaimCap,
    ClaimChain,
    ClaimKind,
    ClaimsRule,
    ClaimStep,
    StepRole,
    StepScope,
    academic_year,
)

COUNSELOR = ClaimStep("辅导员审核", RoleKind.COUNSELOR, StepScope.COLLEGE)
PUBLICITY = ClaimStep("团总支公示", RoleKind.LEAGUE_SECRETARY, StepScope.COLLEGE, publicity=True)
CENTER = ClaimStep("二课中心认定", RoleKind.CENTER)
ADVISOR_OR_SECRETARY = ClaimStep(
    "团总支/指导老师审核",
    RoleKind.ADVISOR,
    StepScope.TRIBE,
    alternates=(StepRole(RoleKind.LEAGUE_SECRETARY, StepScope.COLLEGE),),
)
# 001 第四条: cadre claims October–November
CADRE = ClaimChain(ClaimKind.CADRE, (COUNSELOR, PUBLICITY, CENTER), first_month=10, last_month=11)
# 001 第五条: personal claims February–March
PERSONAL = ClaimChain(ClaimKind.PERSONAL, (COUNSELOR, CENTER), first_month=2, last_month=3)
COLLECTIVE = ClaimChain(ClaimKind.COLLECTIVE, (ADVISOR_OR_SECRETARY, CENTER), list_import=True)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# -- a step and its deciders ----------------------------------------------------------------------


def test_a_step_is_decided_by_its_role_first_then_its_alternates() -> None:
    """001 附件2: one step signed by the 团总支 or the 指导老师, whichever the tribe answers to."""
    assert ADVISOR_OR_SECRETARY.deciders == (
        StepRole(RoleKind.ADVISOR, StepScope.TRIBE),
        StepRole(RoleKind.LEAGUE_SECRETARY, StepScope.COLLEGE),
    )
    assert CENTER.deciders == (StepRole(RoleKind.CENTER, StepScope.SCHOOL),)
    assert StepRole(RoleKind.CENTER).scope is StepScope.SCHOOL
    assert (CENTER.scope, CENTER.publicity, CENTER.alternates) == (StepScope.SCHOOL, False, ())


def test_the_role_kinds_are_every_decider_of_every_chain() -> None:
    rule = ClaimsRule((CADRE, COLLECTIVE))
    assert rule.role_kinds() == {
        RoleKind.COUNSELOR,
        RoleKind.LEAGUE_SECRETARY,
        RoleKind.CENTER,
        RoleKind.ADVISOR,
    }
    assert ClaimsRule().role_kinds() == frozenset()


def test_a_kind_without_a_chain_is_not_offered() -> None:
    rule = ClaimsRule((CADRE, PERSONAL))
    assert rule.chain(ClaimKind.CADRE) is CADRE
    assert rule.chain(ClaimKind.PERSONAL) is PERSONAL
    assert rule.chain(ClaimKind.COLLECTIVE) is None


def test_the_section_defaults() -> None:
    """003: 公示 five working days; the 附件4 template bounds (a zip bomb refused unzipped)."""
    rule = ClaimsRule()
    assert rule.chains == ()
    assert rule.caps == ()
    assert rule.publicity_working_days == 5
    assert (rule.template_max_bytes, rule.template_max_unzipped_bytes) == (
        10_000_000,
        200_000_000,
    )
    assert rule.template_max_rows == 20_000
    assert not COLLECTIVE.has_window
    assert not CADRE.list_import


# -- windows (001 第四、五条) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        (shanghai(2026, 9, 30, 23, 59), False),
        (shanghai(2026, 10, 1), True),  # the first day of the first month
        (shanghai(2026, 11, 30, 23, 59), True),  # the last minute of the last month
        (shanghai(2026, 12, 1), False),
        # 2026-09-30 16:30 UTC is already 1 October in Shanghai
        (datetime(2026, 9, 30, 16, 30, tzinfo=UTC), True),
        (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), False),  # 1 December in Shanghai
    ],
)
def test_the_cadre_window_is_october_to_november_by_the_shanghai_date(
    now: datetime, open_: bool
) -> None:
    """001 第四条: 学生干部积分补录 each October–November."""
    assert CADRE.has_window
    assert CADRE.window_open(now) is open_


def test_a_kind_without_months_is_open_all_year() -> None:
    for month in range(1, 13):
        assert COLLECTIVE.window_open(shanghai(2026, month, 15))
    assert not COLLECTIVE.has_window


def test_half_a_window_is_no_window() -> None:
    """A chain with only a first or only a last month has no window (and the section refuses
    it, below): it is open all year rather than half-read."""
    only_first = attrs.evolve(PERSONAL, last_month=None)
    only_last = attrs.evolve(PERSONAL, first_month=None)
    for chain in (only_first, only_last):
        assert not chain.has_window
        assert chain.window_open(shanghai(2026, 7, 1))


@pytest.mark.parametrize(
    ("now", "first", "last"),
    [
        # inside the window: this year's
        (shanghai(2026, 2, 1), date(2026, 2, 1), date(2026, 3, 31)),
        (shanghai(2026, 3, 31, 23, 59), date(2026, 2, 1), date(2026, 3, 31)),
        # before it: this year's, still to come
        (shanghai(2026, 1, 10), date(2026, 2, 1), date(2026, 3, 31)),
        # after it: next year's
        (shanghai(2026, 4, 1), date(2027, 2, 1), date(2027, 3, 31)),
        (shanghai(2026, 12, 31), date(2027, 2, 1), date(2027, 3, 31)),
    ],
)
def test_the_window_around_a_moment_is_this_years_or_else_the_next(
    now: datetime, first: date, last: date
) -> None:
    """001 第五条: 个人成长积分补录 each February–March."""
    assert PERSONAL.window_around(now) == (first, last)


def test_a_february_window_ends_on_the_29th_in_a_leap_year() -> None:
    february = attrs.evolve(PERSONAL, first_month=1, last_month=2)
    assert february.window_around(shanghai(2028, 1, 5)) == (date(2028, 1, 1), date(2028, 2, 29))
    assert february.window_around(shanghai(2027, 1, 5)) == (date(2027, 1, 1), date(2027, 2, 28))


def test_a_window_around_needs_a_window() -> None:
    with pytest.raises(AssertionError):
        COLLECTIVE.window_around(shanghai(2026, 6, 1))
    with pytest.raises(AssertionError):
        attrs.evolve(PERSONAL, last_month=None).window_around(shanghai(2026, 6, 1))


# -- the academic year (003: caps per 学年) --------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (shanghai(2026, 9, 1), 2026),
        (shanghai(2026, 8, 31, 23, 59), 2025),
        (shanghai(2027, 1, 1), 2026),
        # 2026-08-31 16:00 UTC is 1 September in Shanghai
        (datetime(2026, 8, 31, 16, 0, tzinfo=UTC), 2026),
    ],
)
def test_the_academic_year_starts_in_september_in_shanghai(moment: datetime, year: int) -> None:
    assert academic_year(moment) == year


# -- problems: what makes the section unusable ---------------------------------------------


def test_a_consistent_section_has_no_problem() -> None:
    cap = ClaimCap("创新创业", "创新学分", Decimal("0"))
    assert ClaimsRule((CADRE, PERSONAL, COLLECTIVE), caps=(cap,)).problems() == []


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (ClaimsRule((CADRE, CADRE)), "claims: a claim kind has two chains"),
        (
            ClaimsRule((attrs.evolve(CADRE, steps=()),)),
            "claims: the cadre chain has no step",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, list_import=True),)),
            "claims: list_import is for collective claims, not personal",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, steps=(COUNSELOR, PUBLICITY)),)),
            "claims: the personal chain ends in a 公示, no step confirms it",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, last_month=None),)),
            "claims: the personal window needs first and last month",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, first_month=None),)),
            "claims: the personal window needs first and last month",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, first_month=0, last_month=3),)),
            "claims: the personal window months must rise within 1-12",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, first_month=4, last_month=3),)),
            "claims: the personal window months must rise within 1-12",
        ),
        (
            ClaimsRule((attrs.evolve(PERSONAL, first_month=11, last_month=13),)),
            "claims: the personal window months must rise within 1-12",
        ),
        (ClaimsRule(publicity_working_days=0), "claims: publicity_working_days must be ≥ 1"),
        (
            ClaimsRule(template_max_bytes=0),
            "claims: the template, list and batch limits must be ≥ 1",
        ),
        (
            ClaimsRule(template_max_unzipped_bytes=0),
            "claims: the template, list and batch limits must be ≥ 1",
        ),
        (
            ClaimsRule(template_max_rows=0),
            "claims: the template, list and batch limits must be ≥ 1",
        ),
        (ClaimsRule(max_participants=0), "claims: the template, list and batch limits must be ≥ 1"),
        (
            ClaimsRule(publicity_batch_max=0),
            "claims: the template, list and batch limits must be ≥ 1",
        ),
        (
            ClaimsRule(caps=(ClaimCap("创新创业", "创新学分", Decimal("-0.5")),)),
            "claims: a cap amount must be a number ≥ 0",
        ),
        (
            ClaimsRule(caps=(ClaimCap("创新创业", "创新学分", Decimal("NaN")),)),
            "claims: a cap amount must be a number ≥ 0",
        ),
    ],
)
def test_an_inconsistent_section_names_its_problem(rule: ClaimsRule, problem: str) -> None:
    assert rule.problems() == [problem]


def test_the_boundaries_of_the_section_are_accepted() -> None:
    """One-month windows at either end of the year, a one-day 公示, limits of 1, a cap of 0,
    and a collective chain that imports its list."""
    rule = ClaimsRule(
        (
            attrs.evolve(PERSONAL, first_month=1, last_month=1),
            attrs.evolve(CADRE, first_month=12, last_month=12),
            COLLECTIVE,
        ),
        publicity_working_days=1,
        template_max_bytes=1,
        template_max_unzipped_bytes=1,
        template_max_rows=1,
        caps=(ClaimCap("创新创业", "创新学分", Decimal("0")),),
    )
    assert rule.problems() == []


def test_every_problem_is_reported_at_once() -> None:
    rule = ClaimsRule(
        (attrs.evolve(CADRE, steps=(), first_month=5, last_month=None),),
        publicity_working_days=0,
    )
    assert rule.problems() == [
        "claims: the cadre chain has no step",
        "claims: the cadre window needs first and last month",
        "claims: publicity_working_days must be ≥ 1",
    ]
