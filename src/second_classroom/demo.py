"""The demo scenario (第十条、第十一条): a tribe publishes a college-level activity; then 补录
(seed 001's collective claim with its list imported, seed 003's research claim through 公示)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import attrs

from second_classroom import backfill
from second_classroom.aggregates.activity import (
    ApproveActivity,
    ChangeActivityDetails,
    DraftActivity,
    EditDraft,
    RejectActivity,
    SubmitActivity,
)
from second_classroom.aggregates.activity_attendance import Geofence
from second_classroom.aggregates.cadre import (
    AppointCadre,
    CloseCadreRound,
    EndCadreTerm,
    RateCadre,
    TermEnd,
)
from second_classroom.aggregates.certificate import (
    CertificateIssued,
    CertificateKind,
    IssueCertificate,
)
from second_classroom.aggregates.checkin import (
    CheckIn,
    Location,
    MakeUpCheckIn,
    OpenCheckInSession,
    closing_time,
)
from second_classroom.aggregates.claim import (
    DecideObjection,
    FileCollectiveClaim,
    FilePersonalClaim,
    ItemKind,
    PublishClaims,
    RaiseObjection,
    ReviewClaim,
)
from second_classroom.aggregates.practice import RecordPractice
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.results import (
    FinalizeActivity,
    GrantCredits,
    IssueAward,
    RevokeCredits,
)
from second_classroom.aggregates.student import (
    AppealDefault,
    DecideAppeal,
    RecordPublisherExam,
    RegisterStudent,
)
from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued
from second_classroom.aggregates.tribe import (
    AddTribeMember,
    AppointTribeRole,
    CertifyTribe,
    CreateTribe,
    TribeRole,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    CadrePosition,
    CadreRating,
    ParticipationScope,
    QuestionKind,
    TribeKind,
    TribeLevel,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.persistence.stores import sqlite_env
from second_classroom.policies import serials
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.policies.claim_rules import (
    ClaimChain,
    ClaimKind,
    ClaimsRule,
    ClaimStep,
    StepRole,
    StepScope,
)
from second_classroom.policies.registration_questions import Answer, Question
from second_classroom.policies.rulebook import (
    WELL_KNOWN_LEVELS,
    College,
    IntegrityStyle,
    RoleTitle,
    Rulebook,
    preset,
)
from second_classroom.service import SecondClassroom

Print = Callable[[str], None]
VERIFY_URL = "https://verify.example/second-classroom"  # your school's 查证入口
DEMO_SECRET = bytes.fromhex("5ec0dc1a55" * 6 + "0000")


# The narrator reads as the school office; notices go out through the delivery worker.
NARRATOR = Actor.school_admin("T-校团委-001")
NOTICE_WORKER = Actor.system("notice-worker")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def run_demo(path: Path, out: Print = print, rulebook: Rulebook | None = None) -> SecondClassroom:
    """Play the scenario on the SQLite file at ``path`` and print each step.

    ``rulebook`` (default: the NEPU preset with the 补录 chains of ``demo_rulebook``) is the
    school: the scenario takes place in its first college (NEPU's 石油工程学院), under its
    modules, credit types and exam rule. Only the default school plays the 补录 story too.
    """
    # A fixed secret keeps the demo's draw and codes the same on every run; a real school's
    # secret comes from SECOND_CLASSROOM_SECRET or the file beside its database.
    claims_story = rulebook is None  # the 补录 story needs the demo school's chains and roles
    service = SecondClassroom.open(
        sqlite_env(path), rulebook or demo_rulebook(), secret=DEMO_SECRET
    )
    home = _home(service.rulebook)
    school = Actor.school_admin("T-校团委-001")
    college = Actor.college_admin("T-石工-007", home.code)
    leader = Actor.student("2023010101")
    step = _stepper(service, out)

    out(f"第二课堂成绩单 演示 · {service.rulebook.school} · 数据文件 {path}")
    out("— 部落与人员（第七条、第十条）—")
    union = CreateTribe(
        f"{home.code}-SU",
        f"{home.name}学生会",
        TribeKind.STUDENT_UNION,
        TribeLevel.COLLEGE,
        home.code,
    )
    step(f"学院管理员创建部落「{home.name}学生会」", union, college, at(23, 8, 30))
    step("校团委认证该部落（发布规范 十六）", CertifyTribe(union.tribe_id), school, at(23, 8, 35))
    for number, name in (("2023010101", "李明"), ("2023010102", "王芳"), ("2023010103", "张伟")):
        register = RegisterStudent(number, name, home.code, f"{home.name[:2]}23-1班", 2023)
        step(f"注册学生 {name}（{number}）", register, college, at(23, 8, 40))
        step(f"{name} 加入部落", AddTribeMember(union.tribe_id, number), college, at(23, 8, 41))
    step(
        "任命 李明 为部落负责人",
        AppointTribeRole(union.tribe_id, "2023010101", TribeRole.LEADER),
        college,
        at(23, 8, 45),
    )

    out("— 发布活动（第十条、发布规范）—")
    form = _form(service.rulebook)
    draft = DraftActivity(union.tribe_id, "2026-cet-talk", form)
    activity_id = draft.activity_id
    step("李明 创建活动草稿", draft, leader, at(23, 9))
    if service.rulebook.require_publisher_exam:
        step("李明 提交审核（尚未通过发布考试）", SubmitActivity(activity_id), leader, at(23, 9, 5))
        step(
            "登记 李明 通过发布考试（首次发布活动需考试）",
            RecordPublisherExam("2023010101", 92),
            college,
            at(23, 9, 20),
        )
    else:
        out("   （本校规则不要求发布考试：require_publisher_exam = false）")
    with_ad = attrs.evolve(form, details=form.details + " 赞助咨询：13812345678")
    step("李明 在详情中加入赞助方电话", EditDraft(activity_id, with_ad), leader, at(23, 9, 25))
    step("李明 提交审核", SubmitActivity(activity_id), leader, at(23, 9, 30))
    out("— 审核（第十一条：部落 → 院级 → 校级）—")
    step("部落负责人审核通过", ApproveActivity(activity_id), leader, at(23, 10))
    reason = "地点请写明教室号（发布规范 五）"
    step(f"院级审核驳回：{reason}", RejectActivity(activity_id, reason), college, at(23, 14))
    revised = attrs.evolve(form, locations=("第一教学楼F座118室",))
    step("李明 修改地点", EditDraft(activity_id, revised), leader, at(23, 15))
    step("李明 重新提交", SubmitActivity(activity_id), leader, at(23, 15, 5))
    step("部落负责人审核通过", ApproveActivity(activity_id), leader, at(23, 15, 10))
    step("院级审核通过", ApproveActivity(activity_id), college, at(24, 9))
    step("校级审核：学院管理员越权审核", ApproveActivity(activity_id), college, at(24, 9, 5))
    step("校团委终审通过", ApproveActivity(activity_id), school, at(24, 10))

    out("— 活动阶段（由时间推导，第十二条）—")
    for moment in (
        at(25, 12),
        at(1, 12, month=12),
        at(3, 10, month=12),
        at(3, 15, month=12),
        at(4, 9, month=12),
    ):
        phase = service.phase(activity_id, leader, moment)
        out(f"  {moment:%Y-%m-%d %H:%M}  {phase.label if phase else '—'}")

    reviewers = (leader, college, school)
    _enrolment(service, step, out, union.tribe_id, activity_id, form, reviewers)
    _questions(service, step, out, union.tribe_id, form, reviewers)
    _checkin(service, step, out, union.tribe_id, activity_id, form, reviewers)
    _results(service, step, out, activity_id, path.parent)
    _cadres(service, step, out, union.tribe_id, leader)
    if service.rulebook.practice.module:
        _practice(service, step, out, home, college)
    if claims_story:
        _collective_claim(service, step, out, union.tribe_id)
        _personal_claim(service, step, out)
    return service


def demo_rulebook() -> Rulebook:
    """The NEPU preset with two 补录 chains: seed 001's collective claim (团总支书记/指导老师 →
    第二课堂指导与服务中心 → 名单导入) and seed 003's research claim (指导教师 → 系部, 公示 →
    教务处), the roles those steps name, and 003's 国家级/省部级 levels a research result has."""
    league = StepRole(RoleKind.LEAGUE_SECRETARY, StepScope.COLLEGE)
    claims = ClaimsRule(
        chains=(
            ClaimChain(
                ClaimKind.COLLECTIVE,
                (
                    ClaimStep(
                        "学院团总支书记/指导老师",
                        RoleKind.ADVISOR,
                        StepScope.TRIBE,
                        alternates=(league,),
                    ),
                    ClaimStep("第二课堂指导与服务中心", RoleKind.CENTER),
                ),
                list_import=True,
            ),
            ClaimChain(
                ClaimKind.PERSONAL,
                (
                    ClaimStep("指导教师", RoleKind.ADVISOR, StepScope.ADVISOR),
                    ClaimStep(
                        "系部（会同学术委员会）", RoleKind.COLLEGE_ADMIN, StepScope.COLLEGE, True
                    ),
                    ClaimStep("教务处", RoleKind.ACADEMIC_AFFAIRS),
                ),
            ),
        ),
        publicity_working_days=5,
    )
    nepu = preset("nepu")
    roles = (
        RoleTitle(RoleKind.ADVISOR, "指导老师/指导教师"),
        RoleTitle(RoleKind.LEAGUE_SECRETARY, "学院团总支书记"),
        RoleTitle(RoleKind.ACADEMIC_AFFAIRS, "教务处"),
    )
    levels = (
        WELL_KNOWN_LEVELS[ActivityLevel.NATIONAL],
        WELL_KNOWN_LEVELS[ActivityLevel.PROVINCIAL],
        *nepu.activity_levels,
    )
    return attrs.evolve(nepu, claims=claims, roles=(*nepu.roles, *roles), activity_levels=levels)


