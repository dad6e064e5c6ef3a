"""A preset per seed school (issue 14 §1): each loads, cites its seed, plays a semester, and the
rules where the five schools differ are data — each test names the seed and article."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates.activity import DECIDER, SubmitActivity
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import IssueTranscript, Layout, Version, build_content
from second_classroom.aggregates.tribe import CreateTribe
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    ParticipationScope,
    Program,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.persistence.stores import popo_env
from second_classroom.policies.activity_form import PlannedCredit, Scope
from second_classroom.policies.claim_rules import ClaimKind, StepRole, StepScope
from second_classroom.policies.publishing import Host, check_form, title_prefixes
from second_classroom.policies.rulebook import (
    CreditUnit,
    Level,
    ReviewChain,
    RoleTitle,
    Rulebook,
    Subcategory,
    Term,
    preset,
    preset_source,
    presets,
)
from second_classroom.service import SecondClassroom
from second_classroom.simulation import simulate
from tests.aggregates.activity_fixtures import ACTIVITY_ID, DRAFTED, LEADER, SUBMITTED, actx
from tests.claim_world import CUSTOMS, SICHUAN_LIST
from tests.policies.publishing_fixtures import PE_UNION, VALID
from tests.specification import NEPU, NOW, given
from tests.stores import TEST_SECRET

SCHOOLS = {
    "nepu": ("东北石油大学", "000"),
    "siit": ("四川工业科技学院", "001"),
    "hfut": ("合肥工业大学", "002"),
    "shcc": ("上海海关学院", "003"),
    "qtnu": ("琼台师范学院", "004"),
}
HFUT, SIIT, SHCC, QTNU = (preset(n) for n in ("hfut", "siit", "shcc", "qtnu"))


def refused(rulebook: Rulebook, **changes: Any) -> str:
    """The reason ``rulebook`` with ``changes`` is refused."""
    with pytest.raises(DomainError) as caught:
        attrs.evolve(rulebook, **changes)
    assert caught.value.code == "rulebook.invalid"
    return str(caught.value.details["reason"])


# -- the five presets ------------------------------------------------------------------------


def test_there_is_a_preset_per_seed_school_named_in_chinese() -> None:
    assert presets() == tuple(sorted(SCHOOLS))
    assert {name: preset(name).school for name in presets()} == {
        name: school for name, (school, _seed) in SCHOOLS.items()
    }


@pytest.mark.parametrize("name", sorted(SCHOOLS))
def test_a_preset_round_trips_through_toml(name: str) -> None:
    rulebook = preset(name)
    assert Rulebook.from_toml(rulebook.to_toml()) == rulebook


@pytest.mark.parametrize("name", sorted(set(SCHOOLS) - {"nepu"}))
def test_a_value_the_seed_does_not_give_names_its_own_seed_as_school_supplied(name: str) -> None:
    """Never invented silently: every school-supplied mark names the preset's own seed, and the
    file's header cites that seed."""
    source = preset_source(name)
    _school, seed = SCHOOLS[name]
    marks = re.findall(r"school-supplied: not in seed (\d{3})", source)
    assert len(marks) >= 10
    assert set(marks) == {seed}
    assert f"seed {seed}" in source.splitlines()[0]


@pytest.mark.parametrize("name", sorted(SCHOOLS))
def test_every_top_level_key_carries_its_source(name: str) -> None:
    """Each scalar rule has a comment on its line or just above it: its article, or the mark
    of a school-supplied value."""
    lines = preset_source(name).splitlines()
    first_table = next(i for i, line in enumerate(lines) if line.startswith("["))
    bare = [
        line
        for i, line in enumerate(lines[:first_table])
        if re.match(r"^\w+ = ", line)
        and "#" not in line
        and not lines[i - 1].startswith("#")
        and not line.startswith("school = ")  # the first line names the seed
    ]
    assert bare == []
    assert len([line for line in lines[:first_table] if re.match(r"^\w+ = ", line)]) >= 14


