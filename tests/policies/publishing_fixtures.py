"""What the publishing tests share (发布规范, 第十条, 第十一条): two host tribes, and a complete
form by 石油工程学院学生会 that every rule holds for when submitted at NOW."""

from __future__ import annotations

from decimal import Decimal

from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    TribeLevel,
)
from second_classroom.policies import publishing
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedCredit,
    Scope,
)
from tests.specification import at

PE_UNION = publishing.Host(
    name="石油工程学院学生会",
    level=TribeLevel.COLLEGE,
    college_name="石油工程学院",
    college_code="PE",
)
SCHOOL_UNION = publishing.Host(
    name="校学生会", level=TribeLevel.SCHOOL, college_name=None, college_code=None
)

CREDIT_SOURCE = (
    "按照《东北石油大学“第二课堂成绩单”学生素质考评办法》，表 7：“技能特长”模块成绩认定标准中，"
    "参加外语能力提升类讲座，院级，奖励0.5分。"
)

# A complete form by 石油工程学院学生会, submitted at NOW (Monday 23 November 2026), starting
# the next Monday: every rule of the 发布规范 holds.
VALID = ActivityForm(
    title="石油工程学院“四六级宣讲会”活动",
    intro="邀请外国语学院教师讲解四六级考试的题型与备考方法。",
    module="skills",
    level=ActivityLevel.COLLEGE,
    registration_opens=at(11, 23, 10),
    registration_closes=at(11, 27, 18),
    capacity=100,
    scope=Scope(ParticipationScope.COLLEGE),
    admission=Admission(AdmissionMethod.FIRST_COME),
    participation_notes="仅限石油工程学院本科生报名，请提前十分钟到场签到。",
    images=("poster.png",),
    attachments=("活动策划方案.pdf",),
    starts_at=at(11, 30, 14),
    ends_at=at(11, 30, 16),
    locations=("第一教学楼F座118室",),
    details="讲座分为题型解析、备考经验分享和现场答疑三部分。" + CREDIT_SOURCE,
    tags=("四六级", "讲座"),
    plan=AwardPlan(credits=(PlannedCredit("skills", "学分", Decimal("0.5")),)),
    organizers=("张三", "李四"),
)
