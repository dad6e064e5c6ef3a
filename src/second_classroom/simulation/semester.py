"""A semester on a synthetic school: publish, register, admit, check in, close, appeal,
finalize, issue transcripts — then the views and the consistency checks. Deterministic for a
given seed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.activity_attendance import Geofence, Outcome
from second_classroom.aggregates.checkin import CheckIn, Location, OpenCheckInSession, closing_time
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
from second_classroom.aggregates.student import AppealDefault, DecideAppeal
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    AdmissionMethod,
    ParticipationScope,
    TribeLevel,
)
from second_classroom.service import SecondClassroom
from second_classroom.simulation.school import (
    SCHOOL_ADMIN,
    TERM_START,
    Host,
    School,
    held_in_college,
    level_of,
)


@attrs.frozen
class StageFigures:
    name: str
    commands: int
    seconds: float
    max_rss_mb: float = 0.0  # the process's maximum resident set at the stage's end

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
        from second_classroom.core.extras import require_extra

        require_extra("tqdm", "simulate", "模拟学期 simulate")
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
        elapsed = time.perf_counter() - self.started
        return StageFigures(self.name, self.commands, elapsed, _max_rss_mb())


CLASSROOM = Geofence(46.5925, 125.1430, 150)  # 第一教学楼 (东北石油大学, 大庆)


@attrs.frozen(eq=False)
class Published:
    """An activity the semester published, and who may register for it."""

    activity_id: UUID
    method: AdmissionMethod
    capacity: int
    starts: datetime
    host: Host
    audience: tuple[str, ...] | None = None  # 部落内: the host's members; None: open
    college: str | None = None  # 院系内: that college's students only
    closes: datetime = TERM_START  # when its attendance is settled (checkin.closing_time)


_METHOD_WEIGHTS = {
    AdmissionMethod.FIRST_COME: 7,
    AdmissionMethod.LOTTERY: 2,
    AdmissionMethod.REVIEW: 1,
}

# Of every ten activities: four by a college's union (院系内, 发布规范 二), four by a club (学校内),
# two by a class.
_HOST_KINDS = ("union",) * 4 + ("club",) * 4 + ("class",) * 2


def _publish(
    service: SecondClassroom, school: School, n: int, rng: random.Random, stage: _Stage
) -> Published:
    """The n-th activity: its host, level, admission method, size, start and audience."""
    kind = _HOST_KINDS[n % len(_HOST_KINDS)]
    pool = {"union": school.unions, "club": school.clubs, "class": school.classes}[kind]
    if not service.rulebook.levels_for(pool[0].level):
        pool = school.unions  # this school's tribes of that level publish nothing (003: classes)
    host = pool[rng.randrange(len(pool))]
    methods = [m for m in AdmissionMethod if m in service.rulebook.admission_methods]
    method = rng.choices(methods, [_METHOD_WEIGHTS[m] for m in methods])[0]
    capacity = rng.choice([30, 50, 100, 150, 300])
    scope = ParticipationScope.SCHOOL
    if host.level is TribeLevel.CLASS or (kind == "club" and rng.random() < 0.5):
        scope, capacity = ParticipationScope.TRIBE, min(capacity, max(len(host.members), 10))
    starts = TERM_START + timedelta(days=14 + n % 100, hours=rng.randrange(0, 8))
    module = rng.choice([m.code for m in service.rulebook.modules])
    stage.begin()
    # A tribe that may publish at several levels (003: 国家级, 省部级, 校级) uses them all.
    levels = service.rulebook.levels_for(host.level)
    level = rng.choice(levels) if len(levels) > 1 else None
    college_level = held_in_college(service, level or level_of(service, host))
    if college_level and scope is ParticipationScope.SCHOOL:
        scope = ParticipationScope.COLLEGE  # 发布规范 二: a college-level activity stays in it
    activity_id = school.publish(
        service, host, f"sim-{n}", method, capacity, starts, module, scope, awards=True, level=level
    )
    stage.count(5)
    audience = host.members if scope is ParticipationScope.TRIBE else None
    college = host.college if scope is ParticipationScope.COLLEGE else None
    state = service.activity(activity_id, host.leader)
    assert state is not None
    closes = closing_time(state, service.rulebook) or starts
    return Published(activity_id, method, capacity, starts, host, audience, college, closes)


def _settles(item: Published) -> datetime:
    """A moment after the item's attendance is settled (its end, or its 补签 deadline)."""
    return item.closes + timedelta(hours=1)


