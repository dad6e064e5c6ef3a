"""补录 claims (seed 001 川工科〔2023〕156号; seed 003 上海海关学院): credits that do not come
from a finalized activity. A tribe claims for an activity's participants, a student for an
item or a year as a cadre; the claim passes the school's chain step by step (each by its
role), may be published (公示) for objections, and its confirmation credits every beneficiary's
record, marked 补录 with the claim's id, in the same save. The chain is the one in the rulebook
when the claim was filed (recorded in ``ClaimFiled``): a rulebook deployed while the claim is
in review does not move, skip or reassign its steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import attrs

from second_classroom.aggregates.backfill_record import BackfillRecord
from second_classroom.aggregates.student import NOT_FOUND as STUDENT_NOT_FOUND
from second_classroom.aggregates.student import BackfillRecorded, StudentEvent, StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.text import (
    Code,
    Detail,
    LevelCode,
    Name,
    PersonId,
    Proof,
    Reason,
    TextKind,
    Title,
)
from second_classroom.core.time import SHANGHAI, aware, local_date
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.advisors import ADVISOR_NOT_STAFF, may_advise
from second_classroom.policies.calendar import add_working_days, window_end
from second_classroom.policies.claim_rules import (
    ClaimChain,
    ClaimKind,
    ClaimsRule,
    ClaimStep,
    ClaimWindow,
    RecordedChain,
    StepRole,
    StepScope,
    academic_year,
)
from second_classroom.policies.context import Context

NOT_FOUND = ErrorCode("claim.not_found", "补录申请不存在", "No such claim", Category.NOT_FOUND)
TRIBE_UNKNOWN = ErrorCode(
    "claim.tribe_unknown",
    "申请补录的组织不存在",
    "The claiming tribe does not exist",
    Category.NOT_FOUND,
)
NOT_OFFERED = ErrorCode(
    "claim.kind_not_offered",
    "本校不受理此类补录（{kind}）",
    "This school accepts no {kind} claims",
    Category.UNAVAILABLE,
)
OUTSIDE_WINDOW = ErrorCode(
    "claim.outside_window",
    "此类补录只在 {opens} 至 {closes} 受理",
    "Claims of this kind are accepted from {opens} to {closes} only",
    Category.CLOSED,
)
WINDOW_CLOSED = ErrorCode(
    "claim.window_closed",
    "补录时间已于 {closes} 结束，因自身原因未补录成功的不再重新补录",
    "The window closed on {closes}: a claim that failed then is not made again",
    Category.CLOSED,
)
FIELD_EMPTY = ErrorCode(
    "claim.field_empty", "{field} 不能为空", "{field} must not be empty", Category.INVALID
)
NO_CREDITS = ErrorCode(
    "claim.no_credits",
    "请填写申请的学分（积分明细）",
    "A claim names the credits it asks for",
    Category.INVALID,
)
CREDIT_INVALID = ErrorCode(
    "claim.credit_invalid",
    "学分 {module}/{credit_type} {amount} 无效：模块、学分类型须为本校设置，数值须大于 0",
    "Credit {module}/{credit_type} {amount} is invalid: the school's module and type, above 0",
    Category.INVALID,
)
NO_PARTICIPANTS = ErrorCode(
    "claim.no_participants",
    "请填写参与人员名单",
    "A collective claim lists its participants",
    Category.INVALID,
)
PARTICIPANT_DUPLICATE = ErrorCode(
    "claim.participant_duplicate",
    "{student} 在名单中重复",
    "{student} is listed twice",
    Category.INVALID,
)
PARTICIPANT_UNKNOWN = ErrorCode(
    "claim.participant_unknown",
    "{student} 未注册",
    "{student} is not a registered student",
    Category.NOT_FOUND,
)
TIMES_INVALID = ErrorCode(
    "claim.times_invalid",
    "时间无效：开始须不晚于结束，且只能补录已经结束的事项",
    "Times are invalid: the start comes first and the claimed event is over",
    Category.INVALID,
)
SITUATION_REQUIRED = ErrorCode(
    "claim.situation_required",
    "因发布者操作原因未完结的活动，须填写情况说明：原因、正确做法、避免措施（附件5）",
    "A published but unfinalized activity needs the 情况说明: cause, procedure, prevention",
    Category.INVALID,
)
EVIDENCE_REQUIRED = ErrorCode(
    "claim.evidence_required",
    "请提供证明材料",
    "A personal claim gives its evidence",
    Category.INVALID,
)
ADVISOR_REQUIRED = ErrorCode(
    "claim.advisor_required",
    "请填写指导教师",
    "This chain needs the claim's 指导教师",
    Category.INVALID,
)
TERM_TOO_SHORT = ErrorCode(
    "claim.term_too_short",
    "任职须满一年方可补录（第四条）",
    "A cadre claim needs a full year of service",
    Category.INVALID,
)
NOT_REVISABLE = ErrorCode(
    "claim.not_revisable",
    "申请{status}，不能修改重报",
    "The claim is {status}: it cannot be revised and resubmitted",
    Category.CONFLICT,
)
NOT_IN_REVIEW = ErrorCode(
    "claim.not_in_review",
    "申请{status}，无需审核",
    "The claim is {status}, not in review",
    Category.CONFLICT,
)
REASON_REQUIRED = ErrorCode(
    "claim.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
PUBLICITY_OPEN = ErrorCode(
    "claim.publicity_open",
    "公示期至 {until} 结束，公示期满方可确认",
    "The publicity period runs until {until}; confirm after it",
    Category.CONFLICT,
)
OBJECTION_OPEN = ErrorCode(
    "claim.objection_open",
    "尚有未处理的异议，处理后方可确认",
    "An objection is still open; decide it first",
    Category.CONFLICT,
)
NOT_IN_PUBLICITY = ErrorCode(
    "claim.not_in_publicity",
    "该申请不在公示期内，不能提出异议",
    "The claim is not in its publicity period: no objection now",
    Category.CLOSED,
)
LIST_REQUIRED = ErrorCode(
    "claim.list_required",
    "请导入人员名单",
    "The list of credits must not be empty",
    Category.INVALID,
)
NOT_LISTED = ErrorCode(
    "claim.not_a_participant",
    "{student} 不在申请的参与人员名单中",
    "{student} is not among the claim's participants",
    Category.INVALID,
)
NOT_APPROVED = ErrorCode(
    "claim.not_approved",
    "申请{status}，审核通过后方可导入名单",
    "The claim is {status}: a list is imported once it is approved",
    Category.CONFLICT,
)
NOT_CLAIMED = ErrorCode(
    "claim.credit_not_claimed",
    "名单给 {student} 的 {module}/{credit_type} 共 {amount}，超出申请的每人 {claimed}",
    "The list gives {student} {amount} of {module}/{credit_type}; the claim asked {claimed}",
    Category.INVALID,
)
LIST_IMPORTED = ErrorCode(
    "claim.list_imported",
    "该申请已导入另一份名单",
    "Another list was already imported for this claim",
    Category.CONFLICT,
)
OVER_CAP = ErrorCode(
    "claim.over_cap",
    "{student} 在 {year} 学年已有 {module}/{credit_type} {held}，再认定 {asked} 将超过上限 {cap}："
    "请选择将本项记录在案但不计学分",
    "{student} holds {held} of {module}/{credit_type} in {year}; {asked} more passes the cap of"
    " {cap}: choose to record this claim without credit",
    Category.CONFLICT,
)
LEVEL_UNKNOWN = ErrorCode(
    "claim.level_unknown",
    "等级「{level}」不是本校设置的等级，可选：{allowed}",
    "Level {level} is not one of the school's: {allowed}",
    Category.INVALID,
)
CATEGORY_UNKNOWN = ErrorCode(
    "claim.category_unknown",
    "类别「{category}」不是本校认定标准的类别，可选：{allowed}",
    "Category {category} is not one of the school's: {allowed}",
    Category.INVALID,
)
ITEM_UNKNOWN = ErrorCode(
    "claim.item_unknown",
    "「{item}」不是{category}类别下的项，可选：{allowed}",
    "Item {item} is not one of {category}'s: {allowed}",
    Category.INVALID,
)
TOO_MANY_PARTICIPANTS = ErrorCode(
    "claim.too_many_participants",
    "参与人员名单共 {count} 人，超过本校上限 {cap} 人",
    "The list names {count} participants, more than the school's cap of {cap}",
    Category.INVALID,
)
LIST_TOO_LONG = ErrorCode(
    "claim.list_too_long",
    "名单共 {count} 行，超过本校上限 {cap} 行",
    "The list has {count} rows, more than the school's cap of {cap}",
    Category.INVALID,
)
REVIEWER_REPEATED = ErrorCode(
    "claim.reviewer_repeated",
    "您已审核过本申请的第 {step} 步，下一步须由另一人审核",
    "You approved step {step} of this claim; another person decides the next step",
    Category.FORBIDDEN,
)
NOT_PUBLISHED = ErrorCode(
    "claim.not_published",
    "该申请初审通过后尚未公示，须随一批申请公示期满后方可审核",
    "The claim awaits its 公示: it is published in a batch, then reviewed after the period",
    Category.CONFLICT,
)
NOT_AWAITING_PUBLICITY = ErrorCode(
    "claim.not_awaiting_publicity",
    "申请「{title}」不在待公示状态，不能列入公示批次",
    "Claim {title} is not waiting for its 公示: it cannot join a batch",
    Category.CONFLICT,
)
BATCH_INVALID = ErrorCode(
    "claim.batch_invalid",
    "公示批次须列出 1 至 {cap} 件不重复的申请",
    "A 公示 batch lists 1 to {cap} distinct claims",
    Category.INVALID,
)
OBJECTION_UNKNOWN = ErrorCode(
    "claim.objection_unknown",
    "没有待处理的第 {number} 条异议",
    "No open objection number {number}",
    Category.NOT_FOUND,
)


class ClaimStatus(StrEnum):
    IN_REVIEW = "in_review"  # 审核中 (at ``step``; in 公示 when ``publicity_until`` is set)
    REJECTED = "rejected"  # 退回: the claimant may revise and resubmit while the window is open
    APPROVED = "approved"  # 审核通过, waiting for its list (``RecordedChain.list_import``)
    CONFIRMED = "confirmed"  # 已认定: the credits are in every beneficiary's record

    @property
    def label(self) -> str:
        labels = {"in_review": "审核中", "rejected": "已退回", "approved": "待导入名单"}
        return labels.get(self.value, "已认定")


class ItemKind(StrEnum):
    """What a personal claim is for (001 第五条)."""

    ACTIVITY = "activity"  # 活动
    COMPETITION = "competition"  # 竞赛
    VOLUNTEERING = "volunteering"  # 志愿服务
    RESEARCH = "research"  # 科研 (003 科研成果)
    INNOVATION = "innovation"  # 创新创业
    PRACTICE = "practice"  # 实践
    CERTIFICATE = "certificate"  # 荣誉/资格/结业/等级证书


@attrs.frozen
class Situation:
    """情况说明 (001 附件5): why the credits were not given, the right way, how to avoid it."""

    cause: Detail
    procedure: Detail
    prevention: Detail


@attrs.frozen
class CollectiveForm:
    """申请书 and 申请单 (001 附件2、3): the activity, its 类别 and 项 in the 认定标准, the reason,
    the contact, and the 情况说明 when it was published but not finalized."""

    place: str
    starts_at: datetime
    ends_at: datetime
    category: str
    item: str
    reason: str
    contact: str
    published: bool = False
    situation: Situation | None = None


@attrs.frozen
class PersonalForm:
    """个人积分补录申请单 (001 第六条; 003 科研成果 with its 指导教师 and 级别)."""

    item_kind: ItemKind
    occurred_at: datetime
    evidence: tuple[str, ...]
    advisor: str = ""
    level: LevelCode | None = None  # one of the school's activity_levels


@attrs.frozen
class CadreForm:
    """A year served in 学生会 / 学生组织 / 社团 / 班委 (001 第四条)."""

    organization: str
    position: str
    served_from: datetime
    served_until: datetime


@attrs.frozen
class Objection:
    """异议 raised during the 公示: open until the reviewer upholds or dismisses it."""

    number: int
    reason: str
    by: str
    open: bool = True


@attrs.frozen
class Claim:
    """A claim: what it asks (credits per beneficiary) and where it stands in its chain."""

    id: UUID
    kind: ClaimKind
    claimant: str
    tribe_id: UUID | None
    college: str | None
    title: str
    credits: tuple[PlannedCredit, ...]
    beneficiaries: tuple[str, ...]
    collective: CollectiveForm | None
    personal: PersonalForm | None
    cadre: CadreForm | None
    window_closes: datetime | None
    status: ClaimStatus = ClaimStatus.IN_REVIEW
    step: int = 0
    publicity_until: datetime | None = None
    objections: tuple[Objection, ...] = ()
    reason: str = ""  # the last rejection's reason
    list_digest: str = ""  # the imported list's digest (``list_import`` chains)
    # 003 汇总、公示: a publicity step approved, the claim waits to be published in a batch.
    awaiting_publicity: bool = False
    batch: str = ""  # the 公示 batch it was last published in
    # Who filed and who approved a step in this round: none of them decides a later step.
    filers: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    # The chain it was filed under (``ClaimFiled.chain``), passed to the end whatever the
    # rulebook says later; None for a claim filed before chains were recorded (``chain_of``).
    chain: RecordedChain | None = None

    @property
    def advisor(self) -> str:
        return self.personal.advisor if self.personal is not None else ""

    def objection(self, number: int) -> Objection | None:
        return next((o for o in self.objections if o.number == number and o.open), None)


# -- events -------------------------------------------------------------------------------


@attrs.frozen
class ClaimFiled:
    claim_id: UUID
    kind: ClaimKind
    claimant: str
    tribe_id: UUID | None
    college: str | None
    title: str
    credits: tuple[PlannedCredit, ...]
    beneficiaries: tuple[str, ...]
    collective: CollectiveForm | None
    personal: PersonalForm | None
    cadre: CadreForm | None
    window_closes: datetime | None
    by: str
    at: datetime
    # The kind's chain in the rulebook at filing, which the claim passes from then on. Events
    # stored before chains were recorded have none: those claims keep following the current
    # rulebook's chain of their kind, as they always did, so old logs replay unchanged.
    chain: RecordedChain | None = None


@attrs.frozen
class ClaimResubmitted:
    """The claimant revised a rejected claim and sent it back to the first step of the chain
    it was filed under (``Claim.chain``), not of the rulebook's current one."""

    claim_id: UUID
    title: str
    credits: tuple[PlannedCredit, ...]
    beneficiaries: tuple[str, ...]
    collective: CollectiveForm | None
    personal: PersonalForm | None
    cadre: CadreForm | None
    by: str
    at: datetime