def _collective_claim(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
) -> None:
    """001 第二、三条: a tribe claims credits for an activity held but never published; the
    approved claim's 附件4 list is checked, then imported all or nothing."""
    leader = Actor.student("2023010101")
    # 校团委第二课堂指导与服务中心: the centre's staff work in the 校团委 (reading every record)
    school = Actor("T-二课中心-001", {Role(RoleKind.CENTER), Role.school_admin()})
    advisor = Actor("T-指导老师-002", {Role(RoleKind.ADVISOR, str(tribe_id))})
    out("— 集体补录（川工科 第二、三条：举办了但未发布的活动）—")
    wang, zhang, zhao = "2023010102", "2023010103", "2024010101"
    filing = FileCollectiveClaim(
        tribe_id,
        "2026-campus-cleanup",
        "校园环境清洁志愿活动",
        "石油工程学院楼前",
        at(5, 14, month=12),
        at(5, 17, month=12),
        "志愿公益",
        "第3项 校园志愿服务",
        (PlannedCredit("volunteering", "学分", Decimal("0.5")),),
        (wang, zhang, zhao),
        "活动当天系统维护，未能在平台发布",
        "李明 13800000000",
        published=True,
    )
    step("李明 申请补录（称已发布但未写情况说明）", filing, leader, at(7, 10, month=12))
    filing = attrs.evolve(filing, published=False)
    step("李明 申请补录（活动未发布）", filing, leader, at(7, 10, 5, month=12))
    review = ReviewClaim(filing.claim_id, True, "情况属实")
    step("第二课堂指导与服务中心 越级审核", review, school, at(7, 11, month=12))
    step("指导老师 审核通过", review, advisor, at(7, 15, month=12))
    step("第二课堂指导与服务中心 审核通过", review, school, at(8, 9, month=12))

    rows = [
        (wang, "王芳"),
        (zhang, "张三"),  # 姓名与学号登记的不符
        (zhao, "赵磊"),
    ]
    data = _filled_list(service, rows)
    checked = service.check_backfill(data, school)
    out(f"   检查名单（附件4）：{len(checked.rows)} 行无误，{len(checked.errors)} 处错误")
    for error in checked.errors:
        where = f"第 {error.row} 行 {error.column} 列（{error.header}）"
        out(f"   {where}[{error.code}] {error.message}")
    try:
        backfill.import_list(service, data, filing.claim_id, school, at(8, 10, month=12))
    except DomainError as error:
        out(f"   导入有错误的名单：✗ [{error.code}]（全部未导入）")
    data = _filled_list(service, [(wang, "王芳"), (zhang, "张伟"), (zhao, "赵磊")])
    outcome = backfill.import_list(service, data, filing.claim_id, school, at(8, 10, month=12))
    names = "、".join(type(e.payload).__name__ for e in outcome.events)
    out(f"   更正后导入：✓ {names}")
    again = backfill.import_list(service, data, filing.claim_id, school, at(8, 11, month=12))
    out(f"   同一名单再导入一次：{len(again.events)} 条新事件（幂等）")
    _credit_lines(service, out, wang, "王芳")


