"""Working days on the official calendar (第十一条: 活动需至少提前三个工作日进行申请).

A working day follows the State Council's schedule: public holidays are off and 调休 make-up
days (a Saturday or Sunday) are working days. The packaged ``chinesecalendar`` data answers for
the years it knows; a year loaded into the rulebook overrides it; any other year is refused,
never guessed as Monday to Friday.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.calendar import (
    add_working_days,
    covers,
    is_workday,
    packaged_covers,
    uncovered_years,
    window_end,
    working_days_between,
)
from second_classroom.policies.rulebook import Rulebook, YearCalendar
from tests.specification import NEPU


def with_years(*years: YearCalendar) -> Rulebook:
    return attrs.evolve(NEPU, calendar=years)


# A hypothetical 2027 schedule, as a school would load it once the State Council publishes it.
NEW_YEAR_2027 = date(2027, 1, 1)  # a Friday
MAKE_UP_SUNDAY_2027 = date(2027, 2, 7)  # a Sunday
WITH_2027 = with_years(
    YearCalendar(2027, holidays=(NEW_YEAR_2027,), workdays=(MAKE_UP_SUNDAY_2027,))
)


def year_unknown(call: Callable[[], object]) -> DomainError:
    """``call`` is refused because its year's schedule is unknown."""
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == "calendar.year_unknown", caught.value
    return caught.value


# -- the packaged official calendar (2026) ------------------------------------------------------


def test_national_day_is_a_holiday() -> None:
    """2026-10-01 (a Thursday) is 国庆节."""
    assert not is_workday(NEPU, date(2026, 10, 1))


def test_the_whole_national_day_week_is_off() -> None:
    assert not any(is_workday(NEPU, date(2026, 10, d)) for d in range(1, 8))


def test_national_day_make_up_saturday_is_a_workday() -> None:
    """2026-10-10 is a Saturday worked in exchange for the National Day week (调休)."""
    assert date(2026, 10, 10).weekday() == 5
    assert is_workday(NEPU, date(2026, 10, 10))


@pytest.mark.parametrize("day", [date(2026, 2, 14), date(2026, 2, 28)])
def test_spring_festival_make_up_saturdays_are_workdays(day: date) -> None:
    assert day.weekday() == 5
    assert is_workday(NEPU, day)


def test_an_ordinary_weekend_is_not_a_workday() -> None:
    assert not is_workday(NEPU, date(2026, 11, 28))  # Saturday
    assert not is_workday(NEPU, date(2026, 11, 29))  # Sunday


def test_an_ordinary_weekday_is_a_workday() -> None:
    assert is_workday(NEPU, date(2026, 11, 23))  # Monday


# -- counting working days -----------------------------------------------------------------------


def test_add_working_days_does_not_count_the_start_day() -> None:
    assert add_working_days(NEPU, date(2026, 11, 23), 1) == date(2026, 11, 24)


def test_add_zero_working_days_is_the_start_day() -> None:
    assert add_working_days(NEPU, date(2026, 10, 1), 0) == date(2026, 10, 1)


def test_add_working_days_skips_the_weekend() -> None:
    """Thursday + 3 working days: Friday, Monday, Tuesday."""
    assert add_working_days(NEPU, date(2026, 11, 26), 3) == date(2026, 12, 1)


def test_add_working_days_skips_the_national_day_week() -> None:
    """From Tuesday 29 September: Wed 30 Sep, then 1-7 Oct are off, then Thu 8 and Fri 9."""
    assert add_working_days(NEPU, date(2026, 9, 29), 3) == date(2026, 10, 9)


