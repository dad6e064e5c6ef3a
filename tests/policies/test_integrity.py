"""诚信分 and the blacklist (第十六条, 第二十条), as pure functions of a student's entries.

第十六条: 成功报名活动未进行签到 or 被负责人、组织者签退 is a default (违约);
under NEPU's rules each default 进入黑名单120小时 and lowers the integrity score.
第二十条: 诚信分是对报名后是否参加活动的有效显示，采用百分比计划 —
attended ÷ (admitted − excused). The HFUT preset uses the points style common on other
platforms: start at 100, −1 per no-show, −2 per sign-off, every third default blacklists
for 7 days, attending recovers 1 (school level) or 1/3 (college level), never above 100.

An approved leave (第十二条) and an overturned appeal (申诉成立) are no defaults: they
neither lower the score nor blacklist. A pending or rejected appeal leaves the default
standing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from fractions import Fraction

import attrs
import pytest

from second_classroom.aggregates.integrity_record import AppealStatus, IntegrityEntry
from second_classroom.core import ids
from second_classroom.core.terms import ActivityLevel, AttendanceOutcome
from second_classroom.policies.integrity import blacklisted_until, citation, is_default, score
from second_classroom.policies.rulebook import IntegrityRule, IntegrityStyle, preset
from tests.specification import NOW, at

NEPU_RULE: IntegrityRule = preset("nepu").integrity
HFUT_RULE: IntegrityRule = preset("hfut").integrity

SCHOOL = ActivityLevel.SCHOOL
COLLEGE = ActivityLevel.COLLEGE
CLASS = ActivityLevel.CLASS

ATTENDED = AttendanceOutcome.ATTENDED
NO_SHOW = AttendanceOutcome.NO_SHOW
SIGNED_OFF = AttendanceOutcome.SIGNED_OFF
EXCUSED = AttendanceOutcome.EXCUSED

_serial = iter(range(1_000_000))


def entry(
    outcome: AttendanceOutcome,
    when: datetime = NOW,
    level: str = SCHOOL,
    appeal: AppealStatus | None = None,
) -> IntegrityEntry:
    """One admitted activity's outcome, on a fresh activity."""
    n = str(next(_serial))
    return IntegrityEntry(
        entry_id=ids.derive("integrity-entry", "test", n),
        activity_id=ids.derive("activity", "test", n),
        level=level,
        outcome=outcome,
        at=when,
        rule=outcome.value,
        appeal=appeal,
    )


def overturned(e: IntegrityEntry) -> IntegrityEntry:
    """申诉成立."""
    return attrs.evolve(e, appeal=AppealStatus.OVERTURNED)


def test_the_presets_are_the_two_styles() -> None:
    """NEPU is the percentage style (第二十条); HFUT the points style."""
    assert NEPU_RULE.style is IntegrityStyle.PERCENTAGE
    assert NEPU_RULE.blacklist_hours == 120
    assert HFUT_RULE.style is IntegrityStyle.POINTS


# --- what is a default -------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [NEPU_RULE, HFUT_RULE], ids=["nepu", "hfut"])
def test_a_no_show_is_always_a_default(rule: IntegrityRule) -> None:
    """第十六条: 成功报名活动未进行签到."""
    assert is_default(NO_SHOW, rule)
    assert is_default(NO_SHOW, attrs.evolve(rule, sign_off_is_default=False))


@pytest.mark.parametrize("rule", [NEPU_RULE, HFUT_RULE], ids=["nepu", "hfut"])
def test_a_sign_off_is_a_default_when_the_rulebook_says_so(rule: IntegrityRule) -> None:
    """第十六条: 被负责人、组织者签退 — a default unless the school configures otherwise."""
    assert is_default(SIGNED_OFF, rule)
    assert not is_default(SIGNED_OFF, attrs.evolve(rule, sign_off_is_default=False))


@pytest.mark.parametrize("rule", [NEPU_RULE, HFUT_RULE], ids=["nepu", "hfut"])
@pytest.mark.parametrize("outcome", [ATTENDED, EXCUSED])
def test_attending_or_an_approved_leave_is_no_default(
    outcome: AttendanceOutcome, rule: IntegrityRule
) -> None:
    """第十二条: an approved leave is no default; neither, of course, is attending."""
    assert not is_default(outcome, rule)


