"""The Rulebook: one school's rules as data, loaded from and saved to TOML through cattrs."""

from __future__ import annotations

import base64
import itertools
import re
import tomllib
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import cattrs
import tomli_w
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn
from cattrs.v import format_exception

from second_classroom.core.actor import Actor, RoleKind
from second_classroom.core.errors import Category, DomainError, ErrorCode
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    CadreRating,
    ParticipationScope,
    ReviewStage,
    TribeLevel,
)
from second_classroom.core.text import KEY_CHARS_MAX, YEAR_MAX, YEAR_MIN
from second_classroom.core.time import SHANGHAI as _SHANGHAI
from second_classroom.policies.claim_rules import ClaimKind, ClaimsRule
from second_classroom.policies.graduation import GraduationRule

INVALID_RULEBOOK = ErrorCode(
    "rulebook.invalid",
    "规则配置无效：{reason}",
    "Invalid rulebook: {reason}",
    Category.INVALID,
)
ROLE_NOT_USED = ErrorCode(
    "auth.role_not_used",
    "本校不设以下角色：{roles}",
    "This school does not use these roles: {roles}",
    Category.FORBIDDEN,
)


MAX_FILE_BYTES = 1_048_576  # a rulebook file; the largest preset is under 10 KB
# Bounds on rulebook numbers (ours): integrity points and credit amounts a school may set.
MAX_POINTS = 1_000_000
MAX_AMOUNT = Decimal(1_000_000)
_POINTS = re.compile(r"[0-9]{1,7}(?:/[1-9][0-9]{0,6}|\.[0-9]{1,6})?")
_SPACE = re.compile(r"\s")


@attrs.frozen
class Subcategory:
    """A second-level category (活动二级分类, 001 附件4) of a module, e.g. 理想信念主题教育."""

    code: str
    name: str


@attrs.frozen
class Module:
    """A transcript module (模块), e.g. 思想成长."""

    code: str
    name: str
    categories: tuple[Subcategory, ...] = ()  # empty: the module has no second level

    def subcategory(self, given: str) -> Subcategory | None:
        """The second-level category named or coded ``given`` (附件4 writes the name)."""
        return next((c for c in self.categories if given in (c.name, c.code)), None)


@attrs.frozen
class College:
    """A college (学院) of the school: its code and its name, used as a title prefix."""

    code: str
    name: str


@attrs.frozen
class Level:
    """活动级别 (发布规范 二; 003 国家级、省部级、校级三档): one of the school's levels.

    ``code`` is what forms, records, claims and events carry; ``name`` is what titles,
    transcripts and the 附件4 list show; ``reach`` is what the level spans: ``school`` for the
    school and the tiers above it (a title takes the school's or an external prefix), ``college``
    for a college's own activity (held within the college, 发布规范 二), ``class`` for a
    class's. The review chain, the tribes that may publish it, the rubric and the recovery of
    a level are keyed on its code elsewhere in the rulebook.
    """

    code: str
    name: str
    reach: TribeLevel = TribeLevel.SCHOOL


# The levels the presets use, so a rulebook may list them by code alone (the form every
# rulebook had before levels were data): 发布规范 二 校级、院系级; 第十一条 班团;
# 003 国家级、省部级.
WELL_KNOWN_LEVELS: dict[str, Level] = {
    level.code: level
    for level in (
        Level(ActivityLevel.SCHOOL, "校级", TribeLevel.SCHOOL),
        Level(ActivityLevel.COLLEGE, "院系级", TribeLevel.COLLEGE),
        Level(ActivityLevel.CLASS, "班团", TribeLevel.CLASS),
        Level(ActivityLevel.NATIONAL, "国家级", TribeLevel.SCHOOL),
        Level(ActivityLevel.PROVINCIAL, "省部级", TribeLevel.SCHOOL),
    )
}


def _level(given: Level | str) -> Level:
    """A level given as a ``Level``, or by the code of a well-known one."""
    if isinstance(given, Level):
        return given
    found = WELL_KNOWN_LEVELS.get(given)
    if found is None:
        raise INVALID_RULEBOOK.error(
            reason=f"level {given!r} is not a well-known level: give its code, name and reach"
        )
    return found


def _levels(given: tuple[Level | str, ...]) -> tuple[Level, ...]:
    return tuple(_level(level) for level in given)


@attrs.frozen
class ReviewChain:
    """The review stages an activity of ``level`` (a level code) passes, in order (第十一条)."""

    level: str
    stages: tuple[ReviewStage, ...]


@attrs.frozen
class LevelPermission:
    """Which activity levels (codes) a tribe of ``tribe_level`` may publish."""

    tribe_level: TribeLevel
    activity_levels: tuple[str, ...]


@attrs.frozen
class OrganizerBand:
    """Organizer count allowed for a capacity up to ``up_to_capacity`` (None: no upper bound)."""

    minimum: int
    maximum: int
    up_to_capacity: int | None = None


@attrs.frozen
class TitleRule:
    """Automatable parts of the title format (发布规范 一)."""

    max_length: int
    school_prefixes: tuple[str, ...]
    external_prefixes: tuple[str, ...]
    require_level_prefix: bool = True


@attrs.frozen
class AdRule:
    """The no-advertising rule (发布规范 六、十五、十七)."""

    enabled: bool = True
    allowed_url_hosts: tuple[str, ...] = ()


class MissingCheckout(StrEnum):
    """How a check-in without the required check-out counts."""

    NO_SHOW = "no_show"
    ATTENDED = "attended"


