"""发布规范: the publishing rules an activity form must satisfy (第十条, 第十一条 and the
到梦空间活动发布规范（试行）), as pure functions of the rulebook, the form and the host tribe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    QuestionKind,
)
from second_classroom.policies import publishing
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.policies.publishing import (
    Violation,
    check_ads,
    check_form,
    check_title,
    earliest_start,
    find_contact_details,
    organizer_range,
)
from second_classroom.policies.registration_questions import Question
from tests.policies.publishing_fixtures import PE_UNION, SCHOOL_UNION, VALID
from tests.policies.staff_fixtures import STAFFED
from tests.specification import NEPU, NOW, at

ADS = NEPU.ads


def codes(violations: list[Violation]) -> list[str]:
    return [v.code.code for v in violations]


def check(form: ActivityForm, host: publishing.Host = PE_UNION) -> list[str]:
    """The codes of the rules ``form`` breaks when submitted at NOW."""
    return codes(check_form(NEPU, form, host, NOW))


def title_codes(title: str, level: str | None, host: publishing.Host) -> list[str]:
    return codes(list(check_title(NEPU, title, level, host)))


# -- 四 组织者人数 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        (0, (0, 1)),
        (1, (0, 1)),
        (50, (0, 1)),
        (51, (1, 3)),
        (150, (1, 3)),
        (151, (3, 5)),
        (300, (3, 5)),
        (301, (5, 10)),
        (400, (5, 10)),
    ],
)
def test_organizer_range_follows_the_capacity_bands(
    capacity: int, expected: tuple[int, int]
) -> None:
    """发布规范 四: 0-50人 0-1；50-150人 1-3；150-300人 3-5；300以上 5-10 (a shared boundary
    belongs to the lower band)."""
    assert organizer_range(NEPU, capacity) == expected


def _band(capacity: int) -> tuple[int, int]:
    """发布规范 四, written out independently of the rulebook."""
    if capacity <= 50:
        return (0, 1)
    if capacity <= 150:
        return (1, 3)
    if capacity <= 300:
        return (3, 5)
    return (5, 10)


def test_organizer_range_for_every_capacity_up_to_four_hundred() -> None:
    """发布规范 四: every capacity 0..400 falls in its band; 活动最多设置10位组织者."""
    for capacity in range(401):
        assert organizer_range(NEPU, capacity) == _band(capacity), capacity
        assert organizer_range(NEPU, capacity)[1] <= 10


def test_organizer_range_is_capped_by_max_organizers() -> None:
    rulebook = attrs.evolve(NEPU, max_organizers=7)
    assert organizer_range(rulebook, 1000) == (5, 7)


def test_ten_organizers_for_twenty_people_is_refused() -> None:
    """The seed's bad case: 20 people need 0-1 organizers, not 10."""
    form = attrs.evolve(VALID, capacity=20, organizers=tuple(f"组织者{i}" for i in range(10)))
    assert check(form) == ["activity.organizer_count"]


def test_a_large_activity_needs_at_least_five_organizers() -> None:
    form = attrs.evolve(VALID, capacity=400, organizers=("张三", "李四"))
    assert check(form) == ["activity.organizer_count"]


def test_an_organizer_listed_twice_is_refused() -> None:
    form = attrs.evolve(VALID, organizers=("张三", "张三"))
    assert check(form) == ["activity.organizer_duplicate"]


# -- 一 活动名称 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_is_missing(title: str) -> None:
    violations = list(check_title(NEPU, title, ActivityLevel.COLLEGE, PE_UNION))
    assert codes(violations) == ["activity.title_empty"]
    assert violations[0].missing


def test_a_title_longer_than_sixty_characters_is_too_long() -> None:
    title = "石油工程学院" + "讲" * 55
    assert title_codes(title, ActivityLevel.COLLEGE, PE_UNION) == ["activity.title_too_long"]


def test_a_title_of_sixty_characters_is_fine() -> None:
    title = "石油工程学院" + "讲" * 54
    assert title_codes(title, ActivityLevel.COLLEGE, PE_UNION) == []


@pytest.mark.parametrize(
    "title",
    [
        "校学生会团队建设活动",
        "东北石油大学第十五届“挑战杯”大学生课外学术科技作品竞赛颁奖典礼",
        "校第十五届“挑战杯”大学生课外学术科技作品竞赛颁奖典礼",
        "全国大学生数学建模竞赛",
        "黑龙江省大学生运动会",
    ],
)
def test_a_school_level_title_may_use_a_school_or_external_prefix(title: str) -> None:
    """发布规范 一: 校级前缀(东北石油大学/校)；市级及以上活动前缀(全国、黑龙江省…)."""
    assert title_codes(title, ActivityLevel.SCHOOL, SCHOOL_UNION) == []


def test_a_school_level_title_without_a_prefix_is_refused() -> None:
    assert title_codes("迎新晚会", ActivityLevel.SCHOOL, SCHOOL_UNION) == ["activity.title_prefix"]


@pytest.mark.parametrize("title", ["石油工程学院“四六级宣讲会”活动", "石油工程学院学生会迎新晚会"])
def test_a_college_level_title_uses_the_college_or_tribe_name(title: str) -> None:
    """发布规范 一: 院级前缀(如：石油工程学院)."""
    assert title_codes(title, ActivityLevel.COLLEGE, PE_UNION) == []


@pytest.mark.parametrize(
    "title",
    ["东北石油大学迎新晚会", "校迎新晚会", "地球科学学院迎新晚会", "全国大学生数学建模竞赛"],
)
def test_a_college_level_title_may_not_use_another_prefix(title: str) -> None:
    assert title_codes(title, ActivityLevel.COLLEGE, PE_UNION) == ["activity.title_prefix"]


@pytest.mark.parametrize(
    ("title", "level", "host"),
    [
        ("东北石油大学", ActivityLevel.SCHOOL, SCHOOL_UNION),
        ("校", ActivityLevel.SCHOOL, SCHOOL_UNION),
        ("石油工程学院", ActivityLevel.COLLEGE, PE_UNION),
        ("石油工程学院学生会", ActivityLevel.COLLEGE, PE_UNION),
    ],
)
def test_a_title_that_is_only_the_prefix_has_no_theme(
    title: str, level: str, host: publishing.Host
) -> None:
    """发布规范 一: 注意：活动名称应当包含活动主题."""
    assert title_codes(title, level, host) == ["activity.title_no_theme"]


def test_title_prefix_is_not_checked_before_a_level_is_chosen() -> None:
    assert title_codes("迎新晚会", None, PE_UNION) == []


