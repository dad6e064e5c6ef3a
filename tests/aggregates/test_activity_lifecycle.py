"""Hypothesis stateful test: random commands by random actors drive activities of every level
through the real facade on SQLite and PostgreSQL. After every step:

- an unauthorized actor changes nothing;
- status moves only along the review chain of the activity's level (第十一条);
- a rejected activity is a draft again;
- replaying the stored events (a fresh application, no cache) gives the in-memory state.
"""

from __future__ import annotations

import uuid
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from second_classroom.aggregates import activity
from second_classroom.aggregates.activity import (
    ActivityRejected,
    ActivityStatus,
    ApproveActivity,
    CancelActivity,
    ChangeActivityDetails,
    DraftActivity,
    EditDraft,
    RejectActivity,
    SubmitActivity,
    WithdrawActivity,
)
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    ParticipationScope,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.policies.activity_form import ActivityForm, Scope
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.specification import NEPU, NOW, SCHOOL_ADMIN, at
from tests.stateful import run_on_postgres, run_on_sqlite

PE_ADMIN = Actor.college_admin("T-pe", "PE")
CS_ADMIN = Actor.college_admin("T-cs", "CS")


@attrs.frozen
class Host:
    tribe: CreateTribe
    leader: str
    admin: str
    organizer: str
    form: ActivityForm


