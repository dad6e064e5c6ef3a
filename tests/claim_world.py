"""A world for 补录 claims: the [claims] sections of seed 001 (四川工业科技学院 川工科〔2023〕156号)
and seed 003 (上海海关学院) on top of the NEPU preset, a tribe, students and the reviewers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates import claim
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel, Program, TribeKind, TribeLevel
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind, RecordedChain
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook
from tests.specification import NEPU, at

# 001 第三条 (collective), 第四条 (cadre, October–November), 第五、六条 (personal, February–March).
SICHUAN_CLAIMS = """
[claims]
publicity_working_days = 5

[[claims.chains]]
kind = "collective"

[[claims.chains.steps]]
name = "学院团总支书记/学生组织指导老师/学生社团指导老师"
role = "advisor"
scope = "tribe"
alternates = [{ role = "league_secretary", scope = "college" }]  # 附件2 二级学院团总支/指导老师

[[claims.chains.steps]]
name = "第二课堂指导与服务中心"
role = "center"
scope = "school"

[[claims.chains]]
kind = "personal"
first_month = 2
last_month = 3
steps = [
  { name = "辅导员", role = "counselor", scope = "college" },
  { name = "二级学院团总支", role = "college_admin", scope = "college" },
  { name = "第二课堂指导与服务中心", role = "center", scope = "school" },
]

[[claims.chains]]
kind = "cadre"
first_month = 10
last_month = 11
steps = [{ name = "第二课堂指导与服务中心", role = "center", scope = "school" }]
"""

# 003: 指导教师初步鉴定 → 系部负责人会同学术委员会复审 → 公示无异议 → 教务处最后审核确认.
CUSTOMS_CLAIMS = """
[claims]
publicity_working_days = 5

[[claims.chains]]
kind = "personal"
steps = [
  { name = "指导教师", role = "advisor", scope = "advisor" },
  { name = "系部（会同学术委员会）", role = "college_admin", scope = "college", publicity = true },
  { name = "教务处", role = "academic_affairs", scope = "school" },
]
"""


# NEPU's world (its colleges, modules and 学分) where any role kind is accepted and 003's
# 国家级/省部级 levels exist: the [claims] sections of seeds 001 and 003 (the siit and shcc
# presets' own, tests/policies/test_presets.py) are tried on it.
CLAIMS_BASE = attrs.evolve(
    NEPU,
    roles=(),
    activity_levels=(ActivityLevel.NATIONAL, ActivityLevel.PROVINCIAL, *NEPU.activity_levels),
)


def with_claims(section: str, base: Rulebook = CLAIMS_BASE) -> Rulebook:
    """``base`` with its ``[claims]`` section replaced by ``section`` (TOML, as a school writes)."""
    head = base.to_toml().split("\n[claims]\n")[0]
    return Rulebook.from_toml(head + "\n" + section)


SICHUAN = with_claims(SICHUAN_CLAIMS)
CUSTOMS = with_claims(CUSTOMS_CLAIMS)

COUNSELOR_STEP = '  { name = "辅导员", role = "counselor", scope = "college" },\n'
LEAGUE_STEP = '  { name = "二级学院团总支", role = "college_admin", scope = "college" },\n'
FIRST_COLLECTIVE_STEP = (
    'name = "学院团总支书记/学生组织指导老师/学生社团指导老师"\nrole = "advisor"\nscope = "tribe"\n'
    'alternates = [{ role = "league_secretary", scope = "college" }]'
)
assert COUNSELOR_STEP in SICHUAN_CLAIMS
assert FIRST_COLLECTIVE_STEP in SICHUAN_CLAIMS

# The rulebooks a school might deploy while claims filed under seed 001's are in review:
# 第六条's personal chain without its 辅导员 step, or with its first two steps swapped;
# 附件2's first collective step decided by the college's 团总支 alone; no cadre claims.
DROPPED = with_claims(SICHUAN_CLAIMS.replace(COUNSELOR_STEP, "", 1))
SWAPPED = with_claims(
    SICHUAN_CLAIMS.replace(COUNSELOR_STEP + LEAGUE_STEP, LEAGUE_STEP + COUNSELOR_STEP)
)
REASSIGNED = with_claims(
    SICHUAN_CLAIMS.replace(
        FIRST_COLLECTIVE_STEP, 'name = "二级学院团总支"\nrole = "college_admin"\nscope = "college"'
    )
)
_HEAD, _COLLECTIVE, _PERSONAL, _CADRE = SICHUAN_CLAIMS.split("[[claims.chains]]")
NO_CADRE = with_claims("[[claims.chains]]".join((_HEAD, _COLLECTIVE, _PERSONAL)))
NO_PERSONAL = with_claims("[[claims.chains]]".join((_HEAD, _COLLECTIVE, _CADRE)))

UNION = Tribe(
    ids.tribe_id("PE-SU"), "PE-SU", "石油工程学院团总支学生会", TribeKind.STUDENT_UNION,
    TribeLevel.COLLEGE, "PE", certified=True, leaders=frozenset({"2023010001"}),
)  # fmt: skip
OTHER_TRIBE = ids.tribe_id("GEO-SU")

LEADER = Actor("2023010001", {Role.student(), Role.tribe(RoleKind.TRIBE_LEADER, UNION.id)})
MEMBER = Actor.student("2023010002")
ADVISOR = Actor("T-advisor", {Role(RoleKind.ADVISOR, str(UNION.id))})
OTHER_ADVISOR = Actor("T-geo", {Role(RoleKind.ADVISOR, str(OTHER_TRIBE))})
COUNSELOR = Actor("T-counselor", {Role(RoleKind.COUNSELOR, "PE")})
PE_LEAGUE = Actor.college_admin("T-pe", "PE")
PE_SECRETARY = Actor("T-pe-secretary", {Role(RoleKind.LEAGUE_SECRETARY, "PE")})  # 团总支书记
GEO_LEAGUE = Actor.college_admin("T-geo-league", "GEO")
# 校团委第二课堂指导与服务中心: the centre's role, and the 校团委's to register students
CENTER = Actor("T-center", {Role(RoleKind.CENTER), Role.school_admin()})
TEACHER = Actor("T-teacher", {Role(RoleKind.ADVISOR)})  # 003 指导教师: an unscoped advisor
OTHER_TEACHER = Actor("T-other", {Role(RoleKind.ADVISOR)})
OFFICE = Actor("T-office", {Role(RoleKind.ACADEMIC_AFFAIRS)})

STUDENTS = ("2023010002", "2023010003", "2023010004")


def record(number: str, college: str = "PE") -> StudentRecord:
    return StudentRecord(
        ids.student_id(number), number, f"学生{number[-2:]}", college, "石工23-1班", 2023,
        Program.UNDERGRADUATE,
    )  # fmt: skip


RECORDS: dict[str, StudentRecord] = {s: record(s) for s in (*STUDENTS, "2023010001")}

CREDIT = (PlannedCredit("volunteering", "学分", Decimal("0.5")),)
HELD = at(3, 6, 14, 0)  # the activity that was held and never published


def collective(**changes: Any) -> claim.FileCollectiveClaim:
    command = claim.FileCollectiveClaim(
        UNION.id, "2026-cleanup", "校园环境清洁志愿活动", "石油工程学院楼前", HELD,
        at(3, 6, 17, 0), "志愿公益", "第3项", CREDIT, STUDENTS[:2],
        "活动已完结，因特殊情况未在系统发布（第二条（一））", "王同学 13800000000",
    )  # fmt: skip
    return attrs.evolve(command, **changes)


def personal(**changes: Any) -> claim.FilePersonalClaim:
    command = claim.FilePersonalClaim(
        "2023010003", "paper-1", claim.ItemKind.RESEARCH, "论文《海关数据治理》发表",
        at(1, 10), (PlannedCredit("innovation", "学分", Decimal(2)),), ("录用通知.pdf",),
        advisor="T-teacher", level="省部级",
    )  # fmt: skip
    return attrs.evolve(command, **changes)


def recorded(kind: ClaimKind, rulebook: Rulebook = SICHUAN) -> RecordedChain:
    """What a claim of ``kind`` filed under ``rulebook`` records of its chain."""
    chain = rulebook.claims.chain(kind)
    assert chain is not None
    return chain.recorded()


def ctx(
    actor: Actor,
    now: datetime,
    rulebook: Rulebook = SICHUAN,
    records: Mapping[str, StudentRecord] = RECORDS,
) -> claim.ClaimContext:
    return claim.ClaimContext(Context(actor, now, rulebook), UNION, records)


def run(
    state: claim.Claim | None,
    command: claim.ClaimCommand,
    actor: Actor,
    now: datetime,
    rulebook: Rulebook = SICHUAN,
) -> tuple[claim.Claim, claim.ClaimDecision]:
    """Decide ``command`` (accepted) and fold the claim's events: the state after, the decision."""
    decision = claim.decide(command, state, ctx(actor, now, rulebook))
    after = claim.DECIDER.fold(decision.claim, state)
    assert after is not None
    return after, decision