def test_a_school_level_title_may_take_the_school_external_or_own_prefixes_in_that_order() -> None:
    """发布规范 一: 校级前缀 (东北石油大学/校), 市级及以上前缀 (全国、中国、黑龙江省、
    大庆市), then the host's own name; a college-level title only the host's and its
    college's names."""
    assert publishing.title_prefixes(NEPU, ActivityLevel.SCHOOL, SCHOOL_UNION) == (
        "东北石油大学",
        "校",
        "全国",
        "中国",
        "黑龙江省",
        "大庆市",
        "校学生会",
    )
    assert publishing.title_prefixes(NEPU, ActivityLevel.COLLEGE, PE_UNION) == (
        "石油工程学院学生会",
        "石油工程学院",
    )


def test_the_theme_is_counted_after_the_longest_matching_prefix() -> None:
    """ "石油工程学院学生会讲" starts with both the tribe's and the college's name: after the
    longer one only one character is left, which is no theme (发布规范 一)."""
    assert title_codes("石油工程学院学生会讲", ActivityLevel.COLLEGE, PE_UNION) == [
        "activity.title_no_theme"
    ]
    assert title_codes("石油工程学院学生会讲座", ActivityLevel.COLLEGE, PE_UNION) == []


def test_a_title_is_judged_without_its_surrounding_spaces() -> None:
    assert title_codes("  石油工程学院讲座  ", ActivityLevel.COLLEGE, PE_UNION) == []
    assert title_codes(" 石油工程学院讲 ", ActivityLevel.COLLEGE, PE_UNION) == [
        "activity.title_no_theme"
    ]


def test_a_school_that_needs_no_level_prefix_accepts_any_titled_form() -> None:
    """The prefix rule is the school's (title.require_level_prefix); the length still holds."""
    rulebook = attrs.evolve(NEPU, title=attrs.evolve(NEPU.title, require_level_prefix=False))
    assert list(check_title(rulebook, "迎新晚会", ActivityLevel.COLLEGE, PE_UNION)) == []
    assert list(check_title(rulebook, "讲" * 61, ActivityLevel.COLLEGE, PE_UNION)) == [
        Violation(publishing.TITLE_TOO_LONG, "title", {"max_length": 60})
    ]


# -- 六、十五、十七 不允许广告和赞助方联系方式 --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("咨询电话13812345678", "13812345678"),
        ("咨询电话：138 1234 5678", "138 1234 5678"),
        ("咨询电话：138-1234-5678", "138-1234-5678"),
        ("咨询电话：+86 138 1234 5678", "+86 138 1234 5678"),
        ("咨询电话+8613812345678", "+8613812345678"),
    ],
)
def test_a_mobile_number_is_contact_detail(text: str, expected: str) -> None:
    assert find_contact_details(text, ADS) == [expected]


def test_a_landline_number_is_contact_detail() -> None:
    assert find_contact_details("赞助商电话：0459-6504321", ADS) == ["0459-6504321"]


def test_an_email_address_is_contact_detail() -> None:
    found = find_contact_details("简历发送至 sponsor@example.com 即可", ADS)
    assert found == ["sponsor@example.com"]


@pytest.mark.parametrize(
    "text", ["添加微信：abc_12345", "微信号：abc_12345", "vx: abc_12345", "VX：Abc12345"]
)
def test_a_wechat_id_is_contact_detail(text: str) -> None:
    assert find_contact_details(text, ADS)


@pytest.mark.parametrize("text", ["QQ群：123456789", "加QQ 12345678", "扣扣：12345678"])
def test_a_qq_number_is_contact_detail(text: str) -> None:
    assert find_contact_details(text, ADS)


@pytest.mark.parametrize(
    "text",
    [
        "购买请访问 https://example.com/buy",
        "购买请访问 http://shop.example.com",
        "购买请访问 www.example.com",
        "购买请访问 shop.example.com",
        "冒充校网 nepu.edu.cn.example.com",
        "冒充校网 evilnepu.edu.cn",
    ],
)
def test_a_foreign_url_is_contact_detail(text: str) -> None:
    assert find_contact_details(text, ADS) == [text.split(" ")[1]]


@pytest.mark.parametrize(
    "text",
    [
        "详见 https://www.nepu.edu.cn/info/1.htm",
        "详见 http://tuanwei.nepu.edu.cn",
        "详见 nepu.edu.cn",
        "详见 https://NEPU.EDU.CN/x",
        "请在到梦空间 https://www.5idream.net 报名",
        "请在到梦空间 www.5idream.net 报名",
    ],
)
def test_the_schools_own_sites_are_allowed(text: str) -> None:
    """The school's site and its subdomains, and the 到梦空间 platform itself."""
    assert find_contact_details(text, ADS) == []


@pytest.mark.parametrize(
    "text",
    [
        "本次活动旨在丰富同学们的课余生活，提升综合素质。",
        "活动日期：2026-12-03",
        "活动地点：第一教学楼F座118室",
        "活动时间：14:00-16:00",
        "2026年12月3日14:30开始，容纳300人",
        "学号2021123456的同学请于12月1日前报名",
        "奖励0.5分，一等奖1人，二等奖2人",
    ],
)
def test_ordinary_text_has_no_contact_details(text: str) -> None:
    assert find_contact_details(text, ADS) == []


def test_contact_details_are_not_sought_when_the_ad_rule_is_off() -> None:
    assert find_contact_details("咨询电话13812345678", attrs.evolve(ADS, enabled=False)) == []


def test_a_foreign_domain_between_chinese_characters_is_contact_detail() -> None:
    assert find_contact_details("请访问shop.example.com购买", ADS) != []


def test_the_schools_site_followed_by_chinese_characters_is_allowed() -> None:
    assert find_contact_details("请登录www.nepu.edu.cn查看通知", ADS) == []


def test_an_at_mention_in_chinese_is_not_an_email() -> None:
    assert find_contact_details("感谢@校团委.欢迎同学们参加", ADS) == []


