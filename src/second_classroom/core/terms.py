"""The domain's vocabulary: each enum value is a stable code, ``label`` gives the Chinese term."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A code with its Chinese label."""

    @property
    def label(self) -> str:
        return _LABELS[(type(self).__name__, self.value)]


class ActivityLevel:
    """活动级别: the level codes the packaged presets use. A school's levels are data, not this
    list: its rulebook's ``activity_levels`` declares each one's code, Chinese name and reach
    (``policies.rulebook.Level``), and a form carries the code, checked against them."""

    SCHOOL = "school"  # 校级
    COLLEGE = "college"  # 院系级
    CLASS = "class"  # 班团
    # 003 (科研成果…分国家级、省部级、校级三档记入学分): tiers above the school.
    NATIONAL = "national"  # 国家级
    PROVINCIAL = "provincial"  # 省部级


class TribeLevel(Labelled):
    """部落级别."""

    SCHOOL = "school"
    COLLEGE = "college"
    CLASS = "class"


class TribeKind(Labelled):
    """部落类型 (第七条, 发布规范 十六)."""

    STUDENT_UNION = "student_union"
    SERVICE_CENTER = "service_center"
    CLUB_FEDERATION = "club_federation"
    ART_TROUPE = "art_troupe"
    CLUB = "club"
    CLASS = "class"
    LEAGUE_COMMITTEE = "league_committee"
    DEPARTMENT = "department"
    TRAINING = "training"


class ReviewStage(Labelled):
    """审核环节."""

    TRIBE = "tribe"
    COLLEGE = "college"
    SCHOOL = "school"


class ParticipationScope(Labelled):
    """参与范围 (发布规范 八)."""

    TRIBE = "tribe"
    COLLEGE = "college"
    SCHOOL = "school"
    CUSTOM = "custom"
    UNLIMITED = "unlimited"


class AdmissionMethod(Labelled):
    """录取方式 (发布规范 九)."""

    FIRST_COME = "first_come"
    LOTTERY = "lottery"
    REVIEW = "review"


class Program(Labelled):
    """培养层次."""

    UNDERGRADUATE = "undergraduate"
    GRADUATE = "graduate"


class CadrePosition(Labelled):
    """干部岗位 (001 第四条 学生会、学生组织、学生社团、班委; 002 一 3) 党团学干部)."""

    STUDENT_UNION = "student_union"
    STUDENT_ORGANIZATION = "student_organization"
    CLUB = "club"
    CLASS_COMMITTEE = "class_committee"
    LEAGUE_CADRE = "league_cadre"


class CadreRating(Labelled):
    """考核等级 (002 一 3) 优秀、称职、一般称职、不称职分级评价)."""

    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASICALLY_COMPETENT = "basically_competent"
    INCOMPETENT = "incompetent"


class QuestionKind(Labelled):
    """报名信息的题型 (002 二 6) 管理员在发布活动报名信息时可自定义需要获取的报名同学信息)."""

    TEXT = "text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"


_LABELS: dict[tuple[str, str], str] = {
    ("TribeLevel", TribeLevel.SCHOOL.value): "校级",
    ("TribeLevel", TribeLevel.COLLEGE.value): "院级",
    ("TribeLevel", TribeLevel.CLASS.value): "班级",
    ("TribeKind", TribeKind.STUDENT_UNION.value): "学生会",
    ("TribeKind", TribeKind.SERVICE_CENTER.value): "第二课堂服务中心",
    ("TribeKind", TribeKind.CLUB_FEDERATION.value): "社团联合会",
    ("TribeKind", TribeKind.ART_TROUPE.value): "艺术团",
    ("TribeKind", TribeKind.CLUB.value): "社团",
    ("TribeKind", TribeKind.CLASS.value): "班级",
    ("TribeKind", TribeKind.LEAGUE_COMMITTEE.value): "团委",
    ("TribeKind", TribeKind.DEPARTMENT.value): "职能部门",
    ("TribeKind", TribeKind.TRAINING.value): "培训部落",
    ("ReviewStage", ReviewStage.TRIBE.value): "部落审核",
    ("ReviewStage", ReviewStage.COLLEGE.value): "院级审核",
    ("ReviewStage", ReviewStage.SCHOOL.value): "校级审核",
    ("ParticipationScope", ParticipationScope.TRIBE.value): "部落内",
    ("ParticipationScope", ParticipationScope.COLLEGE.value): "院系内",
    ("ParticipationScope", ParticipationScope.SCHOOL.value): "学校内",
    ("ParticipationScope", ParticipationScope.CUSTOM.value): "自定义",
    ("ParticipationScope", ParticipationScope.UNLIMITED.value): "不限",
    ("AdmissionMethod", AdmissionMethod.FIRST_COME.value): "报名制",
    ("AdmissionMethod", AdmissionMethod.LOTTERY.value): "中签制",
    ("AdmissionMethod", AdmissionMethod.REVIEW.value): "评审制",
    ("Program", Program.UNDERGRADUATE.value): "本科",
    ("Program", Program.GRADUATE.value): "研究生",
    ("CadrePosition", CadrePosition.STUDENT_UNION.value): "学生会",
    ("CadrePosition", CadrePosition.STUDENT_ORGANIZATION.value): "学生组织",
    ("CadrePosition", CadrePosition.CLUB.value): "社团",
    ("CadrePosition", CadrePosition.CLASS_COMMITTEE.value): "班委",
    ("CadrePosition", CadrePosition.LEAGUE_CADRE.value): "团学干部",
    ("CadreRating", CadreRating.EXCELLENT.value): "优秀",
    ("CadreRating", CadreRating.COMPETENT.value): "称职",
    ("CadreRating", CadreRating.BASICALLY_COMPETENT.value): "一般称职",
    ("CadreRating", CadreRating.INCOMPETENT.value): "不称职",
    ("QuestionKind", QuestionKind.TEXT.value): "填空",
    ("QuestionKind", QuestionKind.SINGLE_CHOICE.value): "单选",
    ("QuestionKind", QuestionKind.MULTIPLE_CHOICE.value): "多选",
    ("QuestionKind", QuestionKind.NUMBER.value): "数字",
}


class AttendanceOutcome(StrEnum):
    """How an admitted student's participation ended (第十六条)."""

    ATTENDED = "attended"
    NO_SHOW = "no_show"  # 未进行签到
    SIGNED_OFF = "signed_off"  # 被负责人、组织者签退
    EXCUSED = "excused"  # 请假已批准

    @property
    def label(self) -> str:
        return {
            "attended": "已参加",
            "no_show": "未签到",
            "signed_off": "被签退",
            "excused": "已请假",
        }[self.value]