def test_the_hfut_preset_no_longer_cites_nepu_articles() -> None:
    """Seed 002 has no 第N条 and no 发布规范: the old preset copied NEPU's article numbers."""
    source = preset_source("hfut")
    assert "第十" not in source
    assert "发布规范" not in source.replace("as NEPU 发布规范", "")


@pytest.mark.parametrize("name", sorted(SCHOOLS))
def test_each_school_plays_a_short_semester(name: str) -> None:
    """Publish through the school's review chains, register, draw, check in, award, finalize,
    transcripts: no over-admission, ledgers equal the views."""
    with SecondClassroom.open(popo_env(), preset(name), secret=TEST_SECRET) as service:
        report = simulate(service, students=40, activities=6, seed=5, bars=False)
        finalized = [row for row in service.views.activity_board() if row.finalized]
    assert report.over_admitted == 0
    assert report.ledger_mismatches == 0
    assert len(finalized) == 6


# -- the publisher exam ----------------------------------------------------------------------


def test_nepu_requires_the_publisher_exam() -> None:
    """000 第十条 首次发布活动需进行考试答题，考试通过后方可发布活动."""
    assert NEPU.require_publisher_exam
    given(DECIDER, DRAFTED).when(SubmitActivity(ACTIVITY_ID), actx(LEADER, qualified=False)).raises(
        "activity.publisher_not_qualified"
    )


@pytest.mark.parametrize("name", ["siit", "hfut", "shcc", "qtnu"])
def test_schools_whose_seed_names_no_exam_do_not_require_it(name: str) -> None:
    """Seeds 001-004 name no publishing exam (school-supplied: false): a leader who never sat it
    submits."""
    assert not preset(name).require_publisher_exam
    rules = attrs.evolve(NEPU, require_publisher_exam=False)
    given(DECIDER, DRAFTED).when(
        SubmitActivity(ACTIVITY_ID), actx(LEADER, qualified=False, rulebook=rules)
    ).then(SUBMITTED)


# -- role kinds ------------------------------------------------------------------------------


def test_siit_names_its_counselor_league_secretary_advisor_and_center() -> None:
    """001 第三条 学院团总支书记、学生组织指导老师…第二课堂指导与服务中心；第六条 辅导员."""
    assert SIIT.role_name(RoleKind.COUNSELOR) == "辅导员"
    assert SIIT.role_name(RoleKind.LEAGUE_SECRETARY) == "学院团总支书记"
    assert SIIT.role_name(RoleKind.ADVISOR) == "指导老师"
    assert SIIT.role_name(RoleKind.CENTER) == "第二课堂指导与服务中心"
    assert SIIT.role_name(RoleKind.COLLEGE_ADMIN) == "二级学院团总支"


def test_shcc_has_an_academic_affairs_office_and_nepu_does_not() -> None:
    """003 2（四） 教务处对初审结果进行最后审核确认; 000 names no 教务处."""
    assert SHCC.role_name(RoleKind.ACADEMIC_AFFAIRS) == "教务处"
    assert SHCC.role_name(RoleKind.SCHOOL_ADMIN) == "院团委"  # 003 2（三）
    assert NEPU.role_name(RoleKind.ACADEMIC_AFFAIRS) is None
    assert NEPU.role_name(RoleKind.COUNSELOR) == "辅导员"  # 000 第十八条


def academic_affairs() -> Actor:
    return Actor("T-jwc", frozenset({Role(RoleKind.ACADEMIC_AFFAIRS)}))


def test_an_actor_in_a_role_the_school_does_not_use_is_refused_and_nothing_is_stored() -> None:
    """000 names no 教务处: under NEPU's rulebook an actor claiming that role is refused before
    any decision; under 003's the role exists (and a 教务处 creates no tribe)."""
    create = CreateTribe("X-1", "某部落", TribeKind.CLUB, TribeLevel.SCHOOL)
    with SecondClassroom.open(popo_env(), NEPU, secret=TEST_SECRET) as nepu:
        with pytest.raises(DomainError) as caught:
            nepu.execute(create, academic_affairs(), NOW)
        assert caught.value.code == "auth.role_not_used"
        assert "academic_affairs" in str(caught.value)
        assert not nepu.app.notifications(0, 1)
    with SecondClassroom.open(popo_env(), SHCC, secret=TEST_SECRET) as shcc:
        with pytest.raises(DomainError) as caught:
            shcc.execute(create, academic_affairs(), NOW)
        assert caught.value.code == "auth.forbidden"