def test_check_ads_names_the_offending_field() -> None:
    form = attrs.evolve(VALID, details=VALID.details + "赞助商电话13812345678")
    [violation] = check_ads(NEPU, form)
    assert violation.code.code == "activity.advertising"
    assert violation.field == "details"
    assert violation.details == {"found": "13812345678"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "石油工程学院讲座 微信：abc_12345"}, "title"),
        ({"intro": "QQ群：123456789"}, "intro"),
        ({"participation_notes": "咨询0459-6504321"}, "participation_notes"),
        ({"locations": ("第一教学楼F座118室", "www.example.com")}, "locations[1]"),
        ({"tags": ("讲座", "vx:abc_12345")}, "tags[1]"),
        ({"attachments": ("报名表 https://example.com/a.doc",)}, "attachments[0]"),
        ({"admission": Admission(AdmissionMethod.REVIEW, "发至a@example.com")}, "review_criteria"),
        ({"plan": AwardPlan(awards=(PlannedAward("赞助 shop.example.com", 1),))}, "awards[0]"),
    ],
)
def test_check_ads_looks_at_every_free_text_field(changes: dict[str, Any], field: str) -> None:
    form = attrs.evolve(VALID, **changes)
    assert [v.field for v in check_ads(NEPU, form)] == [field]


def test_a_valid_form_has_no_ads() -> None:
    assert list(check_ads(NEPU, VALID)) == []


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_PUNCTUATION = st.sampled_from(list("，。、；：？！“”‘’（）《》【】—…· ,.;:!?()[]\"'-_/#%&*@"))


@given(st.text(st.one_of(_CJK, _PUNCTUATION), max_size=80))
def test_chinese_text_without_digits_or_latin_letters_has_no_contact_details(text: str) -> None:
    assert find_contact_details(text, ADS) == []


@given(
    st.text(_CJK, max_size=20),
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
    st.text(_CJK, max_size=20),
)
def test_a_mobile_number_in_chinese_text_is_found(
    before: str, second: str, rest: str, after: str
) -> None:
    number = "1" + second + rest
    assert number in find_contact_details(before + number + after, ADS)


# -- 第十一条 提前三个工作日 -----------------------------------------------------------------------


def test_earliest_start_is_three_working_days_after_submission() -> None:
    """第十一条: 活动需至少提前三个工作日进行申请. Monday → Thursday."""
    assert earliest_start(NEPU, NOW) == at(11, 26).date()


def test_earliest_start_skips_the_weekend() -> None:
    """Thursday 26 November → Friday, Monday, Tuesday 1 December."""
    assert earliest_start(NEPU, at(11, 26, 17)) == at(12, 1).date()


def test_earliest_start_skips_the_national_day_holiday() -> None:
    """Tuesday 29 September → Wed 30 Sep, then 1-7 Oct are off → Thu 8, Fri 9 October."""
    assert earliest_start(NEPU, at(9, 29)) == at(10, 9).date()


def test_earliest_start_may_be_the_make_up_saturday() -> None:
    """Wednesday 30 September → Thu 8, Fri 9, Sat 10 October (调休 workday)."""
    assert earliest_start(NEPU, at(9, 30)) == at(10, 10).date()


def test_earliest_start_counts_from_the_submission_date_in_shanghai() -> None:
    """22:30 UTC on 29 September is already 30 September in 大庆."""
    late = datetime(2026, 9, 29, 22, 30, tzinfo=UTC)
    assert earliest_start(NEPU, late) == at(10, 10).date()


# -- 第十条 and 发布规范: the whole form ---------------------------------------------------------


def test_a_complete_valid_form_breaks_no_rule() -> None:
    assert check_form(NEPU, VALID, PE_UNION, NOW) == []


def test_starting_exactly_on_the_earliest_day_is_in_time() -> None:
    form = attrs.evolve(VALID, registration_closes=at(11, 25), starts_at=at(11, 26, 14))
    assert check(form) == []


def test_an_empty_introduction_is_missing() -> None:
    """第十条: 填写活动标题、活动介绍…"""
    assert check(attrs.evolve(VALID, intro="  ")) == ["activity.intro_empty"]


def test_a_module_outside_the_seven_is_unknown() -> None:
    """发布规范 三: 按照七大模块内容选择相应活动类型."""
    assert check(attrs.evolve(VALID, module="sports")) == ["activity.module_unknown"]


def test_no_module_is_missing() -> None:
    [violation] = check_form(NEPU, attrs.evolve(VALID, module=""), PE_UNION, NOW)
    assert violation.code.code == "activity.module_unknown"
    assert violation.missing


@pytest.mark.parametrize("level", [ActivityLevel.SCHOOL, ActivityLevel.CLASS])
def test_a_college_tribe_may_only_publish_college_activities(level: str) -> None:
    """第十一条: 院级活动由学院分团委学生会…等组织发布."""
    assert check(attrs.evolve(VALID, level=level)) == ["activity.level_not_allowed"]


@pytest.mark.parametrize("capacity", [-1, 0])
def test_capacity_must_be_positive(capacity: int) -> None:
    [violation] = check_form(NEPU, attrs.evolve(VALID, capacity=capacity), PE_UNION, NOW)
    assert violation.code.code == "activity.capacity_invalid"
    assert not violation.missing


@pytest.mark.parametrize("field", ["registration_opens", "registration_closes", "starts_at"])
def test_a_missing_time_is_schedule_missing(field: str) -> None:
    """第十条: 报名时间…填写活动时间."""
    blank: dict[str, Any] = {field: None}
    assert check(attrs.evolve(VALID, **blank)) == ["activity.schedule_missing"]


def test_registration_closing_after_the_start_is_out_of_order() -> None:
    form = attrs.evolve(VALID, registration_closes=at(11, 30, 15))
    assert check(form) == ["activity.schedule_order"]


def test_an_activity_ending_before_it_starts_is_out_of_order() -> None:
    form = attrs.evolve(VALID, ends_at=at(11, 30, 13))
    assert check(form) == ["activity.schedule_order"]


def test_starting_before_the_earliest_day_breaks_the_lead_time() -> None:
    """第十一条: submitted Friday 27 November, the Monday after is only one working day ahead."""
    [violation] = check_form(NEPU, VALID, PE_UNION, at(11, 27))
    assert violation.code.code == "activity.lead_time"
    assert violation.field == "starts_at"
    assert violation.details == {"days": 3, "earliest": "2026-12-02"}


def test_a_draft_save_does_not_check_the_lead_time() -> None:
    """``submitted_at`` None: saving a draft is not a request, so no lead time yet."""
    form = attrs.evolve(
        VALID,
        registration_opens=NOW,
        registration_closes=NOW + timedelta(hours=1),
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=2),
    )
    assert codes(check_form(NEPU, form, PE_UNION, NOW)) == ["activity.lead_time"]
    assert check_form(NEPU, form, PE_UNION, None) == []


@pytest.mark.parametrize("locations", [(), ("  ",)])
def test_no_location_is_missing(locations: tuple[str, ...]) -> None:
    """第十条: 填写活动时间、活动地点."""
    assert check(attrs.evolve(VALID, locations=locations)) == ["activity.locations_empty"]


