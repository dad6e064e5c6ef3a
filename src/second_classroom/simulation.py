"""A synthetic school for load tests and benchmarks: deterministic for a given seed.

``School.found(service, students=…)`` creates colleges' student unions (certified, with a
qualified leader) and registers students; ``publish`` puts an activity through the full review
chain. Benchmarks and ``second-classroom simulate`` build on it; a platform can point it at its
own deployment to load-test it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity
from second_classroom.aggregates.activity_attendance import Outcome
from second_classroom.aggregates.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.aggregates.checkin import CheckIn, OpenCheckInSession
from second_classroom.aggregates.enrolment import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits, IssueAward
from second_classroom.aggregates.student import (
    AppealDefault,
    DecideAppeal,
    RecordPublisherExam,
    RegisterStudent,
)
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
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
        awards: bool = False,
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
            plan=AwardPlan(
                awards=(PlannedAward("一等奖", 1, Decimal("1")),) if awards else (),
                credits=(PlannedCredit(module, "学分", Decimal("0.5")),),
            ),
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


# -- a semester -----------------------------------------------------------------------------


@attrs.frozen
class StageFigures:
    name: str
    commands: int
    seconds: float

    @property
    def commands_per_s(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0


@attrs.frozen
class SimulationReport:
    """What ``simulate`` did: events, figures per stage, peak memory, view sizes, checks."""

    events: int
    stages: tuple[StageFigures, ...]
    peak_rss_mb: float
    view_rows: tuple[tuple[str, int], ...]
    over_admitted: int
    ledger_mismatches: int


class _Stage:
    """Runs a stage's commands, ``batch`` to a transaction, with a progress bar."""

    def __init__(
        self, service: SecondClassroom, name: str, total: int, bars: bool, batch: int = 1
    ) -> None:
        from tqdm import tqdm

        self.service, self.name, self.commands, self.batch = service, name, 0, batch
        self.bar = tqdm(total=total, desc=name, unit="cmd", disable=not bars, leave=True)
        self.started = time.perf_counter()
        self._open: ExitStack | None = None
        self._in_batch = 0

    def run(self, command: object, actor: Actor, now: datetime) -> bool:
        self.begin()
        try:
            self.service.execute(command, actor, now)
        except DomainError:
            return False
        finally:
            self.count(1)
        return True

    def begin(self) -> None:
        """Open a batch if none is open (commands run next are stored with it)."""
        if self.batch > 1 and self._open is None:
            self._open = ExitStack()
            self._open.enter_context(self.service.batch())

    def count(self, commands: int) -> None:
        """``commands`` ran: count them, and store the batch once it is full."""
        self.commands += commands
        self.bar.update(commands)
        self._in_batch += commands
        if self._in_batch >= self.batch and self._open is not None:
            self._in_batch = 0
            self.commit()
            self.begin()  # the stage goes on batching until done()

    def commit(self) -> None:
        if self._open is not None:
            opened, self._open = self._open, None
            opened.close()

    def done(self) -> StageFigures:
        self.commit()
        self.bar.close()
        return StageFigures(self.name, self.commands, time.perf_counter() - self.started)