HOSTS = {
    ActivityLevel.COLLEGE: Host(
        CreateTribe(
            "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
        ),
        "s-pe-leader",
        "s-pe-admin",
        "s-pe-org",
        FORM,
    ),
    ActivityLevel.SCHOOL: Host(
        CreateTribe("SCHOOL-SU", "校学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL),
        "s-school-leader",
        "s-school-admin",
        "s-school-org",
        attrs.evolve(
            FORM,
            title="校学生会团队建设活动",
            level=ActivityLevel.SCHOOL,
            scope=Scope(ParticipationScope.SCHOOL),
        ),
    ),
    ActivityLevel.CLASS: Host(
        CreateTribe("PE-23-1", "石油工程23-1班", TribeKind.CLASS, TribeLevel.CLASS, "PE"),
        "s-class-leader",
        "s-class-admin",
        "s-class-org",
        attrs.evolve(FORM, title="石油工程23-1班主题团日活动", level=ActivityLevel.CLASS),
    ),
}
PEOPLE = sorted(
    {p for h in HOSTS.values() for p in (h.leader, h.admin, h.organizer)} | {"s-outsider"}
)
ACTORS = [Actor.student(p) for p in PEOPLE] + [PE_ADMIN, CS_ADMIN, SCHOOL_ADMIN]
LEVELS = list(HOSTS)
EDITS = [
    {},
    {"capacity": 100},
    {"title": ""},
    {"details": FORM.details + " 微信：sponsor_2026"},
    {"capacity": -1},
]


def activity_id(level: str) -> uuid.UUID:
    return ids.activity_id(HOSTS[level].tribe.tribe_id, "lifecycle")


def publishers(level: str) -> set[str]:
    """第十条: the host tribe's leader and admin."""
    host = HOSTS[level]
    return {host.leader, host.admin}


def reviewers(level: str, stage: ReviewStage) -> set[str]:
    """第十一条: who reviews each stage, written out independently of the code."""
    if stage is ReviewStage.TRIBE:
        return publishers(level)
    if stage is ReviewStage.COLLEGE:
        return {PE_ADMIN.person_id} if HOSTS[level].tribe.college == "PE" else set()
    return {SCHOOL_ADMIN.person_id}


def allowed_moves(level: str) -> set[tuple[ActivityStatus, ActivityStatus]]:
    chain = [ActivityStatus.pending(s) for s in NEPU.chain(level)]
    steps = list(
        zip([ActivityStatus.DRAFT, *chain], [*chain, ActivityStatus.APPROVED], strict=True)
    )
    back = {(p, ActivityStatus.DRAFT) for p in chain}
    cancel = {
        (s, ActivityStatus.CANCELLED)
        for s in [ActivityStatus.DRAFT, *chain, ActivityStatus.APPROVED]
    }
    return set(steps) | back | cancel


class ActivityLifecycle(RuleBasedStateMachine):
    env: dict[str, str]

    @initialize()
    def world(self) -> None:
        self.service = SecondClassroom.open(self.env)
        self.states: dict[str, Any] = {}
        self.last_events: dict[str, list[object]] = {}
        for host in HOSTS.values():
            college = host.tribe.college
            self.service.execute(host.tribe, SCHOOL_ADMIN, NOW)
            self.service.execute(CertifyTribe(host.tribe.tribe_id), SCHOOL_ADMIN, NOW)
            for person, role in (
                (host.leader, TribeRole.LEADER),
                (host.admin, TribeRole.ADMIN),
                (host.organizer, TribeRole.ORGANIZER),
            ):
                self.service.execute(
                    AppointTribeRole(host.tribe.tribe_id, person, role), SCHOOL_ADMIN, NOW
                )
                self.service.execute(
                    RegisterStudent(person, person, college or "PE", "班", 2023), SCHOOL_ADMIN, NOW
                )
                self.service.execute(RecordPublisherExam(person, 90), SCHOOL_ADMIN, NOW)

    def teardown(self) -> None:
        if hasattr(self, "service"):
            self.service.close()

    def _run(self, level: str, command: object, actor: Actor, authorized: bool) -> None:
        before = self.states.get(level)
        before_position = self.service.app.recorder.max_notification_id()
        try:
            outcome = self.service.execute(command, actor, NOW)
        except DomainError:
            assert self.service.app.recorder.max_notification_id() == before_position
            self.last_events[level] = []
            return
        events = [e.payload for e in outcome.events]
        assert authorized or not events, f"{actor.person_id} changed {command}"
        after = activity.DECIDER.fold(events, before)
        if before is not None and after is not None and after.status is not before.status:
            assert (before.status, after.status) in allowed_moves(level), (
                before.status,
                after.status,
            )
        self.states[level] = after
        self.last_events[level] = events
        if after is not None:
            event(f"{level}: {after.status}")

    def _actor(self, data: st.DataObject, authorized: set[str]) -> Actor:
        """Mostly someone allowed to act, so the chain advances; sometimes anyone."""
        pool = [a for a in ACTORS if a.person_id in authorized]
        if pool and data.draw(st.sampled_from([True, True, True, False]), label="authorized"):
            return data.draw(st.sampled_from(pool), label="actor")
        return data.draw(st.sampled_from(ACTORS), label="actor")

    def _stage(self, level: str) -> ReviewStage | None:
        state = self.states.get(level)
        return state.status.stage if state is not None else None

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def draft(self, level: str, data: st.DataObject) -> None:
        actor = self._actor(data, publishers(level))
        host = HOSTS[level]
        command = DraftActivity(host.tribe.tribe_id, "lifecycle", host.form)
        self._run(level, command, actor, actor.person_id in publishers(level))

    @rule(level=st.sampled_from(LEVELS), data=st.data(), edit=st.sampled_from(EDITS))
    def edit(self, level: str, data: st.DataObject, edit: dict[str, Any]) -> None:
        actor = self._actor(data, publishers(level))
        command = EditDraft(activity_id(level), attrs.evolve(HOSTS[level].form, **edit))
        self._run(level, command, actor, actor.person_id in publishers(level))

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def submit(self, level: str, data: st.DataObject) -> None:
        actor = self._actor(data, publishers(level))
        self._run(
            level, SubmitActivity(activity_id(level)), actor, actor.person_id in publishers(level)
        )

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def approve(self, level: str, data: st.DataObject) -> None:
        stage = self._stage(level)
        actor = self._actor(data, reviewers(level, stage) if stage else set())
        ok = stage is not None and actor.person_id in reviewers(level, stage)
        self._run(level, ApproveActivity(activity_id(level)), actor, ok)

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def reject(self, level: str, data: st.DataObject) -> None:
        stage = self._stage(level)
        actor = self._actor(data, reviewers(level, stage) if stage else set())
        ok = stage is not None and actor.person_id in reviewers(level, stage)
        self._run(level, RejectActivity(activity_id(level), "请修改"), actor, ok)

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def withdraw(self, level: str, data: st.DataObject) -> None:
        actor = self._actor(data, publishers(level))
        self._run(
            level, WithdrawActivity(activity_id(level)), actor, actor.person_id in publishers(level)
        )

    @rule(level=st.sampled_from(LEVELS), data=st.data(), hour=st.integers(14, 15))
    def change(self, level: str, data: st.DataObject, hour: int) -> None:
        actor = self._actor(data, publishers(level))
        command = ChangeActivityDetails(activity_id(level), starts_at=at(12, 3, hour))
        self._run(level, command, actor, actor.person_id in publishers(level))

    @rule(level=st.sampled_from(LEVELS), data=st.data())
    def cancel(self, level: str, data: st.DataObject) -> None:
        actor = self._actor(data, publishers(level) | {SCHOOL_ADMIN.person_id})
        ok = actor.person_id in publishers(level) | {SCHOOL_ADMIN.person_id}
        self._run(level, CancelActivity(activity_id(level), "取消"), actor, ok)

    @rule(level=st.sampled_from(LEVELS))
    def advance(self, level: str) -> None:
        """The next proper step, by the proper person, so runs reach deep states."""
        host, state = HOSTS[level], self.states.get(level)
        leader = Actor.student(host.leader)
        if state is None:
            self._run(
                level,
                DraftActivity(host.tribe.tribe_id, "lifecycle", host.form),
                leader,
                True,
            )
        elif state.status is ActivityStatus.DRAFT and state.form != host.form:
            self._run(level, EditDraft(activity_id(level), host.form), leader, True)
        elif state.status is ActivityStatus.DRAFT:
            self._run(level, SubmitActivity(activity_id(level)), leader, True)
        elif state.status.stage is not None:
            reviewer = sorted(reviewers(level, state.status.stage))[0]
            actor = next(a for a in ACTORS if a.person_id == reviewer)
            self._run(level, ApproveActivity(activity_id(level)), actor, True)

    @invariant()
    def a_rejected_activity_is_a_draft_again(self) -> None:
        for level, events in getattr(self, "last_events", {}).items():
            if any(isinstance(e, ActivityRejected) for e in events):
                assert self.states[level].status is ActivityStatus.DRAFT

    @invariant()
    def the_store_replays_to_the_live_state(self) -> None:
        if not hasattr(self, "service"):
            return
        with SecondClassroomApplication(self.env) as fresh:
            fresh.forget_states()
            for level in LEVELS:
                stored = fresh.load(activity.DECIDER, activity_id(level)).state
                assert stored == self.states.get(level)
                assert self.service._load.activity(activity_id(level)) == self.states.get(level)


SETTINGS = settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_lifecycle_on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> None:
    run_on_sqlite(ActivityLifecycle, SETTINGS, tmp_path_factory.mktemp("lifecycle"))


@pytest.mark.postgres
def test_lifecycle_on_postgres(postgres_dsn: str) -> None:
    run_on_postgres(ActivityLifecycle, SETTINGS, postgres_dsn)