def test_empty_details_are_missing() -> None:
    """第十条: 活动详情需填写活动的内容和方案."""
    form = attrs.evolve(VALID, details="", plan=AwardPlan())
    assert check(form) == ["activity.details_empty"]


def test_empty_participation_notes_are_missing() -> None:
    """发布规范 七: 参与须知必须写明…注意事项和要求."""
    assert check(attrs.evolve(VALID, participation_notes="")) == ["activity.notes_empty"]


def test_no_poster_is_missing() -> None:
    """第十条: 图片素材需上传与活动相关的海报等信息."""
    assert check(attrs.evolve(VALID, images=())) == ["activity.poster_missing"]


# A custom scope is for a school-level activity: 发布规范 二 holds a college-level one within its
# college (these tests used the college-level VALID, which that rule now refuses).
SCHOOL_LEVEL = attrs.evolve(VALID, title="校学生会团队建设活动", level=ActivityLevel.SCHOOL)


@pytest.mark.parametrize("colleges", [(), ("PE", "XYZ")])
def test_a_custom_scope_needs_known_colleges(colleges: tuple[str, ...]) -> None:
    """发布规范 八: 自定义…根据活动举办方选择可参加活动的院系范围."""
    form = attrs.evolve(SCHOOL_LEVEL, scope=Scope(ParticipationScope.CUSTOM, colleges))
    assert check(form, SCHOOL_UNION) == ["activity.scope_colleges"]


def test_a_custom_scope_of_known_colleges_is_fine() -> None:
    form = attrs.evolve(SCHOOL_LEVEL, scope=Scope(ParticipationScope.CUSTOM, ("PE", "GEO")))
    assert check(form, SCHOOL_UNION) == []


@pytest.mark.parametrize("colleges", [("PE",), ("PE", "PE")], ids=["one", "one-twice"])
def test_a_custom_scope_names_two_or_more_colleges(colleges: tuple[str, ...]) -> None:
    """发布规范 八 自定义：若活动为两个及以上学院举办，可选择自定义参与范围 — given a custom scope
    of one college, when checked, then activity.scope_too_few_colleges."""
    form = attrs.evolve(SCHOOL_LEVEL, scope=Scope(ParticipationScope.CUSTOM, colleges))
    assert check_form(NEPU, form, SCHOOL_UNION, NOW) == [
        Violation(publishing.SCOPE_TOO_FEW_COLLEGES, "scope")
    ]


@pytest.mark.parametrize(
    "kind", [ParticipationScope.SCHOOL, ParticipationScope.UNLIMITED, ParticipationScope.CUSTOM]
)
def test_a_college_level_activity_is_held_within_its_college(kind: ParticipationScope) -> None:
    """发布规范 二 院系级：主办方部落所属学院举办学院内的活动 — given a college-level activity,
    when its scope reaches beyond the college, then activity.scope_outside_college."""
    form = attrs.evolve(VALID, scope=Scope(kind, ("PE", "GEO")))
    assert check(form) == ["activity.scope_outside_college"]


@pytest.mark.parametrize("kind", [ParticipationScope.TRIBE, ParticipationScope.COLLEGE])
def test_a_college_level_activity_may_be_open_to_its_tribe_or_college(
    kind: ParticipationScope,
) -> None:
    assert check(attrs.evolve(VALID, scope=Scope(kind))) == []


def test_a_tribe_without_a_college_cannot_use_the_college_scope() -> None:
    """发布规范 八: 院系内 means the host tribe's college; a school tribe has none."""
    form = attrs.evolve(
        VALID,
        title="校学生会团队建设活动",
        level=ActivityLevel.SCHOOL,
        scope=Scope(ParticipationScope.COLLEGE),
    )
    assert check(form, SCHOOL_UNION) == ["activity.scope_needs_college"]


def test_review_admission_without_criteria_is_refused() -> None:
    """发布规范 九: 必须使用评审制，则需在活动详情中明确写出评审标准."""
    form = attrs.evolve(VALID, admission=Admission(AdmissionMethod.REVIEW))
    assert check(form) == ["activity.review_criteria_missing"]


def test_review_admission_with_criteria_is_fine() -> None:
    form = attrs.evolve(VALID, admission=Admission(AdmissionMethod.REVIEW, "按笔试成绩择优录取"))
    assert check(form) == []


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param(AwardPlan(awards=(PlannedAward("", 1),)), id="award-without-name"),
        pytest.param(AwardPlan(awards=(PlannedAward("一等奖", 0),)), id="award-quota-zero"),
        pytest.param(
            AwardPlan(awards=(PlannedAward("一等奖", 1, Decimal(-1)),)), id="award-credit-negative"
        ),
        pytest.param(
            AwardPlan(credits=(PlannedCredit("sports", "学分", Decimal(1)),)), id="credit-module"
        ),
        pytest.param(
            AwardPlan(credits=(PlannedCredit("skills", "积分", Decimal(1)),)), id="credit-type"
        ),
        pytest.param(
            AwardPlan(credits=(PlannedCredit("skills", "学分", Decimal(0)),)), id="credit-zero"
        ),
    ],
)
def test_an_invalid_award_or_credit_plan_is_refused(plan: AwardPlan) -> None:
    """发布规范 十三、十四: 奖项及学分按照《素质考评办法》设置."""
    assert check(attrs.evolve(VALID, plan=plan)) == ["activity.plan_invalid"]


def test_planned_credits_need_the_rubric_cited_in_the_details() -> None:
    """发布规范 六: 必须体现出第二课堂活动学分奖励来源，如：按照《…学生素质考评办法》…"""
    form = attrs.evolve(VALID, details="讲座分为题型解析、备考经验分享和现场答疑三部分。")
    assert check(form) == ["activity.credit_source_missing"]


def test_details_need_no_rubric_when_no_credits_are_planned() -> None:
    form = attrs.evolve(
        VALID, details="讲座分为题型解析、备考经验分享和现场答疑三部分。", plan=AwardPlan()
    )
    assert check(form) == []


def test_sponsor_contact_details_are_advertising() -> None:
    """发布规范 六、十七: 不允许出现赞助方联系方式；不允许有任何形式的广告."""
    form = attrs.evolve(VALID, intro=VALID.intro + "本活动由某培训机构赞助，报名咨询13812345678。")
    [violation] = check_form(NEPU, form, PE_UNION, NOW)
    assert violation.code.code == "activity.advertising"
    assert violation.field == "intro"