def test_add_working_days_lands_on_the_make_up_saturday() -> None:
    """From Wednesday 30 September: Thu 8 Oct, Fri 9 Oct, Sat 10 Oct (调休)."""
    assert add_working_days(NEPU, date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_a_window_closes_at_midnight_after_its_last_working_day() -> None:
    """The make-up and results windows (合工大: 5 and 10 working days after the end): from
    Thursday 26 November at 16:00, three working days end with Tuesday 1 December, so the
    window closes at 00:00 on the 2nd."""
    moment = datetime(2026, 11, 26, 16, tzinfo=SHANGHAI)
    closes = window_end(NEPU, moment, 3)
    assert closes == datetime(2026, 12, 2, tzinfo=SHANGHAI)
    assert closes.utcoffset() == timedelta(hours=8)
    assert closes.time() == time()


def test_a_window_counts_from_the_date_in_shanghai_not_in_utc() -> None:
    """23:30 UTC on Wednesday 25 November is already Thursday 26 November in Shanghai."""
    moment = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert window_end(NEPU, moment, 3) == datetime(2026, 12, 2, tzinfo=SHANGHAI)
    assert window_end(NEPU, moment, 0) == datetime(2026, 11, 27, tzinfo=SHANGHAI)


def test_a_window_skips_the_national_day_week() -> None:
    """From Tuesday 29 September: Wed 30 Sep, Thu 8 Oct, Fri 9 Oct — closes on the 10th."""
    moment = datetime(2026, 9, 29, 9, tzinfo=SHANGHAI)
    assert window_end(NEPU, moment, 3) == datetime(2026, 10, 10, tzinfo=SHANGHAI)


def test_a_window_into_an_unpublished_year_is_refused() -> None:
    year_unknown(lambda: window_end(NEPU, datetime(2099, 12, 30, tzinfo=SHANGHAI), 3))


def test_working_days_between_counts_the_half_open_interval() -> None:
    """(Mon 23 Nov, Mon 30 Nov]: Tue to Fri, and Monday 30."""
    assert working_days_between(NEPU, date(2026, 11, 23), date(2026, 11, 30)) == 5


def test_working_days_between_skips_the_national_day_week() -> None:
    assert working_days_between(NEPU, date(2026, 9, 30), date(2026, 10, 9)) == 2


def test_working_days_between_a_day_and_itself_is_zero() -> None:
    assert working_days_between(NEPU, date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_working_days_between_backwards_is_zero() -> None:
    assert working_days_between(NEPU, date(2026, 11, 30), date(2026, 11, 23)) == 0


# -- years nobody has published ------------------------------------------------------------------


def test_a_date_in_an_unpublished_year_is_refused() -> None:
    error = year_unknown(lambda: is_workday(NEPU, date(2027, 3, 1)))
    assert error.details == {"year": 2027}


def test_an_unpublished_year_never_falls_back_to_monday_to_friday() -> None:
    """Even a plain Monday in 2027 is refused rather than guessed."""
    assert date(2027, 3, 1).weekday() == 0
    year_unknown(lambda: is_workday(NEPU, date(2027, 3, 1)))
    year_unknown(lambda: add_working_days(NEPU, date(2027, 3, 1), 1))
    year_unknown(lambda: working_days_between(NEPU, date(2027, 3, 1), date(2027, 3, 5)))


def test_counting_into_an_unpublished_year_is_refused() -> None:
    """Thu 31 Dec 2026 is known, Fri 1 Jan 2027 is not."""
    year_unknown(lambda: add_working_days(NEPU, date(2026, 12, 30), 3))


# -- years loaded into the rulebook --------------------------------------------------------------


def test_a_loaded_year_makes_that_year_computable() -> None:
    assert is_workday(WITH_2027, date(2027, 3, 1))  # Monday
    assert not is_workday(WITH_2027, date(2027, 3, 6))  # Saturday


def test_a_loaded_holiday_is_not_a_workday() -> None:
    assert not is_workday(WITH_2027, NEW_YEAR_2027)


def test_a_loaded_make_up_workday_is_a_workday() -> None:
    assert is_workday(WITH_2027, MAKE_UP_SUNDAY_2027)


def test_counting_crosses_from_the_package_into_a_loaded_year() -> None:
    """Thu 31 Dec 2026 (package), then 1 Jan 2027 (loaded holiday) and the weekend are off."""
    assert add_working_days(WITH_2027, date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_counting_in_a_loaded_year_honours_its_holidays_and_make_up_days() -> None:
    """(Thu 31 Dec 2026, Mon 4 Jan 2027]: only the Monday; (Fri 5 Feb, Mon 8 Feb]: Sun + Mon."""
    assert working_days_between(WITH_2027, date(2026, 12, 31), date(2027, 1, 4)) == 1
    assert working_days_between(WITH_2027, date(2027, 2, 5), date(2027, 2, 8)) == 2


def test_a_loaded_year_takes_precedence_over_the_package() -> None:
    """A school may correct a packaged year: its holidays and workdays win."""
    rulebook = with_years(
        YearCalendar(2026, holidays=(date(2026, 11, 24),), workdays=(date(2026, 11, 29),))
    )
    assert is_workday(NEPU, date(2026, 11, 24))
    assert not is_workday(rulebook, date(2026, 11, 24))
    assert not is_workday(NEPU, date(2026, 11, 29))
    assert is_workday(rulebook, date(2026, 11, 29))


def test_a_loaded_year_replaces_the_package_for_the_whole_year() -> None:
    """The override is the year's schedule: package make-up days it omits are not worked."""
    rulebook = with_years(YearCalendar(2026))
    assert not is_workday(rulebook, date(2026, 10, 10))
    assert is_workday(rulebook, date(2026, 10, 1))


def test_a_loaded_year_leaves_other_years_to_the_package() -> None:
    assert is_workday(WITH_2027, date(2026, 10, 10))
    assert not is_workday(WITH_2027, date(2026, 10, 1))


# -- properties ----------------------------------------------------------------------------------

# Late enough in 2026 that 20 working days still end inside the packaged data.
_DAYS = st.dates(date(2020, 1, 1), date(2026, 11, 30))
_COUNTS = st.integers(1, 20)


@given(_DAYS, _COUNTS)
def test_adding_working_days_lands_on_a_workday(start: date, count: int) -> None:
    assert is_workday(NEPU, add_working_days(NEPU, start, count))


@given(_DAYS, _COUNTS)
def test_working_days_between_undoes_add_working_days(start: date, count: int) -> None:
    assert working_days_between(NEPU, start, add_working_days(NEPU, start, count)) == count


@given(_DAYS, _COUNTS)
def test_adding_working_days_moves_forward_at_least_count_days(start: date, count: int) -> None:
    assert add_working_days(NEPU, start, count) >= start + timedelta(days=count)


# -- which years a school can compute with, now and next month -----------------------------------


def test_the_package_covers_2004_to_2026_and_no_more() -> None:
    """chinesecalendar 1.11.0 (the newest) ends with 2026: 2027 is nobody's until loaded."""
    assert [y for y in range(2000, 2031) if packaged_covers(y)] == list(range(2004, 2027))
    assert not covers(NEPU, 2027)
    assert covers(WITH_2027, 2027)
    assert covers(NEPU, 2026)


@pytest.mark.parametrize(
    ("now", "rulebook", "gaps"),
    [
        (datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI), NEPU, ()),
        (datetime(2026, 12, 1, tzinfo=SHANGHAI), NEPU, (2027,)),  # next month is January
        # 16:30 UTC on 30 November is already 1 December in Shanghai.
        (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), NEPU, (2027,)),
        (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), NEPU, ()),
        (datetime(2026, 12, 31, tzinfo=SHANGHAI), WITH_2027, ()),
        (datetime(2027, 6, 1, tzinfo=SHANGHAI), NEPU, (2027,)),
        (datetime(2027, 12, 1, tzinfo=SHANGHAI), WITH_2027, (2028,)),
        (datetime(2027, 12, 1, tzinfo=SHANGHAI), NEPU, (2027, 2028)),
        (datetime(2003, 12, 1, tzinfo=SHANGHAI), NEPU, (2003,)),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, datetime) else str(v),
)
def test_the_uncovered_years_are_those_of_this_and_next_month(
    now: datetime, rulebook: Rulebook, gaps: tuple[int, ...]
) -> None:
    assert uncovered_years(rulebook, now) == gaps


_LOADED = st.sets(st.integers(2020, 2031), max_size=4)
_NOWS = st.datetimes(datetime(2020, 1, 1), datetime(2031, 11, 30), timezones=st.just(SHANGHAI))


@given(_NOWS, _LOADED)
def test_a_year_is_named_exactly_when_its_working_days_would_be_refused(
    now: datetime, loaded: set[int]
) -> None:
    """For any time and any years loaded: a year of this month or the next is named if and
    only if asking whether a day of it is a working day is refused (calendar.year_unknown)."""
    rulebook = with_years(*(YearCalendar(y) for y in sorted(loaded)))
    today = now.date()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    gaps = uncovered_years(rulebook, now)
    for day in (today, next_month):
        if day.year in gaps:
            year_unknown(functools.partial(is_workday, rulebook, day))
        else:
            assert is_workday(rulebook, day) in (True, False)  # answered, not refused
    assert set(gaps) <= {today.year, next_month.year}