# --- citations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [NO_SHOW, SIGNED_OFF])
def test_a_nepu_default_cites_article_16_and_the_120_hour_blacklist(
    outcome: AttendanceOutcome,
) -> None:
    """第十六条: 违约 进入黑名单120小时，诚信分下降."""
    text = citation(outcome, NEPU_RULE)
    assert "第十六条" in text
    assert "120小时" in text
    assert "黑名单" in text


def test_a_no_show_under_the_points_style_states_one_point_and_seven_days() -> None:
    text = citation(NO_SHOW, HFUT_RULE)
    assert "第十六条" in text
    assert "未进行签到" in text
    assert "扣1分" in text
    assert "每3次" in text
    assert "7天" in text


def test_a_sign_off_under_the_points_style_states_two_points_and_seven_days() -> None:
    text = citation(SIGNED_OFF, HFUT_RULE)
    assert "第十六条" in text
    assert "签退" in text
    assert "扣2分" in text
    assert "7天" in text


def test_a_sign_off_that_is_no_default_states_no_penalty() -> None:
    rule = attrs.evolve(NEPU_RULE, sign_off_is_default=False)
    text = citation(SIGNED_OFF, rule)
    assert "第十六条" in text
    assert "黑名单" not in text


@pytest.mark.parametrize("rule", [NEPU_RULE, HFUT_RULE], ids=["nepu", "hfut"])
def test_attending_cites_article_20_and_a_leave_article_12(rule: IntegrityRule) -> None:
    """No penalty is stated where none applies."""
    assert citation(ATTENDED, rule).startswith("第二十条")
    assert citation(EXCUSED, rule).startswith("第十二条")
    assert "黑名单" not in citation(ATTENDED, rule) + citation(EXCUSED, rule)


# --- the percentage score (NEPU, 第二十条) -----------------------------------------------------


def test_with_no_entries_the_percentage_score_is_100() -> None:
    """A student who has not yet been admitted anywhere has defaulted on nothing."""
    assert score([], NEPU_RULE) == 100


def test_the_percentage_score_is_attended_over_admitted_minus_excused() -> None:
    """第二十条 采用百分比计划: 2 attended of 3 admitted (1 excused left out) → 200/3, exactly."""
    entries = [entry(ATTENDED), entry(ATTENDED), entry(NO_SHOW), entry(EXCUSED)]
    result = score(entries, NEPU_RULE)
    assert result == Fraction(200, 3)
    assert isinstance(result, Fraction)


def test_a_sign_off_lowers_the_percentage_score() -> None:
    """第十六条: 被签退 counts as admitted but not attended: 1 of 2 → 50."""
    assert score([entry(ATTENDED), entry(SIGNED_OFF)], NEPU_RULE) == 50


def test_an_excused_entry_leaves_the_denominator() -> None:
    """第十二条: an approved leave neither helps nor hurts: 1 of 1 → 100."""
    assert score([entry(ATTENDED), entry(EXCUSED), entry(EXCUSED)], NEPU_RULE) == 100


def test_a_sign_off_that_is_no_default_leaves_the_denominator() -> None:
    """A school that does not count 被签退 as a default: 1 attended of 2 counted → 50."""
    lenient = attrs.evolve(NEPU_RULE, sign_off_is_default=False)
    entries = [entry(ATTENDED), entry(NO_SHOW), entry(SIGNED_OFF), entry(SIGNED_OFF)]
    assert score(entries, lenient) == 50
    assert score([entry(ATTENDED), entry(SIGNED_OFF)], lenient) == 100


def test_only_excused_entries_score_100() -> None:
    assert score([entry(EXCUSED)], NEPU_RULE) == 100


def test_an_overturned_default_leaves_the_denominator() -> None:
    """申诉成立: the no-show counts as excused: 1 of 1 → 100."""
    assert score([entry(ATTENDED), overturned(entry(NO_SHOW))], NEPU_RULE) == 100


@pytest.mark.parametrize("appeal", [AppealStatus.PENDING, AppealStatus.UPHELD])
def test_a_pending_or_rejected_appeal_leaves_the_default_standing(appeal: AppealStatus) -> None:
    assert score([entry(ATTENDED), entry(NO_SHOW, appeal=appeal)], NEPU_RULE) == 50
    assert blacklisted_until([entry(NO_SHOW, appeal=appeal)], NEPU_RULE) == NOW + timedelta(
        hours=120
    )


