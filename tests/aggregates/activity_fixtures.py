"""A certified college tribe, its people, a complete valid form (东北石油大学), and the events of
the leader drafting and submitting it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from second_classroom.aggregates.activity import (
    ActivityContext,
    ActivityDrafted,
    ActivitySubmitted,
)
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    Program,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedCredit,
    Scope,
)
from second_classroom.policies.rulebook import Rulebook
from tests.specification import NEPU, NOW, at, context

TRIBE = Tribe(
    ids.tribe_id("PE-SU"),
    "PE-SU",
    "石油工程学院学生会",
    TribeKind.STUDENT_UNION,
    TribeLevel.COLLEGE,
    "PE",
    certified=True,
    leaders=frozenset({"2023010101"}),
    admins=frozenset({"2023010104"}),
    organizers=frozenset({"2023010102"}),
    members=frozenset({"2023010101", "2023010102", "2023010103", "2023010104"}),
)
SCHOOL_TRIBE = Tribe(
    ids.tribe_id("SCHOOL-SU"),
    "SCHOOL-SU",
    "校学生会",
    TribeKind.STUDENT_UNION,
    TribeLevel.SCHOOL,
    None,
    certified=True,
    leaders=frozenset({"2022000001"}),
)
CLASS_TRIBE = Tribe(
    ids.tribe_id("PE-23-1"),
    "PE-23-1",
    "石油工程23-1班",
    TribeKind.CLASS,
    TribeLevel.CLASS,
    "PE",
    certified=True,
    leaders=frozenset({"2023010101"}),
)
ACTIVITY_KEY = "cet-talk"
ACTIVITY_ID = ids.activity_id(TRIBE.id, ACTIVITY_KEY)


def tribe_actor(person: str, tribe: Tribe = TRIBE) -> Actor:
    """A student with whatever roles ``tribe`` gives them (as the facade derives them)."""
    return Actor(person, {Role.student(), *tribe.roles_of(person)})


LEADER = tribe_actor("2023010101")
TRIBE_ADMIN = tribe_actor("2023010104")
ORGANIZER = tribe_actor("2023010102")
MEMBER = tribe_actor("2023010103")
OUTSIDER = Actor.student("2024999999")


def record(number: str, qualified: bool = True) -> StudentRecord:
    return StudentRecord(
        ids.student_id(number),
        number,
        "李明",
        "PE",
        "石工23-1班",
        2023,
        Program.UNDERGRADUATE,
        publisher_qualified_at=NOW if qualified else None,
    )


FORM = ActivityForm(
    title="石油工程学院“四六级宣讲会”活动",
    intro="邀请外国语学院教师讲解四六级备考方法。",
    module="skills",
    level=ActivityLevel.COLLEGE,
    registration_opens=at(11, 30, 8),
    registration_closes=at(12, 2, 20),
    capacity=120,
    scope=Scope(ParticipationScope.COLLEGE),
    admission=Admission(AdmissionMethod.FIRST_COME),
    participation_notes="请携带学生证。",
    images=("poster.png",),
    starts_at=at(12, 3, 14),
    ends_at=at(12, 3, 16),
    locations=("第一教学楼F座118室",),
    details="按照《东北石油大学“第二课堂成绩单”学生素质考评办法》，技能特长模块，院级，奖励0.5分。",
    tags=("讲座",),
    plan=AwardPlan(credits=(PlannedCredit("skills", "学分", Decimal("0.5")),)),
    organizers=("2023010102", "2023010103"),
)


def actx(
    actor: Actor,
    now: datetime = NOW,
    tribe: Tribe | None = TRIBE,
    qualified: bool = True,
    rulebook: Rulebook = NEPU,
) -> ActivityContext:
    """The activity context as the facade builds it: host tribe and the actor's record."""
    return ActivityContext(context(actor, now, rulebook), tribe, record(actor.person_id, qualified))


def form(**changes: Any) -> ActivityForm:
    return attrs.evolve(FORM, **changes)


DRAFTED = ActivityDrafted(ACTIVITY_ID, TRIBE.id, FORM, LEADER.person_id, NOW)
SUBMITTED = ActivitySubmitted(ACTIVITY_ID, ReviewStage.TRIBE, LEADER.person_id, NOW)