def test_without_a_roles_list_every_role_kind_is_accepted() -> None:
    open_rules = attrs.evolve(NEPU, roles=())
    assert open_rules.unused_roles(academic_affairs()) == ()
    assert NEPU.unused_roles(academic_affairs()) == (RoleKind.ACADEMIC_AFFAIRS,)
    assert NEPU.unused_roles(Actor.system()) == ()  # the library's own reactions


def test_a_role_kind_listed_twice_or_without_a_name_is_refused() -> None:
    twice = (RoleTitle(RoleKind.STUDENT, "学生"), RoleTitle(RoleKind.STUDENT, "同学"))
    assert "listed twice" in refused(NEPU, roles=twice)
    assert "empty name" in refused(NEPU, roles=(RoleTitle(RoleKind.COUNSELOR, " "),))


# -- activity levels -------------------------------------------------------------------------


def test_shcc_records_research_in_national_provincial_and_school_tiers() -> None:
    """003 2（一） 科研成果登记时，分国家级、省部级、校级三档记入学分; 系（部） is the college
    tier."""
    assert SHCC.level_codes() == (
        ActivityLevel.NATIONAL,
        ActivityLevel.PROVINCIAL,
        ActivityLevel.SCHOOL,
        ActivityLevel.COLLEGE,
    )
    assert SHCC.level_names() == ("国家级", "省部级", "校级", "院系级")
    assert SHCC.levels_for(TribeLevel.SCHOOL) == (
        ActivityLevel.NATIONAL,
        ActivityLevel.PROVINCIAL,
        ActivityLevel.SCHOOL,
    )
    assert SHCC.levels_for(TribeLevel.CLASS) == ()


def test_shccs_semester_publishes_in_the_tiers_above_the_school() -> None:
    """003 2（一）: the school's clubs publish 国家级 and 省部级 activities too, each through its
    chain (tribe → school), and classes publish nothing (no 班团 level)."""
    with SecondClassroom.open(popo_env(), SHCC, secret=TEST_SECRET) as service:
        simulate(service, students=40, activities=10, seed=5, bars=False)
        levels = service.views.query(
            "SELECT level, COUNT(*), SUM(finalized) FROM activity_board GROUP BY level"
        )
    by_level = {level: (count, finalized) for level, count, finalized in levels}
    assert "class" not in by_level
    assert {"national", "provincial"} & set(by_level)
    assert all(count == finalized for count, finalized in by_level.values())


def test_a_national_activity_may_carry_a_region_prefix_like_a_school_one() -> None:
    """000 发布规范 一 3 市级及以上活动前缀(地区，如全国…): 国家级 and 省部级 titles may start as
    校级 ones do."""
    host = Host("基础部学生会", TribeLevel.COLLEGE, "基础部", "JC")
    assert "全国" in title_prefixes(SHCC, ActivityLevel.NATIONAL, host)
    assert "上海市" in title_prefixes(SHCC, ActivityLevel.PROVINCIAL, host)
    assert "全国" not in title_prefixes(SHCC, ActivityLevel.COLLEGE, host)


def test_nepu_has_no_tier_above_the_school() -> None:
    """000 发布规范 二 活动级别: 院系级、校级 (and 第十一条 班团)."""
    assert NEPU.level_codes() == (
        ActivityLevel.SCHOOL,
        ActivityLevel.COLLEGE,
        ActivityLevel.CLASS,
    )


def test_a_level_used_but_not_listed_is_refused() -> None:
    reason = refused(NEPU, activity_levels=(ActivityLevel.SCHOOL, ActivityLevel.COLLEGE))
    assert "level class is used but not in activity_levels" in reason
    assert "once" in refused(NEPU, activity_levels=())