@attrs.frozen
class ClaimStepApproved:
    """A step approved; ``publicity``: a 公示 follows, the claim waits for its batch (003)."""

    claim_id: UUID
    step: int
    step_name: str
    reason: str
    by: str
    at: datetime
    publicity: bool = False


@attrs.frozen
class ClaimPublished:
    """公示 (003): open to objections until ``until`` (exclusive), with the other claims of
    ``batch`` (the 系部's 汇总, published together for the same period)."""

    claim_id: UUID
    until: datetime
    at: datetime
    batch: str = ""
    by: str = ""


@attrs.frozen
class ClaimRejected:
    """退回 with a reason; ``objection`` names the upheld objection that caused it."""

    claim_id: UUID
    step: int
    reason: str
    objection: int | None
    by: str
    at: datetime


@attrs.frozen
class ObjectionRaised:
    claim_id: UUID
    number: int
    reason: str
    by: str
    at: datetime


@attrs.frozen
class ObjectionDecided:
    claim_id: UUID
    number: int
    upheld: bool
    reason: str
    by: str
    at: datetime


@attrs.frozen
class ClaimApproved:
    """The last step approved a claim whose chain waits for its list (名单导入)."""

    claim_id: UUID
    by: str
    at: datetime


@attrs.frozen
class ListedCredit:
    """One row of the imported list (001 附件4): a student, and a credit or none."""

    student_number: PersonId
    content: Title
    credit: PlannedCredit | None