def through(
    steps: Sequence[tuple[claim.ClaimCommand, Actor, datetime]], rulebook: Rulebook = SICHUAN
) -> claim.Claim:
    """The claim after every step (each must be accepted)."""
    state: claim.Claim | None = None
    for command, actor, now in steps:
        state, _decision = run(state, command, actor, now, rulebook)
    assert state is not None
    return state


# 001 第三条 名单导入: the centre's approval waits for the 附件4 list; its import confirms.
SICHUAN_LIST = with_claims(
    SICHUAN_CLAIMS.replace('kind = "collective"\n', 'kind = "collective"\nlist_import = true\n', 1)
)


def publish_batch(
    states: Sequence[claim.Claim],
    actor: Actor,
    now: datetime,
    rulebook: Rulebook = CUSTOMS,
    batch: str = "2026-05-第1批",
) -> tuple[list[claim.Claim], list[claim.ClaimEvent]]:
    """003 汇总、公示: ``actor`` publishes ``states`` as one batch (accepted); the claims after,
    and every claim's events in the batch's order."""
    command = claim.PublishClaims(batch, tuple(s.id for s in states))
    base = Context(actor, now, rulebook)
    published = claim.publish(command, {s.id: (s, base) for s in states}, base)
    after = [claim.DECIDER.fold(published.get(s.id, []), s) for s in states]
    assert all(a is not None for a in after)
    return [a for a in after if a is not None], [e for s in states for e in published.get(s.id, [])]


def refused(
    state: claim.Claim | None,
    command: claim.ClaimCommand,
    actor: Actor,
    now: datetime,
    rulebook: Rulebook = SICHUAN,
) -> DomainError:
    """The refusal of ``command`` (it must be refused: the test fails otherwise)."""
    with pytest.raises(DomainError) as caught:
        run(state, command, actor, now, rulebook)
    return caught.value