# 003 2（一） 形成了国家、省市、学院、系（部）四个层面的赛事结构: a school that keeps 系（部） as a
# level of its own writes it in its rulebook — a code, a name and its reach — and no code.
DEPARTMENT = Level("department", "系（部）级", TribeLevel.COLLEGE)


def shcc_with_departments() -> Rulebook:
    """SHCC with 系（部）级 as a fifth level, reviewed by the tribe and the college, published
    by college tribes."""
    permissions = tuple(
        attrs.evolve(p, activity_levels=(*p.activity_levels, DEPARTMENT.code))
        if p.tribe_level is TribeLevel.COLLEGE
        else p
        for p in SHCC.level_permissions
    )
    return attrs.evolve(
        SHCC,
        activity_levels=(*SHCC.activity_levels, DEPARTMENT),
        review_chains=(
            *SHCC.review_chains,
            ReviewChain(DEPARTMENT.code, (ReviewStage.TRIBE, ReviewStage.COLLEGE)),
        ),
        level_permissions=permissions,
    )


JC_UNION = Host("基础部学生会", TribeLevel.COLLEGE, "基础部", "JC")
LEVEL_CODES = {
    "activity.level_unknown",
    "activity.level_not_allowed",
    "activity.scope_outside_college",
    "activity.title_prefix",
}


def level_codes(rulebook: Rulebook, **changes: Any) -> list[str]:
    """The level-dependent refusals of VALID with ``changes``, hosted by 基础部学生会."""
    form = attrs.evolve(VALID, **changes)
    found = check_form(rulebook, form, JC_UNION, None)
    return [v.code.code for v in found if v.code.code in LEVEL_CODES]


def test_003_a_level_the_school_declares_is_data_its_rulebook_round_trips() -> None:
    """Given 系（部）级 declared in SHCC's rulebook, then it is one of the school's levels, with
    its chain, and its TOML names it."""
    rulebook = shcc_with_departments()
    assert rulebook.level_codes()[-1] == "department"
    assert rulebook.level_name("department") == "系（部）级"
    assert rulebook.activity_level("系（部）级") == "department"
    assert rulebook.chain("department") == (ReviewStage.TRIBE, ReviewStage.COLLEGE)
    text = rulebook.to_toml()
    assert 'name = "系（部）级"' in text
    assert Rulebook.from_toml(text) == rulebook


def test_003_a_college_tribe_publishes_at_the_declared_level_within_its_college() -> None:
    """Given 系（部）级 reaches one college, when 基础部学生会 publishes at it, then the title
    takes the tribe's or college's prefix, and the scope stays in the college (发布规范 二)."""
    rulebook = shcc_with_departments()
    title = "基础部“数学建模校内赛”"
    assert level_codes(rulebook, level="department", title=title) == []
    assert "全国" not in title_prefixes(rulebook, "department", JC_UNION)
    school_wide = Scope(ParticipationScope.SCHOOL)
    assert level_codes(rulebook, level="department", title=title, scope=school_wide) == [
        "activity.scope_outside_college"
    ]


def test_003_a_level_the_school_does_not_declare_is_refused_on_the_form() -> None:
    """Given NEPU declares no 国家级 (000 发布规范 二), when a form names it, then the form is
    refused with activity.level_unknown, listing the school's levels by name."""
    found = check_form(NEPU, attrs.evolve(VALID, level="national"), PE_UNION, None)
    [violation] = [v for v in found if v.code.code in LEVEL_CODES]
    assert violation.code.code == "activity.level_unknown"
    assert violation.details["allowed"] == "校级、院系级、班团"
    title = "基础部“数学建模校内赛”"
    assert level_codes(SHCC, level="department", title=title) == ["activity.level_unknown"]


def test_003_the_transcript_prints_the_schools_name_for_a_level() -> None:
    """A record's level is its code; the transcript shows the name the rulebook gives it."""
    day = datetime(2027, 3, 10, 10, 0, tzinfo=NOW.tzinfo)
    record = record_on(day)
    activity = attrs.evolve(record.activities[0], level="department")
    record = attrs.evolve(record, activities=(activity,))
    command = IssueTranscript("2024217001", Version.RECORD, Layout.TERM)
    content = build_content(command, record, "S1", shcc_with_departments(), day)
    [line] = content.sections[0].lines
    assert line.level == "系（部）级"