# -- each violation carries its rule, its field and the values it reports -----------------------
# (the form's error messages are filled from them, so a wrong field or value is a wrong message)

V = Violation
SCHOOL_FORM = attrs.evolve(
    VALID,
    title="校学生会团队建设活动",
    level=ActivityLevel.SCHOOL,
    module="ideology",
    scope=Scope(ParticipationScope.SCHOOL),
)
IDEOLOGY = "ideology"


def credits(module: str, amount: str, credit_type: str = "学分") -> AwardPlan:
    return AwardPlan(credits=(PlannedCredit(module, credit_type, Decimal(amount)),))


def awards(name: str, quota: int, credit: str = "0") -> AwardPlan:
    return AwardPlan(awards=(PlannedAward(name, quota, Decimal(credit)),))


EXACT_VIOLATIONS: dict[str, tuple[dict[str, Any], list[Violation]]] = {
    "intro empty": ({"intro": " "}, [V(publishing.INTRO_EMPTY, "intro", missing=True)]),
    "module missing": (
        {"module": "", "plan": AwardPlan()},
        [V(publishing.MODULE_UNKNOWN, "module", {"module": ""}, missing=True)],
    ),
    "module unknown": (
        {"module": "sports"},
        [V(publishing.MODULE_UNKNOWN, "module", {"module": "sports"})],
    ),
    "level missing": ({"level": None}, [V(publishing.LEVEL_MISSING, "level", missing=True)]),
    "level unknown": (
        {"level": "national"},
        [
            V(
                publishing.LEVEL_UNKNOWN,
                "level",
                {"level": "national", "allowed": "校级、院系级、班团"},
            )
        ],
    ),
    "category of another module": (
        {"category": "ideals"},
        [V(publishing.CATEGORY_UNKNOWN, "category", {"category": "ideals", "module": "skills"})],
    ),
    "category of its module": ({"module": "ideology", "category": "ideals"}, []),
    "level not allowed": (
        {"level": ActivityLevel.SCHOOL},
        [V(publishing.LEVEL_NOT_ALLOWED, "level", {"tribe_level": "院级", "level": "校级"})],
    ),
    "capacity missing": (
        {"capacity": None},
        [V(publishing.CAPACITY_INVALID, "capacity", {"capacity": None}, missing=True)],
    ),
    "capacity zero": (
        {"capacity": 0},
        [V(publishing.CAPACITY_INVALID, "capacity", {"capacity": 0})],
    ),
    "capacity one is fine": ({"capacity": 1, "organizers": ("张三",)}, []),
    "organizer duplicate": (
        {"organizers": ("张三", "张三")},
        [V(publishing.ORGANIZER_DUPLICATE, "organizers", {"person": "张三"})],
    ),
    "organizers above the band": (
        {"capacity": 20, "organizers": ("张三", "李四")},
        [
            V(
                publishing.ORGANIZER_COUNT,
                "organizers",
                {"capacity": 20, "minimum": 0, "maximum": 1, "count": 2},
            )
        ],
    ),
    "organizers below the band": (
        {"capacity": 100, "organizers": ()},
        [
            V(
                publishing.ORGANIZER_COUNT,
                "organizers",
                {"capacity": 100, "minimum": 1, "maximum": 3, "count": 0},
            )
        ],
    ),
    "organizers at the band's minimum": ({"capacity": 100, "organizers": ("张三",)}, []),
    "organizers at the band's maximum": (
        {"capacity": 100, "organizers": ("张三", "李四", "王五")},
        [],
    ),
    "organizers one above the band's maximum": (
        {"capacity": 100, "organizers": ("张三", "李四", "王五", "赵六")},
        [
            V(
                publishing.ORGANIZER_COUNT,
                "organizers",
                {"capacity": 100, "minimum": 1, "maximum": 3, "count": 4},
            )
        ],
    ),
    "title too long": (
        {"title": "石油工程学院" + "讲" * 55},
        [V(publishing.TITLE_TOO_LONG, "title", {"max_length": 60})],
    ),
    "title without prefix": (
        {"title": "迎新晚会"},
        [V(publishing.TITLE_PREFIX, "title", {"examples": "石油工程学院学生会、石油工程学院"})],
    ),
    "title with a one-character theme": (
        {"title": "石油工程学院讲"},
        [V(publishing.TITLE_NO_THEME, "title")],
    ),
    "title with a two-character theme": ({"title": "石油工程学院讲座"}, []),
    "schedule missing": (
        {"ends_at": None},
        [V(publishing.SCHEDULE_MISSING, "schedule", missing=True)],
    ),
    "registration opening as it closes": (
        {"registration_opens": at(11, 27, 18)},
        [V(publishing.SCHEDULE_ORDER, "schedule")],
    ),
    "registration closing as the activity starts": ({"registration_closes": at(11, 30, 14)}, []),
    "an activity ending as it starts": (
        {"ends_at": at(11, 30, 14)},
        [V(publishing.SCHEDULE_ORDER, "schedule")],
    ),
    "an activity a minute longer than the rulebook's 744 hours": (
        {"ends_at": at(12, 31, 14, 1)},
        [V(publishing.DURATION_TOO_LONG, "ends_at", {"hours": 744})],
    ),
    "an activity of exactly the rulebook's 744 hours": ({"ends_at": at(12, 31, 14)}, []),
    "notes empty": (
        {"participation_notes": "\n"},
        [V(publishing.NOTES_EMPTY, "participation_notes", missing=True)],
    ),
    "no poster": ({"images": ()}, [V(publishing.POSTER_MISSING, "images", missing=True)]),
    "no location": ({"locations": ()}, [V(publishing.LOCATIONS_EMPTY, "locations", missing=True)]),
    "details empty": (
        {"details": "", "plan": AwardPlan()},
        [V(publishing.DETAILS_EMPTY, "details", missing=True)],
    ),
    "credit source missing": (
        {"details": "讲座分为三部分。"},
        [V(publishing.CREDIT_SOURCE, "details", {"keyword": "素质考评办法"})],
    ),
    "custom scope without colleges": (
        {"scope": Scope(ParticipationScope.CUSTOM, ())},
        [
            V(publishing.SCOPE_COLLEGES, "scope", {"colleges": "未选择"}),
            # and VALID is college-level: 院系级 keeps to 部落内 or 院系内 (发布规范 二)
            V(publishing.SCOPE_OUTSIDE_COLLEGE, "scope", {"scope": "自定义"}),
        ],
    ),
    "custom scope with unknown colleges": (
        {"scope": Scope(ParticipationScope.CUSTOM, ("PE", "XYZ", "ABC"))},
        [
            V(publishing.SCOPE_COLLEGES, "scope", {"colleges": "XYZ、ABC"}),
            # and VALID is college-level: 院系级 keeps to 部落内 or 院系内 (发布规范 二)
            V(publishing.SCOPE_OUTSIDE_COLLEGE, "scope", {"scope": "自定义"}),
        ],
    ),
    "review without criteria": (
        {"admission": Admission(AdmissionMethod.REVIEW)},
        [V(publishing.REVIEW_CRITERIA, "admission.review_criteria")],
    ),
    "award without a name": (
        {"plan": awards(" ", 1)},
        [V(publishing.PLAN_INVALID, "plan.awards", {"reason": "奖项 ' '"})],
    ),
    "award quota zero": (
        {"plan": awards("最佳组织奖", 0)},
        [V(publishing.PLAN_INVALID, "plan.awards", {"reason": "奖项 '最佳组织奖'"})],
    ),
    "award quota one is fine": ({"plan": awards("最佳组织奖", 1)}, []),
    "award credit negative": (
        {"plan": awards("最佳组织奖", 1, "-0.5")},
        [V(publishing.PLAN_INVALID, "plan.awards", {"reason": "奖项 '最佳组织奖'"})],
    ),
    "award credit zero is fine": ({"plan": awards("最佳组织奖", 1, "0")}, []),
    "award above its standard quota": (
        {"plan": awards("二等奖", 3)},
        [
            V(
                publishing.PLAN_INVALID,
                "plan.awards",
                {"reason": "二等奖最多2人(组)（发布规范 十三）"},
            )
        ],
    ),
    "award at its standard quota": ({"plan": awards("二等奖", 2)}, []),
    "credit of an unknown module": (
        {"plan": credits("sports", "0.5")},
        [V(publishing.PLAN_INVALID, "plan.credits", {"reason": "模块 sports"})],
    ),
    "credit of an unknown type": (
        {"plan": credits("skills", "0.5", "积分")},
        [V(publishing.PLAN_INVALID, "plan.credits", {"reason": "学分类型 积分"})],
    ),
    "credit zero": (
        {"plan": credits("skills", "0")},
        [V(publishing.PLAN_INVALID, "plan.credits", {"reason": "学分 0"})],
    ),
    "contact details": (
        {"participation_notes": "咨询 qq: 123456789"},
        [V(publishing.ADVERTISING, "participation_notes", {"found": "qq: 123456789"})],
    ),
    "two contact details in one field": (
        {"participation_notes": "咨询 13812345678 或 service@example.com"},
        [
            V(
                publishing.ADVERTISING,
                "participation_notes",
                {"found": "13812345678、service@example.com"},
            )
        ],
    ),
}


