"""补录 claims, decided on their own: filing, the school's chain, windows, 公示 and objections.

Seed 001 (四川工业科技学院 川工科〔2023〕156号): 第二条 collective claims by 团总支/学生组织/社团
for an activity held but never published, or published but left unfinalized by its publisher (then
附件5 情况说明); 第三条 团总支书记/指导老师 → 第二课堂指导与服务中心, 审核未通过的说明原因;
第四条 cadre claims for a full year, October–November; 第五、六条 personal claims February–March,
辅导员 → 二级学院团总支 → 二课中心; 由自身原因导致积分未补录成功的，将不再重新补录.
Seed 003 (上海海关学院): 指导教师初步鉴定 → 系部会同学术委员会复审 → 公示无异议 →
教务处最后审核确认.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import attrs
import pytest

from second_classroom import codec
from second_classroom.aggregates import claim, student
from second_classroom.aggregates.backfill_record import BackfillRecord
from second_classroom.aggregates.claim import (
    ClaimApproved,
    ClaimConfirmed,
    ClaimFiled,
    ClaimListImported,
    ClaimPublished,
    ClaimRejected,
    ClaimResubmitted,
    ClaimStatus,
    ClaimStepApproved,
    DecideObjection,
    FileCadreClaim,
    ImportClaimList,
    ListedCredit,
    ObjectionDecided,
    ObjectionRaised,
    RaiseObjection,
    ReviewClaim,
    Situation,
)
from second_classroom.aggregates.student import BackfillRecorded, StudentRecord
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel, Program
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind, StepRole
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook, preset
from tests.claim_world import (
    ADVISOR,
    CENTER,
    COUNSELOR,
    CREDIT,
    CUSTOMS,
    GEO_LEAGUE,
    LEADER,
    MEMBER,
    OFFICE,
    OTHER_ADVISOR,
    OTHER_TEACHER,
    PE_LEAGUE,
    PE_SECRETARY,
    RECORDS,
    SICHUAN,
    SICHUAN_CLAIMS,
    SICHUAN_LIST,
    STUDENTS,
    TEACHER,
    UNION,
    collective,
    ctx,
    personal,
    publish_batch,
    recorded,
    refused,
    run,
    through,
    with_claims,
)
from tests.specification import NEPU, SCHOOL_ADMIN, at, present

FILED_AT = at(3, 10)


def filed() -> claim.Claim:
    return through([(collective(), LEADER, FILED_AT)])


# -- 001 第二、三条: collective claims ---------------------------------------------------------


def test_a_tribe_leader_files_a_collective_claim_for_the_participants() -> None:
    """001 第三条: 负责活动的单位 fills 申请书、申请单 and the 人员信息 list."""
    state, decision = run(None, collective(), LEADER, FILED_AT)
    event = decision.claim[0]
    assert isinstance(event, ClaimFiled)
    assert (event.kind, event.claimant, event.college) == (
        ClaimKind.COLLECTIVE,
        LEADER.person_id,
        "PE",
    )
    assert event.beneficiaries == STUDENTS[:2]
    assert event.credits == CREDIT
    assert event.collective is not None
    assert event.collective.category == "志愿公益"
    assert event.window_closes is None  # 001 sets no window for collective claims
    assert state is not None
    assert (state.status, state.step) == (ClaimStatus.IN_REVIEW, 0)
    assert decision.records == {}


def test_only_the_tribes_leader_or_admin_files_for_it() -> None:
    error = refused(None, collective(), MEMBER, FILED_AT)
    assert (error.code, error.details) == (
        "auth.forbidden",
        {"action": "申请集体补录 file a collective claim"},
    )


def test_an_activity_published_but_left_unfinalized_needs_the_situation_report() -> None:
    """001 第二条（二）and 第三条: 因活动发布者操作原因导致积分未能正常发放的，
    还需填写情况说明（附件5）."""
    bare = collective(published=True)
    assert refused(None, bare, LEADER, FILED_AT).code == "claim.situation_required"
    half = collective(published=True, situation=Situation("发布者忘记完结", "", "设置提醒"))
    assert refused(None, half, LEADER, FILED_AT).code == "claim.situation_required"
    report = Situation("发布者忘记点击完结", "活动结束后及时完结", "结束当天由指导老师核对")
    state, _ = run(None, collective(published=True, situation=report), LEADER, FILED_AT)
    assert state is not None
    assert state.collective is not None
    assert state.collective.situation == report
    assert state.collective.published


def _credit_detail(module: str, credit_type: str, amount: str) -> dict[str, str]:
    return {"module": module, "credit_type": credit_type, "amount": amount}


@pytest.mark.parametrize(
    ("changes", "code", "details"),
    [
        ({"participants": ()}, "claim.no_participants", {}),
        ({"participants": ("2023010002", "2023010002")}, "claim.participant_duplicate",
         {"student": "2023010002"}),
        ({"participants": ("2023010002", "2023019999")}, "claim.participant_unknown",
         {"student": "2023019999"}),
        ({"credits": ()}, "claim.no_credits", {}),
        ({"credits": (PlannedCredit("astrology", "学分", Decimal(1)),)}, "claim.credit_invalid",
         _credit_detail("astrology", "学分", "1")),
        ({"credits": (PlannedCredit("volunteering", "学时", Decimal(1)),)}, "claim.credit_invalid",
         _credit_detail("volunteering", "学时", "1")),
        ({"credits": (PlannedCredit("volunteering", "学分", Decimal(0)),)}, "claim.credit_invalid",
         _credit_detail("volunteering", "学分", "0")),
        ({"credits": (*CREDIT, PlannedCredit("volunteering", "学分", Decimal("NaN")))},
         "claim.credit_invalid", _credit_detail("volunteering", "学分", "NaN")),
        ({"activity_name": " "}, "claim.field_empty", {"field": "activity_name"}),
        ({"place": " "}, "claim.field_empty", {"field": "place"}),
        ({"category": " "}, "claim.field_empty", {"field": "category"}),
        ({"item": " "}, "claim.field_empty", {"field": "item"}),
        ({"contact": ""}, "claim.field_empty", {"field": "contact"}),
        ({"reason": ""}, "claim.field_empty", {"field": "reason"}),
        ({"key": ""}, "claim.field_empty", {"field": "key"}),
        ({"ends_at": at(3, 6, 13, 0)}, "claim.times_invalid", {}),
        ({"ends_at": at(3, 11)}, "claim.times_invalid", {}),  # not held yet: nothing to claim
    ],
)  # fmt: skip
def test_a_collective_claim_names_its_activity_participants_and_credits(
    changes: dict[str, Any], code: str, details: dict[str, str]
) -> None:
    """001 附件2/3/4: name, time, place, 类别 and 项, credits per person, the list, reason, contact;
    credits must be the school's modules and credit types (附件4 注7). Each refusal names the
    field, the student or the credit at fault."""
    error = refused(None, collective(**changes), LEADER, FILED_AT)
    assert (error.code, error.details) == (code, details)


def test_an_activity_may_be_claimed_from_the_instant_it_ended() -> None:
    """An activity held from 14:00 to 17:00 is claimed at 17:00, and may last no time at all."""
    ended = at(3, 6, 17, 0)
    state, _ = run(None, collective(), LEADER, ended)
    assert state.collective is not None
    assert state.collective.ends_at == ended
    instant = collective(starts_at=ended)
    assert run(None, instant, LEADER, ended)[0].collective.starts_at == ended  # type: ignore[union-attr]


def test_the_chain_runs_step_by_step_each_by_its_role() -> None:
    """001 第三条: 团总支书记/指导老师 批准 → 第二课堂指导与服务中心 审核 → 名单导入."""
    state = filed()
    assert refused(state, ReviewClaim(state.id, True), CENTER, FILED_AT).code == "auth.forbidden"
    other = refused(state, ReviewClaim(state.id, True), OTHER_ADVISOR, FILED_AT)
    assert (other.code, other.details) == (
        "auth.forbidden",
        {"action": "审核补录 review as 学院团总支书记/学生组织指导老师/学生社团指导老师"},
    )
    state, decision = run(state, ReviewClaim(state.id, True, "同意"), ADVISOR, at(3, 11))
    assert decision.claim == [
        ClaimStepApproved(state.id, 0, SICHUAN.claims.chains[0].steps[0].name, "同意",
                          ADVISOR.person_id, at(3, 11))
    ]  # fmt: skip
    assert decision.records == {}
    assert refused(state, ReviewClaim(state.id, True), ADVISOR, at(3, 12)).code == "auth.forbidden"
    state, decision = run(state, ReviewClaim(state.id, True), CENTER, at(3, 12))
    assert state is not None
    assert state.status is ClaimStatus.CONFIRMED
    assert decision.claim[-1] == ClaimConfirmed(state.id, CENTER.person_id, at(3, 12))
    assert set(decision.records) == set(STUDENTS[:2])
    for events in decision.records.values():
        (event,) = events
        assert isinstance(event, BackfillRecorded)
        assert event.record.claim_id == state.id
        assert event.record.credits == CREDIT
        assert event.record.kind is ClaimKind.COLLECTIVE
    done = refused(state, ReviewClaim(state.id, True), CENTER, at(3, 13))
    assert (done.code, done.details) == ("claim.not_in_review", {"status": "已认定"})


def test_the_league_secretary_of_the_tribes_college_decides_the_first_step_too() -> None:
    """001 第三条 由学院团总支书记、学生组织指导老师、学生社团指导老师批准 (附件2 二级学院团总支/
    指导老师审核意见): one step, decided by the tribe's 指导老师 or by the 团总支书记 of its
    college (``ClaimStep.alternates``); then the 二课中心, not any 校团委 admin."""
    state = filed()
    review = ReviewClaim(state.id, True)
    geo_secretary = Actor("T-geo-secretary", {Role(RoleKind.LEAGUE_SECRETARY, "GEO")})
    assert refused(state, review, geo_secretary, FILED_AT).code == "auth.forbidden"
    state, decision = run(state, review, PE_SECRETARY, at(3, 11))
    assert isinstance(decision.claim[0], ClaimStepApproved)
    assert decision.claim[0].by == PE_SECRETARY.person_id
    assert refused(state, review, SCHOOL_ADMIN, at(3, 12)).code == "auth.forbidden"
    state, _ = run(state, review, CENTER, at(3, 12))
    assert state is not None
    assert state.status is ClaimStatus.CONFIRMED


def test_nobody_reviews_a_claim_they_gain_from() -> None:
    own = Actor(STUDENTS[0], ADVISOR.roles)
    assert refused(filed(), ReviewClaim(filed().id, True), own, FILED_AT).code == "auth.forbidden"


def test_a_rejection_needs_a_reason_and_goes_back_to_the_claimant_for_revision() -> None:
    """001 第三条: 审核未通过的，由第二课堂指导与服务中心说明原因."""
    state = through(
        [(collective(), LEADER, FILED_AT), (ReviewClaim(filed().id, True), ADVISOR, FILED_AT)]
    )
    assert refused(state, ReviewClaim(state.id, False, " "), CENTER, FILED_AT).code == (
        "claim.reason_required"
    )
    state, decision = run(state, ReviewClaim(state.id, False, "名单与签到不符"), CENTER, FILED_AT)
    assert decision.claim == [
        ClaimRejected(state.id, 1, "名单与签到不符", None, CENTER.person_id, FILED_AT)
    ]
    assert state is not None
    assert state.status is ClaimStatus.REJECTED
    assert state.reason == "名单与签到不符"
    assert decision.records == {}
    revised = collective(participants=STUDENTS)
    rejected = state
    state, decision = run(state, revised, LEADER, at(3, 13))
    assert decision.claim == [
        ClaimResubmitted(
            rejected.id, rejected.title, CREDIT, STUDENTS, rejected.collective, None, None,
            LEADER.person_id, at(3, 13),
        )
    ]  # fmt: skip
    assert state is not None
    assert (state.status, state.step) == (ClaimStatus.IN_REVIEW, 0)
    assert state.beneficiaries == STUDENTS
    assert state.reason == ""


def test_a_claim_in_review_is_not_revised_but_a_retried_filing_changes_nothing() -> None:
    state = filed()
    assert run(state, collective(), LEADER, FILED_AT)[1].claim == []
    revised = collective(participants=STUDENTS)
    error = refused(state, revised, LEADER, FILED_AT)
    assert (error.code, error.details) == ("claim.not_revisable", {"status": "审核中"})


# -- 001 第四、五条: windows and no second chance ----------------------------------------------


def test_a_personal_claim_outside_february_to_march_is_refused_with_the_window() -> None:
    """001 第五条: 在每年2月至3月发布积分补录通知，学生应在规定时间内上报."""
    student = Actor.student("2023010003")
    error = refused(None, personal(), student, at(4, 1))
    assert error.code == "claim.outside_window"
    assert error.details == {"opens": "2027-02-01", "closes": "2027-03-31"}
    early = refused(None, personal(occurred_at=at(1, 2)), student, at(1, 20))
    assert early.details == {"opens": "2026-02-01", "closes": "2026-03-31"}
    state, _ = run(None, personal(), student, at(3, 31, 23, 59))
    assert state is not None
    assert state.window_closes == datetime(2026, 4, 1, tzinfo=SHANGHAI)


def test_a_claim_that_failed_is_not_made_again_once_the_window_closed() -> None:
    """001 第五条: 由自身原因导致积分未补录成功的，将不再重新补录."""
    student = Actor.student("2023010003")
    state = through([(personal(), student, at(3, 2))])
    state, _ = run(state, ReviewClaim(state.id, False, "证明材料不清晰"), COUNSELOR, at(3, 20))
    assert state is not None
    revised = personal(evidence=("录用通知（清晰版）.pdf",))
    assert run(state, revised, student, at(3, 31, 12))[0] is not None  # still open: revised
    for late in (at(4, 1, 0, 0), at(4, 1, 0, 1)):  # from the first instant after 31 March
        error = refused(state, revised, student, late)
        assert (error.code, error.details) == ("claim.window_closed", {"closes": "2026-03-31"})


def test_a_cadre_claim_is_for_a_full_year_in_october_or_november() -> None:
    """001 第四条: 工作满一年 ... 在每年10月至11月统一进行积分补录."""
    student = Actor.student("2023010004")
    year = FileCadreClaim(
        "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
        at(9, 1, year=2025), at(9, 1), (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip
    assert refused(None, year, student, at(9, 15)).details == {
        "opens": "2026-10-01",
        "closes": "2026-11-30",
    }
    short = FileCadreClaim(
        year.student_number, year.key, year.organization, year.position,
        at(9, 2, year=2025), at(9, 1), year.credits,
    )  # fmt: skip
    assert refused(None, short, student, at(10, 8)).code == "claim.term_too_short"
    state, decision = run(None, year, student, at(10, 8))
    assert state is not None
    assert state.kind is ClaimKind.CADRE
    assert state.title == "石油工程学院学生会 宣传部部长"
    assert state.beneficiaries == ("2023010004",)
    state, decision = run(state, ReviewClaim(state.id, True), CENTER, at(10, 9))
    assert set(decision.records) == {"2023010004"}


def test_a_cadre_term_may_be_claimed_from_the_instant_it_ends() -> None:
    """001 第四条 工作满一年: given a term of exactly one year ending at 09:00 on 8 October, when
    the student claims it at that very instant, then it is filed with the term as served."""
    ended = at(10, 8)
    term = FileCadreClaim(
        "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
        at(10, 8, year=2025), ended, (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip
    state, _ = run(None, term, Actor.student("2023010004"), ended)
    assert state.cadre == claim.CadreForm(
        "石油工程学院学生会", "宣传部部长", at(10, 8, year=2025), ended
    )


def test_a_student_claims_only_for_themselves_with_evidence() -> None:
    """001 第六条: 由本人登录……提交; 003: 学生申请、提供的证明材料."""
    student = Actor.student("2023010003")
    assert refused(None, personal(), MEMBER, at(3, 2)).code == "auth.forbidden"
    assert refused(None, personal(evidence=(" ",)), student, at(3, 2)).code == (
        "claim.evidence_required"
    )
    unknown = personal(student_number="2023019999", key="x")
    assert refused(None, unknown, Actor.student("2023019999"), at(3, 2)).code == (
        "student.not_found"
    )


def test_the_personal_chain_goes_counselor_college_league_centre() -> None:
    """001 第六条: 辅导员初步审核 → 二级学院团总支审核 → 第二课堂指导与服务中心审核并认定."""
    student = Actor.student("2023010003")
    state = through([(personal(), student, at(3, 2))])
    review = ReviewClaim(state.id, True)
    assert refused(state, review, PE_LEAGUE, at(3, 3)).code == "auth.forbidden"
    state, _ = run(state, review, COUNSELOR, at(3, 3))
    assert refused(state, review, GEO_LEAGUE, at(3, 4)).code == "auth.forbidden"
    state, _ = run(state, review, PE_LEAGUE, at(3, 4))
    state, decision = run(state, review, CENTER, at(4, 20))  # reviews go on after the window
    assert state is not None
    assert state.status is ClaimStatus.CONFIRMED
    assert list(decision.records) == ["2023010003"]


def test_a_school_that_offers_no_claims_refuses_them() -> None:
    """000 第十八条 (东北石油大学): 我校暂时尚不支持使用此项功能 (个人成长记录申请)."""
    error = refused(None, personal(), Actor.student("2023010003"), at(3, 2), NEPU)
    assert (error.code, error.details) == ("claim.kind_not_offered", {"kind": "personal"})


# -- 003: 指导教师 → 系部 → 公示 → 教务处 -------------------------------------------------------


def published() -> claim.Claim:
    """A 003 research claim approved by its 指导教师 and its 系部 on Monday 2026-05-11."""
    student = Actor.student("2023010003")
    state = through([(personal(), student, at(5, 8))], CUSTOMS)
    review = ReviewClaim(state.id, True)
    reviewed = through(
        [
            (personal(), student, at(5, 8)),
            (review, TEACHER, at(5, 8)),
            (review, PE_LEAGUE, at(5, 11)),
        ],
        CUSTOMS,
    )
    (state,), _events = publish_batch([reviewed], PE_LEAGUE, at(5, 11))
    return state


def test_a_claim_names_one_of_the_schools_levels() -> None:
    """003 科研成果…分国家级、省部级、校级三档: a claim's level is one of the school's
    ``activity_levels`` (issue 13 item 6), named by its label or code; a level the school does
    not use is refused with the school's list, and a claim may name none."""
    student = Actor.student("2023010003")
    city = personal(level="市级")
    error = refused(None, city, student, at(5, 8), CUSTOMS)
    assert (error.code, error.details["allowed"]) == (
        "claim.level_unknown",
        "国家级、省部级、校级、院系级、班团",
    )
    filed = through([(personal(level="省部级"), student, at(5, 8))], CUSTOMS).personal
    assert filed is not None
    assert filed.level == ActivityLevel.PROVINCIAL
    by_code = through([(personal(level="national"), student, at(5, 8))], CUSTOMS).personal
    assert by_code is not None
    assert by_code.level == ActivityLevel.NATIONAL
    school_only = attrs.evolve(CUSTOMS, activity_levels=NEPU.activity_levels)
    error = refused(None, personal(level="国家级"), student, at(5, 8), school_only)
    assert (error.code, error.details["allowed"]) == ("claim.level_unknown", "校级、院系级、班团")
    none = through([(personal(level=""), student, at(5, 8))], CUSTOMS).personal
    assert none is not None
    assert none.level is None