@attrs.frozen
class CheckInRule:
    """签到管理 (第十五、十六条, 发布规范 十)."""

    max_validity_minutes: int = 10
    rotation_seconds: int = 15
    require_distance_limit: bool = True  # except for a campus-wide venue (ActivityForm flag)
    max_accuracy_m: int = 100  # a reported accuracy above this is not believed
    require_checkout: bool = False
    missing_checkout: MissingCheckout = MissingCheckout.NO_SHOW
    makeup_deadline_working_days: int | None = None  # None: no deadline after the end
    anomaly_window_seconds: int = 10
    # Ours, not a seed's: wrong passwords a student may enter per session before passwords
    # are refused to them there (the six digits would otherwise fall to guessing).
    password_attempts: int = 5
    allow_self_makeup: bool = False  # true: a manager may 补签 (or clear a flag on) themselves
    # Ours: the largest geofence radius; any larger circle would meet require_distance_limit
    # while limiting nothing (5 km spans the largest campus of the seeds' schools).
    max_radius_m: int = 5_000


class LeadTimeChange(StrEnum):
    """What a change after approval that moves the start inside the lead time does (第十一条)."""

    REFUSE = "refuse"  # activity.lead_time, as at submission
    REVIEW = "review"  # accepted, and the activity goes back to its first review stage


class IntegrityStyle(StrEnum):
    """诚信分 computation."""

    PERCENTAGE = "percentage"  # attended ÷ (admitted − excused), NEPU 第二十条
    POINTS = "points"  # start at 100, deductions and recovery


@attrs.frozen
class Recovery:
    """Points style: points recovered by attending an activity of ``level`` (e.g. "1/3")."""

    level: str
    points: str


@attrs.frozen
class IntegrityRule:
    """Defaults (no-show, sign-off), the score and the blacklist (第十六条)."""

    style: IntegrityStyle = IntegrityStyle.PERCENTAGE
    blacklist_hours: int = 120  # percentage style: every default
    sign_off_is_default: bool = True  # 被负责人、组织者签退1次
    start_points: int = 100
    no_show_points: int = 1
    sign_off_points: int = 2
    strikes_for_blacklist: int = 3
    strike_blacklist_days: int = 7
    recovery: tuple[Recovery, ...] = ()


@attrs.frozen
class AwardQuota:
    """A standard competition award and its most winners, persons or groups (发布规范 十三)."""

    name: str
    quota: int


@attrs.frozen
class RubricItem:
    """The most credit one activity of ``module`` at ``level`` may give (素质考评办法)."""

    module: str
    level: str
    credit_type: str
    max_amount: Decimal


@attrs.frozen
class ResultsRule:
    """颁发奖项/发放学分 (第十八条)."""

    award_quotas: tuple[AwardQuota, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    credits_require_attendance: bool = True  # only those who checked in or were made up
    deadline_working_days: int | None = None  # results due N working days after the end
    allow_self_results: bool = False  # true: a manager may award or grant credits to themselves
    # Ours (the seeds set quotas only): false refuses a second, different award to one student
    # in one activity; true allows it, each award still once per student and within its quota.
    multiple_awards_per_student: bool = False
    # 第十八条 names the 活动负责人 (the host tribe's leaders and admins); true delegates awards
    # and credits to the activity's organizers too.
    organizers_issue_results: bool = False

    def quota(self, award: str) -> int | None:
        return next((q.quota for q in self.award_quotas if q.name == award), None)

    def max_credit(self, module: str, level: str, credit_type: str) -> Decimal | None:
        found = (
            r.max_amount
            for r in self.rubric
            if (r.module, r.level, r.credit_type) == (module, level, credit_type)
        )
        return next(found, None)


@attrs.frozen
class YearCalendar:
    """A year's official schedule: public holidays and 调休 make-up workdays.

    A year listed here overrides the packaged calendar, so a school can load the State
    Council's schedule as soon as it is published.
    """

    year: int
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()


@attrs.frozen
class Limits:
    """What a command may carry (issue 11): the longest text of each kind, the identifier
    patterns, the largest credit amount and the longest activity.

    Defaults chosen by us, not from a seed: long enough for every real name, title and
    reason we know of, short enough that no field can carry a document.
    """

    ids: int = 64  # 学号, 工号, tribe/college/module codes, tokens, serials
    names: int = 100  # names of people, tribes, classes and awards; places; tags
    titles: int = 200  # the hard bound; the title rule (发布规范 一) is usually stricter
    details: int = 20_000  # introductions, details, notes, criteria
    reasons: int = 2_000  # reasons and comments
    proofs: int = 2_048  # a file reference or URL
    # 学号/工号 and tribe codes after NFKC: ASCII letters and digits or CJK ideographs, with
    # "-", "_" and "." inside; no look-alike letters of other scripts, no invisible characters.
    person_id_pattern: str = r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._-]{0,63}"
    tribe_code_pattern: str = r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._-]{0,63}"
    # 工号 of staff, who alone may be named 指导老师 (``policies.advisors``); "": not checked.
    staff_id_pattern: str = ""
    items: int = 200  # entries in any list a command carries: proofs, tags, places, awards …
    people: int = 5_000  # 学号/工号 in one list: a grant, a make-up, a roster's organizers
    max_credit: Decimal = Decimal(100)  # one award's or one participation's credit amount
    credit_places: int = 2  # decimal places of a credit amount: 0.5, 0.25 学分; never 1e-999999
    max_activity_hours: int = 24 * 31  # from start to end; a record's 学时 cannot exceed it

    def problems(self) -> list[str]:
        """What makes these limits unusable."""
        found = []
        lengths = (self.ids, self.names, self.titles, self.details, self.reasons, self.proofs)
        if not all(1 <= length <= 1_000_000 for length in lengths):
            found.append("limits lengths must be 1-1000000")
        if self.ids > KEY_CHARS_MAX:  # who acted and who registered are index keys
            found.append(f"limits.ids must be at most {KEY_CHARS_MAX}")
        if not (1 <= self.items <= 100_000 and 1 <= self.people <= 1_000_000):
            found.append("limits.items must be 1-100000 and limits.people 1-1000000")
        for name in ("person_id_pattern", "tribe_code_pattern", "staff_id_pattern"):
            try:
                re.compile(getattr(self, name))
            except re.error as exc:
                found.append(f"limits.{name} is not a regular expression: {exc}")
        if not (self.max_credit.is_finite() and 0 < self.max_credit <= MAX_AMOUNT):
            found.append(f"limits.max_credit must be finite, > 0 and ≤ {MAX_AMOUNT}")
        # The views keep amounts in units of 10**-10 (projections.database.AMOUNT_PLACES).
        if not 0 <= self.credit_places <= 10:
            found.append("limits.credit_places must be 0-10")
        # Ten years: times stay within datetime whatever an activity's start (1970-2199).
        if not 1 <= self.max_activity_hours <= 24 * 3_660:
            found.append("limits.max_activity_hours must be 1-87840")
        return found