@pytest.mark.parametrize(
    ("changes", "expected"), EXACT_VIOLATIONS.values(), ids=EXACT_VIOLATIONS.keys()
)
def test_each_rule_reports_its_field_and_values(
    changes: dict[str, Any], expected: list[Violation]
) -> None:
    """第十条 and the 发布规范, rule by rule, with exact boundaries (a shared boundary is fine)."""
    assert check_form(NEPU, attrs.evolve(VALID, **changes), PE_UNION, NOW) == expected


def test_a_school_tribe_may_not_choose_the_college_scope_it_has_not() -> None:
    """发布规范 八: 院系内 needs the host's college."""
    form = attrs.evolve(SCHOOL_FORM, scope=Scope(ParticipationScope.COLLEGE), plan=AwardPlan())
    assert check_form(NEPU, form, SCHOOL_UNION, NOW) == [V(publishing.SCOPE_NEEDS_COLLEGE, "scope")]


def test_a_school_level_title_suggests_four_prefixes() -> None:
    form = attrs.evolve(SCHOOL_FORM, title="迎新晚会", plan=AwardPlan())
    [violation] = check_form(NEPU, form, SCHOOL_UNION, NOW)
    prefixes = publishing.title_prefixes(NEPU, ActivityLevel.SCHOOL, SCHOOL_UNION)
    assert violation == V(publishing.TITLE_PREFIX, "title", {"examples": "、".join(prefixes[:4])})
    assert len(prefixes) > 4


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (
            "2.01",
            [V(publishing.PLAN_INVALID, "plan.credits", {"reason": "2.01学分超过考评标准上限2"})],
        ),
        ("2", []),
    ],
    ids=["above the rubric", "at the rubric"],
)
def test_the_rubric_caps_a_school_level_credit(amount: str, expected: list[Violation]) -> None:
    """发布规范 十四: 思想成长 校级 at most 2 分 (素质考评办法)."""
    form = attrs.evolve(SCHOOL_FORM, plan=credits(IDEOLOGY, amount))
    assert check_form(NEPU, form, SCHOOL_UNION, NOW) == expected


def test_a_credit_of_a_form_without_level_is_not_capped() -> None:
    """Before a level is chosen the rubric cannot apply; only the level is missing."""
    form = attrs.evolve(SCHOOL_FORM, level=None, plan=credits(IDEOLOGY, "9"))
    assert check_form(NEPU, form, SCHOOL_UNION, NOW) == [
        V(publishing.LEVEL_MISSING, "level", missing=True)
    ]


def test_a_scope_the_school_does_not_offer_is_refused() -> None:
    """发布规范 八: the rulebook lists the scopes a school offers."""
    rulebook = attrs.evolve(
        NEPU, scopes=tuple(s for s in NEPU.scopes if s is not ParticipationScope.TRIBE)
    )
    form = attrs.evolve(VALID, scope=Scope(ParticipationScope.TRIBE))
    assert check_form(rulebook, form, PE_UNION, NOW) == [
        V(publishing.SCOPE_NOT_ALLOWED, "scope", {"scope": "部落内"})
    ]
    assert check_form(NEPU, form, PE_UNION, NOW) == []


def test_an_admission_method_the_school_does_not_offer_is_refused() -> None:
    """发布规范 九: the rulebook lists the admission methods a school offers."""
    rulebook = attrs.evolve(
        NEPU,
        admission_methods=tuple(
            m for m in NEPU.admission_methods if m is not AdmissionMethod.LOTTERY
        ),
    )
    form = attrs.evolve(VALID, admission=Admission(AdmissionMethod.LOTTERY))
    assert check_form(rulebook, form, PE_UNION, NOW) == [
        V(publishing.ADMISSION_NOT_ALLOWED, "admission", {"method": "中签制"})
    ]
    assert check_form(NEPU, form, PE_UNION, NOW) == []


