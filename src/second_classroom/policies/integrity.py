"""诚信分 and the blacklist (第十六条, 第二十条), as pure functions of a student's entries.

- Percentage style (NEPU): the score is attended ÷ (admitted − excused), as a percentage; every
  default (a no-show, or a sign-off by the organizer) blacklists for ``blacklist_hours`` from
  the moment of the default.
- Points style: start at ``start_points``; −``no_show_points`` per no-show, −``sign_off_points``
  per sign-off; attending recovers the points of its level, never above the start; every
  ``strikes_for_blacklist``-th default blacklists for ``strike_blacklist_days``.

An overturned default counts as excused: it neither lowers the score nor blacklists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Protocol, TypeVar

from second_classroom.core.terms import AttendanceOutcome as Outcome
from second_classroom.policies.rulebook import IntegrityRule, IntegrityStyle


class IntegrityEntry(Protocol):
    """What these rules read of an entry (``aggregates.integrity_record.IntegrityEntry``):
    the rules sit below the aggregates, so they name the facts, not the record type."""

    @property
    def outcome(self) -> Outcome: ...

    @property
    def at(self) -> datetime: ...

    @property
    def level(self) -> str: ...

    @property
    def overturned(self) -> bool: ...


E = TypeVar("E", bound=IntegrityEntry)

CITATIONS = {
    Outcome.NO_SHOW: "第十六条：成功报名活动未进行签到",
    Outcome.SIGNED_OFF: "第十六条：被负责人、组织者签退",
    Outcome.ATTENDED: "第二十条：诚信分是对报名后是否参加活动的有效显示",
    Outcome.EXCUSED: "第十二条：请假经负责人或组织者审核批准",
}


# A no-show reversed by a 补签 after closing: the entry then reads as attended, under this rule.
MADE_UP_CITATION = "发布规范 十：补签，活动结束后活动负责人提供相关纸质材料"


def is_default(outcome: Outcome, rule: IntegrityRule) -> bool:
    """A default costs integrity and may blacklist."""
    return outcome is Outcome.NO_SHOW or (
        outcome is Outcome.SIGNED_OFF and rule.sign_off_is_default
    )


def citation(outcome: Outcome, rule: IntegrityRule) -> str:
    """The rule an entry applies, stated on the entry itself."""
    text = CITATIONS[outcome]
    if not is_default(outcome, rule):
        return text
    if rule.style is IntegrityStyle.PERCENTAGE:
        return f"{text}，进入黑名单{rule.blacklist_hours}小时，诚信分下降"
    points = rule.no_show_points if outcome is Outcome.NO_SHOW else rule.sign_off_points
    strikes, days = rule.strikes_for_blacklist, rule.strike_blacklist_days
    return f"{text}，扣{points}分；每{strikes}次进入黑名单{days}天"


def _active_defaults(entries: Iterable[E], rule: IntegrityRule) -> list[E]:
    found = [e for e in entries if is_default(e.outcome, rule) and not e.overturned]
    return sorted(found, key=lambda e: e.at)


def blacklisted_until(entries: Sequence[IntegrityEntry], rule: IntegrityRule) -> datetime | None:
    """The end of the blacklist the entries impose, if any (it then expires by time alone)."""
    defaults = _active_defaults(entries, rule)
    if rule.style is IntegrityStyle.PERCENTAGE:
        ends = [d.at + timedelta(hours=rule.blacklist_hours) for d in defaults]
    else:
        strikes = max(rule.strikes_for_blacklist, 1)
        ends = [
            d.at + timedelta(days=rule.strike_blacklist_days)
            for n, d in enumerate(defaults, start=1)
            if n % strikes == 0
        ]
    return max(ends, default=None)


def score(entries: Sequence[IntegrityEntry], rule: IntegrityRule) -> Fraction:
    """The integrity score: a percentage (0–100) or points, exactly."""
    if rule.style is IntegrityStyle.PERCENTAGE:
        counted = [e for e in entries if _counts(e, rule)]
        if not counted:
            return Fraction(100)
        attended = sum(1 for e in counted if e.outcome is Outcome.ATTENDED)
        return Fraction(100 * attended, len(counted))
    recovery = {r.level: Fraction(r.points) for r in rule.recovery}
    start = Fraction(rule.start_points)
    points = start
    for entry in sorted(entries, key=lambda e: e.at):
        if entry.overturned:
            continue
        if entry.outcome is Outcome.ATTENDED:
            points = min(points + recovery.get(entry.level, Fraction(0)), start)
        elif entry.outcome is Outcome.NO_SHOW:
            points -= rule.no_show_points
        elif entry.outcome is Outcome.SIGNED_OFF and rule.sign_off_is_default:
            points -= rule.sign_off_points
    return max(points, Fraction(0))


def _counts(entry: IntegrityEntry, rule: IntegrityRule) -> bool:
    """Admitted minus excused: excused and overturned entries leave the denominator."""
    if entry.outcome is Outcome.EXCUSED or entry.overturned:
        return False
    return not (entry.outcome is Outcome.SIGNED_OFF and not rule.sign_off_is_default)