@attrs.frozen
class RoleTitle:
    """A role kind the school uses, under the school's own title for it (e.g. 二课中心)."""

    kind: RoleKind
    name: str


@attrs.frozen
class Term:
    """A 学期 with its dates (both inclusive) and the 学年 it belongs to."""

    name: str  # e.g. 2026-2027学年第一学期
    academic_year: str  # e.g. 2026-2027学年
    starts: date
    ends: date


@attrs.frozen
class CreditUnit:
    """The unit one credit type is counted in (001 附件4 说明 4: 学分、积分、学时、小时…)."""

    credit_type: str
    unit: str


@attrs.frozen
class RatingCap:
    """The most cadres of a round one rating may go to, as a share of the round's cadres."""

    rating: CadreRating
    max_share: Decimal  # e.g. "0.3": at most ⌊0.3 × cadres⌋ rated 优秀


@attrs.frozen
class RatingCredit:
    """The credit a cadre rated ``rating`` receives when the round closes."""

    rating: CadreRating
    amount: Decimal


@attrs.frozen
class HoursRule:
    """学时 of an activity or practice record (002 一 4) 一天按8学时记录).

    Each calendar day (Shanghai time) the span touches counts its clock hours within the span,
    at most ``per_day``: 12-03 08:00 → 12-05 18:00 is 3 × 8 = 24 学时 (not the 58 hours between
    its ends), 14:00–16:00 is 2, and 23:50 → 00:10 is 0.33 — crossing midnight adds no day's
    8 (school-supplied reading: seed 002 speaks of whole days only)."""

    per_day: Decimal = Decimal(8)

    def of(self, starts: datetime, ends: datetime) -> Decimal:
        """The 学时 of a span, to two places."""
        start, end = starts.astimezone(_SHANGHAI), ends.astimezone(_SHANGHAI)
        total = Decimal(0)
        day = start.date()
        while day <= end.date():
            midnight = datetime.combine(day, time(), _SHANGHAI)
            within = min(end, midnight + timedelta(days=1)) - max(start, midnight)
            clock = Decimal(max(within.total_seconds(), 0)) / Decimal(3600)
            total += min(self.per_day, clock)
            day += timedelta(days=1)
        return total.quantize(Decimal("0.01"))

    @staticmethod
    def days(first: date, last: date) -> int:
        """The calendar days from ``first`` to ``last``, both counted."""
        return (last - first).days + 1


@attrs.frozen
class PracticeRule:
    """实践及培训经历 (002 一 4)): where a practice team's record goes and what it earns."""

    module: str = ""  # "" : practice experiences are not recorded
    category: str = ""  # the module's second-level category, e.g. 暑期“三下乡”
    credit_type: str = ""  # the hours are also credited in this type (学时); "" : hours only
    # The levels of the certified tribes that record their own teams (002 一 4): 校学生会、
    # 校团委新媒体中心等校级社团账号); a college's team is recorded by its 基层团委 (college admin).
    tribe_levels: tuple[str, ...] = ("school",)

    def problems(self, rulebook: Rulebook) -> list[str]:
        """What makes this section unusable."""
        found: list[str] = []
        module = rulebook.module(self.module) if self.module else None
        if self.module and module is None:
            found.append(f"practice.module {self.module!r} is not a module")
        if self.category and (
            module is None or rulebook.category(self.module, self.category) is None
        ):
            found.append(f"practice.category {self.category!r} is not a category of its module")
        if self.credit_type and self.credit_type not in rulebook.credit_types:
            found.append(f"practice.credit_type {self.credit_type!r} is not in credit_types")
        if self.credit_type and not self.module:
            found.append("practice.credit_type needs practice.module")
        levels = {level.value for level in TribeLevel}
        for level in self.tribe_levels:
            if level not in levels:
                found.append(f"practice.tribe_levels {level!r} is not a tribe level")
        return found


@attrs.frozen
class CategoryWindow:
    """A deadline that holds for one activity category, not every activity (002 一 2)
    竞赛类活动、志愿服务活动…10个工作日内务必上传认定成绩; 报告讲座类…5个工作日内及时补录).

    ``category`` "" is the whole module; a window naming a category wins over its module's.
    A deadline left out falls back to the rulebook-wide one ([results], [checkin])."""

    module: str
    category: str = ""
    results_working_days: int | None = None
    makeup_working_days: int | None = None


_CADRE_MANAGERS = (RoleKind.TRIBE_LEADER, RoleKind.COLLEGE_ADMIN, RoleKind.SCHOOL_ADMIN)


@attrs.frozen
class QuestionsRule:
    """自定义报名信息 (002 二 6): how many questions a publisher may ask on one form, how many
    options a choice question may offer, and the longest text answer. Bounds of ours, not a
    seed's: enough for any real form, too few to turn registration into a survey."""

    max_questions: int = 20
    max_options: int = 30
    max_answer_length: int = 500


