"""The Rulebook: one school's rules as data (第十条, 第十一条, 发布规范), loaded from TOML.

The NEPU preset encodes 东北石油大学's rules; any rulebook survives a TOML round trip, and a
malformed one is refused with ``rulebook.invalid`` instead of being half-loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    CadreRating,
    ParticipationScope,
    ReviewStage,
    TribeLevel,
)
from second_classroom.policies.rulebook import (
    MAX_FILE_BYTES,
    AdRule,
    AwardQuota,
    CadreRule,
    CategoryWindow,
    CheckInRule,
    College,
    CreditUnit,
    HoursRule,
    IntegrityRule,
    IntegrityStyle,
    Level,
    LevelPermission,
    Limits,
    MissingCheckout,
    Module,
    OrganizerBand,
    PracticeRule,
    RatingCap,
    RatingCredit,
    Recovery,
    ResultsRule,
    ReviewChain,
    RoleTitle,
    RubricItem,
    Rulebook,
    Subcategory,
    Term,
    TitleRule,
    YearCalendar,
    _is_sequence,
    preset,
    preset_source,
    presets,
)
from tests.specification import NEPU

PRESET_SOURCE = (resources.files("second_classroom.policies") / "presets" / "nepu.toml").read_text(
    encoding="utf-8"
)


def refused(text: str) -> DomainError:
    """``text`` is refused as an invalid rulebook."""
    with pytest.raises(DomainError) as caught:
        Rulebook.from_toml(text)
    assert caught.value.code == "rulebook.invalid", caught.value
    return caught.value


def edited(old: str, new: str) -> str:
    """The NEPU preset source with one line changed."""
    assert old in PRESET_SOURCE, old
    return PRESET_SOURCE.replace(old, new, 1)


# -- the NEPU preset ----------------------------------------------------------------------------


def test_nepu_preset_is_for_northeast_petroleum_university() -> None:
    assert NEPU.school == "东北石油大学"


def test_nepu_preset_has_the_seven_modules_in_chinese() -> None:
    """发布规范 三: activity types follow the 七大模块 of the 素质考评办法."""
    assert [m.name for m in NEPU.modules] == [
        "思想成长",
        "创新创业",
        "文体活动",
        "实践实习",
        "志愿公益",
        "工作履历",
        "技能特长",
    ]


def test_module_codes_are_unique_and_resolvable() -> None:
    codes = [m.code for m in NEPU.modules]
    assert len(set(codes)) == len(codes) == 7
    assert NEPU.module("ideology") == Module(
        "ideology", "思想成长", (Subcategory("ideals", "理想信念主题教育"),)
    )
    assert NEPU.module("no-such-module") is None


def test_college_is_found_by_code() -> None:
    assert NEPU.college("PE") == College("PE", "石油工程学院")
    assert NEPU.college("XYZ") is None


def test_school_activity_is_reviewed_by_tribe_then_school() -> None:
    """第十一条: 若为校级活动，部落审核通过后…直接发送至校级管理后台进行二次审核."""
    assert NEPU.chain(ActivityLevel.SCHOOL) == (ReviewStage.TRIBE, ReviewStage.SCHOOL)


def test_college_activity_is_reviewed_by_tribe_then_college_then_school() -> None:
    """第十一条: 若为院系级活动，部落审核通过后…院级审核通过后再由校级管理端审核."""
    assert NEPU.chain(ActivityLevel.COLLEGE) == (
        ReviewStage.TRIBE,
        ReviewStage.COLLEGE,
        ReviewStage.SCHOOL,
    )


def test_class_activity_is_reviewed_by_college_then_school() -> None:
    """第十一条: 班团活动先由学院分团委审核，再由校团委审核."""
    assert NEPU.chain(ActivityLevel.CLASS) == (ReviewStage.COLLEGE, ReviewStage.SCHOOL)


def test_a_level_without_a_review_chain_is_an_invalid_rulebook() -> None:
    """第十一条: every publishable level needs its review chain; refused when the rulebook is
    built, not later when an activity is submitted."""
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, review_chains=())
    assert caught.value.code == "rulebook.invalid"
    assert "no review chain" in caught.value.message_en


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {
                "organizer_bands": (
                    OrganizerBand(0, 1, 50),
                    OrganizerBand(1, 3, 40),
                    OrganizerBand(5, 10),
                )
            },
            "rise",
        ),
        ({"organizer_bands": (OrganizerBand(0, 1, 50),)}, "no upper capacity"),
        ({"organizer_bands": (OrganizerBand(3, 1),)}, "inverted"),
        ({"calendar": (YearCalendar(2027), YearCalendar(2027))}, "twice"),
        ({"calendar": (YearCalendar(2027, holidays=(date(2026, 10, 1),)),)}, "listed under"),
        ({"publisher_exam_pass_score": 101}, "publisher_exam_pass_score"),
        ({"lead_working_days": -1}, "lead_working_days"),
    ],
)
def test_an_inconsistent_rulebook_is_refused_when_built(
    changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, **changes)
    assert caught.value.code == "rulebook.invalid"
    assert problem in caught.value.message_en


def _with_checkin(**changes: Any) -> dict[str, Any]:
    return {"checkin": attrs.evolve(NEPU.checkin, **changes)}


def _with_results(**changes: Any) -> dict[str, Any]:
    return {"results": attrs.evolve(NEPU.results, **changes)}


def _with_integrity(**changes: Any) -> dict[str, Any]:
    return {"integrity": attrs.evolve(NEPU.integrity, **changes)}


INCONSISTENT = {
    "open band not last": (
        {"organizer_bands": (OrganizerBand(0, 1), OrganizerBand(1, 3))},
        "organizer bands must rise strictly, the open band last",
    ),
    "last band bounded": (
        {"organizer_bands": (OrganizerBand(0, 1, 50),)},
        "the last organizer band must have no upper capacity",
    ),
    "year twice": (
        {"calendar": (YearCalendar(2027), YearCalendar(2027))},
        "a calendar year is listed twice",
    ),
    "pass score above 100": (
        {"publisher_exam_pass_score": 101},
        "publisher_exam_pass_score must be 0-100",
    ),
    "negative lead time": ({"lead_working_days": -1}, "lead_working_days must be 0-365"),
    "anomaly window above 120": (
        _with_checkin(anomaly_window_seconds=121),
        "checkin.anomaly_window_seconds must be 0-120",
    ),
    "rotation below 5 seconds": (
        _with_checkin(rotation_seconds=4),
        "checkin.rotation_seconds must be 5-3600",
    ),
    "negative accuracy": (
        _with_checkin(max_accuracy_m=-1),
        "checkin.max_accuracy_m must be 0-100000",
    ),
    "negative make-up deadline": (
        _with_checkin(makeup_deadline_working_days=-1),
        "checkin.makeup_deadline_working_days must be 0-365",
    ),
    "quota zero": (
        _with_results(award_quotas=(AwardQuota("一等奖", 0),)),
        "results quota of 一等奖 must be 1-100000",
    ),
    "negative rubric amount": (
        _with_results(rubric=(RubricItem("skills", ActivityLevel.SCHOOL, "学分", Decimal(-1)),)),
        "results rubric amounts must be finite and 0-1000000",
    ),
    "infinite rubric amount": (
        _with_results(
            rubric=(RubricItem("skills", ActivityLevel.SCHOOL, "学分", Decimal("Infinity")),)
        ),
        "results rubric amounts must be finite and 0-1000000",
    ),
    "negative results deadline": (
        _with_results(deadline_working_days=-1),
        "results.deadline_working_days must be 0-365",
    ),
    "negative points": (
        _with_integrity(no_show_points=-1),
        "integrity.no_show_points must be 0-1000000",
    ),
    "no strikes": (
        _with_integrity(strikes_for_blacklist=0),
        "integrity.strikes_for_blacklist must be 1-1000",
    ),
    "negative recovery": (
        _with_integrity(recovery=(Recovery(ActivityLevel.SCHOOL, "-1/3"),)),
        "integrity.recovery points '-1/3' is not a number 0-1000000",
    ),
    "recovery not a number": (
        _with_integrity(recovery=(Recovery(ActivityLevel.SCHOOL, "one"),)),
        "integrity.recovery points 'one' is not a number 0-1000000",
    ),
    "two problems at once": (
        {"lead_working_days": -1, **_with_checkin(anomaly_window_seconds=-1)},
        "lead_working_days must be 0-365; checkin.anomaly_window_seconds must be 0-120",
    ),
}


@pytest.mark.parametrize(("changes", "reason"), INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_each_inconsistency_is_named_exactly(changes: dict[str, Any], reason: str) -> None:
    """The school's administrator reads the reason: it names every problem, in order."""
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, **changes)
    assert caught.value.code == "rulebook.invalid"
    assert caught.value.details["reason"] == reason


def test_a_publishable_level_without_a_chain_is_named() -> None:
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, review_chains=NEPU.review_chains[1:])
    missing = {c.level for c in NEPU.review_chains} - {c.level for c in NEPU.review_chains[1:]}
    (level,) = missing
    assert caught.value.details["reason"] == (
        f"level {level} may be published but has no review chain"
    )


def test_asking_for_a_chain_the_rulebook_has_not_is_refused() -> None:
    lean = attrs.evolve(
        NEPU,
        review_chains=NEPU.review_chains[:1],
        level_permissions=(),
    )
    level = next(c.level for c in NEPU.review_chains[1:])
    with pytest.raises(DomainError) as caught:
        lean.chain(level)
    assert caught.value.code == "rulebook.invalid"
    assert caught.value.details["reason"] == f"no review chain for level {level}"


ACCEPTED_EDGES = {
    "pass score 100": {"publisher_exam_pass_score": 100},
    "pass score 0": {"publisher_exam_pass_score": 0},
    "no lead time": {"lead_working_days": 0},
    "anomaly window 120": _with_checkin(anomaly_window_seconds=120),
    "anomaly window 0": _with_checkin(anomaly_window_seconds=0),
    "rotation 5 seconds": _with_checkin(rotation_seconds=5, max_validity_minutes=1),
    "accuracy 0": _with_checkin(max_accuracy_m=0, makeup_deadline_working_days=0),
    "quota 1 and rubric 0": _with_results(
        award_quotas=(AwardQuota("一等奖", 1),),
        rubric=(RubricItem("skills", ActivityLevel.SCHOOL, "学分", Decimal(0)),),
        deadline_working_days=0,
    ),
    "zero points and one strike": _with_integrity(
        no_show_points=0, strikes_for_blacklist=1, recovery=(Recovery(ActivityLevel.CLASS, "0"),)
    ),
}