# --- the NEPU blacklist (第十六条: 120 hours per default) -------------------------------------


def test_no_defaults_no_blacklist() -> None:
    entries = [entry(ATTENDED), entry(EXCUSED)]
    assert blacklisted_until(entries, NEPU_RULE) is None
    assert blacklisted_until([], NEPU_RULE) is None


@pytest.mark.parametrize("outcome", [NO_SHOW, SIGNED_OFF])
def test_a_default_blacklists_for_120_hours_from_its_moment(outcome: AttendanceOutcome) -> None:
    """第十六条: 进入黑名单120小时."""
    assert blacklisted_until([entry(outcome, at(11, 2, 18))], NEPU_RULE) == at(11, 7, 18)


def test_the_blacklist_runs_from_the_latest_default() -> None:
    """Each default blacklists afresh; the latest end is what binds (given in any order)."""
    entries = [entry(NO_SHOW, at(11, 20, 10)), entry(NO_SHOW, at(11, 2)), entry(ATTENDED)]
    assert blacklisted_until(entries, NEPU_RULE) == at(11, 25, 10)


def test_an_overturned_only_default_blacklists_nobody() -> None:
    """申诉成立 lifts the blacklist."""
    assert blacklisted_until([overturned(entry(NO_SHOW))], NEPU_RULE) is None


def test_overturning_the_latest_default_falls_back_to_the_one_before() -> None:
    entries = [entry(SIGNED_OFF, at(11, 2)), overturned(entry(NO_SHOW, at(11, 20)))]
    assert blacklisted_until(entries, NEPU_RULE) == at(11, 7)


def test_a_sign_off_that_is_no_default_does_not_blacklist() -> None:
    rule = attrs.evolve(NEPU_RULE, sign_off_is_default=False)
    assert blacklisted_until([entry(SIGNED_OFF)], rule) is None


# --- the points style (HFUT) -------------------------------------------------------------------


def test_points_start_at_100() -> None:
    assert score([], HFUT_RULE) == 100


def test_a_no_show_costs_one_point() -> None:
    assert score([entry(NO_SHOW)], HFUT_RULE) == 99


def test_a_sign_off_costs_two_points() -> None:
    assert score([entry(SIGNED_OFF)], HFUT_RULE) == 98


def test_a_sign_off_that_is_no_default_costs_nothing() -> None:
    rule = attrs.evolve(HFUT_RULE, sign_off_is_default=False)
    assert score([entry(SIGNED_OFF)], rule) == 100


def test_an_excused_entry_costs_nothing() -> None:
    assert score([entry(EXCUSED)], HFUT_RULE) == 100


def test_a_school_level_activity_recovers_one_point() -> None:
    entries = [entry(SIGNED_OFF, at(10, 1)), entry(ATTENDED, at(10, 8), SCHOOL)]
    assert score(entries, HFUT_RULE) == 99


def test_a_college_level_activity_recovers_a_third_of_a_point_exactly() -> None:
    entries = [entry(SIGNED_OFF, at(10, 1)), entry(ATTENDED, at(10, 8), COLLEGE)]
    assert score(entries, HFUT_RULE) == Fraction(295, 3)  # 98 + 1/3


def test_a_class_level_activity_recovers_nothing() -> None:
    """Only the levels the rulebook lists recover points."""
    entries = [entry(NO_SHOW, at(10, 1)), entry(ATTENDED, at(10, 8), CLASS)]
    assert score(entries, HFUT_RULE) == 99


def test_recovery_is_capped_at_the_start() -> None:
    """Attending never takes the score above 100: 99 + 1 + 1 → 100."""
    entries = [
        entry(NO_SHOW, at(10, 1)),
        entry(ATTENDED, at(10, 8), SCHOOL),
        entry(ATTENDED, at(10, 15), SCHOOL),
    ]
    assert score(entries, HFUT_RULE) == 100


def test_attending_before_a_default_banks_nothing() -> None:
    """The cap applies at each step in time order: attending at 100 is not saved for later."""
    entries = [entry(ATTENDED, at(10, 1), SCHOOL), entry(NO_SHOW, at(10, 8))]
    assert score(entries, HFUT_RULE) == 99


def test_points_are_counted_in_time_order_whatever_the_list_order() -> None:
    entries = [entry(ATTENDED, at(10, 1), SCHOOL), entry(NO_SHOW, at(10, 8))]
    assert score(list(reversed(entries)), HFUT_RULE) == 99