def _filled_list(service: SecondClassroom, rows: list[tuple[str, str]]) -> bytes:
    """The 附件4 template from the rulebook, filled from row 7 as a tribe would."""
    import openpyxl

    blank = io.BytesIO()
    backfill.write_template(service.rulebook, blank)
    book = openpyxl.load_workbook(io.BytesIO(blank.getvalue()))
    sheet = book.worksheets[0]
    for offset, (number, name) in enumerate(rows):
        values = (number, name, "2026/12/5", "2026/12/5", "校园环境清洁志愿活动", "志愿公益",
                  "志愿公益", "院系级", "", "学分", 0.5)  # fmt: skip
        for column, value in enumerate(values, start=1):
            sheet.cell(backfill.FIRST_DATA_ROW + offset, column, value)
    filled = io.BytesIO()
    book.save(filled)
    return filled.getvalue()


def _personal_claim(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
) -> None:
    """003 科研成果: 指导教师初步鉴定 → 系部复审 → 公示 (异议) → 教务处确认; credits count only
    after the confirmation."""
    zhang = Actor.student("2023010103")
    teacher = Actor("T-导师-003", {Role(RoleKind.ADVISOR)})
    department = Actor.college_admin("T-石工-007", "PE")
    office = Actor("T-教务处-001", {Role(RoleKind.ACADEMIC_AFFAIRS)})
    out("— 个人补录与公示（上海海关学院 科研成果：初审 → 复审 → 公示 → 教务处确认）—")
    filing = FilePersonalClaim(
        zhang.person_id,
        "2026-paper",
        ItemKind.RESEARCH,
        "论文《油田数据治理初探》发表",
        at(20, 9),
        (PlannedCredit("innovation", "学分", Decimal(2)),),
        ("files/录用通知.pdf",),
        advisor=teacher.person_id,
        level="省部级",
    )
    review = ReviewClaim(filing.claim_id, True, "成果属实")
    step("张伟 申请科研成果补录", filing, zhang, at(7, 9, month=12))
    step("指导教师 初步鉴定通过", review, teacher, at(7, 11, month=12))
    for waiting in service.claims_to_review(department, at(8, 9, month=12)):
        actions = "、".join(a.label for a in waiting.actions)
        out(f"   系部 待我审核：{waiting.title}（{waiting.step_name}，可{actions}）")
    step("系部 复审通过，待公示", review, department, at(8, 10, month=12))
    step("教务处 在公示前确认", review, office, at(8, 11, month=12))
    batch = PublishClaims("2026年12月科研成果公示（第1批）", (filing.claim_id,))
    step("系部 汇总初审结果，发布公示批次", batch, department, at(8, 12, month=12))
    found = service.claim(filing.claim_id, zhang)
    if found is not None and found.publicity_until is not None:
        until = found.publicity_until.astimezone(SHANGHAI)
        days = service.rulebook.claims.publicity_working_days
        out(f"   公示 {days} 个工作日，至 {until:%m-%d %H:%M}")
    objection = RaiseObjection(filing.claim_id, "该论文疑与他人成果重复")
    step("赵磊 提出异议", objection, Actor.student("2024010101"), at(9, 9, month=12))
    step("教务处 在公示期内确认", review, office, at(10, 9, month=12))
    step("教务处 在公示期满后确认（异议未处理）", review, office, at(16, 9, month=12))
    dismiss = DecideObjection(filing.claim_id, 1, False, "经核实为本人独立完成")
    step("系部 驳回异议", dismiss, department, at(16, 10, month=12))
    step("教务处 最后审核确认", review, office, at(16, 11, month=12))
    _credit_lines(service, out, zhang.person_id, "张伟")
    issued = service.execute(IssueTranscript(zhang.person_id), zhang, at(16, 12, month=12))
    serial = next(
        e.payload.serial for e in issued.events if isinstance(e.payload, TranscriptIssued)
    )
    transcript = service.transcript(serial, zhang)
    assert transcript is not None
    out(f"   张伟 生成成绩单，编号 {serials.display(serial)}：")
    for section in transcript.content.sections:
        for line in section.lines:
            credits = "；".join(f"{amount}{kind}" for kind, amount in line.credits)
            out(f"   [{section.heading}] {line.date} {line.title}（{line.outcome}）{credits}")
    report = service.monthly_report("2026-12", NARRATOR)
    out("— 学院月报（补录学分单列）—")
    for row in report.rows:
        backfills = "；".join(f"{_module_name(service, m)} {a} {k}" for m, k, a in row.backfills)
        credits = "；".join(f"{_module_name(service, m)} {a} {k}" for m, k, a in row.credits)
        out(f"   {row.tribe}：学分发放 {credits or '—'}；补录学分 {backfills or '—'}")