@attrs.frozen
class CadreRule:
    """干部任期与考核 (002 一 3); 001 第四条): who appoints and rates, the caps per rating, the
    credits per rating and the minimum service that earns them."""

    module: str = ""  # the module cadre terms are recorded under (工作履历); "": no credits
    credit_type: str = ""
    caps: tuple[RatingCap, ...] = ()  # a rating not listed has no cap
    credits: tuple[RatingCredit, ...] = ()  # a rating not listed earns nothing
    min_service_days: int = 0  # 001 第四条 工作满一年: 365
    # Who appoints, ends terms, rates and closes a round: the organization's leader (a tribe
    # role), or a staff role kind over it (college-scoped kinds: of the tribe's college).
    managers: tuple[RoleKind, ...] = _CADRE_MANAGERS

    def cap(self, rating: CadreRating) -> Decimal | None:
        return next((c.max_share for c in self.caps if c.rating is rating), None)

    def credit(self, rating: CadreRating) -> Decimal:
        return next((c.amount for c in self.credits if c.rating is rating), Decimal(0))

    def problems(self, modules: tuple[str, ...], credit_types: tuple[str, ...]) -> list[str]:
        """What makes this section unusable."""
        found: list[str] = []
        if self.module and self.module not in modules:
            found.append(f"cadre.module {self.module!r} is not a module")
        if self.credit_type and self.credit_type not in credit_types:
            found.append(f"cadre.credit_type {self.credit_type!r} is not in credit_types")
        if self.credits and not (self.module and self.credit_type):
            found.append("cadre.credits need cadre.module and cadre.credit_type")
        for name, ratings in (
            ("caps", [c.rating for c in self.caps]),
            ("credits", [c.rating for c in self.credits]),
        ):
            if len(ratings) != len(set(ratings)):
                found.append(f"cadre.{name} lists a rating twice")
        found += [
            f"cadre cap for {c.rating} must be a share from 0 to 1"
            for c in self.caps
            if not (c.max_share.is_finite() and 0 <= c.max_share <= 1)
        ]
        found += [
            f"cadre credit for {c.rating} must be finite and ≥ 0"
            for c in self.credits
            if not (c.amount.is_finite() and c.amount >= 0)
        ]
        if self.min_service_days < 0:
            found.append("cadre.min_service_days must be ≥ 0")
        if not self.managers or len(set(self.managers)) != len(self.managers):
            found.append("cadre.managers must list each role kind once, at least one")
        return found


DEFAULT_ACTIVITY_LEVELS = _levels(
    (ActivityLevel.SCHOOL, ActivityLevel.COLLEGE, ActivityLevel.CLASS)
)
_ALWAYS_ALLOWED_ROLES = frozenset({RoleKind.SYSTEM})


SEAL_MAX_BYTES = 512 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _seal_problems(seal_png: str) -> list[str]:
    """A seal must be base64 of a PNG no larger than 512 KiB."""
    if not seal_png:
        return []
    if len(seal_png) > SEAL_MAX_BYTES * 4 // 3 + 4:
        return ["seal_png is larger than 512 KiB"]
    try:
        image = base64.b64decode(seal_png, validate=True)
    except ValueError:
        return ["seal_png is not base64"]
    return [] if image.startswith(_PNG_SIGNATURE) else ["seal_png is not a PNG image"]