PersonRow = Annotated[ListedCredit, TextKind.PERSON_ID]


@attrs.frozen
class ClaimListImported:
    """The approved claim's list: each row's credit goes to its student (rows ``digest``)."""

    claim_id: UUID
    digest: str
    rows: tuple[ListedCredit, ...]
    by: str
    at: datetime


@attrs.frozen
class ClaimConfirmed:
    """The last step approved: every beneficiary's record holds the credits from now on."""

    claim_id: UUID
    by: str
    at: datetime


ClaimEvent = (
    ClaimFiled
    | ClaimResubmitted
    | ClaimStepApproved
    | ClaimPublished
    | ClaimRejected
    | ObjectionRaised
    | ObjectionDecided
    | ClaimApproved
    | ClaimListImported
    | ClaimConfirmed
)
EVENTS: tuple[type, ...] = ClaimEvent.__args__

# -- commands -----------------------------------------------------------------------------


def claim_id(kind: ClaimKind, owner: str, key: str) -> UUID:
    """A claim's id: its kind, its owner (tribe id or 学号) and a key unique to the owner."""
    return ids.derive("claim", kind.value, owner, key)


@attrs.frozen
class FileCollectiveClaim:
    """A tribe's leader or admin claims credits for an activity's participants (001 第二、三条);
    filed again after a rejection, it is the revised claim."""

    tribe_id: UUID
    key: Code
    activity_name: Title
    place: Name
    starts_at: datetime = attrs.field(validator=aware)
    ends_at: datetime = attrs.field(validator=aware)
    category: Name
    item: Name
    credits: tuple[PlannedCredit, ...]
    participants: tuple[PersonId, ...]
    reason: Reason
    contact: Name
    published: bool = False  # 第二条（二）: published, left unfinalized by its publisher
    situation: Situation | None = None  # required when ``published`` (附件5)

    @property
    def claim_id(self) -> UUID:
        return claim_id(ClaimKind.COLLECTIVE, str(self.tribe_id), self.key)