def _credit_lines(service: SecondClassroom, out: Print, number: str, name: str) -> None:
    record = service.student(number, NARRATOR)
    assert record is not None
    for line in record.credit_lines():
        source = "补录" if line.source == "backfill" else "活动"
        module = _module_name(service, line.module)
        out(f"   {name} 学分：{line.title}（{source}）{module} {line.amount}{line.credit_type}")


def _enrolment(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
    talk: UUID,
    form: ActivityForm,
    reviewers: tuple[Actor, Actor, Actor],
) -> None:
    """第十二–十四条: registration in three modes, cancellation, the draw, review, leave."""
    leader, college, _school = reviewers
    organizer = Actor.student("2023010102")
    home = _home(service.rulebook)
    out("— 报名（第十二条：报名制即报即成功，可取消并再次报名）—")
    names = ("赵磊", "钱静", "孙浩", "周敏", "吴昊", "郑爽")
    numbers = [f"20240101{n:02d}" for n in range(1, len(names) + 1)]
    for number, name in zip(numbers, names, strict=True):
        register = RegisterStudent(number, name, home.code, f"{home.name[:2]}24-1班", 2024)
        service.execute(register, college, at(23, 8))
    out(f"   （已注册学生 {'、'.join(names)}）")
    registering = at(1, 10, month=12)
    zhao, qian = Actor.student(numbers[0]), Actor.student(numbers[1])
    step("赵磊 报名四六级宣讲会", Register(talk), zhao, registering)
    step("赵磊 再次报名（重复报名）", Register(talk), zhao, registering)
    for number in numbers[2:4]:  # 孙浩、周敏
        service.execute(Register(talk), Actor.student(number), registering)
    step("钱静 报名", Register(talk), qian, registering)
    step("钱静 取消报名", CancelRegistration(talk), qian, registering)
    step("钱静 再次报名", Register(talk), qian, registering)
    lines = service.my_activities(qian.person_id, qian, registering)
    out("   钱静的“我的活动”：" + "；".join(f"{x.title}（{x.status_label}）" for x in lines))

    out("— 群发通知（第十四条）—")
    later = ChangeActivityDetails(talk, starts_at=at(3, 15, month=12), ends_at=at(3, 17, month=12))
    step("李明 将活动推迟一小时", later, leader, at(1, 12, month=12))
    for notice in service.outbox(NOTICE_WORKER):
        out(f"   → {_name(service, notice.student)}：{notice.text}")
        service.mark_delivered(notice, at(1, 12, 1, month=12), NOTICE_WORKER)
    out(f"   待发送通知：{len(service.outbox(NOTICE_WORKER))} 条（已全部标记送达）")

    out("— 中签制：公布承诺，报名结束后抽签，任何人可复核 —")
    lottery_form = attrs.evolve(
        form,
        title=f"{home.name}“职业规划工作坊”活动",
        capacity=3,
        admission=Admission(AdmissionMethod.LOTTERY),
        organizers=("2023010102",),
        starts_at=at(10, 14, month=12),
        ends_at=at(10, 16, month=12),
    )
    workshop = _publish(service, "2026-career-workshop", tribe_id, lottery_form, reviewers, out)
    for number in numbers:
        service.execute(Register(workshop), Actor.student(number), registering)
    out(f"   6 名学生报名，名额 3；报名截止 {lottery_form.registration_closes:%m-%d %H:%M}")
    closed = at(2, 21, month=12)
    for outcome in service.run_reactions(closed):
        out(f"   系统抽签：写入 {len(outcome.events)} 条事件（抽签记录与每位报名者的结果）")
    record = service.draw_record(workshop, leader)
    assert record is not None
    out(f"   承诺 sha256(seed) = {record.commitment[:16]}…")
    out(f"   公布种子 seed     = {record.seed[:16]}…")
    out(f"   中签：{'、'.join(_name(service, n) for n in record.winners)}")
    out(f"   verify_draw 复核：{'通过' if record.verify() else '失败'}")
    out(f"   再次触发抽签：{len(service.run_reactions(closed))} 次（只抽一次）")

    out("— 评审制：报名结束后负责人或组织者录取（第十三条，录取不可逆）—")
    review_form = attrs.evolve(
        form,
        title=f"{home.name}学生会干事选拔",
        capacity=2,
        admission=Admission(AdmissionMethod.REVIEW, "面试表现与学生工作经历综合评定"),
        organizers=("2023010102",),
        starts_at=at(10, 14, month=12),
        ends_at=at(10, 16, month=12),
    )
    selection = _publish(service, "2026-officer-selection", tribe_id, review_form, reviewers, out)
    for number in numbers[:4]:
        service.execute(Register(selection), Actor.student(number), registering)
    step(
        "组织者 录取 3 人（超出名额 2）",
        AdmitRegistrants(selection, tuple(numbers[:3])),
        organizer,
        closed,
    )
    step("组织者 批量录取 2 人", AdmitRegistrants(selection, tuple(numbers[:2])), organizer, closed)
    step("组织者 结束录取", CloseReview(selection), organizer, closed)
    statuses = [service.enrolment(selection, n, organizer) for n in numbers[:4]]
    out("   " + "；".join(f"{_name(service, e.student)} {e.status.label}" for e in statuses if e))

    out("— 申请请假（第十二条）—")
    step("赵磊 报名结束后取消报名", CancelRegistration(talk), zhao, closed)
    leave = RequestLeave(talk, "同一时间参加学科竞赛", ("proof/competition-notice.jpg",))
    step("赵磊 提交请假申请", leave, zhao, closed)
    step("组织者 批准请假", DecideLeave(talk, zhao.person_id, approve=True), organizer, closed)
    for notice in service.outbox(zhao, zhao.person_id):
        out(f"   → {_name(service, notice.student)}：{notice.text}")
    found = service.activity(talk, leader)
    assert found is not None
    out(
        f"活动「{found.form.title}」：{found.status.label}，修订 {found.revision} 次，"
        f"已录取 {len(found.roster.admitted)}/{found.form.capacity}"
    )


