"""补录 rules as data (the rulebook's ``[claims]``): per claim kind, its approval chain and the
months it is accepted in; and how long a 公示 lasts.

Seed 001 (川工科〔2023〕156号) 第三、四、六条 and seed 003 (上海海关学院) give the chains; 001
第四、五条 the windows (cadre claims October–November, personal claims February–March).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import attrs

from second_classroom.core.actor import RoleKind
from second_classroom.core.time import SHANGHAI, local_date


class ClaimKind(StrEnum):
    """Who claims what: a tribe for its members, or a student for themselves."""

    COLLECTIVE = "collective"  # 集体活动积分补录 (001 第二、三条)
    PERSONAL = "personal"  # 个人成长积分补录 (001 第五、六条; 003 科研成果)
    CADRE = "cadre"  # 学生干部积分补录 (001 第四条)


class StepScope(StrEnum):
    """Where a step's role must apply for its holder to decide the step."""

    TRIBE = "tribe"  # the role scoped to the claiming tribe (指导老师)
    COLLEGE = "college"  # the role scoped to the claim's college (辅导员, 团总支书记, 系部)
    SCHOOL = "school"  # the role without scope (二课中心, 教务处)
    ADVISOR = "advisor"  # the role without scope, held by the 指导教师 the claim names (003)


@attrs.frozen
class StepRole:
    """Another role that may decide a step, where it applies (001 附件2: 二级学院团总支/指导老师
    审核意见 — one step, signed by whichever of them the claiming tribe answers to)."""

    role: RoleKind
    scope: StepScope = StepScope.SCHOOL


@attrs.frozen
class ClaimStep:
    """One approval step: its name, who decides it (``role`` where ``scope`` says, or any of
    ``alternates``), and whether a 公示 follows its approval."""

    name: str
    role: RoleKind
    scope: StepScope = StepScope.SCHOOL
    publicity: bool = False
    alternates: tuple[StepRole, ...] = ()

    @property
    def deciders(self) -> tuple[StepRole, ...]:
        """Every (role, scope) that may decide this step, ``role`` first."""
        return (StepRole(self.role, self.scope), *self.alternates)


@attrs.frozen
class RecordedChain:
    """The path a claim passes, kept from its kind's chain when it is filed: the steps in
    order (each with its deciders, scopes and 公示) and whether the last approval waits for the
    list (001 第三条 名单导入). A rulebook deployed later does not move a claim already filed;
    the chain's window is not kept, it decided the filing (the claim keeps ``window_closes``)."""

    steps: tuple[ClaimStep, ...]
    list_import: bool = False

    def role_kinds(self) -> frozenset[RoleKind]:
        """Every role kind some step asks for."""
        return frozenset(d.role for step in self.steps for d in step.deciders)


@attrs.frozen
class ClaimWindow:
    """A dated window, as a 补录通知 announces it (001 第五条 由第二课堂指导与服务中心…发布积分补录
    通知): from ``opens`` through ``closes``, or through the ``working_days``th working day
    counted from ``opens`` under the school's calendar (``opens`` counts when it is one)."""

    opens: date
    closes: date | None = None
    working_days: int | None = None


@attrs.frozen
class ClaimChain:
    """A claim kind the school accepts: its steps in order and its window — dated windows, or
    months (inclusive) each year; neither: all year."""

    kind: ClaimKind
    steps: tuple[ClaimStep, ...]
    first_month: int | None = None
    last_month: int | None = None
    # 001 第三条 (名单导入): the last approval waits for the 附件4 list, whose import confirms.
    list_import: bool = False
    windows: tuple[ClaimWindow, ...] = ()

    def recorded(self) -> RecordedChain:
        """What a claim filed under this chain keeps of it."""
        return RecordedChain(self.steps, self.list_import)

    @property
    def has_window(self) -> bool:
        months = self.first_month is not None and self.last_month is not None
        return months or bool(self.windows)

    def window_open(self, now: datetime) -> bool:
        """Whether ``now`` (Shanghai date) falls in this kind's months (dated windows need the
        school's calendar: ``claim.window``)."""
        if self.first_month is None or self.last_month is None:
            return True
        return self.first_month <= local_date(now).month <= self.last_month

    def window_around(self, now: datetime) -> tuple[date, date]:
        """The window containing ``now``, or else the next one: first and last day."""
        assert self.first_month is not None
        assert self.last_month is not None
        year = local_date(now).year
        if local_date(now).month > self.last_month:
            year += 1
        last_day = calendar.monthrange(year, self.last_month)[1]
        return date(year, self.first_month, 1), date(year, self.last_month, last_day)