def test_the_named_teacher_must_be_staff_never_the_student_themself() -> None:
    """003: 先由学生的指导教师初步鉴定 — a teacher. A student naming themself is refused with
    ``advisor.not_staff`` whatever the school; a school with a 工号 pattern also refuses a
    学号 (or any id outside it); nothing is decided. Its own 工号 passes."""
    student = Actor.student("2023010003")
    self_advised = personal(advisor="2023010003")
    error = refused(None, self_advised, student, at(5, 8), CUSTOMS)
    assert (error.code, error.details) == ("advisor.not_staff", {"person": "2023010003"})
    staffed = attrs.evolve(
        CUSTOMS, limits=attrs.evolve(CUSTOMS.limits, staff_id_pattern=r"T-[a-z]+")
    )
    for classmate in ("2023010004", "X-teacher"):
        error = refused(None, personal(advisor=classmate), student, at(5, 8), staffed)
        assert (error.code, error.details) == ("advisor.not_staff", {"person": classmate})
    state = through([(personal(), student, at(5, 8))], staffed)
    assert state.advisor == "T-teacher"


def test_the_named_teacher_reviews_first_and_the_department_publishes() -> None:
    """003: 先由学生的指导教师初步鉴定……再由系部负责人会同相关专业学术委员会复审; 结果经公示."""
    student = Actor.student("2023010003")
    state = through([(personal(), student, at(5, 8))], CUSTOMS)
    no_advisor = personal(advisor=None, key="p2")
    assert refused(None, no_advisor, student, at(5, 8), CUSTOMS).code == "claim.advisor_required"
    review = ReviewClaim(state.id, True)
    assert refused(state, review, OTHER_TEACHER, at(5, 8), CUSTOMS).code == "auth.forbidden"
    assert refused(state, review, OFFICE, at(5, 8), CUSTOMS).code == "auth.forbidden"
    state, _ = run(state, review, TEACHER, at(5, 8), CUSTOMS)
    state, decision = run(state, review, PE_LEAGUE, at(5, 11), CUSTOMS)
    assert decision.claim == [
        ClaimStepApproved(state.id, 1, "系部（会同学术委员会）", "", PE_LEAGUE.person_id,
                          at(5, 11), publicity=True),
    ]  # fmt: skip
    assert state.awaiting_publicity
    assert state.step == 2
    (state,), events = publish_batch([state], PE_LEAGUE, at(5, 11))
    # Five working days after Monday 11 May: through Monday 18 May; open until its midnight.
    until = datetime(2026, 5, 19, tzinfo=SHANGHAI)
    assert events == [
        ClaimPublished(state.id, until, at(5, 11), "2026-05-第1批", PE_LEAGUE.person_id)
    ]
    assert state.publicity_until == until