def _questions(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
    form: ActivityForm,
    reviewers: tuple[Actor, Actor, Actor],
) -> None:
    """002 二 6): the publisher asks for the information it needs at registration; answers that
    miss their questions are refused; the roster shows the answers to its readers only."""
    out("— 自定义报名信息（合工大 二 6：发布活动时自定义需要获取的报名同学信息）—")
    questions = (
        Question(
            "size", "志愿者服装尺码", QuestionKind.SINGLE_CHOICE, options=("S", "M", "L", "XL")
        ),
        Question(
            "slots",
            "可服务时段",
            QuestionKind.MULTIPLE_CHOICE,
            options=("上午", "下午", "晚上"),
            max_choices=2,
        ),
        Question("contact", "紧急联系人及电话", QuestionKind.TEXT, max_length=40),
        Question(
            "height",
            "身高（厘米）",
            QuestionKind.NUMBER,
            minimum=Decimal(140),
            maximum=Decimal(210),
        ),
        Question("diet", "饮食禁忌", QuestionKind.TEXT, required=False),
    )
    volunteer_form = attrs.evolve(
        form,
        title=f"{_home(service.rulebook).name}“校运会志愿者”招募",
        capacity=30,
        organizers=("2023010102",),
        registration_closes=at(18, 20, month=12),
        starts_at=at(20, 8, month=12),
        ends_at=at(20, 17, month=12),
        questions=questions,
    )
    games = _publish(service, "2026-games-volunteers", tribe_id, volunteer_form, reviewers, out)
    asked = "；".join(
        f"{q.prompt}（{q.kind.label}{'，必填' if q.required else '，选填'}）" for q in questions
    )
    out(f"   报名需填写：{asked}")
    registering = at(1, 10, month=12)
    zhao, qian = Actor.student("2024010101"), Actor.student("2024010102")
    contact = Answer("contact", text="赵父 139****0001")
    size, slots = Answer("size", choices=("M",)), Answer("slots", choices=("上午", "下午"))
    step("赵磊 报名，未填紧急联系人", Register(games, (size, slots)), zhao, registering)
    wrong = (
        Answer("size", choices=("XXL",)),
        slots,
        contact,
        Answer("height", number=Decimal(175)),
    )
    step("赵磊 报名，尺码选了没有的 XXL", Register(games, wrong), zhao, registering)
    too_tall = (size, slots, contact, Answer("height", number=Decimal(275)))
    step("赵磊 报名，身高填成 275", Register(games, too_tall), zhao, registering)
    answers = (size, slots, contact, Answer("height", number=Decimal(175)))
    step("赵磊 按要求填写后报名", Register(games, answers), zhao, registering)
    hers = (
        Answer("size", choices=("S",)),
        Answer("slots", choices=("晚上",)),
        Answer("contact", text="钱母 138****0002"),
        Answer("height", number=Decimal(162)),
        Answer("diet", text="不吃辣"),
    )
    step("钱静 报名（含选填的饮食禁忌）", Register(games, hers), qian, registering)
    organizer = Actor.student("2023010102")
    out("   组织者查看名单（报名信息仅本人、活动负责人和组织者及有权查看名单者可见）：")
    prompts = {q.code: q.prompt for q in questions}
    for row in service.roster(games, organizer):
        shown = "；".join(f"{prompts[a.question]} {a.shown()}" for a in row.answers)
        out(f"   {_name(service, row.student)}：{shown}")
    try:
        service.roster(games, qian)
    except DomainError as error:
        out(f"   钱静 查看名单：✗ [{error.code}]（他人的报名信息属个人信息）")


