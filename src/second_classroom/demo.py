"""The demo scenario (第十条、第十一条): a tribe publishes a college-level activity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import attrs

from second_classroom.aggregates.activity import (
    ApproveActivity,
    ChangeActivityDetails,
    DraftActivity,
    EditDraft,
    RejectActivity,
    SubmitActivity,
)
from second_classroom.aggregates.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedCredit,
    Scope,
)
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import (
    AddTribeMember,
    AppointTribeRole,
    CertifyTribe,
    CreateTribe,
    TribeRole,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    TribeKind,
    TribeLevel,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.service import SecondClassroom

Print = Callable[[str], None]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def run_demo(path: Path, out: Print = print) -> SecondClassroom:
    """Play the scenario on the SQLite file at ``path`` and print each step."""
    service = SecondClassroom.sqlite(path)
    school = Actor.school_admin("T-校团委-001")
    college = Actor.college_admin("T-石工-007", "PE")
    leader = Actor.student("2023010101")
    step = _stepper(service, out)

    out(f"第二课堂成绩单 演示 · {service.rulebook.school} · 数据文件 {path}")
    out("— 部落与人员（第七条、第十条）—")
    union = CreateTribe(
        "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
    )
    step("学院管理员创建部落「石油工程学院学生会」", union, college, at(23, 8, 30))
    step("校团委认证该部落（发布规范 十六）", CertifyTribe(union.tribe_id), school, at(23, 8, 35))
    for number, name in (("2023010101", "李明"), ("2023010102", "王芳"), ("2023010103", "张伟")):
        register = RegisterStudent(number, name, "PE", "石工23-1班", 2023)
        step(f"注册学生 {name}（{number}）", register, college, at(23, 8, 40))
        step(f"{name} 加入部落", AddTribeMember(union.tribe_id, number), college, at(23, 8, 41))
    step(
        "任命 李明 为部落负责人",
        AppointTribeRole(union.tribe_id, "2023010101", TribeRole.LEADER),
        college,
        at(23, 8, 45),
    )

    out("— 发布活动（第十条、发布规范）—")
    activity_id = ids.activity_id(union.tribe_id, "2026-cet-talk")
    form = _form()
    step("李明 创建活动草稿", DraftActivity(activity_id, union.tribe_id, form), leader, at(23, 9))
    step("李明 提交审核（尚未通过发布考试）", SubmitActivity(activity_id), leader, at(23, 9, 5))
    step(
        "登记 李明 通过发布考试（首次发布活动需考试）",
        RecordPublisherExam("2023010101", 92),
        college,
        at(23, 9, 20),
    )
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
        phase = service.phase(activity_id, moment)
        out(f"  {moment:%Y-%m-%d %H:%M}  {phase.label if phase else '—'}")

    out("— 活动信息变更（第十四条，待群发通知）—")
    later = ChangeActivityDetails(
        activity_id, starts_at=at(3, 15, month=12), ends_at=at(3, 17, month=12)
    )
    step("李明 将活动推迟一小时", later, leader, at(26, 9))
    found = service.activity(activity_id)
    assert found is not None
    out(f"活动「{found.form.title}」状态：{found.status.label}，修订 {found.revision} 次")
    return service


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
        if activity_id is not None:
            found = service.activity(activity_id)
            status = f" → 状态：{found.status.label}" if found else ""
        out(f"{number:>2}. {title}\n    ✓ {names}{status}")

    return step


def _form() -> ActivityForm:
    return ActivityForm(
        title="石油工程学院“四六级宣讲会”活动",
        intro="邀请外国语学院教师讲解四六级备考方法。",
        module="skills",
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
            "按照《东北石油大学“第二课堂成绩单”学生素质考评办法》，表7“技能特长”模块成绩认定标准中，"
            "参加技能讲座，院级，奖励0.5分。"
        ),
        tags=("四六级", "讲座"),
        plan=AwardPlan(credits=(PlannedCredit("skills", "学分", Decimal("0.5")),)),
        organizers=("2023010102", "2023010103"),
    )
