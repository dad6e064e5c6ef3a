"""补录 windows as a notice gives them: dates, or N working days under the school's calendar.

Seed 001 (川工科〔2023〕156号) 第四条: 由第二课堂指导与服务中心发布通知，收集名单，在每年10月至
11月统一进行积分补录，学生应在规定时间内上报信息资料，由自身原因导致积分未补录成功的，将不再
重新补录; 第五条: 在每年2月至3月发布积分补录通知. The months are the seed's; a notice's own dates
(``claims.chains.windows``) narrow them, and a window of working days skips holidays.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from second_classroom.aggregates.claim import FileCadreClaim, ReviewClaim
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import Rulebook
from tests.claim_world import CENTER, run, with_claims
from tests.specification import at

# 第四条's cadre collection, announced by a notice: 30 September and 3 working days (the
# National Day holiday of 1–7 October 2026 is skipped: 30 Sep, 8 Oct, 9 Oct), then a second
# notice for 2–13 November.
NOTICES = with_claims("""
[claims]
[[claims.chains]]
kind = "cadre"
steps = [{ name = "第二课堂指导与服务中心", role = "center", scope = "school" }]
windows = [
  { opens = 2026-09-30, working_days = 3 },
  { opens = 2026-11-02, closes = 2026-11-13 },
]
""")
STUDENT = Actor.student("2023010004")
YEAR = FileCadreClaim(
    "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
    at(9, 1, year=2025), at(9, 1), (PlannedCredit("work_experience", "学分", Decimal(1)),),
)  # fmt: skip


def refused(command: FileCadreClaim, now: datetime, rulebook: Rulebook = NOTICES) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run(None, command, STUDENT, now, rulebook)
    return caught.value


@pytest.mark.parametrize(
    ("now", "opens", "closes"),
    [
        (at(9, 29, 23, 59), "2026-09-30", "2026-10-09"),  # before: the next window
        (at(10, 10), "2026-11-02", "2026-11-13"),  # after the third working day
        (at(11, 14), "2026-11-02", "2026-11-13"),  # after both: the last one
    ],
)
def test_given_a_notices_dates_when_a_cadre_claim_comes_outside_them_then_refused_with_them(
    now: datetime, opens: str, closes: str
) -> None:
    """001 第四条 学生应在规定时间内上报: outside the notice's window, refused with its dates."""
    error = refused(YEAR, now)
    assert (error.code, error.details) == (
        "claim.outside_window",
        {"opens": opens, "closes": closes},
    )


def test_given_three_notices_when_a_cadre_claim_comes_after_all_then_refused_with_the_last() -> (
    None
):
    """001 第四条 学生应在规定时间内上报: past every notice (three this year, written out of
    order), the refusal names the latest one, not the one listed last nor the second."""
    three = with_claims("""
[claims]
[[claims.chains]]
kind = "cadre"
steps = [{ name = "第二课堂指导与服务中心", role = "center", scope = "school" }]
windows = [
  { opens = 2026-11-16, closes = 2026-11-20 },
  { opens = 2026-09-30, working_days = 3 },
  { opens = 2026-11-02, closes = 2026-11-13 },
]
""")
    error = refused(YEAR, at(11, 21), three)
    assert (error.code, error.details) == (
        "claim.outside_window",
        {"opens": "2026-11-16", "closes": "2026-11-20"},
    )


@pytest.mark.parametrize(
    ("now", "closes"),
    [
        (at(9, 30), datetime(2026, 10, 10, tzinfo=SHANGHAI)),
        (at(10, 9, 23, 59), datetime(2026, 10, 10, tzinfo=SHANGHAI)),  # the 3rd working day
        (at(11, 13, 12), datetime(2026, 11, 14, tzinfo=SHANGHAI)),
    ],
)
def test_given_a_notices_window_when_a_cadre_claim_comes_in_it_then_filed_until_its_end(
    now: datetime, closes: datetime
) -> None:
    """001 第四条: within the notice's window (working days counted on the school's calendar,
    the National Day holiday skipped) the claim is filed, and its window's end is kept."""
    state, _ = run(None, YEAR, STUDENT, now, NOTICES)
    assert state.window_closes == closes


def test_given_a_rejected_claim_when_its_dated_window_closed_then_no_second_chance() -> None:
    """001 第四条: 由自身原因导致积分未补录成功的，将不再重新补录 — the notice's end, not the
    month's, closes the revision."""
    state, _ = run(None, YEAR, STUDENT, at(11, 2), NOTICES)
    state, _ = run(state, ReviewClaim(state.id, False, "任职证明缺失"), CENTER, at(11, 5), NOTICES)
    revised = FileCadreClaim(
        YEAR.student_number, YEAR.key, YEAR.organization, "宣传部部长（附任职证明）",
        YEAR.served_from, YEAR.served_until, YEAR.credits,
    )  # fmt: skip
    error = None
    with pytest.raises(DomainError) as caught:
        run(state, revised, STUDENT, at(11, 14), NOTICES)
    error = caught.value
    assert (error.code, error.details) == ("claim.window_closed", {"closes": "2026-11-13"})
    again, _ = run(state, revised, STUDENT, at(11, 13, 20), NOTICES)
    assert again.cadre is not None
    assert again.cadre.position == "宣传部部长（附任职证明）"


@pytest.mark.parametrize(
    ("windows", "problem"),
    [
        ("[{ opens = 2026-11-02 }]", "needs closes or working_days"),
        ("[{ opens = 2026-11-02, closes = 2026-11-13, working_days = 3 }]", "closes or working"),
        ("[{ opens = 2026-11-13, closes = 2026-11-02 }]", "closes before it opens"),
        ("[{ opens = 2026-11-02, working_days = 0 }]", "working_days must be ≥ 1"),
    ],
)
def test_an_inconsistent_dated_window_is_refused_when_the_rulebook_loads(
    windows: str, problem: str
) -> None:
    section = f"""
[claims]
[[claims.chains]]
kind = "cadre"
steps = [{{ name = "中心", role = "center" }}]
windows = {windows}
"""
    with pytest.raises(DomainError) as caught:
        with_claims(section)
    assert problem in str(caught.value.details)


def test_months_and_dated_windows_are_not_both_given() -> None:
    section = """
[claims]
[[claims.chains]]
kind = "cadre"
first_month = 10
last_month = 11
steps = [{ name = "中心", role = "center" }]
windows = [{ opens = 2026-11-02, closes = 2026-11-13 }]
"""
    with pytest.raises(DomainError) as caught:
        with_claims(section)
    assert "months and dated windows" in str(caught.value.details)


def test_dated_windows_round_trip_through_toml() -> None:
    chain = NOTICES.claims.chains[0]
    assert [(w.opens, w.closes, w.working_days) for w in chain.windows] == [
        (date(2026, 9, 30), None, 3),
        (date(2026, 11, 2), date(2026, 11, 13), None),
    ]
    assert Rulebook.from_toml(NOTICES.to_toml()).claims == NOTICES.claims