def test_a_rulebook_may_list_a_well_known_level_by_its_code_alone() -> None:
    """Rulebooks written before levels were data (``activity_levels = ["school", …]``) still
    load, each code standing for its well-known level; any other code needs its name."""
    source = preset_source("nepu")
    start, end = source.index("# 活动级别"), source.index("[[modules]]")
    old = source[:start].replace(
        "require_publisher_exam = true",
        'activity_levels = ["school", "college", "class"]\nrequire_publisher_exam = true',
    )
    old += source[end:]
    assert Rulebook.from_toml(old) == NEPU
    with pytest.raises(DomainError) as caught:
        Rulebook.from_toml(old.replace('"class"]', '"department"]'))
    assert "department" in str(caught.value.details["reason"])


def test_level_codes_and_names_are_each_listed_once_and_well_formed() -> None:
    twice = (*NEPU.activity_levels, Level("school2", "校级", TribeLevel.SCHOOL))
    assert "one name" in refused(NEPU, activity_levels=twice)
    assert "printable word" in refused(
        NEPU, activity_levels=(*NEPU.activity_levels, Level("a b", "某级"))
    )
    assert "printable and not blank" in refused(
        NEPU, activity_levels=(*NEPU.activity_levels, Level("other", " "))
    )


# -- terms -----------------------------------------------------------------------------------


def record_on(day: datetime) -> StudentRecord:
    activity = ActivityRecord(
        uuid.uuid4(),
        "合肥工业大学“青年讲堂”报告",
        "lecture",
        ActivityLevel.SCHOOL,
        day,
        day,
        Decimal("2.00"),
        None,
        (),
        (PlannedCredit("lecture", "学时", Decimal("2")),),
        day,
    )
    return StudentRecord(
        uuid.uuid4(),
        "2024217001",
        "学生",
        "JS",
        "计算机24-1班",
        2024,
        Program.UNDERGRADUATE,
        activities=(activity,),
    )


def term_heading(rulebook: Rulebook, day: datetime) -> str:
    command = IssueTranscript("2024217001", Version.RECORD, Layout.TERM)
    content = build_content(command, record_on(day), "S1", rulebook, day)
    [section] = content.sections
    return section.heading


def test_hfut_terms_come_from_its_rulebook() -> None:
    """002 plans by term (2017-2018学年第二学期); the dates are the school's: 2027-02-22 starts
    the second term, so a February 23 activity is in it, not in the first."""
    day = datetime(2027, 2, 23, 10, 0, tzinfo=NOW.tzinfo)
    assert term_heading(HFUT, day) == "2026-2027学年第二学期"
    assert term_heading(NEPU, day) == "2026-2027学年第一学期"  # no terms: Sept–Feb is the first
    assert HFUT.term(date(2027, 2, 1)) is None  # between terms
    assert term_heading(HFUT, datetime(2027, 2, 1, tzinfo=NOW.tzinfo)) == "2026-2027学年第一学期"


def test_overlapping_or_inverted_terms_are_refused() -> None:
    first = Term("第一学期", "2026-2027学年", date(2026, 9, 1), date(2027, 1, 20))
    second = Term("第二学期", "2026-2027学年", date(2027, 1, 15), date(2027, 7, 1))
    assert "overlap" in refused(NEPU, terms=(first, second))
    inverted = Term("第一学期", "2026-2027学年", date(2027, 1, 20), date(2026, 9, 1))
    assert "ends before it starts" in refused(NEPU, terms=(inverted,))


# -- credit types and units ------------------------------------------------------------------


def test_siit_counts_points_and_volunteer_hours_each_in_its_unit() -> None:
    """001 第一条 第二课堂积分；附件4 学分类型 志愿者工时，说明 4 学分、积分、分、学时、小时、时."""
    assert SIIT.credit_types == ("积分", "志愿者工时")
    assert SIIT.unit("积分") == "分"
    assert SIIT.unit("志愿者工时") == "小时"