@attrs.frozen
class FilePersonalClaim:
    """A student claims an item with evidence (001 第五、六条; 003 科研成果)."""

    student_number: PersonId
    key: Code
    item_kind: ItemKind
    title: Title
    occurred_at: datetime = attrs.field(validator=aware)
    credits: tuple[PlannedCredit, ...]
    evidence: tuple[Proof, ...]
    advisor: PersonId | None = None  # 指导教师's 工号, where the chain asks for one
    level: Name = ""

    @property
    def claim_id(self) -> UUID:
        return claim_id(ClaimKind.PERSONAL, self.student_number, self.key)


@attrs.frozen
class FileCadreClaim:
    """A student claims a full year served as a cadre (001 第四条)."""

    student_number: PersonId
    key: Code
    organization: Name
    position: Name
    served_from: datetime = attrs.field(validator=aware)
    served_until: datetime = attrs.field(validator=aware)
    credits: tuple[PlannedCredit, ...]

    @property
    def claim_id(self) -> UUID:
        return claim_id(ClaimKind.CADRE, self.student_number, self.key)


@attrs.frozen
class ReviewClaim:
    """The current step's reviewer approves, or rejects with a reason back to the claimant."""

    claim_id: UUID
    approve: bool
    reason: Reason = ""
    # 003: over a cap (``claims.caps``) the confirming reviewer chooses: this claim goes on
    # the record without its credits, or the confirmation is refused (``claim.over_cap``).
    without_credit: bool = False


@attrs.frozen
class RaiseObjection:
    """Anyone in the school objects to a claim in 公示, with a reason (003)."""

    claim_id: UUID
    reason: Reason


@attrs.frozen
class DecideObjection:
    """The reviewer who published the claim upholds the objection (the claim is rejected, the
    reason kept) or dismisses it."""

    claim_id: UUID
    number: int
    uphold: bool
    reason: Reason


@attrs.frozen
class ImportClaimList:
    """The last step's reviewer imports the list of an approved collective claim: all rows or
    none; the same list again changes nothing (``digest`` names its content)."""

    claim_id: UUID
    digest: Code
    # One row per 学号 and credit: bounded like a list of people (``limits.people``), not
    # like a list of proofs or tags (``limits.items``, 200), so a 5,000-row 附件4 list fits.
    rows: tuple[PersonRow, ...]


@attrs.frozen
class PublishClaims:
    """公示 (003 系部…汇总、公示): the publishing step's reviewer publishes a batch of claims
    that passed first review, all for the rulebook's working days from now. Publishing the
    same batch again changes nothing."""

    batch: Code
    claim_ids: tuple[UUID, ...]


FileClaim = FileCollectiveClaim | FilePersonalClaim | FileCadreClaim
ClaimCommand = FileClaim | ReviewClaim | RaiseObjection | DecideObjection | ImportClaimList
COMMANDS: tuple[type, ...] = ClaimCommand.__args__
BATCH_COMMANDS: tuple[type, ...] = (PublishClaims,)  # several claims in one save


def target(command: ClaimCommand) -> UUID:
    return command.claim_id


# -- the decision -------------------------------------------------------------------------


@attrs.frozen
class ClaimContext:
    """The facts a claim command reads: the claiming tribe (its roles are in ``base``'s actor)
    and the loaded records of the students involved."""

    base: Context
    tribe: Tribe | None
    records: Mapping[str, StudentRecord]


@attrs.frozen
class ClaimDecision:
    """The claim's events and, at confirmation, each beneficiary's record events."""

    claim: Sequence[ClaimEvent]
    records: Mapping[str, Sequence[StudentEvent]] = attrs.field(factory=dict)


def tribe_of(command: ClaimCommand, state: Claim | None) -> UUID | None:
    """The tribe whose roles the command is decided with."""
    if isinstance(command, FileCollectiveClaim):
        return command.tribe_id
    return state.tribe_id if state is not None else None


def students_involved(command: ClaimCommand, state: Claim | None) -> set[str]:
    """Records to load: the claimant and participants at filing, beneficiaries at the end."""
    match command:
        case FileCollectiveClaim(participants=participants):
            return set(participants)
        case FilePersonalClaim(student_number=number) | FileCadreClaim(student_number=number):
            return {number}
        case ReviewClaim(approve=True) if state is not None:
            return set(state.beneficiaries)
        case ImportClaimList(rows=rows):
            return {row.student_number for row in rows}
    return set()


def decide(command: ClaimCommand, state: Claim | None, ctx: ClaimContext) -> ClaimDecision:
    """Decide ``command`` on the claim; raise a DomainError when it is refused."""
    match command:
        case FileCollectiveClaim() | FilePersonalClaim() | FileCadreClaim():
            return ClaimDecision(_file(command, state, ctx))
    state = required(state, NOT_FOUND)
    match command:
        case ReviewClaim():
            return _review(command, state, ctx)
        case RaiseObjection():
            return ClaimDecision(_object(command, state, ctx.base))
        case DecideObjection():
            return ClaimDecision(_decide_objection(command, state, ctx.base))
        case ImportClaimList():
            return _import_list(command, state, ctx)
    raise AssertionError(f"unhandled command {command!r}")


def _offered(kind: ClaimKind, ctx: Context) -> ClaimChain:
    """The rulebook's chain for a claim filed now."""
    return required(ctx.rulebook.claims.chain(kind), NOT_OFFERED, kind=kind.value)


def chain_of(state: Claim, rule: ClaimsRule) -> RecordedChain | None:
    """The chain ``state`` passes: the one recorded when it was filed. A claim whose
    ``ClaimFiled`` predates recorded chains follows ``rule``'s current chain of its kind, as
    every claim did before (None: the school no longer offers that kind)."""
    if state.chain is not None:
        return state.chain
    current = rule.chain(state.kind)
    return current.recorded() if current is not None else None


def _path(state: Claim, ctx: Context) -> RecordedChain:
    """The chain every decision on a filed claim reads (``chain_of``)."""
    found = chain_of(state, ctx.rulebook.claims)
    return required(found, NOT_OFFERED, kind=state.kind.value)


def _text(**fields: str) -> None:
    for name, value in fields.items():
        require(bool(value.strip()), FIELD_EMPTY, field=name)


