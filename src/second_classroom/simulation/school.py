"""A synthetic school: colleges → tribes (student unions, clubs, classes) → students, with
memberships; and activities put through the rulebook's review chain for their level.

Deterministic for a given seed. Benchmarks, tests and ``second-classroom simulate`` build on
it; a platform can point it at its own deployment to load-test it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import (
    AddTribeMember,
    ApplyToTribe,
    AppointTribeRole,
    ApproveTribeMember,
    CertifyTribe,
    CreateTribe,
    TribeRole,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.service import SecondClassroom

SCHOOL_ADMIN = Actor.school_admin("T-sim-school")
TERM_START = datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI)  # a Monday of the autumn term
CLASS_SIZE = 40  # students per class (班级), about; at most 30 classes a college
STUDENTS_PER_CLUB = 2000  # one club (社团) for every so many students, at least one
CLUB_JOINERS = 0.2  # share of students who apply to a club
Progress = Callable[[int], None]

_ACTIVITY_LEVEL = {
    TribeLevel.SCHOOL: ActivityLevel.SCHOOL,
    TribeLevel.COLLEGE: ActivityLevel.COLLEGE,
    TribeLevel.CLASS: ActivityLevel.CLASS,
}


@attrs.frozen
class Host:
    """A certified tribe that publishes: its qualified leader, an organizer, and (for clubs
    and classes) its members."""

    tribe_id: UUID
    name: str
    level: TribeLevel
    college: str | None
    leader: Actor
    organizer: str
    members: tuple[str, ...] = ()


@attrs.frozen
class School:
    """What the generator built: the tribes that publish, and the students by college."""

    unions: tuple[Host, ...]  # one 学生会 per college
    clubs: tuple[Host, ...]  # 社团, school level
    classes: tuple[Host, ...]  # 班级, one per class with students
    students: tuple[tuple[str, str], ...]  # (student number, college)

    @property
    def hosts(self) -> tuple[Host, ...]:
        return (*self.unions, *self.clubs, *self.classes)

    @classmethod
    def found(
        cls,
        service: SecondClassroom,
        students: int,
        seed: int = 2026,
        progress: Progress | None = None,
    ) -> School:
        """Register ``students`` students; create and certify the unions, clubs and classes,
        each with a qualified leader; put every student in their class, and some in a club.
        ``progress`` is told of every command run (ticks to the student count and beyond)."""
        rng = random.Random(seed)
        tick = progress or (lambda _n: None)
        colleges = service.rulebook.colleges
        unions = tuple(
            _found_tribe(
                service,
                CreateTribe(
                    f"SU-{c.code}",
                    f"{c.name}学生会",
                    TribeKind.STUDENT_UNION,
                    TribeLevel.COLLEGE,
                    c.code,
                ),
                f"L{i:03d}",
            )
            for i, c in enumerate(colleges)
        )
        numbers: list[tuple[str, str]] = []
        by_class: dict[tuple[str, int], list[str]] = {}
        groups = max(1, min(30, students // (len(colleges) * CLASS_SIZE)))
        for n in range(students):
            college = colleges[rng.randrange(len(colleges))].code
            number, group = f"S{n:07d}", n % groups
            register = RegisterStudent(
                number, f"学生{n}", college, f"{college}-{group}", 2023 + n % 4
            )
            service.execute(register, _college_admin(college), TERM_START)
            numbers.append((number, college))
            by_class.setdefault((college, group), []).append(number)
            tick(1)
        classes = []
        for (college, group), members in sorted(by_class.items()):
            create = CreateTribe(
                f"CL-{college}-{group}",
                f"{college}-{group}班",
                TribeKind.CLASS,
                TribeLevel.CLASS,
                college,
            )
            host = _found_tribe(service, create, f"C{college}{group:02d}", members=members)
            for member in members:
                add = AddTribeMember(host.tribe_id, member)
                service.execute(add, host.leader, TERM_START)
            tick(len(members))
            classes.append(host)
        clubs = []
        for k in range(max(1, students // STUDENTS_PER_CLUB)):
            create = CreateTribe(f"CB-{k}", f"第{k + 1}社团", TribeKind.CLUB, TribeLevel.SCHOOL)
            joiners = [n for n, _ in numbers if rng.random() < CLUB_JOINERS / max(1, k + 1)]
            club = _found_tribe(service, create, f"K{k:03d}", members=joiners)
            for joiner in joiners:
                service.execute(ApplyToTribe(club.tribe_id), Actor.student(joiner), TERM_START)
                approve = ApproveTribeMember(club.tribe_id, joiner)
                service.execute(approve, club.leader, TERM_START)
            tick(2 * len(joiners))
            clubs.append(club)
        return cls(unions, tuple(clubs), tuple(classes), tuple(numbers))

    def publish(
        self,
        service: SecondClassroom,
        host: Host,
        key: str,
        method: AdmissionMethod = AdmissionMethod.FIRST_COME,
        capacity: int = 50,
        starts: datetime = TERM_START + timedelta(days=14),
        module: str = "skills",
        scope: ParticipationScope | None = None,
        awards: bool = False,
        level: str | None = None,
    ) -> UUID:
        """An approved activity at the host's level, through the rulebook's review chain for
        that level (第十一条), registration open the week before. ``scope`` None: the widest
        the level allows — 院系内 for a college-level activity (发布规范 二), else 学校内."""
        activity_id = ids.activity_id(host.tribe_id, key)
        if scope is None:
            college_level = held_in_college(service, level or level_of(service, host))
            scope = ParticipationScope.COLLEGE if college_level else ParticipationScope.SCHOOL
        form = ActivityForm(
            title=f"{host.name}“{key}”活动",
            intro="模拟活动",
            module=module,
            level=level or level_of(service, host),
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
            details=f"按照《第二课堂成绩单{service.rulebook.credit_source_keyword}》认定学分。",
            plan=AwardPlan(
                awards=(PlannedAward("一等奖", 1, Decimal("1")),) if awards else (),
                credits=(PlannedCredit(module, service.rulebook.credit_types[0], Decimal("0.5")),),
            ),
            organizers=organizer_list(host, capacity),
        )
        service.execute(DraftActivity(host.tribe_id, key, form), host.leader, TERM_START)
        service.execute(SubmitActivity(activity_id), host.leader, TERM_START)
        for reviewer in reviewers(service, host, form.level):
            service.execute(ApproveActivity(activity_id), reviewer, TERM_START)
        return activity_id


def reviewers(service: SecondClassroom, host: Host, level: str | None = None) -> Iterator[Actor]:
    """Who approves each stage of the chain for the host's level (tribe → college → school)."""
    for stage in service.rulebook.chain(level or level_of(service, host)):
        if stage is ReviewStage.TRIBE:
            yield host.leader
        elif stage is ReviewStage.COLLEGE:
            assert host.college is not None, "a college review needs the host's college"
            yield _college_admin(host.college)
        else:
            yield SCHOOL_ADMIN