def test_hfut_records_practice_in_class_hours() -> None:
    """002 一 4) 暑期“三下乡”社会实践经历…建议一天按8学时记录."""
    assert "学时" in HFUT.credit_types
    assert HFUT.unit("学时") == "学时"


def test_shcc_grants_quality_and_innovation_credits_without_a_cap() -> None:
    """003 1 素质拓展学分…不设上限；2（四） 创新学分."""
    assert SHCC.credit_types[:2] == ("素质拓展学分", "创新学分")
    assert SHCC.results.rubric == ()


def test_a_type_without_a_listed_unit_counts_in_itself() -> None:
    assert NEPU.unit("学分") == "学分"


def test_a_unit_for_an_unknown_credit_type_is_refused() -> None:
    reason = refused(NEPU, credit_units=(CreditUnit("志愿者工时", "小时"),))
    assert "not in credit_types" in reason
    twice = (CreditUnit("学分", "分"), CreditUnit("学分", "学分"))
    assert "two units" in refused(NEPU, credit_units=twice)


# -- modules and second-level categories -----------------------------------------------------


def test_siit_modules_have_the_second_level_of_its_import_template() -> None:
    """001 附件4 活动一级分类 / 活动二级分类: 文体活动/文体活动, 工作履历/工作履历,
    志愿公益/志愿公益."""
    for code, name in (
        ("culture_sports", "文体活动"),
        ("work_experience", "工作履历"),
        ("volunteering", "志愿公益"),
    ):
        assert SIIT.category(code, code) == Subcategory(code, name)


def test_shcc_has_three_course_modules_with_their_courses() -> None:
    """003 1、2（一） 综合素质类、科研创新类、海关体验类三大模块；综合素质类课程包括团校、
    社团兴趣培养、素质拓展训练、志愿公益活动."""
    assert [m.name for m in SHCC.modules] == ["综合素质类课程", "科研创新类课程", "海关体验类课程"]
    comprehensive = SHCC.module("comprehensive")
    assert comprehensive is not None
    assert [c.name for c in comprehensive.categories] == [
        "团校",
        "社团兴趣培养",
        "素质拓展训练",
        "志愿公益活动",
    ]
    assert SHCC.category("research", "research_innovation") == Subcategory(
        "research_innovation", "科技研究与创新"
    )  # 003 2（四） 按照“科技研究与创新”的科目记入成绩单


def test_hfut_modules_are_the_kinds_its_work_plan_names() -> None:
    """002 一 1)-4) 竞赛活动、志愿服务、报告讲座、实践及培训经历、党团学干部经历."""
    assert [m.name for m in HFUT.modules] == [
        "竞赛活动",
        "志愿服务",
        "报告讲座",
        "实践及培训经历",
        "党团学干部经历",
    ]
    assert HFUT.category("practice", "summer_practice") is not None  # 一 4) 三下乡


def test_qtnu_modules_follow_its_yiban_plan() -> None:
    """004 四（二） 主题教育、就创业指导和心理健康教育；三（三） 网络文化；三（八） 文体活动."""
    assert {m.name for m in QTNU.modules} == {
        "主题教育",
        "就创业指导",
        "心理健康教育",
        "网络文化",
        "文体活动",
    }
    assert QTNU.role_name(RoleKind.CENTER) == "校“易班”发展中心"  # 004 一（二）


def test_a_category_code_twice_in_a_module_is_refused() -> None:
    ideology = NEPU.modules[0]
    doubled = attrs.evolve(ideology, categories=ideology.categories * 2)
    assert "twice" in refused(NEPU, modules=(doubled, *NEPU.modules[1:]))
    assert NEPU.category("ideology", "no-such") is None
    assert NEPU.category("no-such", "ideals") is None


# -- what each school's seed sets ------------------------------------------------------------