def _checkin(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
    talk: UUID,
    form: ActivityForm,
    reviewers: tuple[Actor, Actor, Actor],
) -> None:
    """第十五、十六条: a signed rotating code, check-ins, make-up, a no-show, the blacklist,
    and an appeal."""
    college = reviewers[1]
    organizer = Actor.student("2023010102")
    qian, sun, zhou = (Actor.student(f"20240101{n:02d}") for n in (2, 3, 4))
    out("— 签到（第十五、十六条：二维码每15秒刷新，有效时间≤10分钟，限定距离）—")
    hall = Geofence(46.5889, 125.1487, 80.0)  # 第一教学楼
    opened = at(3, 15, 5, month=12)
    session = OpenCheckInSession(talk, 10, geofence=hall)
    step("组织者 生成签到码（10分钟，80米）", session, organizer, opened)
    step(
        "组织者 生成签到码（15分钟）",
        OpenCheckInSession(talk, 15, geofence=hall),
        organizer,
        opened,
    )
    code = service.check_in_code(talk, 1, organizer, opened)
    out(f"   签到密码：{code.password}（二维码如下，内容每15秒更新）")
    for line in code.terminal().rstrip("\n").splitlines():
        out("   " + line)
    inside = Location(46.58895, 125.14875, 15.0)
    scan = CheckIn(talk, 1, token=code.token, location=inside)
    step("钱静 扫码签到", scan, qian, opened + timedelta(seconds=10))
    step("钱静 再次扫同一个码", scan, qian, opened + timedelta(seconds=12))
    stale = CheckIn(talk, 1, token=code.token, location=inside)
    step("周敏 用一分钟前的码签到", stale, zhou, opened + timedelta(minutes=1))
    far = Location(46.5960, 125.1400, 20.0)  # 宿舍区，约1公里外
    typed = CheckIn(talk, 1, password=code.password, location=far)
    step("周敏 在宿舍输入签到密码", typed, zhou, opened + timedelta(minutes=2))
    makeup = MakeUpCheckIn(talk, zhou.person_id, "现场已到，手机定位失败，签到表为证")
    step("组织者 为周敏补签", makeup, organizer, at(3, 16, 30, month=12))

    out("— 活动结束：未签到即违约，进入黑名单120小时（第十六条）—")
    ended = at(3, 17, 0, month=12)
    reading_form = attrs.evolve(
        form,
        title=f"{_home(service.rulebook).name}“读书分享会”活动",
        capacity=30,
        organizers=("2023010102",),
        registration_opens=at(3, 18, month=12),
        registration_closes=at(8, 20, month=12),
        starts_at=at(9, 14, month=12),
        ends_at=at(9, 16, month=12),
    )
    reading = _publish(service, "2026-reading-club", tribe_id, reading_form, reviewers, out)
    for outcome in service.run_reactions(ended):
        out(f"   系统结算签到：写入 {len(outcome.events)} 条事件")
    found = service.activity(talk, college)
    assert found is not None
    for number, result in found.attendance.outcomes:
        out(f"   {_name(service, number)}：{result.label}")
    report = service.integrity(sun.person_id, sun)
    assert report is not None
    if not report.entries:  # a school with a 补签 window after the end (HFUT: 5 working days)
        out("   （本校补签期未过，签到尚未结算，暂无违约记录）")
        return
    # A points-style school (the HFUT preset) blacklists only after several strikes.
    until = f"至 {report.blacklisted_until:%m-%d %H:%M}" if report.blacklisted_until else "：未列入"
    unit = "%" if service.rulebook.integrity.style is IntegrityStyle.PERCENTAGE else "分"
    out(f"   孙浩 诚信分 {float(report.score):.0f}{unit}，黑名单{until}")
    out(f"   依据：{report.entries[-1].rule}")
    step("孙浩 报名读书分享会（黑名单中）", Register(reading), sun, at(4, 9, month=12))

    out("— 申诉：学院管理员认定申诉成立，撤销违约（追加冲正事件，不删除记录）—")
    entry = report.entries[-1]
    appeal = AppealDefault(sun.person_id, entry.entry_id, "当天发热就医", ("hospital-note.jpg",))
    step("孙浩 提交申诉", appeal, sun, at(4, 10, month=12))
    decision = DecideAppeal(sun.person_id, entry.entry_id, True, "就医证明属实")
    step("学院管理员 申诉成立", decision, college, at(4, 15, month=12))
    after = service.integrity(sun.person_id, sun)
    assert after is not None
    lifted = (
        "已解除" if after.blacklisted_until is None else f"{after.blacklisted_until:%m-%d %H:%M}"
    )
    out(f"   孙浩 诚信分 {float(after.score):.0f}{unit}，黑名单：{lifted}")
    step("孙浩 再次报名读书分享会", Register(reading), sun, at(4, 16, month=12))
    qian_report = service.integrity(qian.person_id, qian)
    assert qian_report is not None
    out(f"   钱静 诚信分 {float(qian_report.score):.0f}{unit}")


def _results(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    talk: UUID,
    folder: Path,
) -> None:
    """第十八–二十条, 第四条: awards, credits, finalizing, and a verifiable transcript."""
    organizer, leader = Actor.student("2023010102"), Actor.student("2023010101")
    qian, sun, zhou = (f"20240101{n:02d}" for n in (2, 3, 4))
    after = at(4, 17, month=12)
    activity = service.activity(talk, leader)
    assert activity is not None
    closes = closing_time(activity, service.rulebook)
    late = timedelta(0)
    if closes is not None and closes >= after:  # a 补签 window after the end (HFUT: 5 days)
        late = closes + timedelta(hours=1) - after
        out(f"   （本校补签期至 {closes:%m-%d %H:%M}，签到结算后再颁奖）")
        for outcome in service.run_reactions(after + late):
            out(f"   系统结算签到：写入 {len(outcome.events)} 条事件")
    after += late
    out("— 颁发奖项与发放学分（第十八条：奖项不可撤回，学分可撤回）—")
    step(
        "组织者 为钱静颁发奖项（第十八条：由负责人颁发）",
        IssueAward(talk, "最佳提问奖", (qian,)),
        organizer,
        after,
    )
    step("李明 为钱静颁发最佳提问奖", IssueAward(talk, "最佳提问奖", (qian,)), leader, after)
    step(
        "李明 再为周敏颁发最佳提问奖（名额1）",
        IssueAward(talk, "最佳提问奖", (zhou,)),
        leader,
        after,
    )
    step("李明 给孙浩发放学分（未签到）", GrantCredits(talk, (sun,)), leader, after)
    step("李明 批量发放学分", GrantCredits(talk, (qian, zhou)), leader, after)
    step(
        "李明 撤回周敏的学分（发放错误）",
        RevokeCredits(talk, (zhou,), "补签材料不全"),
        leader,
        after,
    )
    out("— 完结活动（第十九条：生成活动记录，活动冻结）—")
    step("李明 完结活动", FinalizeActivity(talk), leader, at(5, 9, month=12) + late)
    again = GrantCredits(talk, (zhou,))
    step("李明 完结后再发放学分", again, leader, at(5, 9, 5, month=12) + late)
    record = service.student(qian, Actor.student(qian))
    assert record is not None
    ledger = "；".join(
        f"{_module_name(service, module)} {amount}{kind}"
        for (module, kind), amount in record.credits().items()
    )
    out(f"   钱静 学分账户：{ledger}")

    out("— 成绩单（第二十条：编号、永久保留、可查证）—")
    issued = service.execute(IssueTranscript(qian), Actor.student(qian), at(5, 10, month=12) + late)
    serial = next(
        e.payload.serial for e in issued.events if isinstance(e.payload, TranscriptIssued)
    )
    found = service.transcript(serial, Actor.student(qian))
    assert found is not None
    out(f"   钱静 生成学分版成绩单，编号 {serials.display(serial)}")
    for total in found.content.totals:
        out(f"   合计 {total.module}：{total.amount} {total.credit_type}")
    pdf = service.transcript_pdf(serial, Actor.student(qian), VERIFY_URL)
    credential = service.transcript_credential(serial, Actor.student(qian), VERIFY_URL)
    assert pdf is not None
    assert credential is not None
    pdf_path = folder / "second_classroom_demo_transcript.pdf"
    json_path = folder / "second_classroom_demo_credential.json"
    pdf_path.write_bytes(pdf)
    json_path.write_text(json.dumps(credential, ensure_ascii=False, indent=2), encoding="utf-8")
    out(f"   已写出 PDF：{pdf_path}（{len(pdf)} 字节）与电子证书：{json_path}")
    out("— 查证入口（第四条）—")
    out(f"   按编号查证：{service.verify_transcript(serials.display(serial)).status.label}")
    out(f"   电子证书查证：{service.verify_credential(credential).status.label}")
    out(f"   PDF 离线查证（附带的签名文件）：{service.verify_pdf(pdf).status.label}")
    forged = json.loads(json.dumps(credential, ensure_ascii=False).replace('"0.7"', '"7.0"'))
    out(f"   篡改学分后的证书：{service.verify_credential(forged).status.label}")
    typo = serial[:5] + ("X" if serial[5] != "X" else "Y") + serial[6:]
    out(f"   编号输错一位：{service.verify_transcript(typo).status.label}")