@pytest.mark.parametrize("changes", ACCEPTED_EDGES.values(), ids=ACCEPTED_EDGES.keys())
def test_the_edges_of_each_range_are_accepted(changes: dict[str, Any]) -> None:
    rulebook = attrs.evolve(NEPU, **changes)
    assert rulebook.problems() == []
    assert Rulebook.from_toml(rulebook.to_toml()) == rulebook


def test_award_quotas_and_rubric_are_looked_up_by_name_module_level_and_type() -> None:
    """发布规范 十三: 一等奖一人(组)…; 十四: 思想成长 校级 at most 2 分."""
    rule = NEPU.results
    assert rule.quota("一等奖") == 1
    assert rule.quota("二等奖") == 2
    assert rule.quota("最佳组织奖") is None
    assert rule.max_credit("ideology", ActivityLevel.SCHOOL, "学分") == Decimal("2")
    assert rule.max_credit("ideology", ActivityLevel.COLLEGE, "学分") is None
    assert rule.max_credit("ideology", ActivityLevel.SCHOOL, "积分") is None
    assert rule.max_credit("skills", ActivityLevel.SCHOOL, "学分") is None


def test_each_tribe_level_publishes_only_its_own_activity_level() -> None:
    """第十一条: 校级活动由校级组织发布；院级活动由学院组织发布；班团活动由班级发布."""
    assert NEPU.levels_for(TribeLevel.SCHOOL) == (ActivityLevel.SCHOOL,)
    assert NEPU.levels_for(TribeLevel.COLLEGE) == (ActivityLevel.COLLEGE,)
    assert NEPU.levels_for(TribeLevel.CLASS) == (ActivityLevel.CLASS,)


def test_activities_are_requested_three_working_days_ahead() -> None:
    """第十一条: 活动需至少提前三个工作日进行申请."""
    assert NEPU.lead_working_days == 3


def test_check_in_code_is_valid_for_at_most_ten_minutes() -> None:
    """发布规范 十: 有效时间不得超过10分钟."""
    assert NEPU.checkin.max_validity_minutes == 10
    assert NEPU.checkin.require_distance_limit


def test_organizer_bands_follow_the_publishing_rules() -> None:
    """发布规范 四: 0-50人 0-1；50-150人 1-3；150-300人 3-5；300以上 5-10."""
    assert NEPU.organizer_bands == (
        OrganizerBand(minimum=0, maximum=1, up_to_capacity=50),
        OrganizerBand(minimum=1, maximum=3, up_to_capacity=150),
        OrganizerBand(minimum=3, maximum=5, up_to_capacity=300),
        OrganizerBand(minimum=5, maximum=10, up_to_capacity=None),
    )


def test_at_most_ten_organizers() -> None:
    """发布规范 四: 活动最多设置10位组织者."""
    assert NEPU.max_organizers == 10


def test_credit_source_must_cite_the_quality_assessment_rubric() -> None:
    """发布规范 六: 必须体现出第二课堂活动学分奖励来源（《…学生素质考评办法》）."""
    assert NEPU.credit_source_keyword == "素质考评办法"


def test_school_title_prefixes_and_allowed_hosts() -> None:
    """发布规范 一 (校级前缀 东北石油大学/校) and 十七 (no ads; the school's own sites are fine)."""
    assert NEPU.title.school_prefixes == ("东北石油大学", "校")
    assert "全国" in NEPU.title.external_prefixes
    assert NEPU.ads.allowed_url_hosts == ("nepu.edu.cn", "5idream.net")


def test_nepu_preset_loads_no_calendar_years() -> None:
    """Working days come from the packaged official calendar unless a year is loaded."""
    assert NEPU.calendar == ()
    assert NEPU.year(2026) is None


def test_unknown_preset_is_an_invalid_rulebook() -> None:
    with pytest.raises(DomainError) as caught:
        preset("harvard")
    assert caught.value.code == "rulebook.invalid"
    assert "nepu" in caught.value.details["reason"]


@pytest.mark.parametrize("name", ["../presets/nepu", "presets/../nepu", "/etc/passwd", "nepu.toml"])
def test_a_preset_name_is_a_name_not_a_path(name: str) -> None:
    """Given a name that walks the file system, when looked up, then it is no preset."""
    with pytest.raises(DomainError) as caught:
        preset(name)
    assert caught.value.code == "rulebook.invalid"
    assert caught.value.details["reason"].startswith(f"unknown preset {name!r}")


# -- TOML round trip ---------------------------------------------------------------------------


def test_to_toml_then_from_toml_gives_an_equal_rulebook() -> None:
    assert Rulebook.from_toml(NEPU.to_toml()) == NEPU


def test_save_then_load_gives_an_equal_rulebook(tmp_path: Path) -> None:
    path = tmp_path / "school.toml"
    NEPU.save(path)
    assert Rulebook.load(path) == NEPU
    assert Rulebook.load(str(path)) == NEPU


SAVE_AND_LOAD = """
import sys
from second_classroom.policies.rulebook import Rulebook, preset
preset("nepu").save(sys.argv[1])
assert Rulebook.load(sys.argv[1]) == preset("nepu")
"""


def test_a_rulebook_file_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """A school's rulebook is full of Chinese; an ASCII (or GBK) locale must not mangle it."""
    # only in a child process: mutmut cannot switch a child to a mutant (docs/testing.md), so
    # this test calls nothing here it could map to a mutant, and it is not re-run per mutant
    path = tmp_path / "school.toml"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),  # this very code, wherever it was imported from
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
    }
    subprocess.run([sys.executable, "-c", SAVE_AND_LOAD, str(path)], env=env, check=True)
    assert "东北石油大学" in path.read_bytes().decode("utf-8")


def test_a_loaded_calendar_year_survives_the_round_trip() -> None:
    rulebook = attrs.evolve(
        NEPU,
        calendar=(YearCalendar(2027, holidays=(date(2027, 1, 1),), workdays=(date(2027, 2, 7),)),),
    )
    assert Rulebook.from_toml(rulebook.to_toml()) == rulebook


def test_calendar_dates_may_be_written_as_iso_strings() -> None:
    text = PRESET_SOURCE + '\n[[calendar]]\nyear = 2027\nholidays = ["2027-01-01"]\n'
    assert Rulebook.from_toml(text).year(2027) == YearCalendar(2027, (date(2027, 1, 1),))


# Codes and names a rulebook accepts: printable, not blank (codes: one word).
_WORD = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"]),
    min_size=1,
    max_size=12,
)


@st.composite
def year_calendars(draw: st.DrawFn) -> tuple[YearCalendar, ...]:
    years = draw(st.lists(st.integers(2000, 2100), unique=True, max_size=3))
    calendars = []
    for year in sorted(years):
        days = st.dates(date(year, 1, 1), date(year, 12, 31))
        holidays = draw(st.lists(days, unique=True, max_size=5))
        workdays = draw(st.lists(days, unique=True, max_size=3))
        calendars.append(YearCalendar(year, tuple(holidays), tuple(workdays)))
    return tuple(calendars)


@st.composite
def rulebooks(draw: st.DrawFn) -> Rulebook:
    return attrs.evolve(
        NEPU,
        school=draw(_WORD),
        modules=tuple(draw(st.lists(st.builds(Module, _WORD, _WORD), max_size=4))),
        credit_types=tuple(draw(st.lists(_WORD, max_size=3))),
        lead_working_days=draw(st.integers(0, 30)),
        max_organizers=draw(st.integers(0, 100)),
        review_requires_criteria=draw(st.booleans()),
        require_poster=draw(st.booleans()),
        credit_source_keyword=draw(_WORD | st.just("")),
        reopen_review_on_change=draw(st.booleans()),
        publisher_exam_pass_score=draw(st.integers(0, 100)),
        calendar=draw(year_calendars()),
        # the nested tables too, not only the top-level scalars
        colleges=tuple(draw(st.lists(st.builds(College, _WORD, _WORD), max_size=3))),
        **draw(chains_and_permissions()),
        organizer_bands=draw(organizer_bands()),
        title=TitleRule(
            draw(st.integers(1, 200)),
            tuple(draw(st.lists(_WORD, max_size=3))),
            tuple(draw(st.lists(_WORD, max_size=3))),
            draw(st.booleans()),
        ),
        scopes=draw(_tuples(ParticipationScope)),
        admission_methods=draw(_tuples(AdmissionMethod)),
        ads=AdRule(draw(st.booleans()), tuple(draw(st.lists(_WORD, max_size=3)))),
        checkin=draw(checkin_rules()),
        integrity=draw(integrity_rules()),
        results=draw(results_rules()),
        cadre=CadreRule(),  # NEPU's names its module and credit type, which are drawn anew
    )


_LEVELS = st.sampled_from(NEPU.level_codes())
_AMOUNTS = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