def test_hfut_windows_come_from_its_work_plan() -> None:
    """002 一 2) 结束后10个工作日内务必上传认定成绩；忘记签到，请在5个工作日内及时补录；
    二 7) 成绩积分认定细则 is the credit source."""
    assert HFUT.results_working_days("competition") == 10
    assert HFUT.results_working_days("volunteering") == 10
    assert HFUT.makeup_working_days("lecture") == 5
    assert HFUT.credit_source_keyword == "成绩积分认定细则"
    assert HFUT.role_name(RoleKind.ADVISOR) == "指导老师"  # 二 3) 指导老师工作量表


def test_hfut_reviews_in_three_levels() -> None:
    """002 二 5) 校-院-社团三级发布审核机制: a tribe's class or college activity passes the
    tribe, the college and the school."""
    three = (ReviewStage.TRIBE, ReviewStage.COLLEGE, ReviewStage.SCHOOL)
    assert HFUT.chain(ActivityLevel.COLLEGE) == three
    assert HFUT.chain(ActivityLevel.CLASS) == three
    assert NEPU.chain(ActivityLevel.CLASS) == (ReviewStage.COLLEGE, ReviewStage.SCHOOL)


def test_a_form_names_a_category_of_its_module_or_none() -> None:
    """001 附件4 说明 7 活动一级分类、活动二级分类必须和管理端学校活动类型设置匹配: a category
    outside the module is refused; none at all is allowed."""

    def codes(**changes: Any) -> list[str]:
        form = attrs.evolve(VALID, **changes)
        return [v.code.code for v in check_form(NEPU, form, PE_UNION, NOW)]

    assert codes(module="ideology", category="ideals") == []
    assert codes(module="ideology") == []
    assert codes(module="innovation", category="ideals") == ["activity.category_unknown"]
    assert codes(module="ideology", category="no-such") == ["activity.category_unknown"]


# -- 补录 claims in the presets (issue 13 with issue 14: one shape for roles and levels) ----


def test_siit_offers_the_three_claim_kinds_of_its_seed() -> None:
    """001 第三条 (collective: 学院团总支书记/指导老师 → 二课中心, 名单导入), 第四条 (cadre,
    10月至11月), 第五、六条 (personal, 2月至3月: 辅导员 → 二级学院团总支 → 二课中心): the
    preset's chains are those the claim specifications run (tests/claim_world.py)."""
    assert SIIT.claims.chains == SICHUAN_LIST.claims.chains
    collective, personal, cadre = SIIT.claims.chains
    assert collective.list_import
    first = collective.steps[0]
    assert (first.role, first.scope) == (RoleKind.ADVISOR, StepScope.TRIBE)
    assert first.alternates == (StepRole(RoleKind.LEAGUE_SECRETARY, StepScope.COLLEGE),)
    assert {step.steps[-1].role for step in (collective, personal, cadre)} == {RoleKind.CENTER}
    assert [(c.first_month, c.last_month) for c in (personal, cadre)] == [(2, 3), (10, 11)]


def test_shcc_offers_research_claims_with_publicity_a_cap_and_a_graduation_requirement() -> None:
    """003 2（四）: 指导教师初步鉴定 → 系部会同学术委员会复审 → 公示无异议 → 教务处最后审核确认;
    超过限额的筛选部分重要的成果; 本科生必须修读创新创业教育学分 (the amounts school-supplied)."""
    assert SHCC.claims.chains == CUSTOMS.claims.chains
    assert [c.module for c in SHCC.claims.caps] == ["research"]
    assert [(r.module, r.credit_type) for r in SHCC.graduation.requirements] == [
        ("research", "创新学分")
    ]


def test_hfut_offers_collective_claims_and_nepu_none() -> None:
    """002 一 1) 各基层团委、各团学组织…对上学期未完成事宜完成补录 (a tribe's claim; its approver
    is school-supplied); 000 第十八条 个人成长记录申请功能…我校暂时尚不支持 (NEPU none);
    004 names no 补录 (QTNU none)."""
    assert [c.kind for c in HFUT.claims.chains] == [ClaimKind.COLLECTIVE]
    assert NEPU.claims.chains == () == QTNU.claims.chains


