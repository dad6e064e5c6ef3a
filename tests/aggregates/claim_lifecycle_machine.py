"""The 补录 claim lifecycle as a Hypothesis state machine (run by
tests/aggregates/test_claim_lifecycle.py on the deciders, and through the facade by
tests/test_claim_service.py): random filings, revisions, reviews by any of the reviewers,
objections and their decisions, and time passing, under 001's collective chain and 003's
personal chain with its 公示; the invariants are checked after every step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from second_classroom.aggregates import claim, student
from second_classroom.aggregates.claim import ClaimStatus
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.context import Context
from tests.claim_world import (
    ADVISOR,
    CENTER,
    LEADER,
    OFFICE,
    PE_LEAGUE,
    RECORDS,
    STUDENTS,
    TEACHER,
    UNION,
    collective,
    personal,
    with_claims,
)
from tests.specification import at

# 001's collective chain and window-bound personal claims that pass 003's chain with its 公示.
RULEBOOK = with_claims("""
[claims]
publicity_working_days = 3

[[claims.chains]]
kind = "collective"
steps = [
  { name = "指导老师", role = "advisor", scope = "tribe" },
  { name = "第二课堂指导与服务中心", role = "school_admin" },
]

[[claims.chains]]
kind = "personal"
first_month = 2
last_month = 3
steps = [
  { name = "指导教师", role = "advisor", scope = "advisor" },
  { name = "系部", role = "college_admin", scope = "college", publicity = true },
  { name = "教务处", role = "academic_affairs" },
]
""")
START = at(2, 20)
END = at(12, 10)  # publicity must end within a year the packaged calendar knows
REVIEWERS = (ADVISOR, CENTER, TEACHER, PE_LEAGUE, OFFICE, LEADER)
# Who holds each step's role here: half of the reviews go to them, so claims get through.
HOLDER = {
    ("advisor", "tribe"): ADVISOR,
    ("school_admin", "school"): CENTER,
    ("advisor", "advisor"): TEACHER,  # 003's 指导教师: an advisor the claim names
    ("college_admin", "college"): PE_LEAGUE,
    ("academic_affairs", "school"): OFFICE,
}
KEYS = ("a",)


class ClaimLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now: datetime = START
        self.claims: dict[Any, claim.Claim] = {}
        self.records: dict[str, StudentRecord] = dict(RECORDS)
        self.filings: list[tuple[ClaimKind, datetime]] = []
        # when each claim was confirmed, and the end of the 公示 it was under then
        self.confirmed_at: dict[Any, tuple[datetime, datetime | None]] = {}
        self.codes: set[str] = set()

    def _run(self, command: claim.ClaimCommand, actor: Actor) -> None:
        state = self.claims.get(command.claim_id)
        context = claim.ClaimContext(Context(actor, self.now, RULEBOOK), UNION, self.records)
        try:
            decision = claim.decide(command, state, context)
        except DomainError as error:
            self.codes.add(error.code)
            return
        after = claim.DECIDER.fold(decision.claim, state)
        assert after is not None
        self.claims[after.id] = after
        for event in decision.claim:
            if isinstance(event, claim.ClaimFiled | claim.ClaimResubmitted):
                self.filings.append((after.kind, event.at))
            if isinstance(event, claim.ClaimConfirmed):
                assert state is not None
                self.confirmed_at[after.id] = (event.at, state.publicity_until)
        for number, events in decision.records.items():
            folded = student.DECIDER.fold(events, self.records[number])
            assert folded is not None
            self.records[number] = folded

    def _publish(self, command: claim.PublishClaims, actor: Actor) -> None:
        base = Context(actor, self.now, RULEBOOK)
        states = {c: (self.claims.get(c), base) for c in command.claim_ids}
        try:
            published = claim.publish(command, states, base)
        except DomainError as error:
            self.codes.add(error.code)
            return
        for claim_id, events in published.items():
            after = claim.DECIDER.fold(events, self.claims[claim_id])
            assert after is not None
            self.claims[claim_id] = after

    def _pick(self, index: int, prefer: Callable[[claim.Claim], bool]) -> claim.Claim | None:
        """A claim by ``index``, among the ``prefer``red ones when there are any (so the
        commands mostly meet claims they can act on, and sometimes others)."""
        found = list(self.claims.values())
        preferred = [c for c in found if prefer(c)]
        if preferred and index % 4:
            found = preferred
        return found[index % len(found)] if found else None

    def _reviewer(self, found: claim.Claim, right: bool, anyone: Actor, back: int = 0) -> Actor:
        """The holder of the role of the step ``back`` steps before the current one, or anyone."""
        chain = RULEBOOK.claims.chain(found.kind)
        assert chain is not None
        index = found.step - back
        if not right or not 0 <= index < len(chain.steps):
            return anyone
        step = chain.steps[index]
        return HOLDER[(step.role.value, step.scope.value)]

    @rule(days=st.sampled_from((0, 0, 1, 2, 5, 12)), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now = min(self.now + timedelta(days=days, hours=hours), END)

    @rule(
        who=st.sampled_from(STUDENTS[1:]),
        key=st.sampled_from(KEYS),
        amount=st.sampled_from(("1", "2", "0.5")),
    )
    def file_personal(self, who: str, key: str, amount: str) -> None:
        credits = (PlannedCredit("innovation", "学分", Decimal(amount)),)
        command = personal(student_number=who, key=key, occurred_at=START, credits=credits)
        self._run(command, Actor.student(who))

    @rule(key=st.sampled_from(KEYS), many=st.integers(1, len(STUDENTS)))
    def file_collective(self, key: str, many: int) -> None:
        held = START - timedelta(days=3)
        command = collective(
            key=key, participants=STUDENTS[:many], starts_at=held, ends_at=held + timedelta(hours=2)
        )
        self._run(command, LEADER)

    @rule(
        index=st.integers(0, 50),
        reviewer=st.sampled_from(REVIEWERS),
        right=st.booleans(),
        approve=st.integers(0, 3),
        reason=st.sampled_from(("", "材料不全")),
    )
    def review(self, index: int, reviewer: Actor, right: bool, approve: int, reason: str) -> None:
        found = self._pick(index, lambda c: c.status is ClaimStatus.IN_REVIEW)
        if found is not None:
            actor = self._reviewer(found, right, reviewer)
            self._run(claim.ReviewClaim(found.id, approve > 0, reason), actor)

    @rule(
        index=st.integers(0, 50),
        who=st.sampled_from((*STUDENTS, "T-anyone")),
        focus=st.booleans(),
    )
    def object(self, index: int, who: str, focus: bool) -> None:
        found = self._pick(index, lambda c: c.publicity_until is not None and focus)
        if found is not None:
            self._run(claim.RaiseObjection(found.id, "成果存疑"), Actor.student(who))

    @rule(
        index=st.integers(0, 50),
        number=st.integers(1, 3),
        uphold=st.booleans(),
        reviewer=st.sampled_from(REVIEWERS),
        right=st.booleans(),
    )
    def decide_objection(
        self, index: int, number: int, uphold: bool, reviewer: Actor, right: bool
    ) -> None:
        found = self._pick(index, lambda c: any(o.open for o in c.objections))
        if found is not None:
            actor = self._reviewer(found, right, reviewer, back=1)
            self._run(claim.DecideObjection(found.id, number, uphold, "已核实"), actor)

    @rule(
        index=st.integers(0, 50),
        many=st.integers(1, 3),
        reviewer=st.sampled_from(REVIEWERS),
        right=st.booleans(),
        batch=st.sampled_from(("2026-第1批", "2026-第2批")),
    )
    def publish_a_batch(
        self, index: int, many: int, reviewer: Actor, right: bool, batch: str
    ) -> None:
        """003 系部 汇总、公示: the claims waiting for their 公示 (mostly), as one batch."""
        waiting = [c for c in self.claims.values() if c.awaiting_publicity]
        found = waiting if waiting and index % 4 else list(self.claims.values())
        if found:
            chosen = [found[(index + i) % len(found)] for i in range(min(many, len(found)))]
            actor = self._reviewer(chosen[0], right, reviewer, back=1)
            ids_ = tuple(dict.fromkeys(c.id for c in chosen))
            self._publish(claim.PublishClaims(batch, ids_), actor)

    @rule(index=st.integers(0, 50), wait=st.booleans())
    def the_office_acts_on_a_published_claim(self, index: int, wait: bool) -> None:
        """003 2（四）: the 教务处 takes up a published claim, after its period (``wait``: time
        runs to its end first) or during it; so confirmations happen in most runs."""
        found = self._pick(index, lambda c: c.publicity_until is not None)
        if found is None or found.publicity_until is None:
            return
        if wait:
            self.now = min(max(self.now, found.publicity_until), END)
        self._run(claim.ReviewClaim(found.id, True), OFFICE)

    @invariant()
    def nobody_decides_a_claim_they_filed_or_two_of_its_steps(self) -> None:
        for found in self.claims.values():
            gaining = {found.claimant, *found.filers, *found.beneficiaries}
            assert not gaining & set(found.approvers)
            assert len(set(found.approvers)) == len(found.approvers)

    @invariant()
    def a_claim_past_a_publicity_step_is_under_review_only_once_published(self) -> None:
        for found in self.claims.values():
            if found.awaiting_publicity:
                assert found.status is ClaimStatus.IN_REVIEW
                assert found.publicity_until is None

    @invariant()
    def credits_exist_only_for_confirmed_claims(self) -> None:
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for found in self.claims.values():
            if found.status is ClaimStatus.CONFIRMED:
                for number in found.beneficiaries:
                    expected[number] += sum((c.amount for c in found.credits), Decimal(0))
        for number, held in self.records.items():
            claims_held = {b.claim_id for b in held.backfills}
            assert all(self.claims[c].status is ClaimStatus.CONFIRMED for c in claims_held)
            assert sum(held.credits().values(), Decimal(0)) == expected[number]

    @invariant()
    def a_rejected_claim_has_a_reason(self) -> None:
        for found in self.claims.values():
            assert found.status is not ClaimStatus.REJECTED or found.reason.strip()

    @invariant()
    def nothing_was_filed_outside_its_window(self) -> None:
        for kind, when in self.filings:
            chain = RULEBOOK.claims.chain(kind)
            assert chain is not None
            assert chain.window_open(when)

    @invariant()
    def a_confirmation_follows_its_publicity_without_open_objection(self) -> None:
        for claim_id, (when, publicity_until) in self.confirmed_at.items():
            found = self.claims[claim_id]
            assert not any(o.open for o in found.objections)
            if found.kind is ClaimKind.PERSONAL:
                assert publicity_until is not None
                assert when >= publicity_until