def test_the_office_confirms_only_after_the_publicity_with_no_open_objection() -> None:
    """003: 结果经公示无异议后上报教务处。教务处对初审结果进行最后审核确认."""
    state = published()
    confirm = ReviewClaim(state.id, True)
    error = refused(state, confirm, OFFICE, at(5, 18, 23), CUSTOMS)
    assert error.code == "claim.publicity_open"
    objector = Actor.student("2023010004")
    state, decision = run(
        state, RaiseObjection(state.id, "该论文为合作成果"), objector, at(5, 15), CUSTOMS
    )
    assert decision.claim == [
        ObjectionRaised(state.id, 1, "该论文为合作成果", objector.person_id, at(5, 15))
    ]
    assert refused(state, confirm, OFFICE, at(5, 19), CUSTOMS).code == "claim.objection_open"
    dismiss = DecideObjection(state.id, 1, False, "作者排序已核实")
    assert refused(state, dismiss, OFFICE, at(5, 19), CUSTOMS).code == "auth.forbidden"
    state, decision = run(state, dismiss, PE_LEAGUE, at(5, 19), CUSTOMS)
    assert decision.claim == [
        ObjectionDecided(state.id, 1, False, "作者排序已核实", PE_LEAGUE.person_id, at(5, 19))
    ]
    again = DecideObjection(state.id, 1, True, "x")
    assert refused(state, again, PE_LEAGUE, at(5, 19), CUSTOMS).code == "claim.objection_unknown"
    state, decision = run(state, confirm, OFFICE, at(5, 19), CUSTOMS)
    assert state is not None
    assert state.status is ClaimStatus.CONFIRMED
    assert list(decision.records) == ["2023010003"]


def test_an_upheld_objection_rejects_the_claim_and_keeps_its_reason() -> None:
    """003: 公示 exists for objections; an upheld one sends the claim back, its reason on record."""
    state = published()
    state, _ = run(state, RaiseObjection(state.id, "成果系他人所作"), MEMBER, at(5, 12), CUSTOMS)
    uphold = DecideObjection(state.id, 1, True, "经学术委员会核实")
    state, decision = run(state, uphold, PE_LEAGUE, at(5, 13), CUSTOMS)
    assert decision.claim[-1] == ClaimRejected(
        state.id, 2, "异议成立：成果系他人所作；经学术委员会核实", 1, PE_LEAGUE.person_id, at(5, 13)
    )
    assert state is not None
    assert state.status is ClaimStatus.REJECTED
    assert "成果系他人所作" in state.reason
    assert decision.records == {}


def test_objections_come_only_during_the_publicity_with_a_reason() -> None:
    state = published()
    objector = Actor.student("2023010004")
    assert refused(state, RaiseObjection(state.id, ""), objector, at(5, 12), CUSTOMS).code == (
        "claim.reason_required"
    )
    late = refused(state, RaiseObjection(state.id, "x"), objector, at(5, 19), CUSTOMS)
    assert late.code == "claim.not_in_publicity"
    before = through([(personal(), Actor.student("2023010003"), at(5, 8))], CUSTOMS)
    early = refused(before, RaiseObjection(before.id, "x"), objector, at(5, 8), CUSTOMS)
    assert early.code == "claim.not_in_publicity"
    system = refused(state, RaiseObjection(state.id, "x"), Actor.system(), at(5, 12), CUSTOMS)
    assert system.code == "auth.forbidden"