def test_a_claim_step_in_a_role_the_school_does_not_use_is_refused() -> None:
    """A school's ``roles`` lists the role kinds it uses and ``execute`` refuses any other, so a
    chain step asking for one could never be decided: the rulebook is refused when it loads."""
    without_center = tuple(r for r in SIIT.roles if r.kind is not RoleKind.CENTER)
    managers: tuple[RoleKind, ...] = tuple(
        k for k in SIIT.cadre.managers if k is not RoleKind.CENTER
    )
    with pytest.raises(DomainError) as caught:
        attrs.evolve(SIIT, roles=without_center, cadre=attrs.evolve(SIIT.cadre, managers=managers))
    assert "claims: a step names center, which is not in roles" in caught.value.message_en
    without_secretary = tuple(r for r in SIIT.roles if r.kind is not RoleKind.LEAGUE_SECRETARY)
    managers = tuple(k for k in SIIT.cadre.managers if k is not RoleKind.LEAGUE_SECRETARY)
    with pytest.raises(DomainError) as caught:  # an alternate's role counts too
        attrs.evolve(
            SIIT, roles=without_secretary, cadre=attrs.evolve(SIIT.cadre, managers=managers)
        )
    assert "a step names league_secretary, which is not in roles" in caught.value.message_en


# -- issue 14 §3, §4: hours, practice, windows, the report's due day --------------------------


def test_hfut_records_practice_teams_at_eight_hours_a_day() -> None:
    """002 一 4) 暑期“三下乡”…实践及培训经历管理…建议一天按8学时记录: HFUT records practice
    teams under 实践及培训经历 / 暑期“三下乡”, crediting 学时, 8 a day, recorded by colleges and
    校级社团账号 (school-level tribes)."""
    from second_classroom.policies.rulebook import PracticeRule

    assert HFUT.practice == PracticeRule("practice", "summer_practice", "学时", ("school",))
    assert HFUT.hours.per_day == Decimal(8)
    assert NEPU.practice.module == ""  # the seed records no practice teams


def test_the_new_keys_round_trip_through_toml() -> None:
    again = Rulebook.from_toml(HFUT.to_toml())
    assert (again.hours, again.practice, again.windows, again.report_due_day) == (
        HFUT.hours,
        HFUT.practice,
        HFUT.windows,
        HFUT.report_due_day,
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"hours": "zero"}, "hours.per_day must be finite, > 0 and ≤ 24"),
        ({"hours": "day"}, "hours.per_day must be finite, > 0 and ≤ 24"),
        ({"practice": ("nowhere", "", "")}, "practice.module 'nowhere' is not a module"),
        ({"practice": ("practice", "nope", "")}, "practice.category 'nope'"),
        ({"practice": ("practice", "", "学点")}, "practice.credit_type '学点'"),
        ({"practice": ("", "", "学时")}, "practice.credit_type needs practice.module"),
        ({"practice": ("practice", "", "", ("tribe",))}, "practice.tribe_levels 'tribe'"),
        ({"windows": (("nowhere", ""),)}, "'nowhere' is not a module"),
        ({"windows": (("lecture", "nope"),)}, "'nope' is not a category of its module"),
        ({"windows": (("lecture", ""), ("lecture", ""))}, "windows lists a module"),
        ({"report_due_day": 29}, "report_due_day must be 1-28"),
        ({"report_due_day": 0}, "report_due_day must be 1-28"),
    ],
)
def test_an_unusable_hours_practice_or_window_key_is_refused(
    changes: dict[str, Any], reason: str
) -> None:
    """Each new key is checked when the rulebook is built (``rulebook.invalid`` naming it)."""
    from second_classroom.policies.rulebook import CategoryWindow, HoursRule, PracticeRule

    built: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "hours":
            built[key] = HoursRule(Decimal(0) if value == "zero" else Decimal(25))
        elif key == "practice":
            built[key] = PracticeRule(*value)
        elif key == "windows":
            built[key] = tuple(CategoryWindow(m, c) for m, c in value)
        else:
            built[key] = value
    assert reason in refused(HFUT, **built)