def test_a_review_rule_that_needs_no_criteria_accepts_none() -> None:
    rulebook = attrs.evolve(NEPU, review_requires_criteria=False)
    form = attrs.evolve(VALID, admission=Admission(AdmissionMethod.REVIEW))
    assert check_form(rulebook, form, PE_UNION, NOW) == []


def test_an_allowed_school_url_does_not_hide_a_foreign_one_after_it() -> None:
    """发布规范 十七: every address is judged, not only the first."""
    text = "详见 nepu.edu.cn 或 www.5idream.net，购买请访问 shop.example.com 与 www.example.org"
    assert find_contact_details(text, ADS) == ["shop.example.com", "www.example.org"]


def test_an_empty_draft_breaks_only_missing_value_rules() -> None:
    violations = check_form(NEPU, ActivityForm(), PE_UNION, None)
    assert codes(violations) == [
        "activity.title_empty",
        "activity.intro_empty",
        "activity.module_unknown",
        "activity.level_missing",
        "activity.capacity_invalid",
        "activity.schedule_missing",
        "activity.notes_empty",
        "activity.poster_missing",
        "activity.locations_empty",
        "activity.details_empty",
    ]
    assert all(v.missing for v in violations)
    assert [v.field for v in violations] == [
        "title",
        "intro",
        "module",
        "level",
        "capacity",
        "schedule",
        "participation_notes",
        "images",
        "locations",
        "details",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "迎新晚会"},
        {"module": "sports"},
        {"capacity": 0},
        {"registration_closes": at(11, 30, 15)},
        {"admission": Admission(AdmissionMethod.REVIEW)},
        {"intro": "咨询13812345678"},
    ],
)
def test_a_wrong_value_is_not_a_missing_one(changes: dict[str, Any]) -> None:
    violations = check_form(NEPU, attrs.evolve(VALID, **changes), PE_UNION, NOW)
    assert violations
    assert not any(v.missing for v in violations)


def test_a_violation_becomes_a_domain_error_naming_its_field() -> None:
    [violation] = check_form(NEPU, attrs.evolve(VALID, capacity=0), PE_UNION, NOW)
    error = violation.error()
    assert error.code == "activity.capacity_invalid"
    assert error.details == {"field": "capacity", "capacity": 0}


# -- 自定义报名信息 on the form (002 二 6; checked with the form, fixed at approval) -------------

CHOICE_BOUND = ("选择题须有 2-30 个选项", "a choice offers 2-30")
OPTION_TWICE = ("选项为空或重复", "an option is blank or offered twice")
CODE_BLANK = ("编号为空或重复", "its code is blank or used twice")
MAX_CHOICES = ("最多可选项数只用于多选题，且至少为 1", "max_choices is for multiple choice, ≥ 1")
MAX_LENGTH = ("字数上限只用于填空题，且为 1-500", "max_length is for text, 1-500")
RANGE_KIND = ("取值范围只用于数字题", "minimum and maximum are for a number question")
SINGLE, MULTIPLE = QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE
TEXT, NUMBER = QuestionKind.TEXT, QuestionKind.NUMBER
SIZE = Question("size", "文化衫尺码", SINGLE, options=("S", "M", "L", "XL"))
PHONE = Question("phone", "紧急联系人", TEXT, max_length=20)
WELL_FORMED = (
    SIZE,
    Question("slots", "可参加的时段", MULTIPLE, options=("上午", "下午", "晚上"), max_choices=2),
    PHONE,
    Question("height", "身高（厘米）", NUMBER, minimum=Decimal(100), maximum=Decimal(250)),
    Question("diet", "饮食禁忌", TEXT, required=False),
)


def question_problems(*questions: Question) -> list[Violation]:
    return list(publishing.check_questions(NEPU, questions))


def invalid(index: int, name: str, *reasons: tuple[str, str]) -> list[Violation]:
    """The violations of question ``index`` (named ``name``), one per reason, in rule order."""
    return [
        V(
            publishing.QUESTION_INVALID,
            f"questions[{index}]",
            {"question": name, "reason": zh, "reason_en": en},
        )
        for zh, en in reasons
    ]


def test_002_2_6_a_form_with_well_formed_questions_passes() -> None:
    assert question_problems(*WELL_FORMED) == []
    assert check(attrs.evolve(VALID, questions=WELL_FORMED)) == []


QUESTION_PROBLEMS: dict[str, tuple[Question, list[tuple[str, str]]]] = {
    "a choice with one option": (
        Question("q", "是否住校", SINGLE, options=("是",)),
        [CHOICE_BOUND],
    ),
    "a choice with no option": (Question("q", "是否住校", MULTIPLE), [CHOICE_BOUND]),
    "a choice with two options": (Question("q", "是否住校", SINGLE, options=("是", "否")), []),
    "a choice with the rulebook's most options": (
        Question("q", "学院", SINGLE, options=tuple(f"学院{i}" for i in range(30))),
        [],
    ),
    "a choice with one option more": (
        Question("q", "学院", MULTIPLE, options=tuple(f"学院{i}" for i in range(31))),
        [CHOICE_BOUND],
    ),
    "a choice offering an option twice": (
        Question("q", "年级", SINGLE, options=("大一", "大一")),
        [OPTION_TWICE],
    ),
    "a choice offering a blank option": (
        Question("q", "年级", MULTIPLE, options=("大一", " ")),
        [OPTION_TWICE],
    ),
    "options on a text question": (
        Question("q", "备注", TEXT, options=("甲", "乙")),
        [("只有选择题有选项", "only a choice question has options")],
    ),
    "a blank prompt": (Question("q", " ", TEXT), [("题目为空", "its prompt is blank")]),
    "a blank code": (Question(" ", "备注", TEXT), [CODE_BLANK]),
    "max_choices on a single choice": (
        Question("q", "年级", SINGLE, options=("大一", "大二"), max_choices=1),
        [MAX_CHOICES],
    ),
    "max_choices on a text": (Question("q", "备注", TEXT, max_choices=1), [MAX_CHOICES]),
    "max_choices of zero": (
        Question("q", "时段", MULTIPLE, options=("上午", "下午"), max_choices=0),
        [MAX_CHOICES],
    ),
    "max_choices of one": (
        Question("q", "时段", MULTIPLE, options=("上午", "下午"), max_choices=1),
        [],
    ),
    "a text bound of the rulebook's most": (Question("q", "备注", TEXT, max_length=500), []),
    "a text bound above the rulebook's": (
        Question("q", "备注", TEXT, max_length=501),
        [MAX_LENGTH],
    ),
    "a text bound of one": (Question("q", "备注", TEXT, max_length=1), []),
    "a text bound of zero": (Question("q", "备注", TEXT, max_length=0), [MAX_LENGTH]),
    "a length bound on a number": (Question("q", "年龄", NUMBER, max_length=3), [MAX_LENGTH]),
    "a minimum on a text": (Question("q", "备注", TEXT, minimum=Decimal(1)), [RANGE_KIND]),
    "a maximum on a choice": (
        Question("q", "年级", SINGLE, options=("大一", "大二"), maximum=Decimal(1)),
        [RANGE_KIND],
    ),
    "an inverted range": (
        Question("q", "年龄", NUMBER, minimum=Decimal(30), maximum=Decimal(16)),
        [("最小值大于最大值", "minimum is above maximum")],
    ),
    "a range of one number": (
        Question("q", "年龄", NUMBER, minimum=Decimal(18), maximum=Decimal(18)),
        [],
    ),
    "every problem at once": (
        Question(
            " ",
            "",
            TEXT,
            options=("甲",),
            max_choices=2,
            max_length=0,
            minimum=Decimal(2),
            maximum=Decimal(1),
        ),
        [
            CODE_BLANK,
            ("题目为空", "its prompt is blank"),
            ("只有选择题有选项", "only a choice question has options"),
            MAX_CHOICES,
            MAX_LENGTH,
            RANGE_KIND,
            ("最小值大于最大值", "minimum is above maximum"),
        ],
    ),
}