def _tuples(kind: type[Enum]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(st.sampled_from(list(kind)), unique=True, max_size=len(kind)).map(tuple)


@st.composite
def chains_and_permissions(draw: st.DrawFn) -> dict[str, Any]:
    """Review chains for some levels; permissions that publish only levels with a chain."""
    levels = draw(st.lists(_LEVELS, unique=True, max_size=len(NEPU.activity_levels)))
    stages = _tuples(ReviewStage).filter(bool)
    chains = tuple(ReviewChain(level, draw(stages)) for level in levels)
    chained = st.lists(st.sampled_from(levels), unique=True).map(tuple) if levels else st.just(())
    permissions = st.builds(LevelPermission, st.sampled_from(TribeLevel), chained)
    return {
        "review_chains": chains,
        "level_permissions": tuple(draw(st.lists(permissions, max_size=3))),
    }


@st.composite
def organizer_bands(draw: st.DrawFn) -> tuple[OrganizerBand, ...]:
    """Bands rising strictly by capacity, the open band last."""
    bounds = sorted(draw(st.sets(st.integers(1, 1000), max_size=3)))
    bands = []
    for bound in [*bounds, None]:
        minimum = draw(st.integers(0, 10))
        bands.append(OrganizerBand(minimum, draw(st.integers(minimum, 20)), bound))
    return tuple(bands)


@st.composite
def checkin_rules(draw: st.DrawFn) -> CheckInRule:
    return CheckInRule(
        max_validity_minutes=draw(st.integers(1, 24 * 60)),
        rotation_seconds=draw(st.integers(5, 3_600)),
        require_distance_limit=draw(st.booleans()),
        max_accuracy_m=draw(st.integers(1, 10_000)),
        require_checkout=draw(st.booleans()),
        missing_checkout=draw(st.sampled_from(MissingCheckout)),
        makeup_deadline_working_days=draw(st.none() | st.integers(0, 30)),
        anomaly_window_seconds=draw(st.integers(0, 120)),
        password_attempts=draw(st.integers(1, 1_000)),
        allow_self_makeup=draw(st.booleans()),
        max_radius_m=draw(st.integers(1, 20_000_000)),
    )


@st.composite
def integrity_rules(draw: st.DrawFn) -> IntegrityRule:
    points = st.integers(1, 100).map(str) | st.sampled_from(["1/3", "2/5", "0.5"])
    return IntegrityRule(
        style=draw(st.sampled_from(IntegrityStyle)),
        blacklist_hours=draw(st.integers(0, 1000)),
        sign_off_is_default=draw(st.booleans()),
        start_points=draw(st.integers(0, 1000)),
        no_show_points=draw(st.integers(0, 100)),
        sign_off_points=draw(st.integers(0, 100)),
        strikes_for_blacklist=draw(st.integers(1, 10)),
        strike_blacklist_days=draw(st.integers(0, 100)),
        recovery=tuple(draw(st.lists(st.builds(Recovery, _LEVELS, points), max_size=3))),
    )


@st.composite
def results_rules(draw: st.DrawFn) -> ResultsRule:
    return ResultsRule(
        award_quotas=tuple(
            draw(st.lists(st.builds(AwardQuota, _WORD, st.integers(1, 100)), max_size=4))
        ),
        rubric=tuple(
            draw(st.lists(st.builds(RubricItem, _WORD, _LEVELS, _WORD, _AMOUNTS), max_size=4))
        ),
        credits_require_attendance=draw(st.booleans()),
        deadline_working_days=draw(st.none() | st.integers(0, 30)),
        allow_self_results=draw(st.booleans()),
        multiple_awards_per_student=draw(st.booleans()),
        organizers_issue_results=draw(st.booleans()),
    )


# a whole rulebook per example: drawing one is slow on a loaded machine, not a test defect
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulebooks())
def test_any_rulebook_round_trips_through_toml(rulebook: Rulebook) -> None:
    assert Rulebook.from_toml(rulebook.to_toml()) == rulebook


# -- malformed rulebooks -------------------------------------------------------------------------


def test_the_preset_source_itself_is_valid() -> None:
    assert Rulebook.from_toml(PRESET_SOURCE) == NEPU


def test_a_preset_source_is_the_packaged_file_as_written() -> None:
    """The commented TOML a school copies: the packaged file's text, comments and all."""
    assert preset_source("nepu") == PRESET_SOURCE
    assert preset_source("hfut").startswith("#")
    with pytest.raises(DomainError) as caught:
        preset_source("../nepu")
    assert caught.value.details["reason"] == (f"unknown preset '../nepu'; known: {list(presets())}")


def test_a_rulebook_file_is_at_most_a_mebibyte_of_utf8(tmp_path: Path) -> None:
    """A file one byte over the cap is refused for its size, before it is read as TOML; one
    of exactly the cap is read (and refused here for what it lacks, not for its size); bytes
    that are not UTF-8 name the first bad byte."""
    over = tmp_path / "over.toml"
    over.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(DomainError) as caught:
        Rulebook.load(over)
    assert caught.value.details["reason"] == "the file is larger than 1048576 bytes"
    exact = tmp_path / "exact.toml"
    exact.write_bytes(b"#" * MAX_FILE_BYTES)
    with pytest.raises(DomainError) as caught:
        Rulebook.load(exact)
    assert "larger" not in caught.value.details["reason"]
    assert "school" in caught.value.details["reason"]
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"# \xe6\x9d\n\xff")
    with pytest.raises(DomainError) as caught:
        Rulebook.load(binary)
    assert caught.value.details["reason"] == "the file is not UTF-8 text (byte 2)"


@pytest.mark.parametrize(
    ("hint", "is_list"),
    [
        (tuple[int, ...], True),
        (tuple[str, ...], True),
        (tuple[int, int], False),
        (tuple[int], False),
        (tuple, False),
        (list[int], False),
        (frozenset[int], False),
        (int, False),
    ],
)
def test_a_rulebook_list_is_a_tuple_of_any_length(hint: object, is_list: bool) -> None:
    """The converter reads a TOML array into ``tuple[X, ...]`` fields only."""
    assert _is_sequence(hint) is is_list


@pytest.mark.parametrize(
    ("changed", "problems"),
    [
        ({"ids": 1}, []),
        ({"ids": 512}, []),
        # 学号 and 工号 are index keys of the read models (who acted, who registered)
        ({"ids": 513}, ["limits.ids must be at most 512"]),
        ({"proofs": 1_000_000}, []),
        ({"ids": 0}, ["limits lengths must be 1-1000000"]),
        ({"names": 1_000_001}, ["limits lengths must be 1-1000000"]),
        ({"titles": 0}, ["limits lengths must be 1-1000000"]),
        ({"details": 0}, ["limits lengths must be 1-1000000"]),
        ({"reasons": 0}, ["limits lengths must be 1-1000000"]),
        ({"proofs": 0}, ["limits lengths must be 1-1000000"]),
        ({"items": 1, "people": 1}, []),
        ({"items": 100_000, "people": 1_000_000}, []),
        ({"items": 0}, ["limits.items must be 1-100000 and limits.people 1-1000000"]),
        ({"people": 1_000_001}, ["limits.items must be 1-100000 and limits.people 1-1000000"]),
    ],
)
def test_limits_lengths_and_counts_have_bounds(
    changed: dict[str, Any], problems: list[str]
) -> None:
    """Every text kind is 1 to 10⁶ characters, an id at most 512 (an index key of the read
    models); a list 1 to 10⁵ items, of people 1 to 10⁶."""
    assert attrs.evolve(Limits(), **changed).problems() == problems


def test_malformed_toml_is_refused() -> None:
    error = refused(PRESET_SOURCE + "\nthis is = = not toml\n")
    assert "Expected '=' after a key" in error.details["reason"]  # the parser's own words


def test_empty_text_is_refused_for_missing_fields() -> None:
    error = refused("")
    assert "school" in error.details["reason"]


def test_an_unknown_top_level_key_is_refused() -> None:
    error = refused("colour = 'red'\n" + PRESET_SOURCE)
    assert error.details["reason"] == "extra fields found (colour) @ $"


def test_an_unknown_nested_key_is_refused() -> None:
    error = refused(edited("max_length = 60", "max_length = 60\nmin_length = 2"))
    assert error.details["reason"] == "extra fields found (min_length) @ $.title"


def test_a_misspelt_table_is_refused() -> None:
    refused(edited("[title]", "[titel]"))


def test_an_unknown_review_stage_is_refused() -> None:
    refused(edited('stages = ["tribe", "school"]', 'stages = ["tribe", "dean"]'))


