"""A synthetic school for load tests and benchmarks: deterministic for a given seed.

``School.found(service, students=…)`` creates colleges' student unions (certified, with a
qualified leader) and registers students; ``publish`` puts an activity through the full review
chain. Benchmarks and ``second-classroom simulate`` build on it; a platform can point it at its
own deployment to load-test it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity
from second_classroom.aggregates.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedCredit,
    Scope,
)
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    TribeKind,
    TribeLevel,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.service import SecondClassroom

SCHOOL_ADMIN = Actor.school_admin("T-sim-school")
TERM_START = datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI)  # a Monday of the autumn term
Progress = Callable[[int], None]


@attrs.frozen
class Union:
    college: str
    college_name: str
    tribe_id: UUID
    leader: Actor
    organizer: str


@attrs.frozen
class School:
    """What the generator built: unions per college and the students' numbers by college."""

    unions: tuple[Union, ...]
    students: tuple[tuple[str, str], ...]  # (student number, college)

    @classmethod
    def found(
        cls,
        service: SecondClassroom,
        students: int,
        seed: int = 2026,
        progress: Progress | None = None,
    ) -> School:
        rng = random.Random(seed)
        colleges = service.rulebook.colleges
        unions = []
        for index, college in enumerate(colleges):
            create = CreateTribe(
                f"SU-{college.code}",
                f"{college.name}学生会",
                TribeKind.STUDENT_UNION,
                TribeLevel.COLLEGE,
                college.code,
            )
            admin = Actor.college_admin(f"T-sim-{college.code}", college.code)
            service.execute(create, admin, TERM_START)
            service.execute(CertifyTribe(create.tribe_id), SCHOOL_ADMIN, TERM_START)
            leader, organizer = f"L{index:03d}0001", f"L{index:03d}0002"
            for number in (leader, organizer):
                service.execute(
                    RegisterStudent(number, "学生干部", college.code, "干部班", 2024),
                    admin,
                    TERM_START,
                )
            service.execute(RecordPublisherExam(leader, 90), admin, TERM_START)
            service.execute(
                AppointTribeRole(create.tribe_id, leader, TribeRole.LEADER), admin, TERM_START
            )
            unions.append(
                Union(college.code, college.name, create.tribe_id, Actor.student(leader), organizer)
            )
        numbers = []
        for n in range(students):
            college = colleges[rng.randrange(len(colleges))]
            number = f"S{n:07d}"
            admin = Actor.college_admin(f"T-sim-{college.code}", college.code)
            service.execute(
                RegisterStudent(
                    number, f"学生{n}", college.code, f"{college.code}-{n % 30}", 2023 + n % 4
                ),
                admin,
                TERM_START,
            )
            numbers.append((number, college.code))
            if progress is not None:
                progress(1)
        return cls(tuple(unions), tuple(numbers))

    def publish(
        self,
        service: SecondClassroom,
        union: Union,
        key: str,
        method: AdmissionMethod = AdmissionMethod.FIRST_COME,
        capacity: int = 50,
        starts: datetime = TERM_START + timedelta(days=14),
        module: str = "skills",
        scope: ParticipationScope = ParticipationScope.SCHOOL,
    ) -> UUID:
        """An approved college-level activity (三级审核), registration open the week before."""
        activity_id = ids.activity_id(union.tribe_id, key)
        organizers = (
            () if capacity <= 50 else (union.organizer,) * 0 + organizer_list(union, capacity)
        )
        form = ActivityForm(
            title=f"{union.college_name}“{key}”活动",
            intro="模拟活动",
            module=module,
            level=ActivityLevel.COLLEGE,
            registration_opens=starts - timedelta(days=7),
            registration_closes=starts - timedelta(hours=2),
            capacity=capacity,
            scope=Scope(scope),
            admission=Admission(method, "综合评定" if method is AdmissionMethod.REVIEW else ""),
            participation_notes="按时参加。",
            images=("poster.png",),
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            locations=("第一教学楼101室",),
            details="按照《第二课堂成绩单学生素质考评办法》认定学分。",
            plan=AwardPlan(credits=(PlannedCredit(module, "学分", Decimal("0.5")),)),
            organizers=organizers,
        )
        leader = union.leader
        service.execute(DraftActivity(activity_id, union.tribe_id, form), leader, TERM_START)
        service.execute(SubmitActivity(activity_id), leader, TERM_START)
        college_admin = Actor.college_admin(f"T-sim-{union.college}", union.college)
        for reviewer in (leader, college_admin, SCHOOL_ADMIN):
            service.execute(ApproveActivity(activity_id), reviewer, TERM_START)
        return activity_id


def organizer_list(union: Union, capacity: int) -> tuple[str, ...]:
    """Enough organizers for 发布规范 四 (capacity above 50 needs at least one per band)."""
    needed = 1 if capacity <= 150 else 3 if capacity <= 300 else 5
    return tuple(f"{union.organizer}-{k}" for k in range(needed))