@pytest.mark.parametrize(
    ("question", "reasons"), QUESTION_PROBLEMS.values(), ids=QUESTION_PROBLEMS.keys()
)
def test_002_2_6_a_malformed_question_is_refused_with_the_form(
    question: Question, reasons: list[tuple[str, str]]
) -> None:
    """002 二 6: each question is well formed for its kind, within the rulebook's [questions]
    bounds (NEPU: 30 options, 500 characters); the reason names the rule, in both languages."""
    assert question_problems(question) == invalid(0, question.code, *reasons)
    codes_on_the_form = check(attrs.evolve(VALID, questions=(question,)))
    assert codes_on_the_form == ["activity.question_invalid"] * len(reasons)


def test_002_2_6_a_question_is_named_by_its_place_when_it_has_no_code() -> None:
    """A question with an empty code is named by its index on the form."""
    assert question_problems(SIZE, Question("", "备注", TEXT)) == invalid(1, "1", CODE_BLANK)


def test_002_2_6_two_questions_with_one_code_are_refused_at_the_second() -> None:
    problems = question_problems(SIZE, PHONE, attrs.evolve(PHONE, code="size"))
    assert problems == invalid(2, "size", CODE_BLANK)


def test_002_2_6_more_questions_than_the_rulebook_bounds_are_refused() -> None:
    """NEPU's [questions] max_questions is 20: 21 are one violation naming both numbers."""
    most = NEPU.questions.max_questions
    many = tuple(Question(f"q{i}", f"问题{i}", TEXT) for i in range(most + 1))
    assert question_problems(*many) == [
        V(publishing.QUESTIONS_TOO_MANY, "questions", {"maximum": 20, "count": 21})
    ]
    assert question_problems(*many[:most]) == []


def test_002_2_6_a_question_prompt_is_checked_for_advertising_like_any_form_text() -> None:
    """发布规范 六 (no sponsor contact details) holds for the questions' text too."""
    ad = Question("q", "加微信 wx: shop_abc123 领取礼品", TEXT)
    assert check(attrs.evolve(VALID, questions=(ad,))) == ["activity.advertising"]


def test_002_2_6_the_form_checks_name_the_question_field() -> None:
    inverted = QUESTION_PROBLEMS["an inverted range"][0]
    (violation,) = publishing.check_questions(NEPU, (inverted,))
    assert violation.error().details == {
        "field": "questions[0]",
        "question": "q",
        "reason": "最小值大于最大值",
        "reason_en": "minimum is above maximum",
    }


# -- the rules a school may switch off ------------------------------------------------------


def test_a_school_that_needs_no_poster_accepts_a_form_without_images() -> None:
    """第十条 asks for 图片素材; require_poster = false is a school's choice (school-supplied)."""
    rulebook = attrs.evolve(NEPU, require_poster=False)
    assert check_form(rulebook, attrs.evolve(VALID, images=()), PE_UNION, NOW) == []


def test_a_school_without_a_rubric_keyword_needs_no_citation() -> None:
    """发布规范 六's citation is checked only for a school naming its rubric's keyword."""
    rulebook = attrs.evolve(NEPU, credit_source_keyword="")
    form = attrs.evolve(VALID, details="讲座分为三部分。")
    assert check_form(rulebook, form, PE_UNION, NOW) == []


def test_one_named_location_among_blank_ones_is_enough() -> None:
    assert check_form(NEPU, attrs.evolve(VALID, locations=(" ", "图书馆")), PE_UNION, NOW) == []


def test_an_organizer_listed_three_times_is_named_twice() -> None:
    """发布规范 四: each repeat of a person is reported, after the first listing."""
    form = attrs.evolve(VALID, organizers=("张三", "张三", "李四", "张三"))
    assert check_form(NEPU, form, PE_UNION, NOW) == [
        V(publishing.ORGANIZER_DUPLICATE, "organizers", {"person": "张三"}),
        V(publishing.ORGANIZER_DUPLICATE, "organizers", {"person": "张三"}),
        V(
            publishing.ORGANIZER_COUNT,
            "organizers",
            {"capacity": 100, "minimum": 1, "maximum": 3, "count": 4},
        ),
    ]


# -- 指导老师 (002 二 3) 第二课堂活动指导老师工作量表) --------------------------------------


def test_an_advisor_who_is_not_staff_is_a_violation_naming_them() -> None:
    """002 二 3): an activity's 指导老师 are staff; a school with a 工号 pattern refuses a 学号
    named as one, with the field and the person, and accepts its staff."""
    form = attrs.evolve(VALID, advisors=("T-001", "2023010101", "T-002"))
    found = check_form(STAFFED, form, PE_UNION, NOW)
    assert [(v.code.code, v.field, v.details, v.missing) for v in found] == [
        ("advisor.not_staff", "advisors", {"person": "2023010101"}, False)
    ]
    assert check_form(STAFFED, attrs.evolve(VALID, advisors=("T-001",)), PE_UNION, NOW) == []
    assert check(attrs.evolve(VALID, advisors=("2023010101",))) == []  # NEPU sets no pattern