def test_an_unknown_activity_level_is_refused() -> None:
    refused(edited('level = "class"', 'level = "faculty"'))


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        pytest.param(
            "lead_working_days = 3",
            'lead_working_days = "three"',
            "expected int, got str 'three' @ $.lead_working_days",
            id="text-for-int",
        ),
        pytest.param(
            "lead_working_days = 3",
            "lead_working_days = true",
            "expected int, got bool True @ $.lead_working_days",
            id="bool-for-int",
        ),
        pytest.param(
            "max_length = 60",
            "max_length = [60]",
            "expected int, got list [60] @ $.title.max_length",
            id="list-for-int",
        ),
        pytest.param(
            'credit_types = ["学分"]',
            "credit_types = 1",
            "expected a list, got int 1 @ $.credit_types",
            id="int-for-list",
        ),
        pytest.param(
            'credit_types = ["学分"]',
            "credit_types = [1]",
            "expected str, got int 1 @ $.credit_types[0]",
            id="int-in-a-list-of-text",
        ),
        pytest.param(
            "year = 2027",
            'year = "next"',
            "expected int, got str 'next' @ $.calendar[0].year",
            id="text-for-year",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(old: str, new: str, reason: str) -> None:
    """A rulebook value is never coerced; the reason names the value and where it is."""
    text = PRESET_SOURCE + "\n[[calendar]]\nyear = 2027\n"
    assert refused(text.replace(old, new, 1)).details["reason"] == reason


@pytest.mark.parametrize(
    "text", ["1e999", "1E+2", " 8", "8 ", "1_000", "NaN", "Infinity", "+8", ".5", "8."]
)
def test_a_decimal_not_written_plainly_is_refused(text: str) -> None:
    """Given a rulebook whose decimal (``hours.per_day``) is text ``Decimal()`` would read but
    not plain digits with an optional point (an exponent: "1e999" is finite and passes the
    bounds that compare it); when it is loaded; then it is refused, naming the value."""
    edited = PRESET_SOURCE.replace('per_day = "8"', f'per_day = "{text}"', 1)
    assert edited != PRESET_SOURCE
    reason = str(refused(edited).details["reason"])
    assert "not a plain decimal" in reason
    assert repr(text) in reason


def test_a_table_given_as_a_number_is_refused() -> None:
    """``ads = 5`` instead of an ``[ads]`` table."""
    without_ads = PRESET_SOURCE.split("[ads]")[0]
    error = refused(
        without_ads.replace("lead_working_days = 3", "lead_working_days = 3\nads = 5", 1)
    )
    assert error.details["reason"] == "invalid value for type, expected AdRule @ $.ads"


def test_a_date_that_is_not_a_date_is_refused() -> None:
    error = refused(PRESET_SOURCE + '\n[[calendar]]\nyear = 2027\nholidays = ["not-a-date"]\n')
    assert error.details["reason"] == (
        "Invalid isoformat string: 'not-a-date' @ $.calendar[0].holidays[0]"
    )
    number = refused(PRESET_SOURCE + "\n[[calendar]]\nyear = 2027\nholidays = [5]\n")
    assert number.details["reason"] == "expected a date, got int 5 @ $.calendar[0].holidays[0]"


def test_text_for_a_boolean_is_refused() -> None:
    error = refused(edited("require_poster = true", 'require_poster = "false"'))
    assert error.details["reason"] == "expected bool, got str 'false' @ $.require_poster"


def test_a_fraction_for_a_whole_number_is_refused() -> None:
    error = refused(edited("lead_working_days = 3", "lead_working_days = 2.9"))
    assert error.details["reason"] == "expected int, got float 2.9 @ $.lead_working_days"


def test_text_for_a_list_is_refused() -> None:
    error = refused(edited('credit_types = ["学分"]', 'credit_types = "学分"'))
    assert error.details["reason"] == "expected a list, got str '学分' @ $.credit_types"


def test_a_datetime_for_a_calendar_date_is_refused() -> None:
    error = refused(
        PRESET_SOURCE + "\n[[calendar]]\nyear = 2027\nholidays = [2027-01-01T10:00:00]\n"
    )
    assert error.details["reason"] == (
        "expected a date, got a date-time datetime.datetime(2027, 1, 1, 10, 0)"
        " @ $.calendar[0].holidays[0]"
    )


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("2.5", "expected a decimal as text or a whole number, got 2.5"),
        ('"two"', "not a plain decimal (digits, an optional point): 'two'"),
        ("true", "expected a decimal as text or a whole number, got True"),
    ],
    ids=["float", "words", "boolean"],
)
def test_a_rubric_amount_is_decimal_text_or_a_whole_number(amount: str, reason: str) -> None:
    """A float would carry binary rounding into credits; text like "2.5" is exact."""
    error = refused(edited('max_amount = "2"', f"max_amount = {amount}"))
    assert error.details["reason"] == f"{reason} @ $.results.rubric[0].max_amount"
    whole = Rulebook.from_toml(edited('max_amount = "2"', "max_amount = 2"))
    assert whole.results.max_credit("ideology", ActivityLevel.SCHOOL, "学分") == Decimal(2)


def test_a_bad_item_of_an_array_is_named_by_its_index() -> None:
    """Given a rulebook whose second credit type and first holiday of its second calendar are
    not what they should be, then each is named with its place in its array (and its table's
    place in the array of tables), both at once."""
    text = edited('credit_types = ["学分"]', 'credit_types = ["学分", 2]')
    text += "\n[[calendar]]\nyear = 2027\n\n[[calendar]]\nyear = 2028\nholidays = [5]\n"
    assert refused(text).details["reason"] == (
        "expected str, got int 2 @ $.credit_types[1]; "
        "expected a date, got int 5 @ $.calendar[1].holidays[0]"
    )


def test_a_number_for_a_table_of_an_array_of_tables_names_the_table_expected() -> None:
    """Given ``calendar = [5]`` — a number where a year's calendar table belongs — then the
    reason names the item and the kind of table it should be, as for a lone table."""
    error = refused("calendar = [5]\n" + PRESET_SOURCE)
    assert error.details["reason"] == (
        "invalid value for type, expected YearCalendar @ $.calendar[0]"
    )


def test_a_refusals_traceback_names_each_bad_item_of_an_array() -> None:
    """Given a rulebook whose credit types hold two numbers, then the refusal's traceback
    (what a log shows of its cause) groups them as "invalid items" and marks each with its
    index, as the reason does."""
    error = refused(edited('credit_types = ["学分"]', 'credit_types = ["学分", 2, 3]'))
    printed = "".join(traceback.format_exception(error))
    lines = [line.strip(" |+-") for line in printed.splitlines()]
    assert "cattrs.errors.IterableValidationError: invalid items (2 sub-exceptions)" in lines
    assert lines.index("ValueError: expected str, got int 2") + 1 == lines.index("item 1")
    assert lines.index("ValueError: expected str, got int 3") + 1 == lines.index("item 2")


def test_every_malformed_value_is_named_at_once() -> None:
    text = edited("lead_working_days = 3", "lead_working_days = 2.9").replace(
        "require_poster = true", 'require_poster = "false"', 1
    )
    assert refused(text).details["reason"] == (
        "expected int, got float 2.9 @ $.lead_working_days; "
        "expected bool, got str 'false' @ $.require_poster"
    )


def test_the_hfut_preset_is_its_own_school() -> None:
    """合肥工业大学 (seed 002): its own name, colleges and site; 补录 of a lecture within 5
    working days (一 2) 报告讲座类…5个工作日内及时补录), of no other category; points-style
    integrity."""
    from second_classroom.policies.publishing import Host, check_title
    from second_classroom.policies.rulebook import IntegrityStyle

    hfut = preset("hfut")
    assert hfut.school == "合肥工业大学"
    assert hfut.makeup_working_days("lecture") == 5
    assert hfut.makeup_working_days("competition") is None
    assert hfut.integrity.style is IntegrityStyle.POINTS
    assert "nepu.edu.cn" not in hfut.ads.allowed_url_hosts
    host = Host("校学生会", TribeLevel.SCHOOL, None, None)
    assert (
        list(check_title(hfut, "合肥工业大学第十届“挑战杯”宣讲会", ActivityLevel.SCHOOL, host))
        == []
    )
    assert list(check_title(hfut, "东北石油大学迎新晚会", ActivityLevel.SCHOOL, host))


def test_a_rotation_below_five_seconds_or_negative_integrity_numbers_are_refused() -> None:
    """A code turning faster than 5 s cannot be scanned; a negative penalty would reward a
    no-show: both refused with the bound they break."""
    with pytest.raises(DomainError) as rotation:
        attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, rotation_seconds=4))
    assert rotation.value.code == "rulebook.invalid"
    assert rotation.value.details == {"reason": "checkin.rotation_seconds must be 5-3600"}
    with pytest.raises(DomainError) as points:
        attrs.evolve(NEPU, integrity=attrs.evolve(NEPU.integrity, no_show_points=-1))
    assert points.value.code == "rulebook.invalid"
    assert points.value.details == {"reason": "integrity.no_show_points must be 0-1000000"}


# -- every number and code bounded (review finding 6) ---------------------------------------------

HUGE = 2**63 - 1


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            "blacklist_hours = 120",
            f"blacklist_hours = {HUGE}",
            "integrity.blacklist_hours must be 0-87840",
        ),
        (
            "blacklist_hours = 120",
            "blacklist_hours = 120\nstrike_blacklist_days = 4000",
            "integrity.strike_blacklist_days must be 0-3660",
        ),
        (
            "blacklist_hours = 120",
            f"blacklist_hours = 120\nstart_points = {HUGE}",
            "integrity.start_points must be 0-1000000",
        ),
        (
            "max_organizers = 10",
            "max_organizers = -1",
            "max_organizers must be 0-1000",
        ),
        (
            "max_organizers = 10",
            "max_organizers = 100000",
            "max_organizers must be 0-1000",
        ),
        (
            "max_validity_minutes = 10",
            f"max_validity_minutes = {HUGE}",
            "checkin.max_validity_minutes must be 1-1440",
        ),
        (
            "password_attempts = 5",
            f"password_attempts = {HUGE}",
            "checkin.password_attempts must be 1-1000",
        ),
        (
            "max_radius_m = 5000",
            "max_radius_m = 0",
            "checkin.max_radius_m must be 1-20000000",
        ),
        (
            "max_activity_hours = 744",
            f"max_activity_hours = {HUGE}",
            "limits.max_activity_hours must be 1-87840",
        ),
        (
            "people = 5000",
            "people = 0",
            "limits.items must be 1-100000 and limits.people 1-1000000",
        ),
        (
            "items = 200",
            f"items = {HUGE}",
            "limits.items must be 1-100000 and limits.people 1-1000000",
        ),
        (
            "proofs = 2048",
            f"proofs = {HUGE}",
            "limits lengths must be 1-1000000",
        ),
        (
            'max_credit = "100"',
            'max_credit = "1000000.01"',
            "limits.max_credit must be finite, > 0 and ≤ 1000000",
        ),
        (
            'code = "ideology"',
            'code = ""',
            "module code '' must be one printable word of at most 64 characters",
        ),
        (
            'code = "ideology"',
            'code = "ide\\u0000ology"',
            "module code 'ide\\x00ology' must be one printable word of at most 64 characters",
        ),
        (
            'code = "ideology"',
            'code = "ide ology"',
            "module code 'ide ology' must be one printable word of at most 64 characters",
        ),
        (
            'name = "思想成长"',
            'name = "  "',
            "name '  ' must be printable and not blank",
        ),
        (
            'code = "PE"',
            'code = ""',
            "college code '' must be one printable word of at most 64 characters",
        ),
        (
            'code = "PE"',
            'code = "P\\u200bE"',
            "college code 'P\\u200bE' must be one printable word of at most 64 characters",
        ),
        (
            "quota = 1",
            f"quota = {HUGE}",
            "results quota of 一等奖 must be 1-100000",
        ),
    ],
)
def test_a_number_or_code_out_of_bounds_is_refused_when_loaded(
    old: str, new: str, reason: str
) -> None:
    """Given a preset with one number beyond what the library can compute with (2**63-1
    hours once raised OverflowError in every reaction), a negative count, or an empty or
    invisible code, when it is loaded, then ``rulebook.invalid`` — not a failure later — and
    the reason is the problem itself, not cattrs' "unknown error"."""
    assert refused(edited(old, new)).details["reason"] == f"{reason} @ $"