def _check_credits(credits: Sequence[PlannedCredit], ctx: Context) -> None:
    require(bool(credits), NO_CREDITS)
    for c in credits:
        valid = (
            ctx.rulebook.module(c.module) is not None
            and c.credit_type in ctx.rulebook.credit_types
            and c.amount.is_finite()
            and c.amount > 0
        )
        detail = {"module": c.module, "credit_type": c.credit_type, "amount": str(c.amount)}
        require(valid, CREDIT_INVALID, **detail)


def _check_category(category: str, item: str, ctx: Context) -> None:
    """附件2 该活动符合认定标准中 XX 类别第 X 项: the 类别 is one of the school's modules (活动一级
    分类, by name or code); where the module lists its 二级分类, the 项 is one of them. A module
    without a second level leaves the 项 as the school's 认定标准 numbers it (not in the seed)."""
    modules = ctx.rulebook.modules
    module = next((m for m in modules if category.strip() in (m.name, m.code)), None)
    allowed = "、".join(m.name for m in modules)
    require(module is not None, CATEGORY_UNKNOWN, category=category, allowed=allowed)
    assert module is not None
    if module.categories:
        items = "、".join(c.name for c in module.categories)
        require(
            module.subcategory(item.strip()) is not None,
            ITEM_UNKNOWN,
            item=item,
            category=module.name,
            allowed=items,
        )


@attrs.frozen
class _Filing:
    """A filing command read as a claim: its kind, owner, content and checks done."""

    kind: ClaimKind
    claimant: str
    tribe_id: UUID | None
    college: str | None
    title: str
    credits: tuple[PlannedCredit, ...]
    beneficiaries: tuple[str, ...]
    collective: CollectiveForm | None = None
    personal: PersonalForm | None = None
    cadre: CadreForm | None = None


def _read_filing(command: FileClaim, ctx: ClaimContext) -> _Filing:
    base = ctx.base
    actor, now = base.actor, base.now
    _text(key=command.key)
    match command:
        case FileCollectiveClaim():
            tribe = required(ctx.tribe, TRIBE_UNKNOWN)
            require(
                actor.holds_tribe_role(tribe.id, RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN),
                UNAUTHORIZED,
                action="申请集体补录 file a collective claim",
            )
            _text(
                activity_name=command.activity_name,
                place=command.place,
                category=command.category,
                item=command.item,
                reason=command.reason,
                contact=command.contact,
            )
            require(command.starts_at <= command.ends_at <= now, TIMES_INVALID)
            _check_category(command.category, command.item, base)
            situation = command.situation if command.published else None
            if command.published:
                parts = attrs.astuple(situation) if situation is not None else ("",)
                require(all(part.strip() for part in parts), SITUATION_REQUIRED)
            require(bool(command.participants), NO_PARTICIPANTS)
            cap = base.rulebook.claims.max_participants
            count = len(command.participants)
            require(count <= cap, TOO_MANY_PARTICIPANTS, count=count, cap=cap)
            seen: set[str] = set()
            for student in command.participants:
                require(student not in seen, PARTICIPANT_DUPLICATE, student=student)
                seen.add(student)
                require(student in ctx.records, PARTICIPANT_UNKNOWN, student=student)
            form = CollectiveForm(
                command.place,
                command.starts_at,
                command.ends_at,
                command.category,
                command.item,
                command.reason,
                command.contact,
                command.published,
                situation,
            )
            return _Filing(
                ClaimKind.COLLECTIVE,
                actor.person_id,
                tribe.id,
                tribe.college,
                command.activity_name,
                command.credits,
                command.participants,
                collective=form,
            )
        case FilePersonalClaim() | FileCadreClaim():
            number = command.student_number
            require(
                actor.person_id == number, UNAUTHORIZED, action="为他人申请补录 claim for another"
            )
            record = required(ctx.records.get(number), STUDENT_NOT_FOUND, student_number=number)
            if isinstance(command, FilePersonalClaim):
                _text(title=command.title)
                require(command.occurred_at <= now, TIMES_INVALID)
                evidence = tuple(e for e in command.evidence if e.strip())
                require(bool(evidence), EVIDENCE_REQUIRED)
                rulebook = ctx.base.rulebook
                named = command.level.strip()
                level = rulebook.activity_level(named) if named else None
                require(not named or level is not None, LEVEL_UNKNOWN, level=named,
                        allowed="、".join(rulebook.level_names()))  # fmt: skip
                personal = PersonalForm(
                    command.item_kind,
                    command.occurred_at,
                    evidence,
                    (command.advisor or "").strip(),
                    level,
                )
                kind, title, cadre = ClaimKind.PERSONAL, command.title, None
            else:
                _text(organization=command.organization, position=command.position)
                require(command.served_from <= command.served_until <= now, TIMES_INVALID)
                year_later = _one_year_after(command.served_from)
                require(command.served_until >= year_later, TERM_TOO_SHORT)
                cadre = CadreForm(
                    command.organization,
                    command.position,
                    command.served_from,
                    command.served_until,
                )
                kind, title, personal = (
                    ClaimKind.CADRE,
                    f"{command.organization} {command.position}",
                    None,
                )
            # A student's own claim: the claimant is its one beneficiary, in their college.
            return _Filing(
                kind,
                number,
                None,
                record.college,
                title,
                command.credits,
                (number,),
                personal=personal,
                cadre=cadre,
            )
    raise AssertionError(f"unhandled command {command!r}")