@attrs.frozen
class ClaimCap:
    """At most ``amount`` of ``credit_type`` in ``module`` from 补录 claims per student and
    academic year (003: 科研成果 each year, the most important ones when a student has more)."""

    module: str
    credit_type: str
    amount: Decimal


def academic_year(moment: datetime) -> int:
    """The 学年 ``moment`` falls in, named by the year it starts (September–August)."""
    local = moment.astimezone(SHANGHAI)
    return local.year if local.month >= 9 else local.year - 1


@attrs.frozen
class ClaimsRule:
    """The ``[claims]`` section: the claim kinds offered and the 公示 length (003: 公示无异议)."""

    chains: tuple[ClaimChain, ...] = ()
    publicity_working_days: int = 5
    # The 附件4 xlsx (成长记录补充模板): bounds on what a filled template may be.
    template_max_bytes: int = 10_000_000
    template_max_unzipped_bytes: int = 200_000_000  # a zip bomb is refused before expanding
    template_max_rows: int = 20_000  # and the rows of any imported list (``ImportClaimList``)
    max_participants: int = 5_000  # the 附件4 参与人员 of one collective claim
    publicity_batch_max: int = 1_000  # the claims of one 公示 batch (003 汇总、公示)
    # The 活动等级 a claim or a 附件4 row may name are the school's ``activity_levels`` (by
    # their Chinese label, as the seed's template writes them: 校级, 院系级 …), not a list here.
    caps: tuple[ClaimCap, ...] = ()  # per student and academic year, over confirmed claims

    def chain(self, kind: ClaimKind) -> ClaimChain | None:
        return next((c for c in self.chains if c.kind is kind), None)

    def role_kinds(self) -> frozenset[RoleKind]:
        """Every role kind some step of some chain asks for."""
        return frozenset(
            d.role for chain in self.chains for step in chain.steps for d in step.deciders
        )

    def problems(self) -> list[str]:
        """What makes this section unusable; empty when it is consistent."""
        found: list[str] = []
        kinds = [c.kind for c in self.chains]
        if len(kinds) != len(set(kinds)):
            found.append("claims: a claim kind has two chains")
        for chain in self.chains:
            if not chain.steps:
                found.append(f"claims: the {chain.kind} chain has no step")
            elif chain.list_import and chain.kind is not ClaimKind.COLLECTIVE:
                found.append(f"claims: list_import is for collective claims, not {chain.kind}")
            elif chain.steps[-1].publicity:
                found.append(f"claims: the {chain.kind} chain ends in a 公示, no step confirms it")
            for dated in chain.windows:
                ends = (dated.closes, dated.working_days)
                if (ends[0] is None) == (ends[1] is None):
                    found.append(f"claims: a {chain.kind} window needs closes or working_days")
                elif dated.closes is not None and dated.closes < dated.opens:
                    found.append(f"claims: a {chain.kind} window closes before it opens")
                elif dated.working_days is not None and dated.working_days < 1:
                    found.append(f"claims: a {chain.kind} window's working_days must be ≥ 1")
            if chain.windows and chain.first_month is not None:
                found.append(f"claims: the {chain.kind} chain has months and dated windows")
            months = (chain.first_month, chain.last_month)
            if (months[0] is None) != (months[1] is None):
                found.append(f"claims: the {chain.kind} window needs first and last month")
            elif (
                chain.first_month is not None
                and chain.last_month is not None
                and not 1 <= chain.first_month <= chain.last_month <= 12
            ):
                found.append(f"claims: the {chain.kind} window months must rise within 1-12")
        if self.publicity_working_days < 1:
            found.append("claims: publicity_working_days must be ≥ 1")
        limits = (
            self.template_max_bytes,
            self.template_max_unzipped_bytes,
            self.template_max_rows,
            self.max_participants,
            self.publicity_batch_max,
        )
        if min(limits) < 1:
            found.append("claims: the template, list and batch limits must be ≥ 1")
        if any(not (cap.amount.is_finite() and cap.amount >= 0) for cap in self.caps):
            found.append("claims: a cap amount must be a number ≥ 0")
        return found