def test_review_of_a_claim_that_does_not_exist() -> None:
    missing = claim.claim_id(ClaimKind.PERSONAL, "2023010003", "nothing")
    assert refused(None, ReviewClaim(missing, True), CENTER, FILED_AT).code == "claim.not_found"


# -- the rulebook's [claims] ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ('[[claims.chains]]\nkind = "cadre"\nsteps = []\n', "has no step"),
        (
            '[[claims.chains]]\nkind = "cadre"\nfirst_month = 11\nlast_month = 10\n'
            'steps = [{ name = "中心", role = "school_admin" }]\n',
            "window months",
        ),
        (
            '[[claims.chains]]\nkind = "cadre"\nfirst_month = 10\n'
            'steps = [{ name = "中心", role = "school_admin" }]\n',
            "first and last month",
        ),
        (
            '[[claims.chains]]\nkind = "cadre"\n'
            'steps = [{ name = "中心", role = "school_admin", publicity = true }]\n',
            "ends in a 公示",
        ),
        ("publicity_working_days = 0\n", "publicity_working_days"),
    ],
)
def test_an_inconsistent_claims_section_is_refused(section: str, problem: str) -> None:
    with pytest.raises(DomainError) as caught:
        with_claims("[claims]\n" + section)
    assert caught.value.code == "rulebook.invalid"
    assert problem in caught.value.message_en


def test_the_claims_section_round_trips_through_toml() -> None:
    assert Rulebook.from_toml(SICHUAN.to_toml()) == SICHUAN
    assert Rulebook.from_toml(CUSTOMS.to_toml()).claims == CUSTOMS.claims


def test_confirmed_credits_enter_the_ledger_marked_as_backfill_with_the_claim() -> None:
    """001 第三条 名单导入: the credits count like any other, their source the claim."""
    state = through(
        [(collective(), LEADER, FILED_AT), (ReviewClaim(filed().id, True), ADVISOR, FILED_AT)]
    )
    _final, decision = run(state, ReviewClaim(state.id, True), CENTER, at(3, 12))
    before = RECORDS[STUDENTS[0]]
    after = student.DECIDER.fold(decision.records[STUDENTS[0]], before)
    assert after is not None
    assert before.credits() == {}
    assert after.credits() == {("volunteering", "学分"): Decimal("0.5")}
    (line,) = after.credit_lines()
    assert (line.source, line.source_id, line.title) == (
        "backfill",
        state.id,
        "校园环境清洁志愿活动",
    )


def test_a_collective_claim_for_a_tribe_that_does_not_exist() -> None:
    context = claim.ClaimContext(ctx(LEADER, FILED_AT).base, None, RECORDS)
    with pytest.raises(DomainError) as caught:
        claim.decide(collective(), None, context)
    assert caught.value.code == "claim.tribe_unknown"


# -- 001 第三条: 名单导入 (the 附件4 list of an approved collective claim) -----------------------


def approved() -> claim.Claim:
    """A collective claim approved by the advisor and the centre, waiting for its list."""
    review = ReviewClaim(filed().id, True)
    steps: list[tuple[claim.ClaimCommand, Actor, datetime]] = [
        (collective(), LEADER, FILED_AT),
        (review, ADVISOR, FILED_AT),
        (review, CENTER, at(3, 12)),
    ]
    return through(steps, SICHUAN_LIST)


def listed(student: str, amount: str | None, content: str = "清洁志愿活动") -> ListedCredit:
    credit = PlannedCredit("volunteering", "学分", Decimal(amount)) if amount else None
    return ListedCredit(student, content, credit)


def test_with_list_import_the_last_approval_credits_nobody_yet() -> None:
    """001 第三条: 审核通过后，第二课堂指导与服务中心通过名单导入的方式，对相关人员进行积分补录."""
    review = ReviewClaim(filed().id, True)
    state = through([(collective(), LEADER, FILED_AT), (review, ADVISOR, FILED_AT)], SICHUAN_LIST)
    state, decision = run(state, review, CENTER, at(3, 12), SICHUAN_LIST)
    assert decision.claim[-1] == ClaimApproved(state.id, CENTER.person_id, at(3, 12))
    assert decision.records == {}
    assert state.status is ClaimStatus.APPROVED


def test_the_imported_list_credits_each_row_and_confirms_the_claim() -> None:
    state = approved()
    rows = (listed(STUDENTS[0], "0.5"), listed(STUDENTS[1], "0.25"), listed(STUDENTS[1], None))
    command = ImportClaimList(state.id, "digest-1", rows)
    after, decision = run(state, command, CENTER, at(3, 13), SICHUAN_LIST)
    assert decision.claim == [
        ClaimListImported(state.id, "digest-1", rows, CENTER.person_id, at(3, 13)),
        ClaimConfirmed(state.id, CENTER.person_id, at(3, 13)),
    ]
    assert after.status is ClaimStatus.CONFIRMED
    credited = {
        s: [c.amount for e in events if isinstance(e, BackfillRecorded) for c in e.record.credits]
        for s, events in decision.records.items()
    }
    assert credited == {STUDENTS[0]: [Decimal("0.5")], STUDENTS[1]: [Decimal("0.25")]}
    # 名单 imported again: nothing new; another list: refused.
    assert run(after, command, CENTER, at(3, 14), SICHUAN_LIST)[1].claim == []
    other = ImportClaimList(state.id, "digest-2", rows[:1])
    assert refused(after, other, CENTER, at(3, 14), SICHUAN_LIST).code == "claim.list_imported"


@pytest.mark.parametrize(
    ("rows", "actor", "code"),
    [
        ((listed(STUDENTS[0], "0.5"),), ADVISOR, "auth.forbidden"),
        ((), CENTER, "claim.list_required"),
        ((listed("2023010004", "0.5"),), CENTER, "claim.not_a_participant"),
        ((listed(STUDENTS[0], "0.5"), listed(STUDENTS[0], "0.1")), CENTER,
         "claim.credit_not_claimed"),
        ((ListedCredit(STUDENTS[0], "x", PlannedCredit("skills", "学分", Decimal(1))),), CENTER,
         "claim.credit_not_claimed"),
        ((listed(STUDENTS[0], "-1"),), CENTER, "claim.credit_invalid"),
    ],
)  # fmt: skip
def test_a_list_is_imported_whole_or_not_at_all(
    rows: tuple[ListedCredit, ...], actor: Actor, code: str
) -> None:
    """The list names the claim's participants with what the claim asked per person (附件2)."""
    state = approved()
    error = refused(state, ImportClaimList(state.id, "d", rows), actor, at(3, 13), SICHUAN_LIST)
    assert error.code == code


def test_a_list_waits_for_the_approval() -> None:
    state = filed()
    command = ImportClaimList(state.id, "d", (listed(STUDENTS[0], "0.5"),))
    error = refused(state, command, CENTER, FILED_AT, SICHUAN_LIST)
    assert (error.code, error.details) == ("claim.not_approved", {"status": "审核中"})


def test_given_a_claim_confirmed_without_a_list_when_a_list_comes_then_not_approved() -> None:
    """001 第三条: only a claim the centre approved waits for its 名单; one its chain confirmed
    directly (no list import) takes no list, and the refusal names its status, not a list
    imported already."""
    review = ReviewClaim(filed().id, True)
    state = through(
        [(collective(), LEADER, FILED_AT), (review, ADVISOR, FILED_AT), (review, CENTER, at(3, 12))]
    )
    assert (state.status, state.list_digest) == (ClaimStatus.CONFIRMED, "")
    command = ImportClaimList(state.id, "d", (listed(STUDENTS[0], "0.5"),))
    error = refused(state, command, CENTER, at(3, 13))
    assert (error.code, error.details) == ("claim.not_approved", {"status": "已认定"})


def test_given_a_three_step_chain_when_its_list_comes_then_only_the_last_step_imports_it() -> None:
    """001 第三条 审核通过后，第二课堂指导与服务中心通过名单导入的方式…补录: the list is the last
    step's (the centre's), not an earlier step's (the 团总支, the 指导老师)."""
    three = with_claims(
        SICHUAN_CLAIMS.replace(
            'kind = "collective"\n',
            'kind = "collective"\nlist_import = true\n'
            '[[claims.chains.steps]]\nname = "二级学院团总支"\nrole = "college_admin"\n'
            'scope = "college"\n',
            1,
        )
    )
    review = ReviewClaim(filed().id, True)
    steps: list[tuple[claim.ClaimCommand, Actor, datetime]] = [
        (collective(), LEADER, FILED_AT),
        (review, PE_LEAGUE, FILED_AT),
        (review, ADVISOR, at(3, 11)),
        (review, CENTER, at(3, 12)),
    ]
    state = through(steps, three)
    assert state.status is ClaimStatus.APPROVED
    command = ImportClaimList(state.id, "d", (listed(STUDENTS[0], "0.5"),))
    for earlier in (PE_LEAGUE, ADVISOR):
        error = refused(state, command, earlier, at(3, 13), three)
        assert (error.code, error.details) == (
            "auth.forbidden",
            {"action": "导入名单 as 第二课堂指导与服务中心"},
        )
    after, _ = run(state, command, CENTER, at(3, 13), three)
    assert after.status is ClaimStatus.CONFIRMED