def test_title_max_length_is_bounded() -> None:
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, title=attrs.evolve(NEPU.title, max_length=-1))
    assert "title.max_length" in caught.value.details["reason"]


@pytest.mark.parametrize("points", ["1e5000000", "1/0", "-1", "x", "NaN", "1" * 40, "2000000"])
def test_recovery_points_are_read_only_from_a_plain_number_or_fraction(points: str) -> None:
    """Given recovery points "1e5000000" (Fraction once took 8 s to read it), when the rulebook
    is built, then it is refused at once, by the text's form."""
    import time

    from second_classroom.core.terms import ActivityLevel as Level
    from second_classroom.policies.rulebook import Recovery

    rule = attrs.evolve(NEPU.integrity, recovery=(Recovery(Level.SCHOOL, points),))
    started = time.monotonic()
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, integrity=rule)
    assert time.monotonic() - started < 0.5
    assert "recovery points" in caught.value.details["reason"]


@pytest.mark.parametrize(
    ("cadre", "problems"),
    [
        (
            CadreRule(
                "工作履历", "学分", credits=(RatingCredit(CadreRating.EXCELLENT, Decimal(1)),)
            ),
            [],
        ),
        (CadreRule(), []),
        (CadreRule("工作", "学分"), ["cadre.module '工作' is not a module"]),
        (CadreRule("工作履历", "积分"), ["cadre.credit_type '积分' is not in credit_types"]),
        (
            CadreRule("工作履历", credits=(RatingCredit(CadreRating.EXCELLENT, Decimal(1)),)),
            ["cadre.credits need cadre.module and cadre.credit_type"],
        ),
        (
            CadreRule(
                credit_type="学分", credits=(RatingCredit(CadreRating.EXCELLENT, Decimal(1)),)
            ),
            ["cadre.credits need cadre.module and cadre.credit_type"],
        ),
    ],
)
def test_cadre_credits_name_a_module_and_credit_type_of_the_school(
    cadre: CadreRule, problems: list[str]
) -> None:
    """002 一 3), 001 第四条: a rating earns credits only under a module and credit type the
    school has."""
    assert cadre.problems(("工作履历",), ("学分",)) == problems


# -- what the rest of the library asks a rulebook ---------------------------------------------


def test_a_category_is_found_by_its_code_within_its_module() -> None:
    """001 附件4 活动二级分类: a category belongs to one module."""
    found = NEPU.category("ideology", "ideals")
    assert found is not None
    assert (found.code, found.name) == ("ideals", "理想信念主题教育")
    assert NEPU.category("ideology", "理想信念主题教育") is None  # by code, not by name
    assert NEPU.category("ideology", "lecture") is None
    assert NEPU.category("no-such-module", "ideals") is None


def test_a_subcategory_is_found_by_its_name_or_its_code() -> None:
    """附件4 writes the category's name; commands carry its code."""
    qtnu = preset("qtnu")
    module = qtnu.module("network_culture")
    assert module is not None
    by_name = module.subcategory("网络文化创新实践")
    assert by_name is not None
    assert by_name.code == "creative_practice"
    assert module.subcategory("creative_practice") == by_name
    assert module.subcategory("网络主题讲座") == module.subcategory("lecture")
    assert module.subcategory("讲座") is None


def test_an_activity_level_is_found_by_its_label_or_its_code() -> None:
    """A 补录 claim and an 附件4 row name the level as the seed writes it (校级, 院系级 …)."""
    assert NEPU.activity_level("院系级") == ActivityLevel.COLLEGE
    assert NEPU.activity_level("college") == ActivityLevel.COLLEGE
    assert NEPU.activity_level("国家级") is None  # a level NEPU does not use
    assert preset("shcc").activity_level("国家级") == ActivityLevel.NATIONAL
    assert NEPU.level_names() == ("校级", "院系级", "班团")
    assert preset("shcc").level_names() == ("国家级", "省部级", "校级", "院系级")


def test_a_credit_type_counts_in_its_unit_or_in_itself() -> None:
    """hfut (seed 002) counts 积分 in 分; a type without a unit counts in itself."""
    hfut = preset("hfut")
    assert hfut.unit("积分") == "分"
    assert hfut.unit("学时") == "学时"
    assert hfut.unit("学分") == "学分"
    assert NEPU.unit("学分") == "学分"


def test_a_day_falls_in_the_listed_term_with_its_first_and_last_day() -> None:
    hfut = preset("hfut")
    [first, *_] = hfut.terms
    assert hfut.term(first.starts) == first
    assert hfut.term(first.ends) == first
    assert hfut.term(date(2026, 8, 30)) is None
    assert NEPU.term(first.starts) is None  # NEPU lists no term


def test_a_role_is_the_schools_own_title_or_unused() -> None:
    hfut = preset("hfut")
    assert hfut.role_name(RoleKind.TRIBE_LEADER) == "主账号负责人"
    assert NEPU.role_name(RoleKind.TRIBE_LEADER) == "部落负责人"
    assert NEPU.role_name(RoleKind.ACADEMIC_AFFAIRS) is None


def test_an_actor_holding_a_role_the_school_does_not_use_is_refused() -> None:
    """NEPU has no 教务处 or 指导老师 role; the system actor is always allowed."""
    staff = Actor(
        "T-1",
        frozenset(
            {
                Role.college_admin("PE"),
                Role(RoleKind.ADVISOR, None),
                Role(RoleKind.ACADEMIC_AFFAIRS, None),
            }
        ),
    )
    assert NEPU.unused_roles(staff) == (RoleKind.ACADEMIC_AFFAIRS, RoleKind.ADVISOR)
    with pytest.raises(DomainError) as caught:
        NEPU.require_roles(staff)
    assert caught.value.code == "auth.role_not_used"
    assert caught.value.details == {"roles": "academic_affairs、advisor"}
    assert NEPU.unused_roles(Actor.system()) == ()
    NEPU.require_roles(Actor.college_admin("T-1", "PE"))  # a role NEPU uses: no refusal
    assert NEPU.unused_roles(Actor.college_admin("T-1", "PE")) == ()
    # a rulebook that lists no roles uses them all
    assert attrs.evolve(NEPU, roles=()).unused_roles(staff) == ()


def test_a_cadre_rating_has_its_cap_and_credit_or_none() -> None:
    """002 一 3): hfut caps 优秀 at 30 % and credits 2 for 优秀, 1.5 for 称职."""
    cadre = preset("hfut").cadre
    assert cadre.cap(CadreRating.EXCELLENT) == Decimal("0.3")
    assert cadre.cap(CadreRating.COMPETENT) is None
    assert cadre.credit(CadreRating.EXCELLENT) == Decimal(2)
    assert cadre.credit(CadreRating.COMPETENT) == Decimal("1.5")
    assert cadre.credit(CadreRating.INCOMPETENT) == Decimal(0)


def test_the_seal_is_the_png_the_rulebook_carries() -> None:
    """002 二 4) 线下打印: the seal's bytes, or none."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 0, 0, 180)).save(buffer, "PNG")
    sealed = attrs.evolve(NEPU, seal_png=base64.b64encode(buffer.getvalue()).decode())
    assert sealed.seal_image() == buffer.getvalue()
    assert NEPU.seal_image() is None


def test_an_activity_level_prints_by_its_name_or_as_its_code() -> None:
    """A record kept from before the school dropped a level still prints, under its code."""
    assert NEPU.level_name(ActivityLevel.COLLEGE) == "院系级"
    assert NEPU.level_name("provincial") == "provincial"
    assert NEPU.level_codes() == ("school", "college", "class")
    assert preset("shcc").level_codes() == ("national", "provincial", "school", "college")


def test_a_category_window_wins_over_its_modules_and_the_rulebook_wide_deadline() -> None:
    """002 一 2) 竞赛类活动、志愿服务活动…10个工作日内务必上传认定成绩; 报告讲座类…5个工作日内
    及时补录: a category's window wins over its module's; a deadline a window leaves out is the
    rulebook-wide one; 0 working days is a deadline, not none."""
    rulebook = attrs.evolve(
        NEPU,
        results=attrs.evolve(NEPU.results, deadline_working_days=7),
        checkin=attrs.evolve(NEPU.checkin, makeup_deadline_working_days=2),
        windows=(
            CategoryWindow("ideology", results_working_days=10),
            CategoryWindow("ideology", "ideals", results_working_days=4, makeup_working_days=5),
            CategoryWindow("innovation", results_working_days=0),
            CategoryWindow("culture_sports", makeup_working_days=0),
        ),
    )
    assert rulebook.results_working_days("ideology") == 10
    assert rulebook.results_working_days("ideology", "ideals") == 4
    assert rulebook.results_working_days("ideology", "other") == 10
    assert rulebook.results_working_days("innovation") == 0
    assert rulebook.results_working_days("culture_sports") == 7
    assert rulebook.results_working_days("skills") == 7
    assert rulebook.makeup_working_days("ideology", "ideals") == 5
    assert rulebook.makeup_working_days("ideology") == 2
    assert rulebook.makeup_working_days("culture_sports") == 0
    assert rulebook.makeup_working_days("innovation") == 2
    assert rulebook.window("skills") is None
    assert rulebook.window("ideology", "ideals") == CategoryWindow("ideology", "ideals", 4, 5)
    assert rulebook.window("ideology", "") == CategoryWindow("ideology", "", 10)


SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("starts", "ends", "hours"),
    [
        # 002 一 4) 一天按8学时记录: three days touched, 8 each, not the 58 hours between
        (datetime(2026, 12, 3, 8, tzinfo=SH), datetime(2026, 12, 5, 18, tzinfo=SH), "24.00"),
        (datetime(2026, 12, 3, 14, tzinfo=SH), datetime(2026, 12, 3, 16, tzinfo=SH), "2.00"),
        # crossing midnight adds no day's 8: 10 + 10 minutes, to two places
        (datetime(2026, 12, 3, 23, 50, tzinfo=SH), datetime(2026, 12, 4, 0, 10, tzinfo=SH), "0.33"),
        # Shanghai's days, whatever the zone given: 23:00-13:00 is 1 + 8 (UTC's days: 8 + 5)
        (datetime(2026, 12, 2, 15, tzinfo=UTC), datetime(2026, 12, 3, 5, tzinfo=UTC), "9.00"),
        # exactly one whole day is 8, the next midnight touches the next day for nothing
        (datetime(2026, 12, 3, tzinfo=SH), datetime(2026, 12, 4, tzinfo=SH), "8.00"),
        (datetime(2026, 12, 3, 16, tzinfo=SH), datetime(2026, 12, 3, 14, tzinfo=SH), "0.00"),
    ],
)
def test_the_hours_of_a_span_count_each_shanghai_day_at_most_its_hours(
    starts: datetime, ends: datetime, hours: str
) -> None:
    result = HoursRule().of(starts, ends)
    assert (result, str(result)) == (Decimal(hours), hours)


def test_a_school_may_count_another_number_of_hours_a_day() -> None:
    six = HoursRule(Decimal(6))
    # 16 hours of the first day count 6, 3 of the second 3
    assert six.of(datetime(2026, 12, 3, 8, tzinfo=SH), datetime(2026, 12, 4, 3, tzinfo=SH)) == (
        Decimal("9.00")
    )
    assert six.of(datetime(2026, 12, 3, 14, tzinfo=SH), datetime(2026, 12, 3, 19, tzinfo=SH)) == (
        Decimal("5.00")
    )


def test_the_days_of_a_practice_count_both_ends() -> None:
    assert HoursRule.days(date(2026, 7, 10), date(2026, 7, 12)) == 3
    assert HoursRule.days(date(2026, 7, 10), date(2026, 7, 10)) == 1


@pytest.mark.parametrize(
    ("rule", "problems"),
    [
        (PracticeRule(), []),
        (PracticeRule("practice", credit_type="学分", tribe_levels=("school", "class")), []),
        (PracticeRule("ideology", "ideals"), []),
        (PracticeRule("practise"), ["practice.module 'practise' is not a module"]),
        (
            PracticeRule("ideology", "lecture"),
            ["practice.category 'lecture' is not a category of its module"],
        ),
        (  # a category of another module
            PracticeRule("innovation", "ideals"),
            ["practice.category 'ideals' is not a category of its module"],
        ),
        (
            PracticeRule(category="ideals"),
            ["practice.category 'ideals' is not a category of its module"],
        ),
        (
            PracticeRule("practise", "ideals"),
            [
                "practice.module 'practise' is not a module",
                "practice.category 'ideals' is not a category of its module",
            ],
        ),
        (
            PracticeRule("practice", credit_type="学时"),
            ["practice.credit_type '学时' is not in credit_types"],
        ),
        (
            PracticeRule(credit_type="学分"),
            ["practice.credit_type needs practice.module"],
        ),
        (
            PracticeRule(tribe_levels=("school", "province", "class", "")),
            [
                "practice.tribe_levels 'province' is not a tribe level",
                "practice.tribe_levels '' is not a tribe level",
            ],
        ),
    ],
)
def test_a_practice_record_goes_to_a_module_category_and_credit_type_of_the_school(
    rule: PracticeRule, problems: list[str]
) -> None:
    """002 一 4) 实践及培训经历: a team's record goes to a module (and category) the school
    has, its hours credited in one of the school's credit types, recorded by tribe levels."""
    assert rule.problems(NEPU) == problems