def simulate(
    service: SecondClassroom,
    students: int,
    activities: int,
    seed: int = 2026,
    bars: bool = True,
    batch: int = 1,
) -> SimulationReport:
    """A semester: publish, register (popularity skew, cancellations), draw, review, leave,
    check in, no-shows, appeals, awards and credits, finalize, transcripts — then the views.

    Deterministic for a given seed. ``batch`` commands share a transaction (1: each command
    commits alone, as students' requests would; more: bulk work through ``batch()``).
    """
    rng = random.Random(seed)
    stages: list[StageFigures] = []
    stage = _Stage(service, "建校 found", students, bars, batch)
    stage.begin()
    school = School.found(service, students, seed, stage.count)
    stages.append(attrs.evolve(stage.done(), commands=students))

    stage = _Stage(service, "发布 publish", activities * 5, bars, batch)
    published: list[tuple[UUID, AdmissionMethod, int, datetime, Union]] = []
    modules = [m.code for m in service.rulebook.modules]
    for n in range(activities):
        union = school.unions[n % len(school.unions)]
        method = rng.choices(list(AdmissionMethod), [7, 2, 1])[0]
        capacity = rng.choice([30, 50, 100, 150, 300])
        starts = TERM_START + timedelta(days=14 + n % 100, hours=rng.randrange(0, 8))
        stage.begin()
        activity_id = school.publish(
            service, union, f"sim-{n}", method, capacity, starts, rng.choice(modules), awards=True
        )
        published.append((activity_id, method, capacity, starts, union))
        stage.count(5)
    stages.append(stage.done())

    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(published))]
    per_student = max(1, round(7.5 * activities / max(students, 1) * 10)) if activities else 0
    per_student = min(per_student, 12)
    stage = _Stage(service, "报名 register", students * per_student, bars, batch)
    for number, _college in school.students:
        actor = Actor.student(number)
        # dict.fromkeys, not set: a set's order follows string hashes, which differ per process.
        for activity_id, _method, _cap, starts, _union in dict.fromkeys(
            rng.choices(published, weights, k=per_student)
        ):
            when = starts - timedelta(days=3)
            if stage.run(Register(activity_id), actor, when) and rng.random() < 0.08:
                stage.run(CancelRegistration(activity_id), actor, when)
    stages.append(stage.done())

    stage = _Stage(service, "录取 admit", len(published), bars, batch)
    for activity_id, method, _cap, starts, union in published:
        closed = starts - timedelta(hours=1)
        if method is AdmissionMethod.LOTTERY:
            stage.run(DrawLottery(activity_id), Actor.system(), closed)
        elif method is AdmissionMethod.REVIEW:
            state = service.activity(activity_id)
            assert state is not None
            chosen = sorted(state.roster.pending)[: state.form.capacity or 0]
            if chosen:
                stage.run(AdmitRegistrants(activity_id, tuple(chosen)), union.leader, closed)
            stage.run(CloseReview(activity_id), union.leader, closed)
        else:
            stage.bar.update(1)
    stages.append(stage.done())

    stage = _Stage(service, "签到 check-in", len(published), bars, batch)
    for activity_id, _method, _cap, starts, union in published:
        state = service.activity(activity_id)
        assert state is not None
        admitted = sorted(state.roster.admitted)
        closed = starts - timedelta(minutes=30)
        for student in admitted:
            if rng.random() < 0.03:
                actor = Actor.student(student)
                if stage.run(RequestLeave(activity_id, "课程冲突"), actor, closed):
                    stage.run(DecideLeave(activity_id, student, True), union.leader, closed)
        opened = starts + timedelta(minutes=5)
        stage.run(OpenCheckInSession(activity_id, 10), union.leader, opened)
        code = service.check_in_code(activity_id, 1, union.leader, opened)
        for student in admitted:
            if rng.random() < 0.85:
                scan = CheckIn(activity_id, 1, password=code.password)
                stage.run(scan, Actor.student(student), opened + timedelta(minutes=2))
    stages.append(stage.done())

    stage = _Stage(service, "结算 close", len(published), bars)
    last_end = max((starts for *_rest, starts, _u in published), default=TERM_START)
    stage.commands += len(service.run_reactions(last_end + timedelta(days=1)))
    stages.append(stage.done())

    stage = _Stage(service, "申诉 appeal", students // 20, bars, batch)
    admin = SCHOOL_ADMIN
    for number, _college in school.students:
        record = service.student(number)
        if record is None:
            continue
        for entry in record.integrity:
            if entry.outcome is Outcome.NO_SHOW and rng.random() < 0.1:
                when = entry.at + timedelta(days=1)
                actor = Actor.student(number)
                if stage.run(AppealDefault(number, entry.entry_id, "就医"), actor, when):
                    overturn = rng.random() < 0.5
                    stage.run(DecideAppeal(number, entry.entry_id, overturn, "核实"), admin, when)
    stages.append(stage.done())

    stage = _Stage(service, "完结 finalize", len(published), bars, batch)
    for activity_id, _method, _cap, starts, union in published:
        state = service.activity(activity_id)
        assert state is not None
        after = starts + timedelta(days=2)
        attended = tuple(s for s, o in state.attendance.outcomes if o is Outcome.ATTENDED)
        if attended:
            stage.run(GrantCredits(activity_id, attended), union.leader, after)
            if rng.random() < 0.3:
                stage.run(IssueAward(activity_id, "一等奖", attended[:1]), union.leader, after)
        stage.run(FinalizeActivity(activity_id), union.leader, after)
    stages.append(stage.done())

    stage = _Stage(service, "成绩单 transcripts", students // 20, bars, batch)
    end = last_end + timedelta(days=10)
    for number, _college in school.students:
        if rng.random() < 0.05:
            stage.run(IssueTranscript(number), Actor.student(number), end)
    stages.append(stage.done())

    stage = _Stage(service, "视图 views", 1, bars)
    service.views.catch_up()
    stages.append(stage.done())
    return _report(service, school, published, stages)


def _report(
    service: SecondClassroom,
    school: School,
    published: list[tuple[UUID, AdmissionMethod, int, datetime, Union]],
    stages: list[StageFigures],
) -> SimulationReport:
    import resource

    over = 0
    credited: dict[str, Decimal] = {}
    for activity_id, _method, capacity, _starts, _union in published:
        state = service.activity(activity_id)
        assert state is not None
        over += max(len(state.roster.admitted) - capacity, 0)
    mismatches = 0
    for number, _college in school.students:
        record = service.student(number)
        assert record is not None
        total = sum(record.credits().values(), Decimal(0))
        credited[number] = total
        summary = service.views.student_summary(number)
        viewed = (
            sum((amount for *_k, amount in summary.credits), Decimal(0)) if summary else Decimal(0)
        )
        mismatches += int(viewed != total)
    tables = ("audit_log", "student_summary", "activity_board", "my_activities", "notice_outbox")
    rows = tuple(
        (table, int(str(service.views.query(f"SELECT COUNT(*) FROM {table}")[0][0])))
        for table in tables
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = service.app.recorder.max_notification_id() or 0
    return SimulationReport(events, tuple(stages), round(peak, 1), rows, over, mismatches)