@attrs.frozen(cache_hash=True)
class Rulebook:
    """Everything a school configures. Every rule is a pure function of this and the facts."""

    school: str
    modules: tuple[Module, ...]
    colleges: tuple[College, ...]
    credit_types: tuple[str, ...]
    review_chains: tuple[ReviewChain, ...]
    level_permissions: tuple[LevelPermission, ...]
    organizer_bands: tuple[OrganizerBand, ...]
    title: TitleRule
    scopes: tuple[ParticipationScope, ...]
    admission_methods: tuple[AdmissionMethod, ...]
    lead_working_days: int = 3
    max_organizers: int = 10
    review_requires_criteria: bool = True
    require_poster: bool = True
    credit_source_keyword: str = ""
    publisher_exam_pass_score: int = 60
    # 第十一条、发布规范 十六: 职能部门 and 校团委 tribes publish, led by staff (工号) who have no
    # student record to hold the exam of 第十条. True: staff publish without it (school-supplied).
    publisher_exam_exempts_staff: bool = True
    reopen_review_on_change: bool = False
    # 第十一条 活动需至少提前三个工作日进行申请, applied to a change that moves the start earlier.
    lead_time_change: LeadTimeChange = LeadTimeChange.REFUSE
    allow_self_review: bool = False  # a manager may admit themselves (评审制) or decide own leave
    ads: AdRule = AdRule()
    checkin: CheckInRule = CheckInRule()
    integrity: IntegrityRule = IntegrityRule()
    results: ResultsRule = ResultsRule()
    calendar: tuple[YearCalendar, ...] = ()
    claims: ClaimsRule = attrs.field(
        factory=ClaimsRule
    )  # 补录: chains, windows, 公示 (seeds 001, 003)
    limits: Limits = Limits()
    graduation: GraduationRule = attrs.field(factory=GraduationRule)  # 毕业要求 (seed 003)
    # What differs between the seed schools (issue 14 §1); each default is NEPU's behaviour.
    require_publisher_exam: bool = True  # 000 第十条 首次发布活动需进行考试答题
    roles: tuple[RoleTitle, ...] = ()  # empty: every role kind is accepted
    # 活动级别 as data (issue 14 §1): code, name and reach of each; a well-known code alone will do
    activity_levels: tuple[Level, ...] = attrs.field(
        default=DEFAULT_ACTIVITY_LEVELS, converter=_levels
    )
    terms: tuple[Term, ...] = ()  # empty: September–February and March–August
    credit_units: tuple[CreditUnit, ...] = ()  # a credit type not listed counts in itself
    cadre: CadreRule = CadreRule()  # 干部任期与考核 (issue 14 §2)
    questions: QuestionsRule = QuestionsRule()  # 自定义报名信息 (002 二 6)
    hours: HoursRule = HoursRule()  # 学时 of a record (002 一 4))
    practice: PracticeRule = PracticeRule()  # 实践及培训经历 (002 一 4))
    windows: tuple[CategoryWindow, ...] = ()  # deadlines per activity category (002 一 2))
    # 002 一 5) 要求各学院每月28日上报学院相关数据: the day of the month a college's report is
    # due; None: no monthly report is asked of the colleges.
    report_due_day: int | None = None
    seal_png: str = ""  # the school's seal (印章) as base64 PNG, printed on transcripts; "" none
    # 002 二 8) 电子志愿时卡: the credit type volunteer hours are counted in; "": no cards.
    volunteer_credit_type: str = ""

    def seal_image(self) -> bytes | None:
        """The seal's PNG bytes, or None when the rulebook has none."""
        return base64.b64decode(self.seal_png, validate=True) if self.seal_png else None

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise INVALID_RULEBOOK.error(reason="; ".join(problems))

    def problems(self) -> list[str]:
        """What makes this rulebook unusable; empty when it is consistent."""
        found: list[str] = []
        chained = {chain.level for chain in self.review_chains}
        for permission in self.level_permissions:
            found += [
                f"level {level} may be published but has no review chain"
                for level in permission.activity_levels
                if level not in chained
            ]
        found += [
            f"review chain for {c.level} is empty" for c in self.review_chains if not c.stages
        ]
        bounds = [b.up_to_capacity for b in self.organizer_bands]
        if not bounds or bounds[-1] is not None:
            found.append("the last organizer band must have no upper capacity")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(set(finite)) or None in bounds[:-1]:
            found.append("organizer bands must rise strictly, the open band last")
        found += [
            f"organizer band {b.minimum}-{b.maximum} is inverted"
            for b in self.organizer_bands
            if not 0 <= b.minimum <= b.maximum
        ]
        years = [y.year for y in self.calendar]
        if len(years) != len(set(years)):
            found.append("a calendar year is listed twice")
        found += [
            f"{day} is listed under calendar year {y.year}"
            for y in self.calendar
            for day in (*y.holidays, *y.workdays)
            if day.year != y.year
        ]
        found += _seal_problems(self.seal_png)
        found += [
            f"{name} must be {low}-{high}"
            for name, value, low, high in self._numbers()
            if value is not None and not low <= value <= high
        ]
        amounts_ok = all(
            r.max_amount.is_finite() and 0 <= r.max_amount <= MAX_AMOUNT
            for r in self.results.rubric
        )
        if not amounts_ok:
            found.append(f"results rubric amounts must be finite and 0-{MAX_AMOUNT}")
        for recovery in self.integrity.recovery:
            # The text is matched before Fraction reads it: "1e5000000" would take seconds.
            points = recovery.points
            if not _POINTS.fullmatch(points) or not 0 <= Fraction(points) <= MAX_POINTS:
                found.append(f"integrity.recovery points {points!r} is not a number 0-{MAX_POINTS}")
        found += self.claims.problems()
        found += self._text_problems()
        found += self.limits.problems()
        found += self.graduation.problems((m.code for m in self.modules), self.credit_types)
        found += self._school_problems()
        found += self.cadre.problems(tuple(m.code for m in self.modules), self.credit_types)
        if self.volunteer_credit_type and self.volunteer_credit_type not in self.credit_types:
            found.append(
                f"volunteer_credit_type {self.volunteer_credit_type!r} is not in credit_types"
            )
        found += self.practice.problems(self)
        found += self._window_problems()
        if self.roles:
            used_kinds = {r.kind for r in self.roles}
            found += [
                f"cadre.managers names {kind}, which is not in roles"
                for kind in self.cadre.managers
                if kind not in used_kinds
            ]
        return found

    def _numbers(self) -> list[tuple[str, int | None, int, int]]:
        """Every number of the rulebook with its bounds (name, value, lowest, highest).

        The upper bounds are ours, not a seed's: far above any school's rule, low enough that
        no time, score or count computed from them overflows (a blacklist of 2**63 hours
        once stopped every reaction)."""
        checkin, rule, results = self.checkin, self.integrity, self.results
        numbers: list[tuple[str, int | None, int, int]] = [
            ("publisher_exam_pass_score", self.publisher_exam_pass_score, 0, 100),
            ("lead_working_days", self.lead_working_days, 0, 365),
            ("max_organizers", self.max_organizers, 0, 1_000),
            ("title.max_length", self.title.max_length, 1, 1_000),
            ("checkin.max_validity_minutes", checkin.max_validity_minutes, 1, 24 * 60),
            ("checkin.rotation_seconds", checkin.rotation_seconds, 5, 3_600),
            ("checkin.max_accuracy_m", checkin.max_accuracy_m, 0, 100_000),
            ("checkin.makeup_deadline_working_days", checkin.makeup_deadline_working_days, 0, 365),
            ("checkin.anomaly_window_seconds", checkin.anomaly_window_seconds, 0, 120),
            ("checkin.password_attempts", checkin.password_attempts, 1, 1_000),
            ("checkin.max_radius_m", checkin.max_radius_m, 1, 20_000_000),
            ("integrity.blacklist_hours", rule.blacklist_hours, 0, 24 * 3_660),
            ("integrity.start_points", rule.start_points, 0, MAX_POINTS),
            ("integrity.no_show_points", rule.no_show_points, 0, MAX_POINTS),
            ("integrity.sign_off_points", rule.sign_off_points, 0, MAX_POINTS),
            ("integrity.strikes_for_blacklist", rule.strikes_for_blacklist, 1, 1_000),
            ("integrity.strike_blacklist_days", rule.strike_blacklist_days, 0, 3_660),
            ("results.deadline_working_days", results.deadline_working_days, 0, 365),
            ("questions.max_questions", self.questions.max_questions, 0, 200),
            ("questions.max_options", self.questions.max_options, 2, 200),
            ("questions.max_answer_length", self.questions.max_answer_length, 1, 20_000),
            ("report_due_day", self.report_due_day, 1, 28),  # every month has a 28th
        ]
        numbers += [
            (f"results quota of {q.name}", q.quota, 1, 100_000) for q in results.award_quotas
        ]
        for band in self.organizer_bands:
            numbers += [
                ("organizer band minimum", band.minimum, 0, 1_000),
                ("organizer band maximum", band.maximum, 0, 1_000),
                ("organizer band up_to_capacity", band.up_to_capacity, 0, 1_000_000),
            ]
        numbers += [("calendar year", y.year, YEAR_MIN, YEAR_MAX) for y in self.calendar]
        return numbers

    def _text_problems(self) -> list[str]:
        """Codes are one printable word, names printable and not blank (a NUL or an empty
        college code would reach titles, reports and the views)."""
        most = self.limits.ids
        codes = [
            *((f"module code {m.code!r}", m.code) for m in self.modules),
            *((f"category code {c.code!r}", c.code) for m in self.modules for c in m.categories),
            *((f"college code {c.code!r}", c.code) for c in self.colleges),
        ]
        found = [
            f"{what} must be one printable word of at most {most} characters"
            for what, code in codes
            if not (0 < len(code) <= most and code.isprintable() and not _SPACE.search(code))
        ]
        names = [
            self.school,
            *(m.name for m in self.modules),
            *(c.name for m in self.modules for c in m.categories),
            *(c.name for c in self.colleges),
            *self.credit_types,
            *self.title.school_prefixes,
            *self.title.external_prefixes,
            *self.ads.allowed_url_hosts,
            *(q.name for q in self.results.award_quotas),
            *(r.name for r in self.roles),
        ]
        found += [
            f"name {name!r} must be printable and not blank"
            for name in names
            if not (name.strip() and name.isprintable() and len(name) <= self.limits.names)
        ]
        if not self.credit_source_keyword.isprintable():
            found.append("credit_source_keyword must be printable")
        return found

    def _school_problems(self) -> list[str]:
        """The issue 14 §1 keys: levels, roles, terms, credit units and categories."""
        found: list[str] = []
        levels = {level.code for level in self.activity_levels}
        if not levels or len(levels) != len(self.activity_levels):
            found.append("activity_levels must list each level once, at least one")
        names = [level.name for level in self.activity_levels]
        if len(set(names)) != len(names):
            found.append("two activity levels have one name")
        most = self.limits.ids
        found += [
            f"level code {lv.code!r} must be one printable word of at most {most} characters"
            for lv in self.activity_levels
            if not (
                0 < len(lv.code) <= most and lv.code.isprintable() and not _SPACE.search(lv.code)
            )
        ]
        found += [
            f"level name {lv.name!r} must be printable and not blank"
            for lv in self.activity_levels
            if not (lv.name.strip() and lv.name.isprintable() and len(lv.name) <= self.limits.names)
        ]
        used = {
            *(c.level for c in self.review_chains),
            *(level for p in self.level_permissions for level in p.activity_levels),
            *(r.level for r in self.results.rubric),
            *(r.level for r in self.integrity.recovery),
        }
        found += [
            f"level {level} is used but not in activity_levels" for level in sorted(used - levels)
        ]
        kinds = [r.kind for r in self.roles]
        if len(kinds) != len(set(kinds)):
            found.append("a role kind is listed twice in roles")
        found += [f"role {r.kind} has an empty name" for r in self.roles if not r.name.strip()]
        ordered = sorted(self.terms, key=lambda t: t.starts)
        found += [f"term {t.name} ends before it starts" for t in ordered if t.ends < t.starts]
        found += [
            f"terms {a.name} and {b.name} overlap"
            for a, b in itertools.pairwise(ordered)
            if b.starts <= a.ends
        ]
        if len({t.name for t in self.terms}) != len(self.terms):
            found.append("a term name is listed twice")
        units = [u.credit_type for u in self.credit_units]
        found += [
            f"credit_units names {name!r}, which is not in credit_types"
            for name in units
            if name not in self.credit_types
        ]
        if len(units) != len(set(units)):
            found.append("a credit type has two units")
        found += [
            f"credit type {u.credit_type} has an empty unit"
            for u in self.credit_units
            if not u.unit.strip()
        ]
        for module in self.modules:
            codes = [c.code for c in module.categories]
            if len(codes) != len(set(codes)):
                found.append(f"module {module.code} lists a category code twice")
            names = [c.name for c in module.categories]
            if (
                not all(names)
                or len(set(names)) != len(names)
                or any(n != n.strip() for n in names)
            ):
                # the 附件4 template lists them by name, and a row must name one exactly
                found.append(f"module {module.code}: category names must be distinct and trimmed")
        if any(c.amount for c in self.cadre.credits) and self.claims.chain(ClaimKind.CADRE):
            # 001 第四条: a year served is credited once, by its round or by its 补录 claim
            found.append("cadre credits come from one path: cadre.credits or a cadre claim chain")
        if self.roles:  # 补录 steps are decided by roles, which the school must use
            listed = {r.kind for r in self.roles}
            found += [
                f"claims: a step names {kind}, which is not in roles"
                for kind in sorted(self.claims.role_kinds() - listed)
            ]
        return found

    def _window_problems(self) -> list[str]:
        found: list[str] = []
        per_day = self.hours.per_day
        if not (per_day.is_finite() and 0 < per_day <= 24):
            found.append("hours.per_day must be finite, > 0 and ≤ 24")
        keys = [(w.module, w.category) for w in self.windows]
        if len(keys) != len(set(keys)):
            found.append("windows lists a module and category twice")
        for window in self.windows:
            where = f"windows {window.module}/{window.category or '*'}"
            if self.module(window.module) is None:
                found.append(f"{where}: {window.module!r} is not a module")
            elif window.category and self.category(window.module, window.category) is None:
                found.append(f"{where}: {window.category!r} is not a category of its module")
            for name, days in (
                ("results_working_days", window.results_working_days),
                ("makeup_working_days", window.makeup_working_days),
            ):
                if days is not None and not 0 <= days <= 365:
                    found.append(f"{where}: {name} must be 0-365")
        return found

    def window(self, module: str, category: str = "") -> CategoryWindow | None:
        """The window of an activity of ``module``/``category``: its category's, else its
        module's, else None."""
        found = {(w.module, w.category): w for w in self.windows}
        if category and (module, category) in found:
            return found[(module, category)]
        return found.get((module, ""))

    def results_working_days(self, module: str, category: str = "") -> int | None:
        """Working days after the end within which results are due, for this category."""
        window = self.window(module, category)
        if window is not None and window.results_working_days is not None:
            return window.results_working_days
        return self.results.deadline_working_days

    def makeup_working_days(self, module: str, category: str = "") -> int | None:
        """Working days after the end within which a 补签 is accepted, for this category."""
        window = self.window(module, category)
        if window is not None and window.makeup_working_days is not None:
            return window.makeup_working_days
        return self.checkin.makeup_deadline_working_days

    def module(self, code: str) -> Module | None:
        return next((m for m in self.modules if m.code == code), None)

    def college(self, code: str) -> College | None:
        return next((c for c in self.colleges if c.code == code), None)

    def chain(self, level: str) -> tuple[ReviewStage, ...]:
        for chain in self.review_chains:
            if chain.level == level:
                return chain.stages
        raise INVALID_RULEBOOK.error(reason=f"no review chain for level {level}")

    def levels_for(self, tribe_level: TribeLevel) -> tuple[str, ...]:
        for permission in self.level_permissions:
            if permission.tribe_level is tribe_level:
                return permission.activity_levels
        return ()

    def year(self, year: int) -> YearCalendar | None:
        return next((y for y in self.calendar if y.year == year), None)

    def activity_level(self, given: str) -> str | None:
        """The code of the school's activity level named or coded ``given`` (a 补录 claim and a
        附件4 row name it as the seed writes it: 校级, 院系级 …), or None if there is none."""
        return next((lv.code for lv in self.activity_levels if given in (lv.name, lv.code)), None)

    def level(self, code: str) -> Level | None:
        """The school's activity level ``code``, or None."""
        return next((lv for lv in self.activity_levels if lv.code == code), None)

    def level_name(self, code: str) -> str:
        """The Chinese name of level ``code``; the code itself if the school has no such level
        (a record kept from before the school dropped it still prints)."""
        found = self.level(code)
        return found.name if found else code

    def level_codes(self) -> tuple[str, ...]:
        """The school's activity level codes, in the rulebook's order."""
        return tuple(level.code for level in self.activity_levels)

    def level_names(self) -> tuple[str, ...]:
        """The school's activity levels by their Chinese names (附件4 活动等级's list)."""
        return tuple(level.name for level in self.activity_levels)

    def category(self, module: str, code: str) -> Subcategory | None:
        """The second-level category ``code`` of ``module``, or None."""
        found = self.module(module)
        return next((c for c in found.categories if c.code == code), None) if found else None

    def unit(self, credit_type: str) -> str:
        """The unit ``credit_type`` is counted in; a type not listed counts in itself."""
        return next(
            (u.unit for u in self.credit_units if u.credit_type == credit_type), credit_type
        )

    def term(self, day: date) -> Term | None:
        """The listed 学期 that ``day`` falls in, or None (not listed, or between terms)."""
        return next((t for t in self.terms if t.starts <= day <= t.ends), None)

    def role_name(self, kind: RoleKind) -> str | None:
        """The school's title for ``kind``, or None when the school does not use it."""
        return next((r.name for r in self.roles if r.kind is kind), None)

    def unused_roles(self, actor: Actor) -> tuple[RoleKind, ...]:
        """The role kinds ``actor`` holds that this school does not use (none when ``roles``
        is empty)."""
        if not self.roles:
            return ()
        kinds = {r.kind for r in self.roles} | _ALWAYS_ALLOWED_ROLES
        return tuple(sorted({r.kind for r in actor.roles} - kinds))

    def require_roles(self, actor: Actor) -> None:
        """Refuse an actor holding a role kind the school does not use (``auth.role_not_used``)."""
        unused = self.unused_roles(actor)
        if unused:
            raise ROLE_NOT_USED.error(roles="、".join(unused))

    # -- TOML --------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, text: str) -> Rulebook:
        """Parse a rulebook; a malformed one raises ``rulebook.invalid``."""
        try:
            return _CONVERTER.structure(tomllib.loads(text), cls)
        except DomainError:
            raise
        except (tomllib.TOMLDecodeError, cattrs.BaseValidationError, ValueError) as exc:
            raise INVALID_RULEBOOK.error(reason=_explain(exc)) from exc

    @classmethod
    def load(cls, path: str | Path) -> Rulebook:
        """A rulebook TOML file: at most ``MAX_FILE_BYTES`` of UTF-8, else ``rulebook.invalid``
        (so ``/dev/zero`` or a binary file is refused, not read forever or half-decoded). A
        missing or unreadable file raises ``OSError``."""
        with Path(path).open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise INVALID_RULEBOOK.error(reason=f"the file is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"the file is not UTF-8 text (byte {exc.start})"
            raise INVALID_RULEBOOK.error(reason=reason) from None
        return cls.from_toml(text)

    def to_toml(self) -> str:
        return tomli_w.dumps(_drop_none(_CONVERTER.unstructure(self)))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_toml(), encoding="utf-8")