# -- every number at its edges, every inconsistency by its exact reason -------------------------


def _nested(field: str, name: str) -> Any:
    """Changes setting ``NEPU.<field>.<name>`` to a value."""
    return lambda value: {field: attrs.evolve(getattr(NEPU, field), **{name: value})}


def _top(name: str) -> Any:
    return lambda value: {name: value}


# (the reason's name, how to set it, lowest, highest) for every number a rulebook bounds
NUMBERS = [
    ("publisher_exam_pass_score", _top("publisher_exam_pass_score"), 0, 100),
    ("lead_working_days", _top("lead_working_days"), 0, 365),
    ("max_organizers", _top("max_organizers"), 0, 1_000),
    ("title.max_length", _nested("title", "max_length"), 1, 1_000),
    ("checkin.max_validity_minutes", _nested("checkin", "max_validity_minutes"), 1, 1_440),
    ("checkin.rotation_seconds", _nested("checkin", "rotation_seconds"), 5, 3_600),
    ("checkin.max_accuracy_m", _nested("checkin", "max_accuracy_m"), 0, 100_000),
    (
        "checkin.makeup_deadline_working_days",
        _nested("checkin", "makeup_deadline_working_days"),
        0,
        365,
    ),
    ("checkin.anomaly_window_seconds", _nested("checkin", "anomaly_window_seconds"), 0, 120),
    ("checkin.password_attempts", _nested("checkin", "password_attempts"), 1, 1_000),
    ("checkin.max_radius_m", _nested("checkin", "max_radius_m"), 1, 20_000_000),
    ("integrity.blacklist_hours", _nested("integrity", "blacklist_hours"), 0, 87_840),
    ("integrity.start_points", _nested("integrity", "start_points"), 0, 1_000_000),
    ("integrity.no_show_points", _nested("integrity", "no_show_points"), 0, 1_000_000),
    ("integrity.sign_off_points", _nested("integrity", "sign_off_points"), 0, 1_000_000),
    ("integrity.strikes_for_blacklist", _nested("integrity", "strikes_for_blacklist"), 1, 1_000),
    ("integrity.strike_blacklist_days", _nested("integrity", "strike_blacklist_days"), 0, 3_660),
    ("results.deadline_working_days", _nested("results", "deadline_working_days"), 0, 365),
    ("questions.max_questions", _nested("questions", "max_questions"), 0, 200),
    ("questions.max_options", _nested("questions", "max_options"), 2, 200),
    ("questions.max_answer_length", _nested("questions", "max_answer_length"), 1, 20_000),
    ("report_due_day", _top("report_due_day"), 1, 28),
    (
        "results quota of 一等奖",
        lambda value: _with_results(award_quotas=(AwardQuota("一等奖", value),)),
        1,
        100_000,
    ),
    (
        "organizer band up_to_capacity",
        lambda value: {"organizer_bands": (OrganizerBand(0, 1, value), OrganizerBand(1, 2))},
        0,
        1_000_000,
    ),
    ("calendar year", lambda value: {"calendar": (YearCalendar(value),)}, 1970, 2199),
]


# ASCII ids: mutmut collects the tests again in the same process, where pytest no longer finds
# a test by an explicit id it had to escape (results quota of \u4e00…)
@pytest.mark.parametrize(
    ("name", "change", "low", "high"),
    NUMBERS,
    ids=[n[0].replace("一等奖", "first prize") for n in NUMBERS],
)
def test_each_number_is_accepted_at_its_edges_and_refused_past_them(
    name: str, change: Any, low: int, high: int
) -> None:
    """Given one number of the rulebook, when it is its lowest or highest value the rulebook is
    built; one below or above, it is refused, naming the number and its range."""
    for value in (low, high):
        assert attrs.evolve(NEPU, **change(value)).problems() == []
    for value in (low - 1, high + 1):
        with pytest.raises(DomainError) as caught:
            attrs.evolve(NEPU, **change(value))
        assert caught.value.details["reason"] == f"{name} must be {low}-{high}"


def test_an_organizer_band_counts_0_to_1000_organizers() -> None:
    """发布规范 四: an open band alone, at the edges of its counts."""
    for band in (OrganizerBand(0, 0), OrganizerBand(1_000, 1_000)):
        assert attrs.evolve(NEPU, organizer_bands=(band,)).problems() == []


@pytest.mark.parametrize(
    ("band", "reason"),
    [
        (
            OrganizerBand(-1, 0),
            "organizer band -1-0 is inverted; organizer band minimum must be 0-1000",
        ),
        (OrganizerBand(0, 1_001), "organizer band maximum must be 0-1000"),
        (
            OrganizerBand(1_001, 1_001),
            "organizer band minimum must be 0-1000; organizer band maximum must be 0-1000",
        ),
    ],
)
def test_an_organizer_band_past_its_counts_is_refused(band: OrganizerBand, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, organizer_bands=(band,))
    assert caught.value.details["reason"] == reason


def test_a_number_left_out_has_no_bound_to_meet() -> None:
    """None: no deadline (results, 补签), no monthly report."""
    rulebook = attrs.evolve(
        NEPU,
        report_due_day=None,
        **_with_results(deadline_working_days=None),
        **_with_checkin(makeup_deadline_working_days=None),
    )
    assert rulebook.problems() == []