def level_of(service: SecondClassroom, host: Host) -> str:
    """The level the host publishes at: its own when the rulebook lets it, else the first
    level its tribe level may publish (003's school tribes publish 校级 and the tiers above)."""
    allowed = service.rulebook.levels_for(host.level)
    own = _ACTIVITY_LEVEL[host.level]
    if own in allowed or not allowed:
        return own
    return allowed[0]


def held_in_college(service: SecondClassroom, level: str) -> bool:
    """Whether ``level`` reaches one college only (院系级: held within it, 发布规范 二)."""
    found = service.rulebook.level(level)
    return found is not None and found.reach is TribeLevel.COLLEGE


def organizer_list(host: Host, capacity: int) -> tuple[str, ...]:
    """Enough organizers for 发布规范 四 (capacity above 50 needs at least one per band)."""
    if capacity <= 50:
        return ()
    needed = 1 if capacity <= 150 else 3 if capacity <= 300 else 5
    return tuple(f"{host.organizer}-{k}" for k in range(needed))


def _college_admin(college: str | None) -> Actor:
    return SCHOOL_ADMIN if college is None else Actor.college_admin(f"T-sim-{college}", college)


def _found_tribe(
    service: SecondClassroom, create: CreateTribe, cadre: str, members: list[str] | None = None
) -> Host:
    """Create and certify the tribe; register its leader (with the publisher exam) and an
    organizer, and appoint the leader."""
    admin = _college_admin(create.college)
    service.execute(create, admin, TERM_START)
    service.execute(CertifyTribe(create.tribe_id), SCHOOL_ADMIN, TERM_START)
    leader, organizer = f"{cadre}0001", f"{cadre}0002"
    college = create.college or service.rulebook.colleges[0].code  # a club's cadres study somewhere
    for number in (leader, organizer):
        cadre_record = RegisterStudent(number, "学生干部", college, "干部班", 2024)
        service.execute(cadre_record, _college_admin(college), TERM_START)
    service.execute(RecordPublisherExam(leader, 90), admin, TERM_START)
    appoint = AppointTribeRole(create.tribe_id, leader, TribeRole.LEADER)
    service.execute(appoint, admin, TERM_START)
    return Host(
        create.tribe_id,
        create.name,
        create.level,
        create.college,
        Actor.student(leader),
        organizer,
        tuple(members or ()),
    )


__all__ = [
    "SCHOOL_ADMIN",
    "TERM_START",
    "Host",
    "School",
    "level_of",
    "organizer_list",
    "reviewers",
]