def _cadres(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
    leader: Actor,
) -> None:
    """002 一 3); 001 第四条: a year's cadres, an early end, ratings within the caps, closing."""
    rule = service.rulebook.cadre
    out("— 干部任期与考核（002 一 3）；001 第四条）—")
    term = "2026-2027学年"
    starts, ends = at(1, 0, month=12), at(1, 0, month=12) + timedelta(days=365)
    cadres = (
        ("2023010102", "王芳", "部长"),
        ("2023010103", "张伟", "副部长"),
        ("2024010101", "赵磊", "干事"),
        ("2024010102", "钱静", "干事"),
    )
    for number, name, title in cadres:
        post = AppointCadre(
            tribe_id, term, number, CadrePosition.STUDENT_UNION, title, starts, ends
        )
        step(f"李明 任命 {name} 为学生会{title}（{term}）", post, leader, at(1, 9, month=12))
    resign = EndCadreTerm(tribe_id, term, "2024010101", TermEnd.RESIGNED, "学业繁忙")
    step("赵磊 辞去干事（提前结束任期）", resign, leader, datetime(2027, 3, 1, 9, tzinfo=SHANGHAI))
    rated = ends + timedelta(days=1)
    caps = "、".join(f"{c.rating.label}≤{c.max_share * 100:.0f}%" for c in rule.caps)
    out(f"   本校比例标准：{caps or '不设比例'}；满 {rule.min_service_days} 天计分")
    step(
        "李明 在任期内考核王芳",
        RateCadre(tribe_id, term, "2023010102", CadreRating.EXCELLENT),
        leader,
        datetime(2027, 6, 1, 9, tzinfo=SHANGHAI),
    )
    ratings = (
        ("王芳", "2023010102", CadreRating.EXCELLENT),
        ("张伟", "2023010103", CadreRating.EXCELLENT),
        ("张伟", "2023010103", CadreRating.COMPETENT),
        ("赵磊", "2024010101", CadreRating.COMPETENT),
        ("钱静", "2024010102", CadreRating.BASICALLY_COMPETENT),
    )
    for name, number, rating in ratings:
        step(
            f"李明 考核 {name}：{rating.label}",
            RateCadre(tribe_id, term, number, rating),
            leader,
            rated,
        )
    step("李明 结束本轮考核", CloseCadreRound(tribe_id, term), leader, rated)
    step(
        "李明 结束后改评",
        RateCadre(tribe_id, term, "2024010102", CadreRating.EXCELLENT),
        leader,
        rated,
    )
    for number, name, _title in cadres:
        record = service.student(number, NARRATOR)
        assert record is not None
        for done in record.cadre_terms:
            earned = "；".join(f"{c.amount} {c.credit_type}" for c in done.credits) or "不计分"
            held = f"{done.organization} {done.title} {done.rating.label}"
            out(f"   {name} 工作履历：{held}（{earned}）")
    _appointment_letter(service, step, out, tribe_id, term, leader)


def _appointment_letter(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    tribe_id: UUID,
    term: str,
    leader: Actor,
) -> None:
    """002 二 8) 电子聘书: the organization issues it; the 查证入口 verifies it by serial and
    by its PDF; a student cannot issue their own."""
    out("— 电子证书（002 二 8）电子聘书）—")
    letter = IssueCertificate(
        CertificateKind.APPOINTMENT, "2023010102", round_id=ids.cadre_round_id(tribe_id, term)
    )
    when = at(2, 9, month=12)
    step("王芳 自行生成电子聘书", letter, Actor.student("2023010102"), when)
    issued = service.execute(letter, leader, when)
    serial = next(
        e.payload.serial for e in issued.events if isinstance(e.payload, CertificateIssued)
    )
    out(f"   李明（学生会负责人）生成 王芳 的电子聘书，编号 {serials.display(serial)}")
    printed = service.certificate_pdf(serial, NARRATOR, "https://verify.example.edu.cn/verify")
    assert printed is not None
    for label, answer in (
        ("按编号", service.verify_transcript(serial)),
        ("按 PDF（离线，附签名文件）", service.verify_pdf(printed)),
    ):
        shown = answer.certificate
        what = f"{shown.kind.label}：{shown.body}" if shown is not None else answer.note
        out(f"   查证{label}：{answer.status.label} · {what}")