def simulate(
    service: SecondClassroom,
    students: int,
    activities: int,
    seed: int = 2026,
    bars: bool = True,
    batch: int = 1,
    processes: int = 1,
    opener: Callable[[], SecondClassroom] | None = None,
) -> SimulationReport:
    """A semester: publish, register (popularity skew, cancellations), draw, review, leave,
    check in, no-shows, appeals, awards and credits, finalize, transcripts — then the views.

    Deterministic for a given seed. ``batch`` commands share a transaction (1: each command
    commits alone, as students' requests would; more: bulk work through ``batch()``).
    With ``processes`` > 1 (and ``opener``, a picklable function opening a facade on the
    same store) the registration stage — the largest — runs from that many OS processes,
    each taking every n-th student; which registrations win a first-come seat then depends
    on how the processes interleave, so that semester is not the one-process semester.
    """
    rng = random.Random(seed)
    stages: list[StageFigures] = []
    stage = _Stage(service, "建校 found", students * 2, bars, batch)
    stage.begin()
    school = School.found(service, students, seed, stage.count)
    stages.append(stage.done())

    stage = _Stage(service, "发布 publish", activities * 5, bars, batch)
    published = [_publish(service, school, n, rng, stage) for n in range(activities)]
    stages.append(stage.done())

    # About seven registrations a student when there is one activity for every ten students
    # (the issue's 20,000 / 2,000 / ~150k); popular activities fill up, so more are attempted.
    per_student = max(1, round(16 * activities / max(students, 1) * 10)) if activities else 0
    per_student = min(per_student, 24)
    stage = _Stage(service, "报名 register", students * per_student, bars, batch)
    open_to_all = [p for p in published if p.audience is None]
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(open_to_all))]  # popularity skew
    by_member: dict[str, list[Published]] = {}
    for item in published:
        for member in item.audience or ():
            by_member.setdefault(member, []).append(item)
    plans: list[_Plan] = []
    for number, college in school.students:
        actor = Actor.student(number)
        chosen = rng.choices(open_to_all, weights, k=per_student) if open_to_all else []
        own = by_member.get(number, [])
        if own and rng.random() < 0.6:
            chosen.append(rng.choice(own))  # a class or club activity of one's own
        # dict.fromkeys, not set: a set's order follows string hashes, which differ per process.
        offered = [
            item
            for item in dict.fromkeys(chosen)
            # a college-scope activity of another college is not offered
            if item.college is None or item.college == college
        ]
        if processes > 1:
            # Drawn up front, for every registration: the processes cannot share the draws.
            plans.append(
                (
                    number,
                    [
                        (item.activity_id, item.starts - timedelta(days=3), rng.random() < 0.08)
                        for item in offered
                    ],
                )
            )
            continue
        for item in offered:
            when = item.starts - timedelta(days=3)
            if stage.run(Register(item.activity_id), actor, when) and rng.random() < 0.08:
                stage.run(CancelRegistration(item.activity_id), actor, when)
    if processes > 1:
        if opener is None:
            raise ValueError("simulate with processes > 1 needs an opener for the store")
        stage.count(_register_in_processes(opener, plans, processes))
    stages.append(stage.done())

    stage = _Stage(service, "录取 admit", len(published), bars, batch)
    for item in published:
        activity_id, method, starts, host = item.activity_id, item.method, item.starts, item.host
        closed = starts - timedelta(hours=1)
        if method is AdmissionMethod.LOTTERY:
            stage.run(DrawLottery(activity_id), Actor.system(), closed)
        elif method is AdmissionMethod.REVIEW:
            state = service.activity(activity_id, host.leader)
            assert state is not None
            admitted = sorted(state.roster.pending)[: state.form.capacity or 0]
            if admitted:
                stage.run(AdmitRegistrants(activity_id, tuple(admitted)), host.leader, closed)
            stage.run(CloseReview(activity_id), host.leader, closed)
        else:
            stage.bar.update(1)
    stages.append(stage.done())

    stage = _Stage(service, "签到 check-in", len(published), bars, batch)
    for item in published:
        activity_id, starts, host = item.activity_id, item.starts, item.host
        state = service.activity(activity_id, host.leader)
        assert state is not None
        admitted = sorted(state.roster.admitted)
        closed = starts - timedelta(minutes=30)
        for student in admitted:
            if rng.random() < 0.03:
                actor = Actor.student(student)
                if stage.run(RequestLeave(activity_id, "课程冲突"), actor, closed):
                    stage.run(DecideLeave(activity_id, student, True), host.leader, closed)
        opened = starts + timedelta(minutes=5)
        # Only a campus-wide venue may omit the distance limit (发布规范 十); these all set one.
        session = OpenCheckInSession(activity_id, 10, geofence=CLASSROOM)
        stage.run(session, host.leader, opened)
        code = service.check_in_code(activity_id, 1, host.leader, opened)
        for student in admitted:
            if rng.random() < 0.85:
                here = Location(
                    CLASSROOM.latitude + rng.uniform(-4e-4, 4e-4),  # within ~45 m
                    CLASSROOM.longitude + rng.uniform(-4e-4, 4e-4),
                    accuracy_m=15,
                )
                scan = CheckIn(activity_id, 1, password=code.password, location=here)
                stage.run(scan, Actor.student(student), opened + timedelta(minutes=2))
    stages.append(stage.done())

    stage = _Stage(service, "结算 close", len(published), bars)
    last_end = max((item.starts for item in published), default=TERM_START)
    # A school with a 补签 window after the end (002 一 2): 5 working days) settles later.
    settled = max([last_end + timedelta(days=1), *map(_settles, published)])
    stage.commands += len(service.run_reactions(settled))
    stages.append(stage.done())

    stage = _Stage(service, "申诉 appeal", students // 20, bars, batch)
    admin = SCHOOL_ADMIN
    for number, _college in school.students:
        record = service.student(number, admin)
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
    for item in published:
        activity_id, starts, host = item.activity_id, item.starts, item.host
        state = service.activity(activity_id, host.leader)
        assert state is not None
        after = max(starts + timedelta(days=2), _settles(item))
        attended = tuple(s for s, o in state.attendance.outcomes if o is Outcome.ATTENDED)
        if attended:
            stage.run(GrantCredits(activity_id, attended), host.leader, after)
            if rng.random() < 0.3:
                stage.run(IssueAward(activity_id, "一等奖", attended[:1]), host.leader, after)
        stage.run(FinalizeActivity(activity_id), host.leader, after)
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


# A student's registrations: (activity, when, cancel it after a successful registration).
_Plan = tuple[str, list[tuple[UUID, datetime, bool]]]


def _register_in_processes(
    opener: Callable[[], SecondClassroom], plans: list[_Plan], processes: int
) -> int:
    """Run ``plans`` from ``processes`` spawned processes on the one store, every n-th
    student each, started together; the commands run in all."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Barrier(processes), spawn.Queue()
    workers = [
        spawn.Process(target=_register_share, args=(opener, plans[k::processes], start, out))
        for k in range(processes)
    ]
    for worker in workers:
        worker.start()
    counts = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers) or any(c < 0 for c in counts):
        raise RuntimeError("a registering process failed")
    return sum(counts)


def _register_share(
    opener: Callable[[], SecondClassroom], plans: list[_Plan], start: object, out: object
) -> None:
    """A registering process: its share of the students, one command per transaction."""
    commands = -1
    try:
        try:
            service = opener()
        except BaseException:
            start.abort()  # type: ignore[attr-defined]  # nobody waits for this process
            raise
        with service:
            start.wait(600)  # type: ignore[attr-defined]  # broken if a sibling failed
            commands = 0
            for number, registrations in plans:
                actor = Actor.student(number)
                for activity_id, when, cancel in registrations:
                    commands += 1
                    try:
                        service.execute(Register(activity_id), actor, when)
                    except DomainError:
                        continue
                    if cancel:
                        commands += 1
                        with suppress(DomainError):
                            service.execute(CancelRegistration(activity_id), actor, when)
    finally:
        out.put(commands)  # type: ignore[attr-defined]


def _max_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _report(
    service: SecondClassroom,
    school: School,
    published: list[Published],
    stages: list[StageFigures],
) -> SimulationReport:
    over = 0
    credited: dict[str, Decimal] = {}
    for item in published:
        activity_id, capacity = item.activity_id, item.capacity
        state = service.activity(activity_id, SCHOOL_ADMIN)
        assert state is not None
        over += max(len(state.roster.admitted) - capacity, 0)
    mismatches = 0
    for number, _college in school.students:
        record = service.student(number, SCHOOL_ADMIN)
        assert record is not None
        total = sum(record.credits().values(), Decimal(0))
        credited[number] = total
        summary = service.student_summary(number, SCHOOL_ADMIN)
        viewed = (
            sum((amount for *_k, amount in summary.credits), Decimal(0)) if summary else Decimal(0)
        )
        mismatches += int(viewed != total)
    tables = ("audit_log", "student_summary", "activity_board", "my_activities", "notice_outbox")
    rows = tuple(
        (table, int(str(service.views.query(f"SELECT COUNT(*) FROM {table}")[0][0])))
        for table in tables
    )
    peak = _max_rss_mb()
    events = service.app.recorder.max_notification_id() or 0
    return SimulationReport(events, tuple(stages), peak, rows, over, mismatches)
