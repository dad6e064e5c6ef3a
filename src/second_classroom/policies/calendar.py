"""Working days on the official Chinese calendar (holidays and 调休 make-up workdays).

The packaged ``chinesecalendar`` data answers for the years it knows; a year loaded into the
Rulebook overrides it. A date in a year nobody has published is refused, never guessed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar

from second_classroom.core.errors import Category, ErrorCode
from second_classroom.core.time import SHANGHAI, local_date
from second_classroom.policies.rulebook import Rulebook

UNKNOWN_YEAR = ErrorCode(
    "calendar.year_unknown",
    "{year} 年的法定节假日安排尚未发布或未载入，无法计算工作日；请在规则中载入该年安排",
    "The official holiday schedule for {year} is not known; load it into the rulebook",
    Category.UNAVAILABLE,
)


def packaged_covers(year: int) -> bool:
    """Whether the installed ``chinesecalendar`` holds ``year``'s official schedule."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def covers(rulebook: Rulebook, year: int) -> bool:
    """Whether working days in ``year`` can be computed: the rulebook or the package has it."""
    return rulebook.year(year) is not None or packaged_covers(year)


def uncovered_years(rulebook: Rulebook, now: datetime) -> tuple[int, ...]:
    """The years of ``now``'s month and of the next (Asia/Shanghai) that neither the rulebook
    nor the packaged calendar covers: working-day windows reaching them are refused with
    ``calendar.year_unknown`` until the school loads the year's schedule (``[[calendar]]``).
    Empty when all is well; from December on it names the coming year."""
    today = local_date(now)
    following = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    years = sorted({today.year, following.year})
    return tuple(y for y in years if not covers(rulebook, y))


def is_workday(rulebook: Rulebook, day: date) -> bool:
    """Whether ``day`` is a working day under the official schedule."""
    override = rulebook.year(day.year)
    if override is not None:
        if day in override.workdays:
            return True
        return day.weekday() < 5 and day not in override.holidays
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise UNKNOWN_YEAR.error(year=day.year) from None


def add_working_days(rulebook: Rulebook, start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (``start`` itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(rulebook, day):
            remaining -= 1
    return day


def window_end(rulebook: Rulebook, moment: datetime, days: int) -> datetime:
    """The instant a window of ``days`` working days after ``moment``'s date closes: midnight
    (Asia/Shanghai) after the last of those days, an exclusive bound."""
    last = add_working_days(rulebook, local_date(moment), days)
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=SHANGHAI)


def working_days_between(rulebook: Rulebook, start: date, end: date) -> int:
    """Working days in the half-open interval (start, end]."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_workday(rulebook, day):
            count += 1
    return count