def test_points_never_fall_below_zero() -> None:
    """Defaults beyond the start leave the score at 0, not below and not above."""
    few = attrs.evolve(HFUT_RULE, start_points=3)
    assert score([entry(NO_SHOW, at(10, day)) for day in (1, 2, 3)], few) == 0
    assert score([entry(SIGNED_OFF, at(10, day)) for day in (1, 2, 3, 4)], few) == 0
    assert score([entry(NO_SHOW, at(10, 1)), entry(NO_SHOW, at(10, 2))], few) == 1


def test_an_overturned_default_costs_no_points() -> None:
    assert score([overturned(entry(SIGNED_OFF))], HFUT_RULE) == 100


def test_two_defaults_do_not_blacklist() -> None:
    entries = [entry(NO_SHOW, at(10, 1)), entry(SIGNED_OFF, at(10, 8))]
    assert blacklisted_until(entries, HFUT_RULE) is None


def test_the_third_default_blacklists_for_seven_days_from_its_moment() -> None:
    entries = [
        entry(NO_SHOW, at(10, 1)),
        entry(SIGNED_OFF, at(10, 8)),
        entry(NO_SHOW, at(10, 15, 14, 30)),
    ]
    assert blacklisted_until(entries, HFUT_RULE) == at(10, 22, 14, 30)


def test_the_third_default_is_counted_in_time_order() -> None:
    entries = [
        entry(NO_SHOW, at(10, 15, 14, 30)),
        entry(NO_SHOW, at(10, 1)),
        entry(SIGNED_OFF, at(10, 8)),
    ]
    random.Random(2026).shuffle(entries)
    assert blacklisted_until(entries, HFUT_RULE) == at(10, 22, 14, 30)


@pytest.mark.parametrize("strikes", [1, 0], ids=["every default", "0 read as 1"])
def test_a_rule_where_every_default_blacklists(strikes: int) -> None:
    """A points rule with one strike (or a nonsensical 0) blacklists on the first default."""
    strict = attrs.evolve(HFUT_RULE, strikes_for_blacklist=strikes)
    assert blacklisted_until([entry(NO_SHOW, at(10, 1))], strict) == at(10, 8)
    later = [entry(NO_SHOW, at(10, 1)), entry(SIGNED_OFF, at(10, 3))]
    assert blacklisted_until(later, strict) == at(10, 10)


def test_a_fourth_and_fifth_default_add_no_new_blacklist() -> None:
    """Every 3rd: the 4th and 5th leave the blacklist of the 3rd as it was."""
    entries = [entry(NO_SHOW, at(10, day)) for day in (1, 8, 15, 22, 29)]
    assert blacklisted_until(entries, HFUT_RULE) == at(10, 22)


def test_the_sixth_default_blacklists_again() -> None:
    entries = [entry(NO_SHOW, at(10, day)) for day in (1, 8, 15, 22, 29)]
    entries.append(entry(NO_SHOW, at(11, 5)))
    assert blacklisted_until(entries, HFUT_RULE) == at(11, 12)


def test_overturning_one_of_three_defaults_lifts_the_blacklist() -> None:
    """申诉成立: with only two defaults left there is no third strike."""
    entries = [
        entry(NO_SHOW, at(10, 1)),
        overturned(entry(SIGNED_OFF, at(10, 8))),
        entry(NO_SHOW, at(10, 15)),
    ]
    assert blacklisted_until(entries, HFUT_RULE) is None


# --- acceptance: a scripted semester per preset -----------------------------------------------