LEVELS = NEPU.activity_levels
SIIT = preset("siit")
ROLE = NEPU.roles[0]
# base64 text of exactly the longest length read before decoding (not a multiple of 4)
LONGEST_SEAL = "A" * (512 * 1024 * 4 // 3 + 4)
PNG_START = b"\x89PNG\r\n\x1a\n"


def _seal(data: bytes) -> dict[str, Any]:
    import base64

    return {"seal_png": base64.b64encode(data).decode()}


def _modules_with(*categories: Subcategory) -> dict[str, Any]:
    ideology = attrs.evolve(NEPU.modules[0], categories=categories)
    return {"modules": (ideology, *NEPU.modules[1:])}


def _siit_cadre(amount: str) -> dict[str, Any]:
    credits = (RatingCredit(CadreRating.EXCELLENT, Decimal(amount)),)
    module = SIIT.modules[0].code
    return {
        "cadre": attrs.evolve(
            SIIT.cadre, module=module, credit_type=SIIT.credit_types[0], credits=credits
        )
    }


SCHOOL_INCONSISTENT: dict[str, tuple[Rulebook, dict[str, Any], str]] = {
    "no level": (
        NEPU,
        {"activity_levels": (), "review_chains": (), "level_permissions": ()},
        # NEPU's rubric still names the school level
        "activity_levels must list each level once, at least one; "
        "level school is used but not in activity_levels",
    ),
    "a level code twice": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("class", "班级"))},
        "activity_levels must list each level once, at least one",
    ),
    "a level name twice": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("national", "校级"))},
        "two activity levels have one name",
    ),
    "a level code with a space": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("nat ional", "国家级"))},
        "level code 'nat ional' must be one printable word of at most 64 characters",
    ),
    "an empty level code": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("", "国家级"))},
        "level code '' must be one printable word of at most 64 characters",
    ),
    "a level code of 65 characters": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("n" * 65, "国家级"))},
        f"level code {'n' * 65!r} must be one printable word of at most 64 characters",
    ),
    "an unprintable level code": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("nat\x00", "国家级"))},
        "level code 'nat\\x00' must be one printable word of at most 64 characters",
    ),
    "a blank level name": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("national", " "))},
        "level name ' ' must be printable and not blank",
    ),
    "an unprintable level name": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("national", "国家\n级"))},
        "level name '国家\\n级' must be printable and not blank",
    ),
    "a level name of 101 characters": (
        NEPU,
        {"activity_levels": (*LEVELS, Level("national", "国" * 101))},
        f"level name {'国' * 101!r} must be printable and not blank",
    ),
    "levels used but not listed": (
        NEPU,
        {
            **_with_integrity(recovery=(Recovery("provincial", "1"),)),
            **_with_results(rubric=(RubricItem("skills", "national", "学分", Decimal(1)),)),
        },
        "level national is used but not in activity_levels; "
        "level provincial is used but not in activity_levels",
    ),
    "a role kind twice": (
        NEPU,
        {"roles": (*NEPU.roles, RoleTitle(ROLE.kind, "另一个"))},
        "a role kind is listed twice in roles",
    ),
    "a blank role name": (
        NEPU,
        {"roles": (RoleTitle(ROLE.kind, " "), *NEPU.roles[1:])},
        f"name ' ' must be printable and not blank; role {ROLE.kind} has an empty name",
    ),
    "a term ending before it starts": (
        NEPU,
        {"terms": (Term("秋", "2026-2027学年", date(2026, 9, 1), date(2026, 8, 31)),)},
        "term 秋 ends before it starts",
    ),
    "terms sharing a day, listed in any order": (
        NEPU,
        {
            "terms": (
                Term("春", "2026-2027学年", date(2027, 1, 20), date(2027, 7, 1)),
                Term("秋", "2026-2027学年", date(2026, 9, 1), date(2027, 1, 20)),
            )
        },
        "terms 秋 and 春 overlap",
    ),
    "a term name twice": (
        NEPU,
        {
            "terms": (
                Term("秋", "2026-2027学年", date(2026, 9, 1), date(2027, 1, 19)),
                Term("秋", "2027-2028学年", date(2027, 9, 1), date(2028, 1, 19)),
            )
        },
        "a term name is listed twice",
    ),
    "a unit of another credit type": (
        NEPU,
        {"credit_units": (CreditUnit("学时", "学时"),)},
        "credit_units names '学时', which is not in credit_types",
    ),
    "two units of one type": (
        NEPU,
        {"credit_units": (CreditUnit("学分", "分"), CreditUnit("学分", "学分"))},
        "a credit type has two units",
    ),
    "a blank unit": (
        NEPU,
        {"credit_units": (CreditUnit("学分", " "),)},
        "credit type 学分 has an empty unit",
    ),
    "a category code twice": (
        NEPU,
        _modules_with(Subcategory("ideals", "理想信念"), Subcategory("ideals", "主题教育")),
        "module ideology lists a category code twice",
    ),
    "a category name twice": (
        NEPU,
        _modules_with(Subcategory("a", "理想信念"), Subcategory("b", "理想信念")),
        "module ideology: category names must be distinct and trimmed",
    ),
    "an untrimmed category name": (
        NEPU,
        _modules_with(Subcategory("a", "理想信念 ")),
        "module ideology: category names must be distinct and trimmed",
    ),
    "an empty category name": (
        NEPU,
        _modules_with(Subcategory("a", "")),
        "name '' must be printable and not blank; "
        "module ideology: category names must be distinct and trimmed",
    ),
    "a category code with a space": (
        NEPU,
        _modules_with(Subcategory("a b", "理想信念")),
        "category code 'a b' must be one printable word of at most 64 characters",
    ),
    "cadre credits by both paths": (
        SIIT,
        _siit_cadre("1"),
        "cadre credits come from one path: cadre.credits or a cadre claim chain",
    ),
    "a volunteer credit type the school lacks": (
        NEPU,
        {"volunteer_credit_type": "志愿时"},
        "volunteer_credit_type '志愿时' is not in credit_types",
    ),
    "a cadre manager in a role the school does not use": (
        NEPU,
        {"cadre": CadreRule(managers=(RoleKind.SCHOOL_ADMIN, RoleKind.ACADEMIC_AFFAIRS))},
        "cadre.managers names academic_affairs, which is not in roles",
    ),
    "a seal that is not base64": (NEPU, {"seal_png": "不是"}, "seal_png is not base64"),
    "a seal with a character outside base64": (
        NEPU,
        {"seal_png": "iVBORw0K*GgoA"},
        "seal_png is not base64",
    ),
    "a seal that is not a PNG": (NEPU, _seal(b"GIF89a...."), "seal_png is not a PNG image"),
    "a seal over 512 KiB": (
        NEPU,
        {"seal_png": LONGEST_SEAL + "A"},
        "seal_png is larger than 512 KiB",
    ),
    "a seal of the longest text, read": (
        NEPU,
        {"seal_png": LONGEST_SEAL},
        "seal_png is not base64",
    ),
    "a pattern that is no regular expression": (
        NEPU,
        {"limits": Limits(person_id_pattern="[0-9")},
        "limits.person_id_pattern is not a regular expression: "
        "unterminated character set at position 0",
    ),
    "both patterns no regular expression": (
        NEPU,
        {"limits": Limits(person_id_pattern="(", tribe_code_pattern="[")},
        "limits.person_id_pattern is not a regular expression: "
        "missing ), unterminated subpattern at position 0; "
        "limits.tribe_code_pattern is not a regular expression: "
        "unterminated character set at position 0",
    ),
    "no credit places to spare": (
        NEPU,
        {"limits": Limits(credit_places=11)},
        "limits.credit_places must be 0-10",
    ),
    "negative credit places": (
        NEPU,
        {"limits": Limits(credit_places=-1)},
        "limits.credit_places must be 0-10",
    ),
    "a zero credit cap": (
        NEPU,
        {"limits": Limits(max_credit=Decimal(0))},
        "limits.max_credit must be finite, > 0 and ≤ 1000000",
    ),
    "a credit cap above the largest amount": (
        NEPU,
        {"limits": Limits(max_credit=Decimal("1000000.01"))},
        "limits.max_credit must be finite, > 0 and ≤ 1000000",
    ),
    "a zero activity length": (
        NEPU,
        {"limits": Limits(max_activity_hours=0)},
        "limits.max_activity_hours must be 1-87840",
    ),
    "a zero text length": (NEPU, {"limits": Limits(proofs=0)}, "limits lengths must be 1-1000000"),
    "a text length past a million": (
        NEPU,
        {"limits": Limits(details=1_000_001)},
        "limits lengths must be 1-1000000",
    ),
    "no items": (
        NEPU,
        {"limits": Limits(items=0)},
        "limits.items must be 1-100000 and limits.people 1-1000000",
    ),
    "too many people": (
        NEPU,
        {"limits": Limits(people=1_000_001)},
        "limits.items must be 1-100000 and limits.people 1-1000000",
    ),
    "more items than the most": (
        NEPU,
        {"limits": Limits(items=100_001)},
        "limits.items must be 1-100000 and limits.people 1-1000000",
    ),
    "an activity longer than ten years": (
        NEPU,
        {"limits": Limits(max_activity_hours=87_841)},
        "limits.max_activity_hours must be 1-87840",
    ),
    "a credit cap that is no number": (
        NEPU,
        {"limits": Limits(max_credit=Decimal("NaN"))},
        "limits.max_credit must be finite, > 0 and ≤ 1000000",
    ),
    "hours a day that are no number": (
        NEPU,
        {"hours": HoursRule(Decimal("NaN"))},
        "hours.per_day must be finite, > 0 and ≤ 24",
    ),
    "no hours a day": (
        NEPU,
        {"hours": HoursRule(Decimal(0))},
        "hours.per_day must be finite, > 0 and ≤ 24",
    ),
    "more hours a day than a day has": (
        NEPU,
        {"hours": HoursRule(Decimal("24.01"))},
        "hours.per_day must be finite, > 0 and ≤ 24",
    ),
    "a window twice": (
        NEPU,
        {"windows": (CategoryWindow("ideology"), CategoryWindow("ideology"))},
        "windows lists a module and category twice",
    ),
    "a window of no module": (
        NEPU,
        {"windows": (CategoryWindow("nope", "ideals"),)},
        "windows nope/ideals: 'nope' is not a module",
    ),
    "a window of no category": (
        NEPU,
        {"windows": (CategoryWindow("ideology", "lecture"),)},
        "windows ideology/lecture: 'lecture' is not a category of its module",
    ),
    "a window's days out of range": (
        NEPU,
        {
            "windows": (
                CategoryWindow("ideology", results_working_days=366, makeup_working_days=-1),
            )
        },
        "windows ideology/*: results_working_days must be 0-365; "
        "windows ideology/*: makeup_working_days must be 0-365",
    ),
    "an inverted organizer band": (
        NEPU,
        {"organizer_bands": (OrganizerBand(3, 1),)},
        "organizer band 3-1 is inverted",
    ),
    "an empty review chain": (
        NEPU,
        {"review_chains": (ReviewChain("school", ()), *NEPU.review_chains[1:])},
        "review chain for school is empty",
    ),
    "a calendar day of another year": (
        NEPU,
        {"calendar": (YearCalendar(2027, workdays=(date(2026, 10, 1),)),)},
        "2026-10-01 is listed under calendar year 2027",
    ),
    "a school name too long": (
        NEPU,
        {"school": "东" * 101},
        f"name {'东' * 101!r} must be printable and not blank",
    ),
    "a credit source keyword not printable": (
        NEPU,
        {"credit_source_keyword": "考评\t办法"},
        "credit_source_keyword must be printable",
    ),
}


