"""The activity form (第十条 and 发布规范): everything a publisher fills in.

A value the publishing rules (``policies.publishing``) check and the Activity aggregate holds:
it sits with the rules, below the aggregates, so the rules never import an aggregate.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from second_classroom.core.terms import AdmissionMethod, ParticipationScope
from second_classroom.core.text import (
    Code,
    Credit,
    Detail,
    LevelCode,
    Name,
    PersonId,
    Proof,
    Title,
)
from second_classroom.core.time import aware_or_none
from second_classroom.policies.registration_questions import Question


@attrs.frozen
class Scope:
    """参与范围; ``colleges`` lists the college codes of a custom (自定义) scope."""

    kind: ParticipationScope = ParticipationScope.SCHOOL
    colleges: tuple[Code, ...] = ()


@attrs.frozen
class Admission:
    """录取方式, with the written criteria a 评审制 activity needs (发布规范 九)."""

    method: AdmissionMethod = AdmissionMethod.FIRST_COME
    review_criteria: Detail = ""
    waitlist: bool = False  # 报名制: a full activity queues newcomers instead of refusing


@attrs.frozen
class PlannedAward:
    """An award on offer (发布规范 十三): name, quota in persons or groups, credit it carries."""

    name: Name
    quota: int
    credit: Credit = Decimal(0)


@attrs.frozen
class PlannedCredit:
    """Credits on offer for participation (发布规范 十四)."""

    module: Code
    credit_type: Name
    amount: Credit


@attrs.frozen
class AwardPlan:
    """活动奖项及学分. The awards issue gives it rules; here it is carried and fixed at approval."""

    awards: tuple[PlannedAward, ...] = ()
    credits: tuple[PlannedCredit, ...] = ()


@attrs.frozen
class ActivityForm:
    """All fields of the publishing form.

    A draft may leave fields empty, but what it fills in must already be right (a capacity
    with a fitting organizer count, 评审制 with its criteria, ...); submission checks all.
    """

    title: Title = ""
    intro: Detail = ""
    module: Code = ""
    level: LevelCode | None = None
    registration_opens: datetime | None = attrs.field(default=None, validator=aware_or_none)
    registration_closes: datetime | None = attrs.field(default=None, validator=aware_or_none)
    capacity: int | None = None
    scope: Scope = attrs.field(factory=Scope)
    admission: Admission = attrs.field(factory=Admission)
    participation_notes: Detail = ""
    images: tuple[Proof, ...] = ()
    attachments: tuple[Proof, ...] = ()
    starts_at: datetime | None = attrs.field(default=None, validator=aware_or_none)
    ends_at: datetime | None = attrs.field(default=None, validator=aware_or_none)
    locations: tuple[Name, ...] = ()
    details: Detail = ""
    tags: tuple[Name, ...] = ()
    plan: AwardPlan = attrs.field(factory=AwardPlan)
    organizers: tuple[PersonId, ...] = ()
    # 002 二 3) 第二课堂活动指导老师工作量表: the activity's 指导老师 (工号), for their workload.
    advisors: tuple[PersonId, ...] = ()
    category: Code = ""  # 活动二级分类 of ``module`` (001 附件4); "": none named
    # 发布规范 十 若活动范围涉及全校可不进行签到距离限制: the venue spans the whole campus (a campus
    # run, a campus-wide hunt), so no distance limit fits. Not the participation scope.
    campus_wide_venue: bool = False
    # 002 二 6) 管理员在发布活动报名信息时可自定义需要获取的报名同学信息
    questions: tuple[Question, ...] = ()

    def texts(self) -> dict[str, str]:
        """Every free-text field, by name, for the content rules."""
        fields = {
            "title": self.title,
            "intro": self.intro,
            "participation_notes": self.participation_notes,
            "details": self.details,
            "review_criteria": self.admission.review_criteria,
        }
        fields.update({f"locations[{i}]": v for i, v in enumerate(self.locations)})
        fields.update({f"tags[{i}]": v for i, v in enumerate(self.tags)})
        fields.update({f"attachments[{i}]": v for i, v in enumerate(self.attachments)})
        fields.update({f"awards[{i}]": a.name for i, a in enumerate(self.plan.awards)})
        fields.update({f"questions[{i}]": q.prompt for i, q in enumerate(self.questions)})
        fields.update(
            {
                f"questions[{i}].options[{j}]": option
                for i, q in enumerate(self.questions)
                for j, option in enumerate(q.options)
            }
        )
        return fields