def test_list_import_is_for_collective_claims() -> None:
    section = '[claims]\n[[claims.chains]]\nkind = "cadre"\nlist_import = true\n'
    section += 'steps = [{ name = "中心", role = "school_admin" }]\n'
    with pytest.raises(DomainError) as caught:
        with_claims(section)
    assert "list_import is for collective claims" in caught.value.message_en


def test_a_naive_time_is_refused_with_a_code() -> None:
    with pytest.raises(DomainError) as caught:
        collective(starts_at=datetime(2026, 3, 6, 14))
    assert (caught.value.code, caught.value.details) == ("time.naive", {"field": "starts_at"})


def test_claim_events_and_commands_round_trip_through_json() -> None:
    """What is stored comes back equal: the forms, the 情况说明, the list rows."""
    report = Situation("发布者忘记点击完结", "活动结束后及时完结", "结束当天核对")
    filing = collective(published=True, situation=report)
    _state, decision = run(None, filing, LEADER, FILED_AT)
    rows = (ListedCredit(STUDENTS[0], "清洁", CREDIT[0]), ListedCredit(STUDENTS[1], "颁奖", None))
    messages = [
        filing,
        *decision.claim,
        ImportClaimList(filing.claim_id, "d", rows),
        ClaimListImported(filing.claim_id, "d", rows, CENTER.person_id, FILED_AT),
        personal(),
    ]
    for message in messages:
        assert codec.from_json(codec.to_json(message)) == message


def test_shccs_preset_runs_a_research_claim_with_its_own_roles_and_levels() -> None:
    """003 2（四） in the shcc preset: its 指导教师 (an advisor the claim names) judges first,
    its 系（部） reviews and publishes, and its 教务处 confirms after the 公示; the level is one of
    its tiers (国家级) and the credit its 创新学分 in 科研创新类课程."""
    shcc = preset("shcc")
    number = "2026000001"
    records = {
        number: StudentRecord(ids.student_id(number), number, "学生01", "JC", "基础26-1班", 2026,
                              Program.UNDERGRADUATE),
    }  # fmt: skip
    credit = (PlannedCredit("research", "创新学分", Decimal(1)),)
    filing = personal(student_number=number, credits=credit, level="国家级")
    review = ReviewClaim(filing.claim_id, True)
    department = Actor.college_admin("T-jc", "JC")
    office = Actor("T-office", {Role(RoleKind.ACADEMIC_AFFAIRS)})
    state: claim.Claim | None = None
    for command, actor, now in (
        (filing, Actor.student(number), at(5, 6)),
        (review, TEACHER, at(5, 7)),
        (review, department, at(5, 8)),
        (review, office, at(6, 1)),
    ):
        decision = claim.decide(command, state, claim.ClaimContext(Context(actor, now, shcc),
                                                                   None, records))  # fmt: skip
        state = claim.DECIDER.fold(decision.claim, state)
        if state is not None and state.awaiting_publicity:  # 系部 汇总、公示
            (state,), _events = publish_batch([state], department, at(5, 8), shcc)
    assert state is not None
    assert state.status is ClaimStatus.CONFIRMED
    assert state.personal is not None
    assert state.personal.level == ActivityLevel.NATIONAL
    (recorded,) = decision.records[number]
    assert isinstance(recorded, BackfillRecorded)
    assert recorded.record.credits == credit


# -- what a command reads: its tribe and the records involved ------------------------------------


def test_a_command_is_decided_with_its_tribe_and_the_records_it_involves() -> None:
    """A collective filing reads its tribe (the command names it) and its participants' records;
    a student's filing their own record; a later command the claim's tribe; an approval every
    beneficiary's record (the last one credits them), a rejection none; an imported list the
    records of its rows."""
    filing = collective()
    filed = through([(filing, LEADER, FILED_AT)])
    own = personal()
    cadre_filing = FileCadreClaim(
        "2023010002", "su-2025", "石油工程学院学生会", "部长", at(9, 1, year=2025), at(9, 1),
        (PlannedCredit("volunteering", "学分", Decimal(1)),),
    )  # fmt: skip
    approve, reject = ReviewClaim(filed.id, True), ReviewClaim(filed.id, False, "材料不全")
    rows = (ListedCredit(STUDENTS[0], "清洁", CREDIT[0]), ListedCredit(STUDENTS[1], "清洁", None))
    import_ = ImportClaimList(filed.id, "digest", rows)
    assert claim.tribe_of(filing, None) == UNION.id
    assert claim.tribe_of(approve, filed) == UNION.id
    assert claim.tribe_of(approve, None) is None
    assert claim.tribe_of(own, None) is None
    assert claim.students_involved(filing, None) == set(STUDENTS[:2])
    assert claim.students_involved(own, None) == {"2023010003"}
    assert claim.students_involved(cadre_filing, None) == {"2023010002"}
    assert claim.students_involved(approve, filed) == set(STUDENTS[:2])
    assert claim.students_involved(approve, None) == set()
    assert claim.students_involved(reject, filed) == set()
    assert claim.students_involved(import_, filed) == set(STUDENTS[:2])
    assert claim.students_involved(RaiseObjection(filed.id, "重复"), filed) == set()


def test_the_claim_stream_s_decider_gives_the_claim_s_events() -> None:
    """The stream's decider (``DECIDER``) gives the decision's claim events, the same as
    ``decide``; the records' events are written beside them by the caller."""
    filed = through([(collective(), LEADER, FILED_AT)])
    review = ReviewClaim(filed.id, True)
    context = ctx(ADVISOR, at(3, 11))
    assert (
        claim.DECIDER.decide(review, filed, context) == claim.decide(review, filed, context).claim
    )
    (event,) = claim.DECIDER.decide(collective(), None, ctx(LEADER, FILED_AT))
    assert isinstance(event, ClaimFiled)
    assert (event.claim_id, event.by, event.at) == (
        collective().claim_id,
        LEADER.person_id,
        FILED_AT,
    )


@pytest.mark.parametrize(
    ("rows", "actor", "code", "details"),
    [
        ((listed(STUDENTS[0], "0.5"),), ADVISOR, "auth.forbidden",
         {"action": "导入名单 as 第二课堂指导与服务中心"}),
        ((listed("2023010004", "0.5"),), CENTER, "claim.not_a_participant",
         {"student": "2023010004"}),
        ((listed(STUDENTS[0], "0.5"), listed(STUDENTS[0], "0.1")), CENTER,
         "claim.credit_not_claimed",
         {"student": STUDENTS[0], "amount": "0.6", "claimed": "0.5", "module": "volunteering",
          "credit_type": "学分"}),
        ((ListedCredit(STUDENTS[1], "x", PlannedCredit("skills", "学分", Decimal(1))),), CENTER,
         "claim.credit_not_claimed",
         {"student": STUDENTS[1], "amount": "1", "claimed": "0", "module": "skills",
          "credit_type": "学分"}),
        ((listed(STUDENTS[0], "-1"),), CENTER, "claim.credit_invalid",
         {"module": "volunteering", "credit_type": "学分", "amount": "-1"}),
    ],
    ids=["not-the-last-step", "not-a-participant", "over-the-claim", "not-claimed", "invalid"],
)  # fmt: skip
def test_a_refused_list_names_the_row_and_the_amounts(
    rows: tuple[ListedCredit, ...], actor: Actor, code: str, details: dict[str, str]
) -> None:
    """001 附件4: a refused list says which student's row and which credit (module, type, the
    amount listed and the amount the claim asked per person) stopped it."""
    state = approved()
    error = refused(state, ImportClaimList(state.id, "d", rows), actor, at(3, 13), SICHUAN_LIST)
    assert (error.code, error.details) == (code, details)


# -- a student's own filing: what it holds and what refuses it (001 第四、五、六条; 003) -----------

STUDENT_3 = Actor.student("2023010003")


