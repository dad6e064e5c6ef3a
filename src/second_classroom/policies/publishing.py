"""发布规范: the publishing rules an activity form must satisfy, as pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import attrs

from second_classroom.core.errors import Category, DomainError, ErrorCode
from second_classroom.core.terms import (
    AdmissionMethod,
    ParticipationScope,
    QuestionKind,
    TribeLevel,
)
from second_classroom.core.time import local_date
from second_classroom.policies.activity_form import ActivityForm
from second_classroom.policies.advisors import ADVISOR_NOT_STAFF, may_advise
from second_classroom.policies.calendar import add_working_days
from second_classroom.policies.registration_questions import Question
from second_classroom.policies.rulebook import AdRule, QuestionsRule, Rulebook

TITLE_EMPTY = ErrorCode(
    "activity.title_empty", "活动标题不能为空", "The title must not be empty", Category.INVALID
)
TITLE_TOO_LONG = ErrorCode(
    "activity.title_too_long",
    "活动标题不能超过 {max_length} 字",
    "The title must not exceed {max_length} characters",
    Category.INVALID,
)
TITLE_PREFIX = ErrorCode(
    "activity.title_prefix",
    "活动标题须以活动级别前缀开头（如：{examples}）",
    "The title must start with a level prefix (e.g. {examples})",
    Category.INVALID,
)
TITLE_NO_THEME = ErrorCode(
    "activity.title_no_theme",
    "活动标题应当包含活动主题",
    "The title must name the activity's theme after its prefix",
    Category.INVALID,
)
INTRO_EMPTY = ErrorCode(
    "activity.intro_empty", "请填写活动介绍", "The introduction is required", Category.INVALID
)
CATEGORY_UNKNOWN = ErrorCode(
    "activity.category_unknown",
    "活动二级分类「{category}」不属于模块「{module}」",
    "The category {category} is not one of module {module}'s second-level categories",
    Category.INVALID,
)
MODULE_UNKNOWN = ErrorCode(
    "activity.module_unknown",
    "活动类型须为七大模块之一（{module} 未知）",
    "The module must be one of the school's modules ({module} is unknown)",
    Category.INVALID,
)
LEVEL_MISSING = ErrorCode(
    "activity.level_missing", "请选择活动级别", "The level is required", Category.INVALID
)
LEVEL_UNKNOWN = ErrorCode(
    "activity.level_unknown",
    "活动级别「{level}」不是本校设置的级别，可选：{allowed}",
    "Level {level} is not one of the school's activity levels: {allowed}",
    Category.INVALID,
)
LEVEL_NOT_ALLOWED = ErrorCode(
    "activity.level_not_allowed",
    "{tribe_level}部落不能发布{level}活动",
    "A {tribe_level} tribe cannot publish a {level} activity",
    Category.INVALID,
)
CAPACITY_INVALID = ErrorCode(
    "activity.capacity_invalid",
    "报名人数须为正整数（收到 {capacity}）",
    "Capacity must be a positive whole number (got {capacity})",
    Category.INVALID,
)
ORGANIZER_COUNT = ErrorCode(
    "activity.organizer_count",
    "活动人数 {capacity} 人，需设置 {minimum}-{maximum} 个组织者（当前 {count} 个）",
    "A capacity of {capacity} needs {minimum}-{maximum} organizers ({count} set)",
    Category.INVALID,
)
ORGANIZER_DUPLICATE = ErrorCode(
    "activity.organizer_duplicate",
    "组织者重复：{person}",
    "Organizer listed twice: {person}",
    Category.INVALID,
)
SCHEDULE_MISSING = ErrorCode(
    "activity.schedule_missing",
    "请填写报名时间和活动时间",
    "Registration window and activity times are required",
    Category.INVALID,
)
SCHEDULE_ORDER = ErrorCode(
    "activity.schedule_order",
    "时间顺序须为：报名开始 < 报名结束 ≤ 活动开始 < 活动结束",
    "Times must satisfy: registration opens < closes ≤ start < end",
    Category.INVALID,
)
DURATION_TOO_LONG = ErrorCode(
    "activity.duration_too_long",
    "活动时长不能超过 {hours} 小时（学时上限，见规则配置 limits）",
    "An activity may last at most {hours} hours (its 学时; see the rulebook's limits)",
    Category.INVALID,
)
LEAD_TIME = ErrorCode(
    "activity.lead_time",
    "活动需至少提前 {days} 个工作日申请，最早可于 {earliest} 开始",
    "Activities must be requested {days} working days ahead; earliest start is {earliest}",
    Category.INVALID,
)
LOCATIONS_EMPTY = ErrorCode(
    "activity.locations_empty",
    "请填写活动地点",
    "At least one location is required",
    Category.INVALID,
)
DETAILS_EMPTY = ErrorCode(
    "activity.details_empty",
    "请填写活动详情",
    "The activity details are required",
    Category.INVALID,
)
CREDIT_SOURCE = ErrorCode(
    "activity.credit_source_missing",
    "活动详情须写明学分奖励来源（《{keyword}》）",
    "The details must cite the credit rubric ({keyword})",
    Category.INVALID,
)
NOTES_EMPTY = ErrorCode(
    "activity.notes_empty",
    "请填写参与须知",
    "The participation notes are required",
    Category.INVALID,
)
POSTER_MISSING = ErrorCode(
    "activity.poster_missing",
    "请上传活动海报等图片素材",
    "A poster image is required",
    Category.INVALID,
)
SCOPE_NOT_ALLOWED = ErrorCode(
    "activity.scope_not_allowed",
    "不支持的参与范围：{scope}",
    "Scope {scope} is not allowed",
    Category.INVALID,
)
SCOPE_COLLEGES = ErrorCode(
    "activity.scope_colleges",
    "自定义参与范围须选择本校学院（{colleges}）",
    "A custom scope needs known colleges ({colleges})",
    Category.INVALID,
)
SCOPE_TOO_FEW_COLLEGES = ErrorCode(
    "activity.scope_too_few_colleges",
    "自定义参与范围用于两个及以上学院举办的活动，须选择至少两个学院（发布规范 八）",
    "A custom scope is for activities of two or more colleges: name at least two",
    Category.INVALID,
)
SCOPE_OUTSIDE_COLLEGE = ErrorCode(
    "activity.scope_outside_college",
    "院系级活动在主办方部落所属学院内举办，参与范围须为部落内或院系内（发布规范 二），而非{scope}",
    "A college-level activity is held within its college: scope tribe or college, not {scope}",
    Category.INVALID,
)
SCOPE_NEEDS_COLLEGE = ErrorCode(
    "activity.scope_needs_college",
    "校级部落没有所属学院，不能选择院系内范围",
    "A tribe without a college cannot use the college scope",
    Category.INVALID,
)
ADMISSION_NOT_ALLOWED = ErrorCode(
    "activity.admission_not_allowed",
    "不支持的录取方式：{method}",
    "Admission method {method} is not allowed",
    Category.INVALID,
)
REVIEW_CRITERIA = ErrorCode(
    "activity.review_criteria_missing",
    "评审制活动须写明评审标准",
    "A review-admission activity must state its review criteria",
    Category.INVALID,
)
ADVERTISING = ErrorCode(
    "activity.advertising",
    "{field} 含有联系方式或广告（{found}），不允许出现赞助方联系方式",
    "{field} contains contact details or advertising ({found})",
    Category.INVALID,
)
QUESTIONS_TOO_MANY = ErrorCode(
    "activity.questions_too_many",
    "自定义报名信息最多 {maximum} 项（当前 {count} 项）",
    "A form asks at most {maximum} registration questions ({count} given)",
    Category.INVALID,
)
QUESTION_INVALID = ErrorCode(
    "activity.question_invalid",
    "自定义报名信息「{question}」设置无效：{reason}",
    "The registration question {question} is invalid: {reason_en}",
    Category.INVALID,
)
PLAN_INVALID = ErrorCode(
    "activity.plan_invalid",
    "奖项与学分设置无效：{reason}",
    "The award and credit plan is invalid: {reason}",
    Category.INVALID,
)


@attrs.frozen
class Violation:
    """One broken rule: its error, the form field, and whether it is only a missing value."""

    code: ErrorCode
    field: str
    details: dict[str, object] = attrs.field(factory=dict)
    missing: bool = False

    def error(self) -> DomainError:
        return self.code.error(field=self.field, **self.details)


@attrs.frozen
class Host:
    """What the rules need to know of the host tribe."""

    name: str
    level: TribeLevel
    college_name: str | None
    college_code: str | None


# -- title (发布规范 一) ---------------------------------------------------------------------


def title_prefixes(rulebook: Rulebook, level: str, host: Host) -> tuple[str, ...]:
    """The prefixes a title of ``level`` may start with: a level reaching the whole school
    (校级, and 003's 国家级、省部级 tiers above it) takes the school's or an external prefix too."""
    own = tuple(p for p in (host.name, host.college_name) if p)
    found = rulebook.level(level)
    if found is not None and found.reach is TribeLevel.SCHOOL:
        return (*rulebook.title.school_prefixes, *rulebook.title.external_prefixes, *own)
    return own


def check_title(
    rulebook: Rulebook, title: str, level: str | None, host: Host
) -> Iterator[Violation]:
    text = title.strip()
    if not text:
        yield Violation(TITLE_EMPTY, "title", missing=True)
        return
    if len(text) > rulebook.title.max_length:
        yield Violation(TITLE_TOO_LONG, "title", {"max_length": rulebook.title.max_length})
    if level is None or not rulebook.title.require_level_prefix:
        return
    prefixes = title_prefixes(rulebook, level, host)
    matched = [p for p in prefixes if text.startswith(p)]
    if not matched:
        yield Violation(TITLE_PREFIX, "title", {"examples": "、".join(prefixes[:4])})
    elif len(text) - max(len(p) for p in matched) < 2:
        yield Violation(TITLE_NO_THEME, "title")


# -- organizers (发布规范 四) ----------------------------------------------------------------


def organizer_range(rulebook: Rulebook, capacity: int) -> tuple[int, int]:
    """The (minimum, maximum) organizer count for ``capacity``."""
    for band in rulebook.organizer_bands:
        if band.up_to_capacity is None or capacity <= band.up_to_capacity:
            return band.minimum, min(band.maximum, rulebook.max_organizers)
    return 0, rulebook.max_organizers


def check_organizers(
    rulebook: Rulebook, capacity: int, organizers: tuple[str, ...]
) -> Iterator[Violation]:
    seen: set[str] = set()
    for person in organizers:
        if person in seen:
            yield Violation(ORGANIZER_DUPLICATE, "organizers", {"person": person})
        seen.add(person)
    minimum, maximum = organizer_range(rulebook, capacity)
    if not minimum <= len(organizers) <= maximum:
        yield Violation(
            ORGANIZER_COUNT,
            "organizers",
            {
                "capacity": capacity,
                "minimum": minimum,
                "maximum": maximum,
                "count": len(organizers),
            },
        )


# -- no advertising (发布规范 六、十五、十七) ---------------------------------------------------

_PHONE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d])0\d{2,3}-\d{7,8}(?!\d)")
# ASCII classes on purpose: Python's \w and \b treat Chinese characters as word characters,
# which would glue "访问shop.example.com购买" into one word and miss or mangle the address.
_ASCII_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]"
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    rf"(?:https?://|www\.){_ASCII_URL_CHARS}+"
    rf"|(?<![A-Za-z0-9.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    rf"\.(?:com|cn|net|org|top|xyz|cc|io|vip|shop)(?![A-Za-z0-9-]){_ASCII_URL_CHARS}*",
    re.IGNORECASE,
)
_WECHAT = re.compile(
    r"(?:微信|薇信|威信|v信|vx|wx|weixin|wechat|公众号)\s*(?:号|id)?\s*[:：]?\s*[a-z][-_a-z0-9]{5,19}",
    re.IGNORECASE,
)
_QQ = re.compile(r"(?:qq|扣扣|q群)\s*(?:号|群)?\s*[:：]?\s*[1-9]\d{4,11}", re.IGNORECASE)


def find_contact_details(text: str, rule: AdRule) -> list[str]:
    """Sponsor contact details in ``text``: phones, e-mail, WeChat/QQ ids, foreign URLs."""
    if not rule.enabled:
        return []
    found: list[str] = []
    for pattern in (_PHONE, _LANDLINE, _WECHAT, _QQ, _EMAIL):
        found.extend(m.group(0) for m in pattern.finditer(text))
    emails = "".join(found)
    for match in _URL.finditer(text):
        url = match.group(0)
        if url in emails or _is_allowed_host(url, rule.allowed_url_hosts):
            continue
        found.append(url)
    return found


def _is_allowed_host(url: str, allowed: tuple[str, ...]) -> bool:
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return any(host == h or host.endswith("." + h) for h in allowed)


def check_ads(rulebook: Rulebook, form: ActivityForm) -> Iterator[Violation]:
    for field, text in form.texts().items():
        found = find_contact_details(text, rulebook.ads)
        if found:
            yield Violation(ADVERTISING, field, {"found": "、".join(found)})


# -- schedule and lead time (第十一条) --------------------------------------------------------


def earliest_start(rulebook: Rulebook, submitted_at: datetime) -> date:
    """The first date an activity submitted at ``submitted_at`` may start on.

    "至少提前三个工作日申请": the start date must be at least ``lead_working_days`` working days
    after the day of submission.
    """
    return add_working_days(rulebook, local_date(submitted_at), rulebook.lead_working_days)


def check_schedule(
    rulebook: Rulebook, form: ActivityForm, submitted_at: datetime | None
) -> Iterator[Violation]:
    times = (form.registration_opens, form.registration_closes, form.starts_at, form.ends_at)
    if any(t is None for t in times):
        yield Violation(SCHEDULE_MISSING, "schedule", missing=True)
        return
    opens, closes, starts, ends = (t for t in times if t is not None)
    if not (opens < closes <= starts < ends):
        yield Violation(SCHEDULE_ORDER, "schedule")
    most = rulebook.limits.max_activity_hours
    if ends - starts > timedelta(hours=most):
        yield Violation(DURATION_TOO_LONG, "ends_at", {"hours": most})
    if submitted_at is not None:
        earliest = earliest_start(rulebook, submitted_at)
        if local_date(starts) < earliest:
            yield Violation(
                LEAD_TIME,
                "starts_at",
                {"days": rulebook.lead_working_days, "earliest": earliest.isoformat()},
            )


# -- the whole form ---------------------------------------------------------------------------


def _missing(value: str, code: ErrorCode, field: str) -> Iterator[Violation]:
    if not value.strip():
        yield Violation(code, field, missing=True)


def check_form(
    rulebook: Rulebook, form: ActivityForm, host: Host, submitted_at: datetime | None
) -> list[Violation]:
    """Every broken rule of ``form``, in form order. ``submitted_at`` None means a draft save."""
    found: list[Violation] = []
    found += check_title(rulebook, form.title, form.level, host)
    found += _missing(form.intro, INTRO_EMPTY, "intro")
    if not form.module:
        found.append(Violation(MODULE_UNKNOWN, "module", {"module": ""}, missing=True))
    elif rulebook.module(form.module) is None:
        found.append(Violation(MODULE_UNKNOWN, "module", {"module": form.module}))
    if form.category and rulebook.category(form.module, form.category) is None:
        details: dict[str, object] = {"category": form.category, "module": form.module}
        found.append(Violation(CATEGORY_UNKNOWN, "category", details))
    if form.level is None:
        found.append(Violation(LEVEL_MISSING, "level", missing=True))
    elif rulebook.level(form.level) is None:
        allowed = "、".join(rulebook.level_names())
        found.append(Violation(LEVEL_UNKNOWN, "level", {"level": form.level, "allowed": allowed}))
    elif form.level not in rulebook.levels_for(host.level):
        named = rulebook.level_name(form.level)
        details = {"tribe_level": host.level.label, "level": named}
        found.append(Violation(LEVEL_NOT_ALLOWED, "level", details))
    if form.capacity is None:
        found.append(Violation(CAPACITY_INVALID, "capacity", {"capacity": None}, missing=True))
    elif form.capacity < 1:
        found.append(Violation(CAPACITY_INVALID, "capacity", {"capacity": form.capacity}))
    else:
        found += check_organizers(rulebook, form.capacity, form.organizers)
    # 002 二 3) 指导老师 are staff: a 学号-shaped id is not one (policies.advisors).
    found += [
        Violation(ADVISOR_NOT_STAFF, "advisors", {"person": person})
        for person in form.advisors
        if not may_advise(rulebook, person)
    ]
    found += check_schedule(rulebook, form, submitted_at)
    found += _check_scope(rulebook, form, host)
    found += _check_admission(rulebook, form)
    found += _missing(form.participation_notes, NOTES_EMPTY, "participation_notes")
    if rulebook.require_poster and not form.images:
        found.append(Violation(POSTER_MISSING, "images", missing=True))
    if not [loc for loc in form.locations if loc.strip()]:
        found.append(Violation(LOCATIONS_EMPTY, "locations", missing=True))
    found += _missing(form.details, DETAILS_EMPTY, "details")
    found += _check_plan(rulebook, form)
    found += check_questions(rulebook, form.questions)
    found += check_ads(rulebook, form)
    return found


# -- registration questions (002 二 6) --------------------------------------------------------


def check_questions(rulebook: Rulebook, questions: tuple[Question, ...]) -> Iterator[Violation]:
    """自定义报名信息: few enough questions, each well formed for its kind."""
    rule = rulebook.questions
    if len(questions) > rule.max_questions:
        counts: dict[str, object] = {"maximum": rule.max_questions, "count": len(questions)}
        yield Violation(QUESTIONS_TOO_MANY, "questions", counts)
    seen: set[str] = set()
    for index, question in enumerate(questions):
        for zh, en in _question_problems(rule, question, seen):
            named: dict[str, object] = {
                "question": question.code or str(index),
                "reason": zh,
                "reason_en": en,
            }
            yield Violation(QUESTION_INVALID, f"questions[{index}]", named)
        seen.add(question.code)


def _question_problems(
    rule: QuestionsRule, question: Question, seen: set[str]
) -> Iterator[tuple[str, str]]:
    kind = question.kind
    choice = kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    if not question.code.strip() or question.code in seen:
        yield "编号为空或重复", "its code is blank or used twice"
    if not question.prompt.strip():
        yield "题目为空", "its prompt is blank"
    options = question.options
    if choice and not 2 <= len(options) <= rule.max_options:
        yield f"选择题须有 2-{rule.max_options} 个选项", f"a choice offers 2-{rule.max_options}"
    if choice and (len(set(options)) != len(options) or not all(o.strip() for o in options)):
        yield "选项为空或重复", "an option is blank or offered twice"
    if not choice and options:
        yield "只有选择题有选项", "only a choice question has options"
    most = question.max_choices
    if most is not None and (kind is not QuestionKind.MULTIPLE_CHOICE or not most >= 1):
        yield "最多可选项数只用于多选题，且至少为 1", "max_choices is for multiple choice, ≥ 1"
    length = question.max_length
    if length is not None and (
        kind is not QuestionKind.TEXT or not 1 <= length <= rule.max_answer_length
    ):
        yield (
            f"字数上限只用于填空题，且为 1-{rule.max_answer_length}",
            f"max_length is for text, 1-{rule.max_answer_length}",
        )
    low, high = question.minimum, question.maximum
    if (low is not None or high is not None) and kind is not QuestionKind.NUMBER:
        yield "取值范围只用于数字题", "minimum and maximum are for a number question"
    if low is not None and high is not None and low > high:
        yield "最小值大于最大值", "minimum is above maximum"


def _check_scope(rulebook: Rulebook, form: ActivityForm, host: Host) -> Iterator[Violation]:
    scope = form.scope
    if scope.kind not in rulebook.scopes:
        yield Violation(SCOPE_NOT_ALLOWED, "scope", {"scope": scope.kind.label})
    if scope.kind is ParticipationScope.CUSTOM:
        unknown = [c for c in scope.colleges if rulebook.college(c) is None]
        if not scope.colleges or unknown:
            yield Violation(SCOPE_COLLEGES, "scope", {"colleges": "、".join(unknown) or "未选择"})
        elif len(set(scope.colleges)) < 2:
            # 发布规范 八 自定义：若活动为两个及以上学院举办，可选择自定义参与范围
            yield Violation(SCOPE_TOO_FEW_COLLEGES, "scope")
    within = (ParticipationScope.TRIBE, ParticipationScope.COLLEGE)
    level = rulebook.level(form.level) if form.level is not None else None
    if level is not None and level.reach is TribeLevel.COLLEGE and scope.kind not in within:
        # 发布规范 二 院系级：主办方部落所属学院举办学院内的活动
        yield Violation(SCOPE_OUTSIDE_COLLEGE, "scope", {"scope": scope.kind.label})
    if scope.kind is ParticipationScope.COLLEGE and host.college_code is None:
        yield Violation(SCOPE_NEEDS_COLLEGE, "scope")


def _check_admission(rulebook: Rulebook, form: ActivityForm) -> Iterator[Violation]:
    method = form.admission.method
    if method not in rulebook.admission_methods:
        yield Violation(ADMISSION_NOT_ALLOWED, "admission", {"method": method.label})
    if (
        method is AdmissionMethod.REVIEW
        and rulebook.review_requires_criteria
        and not form.admission.review_criteria.strip()
    ):
        yield Violation(REVIEW_CRITERIA, "admission.review_criteria")


def _check_plan(rulebook: Rulebook, form: ActivityForm) -> Iterator[Violation]:
    plan = form.plan
    results = rulebook.results
    for award in plan.awards:
        if not award.name.strip() or award.quota < 1 or award.credit < 0:
            yield Violation(PLAN_INVALID, "plan.awards", {"reason": f"奖项 {award.name!r}"})
        standard = results.quota(award.name)
        if standard is not None and award.quota > standard:
            reason = f"{award.name}最多{standard}人(组)（发布规范 十三）"
            yield Violation(PLAN_INVALID, "plan.awards", {"reason": reason})
    for credit in plan.credits:
        if rulebook.module(credit.module) is None:
            yield Violation(PLAN_INVALID, "plan.credits", {"reason": f"模块 {credit.module}"})
        if credit.credit_type not in rulebook.credit_types:
            yield Violation(
                PLAN_INVALID, "plan.credits", {"reason": f"学分类型 {credit.credit_type}"}
            )
        if credit.amount <= 0:
            yield Violation(PLAN_INVALID, "plan.credits", {"reason": f"学分 {credit.amount}"})
        most = None
        if form.level is not None:
            most = results.max_credit(credit.module, form.level, credit.credit_type)
        if most is not None and credit.amount > most:
            reason = f"{credit.amount}{credit.credit_type}超过考评标准上限{most}"
            yield Violation(PLAN_INVALID, "plan.credits", {"reason": reason})
    keyword = rulebook.credit_source_keyword
    if plan.credits and keyword and keyword not in form.details:
        yield Violation(CREDIT_SOURCE, "details", {"keyword": keyword})