def test_a_nepu_semester_scores_and_blacklists_as_computed_by_hand() -> None:
    """第十六条, 第二十条 over the 2026 autumn term, NEPU preset (percentage, 120 h per default)."""
    no_show_in_november = entry(NO_SHOW, at(11, 26, 19), COLLEGE)
    semester = [
        entry(ATTENDED, at(9, 10, 14), SCHOOL),  # 1 attended
        entry(ATTENDED, at(9, 17, 19), COLLEGE),  # 2 attended
        entry(NO_SHOW, at(9, 24, 14), SCHOOL),  # 3 default
        entry(EXCUSED, at(10, 15, 14), COLLEGE),  # 4 leave: out of the denominator
        entry(ATTENDED, at(10, 22, 14), SCHOOL),  # 5 attended
        entry(SIGNED_OFF, at(11, 5, 15, 30), COLLEGE),  # 6 default, the latest that stands
        entry(ATTENDED, at(11, 12, 14), SCHOOL),  # 7 attended
        overturned(no_show_in_november),  # 8 申诉成立: out of the denominator
        entry(ATTENDED, at(12, 3, 14), SCHOOL),  # 9 attended
        entry(ATTENDED, at(12, 17, 19), COLLEGE),  # 10 attended
        entry(ATTENDED, at(1, 7, 14, year=2027), SCHOOL),  # 11 attended
    ]
    # admitted 11 − excused 1 − overturned 1 = 9; attended = #1 #2 #5 #7 #9 #10 #11 = 7
    # score = 7 / 9 × 100 = 700/9 (= 77.78 %)
    assert score(semester, NEPU_RULE) == Fraction(700, 9)
    # standing defaults: Sep 24 14:00, Nov 5 15:30 → latest + 120 h = Nov 10 15:30
    assert blacklisted_until(semester, NEPU_RULE) == at(11, 10, 15, 30)
    # had the Nov 26 19:00 appeal failed: Nov 26 19:00 + 120 h = Dec 1 19:00, and 7/10 → 70
    upheld = [
        no_show_in_november if e.activity_id == no_show_in_november.activity_id else e
        for e in semester
    ]
    assert blacklisted_until(upheld, NEPU_RULE) == at(12, 1, 19)
    assert score(upheld, NEPU_RULE) == 70


def test_an_hfut_semester_scores_and_blacklists_as_computed_by_hand() -> None:
    """The points style over the 2026 autumn term, HFUT preset (−1 / −2, 3 strikes → 7 days,
    recovery 1 school / 1/3 college, capped at 100)."""
    no_show_in_november = entry(NO_SHOW, at(11, 19, 19), COLLEGE)
    semester = [
        entry(ATTENDED, at(9, 10, 14), SCHOOL),  # 100 + 1 capped    → 100
        entry(NO_SHOW, at(9, 17, 19), COLLEGE),  # −1, default 1     → 99
        entry(SIGNED_OFF, at(9, 24, 14), SCHOOL),  # −2, default 2   → 97
        entry(ATTENDED, at(10, 8, 19), COLLEGE),  # +1/3             → 97 1/3
        entry(EXCUSED, at(10, 15, 14), COLLEGE),  # leave            → 97 1/3
        entry(NO_SHOW, at(10, 22, 14), SCHOOL),  # −1, default 3     → 96 1/3, blacklist
        entry(ATTENDED, at(11, 5, 19), COLLEGE),  # +1/3             → 96 2/3
        entry(ATTENDED, at(11, 12, 14), SCHOOL),  # +1               → 97 2/3
        overturned(no_show_in_november),  # 申诉成立: ignored         → 97 2/3
        entry(SIGNED_OFF, at(11, 26, 14), SCHOOL),  # −2, default 4  → 95 2/3
        entry(ATTENDED, at(12, 3, 19), COLLEGE),  # +1/3             → 96
        entry(ATTENDED, at(12, 10, 14), SCHOOL),  # +1               → 97
        entry(NO_SHOW, at(12, 24, 19), COLLEGE),  # −1, default 5    → 96
        entry(ATTENDED, at(1, 7, 19, year=2027), COLLEGE),  # +1/3   → 96 1/3
    ]
    # score = 96 1/3 = 289/3
    assert score(semester, HFUT_RULE) == Fraction(289, 3)
    # 5 standing defaults; only the 3rd (Oct 22 14:00) strikes: + 7 days = Oct 29 14:00
    assert blacklisted_until(semester, HFUT_RULE) == at(10, 29, 14)
    # had the Nov 19 appeal failed: defaults Sep 17, Sep 24, Oct 22, Nov 19, Nov 26, Dec 24;
    # the 6th (Dec 24 19:00) strikes again → Dec 31 19:00; and one more point lost → 95 1/3
    upheld = [
        no_show_in_november if e.activity_id == no_show_in_november.activity_id else e
        for e in semester
    ]
    assert blacklisted_until(upheld, HFUT_RULE) == at(12, 31, 19)
    assert score(upheld, HFUT_RULE) == Fraction(286, 3)