def test_a_personal_filing_holds_the_student_their_college_the_item_and_its_evidence() -> None:
    """001 第六条 由本人登录…提交: given 学生03 of 石油工程学院 in March, when they claim a paper
    with its evidence (a blank one dropped) and their 指导教师 (spaces trimmed), then the claim
    is theirs alone, in their college, open until the window's end (1 April 00:00)."""
    command = personal(evidence=("录用通知.pdf", " "), advisor=" T-teacher ", level="")
    _state, decision = run(None, command, STUDENT_3, at(3, 2))
    assert decision.claim == [
        ClaimFiled(
            command.claim_id, ClaimKind.PERSONAL, "2023010003", None, "PE",
            "论文《海关数据治理》发表", (PlannedCredit("innovation", "学分", Decimal(2)),),
            ("2023010003",), None,
            claim.PersonalForm(claim.ItemKind.RESEARCH, at(1, 10), ("录用通知.pdf",), "T-teacher"),
            None, at(4, 1, 0), "2023010003", at(3, 2), recorded(ClaimKind.PERSONAL),
        )
    ]  # fmt: skip
    assert command.claim_id == claim.claim_id(ClaimKind.PERSONAL, "2023010003", "paper-1")
    no_advisor = personal(advisor=None)
    assert run(None, no_advisor, STUDENT_3, at(3, 2))[0].advisor == ""


