"""Hypothesis stateful test of enrolment through the facade, on SQLite and PostgreSQL:
register / cancel / re-register / draw / admit / leave by random students and organizers,
with time moving forward. After every step:

- admitted ≤ capacity; a cancelled student holds no seat;
- an admission is never undone (except by the student's own cancellation while 报名中);
- lottery winners ⊆ registrants at close, and verify_draw holds;
- every enrolment agrees with the activity's seat ledger;
- the state replayed from the store equals the live state.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from second_classroom.aggregates import activity as activity_module
from second_classroom.aggregates import enrolment as enrolment_module
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.aggregates.enrolment import EnrolmentStatus
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.service import SecondClassroom
from tests.enrolment_world import (
    CLOSED,
    DURING,
    LEADER,
    ORGANIZER_NUMBER,
    approved_activity,
    found_school,
)
from tests.specification import SCHOOL_ADMIN, at
from tests.stateful import run_on_postgres, run_on_sqlite
from tests.stores import TEST_SECRET

CAPACITY = 3
STUDENTS = 7
METHODS = [AdmissionMethod.FIRST_COME, AdmissionMethod.LOTTERY, AdmissionMethod.REVIEW]
TIMES = [at(12, 1, 9), at(12, 1, 10), at(12, 2, 19), CLOSED, DURING]
MANAGERS = [LEADER, Actor.student(ORGANIZER_NUMBER)]


class EnrolmentLifecycle(RuleBasedStateMachine):
    env: dict[str, str]

    @initialize(
        early=st.lists(st.integers(0, STUDENTS - 1), min_size=2, max_size=STUDENTS, unique=True)
    )
    def school(self, early: list[int]) -> None:
        self.service = SecondClassroom.open(self.env, secret=TEST_SECRET)
        numbers = found_school(self.service, STUDENTS)
        self.students = [Actor.student(n) for n in numbers]
        self.activities = {
            method: approved_activity(
                self.service,
                f"sm-{method}",
                method,
                CAPACITY,
                waitlist=method is AdmissionMethod.FIRST_COME,
            )
            for method in METHODS
        }
        self.clock = 1
        self.admitted_for_good: set[tuple[UUID, str]] = set()
        self.registrants_at_close: dict[UUID, frozenset[str]] = {}
        for who in early:  # a busy start, so draws, admissions and leave have someone to act on
            for activity_id in self.activities.values():
                assert self._try(Register(activity_id), self.students[who])

    def teardown(self) -> None:
        if hasattr(self, "service"):
            self.service.close()

    @property
    def now(self) -> datetime:
        return TIMES[self.clock]

    def _try(self, command: object, actor: Actor) -> bool:
        before = self.service.app.recorder.max_notification_id()
        try:
            self.service.execute(command, actor, self.now)
        except DomainError:
            assert self.service.app.recorder.max_notification_id() == before
            return False
        return True

    def _roster(self, activity_id: UUID) -> Roster:
        found = self.service._load.activity(activity_id)
        assert found is not None
        return found.roster

    @precondition(lambda self: hasattr(self, "clock") and self.clock < len(TIMES) - 1)
    @rule()
    def time_passes(self) -> None:
        if self.now < CLOSED <= TIMES[self.clock + 1]:
            for activity_id in self.activities.values():
                self.registrants_at_close[activity_id] = self._roster(activity_id).registrants
        self.clock += 1

    @rule(method=st.sampled_from(METHODS), who=st.integers(0, STUDENTS - 1))
    def register(self, method: AdmissionMethod, who: int) -> None:
        self._try(Register(self.activities[method]), self.students[who])

    @rule(method=st.sampled_from(METHODS), who=st.integers(0, STUDENTS - 1))
    def cancel(self, method: AdmissionMethod, who: int) -> None:
        student = self.students[who]
        activity_id = self.activities[method]
        if self._try(CancelRegistration(activity_id), student):
            assert self.now < CLOSED
            self.admitted_for_good.discard((activity_id, student.person_id))

    @rule(use_reaction=st.booleans(), manager=st.sampled_from(MANAGERS))
    def draw(self, use_reaction: bool, manager: Actor) -> None:
        if use_reaction:
            self.service.run_reactions(self.now)
        else:
            self._try(DrawLottery(self.activities[AdmissionMethod.LOTTERY]), manager)

    @rule(
        data=st.data(),
        actor=st.sampled_from([*MANAGERS, MANAGERS[1], Actor.student("2024999999")]),
    )
    def admit(self, data: st.DataObject, actor: Actor) -> None:
        review = self.activities[AdmissionMethod.REVIEW]
        pending = sorted(self._roster(review).pending)
        anyone = [s.person_id for s in self.students]
        pool = data.draw(
            st.sampled_from([pending, pending, anyone]) if pending else st.just(anyone)
        )
        chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
        self._try(AdmitRegistrants(review, tuple(chosen)), actor)

    @precondition(lambda self: TIMES[self.clock] >= DURING)  # leave room to admit first
    @rule(manager=st.sampled_from(MANAGERS))
    def close_review(self, manager: Actor) -> None:
        self._try(CloseReview(self.activities[AdmissionMethod.REVIEW]), manager)

    def _someone(self, data: st.DataObject, activity_id: UUID) -> Actor:
        """Mostly an admitted student, sometimes anyone."""
        admitted = sorted(self._roster(activity_id).admitted)
        # len(): mypy would infer the draw from the list on the left of a bare ``and``
        if len(admitted) > 0 and data.draw(st.booleans()):
            return Actor.student(data.draw(st.sampled_from(admitted)))
        return data.draw(st.sampled_from(self.students))

    @rule(method=st.sampled_from(METHODS), data=st.data())
    def request_leave(self, method: AdmissionMethod, data: st.DataObject) -> None:
        activity_id = self.activities[method]
        student = self._someone(data, activity_id)
        self._try(RequestLeave(activity_id, "临时有事", ("proof.png",)), student)

    @rule(
        method=st.sampled_from(METHODS),
        data=st.data(),
        approve=st.booleans(),
        manager=st.sampled_from(MANAGERS),
    )
    def decide_leave(
        self, method: AdmissionMethod, data: st.DataObject, approve: bool, manager: Actor
    ) -> None:
        activity_id = self.activities[method]
        student = self._someone(data, activity_id)
        self._try(DecideLeave(activity_id, student.person_id, approve, "理由不充分"), manager)

    @invariant()
    def seats_and_enrolments_agree(self) -> None:
        if not hasattr(self, "service"):
            return
        for method, activity_id in self.activities.items():
            roster = self._roster(activity_id)
            assert len(roster.admitted) <= CAPACITY
            assert not set(roster.waitlist) & roster.admitted
            for student in self.students:
                number = student.person_id
                state = self.service._load.enrolment(activity_id, number)
                if number in roster.admitted:
                    assert state is not None
                    assert state.status is EnrolmentStatus.ADMITTED
                    if method is not AdmissionMethod.FIRST_COME or self.now >= CLOSED:
                        self.admitted_for_good.add((activity_id, number))
                if state is not None and state.status is EnrolmentStatus.CANCELLED:
                    assert not roster.holds(number)
            for held_activity, number in self.admitted_for_good:
                if held_activity == activity_id:
                    assert number in roster.admitted, "an admission was undone"

    @invariant()
    def the_draw_is_fair_and_verifiable(self) -> None:
        if not hasattr(self, "service"):
            return
        lottery_id = self.activities[AdmissionMethod.LOTTERY]
        record = self.service.draw_record(lottery_id, SCHOOL_ADMIN)
        if record is None:
            return
        assert record.verify()
        assert set(record.winners) <= set(self.registrants_at_close.get(lottery_id, frozenset()))
        assert len(record.winners) == min(CAPACITY, len(record.registrants))

    @invariant()
    def the_store_replays_to_the_live_state(self) -> None:
        if not hasattr(self, "service"):
            return
        with SecondClassroomApplication(self.env) as fresh:
            fresh.forget_states()
            for activity_id in self.activities.values():
                live = self.service._load.activity(activity_id)
                assert fresh.load(activity_module.DECIDER, activity_id).state == live
                for student in self.students:
                    stream = enrolment_module.enrolment_id(activity_id, student.person_id)
                    replayed = fresh.load(enrolment_module.DECIDER, stream).state
                    assert replayed == self.service._load.enrolment(activity_id, student.person_id)


SETTINGS = settings(
    max_examples=8,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_enrolment_on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> None:
    run_on_sqlite(EnrolmentLifecycle, SETTINGS, tmp_path_factory.mktemp("enrolment"))


@pytest.mark.postgres
def test_enrolment_on_postgres(postgres_dsn: str) -> None:
    run_on_postgres(EnrolmentLifecycle, SETTINGS, postgres_dsn)