@pytest.mark.parametrize(
    ("base", "changes", "reason"), SCHOOL_INCONSISTENT.values(), ids=SCHOOL_INCONSISTENT.keys()
)
def test_each_school_key_inconsistency_is_named_exactly(
    base: Rulebook, changes: dict[str, Any], reason: str
) -> None:
    """The school's administrator reads the reason: every problem, by name, in order."""
    with pytest.raises(DomainError) as caught:
        attrs.evolve(base, **changes)
    assert caught.value.code == "rulebook.invalid"
    assert caught.value.details["reason"] == reason


SCHOOL_CONSISTENT = {
    "levels of their own": {"activity_levels": (*LEVELS, Level("n" * 64, "国" * 100))},
    "one-character codes": {
        "activity_levels": (*LEVELS, Level("n", "国家级")),
        "modules": (*NEPU.modules, Module("m", "新模块", (Subcategory("s", "新类别"),))),
        "colleges": (*NEPU.colleges, College("c", "新学院")),
    },
    "codes and names of the longest length": {
        "colleges": (*NEPU.colleges, College("c" * 64, "新学院")),
        "school": "东" * 100,
    },
    "adjacent terms": {
        "terms": (
            Term("秋", "2026-2027学年", date(2026, 9, 1), date(2027, 1, 19)),
            Term("春", "2026-2027学年", date(2027, 1, 20), date(2027, 1, 20)),
        )
    },
    "a unit for each type": {"credit_units": (CreditUnit("学分", "分"),)},
    "a category per module": _modules_with(Subcategory("a", "理想信念"), Subcategory("b", "主题")),
    "no roles listed: any cadre manager": {
        "roles": (),
        "cadre": CadreRule(managers=(RoleKind.ACADEMIC_AFFAIRS,)),
    },
    "a seal": _seal(PNG_START + b"rest"),
    "a credit cap below one": {"limits": Limits(max_credit=Decimal("0.5"))},
    "the largest credit cap": {"limits": Limits(max_credit=Decimal(1_000_000), credit_places=10)},
    "the low edges of the limits": {
        "limits": Limits(reasons=1, items=1, people=1, credit_places=0, max_activity_hours=1)
    },
    "the high edges of the limits": {
        "limits": Limits(
            proofs=1_000_000, items=100_000, people=1_000_000, max_activity_hours=87_840
        )
    },
    "a whole day's hours": {"hours": HoursRule(Decimal(24))},
    "one hour a day": {"hours": HoursRule(Decimal(1))},
    "the largest rubric amount and recovery": {
        **_with_results(
            rubric=(RubricItem("skills", ActivityLevel.SCHOOL, "学分", Decimal(1_000_000)),)
        ),
        **_with_integrity(recovery=(Recovery(ActivityLevel.SCHOOL, "1000000"),)),
    },
    "practice teams recorded": {"practice": PracticeRule("practice", credit_type="学分")},
    "windows at their edges": {
        "windows": (
            CategoryWindow("ideology", results_working_days=365, makeup_working_days=0),
            CategoryWindow("ideology", "ideals", results_working_days=0),
        )
    },
}


@pytest.mark.parametrize("changes", SCHOOL_CONSISTENT.values(), ids=SCHOOL_CONSISTENT.keys())
def test_the_school_keys_at_their_edges_are_accepted(changes: dict[str, Any]) -> None:
    assert attrs.evolve(NEPU, **changes).problems() == []


def test_cadre_credits_of_nothing_do_not_compete_with_a_cadre_claim_chain() -> None:
    """001 第四条: a credit of 0 for a rating is no second path."""
    assert attrs.evolve(SIIT, **_siit_cadre("0")).problems() == []


EXCELLENT, COMPETENT = CadreRating.EXCELLENT, CadreRating.COMPETENT


@pytest.mark.parametrize(
    ("cadre", "problems"),
    [
        (
            CadreRule(
                caps=(RatingCap(EXCELLENT, Decimal(0)), RatingCap(COMPETENT, Decimal(1))),
                min_service_days=0,
                managers=(RoleKind.SCHOOL_ADMIN,),
            ),
            [],
        ),
        (
            CadreRule(caps=(RatingCap(EXCELLENT, Decimal("0.3")),) * 2),
            ["cadre.caps lists a rating twice"],
        ),
        (
            CadreRule("工作履历", "学分", credits=(RatingCredit(EXCELLENT, Decimal(1)),) * 2),
            ["cadre.credits lists a rating twice"],
        ),
        (
            CadreRule(
                caps=(
                    RatingCap(EXCELLENT, Decimal("1.01")),
                    RatingCap(COMPETENT, Decimal(-1)),
                    RatingCap(CadreRating.INCOMPETENT, Decimal("NaN")),
                )
            ),
            [
                "cadre cap for excellent must be a share from 0 to 1",
                "cadre cap for competent must be a share from 0 to 1",
                "cadre cap for incompetent must be a share from 0 to 1",
            ],
        ),
        (
            CadreRule(
                "工作履历",
                "学分",
                credits=(
                    RatingCredit(EXCELLENT, Decimal(-1)),
                    RatingCredit(COMPETENT, Decimal("Infinity")),
                    RatingCredit(CadreRating.INCOMPETENT, Decimal(0)),
                ),
            ),
            [
                "cadre credit for excellent must be finite and ≥ 0",
                "cadre credit for competent must be finite and ≥ 0",
            ],
        ),
        (CadreRule(min_service_days=-1), ["cadre.min_service_days must be ≥ 0"]),
        (CadreRule(managers=()), ["cadre.managers must list each role kind once, at least one"]),
        (
            CadreRule(managers=(RoleKind.SCHOOL_ADMIN, RoleKind.SCHOOL_ADMIN)),
            ["cadre.managers must list each role kind once, at least one"],
        ),
    ],
)
def test_cadre_caps_credits_service_and_managers_are_checked(
    cadre: CadreRule, problems: list[str]
) -> None:
    """002 一 3) 优秀、称职、一般称职、不称职分级评价, 001 第四条 工作满一年: each rating capped
    and credited once, a cap a share from 0 to 1, a credit ≥ 0; each manager kind once."""
    assert cadre.problems(("工作履历",), ("学分",)) == problems


def test_a_level_may_be_given_by_the_code_of_a_well_known_one() -> None:
    """A rulebook written before levels were data lists them by code alone."""
    rulebook = attrs.evolve(NEPU, activity_levels=("school", "college", "class", "national"))
    assert rulebook.level_names() == ("校级", "院系级", "班团", "国家级")
    assert rulebook.level("national") == Level("national", "国家级", TribeLevel.SCHOOL)
    with pytest.raises(DomainError) as caught:
        attrs.evolve(NEPU, activity_levels=("school", "college", "class", "county"))
    assert caught.value.details["reason"] == (
        "level 'county' is not a well-known level: give its code, name and reach"
    )


def test_a_span_ending_at_midnight_counts_nothing_of_the_next_day() -> None:
    """53 seconds before midnight are 0.0147 学时, 0.01 to two places: the next day, touched
    at its first instant, adds nothing (not even a second, which would make 0.015 → 0.02)."""
    starts = datetime(2026, 12, 3, 23, 59, 7, tzinfo=SH)
    assert HoursRule().of(starts, datetime(2026, 12, 4, tzinfo=SH)) == Decimal("0.01")


def test_a_school_counting_whole_days_counts_every_hour() -> None:
    """per_day 24: 20 hours are 20.00 学时, exactly."""
    day = HoursRule(Decimal(24))
    assert day.of(datetime(2026, 12, 3, tzinfo=SH), datetime(2026, 12, 3, 20, tzinfo=SH)) == (
        Decimal("20.00")
    )


def test_the_hours_are_shanghai_days_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a machine at UTC+14, 20:00-22:00 in Shanghai is still 2 学时 (there it is 02:00 the
    next day)."""
    import time as clock

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    clock.tzset()
    try:
        span = (datetime(2026, 12, 3, 12, tzinfo=UTC), datetime(2026, 12, 3, 14, tzinfo=UTC))
        assert HoursRule().of(*span) == Decimal("2.00")
    finally:
        monkeypatch.undo()
        clock.tzset()


def test_without_a_category_the_modules_window_holds() -> None:
    """Asked for no category, the module's window answers, whatever its categories' windows
    say (one coded "XXXX" too: mutmut's placeholder for a changed default)."""
    xxxx = attrs.evolve(NEPU.modules[0], categories=(Subcategory("XXXX", "占位"),))
    rulebook = attrs.evolve(
        NEPU,
        modules=(xxxx, *NEPU.modules[1:]),
        windows=(
            CategoryWindow("ideology", results_working_days=10, makeup_working_days=3),
            CategoryWindow("ideology", "XXXX", results_working_days=4, makeup_working_days=5),
        ),
    )
    assert rulebook.window("ideology") == CategoryWindow("ideology", "", 10, 3)
    assert rulebook.results_working_days("ideology") == 10
    assert rulebook.makeup_working_days("ideology") == 3
    assert rulebook.results_working_days("ideology", "XXXX") == 4


def test_a_rulebook_file_may_list_well_known_levels_by_their_codes_alone() -> None:
    """Rulebooks written before levels were data (``activity_levels = ["school", …]``) load,
    each code standing for its well-known level (a table may follow among them); any other
    code needs its name and reach."""
    start, end = PRESET_SOURCE.index("# 活动级别"), PRESET_SOURCE.index("[[modules]]")
    codes = PRESET_SOURCE[:start].replace(
        "require_publisher_exam = true",
        'activity_levels = ["school", "college", "class"]\nrequire_publisher_exam = true',
    )
    codes += PRESET_SOURCE[end:]
    assert Rulebook.from_toml(codes) == NEPU
    listed = 'activity_levels = ["school", "college", "class"'
    mixed = codes.replace(
        listed, listed + ', { code = "county", name = "县级", reach = "college" }'
    )
    assert Rulebook.from_toml(mixed).level("county") == Level("county", "县级", TribeLevel.COLLEGE)
    assert refused(codes.replace(listed, listed + ', "county"')).details["reason"] == (
        "level 'county' is not a well-known level: give its code, name and reach "
        "@ $.activity_levels[3]"
    )