def test_a_cadre_filing_holds_the_organization_the_post_and_the_year_served() -> None:
    """001 第四条 工作满一年: a year to the day is a full year; the title names the post."""
    student = Actor.student("2023010004")
    command = FileCadreClaim(
        "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
        at(9, 1, year=2025), at(9, 1), (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip
    _state, decision = run(None, command, student, at(10, 8))
    assert decision.claim == [
        ClaimFiled(
            command.claim_id, ClaimKind.CADRE, "2023010004", None, "PE",
            "石油工程学院学生会 宣传部部长", command.credits, ("2023010004",), None, None,
            claim.CadreForm("石油工程学院学生会", "宣传部部长", at(9, 1, year=2025), at(9, 1)),
            at(12, 1, 0), "2023010004", at(10, 8), recorded(ClaimKind.CADRE),
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "code", "details"),
    [
        ({"title": " "}, "claim.field_empty", {"field": "title"}),
        ({"key": " "}, "claim.field_empty", {"field": "key"}),
        ({"occurred_at": at(3, 2, 9, 1)}, "claim.times_invalid", {}),
        ({"evidence": ()}, "claim.evidence_required", {}),
        ({"level": "市级"}, "claim.level_unknown",
         {"level": "市级", "allowed": "国家级、省部级、校级、院系级、班团"}),
        ({"credits": (PlannedCredit("innovation", "学时", Decimal(2)),)}, "claim.credit_invalid",
         {"module": "innovation", "credit_type": "学时", "amount": "2"}),
    ],
    ids=["title", "key", "future", "evidence", "level", "credit"],
)  # fmt: skip
def test_a_personal_filing_is_refused_naming_what_is_wrong(
    changes: dict[str, Any], code: str, details: dict[str, str]
) -> None:
    error = refused(None, personal(**changes), STUDENT_3, at(3, 2, 9, 0))
    assert (error.code, error.details) == (code, details)


def test_a_personal_claim_happened_by_the_instant_it_is_filed() -> None:
    command = personal(occurred_at=at(3, 2, 9, 0))
    assert run(None, command, STUDENT_3, at(3, 2, 9, 0))[0].personal is not None


def test_a_student_files_for_themselves_only_and_must_be_registered() -> None:
    error = refused(None, personal(), MEMBER, at(3, 2))
    assert (error.code, error.details) == (
        "auth.forbidden",
        {"action": "为他人申请补录 claim for another"},
    )
    unknown = personal(student_number="2023019999", key="x")
    error = refused(None, unknown, Actor.student("2023019999"), at(3, 2))
    assert (error.code, error.details) == ("student.not_found", {"student_number": "2023019999"})


@pytest.mark.parametrize(
    ("changes", "code", "details"),
    [
        ({"organization": " "}, "claim.field_empty", {"field": "organization"}),
        ({"position": " "}, "claim.field_empty", {"field": "position"}),
        ({"served_until": at(8, 31, year=2025)}, "claim.times_invalid", {}),
        ({"served_until": at(10, 9)}, "claim.times_invalid", {}),
        ({"served_until": at(8, 31, 23, 59)}, "claim.term_too_short", {}),
        ({"served_until": at(9, 1, year=2025)}, "claim.term_too_short", {}),
    ],
    ids=["organization", "position", "inverted", "future", "short", "no-time-at-all"],
)
def test_a_cadre_filing_is_refused_naming_what_is_wrong(
    changes: dict[str, Any], code: str, details: dict[str, str]
) -> None:
    command = FileCadreClaim(
        "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
        at(9, 1, year=2025), at(9, 1), (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip
    error = refused(None, attrs.evolve(command, **changes), Actor.student("2023010004"), at(10, 8))
    assert (error.code, error.details) == (code, details)


def test_a_cadre_term_from_29_february_is_a_year_on_1_march() -> None:
    """A year from 29 February 2024 ends on 1 March 2025 (there is no 29 February 2025)."""
    command = FileCadreClaim(
        "2023010004", "su-2024", "石油工程学院学生会", "干事",
        at(2, 29, 0, year=2024), at(3, 1, 0, year=2025),
        (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip
    student = Actor.student("2023010004")
    assert run(None, command, student, at(10, 8))[0].cadre is not None
    early = attrs.evolve(command, served_until=at(2, 28, 23, 59, year=2025))
    assert refused(None, early, student, at(10, 8)).code == "claim.term_too_short"


# -- 003 科研成果每学年登记一次: caps per student and academic year -------------------------------

# Seed 001's chains with a cap of 1 学分 of 志愿公益 per 学年 from claims, after a cap on 技能
# that this claim does not touch (school-supplied: neither seed gives an amount).
CAPPED = with_claims(SICHUAN_CLAIMS + """
[[claims.caps]]
module = "skills"
credit_type = "学分"
amount = "0"

[[claims.caps]]
module = "volunteering"
credit_type = "学分"
amount = "1"
""")  # fmt: skip


def _held(number: str, *backfills: tuple[str, datetime]) -> StudentRecord:
    """``number``'s record holding confirmed claims of (volunteering 学分 amount, confirmed at)."""
    return attrs.evolve(
        RECORDS[number],
        backfills=tuple(
            BackfillRecord(
                ids.derive("claim", "held", number, str(n)),
                ClaimKind.COLLECTIVE,
                "旧补录",
                (
                    PlannedCredit("volunteering", "学分", Decimal(amount)),
                    PlannedCredit("skills", "学分", Decimal(5)),
                ),
                when,
            )
            for n, (amount, when) in enumerate(backfills)
        ),
    )


def _at_the_centre() -> claim.Claim:
    return through(
        [(collective(), LEADER, FILED_AT), (ReviewClaim(filed().id, True), ADVISOR, at(3, 11))],
        CAPPED,
    )


def test_a_claim_past_a_cap_of_the_academic_year_is_refused_naming_the_counts() -> None:
    """003 每学年: given 学生02 holding 0.5 学分 of 志愿公益 from claims this 学年 (and 0.5 from
    last 学年, which does not count) and 学生03 holding 0.75, when the centre confirms a claim
    of 0.5 each under a cap of 1, then 学生02 reaches the cap exactly and 学生03 passes it: the
    confirmation is refused naming 学生03, the cap, what they hold and what is asked."""
    state = _at_the_centre()
    records = {
        STUDENTS[0]: _held(STUDENTS[0], ("0.5", at(3, 1)), ("0.5", at(8, 31, 23, year=2025))),
        STUDENTS[1]: _held(STUDENTS[1], ("0.5", at(9, 1, 0, year=2025)), ("0.25", at(3, 1))),
    }
    review = ReviewClaim(state.id, True)
    with pytest.raises(DomainError) as caught:
        claim.decide(review, state, ctx(CENTER, at(3, 12), CAPPED, records))
    assert (caught.value.code, caught.value.details) == (
        "claim.over_cap",
        {"student": STUDENTS[1], "module": "volunteering", "credit_type": "学分", "cap": "1",
         "held": "0.75", "asked": "0.5", "year": "2025-2026"},
    )  # fmt: skip


def test_over_a_cap_the_reviewer_confirms_the_claim_without_that_student_s_credit() -> None:
    """003: over the cap the reviewer chooses the record without credit: 学生03 gets the claim
    on the record with no credit, 学生02 (at the cap, not past it) gets its 0.5."""
    state = _at_the_centre()
    records = {
        STUDENTS[0]: _held(STUDENTS[0], ("0.5", at(3, 1))),
        STUDENTS[1]: _held(STUDENTS[1], ("0.75", at(3, 1))),
    }
    review = ReviewClaim(state.id, True, without_credit=True)
    decision = claim.decide(review, state, ctx(CENTER, at(3, 12), CAPPED, records))
    title = "校园环境清洁志愿活动"
    assert decision.records == {
        STUDENTS[0]: [
            BackfillRecorded(
                records[STUDENTS[0]].id,
                BackfillRecord(state.id, ClaimKind.COLLECTIVE, title, CREDIT, at(3, 12)),
                at(3, 12),
            )
        ],
        STUDENTS[1]: [
            BackfillRecorded(
                records[STUDENTS[1]].id,
                BackfillRecord(state.id, ClaimKind.COLLECTIVE, title, (), at(3, 12)),
                at(3, 12),
            )
        ],
    }


def test_a_new_academic_year_starts_afresh_and_a_beneficiary_s_record_must_be_loaded() -> None:
    """What a student held last 学年 does not count; a beneficiary whose record is missing at
    the confirmation is ``claim.participant_unknown``."""
    state = _at_the_centre()
    records = {s: _held(s, ("1", at(8, 31, 23, year=2025))) for s in STUDENTS[:2]}
    decision = claim.decide(
        ReviewClaim(state.id, True), state, ctx(CENTER, at(3, 12), CAPPED, records)
    )
    assert [
        e.record.credits for (e,) in decision.records.values() if isinstance(e, BackfillRecorded)
    ] == [CREDIT, CREDIT]
    missing = {STUDENTS[0]: records[STUDENTS[0]]}
    with pytest.raises(DomainError) as caught:
        claim.decide(ReviewClaim(state.id, True), state, ctx(CENTER, at(3, 12), CAPPED, missing))
    assert (caught.value.code, caught.value.details) == (
        "claim.participant_unknown",
        {"student": STUDENTS[1]},
    )


# -- 003 公示: its instants and the details of its refusals --------------------------------------

UNTIL = datetime(2026, 5, 19, tzinfo=SHANGHAI)  # five working days after Monday 11 May


def test_the_office_confirms_from_the_instant_the_publicity_ends() -> None:
    """003 公示无异议后上报教务处: until the period's end the confirmation is refused naming the
    end; from that instant on it is accepted."""
    state = published()
    confirm = ReviewClaim(state.id, True)
    error = refused(state, confirm, OFFICE, UNTIL - timedelta(seconds=1), CUSTOMS)
    assert (error.code, error.details) == ("claim.publicity_open", {"until": UNTIL.isoformat()})
    after, decision = run(state, confirm, OFFICE, UNTIL, CUSTOMS)
    assert after.status is ClaimStatus.CONFIRMED
    assert decision.claim[-1] == ClaimConfirmed(state.id, OFFICE.person_id, UNTIL)


def test_an_objection_comes_until_the_last_instant_of_the_publicity_numbered_in_turn() -> None:
    """003 公示: an objection is raised until just before the period's end; each is numbered
    after those before it; an open one blocks the confirmation, a decided one no longer."""
    state = published()
    objector = Actor.student("2023010004")
    last = UNTIL - timedelta(seconds=1)
    state, _ = run(state, RaiseObjection(state.id, "重复"), objector, at(5, 12), CUSTOMS)
    dismiss = DecideObjection(state.id, 1, False, "并非重复")
    state, _ = run(state, dismiss, PE_LEAGUE, at(5, 13), CUSTOMS)
    state, decision = run(state, RaiseObjection(state.id, "署名"), MEMBER, last, CUSTOMS)
    assert decision.claim == [ObjectionRaised(state.id, 2, "署名", MEMBER.person_id, last)]
    assert [(o.number, o.open) for o in state.objections] == [(1, False), (2, True)]
    assert state.objection(1) is None
    assert state.objection(2) == claim.Objection(2, "署名", MEMBER.person_id)
    late = refused(state, RaiseObjection(state.id, "x"), objector, UNTIL, CUSTOMS)
    assert late.code == "claim.not_in_publicity"
    error = refused(state, ReviewClaim(state.id, True), OFFICE, UNTIL, CUSTOMS)
    assert error.code == "claim.objection_open"


def test_objection_refusals_name_what_is_missing() -> None:
    state = published()
    system = refused(state, RaiseObjection(state.id, "x"), Actor.system(), at(5, 12), CUSTOMS)
    assert (system.code, system.details) == ("auth.forbidden", {"action": "提出异议 object"})
    nobody = refused(state, RaiseObjection(state.id, "x"), Actor("T-none"), at(5, 12), CUSTOMS)
    assert nobody.code == "auth.forbidden"
    unknown = refused(state, DecideObjection(state.id, 3, True, "x"), PE_LEAGUE, at(5, 13), CUSTOMS)
    assert (unknown.code, unknown.details) == ("claim.objection_unknown", {"number": 3})
    state, _ = run(state, RaiseObjection(state.id, "重复"), MEMBER, at(5, 12), CUSTOMS)
    decide = DecideObjection(state.id, 1, False, "并非重复")
    other = refused(state, decide, OFFICE, at(5, 13), CUSTOMS)
    assert (other.code, other.details) == (
        "auth.forbidden",
        {"action": "处理异议 as 系部（会同学术委员会）"},
    )
    blank = refused(state, attrs.evolve(decide, reason=" "), PE_LEAGUE, at(5, 13), CUSTOMS)
    assert blank.code == "claim.reason_required"
    uphold = DecideObjection(state.id, 1, True, "属实")
    rejected, _ = run(state, uphold, PE_LEAGUE, at(5, 13), CUSTOMS)
    closed = refused(rejected, decide, PE_LEAGUE, at(5, 14), CUSTOMS)
    assert (closed.code, closed.details) == ("claim.not_in_review", {"status": "已退回"})


def test_a_repeated_reviewer_is_told_which_step_they_approved() -> None:
    """003 2（四）: the 系部's reviewer who has since joined the 教务处 approved step 2."""
    dept_in_office = Actor(PE_LEAGUE.person_id, {*PE_LEAGUE.roles, *OFFICE.roles})
    state = published()
    error = refused(state, ReviewClaim(state.id, True), dept_in_office, UNTIL, CUSTOMS)
    assert (error.code, error.details) == ("claim.reviewer_repeated", {"step": 2})
    teacher_in_office = Actor(TEACHER.person_id, {*TEACHER.roles, *OFFICE.roles})
    error = refused(state, ReviewClaim(state.id, True), teacher_in_office, UNTIL, CUSTOMS)
    assert (error.code, error.details) == ("claim.reviewer_repeated", {"step": 1})


# -- replaying a claim: every event's effect on the state ---------------------------------------


def test_replaying_a_claim_gives_its_whole_state_after_each_event() -> None:
    """Given a 003 research claim's events — filed, two steps approved (the second with a 公示),
    published, an objection raised and upheld (rejected), revised by the student and a colleague,
    approved again — then the state after each holds exactly what the chain needs."""
    cid = personal().claim_id
    form = claim.PersonalForm(claim.ItemKind.RESEARCH, at(1, 10), ("录用通知.pdf",), "T-teacher")
    credits = (PlannedCredit("innovation", "学分", Decimal(2)),)
    filed_event = ClaimFiled(
        cid, ClaimKind.PERSONAL, "2023010003", None, "PE", "论文", credits, ("2023010003",),
        None, form, None, None, "2023010003", at(5, 8),
    )  # fmt: skip
    filed_state = claim.Claim(
        cid, ClaimKind.PERSONAL, "2023010003", None, "PE", "论文", credits, ("2023010003",),
        None, form, None, None, filers=("2023010003",),
    )  # fmt: skip
    assert claim.DECIDER.fold([filed_event]) == filed_state
    assert filed_state.advisor == "T-teacher"
    first = ClaimStepApproved(cid, 0, "指导教师", "", "T-teacher", at(5, 8))
    second = ClaimStepApproved(cid, 1, "系部", "", "T-pe", at(5, 11), publicity=True)
    published_ = ClaimPublished(cid, UNTIL, at(5, 11), "第1批", "T-pe")
    raised = ObjectionRaised(cid, 1, "重复", "2023010004", at(5, 12))
    decided = ObjectionDecided(cid, 1, True, "属实", "T-pe", at(5, 13))
    rejected = ClaimRejected(cid, 2, "异议成立：重复；属实", 1, "T-pe", at(5, 13))
    events: list[claim.ClaimEvent] = [filed_event, first, second]
    assert claim.DECIDER.fold(events) == attrs.evolve(
        filed_state, step=2, awaiting_publicity=True, approvers=("T-teacher", "T-pe")
    )
    events += [published_, raised]
    assert claim.DECIDER.fold(events) == attrs.evolve(
        filed_state, step=2, publicity_until=UNTIL, batch="第1批",
        approvers=("T-teacher", "T-pe"),
        objections=(claim.Objection(1, "重复", "2023010004"),),
    )  # fmt: skip
    events += [decided, rejected]
    after_rejection = attrs.evolve(
        filed_state, status=ClaimStatus.REJECTED, step=2, publicity_until=UNTIL, batch="第1批",
        approvers=("T-teacher", "T-pe"), reason="异议成立：重复；属实",
        objections=(claim.Objection(1, "重复", "2023010004", open=False),),
    )  # fmt: skip
    assert claim.DECIDER.fold(events) == after_rejection
    revised_form = attrs.evolve(form, evidence=("录用通知.pdf", "署名说明.pdf"))
    revised_credits = (PlannedCredit("innovation", "学分", Decimal(1)),)
    resubmitted = ClaimResubmitted(
        cid, "论文（修订）", revised_credits, ("2023010003",), None, revised_form, None,
        "2023010003", at(5, 20),
    )  # fmt: skip
    by_colleague = attrs.evolve(resubmitted, by="2023010009", at=at(5, 21))
    events += [resubmitted, by_colleague]
    assert claim.DECIDER.fold(events) == attrs.evolve(
        filed_state, title="论文（修订）", credits=revised_credits, personal=revised_form,
        filers=("2023010003", "2023010009"),
    )  # fmt: skip
    assert present(claim.DECIDER.fold([*events, first])).approvers == ("T-teacher",)
    third = ClaimStepApproved(cid, 2, "教务处", "", "T-office", UNTIL)
    last = claim.DECIDER.fold([filed_event, first, second, published_, third])
    assert last is not None
    assert (last.step, last.publicity_until, last.awaiting_publicity) == (3, None, False)


def test_replaying_a_revised_collective_claim_keeps_its_new_form() -> None:
    """001 第三条 审核未通过的说明原因: given a collective claim sent back by its 指导老师, when
    the 团总支 revises the place and adds a participant, then the replayed claim holds the new
    form and list, back in review at the first step with no reason left."""
    filing = collective()
    rejected = through(
        [(filing, LEADER, FILED_AT), (ReviewClaim(filing.claim_id, False, "地点有误"), ADVISOR,
                                      FILED_AT)]
    )  # fmt: skip
    assert rejected.collective is not None
    revised = collective(place="体育馆", participants=STUDENTS)
    after, _ = run(rejected, revised, LEADER, at(3, 13))
    assert after == attrs.evolve(
        rejected, collective=attrs.evolve(rejected.collective, place="体育馆"),
        beneficiaries=STUDENTS, status=ClaimStatus.IN_REVIEW, reason="",
    )  # fmt: skip


def test_given_two_objections_when_one_is_dismissed_then_the_other_stays_open() -> None:
    """003 公示无异议后上报教务处: each 异议 is decided on its own; dismissing the second leaves
    the first open, and the 教务处 still waits for it."""
    state = published()
    colleague = Actor.student("2023010004")
    state, _ = run(state, RaiseObjection(state.id, "重复"), MEMBER, at(5, 12), CUSTOMS)
    state, _ = run(state, RaiseObjection(state.id, "署名"), colleague, at(5, 12), CUSTOMS)
    dismiss = DecideObjection(state.id, 2, False, "署名无误")
    state, _ = run(state, dismiss, PE_LEAGUE, at(5, 13), CUSTOMS)
    assert state.objections == (
        claim.Objection(1, "重复", MEMBER.person_id),
        claim.Objection(2, "署名", colleague.person_id, open=False),
    )
    error = refused(state, ReviewClaim(state.id, True), OFFICE, UNTIL, CUSTOMS)
    assert error.code == "claim.objection_open"


def test_replaying_an_approved_collective_claim_and_its_list() -> None:
    """001 第三条 名单导入: approved waits for its list; the list's digest is kept; confirmed."""
    state = approved()
    assert (state.status, state.list_digest) == (ClaimStatus.APPROVED, "")
    rows = (listed(STUDENTS[0], "0.5"),)
    imported = ClaimListImported(state.id, "digest-1", rows, "T-center", at(3, 13))
    after = claim.DECIDER.fold([imported], state)
    assert after == attrs.evolve(state, list_digest="digest-1")
    confirmed = claim.DECIDER.fold([ClaimConfirmed(state.id, "T-center", at(3, 13))], after)
    assert confirmed == attrs.evolve(after, status=ClaimStatus.CONFIRMED)
    with pytest.raises(AssertionError, match="unhandled event 'x'"):
        claim.evolve(state, "x")  # type: ignore[arg-type]


def test_a_claim_s_id_is_fixed_by_its_kind_owner_and_key() -> None:
    """A claim's stream is named by kind, owner and key, so a retried filing finds its claim:
    the id is the same on every machine and differs when any of the three differs."""
    paper = claim.claim_id(ClaimKind.PERSONAL, "2023010003", "paper-1")
    assert paper == UUID("af182343-5f9b-5c48-898f-2bae97299f82")
    assert paper == ids.derive("claim", "personal", "2023010003", "paper-1")
    others = {
        claim.claim_id(ClaimKind.CADRE, "2023010003", "paper-1"),
        claim.claim_id(ClaimKind.PERSONAL, "2023010004", "paper-1"),
        claim.claim_id(ClaimKind.PERSONAL, "2023010003", "paper-2"),
    }
    assert len(others) == 3
    assert paper not in others


def test_a_claim_rejected_during_its_publicity_takes_no_more_objections() -> None:
    """003 公示: once an upheld objection sent the claim back, the period it was published for
    is over for it: a further objection, though before the period's end, is refused."""
    state = published()
    state, _ = run(state, RaiseObjection(state.id, "重复"), MEMBER, at(5, 12), CUSTOMS)
    state, _ = run(state, DecideObjection(state.id, 1, True, "属实"), PE_LEAGUE, at(5, 13), CUSTOMS)
    assert state.status is ClaimStatus.REJECTED
    assert state.publicity_until == UNTIL
    late = refused(state, RaiseObjection(state.id, "署名"), MEMBER, at(5, 14), CUSTOMS)
    assert late.code == "claim.not_in_publicity"


def test_a_situation_report_is_kept_only_for_an_activity_that_was_published() -> None:
    """001 第二条（二）附件5: the 情况说明 belongs to a published activity; one sent with an
    activity never published is not kept."""
    report = Situation("发布者忘记点击完结", "活动结束后及时完结", "结束当天由指导老师核对")
    state, _ = run(None, collective(published=False, situation=report), LEADER, FILED_AT)
    assert state.collective is not None
    assert (state.collective.published, state.collective.situation) == (False, None)


def test_a_step_scope_the_chain_does_not_know_is_a_programming_error() -> None:
    """A step's scope is one of ``StepScope``; any other fails loudly, naming it."""
    odd = StepRole(RoleKind.CENTER, "planet")  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="unhandled scope 'planet'"):
        claim._holds(odd, filed(), CENTER)


def test_a_claim_past_a_chain_shortened_since_is_decided_by_its_last_step() -> None:
    """Given a claim at its third step when the school's chain now has two steps, then the
    last step's role (教务处) decides it, and it is its last approval."""
    state = published()
    chain = CUSTOMS.claims.chain(ClaimKind.PERSONAL)
    assert chain is not None
    shorter = attrs.evolve(chain, steps=chain.steps[1:])
    rulebook = attrs.evolve(CUSTOMS, claims=attrs.evolve(CUSTOMS.claims, chains=(shorter,)))
    after, decision = run(state, ReviewClaim(state.id, True), OFFICE, UNTIL, rulebook)
    assert after.status is ClaimStatus.CONFIRMED
    assert decision.claim[0] == ClaimStepApproved(
        state.id, 2, "教务处", "", OFFICE.person_id, UNTIL
    )


def test_a_filing_of_no_known_kind_is_a_programming_error() -> None:
    odd = SimpleNamespace(key="k")
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(key='k'\)"):
        claim._read_filing(odd, ctx(LEADER, FILED_AT))  # type: ignore[arg-type]


def test_a_command_the_claim_does_not_know_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(claim_id="):
        claim.decide(SimpleNamespace(claim_id=filed().id), filed(), ctx(CENTER, FILED_AT))  # type: ignore[arg-type]