def _practice(
    service: SecondClassroom,
    step: Callable[[str, object, Actor, datetime], None],
    out: Print,
    home: College,
    college: Actor,
) -> None:
    """002 一 4): the college's 基层团委 records its 暑期“三下乡” team over three days; the hours
    are the days × the rulebook's hours per day, not the clock span."""
    out("— 实践及培训经历（002 一 4）暑期“三下乡”）—")
    starts, ends = at(3, 8, month=12), at(5, 18, month=12)
    team = RecordPractice(
        "2026-winter-team-1",
        f"{home.name}“三下乡”实践团",
        starts,
        ends,
        ("2023010102", "2023010103"),
        college=home.code,
    )
    per_day = service.rulebook.hours.per_day
    out(f"   {starts:%m-%d %H:%M} 至 {ends:%m-%d %H:%M}，一天按 {per_day} 学时记录")
    step("学院基层团委 记录实践团队经历", team, college, at(7, 9, month=12))
    for number in team.members:
        record = service.student(number, NARRATOR)
        assert record is not None
        for entry in record.activities:
            if entry.activity_id == team.practice_id:
                out(f"   {record.name}：{entry.title} {entry.hours} 学时")


def _module_name(service: SecondClassroom, code: str) -> str:
    module = service.rulebook.module(code)
    return module.name if module else code


def _name(service: SecondClassroom, student_number: str) -> str:
    record = service.student(student_number, NARRATOR)
    return record.name if record else student_number


def _publish(
    service: SecondClassroom,
    key: str,
    tribe_id: UUID,
    form: ActivityForm,
    reviewers: tuple[Actor, Actor, Actor],
    out: Print,
) -> UUID:
    """Draft, submit and approve at every stage; the new activity's id."""
    leader = reviewers[0]
    draft = DraftActivity(tribe_id, key, form)
    activity_id = draft.activity_id
    service.execute(draft, leader, at(23, 16))
    service.execute(SubmitActivity(activity_id), leader, at(23, 16, 5))
    for reviewer in reviewers:
        service.execute(ApproveActivity(activity_id), reviewer, at(24, 11))
    out(f"   「{form.title}」（{form.admission.method.label}）已通过三级审核")
    return activity_id


def _stepper(
    service: SecondClassroom, out: Print
) -> Callable[[str, object, Actor, datetime], None]:
    counter = iter(range(1, 1000))

    def step(title: str, command: object, actor: Actor, now: datetime) -> None:
        number = next(counter)
        try:
            outcome = service.execute(command, actor, now)
        except DomainError as error:
            out(f"{number:>2}. {title}\n    ✗ 拒绝 [{error.code}] {error.message_zh}")
            return
        names = "、".join(type(e.payload).__name__ for e in outcome.events) or "无变化（幂等）"
        status = ""
        activity_id = getattr(command, "activity_id", None)
        if isinstance(command, Register | CancelRegistration | RequestLeave):
            mine = service.enrolment(command.activity_id, actor.person_id, actor)
            leave = f"，{mine.leave.label}" if mine and mine.leave else ""
            status = f" → 报名状态：{mine.status.label}{leave}" if mine else ""
        elif isinstance(
            command, ReviewClaim | DecideObjection | FileCollectiveClaim | FilePersonalClaim
        ):
            found_claim = service.claim(command.claim_id, NARRATOR)
            status = f" → 补录状态：{found_claim.status.label}" if found_claim else ""
        elif activity_id is not None and type(command) not in (AdmitRegistrants, CloseReview):
            found = service.activity(activity_id, NARRATOR)
            status = f" → 状态：{found.status.label}" if found else ""
        out(f"{number:>2}. {title}\n    ✓ {names}{status}")

    return step


def _home(rulebook: Rulebook) -> College:
    """The demo's college: NEPU's 石油工程学院 (发布规范 一), else the school's first."""
    return rulebook.college("PE") or rulebook.colleges[0]


def _form(rulebook: Rulebook) -> ActivityForm:
    """The 四六级宣讲会 under ``rulebook``: NEPU's 技能特长 module and 学分 where it has them,
    HFUT's 报告讲座 (002 一 2)) otherwise."""
    module = rulebook.module("skills") or rulebook.module("lecture") or rulebook.modules[0]
    credit_type = rulebook.credit_types[0]
    source = rulebook.credit_source_keyword or "第二课堂成绩单"
    return ActivityForm(
        title=f"{_home(rulebook).name}“四六级宣讲会”活动",
        intro="邀请外国语学院教师讲解四六级备考方法。",
        module=module.code,
        level=ActivityLevel.COLLEGE,
        registration_opens=at(30, 8),
        registration_closes=at(2, 20, month=12),
        capacity=120,
        scope=Scope(ParticipationScope.COLLEGE),
        admission=Admission(AdmissionMethod.FIRST_COME),
        participation_notes="请携带学生证，提前十分钟入场。",
        images=("poster/cet-2026.png",),
        starts_at=at(3, 14, month=12),
        ends_at=at(3, 16, month=12),
        locations=("第一教学楼",),
        details=(
            f"按照《{rulebook.school}“第二课堂成绩单”学生{source}》，"
            f"“{module.name}”模块成绩认定标准中，"
            "参加技能讲座，院级，奖励0.5分。"
        ),
        tags=("四六级", "讲座"),
        plan=AwardPlan(
            awards=(PlannedAward("最佳提问奖", 1, Decimal("0.2")),),
            credits=(PlannedCredit(module.code, credit_type, Decimal("0.5")),),
        ),
        organizers=("2023010102", "2023010103"),
    )