def _explain(exc: Exception) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc, format_exception=_leaf))
    return str(exc)


def _leaf(exc: BaseException, kind: type | None) -> str:
    """A nested rulebook's own problems as they are, not as cattrs' "unknown error"."""
    if isinstance(exc, DomainError) and exc.code == INVALID_RULEBOOK.code:
        return str(exc.details.get("reason", exc.message_en))
    if type(exc) is ValueError and str(exc):
        # our structure hooks' own words ("expected bool, got str 'false'") say more than
        # cattrs' "invalid value for type, expected bool"
        return str(exc)
    return format_exception(exc, kind)


def _drop_none(value: Any) -> Any:
    """TOML has no null: absent keys mean None."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


# The structure hooks are module-level functions, not closures made when the converter is
# built: a closure made at import time could not be switched by a mutation run
# (tools/mutation.py), so its checks would go unmeasured.


def _exactly(value: Any, kind: type, refused: tuple[type, ...] = ()) -> Any:
    """``value`` if it already has the type ``kind`` (and none of ``refused``): a rulebook value
    is never coerced."""
    if not isinstance(value, kind) or isinstance(value, refused):
        raise ValueError(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def _structure_int(value: Any, _type: type) -> int:
    return int(_exactly(value, int, (bool,)))  # True is an int to Python, not to a rulebook


def _structure_bool(value: Any, _type: type) -> bool:
    return bool(_exactly(value, bool))


def _structure_str(value: Any, _type: type) -> str:
    return str(_exactly(value, str))


def _is_sequence(tuple_type: Any) -> bool:
    """``tuple[X, ...]``: a rulebook list."""
    arguments: tuple[Any, ...] = getattr(tuple_type, "__args__", ())
    return (
        getattr(tuple_type, "__origin__", None) is tuple
        and len(arguments) == 2
        and arguments[1] is Ellipsis
    )


def _structure_sequence(value: Any, tuple_type: Any) -> tuple[Any, ...]:
    """A TOML array as ``tuple[X, ...]``, each item structured as X. An item's error carries
    its index, as cattrs' own list hook does, so the reason names the item
    (``$.activity_levels[2].name``, not ``$.activity_levels.name``)."""
    (item_type, _ellipsis) = tuple_type.__args__
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list, got {type(value).__name__} {value!r}")
    items, errors = [], []
    for index, item in enumerate(value):
        try:
            items.append(_CONVERTER.structure(item, item_type))
        except Exception as exc:  # every bad item is reported, each with its index
            exc.add_note(IterableValidationNote(f"item {index}", index, item_type))
            errors.append(exc)
    if errors:
        raise IterableValidationError("invalid items", errors, tuple_type)
    return tuple(items)


def _structure_date(value: Any, _type: type) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, got a date-time {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"expected a date, got {type(value).__name__} {value!r}")


# A decimal as text is written out plainly: no exponent ("1e999" is finite and would pass
# every bound below it as text), no spaces, underscores, NaN or infinity, all of which
# ``Decimal()`` reads.
_DECIMAL = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")


def _structure_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected a decimal as text or a whole number, got {value!r}")
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise ValueError(f"not a plain decimal (digits, an optional point): {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {value!r}") from exc


_CONVERTER = cattrs.Converter(forbid_extra_keys=True)
_CONVERTER.register_structure_hook(Decimal, _structure_decimal)
_CONVERTER.register_unstructure_hook(Decimal, str)
_CONVERTER.register_structure_hook(date, _structure_date)
_CONVERTER.register_unstructure_hook(date, lambda d: d)
_CONVERTER.register_structure_hook(int, _structure_int)
_CONVERTER.register_structure_hook(bool, _structure_bool)
_CONVERTER.register_structure_hook(str, _structure_str)
# StrEnum precedes str in the MRO, so the enum fields keep their own structuring.
_CONVERTER.register_structure_hook(StrEnum, lambda value, enum_type: enum_type(value))
# Made after the strict hooks above, which it looks up once, when it is made: made before them,
# it structured a level's name with cattrs' own str hook, so ``name = 3`` was read as "3".
_STRUCTURE_LEVEL = make_dict_structure_fn(Level, _CONVERTER)


def _structure_level(value: Any, _type: type) -> Level:
    """A level as its well-known code alone (older rulebooks) or as a table."""
    if isinstance(value, str):
        return _level(_exactly(value, str))
    return _STRUCTURE_LEVEL(value, Level)


_CONVERTER.register_structure_hook(Level, _structure_level)
_CONVERTER.register_structure_hook_func(_is_sequence, _structure_sequence)


def presets() -> tuple[str, ...]:
    """The packaged presets' names, sorted (``hfut``, ``nepu``, ``qtnu``, ``shcc``, ``siit``)."""
    folder = resources.files("second_classroom.policies") / "presets"
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def preset_source(name: str) -> str:
    """The commented TOML of a packaged preset, to copy and edit for another school."""
    known = presets()
    # A name is looked up among the packaged files, never joined onto a path: "../x" is no preset.
    if name not in known:
        raise INVALID_RULEBOOK.error(reason=f"unknown preset {name!r}; known: {list(known)}")
    folder = resources.files("second_classroom.policies") / "presets"
    return (folder / f"{name}.toml").read_text(encoding="utf-8")


@cache
def preset(name: str) -> Rulebook:
    """A packaged school preset, e.g. ``preset("nepu")`` for 东北石油大学."""
    return Rulebook.from_toml(preset_source(name))