def _one_year_after(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February: a year later is 1 March
        return moment.replace(year=moment.year + 1, month=3, day=1)


_Content = tuple[
    str,
    tuple[PlannedCredit, ...],
    tuple[str, ...],
    CollectiveForm | None,
    PersonalForm | None,
    CadreForm | None,
]


def _content(claim: _Filing | Claim) -> _Content:
    """What a claimant may revise, in ``ClaimResubmitted``'s order: a filing is compared with the
    claim by it, and carried into the events by it."""
    return (
        claim.title,
        claim.credits,
        claim.beneficiaries,
        claim.collective,
        claim.personal,
        claim.cadre,
    )


_FILED_KIND: dict[type, ClaimKind] = {
    FileCollectiveClaim: ClaimKind.COLLECTIVE,
    FilePersonalClaim: ClaimKind.PERSONAL,
    FileCadreClaim: ClaimKind.CADRE,
}


def _file(command: FileClaim, state: Claim | None, ctx: ClaimContext) -> Sequence[ClaimEvent]:
    base = ctx.base
    offered: ClaimChain | None = None
    if state is None:
        offered = _offered(_FILED_KIND[type(command)], base)  # not offered: nothing else matters
        path = offered.recorded()
    else:
        # 修改重报 (001 第四、五条): the same claim, so the chain it was filed under, from its
        # first step, even if the kind's chain changed or is no longer offered since.
        path = _path(state, base)
    filing = _read_filing(command, ctx)
    if any(d.scope is StepScope.ADVISOR for step in path.steps for d in step.deciders):
        require(filing.personal is not None and bool(filing.personal.advisor), ADVISOR_REQUIRED)
    if isinstance(command, FilePersonalClaim) and command.advisor:  # 003 指导教师: staff only
        advisor = command.advisor.strip()
        require(
            may_advise(base.rulebook, advisor, command.student_number),
            ADVISOR_NOT_STAFF,
            person=advisor,
        )
    _check_credits(filing.credits, base)
    content = _content(filing)
    if state is not None:
        if state.status is ClaimStatus.IN_REVIEW and _content(state) == content:
            return []  # a retried filing changes nothing
        require(state.status is ClaimStatus.REJECTED, NOT_REVISABLE, status=state.status.label)
        # 001 第四、五条: 由自身原因导致积分未补录成功的，将不再重新补录.
        closes = state.window_closes
        if closes is not None:
            last_day = (closes - timedelta(days=1)).date().isoformat()
            require(base.now < closes, WINDOW_CLOSED, closes=last_day)
        return [ClaimResubmitted(state.id, *content, base.actor.person_id, base.now)]
    assert offered is not None  # a new claim
    window_closes = None
    if offered.has_window:
        is_open, first, last = window(offered, base)
        if not is_open:
            raise OUTSIDE_WINDOW.error(opens=first.isoformat(), closes=last.isoformat())
        window_closes = datetime.combine(last + timedelta(days=1), time(), tzinfo=SHANGHAI)
    return [
        ClaimFiled(
            command.claim_id,
            filing.kind,
            filing.claimant,
            filing.tribe_id,
            filing.college,
            *content,
            window_closes,
            base.actor.person_id,
            base.now,
            path,
        )
    ]


def window(chain: ClaimChain, ctx: Context) -> tuple[bool, date, date]:
    """Whether ``chain``'s window is open at ``ctx.now`` (Shanghai date), and the first and
    last day of the window containing it, else of the next one (else of the last one). Dated
    windows (a 补录通知's dates, or N working days from its first day under the school's
    calendar) or, without them, the months of each year."""
    today = local_date(ctx.now)
    if not chain.windows:
        first, last = chain.window_around(ctx.now)
        return chain.window_open(ctx.now), first, last
    spans = sorted(_span(w, ctx) for w in chain.windows)
    current = [(f, la) for f, la in spans if f <= today <= la]
    if current:
        return True, *current[0]
    upcoming = [(f, la) for f, la in spans if f > today]
    return False, *(upcoming[0] if upcoming else spans[-1])


def _span(dated: ClaimWindow, ctx: Context) -> tuple[date, date]:
    if dated.closes is not None:
        return dated.opens, dated.closes
    assert dated.working_days is not None  # ClaimsRule.problems: one of the two
    # The first day counts when it is a working day: the Nth working day from ``opens`` on.
    return dated.opens, add_working_days(
        ctx.rulebook, dated.opens - timedelta(days=1), dated.working_days
    )


def may_decide(step: ClaimStep, claim: Claim, actor: Actor) -> bool:
    """Whether ``actor`` holds the role ``step`` asks for, where the claim is."""
    person = actor.person_id
    if person == claim.claimant or person in claim.filers or person in claim.beneficiaries:
        return False  # nobody reviews a claim they file, revise or gain from
    return any(_holds(decider, claim, actor) for decider in step.deciders)


def _holds(decider: StepRole, claim: Claim, actor: Actor) -> bool:
    match decider.scope:
        case StepScope.TRIBE:
            return claim.tribe_id is not None and actor.has(Role(decider.role, str(claim.tribe_id)))
        case StepScope.COLLEGE:
            return claim.college is not None and actor.has(Role(decider.role, claim.college))
        case StepScope.SCHOOL:
            return actor.has(Role(decider.role))
        case StepScope.ADVISOR:
            return actor.has(Role(decider.role)) and actor.person_id == claim.advisor
    raise AssertionError(f"unhandled scope {decider.scope!r}")


def _review(command: ReviewClaim, state: Claim, ctx: ClaimContext) -> ClaimDecision:
    base = ctx.base
    actor, now = base.actor, base.now
    require(state.status is ClaimStatus.IN_REVIEW, NOT_IN_REVIEW, status=state.status.label)
    require(not state.awaiting_publicity, NOT_PUBLISHED)
    chain = _path(state, base)
    steps = chain.steps
    step = steps[min(state.step, len(steps) - 1)]
    require(may_decide(step, state, actor), UNAUTHORIZED, action=f"审核补录 review as {step.name}")
    # A chain is several people: whoever approved an earlier step (whatever roles they hold
    # now, 003 指导教师 → 系部 → 教务处) does not decide a later one of the same round.
    if actor.person_id in state.approvers:
        raise REVIEWER_REPEATED.error(step=state.approvers.index(actor.person_id) + 1)
    if not command.approve:
        require(bool(command.reason.strip()), REASON_REQUIRED)
        return ClaimDecision(
            [ClaimRejected(state.id, state.step, command.reason, None, actor.person_id, now)]
        )
    if state.publicity_until is not None:
        until = state.publicity_until
        require(now >= until, PUBLICITY_OPEN, until=until.isoformat())
        require(not any(o.open for o in state.objections), OBJECTION_OPEN)
    last = state.step + 1 >= len(steps)
    approved = ClaimStepApproved(
        state.id, state.step, step.name, command.reason, actor.person_id, now,
        publicity=step.publicity and not last,
    )  # fmt: skip
    if not last:
        # After a publicity step the claim waits for its batch (``PublishClaims``).
        return ClaimDecision([approved])
    if chain.list_import:
        return ClaimDecision([approved, ClaimApproved(state.id, actor.person_id, now)])
    credits = dict.fromkeys(state.beneficiaries, state.credits)
    over = [
        s for s in state.beneficiaries if _over_cap(s, state.credits, ctx, command.without_credit)
    ]
    credits.update(dict.fromkeys(over, ()))  # on the record, without credit (003)
    records = _credit(state, credits, ctx)
    return ClaimDecision([approved, ClaimConfirmed(state.id, actor.person_id, now)], records)


def _over_cap(
    student: str, asked: Sequence[PlannedCredit], ctx: ClaimContext, without_credit: bool
) -> bool:
    """Whether crediting ``asked`` passes a cap of this academic year for ``student``; refused
    (``claim.over_cap``) unless the reviewer chose to record the claim without credit."""
    base = ctx.base
    record = ctx.records.get(student)
    if record is None or not base.rulebook.claims.caps:
        return False
    year = academic_year(base.now)
    for cap in base.rulebook.claims.caps:
        key = (cap.module, cap.credit_type)
        held = sum(
            (c.amount for b in record.backfills if academic_year(b.confirmed_at) == year
             for c in b.credits if (c.module, c.credit_type) == key),
            Decimal(0),
        )  # fmt: skip
        wanted = sum((c.amount for c in asked if (c.module, c.credit_type) == key), Decimal(0))
        if wanted and held + wanted > cap.amount:
            require(without_credit, OVER_CAP, student=student, module=cap.module,
                    credit_type=cap.credit_type, cap=str(cap.amount), held=str(held),
                    asked=str(wanted), year=f"{year}-{year + 1}")  # fmt: skip
            return True
    return False


def _credit(
    state: Claim, credits: Mapping[str, tuple[PlannedCredit, ...]], ctx: ClaimContext
) -> dict[str, Sequence[StudentEvent]]:
    """Each student's record event: their credits, marked 补录 with the claim's id."""
    now = ctx.base.now
    records: dict[str, Sequence[StudentEvent]] = {}
    for student, held in credits.items():
        found = required(ctx.records.get(student), PARTICIPANT_UNKNOWN, student=student)
        record = BackfillRecord(state.id, state.kind, state.title, held, now)
        records[student] = [BackfillRecorded(found.id, record, now)]
    return records


def _within_claim(
    student: str, held: Sequence[PlannedCredit], claimed: Sequence[PlannedCredit]
) -> None:
    """A student's listed credits stay within what the approved claim asked per person."""
    totals: dict[tuple[str, str], Decimal] = {}
    for credit in held:
        key = (credit.module, credit.credit_type)
        totals[key] = totals.get(key, Decimal(0)) + credit.amount
    asked = {(c.module, c.credit_type): c.amount for c in claimed}
    for (module, credit_type), amount in totals.items():
        limit = asked.get((module, credit_type), Decimal(0))
        detail = {"module": module, "credit_type": credit_type}
        require(
            amount <= limit,
            NOT_CLAIMED,
            student=student,
            amount=str(amount),
            claimed=str(limit),
            **detail,
        )


def _import_list(command: ImportClaimList, state: Claim, ctx: ClaimContext) -> ClaimDecision:
    base = ctx.base
    actor, now = base.actor, base.now
    if state.status is ClaimStatus.CONFIRMED and state.list_digest:
        require(command.digest == state.list_digest, LIST_IMPORTED)
        return ClaimDecision([])  # the same list again stores nothing new
    require(state.status is ClaimStatus.APPROVED, NOT_APPROVED, status=state.status.label)
    last = _path(state, base).steps[-1]
    require(may_decide(last, state, actor), UNAUTHORIZED, action=f"导入名单 as {last.name}")
    _text(digest=command.digest)
    require(bool(command.rows), LIST_REQUIRED)
    cap = base.rulebook.claims.template_max_rows  # the 附件4 file's bound, whatever the source
    require(len(command.rows) <= cap, LIST_TOO_LONG, count=len(command.rows), cap=cap)
    credits: dict[str, tuple[PlannedCredit, ...]] = {}
    for row in command.rows:
        require(row.student_number in state.beneficiaries, NOT_LISTED, student=row.student_number)
        held = credits.setdefault(row.student_number, ())
        if row.credit is not None:
            _check_credits([row.credit], base)
            credits[row.student_number] = (*held, row.credit)
    for student, held in credits.items():
        _within_claim(student, held, state.credits)
    records = _credit(state, credits, ctx)
    events: list[ClaimEvent] = [
        ClaimListImported(state.id, command.digest, command.rows, actor.person_id, now),
        ClaimConfirmed(state.id, actor.person_id, now),
    ]
    return ClaimDecision(events, records)


def _object(command: RaiseObjection, state: Claim, base: Context) -> Sequence[ClaimEvent]:
    actor = base.actor
    require(bool(actor.roles) and not actor.is_system, UNAUTHORIZED, action="提出异议 object")
    until = state.publicity_until
    in_publicity = state.status is ClaimStatus.IN_REVIEW and until is not None
    require(in_publicity and until is not None and base.now < until, NOT_IN_PUBLICITY)
    require(bool(command.reason.strip()), REASON_REQUIRED)
    number = len(state.objections) + 1
    return [ObjectionRaised(state.id, number, command.reason, actor.person_id, base.now)]


def publish(
    command: PublishClaims, claims: Mapping[UUID, tuple[Claim | None, Context]], base: Context
) -> dict[UUID, list[ClaimEvent]]:
    """公示 a batch (003 系部 汇总、公示): every claim waits for its 公示, and ``claims[id]``'s
    context (the actor with that claim's tribe roles) may decide the step that asked for it.
    Each claim gets a ``ClaimPublished`` with the same period; a claim already in this batch
    gets nothing (a retry), one published in another batch refuses the whole batch."""
    cap = base.rulebook.claims.publicity_batch_max
    ids_ = command.claim_ids
    require(0 < len(ids_) <= cap and len(set(ids_)) == len(ids_), BATCH_INVALID, cap=cap)
    _text(batch=command.batch)
    days = base.rulebook.claims.publicity_working_days
    until = window_end(base.rulebook, base.now, days)
    events: dict[UUID, list[ClaimEvent]] = {}
    for claim_id_ in ids_:
        state, ctx = claims[claim_id_]
        require(state is not None, NOT_FOUND)
        assert state is not None
        if state.batch == command.batch and state.publicity_until is not None:
            continue  # published in this batch already
        waiting = state.status is ClaimStatus.IN_REVIEW and state.awaiting_publicity
        require(waiting, NOT_AWAITING_PUBLICITY, title=state.title)
        publisher = _path(state, ctx).steps[state.step - 1]
        action = f"公示 publish as {publisher.name}"
        require(may_decide(publisher, state, ctx.actor), UNAUTHORIZED, action=action)
        person = ctx.actor.person_id
        events[claim_id_] = [ClaimPublished(state.id, until, base.now, command.batch, person)]
    return events


class ReviewAction(StrEnum):
    """What a reviewer may do to a claim now (the 待我审核 list)."""

    REVIEW = "review"  # 审核: approve or reject the current step
    PUBLISH = "publish"  # 公示: put it in a batch
    OBJECTION = "objection"  # 处理异议: uphold or dismiss an open objection
    IMPORT = "import"  # 导入名单: the approved collective claim's 附件4 list

    @property
    def label(self) -> str:
        return {"review": "审核", "publish": "公示", "objection": "处理异议"}.get(
            self.value, "导入名单"
        )


def actions(
    state: Claim, chain: RecordedChain, actor: Actor, now: datetime
) -> tuple[ReviewAction, ...]:
    """What ``actor`` (with the claim's tribe roles) may do to ``state`` at ``now`` along its
    ``chain`` (``chain_of``): the same rules the commands enforce, so the list never offers a
    step that would be refused."""
    steps = chain.steps
    if state.status is ClaimStatus.APPROVED:
        return (ReviewAction.IMPORT,) if may_decide(steps[-1], state, actor) else ()
    if state.status is not ClaimStatus.IN_REVIEW:
        return ()
    found: list[ReviewAction] = []
    publisher = steps[state.step - 1] if state.step > 0 else None
    if publisher is not None and may_decide(publisher, state, actor):
        if state.awaiting_publicity:
            found.append(ReviewAction.PUBLISH)
        if any(o.open for o in state.objections):
            found.append(ReviewAction.OBJECTION)
    until = state.publicity_until
    ready = not state.awaiting_publicity and not any(o.open for o in state.objections)
    if ready and (until is None or now >= until):
        step = steps[min(state.step, len(steps) - 1)]
        if may_decide(step, state, actor) and actor.person_id not in state.approvers:
            found.append(ReviewAction.REVIEW)
    return tuple(found)


def _decide_objection(
    command: DecideObjection, state: Claim, base: Context
) -> Sequence[ClaimEvent]:
    actor, now = base.actor, base.now
    require(state.status is ClaimStatus.IN_REVIEW, NOT_IN_REVIEW, status=state.status.label)
    objection = required(state.objection(command.number), OBJECTION_UNKNOWN, number=command.number)
    # The step that published the claim (系部 with its 学术委员会, 003) judges objections to it.
    publisher = _path(state, base).steps[state.step - 1]
    require(
        may_decide(publisher, state, actor), UNAUTHORIZED, action=f"处理异议 as {publisher.name}"
    )
    require(bool(command.reason.strip()), REASON_REQUIRED)
    decided = ObjectionDecided(
        state.id, command.number, command.uphold, command.reason, actor.person_id, now
    )
    if not command.uphold:
        return [decided]
    reason = f"异议成立：{objection.reason}；{command.reason}"
    return [
        decided,
        ClaimRejected(state.id, state.step, reason, command.number, actor.person_id, now),
    ]


def evolve(state: Claim | None, event: ClaimEvent) -> Claim:
    """Apply one event."""
    if isinstance(event, ClaimFiled):
        return Claim(
            event.claim_id,
            event.kind,
            event.claimant,
            event.tribe_id,
            event.college,
            event.title,
            event.credits,
            event.beneficiaries,
            event.collective,
            event.personal,
            event.cadre,
            event.window_closes,
            filers=(event.by,),
            chain=event.chain,
        )
    assert state is not None
    match event:
        case ClaimResubmitted():
            return attrs.evolve(
                state,
                title=event.title,
                credits=event.credits,
                beneficiaries=event.beneficiaries,
                collective=event.collective,
                personal=event.personal,
                cadre=event.cadre,
                status=ClaimStatus.IN_REVIEW,
                step=0,
                publicity_until=None,
                objections=(),
                reason="",
                awaiting_publicity=False,
                batch="",
                filers=_added(state.filers, event.by),
                approvers=(),
            )
        case ClaimStepApproved(step=step):
            return attrs.evolve(
                state,
                step=step + 1,
                publicity_until=None,
                awaiting_publicity=event.publicity,
                approvers=(*state.approvers, event.by),
            )
        case ClaimPublished(until=until):
            return attrs.evolve(
                state, publicity_until=until, awaiting_publicity=False, batch=event.batch
            )
        case ClaimRejected(reason=reason):
            return attrs.evolve(state, status=ClaimStatus.REJECTED, reason=reason)
        case ObjectionRaised(number=number, reason=reason, by=by):
            return attrs.evolve(
                state, objections=(*state.objections, Objection(number, reason, by))
            )
        case ObjectionDecided(number=number):
            objections = tuple(
                attrs.evolve(o, open=False) if o.number == number else o for o in state.objections
            )
            return attrs.evolve(state, objections=objections)
        case ClaimApproved():
            return attrs.evolve(state, status=ClaimStatus.APPROVED)
        case ClaimListImported(digest=digest):
            return attrs.evolve(state, list_digest=digest)
        case ClaimConfirmed():
            return attrs.evolve(state, status=ClaimStatus.CONFIRMED)
    raise AssertionError(f"unhandled event {event!r}")


def _added(people: tuple[str, ...], person: str) -> tuple[str, ...]:
    return people if person in people else (*people, person)


def _decide_stream(
    command: ClaimCommand, state: Claim | None, ctx: ClaimContext
) -> Sequence[ClaimEvent]:
    return decide(command, state, ctx).claim


DECIDER: FunctionalDecider[ClaimCommand, Claim, ClaimEvent, ClaimContext] = FunctionalDecider(
    "claim", _decide_stream, evolve, Claim, EVENTS
)
