"""A claim keeps the chain it was filed under (seed 001 第三条 collective, 第四条 cadre, 第六条
personal; seed 003 2（四） 指导教师 → 系部 → 公示 → 教务处): a rulebook deployed while it is in
review does not move it to another step, skip one, ask other people or strand it. Claims whose
``ClaimFiled`` was stored before chains were recorded still follow the current rulebook."""

from __future__ import annotations

from decimal import Decimal

import attrs
import orjson
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom import codec
from second_classroom.aggregates import claim
from second_classroom.aggregates.claim import (
    ClaimApproved,
    ClaimConfirmed,
    ClaimFiled,
    ClaimStepApproved,
    FileCadreClaim,
    ImportClaimList,
    ListedCredit,
    ReviewClaim,
)
from second_classroom.aggregates.student import BackfillRecorded
from second_classroom.core.actor import Actor
from second_classroom.persistence.mapper import CattrsMapper
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import Rulebook
from tests.claim_world import (
    ADVISOR,
    CENTER,
    COUNSELOR,
    CREDIT,
    CUSTOMS,
    CUSTOMS_CLAIMS,
    DROPPED,
    LEADER,
    NO_CADRE,
    NO_PERSONAL,
    OFFICE,
    PE_LEAGUE,
    PE_SECRETARY,
    REASSIGNED,
    SICHUAN,
    SICHUAN_LIST,
    STUDENTS,
    SWAPPED,
    TEACHER,
    collective,
    personal,
    publish_batch,
    recorded,
    refused,
    run,
    through,
    with_claims,
)
from tests.example_counts import examples
from tests.specification import at, present

STUDENT_3 = Actor.student("2023010003")
PERSONAL_STEPS = ("辅导员", "二级学院团总支", "第二课堂指导与服务中心")
REVIEWER = {"辅导员": COUNSELOR, "二级学院团总支": PE_LEAGUE, "第二课堂指导与服务中心": CENTER}


def test_the_variant_rulebooks_change_what_the_tests_say_they_change() -> None:
    """The premises: each deployed rulebook differs from seed 001's exactly as named."""

    def names(rulebook: Rulebook, kind: ClaimKind) -> tuple[str, ...] | None:
        chain = rulebook.claims.chain(kind)
        return tuple(s.name for s in chain.steps) if chain is not None else None

    assert names(SICHUAN, ClaimKind.PERSONAL) == PERSONAL_STEPS
    assert names(DROPPED, ClaimKind.PERSONAL) == PERSONAL_STEPS[1:]
    assert names(SWAPPED, ClaimKind.PERSONAL) == (*PERSONAL_STEPS[1::-1], PERSONAL_STEPS[2])
    assert names(REASSIGNED, ClaimKind.COLLECTIVE) == ("二级学院团总支", "第二课堂指导与服务中心")
    assert names(NO_CADRE, ClaimKind.CADRE) is None
    assert names(NO_PERSONAL, ClaimKind.PERSONAL) is None
    assert names(NO_PERSONAL, ClaimKind.CADRE) == ("第二课堂指导与服务中心",)


def approvals(events: list[claim.ClaimEvent]) -> list[str]:
    return [e.step_name for e in events if isinstance(e, ClaimStepApproved)]


def test_a_claim_filed_under_three_steps_finishes_under_them_after_a_step_is_dropped() -> None:
    """001 第六条 辅导员初步审核 → 二级学院团总支审核 → 二课中心审核并认定: given a personal claim
    filed under that 3-step chain and approved by the 辅导员, when the school deploys a chain
    without the 辅导员 step, then the claim still stands at the 团总支's step (the centre, the new
    chain's second step, is refused) and the centre's approval after it confirms the credits."""
    review = ReviewClaim(personal().claim_id, True)
    state, filed = run(None, personal(), STUDENT_3, at(3, 2))
    [filing] = filed.claim
    assert isinstance(filing, ClaimFiled)
    assert filing.chain == recorded(ClaimKind.PERSONAL)  # the 3-step chain, in the event
    state, first = run(state, review, COUNSELOR, at(3, 3))
    assert refused(state, review, CENTER, at(3, 4), DROPPED).code == "auth.forbidden"
    state, second = run(state, review, PE_LEAGUE, at(3, 4), DROPPED)
    state, third = run(state, review, CENTER, at(3, 5), DROPPED)
    events = [*first.claim, *second.claim, *third.claim]
    assert approvals(events) == list(PERSONAL_STEPS)
    assert isinstance(events[-1], ClaimConfirmed)
    assert state.status is claim.ClaimStatus.CONFIRMED
    assert set(third.records) == {"2023010003"}


def test_a_claim_is_approved_by_the_deciders_it_was_filed_under_not_the_new_ones() -> None:
    """001 第三条/附件2 学院团总支书记、学生组织指导老师 批准: given a collective claim filed while
    the tribe's 指导老师 (or the 团总支书记) decides the first step, when the school makes it the
    college 团总支's step, then the 团总支 is refused (``auth.forbidden``) on that claim and the
    指导老师 approves it; a claim filed after the change goes to the 团总支 instead."""
    review = ReviewClaim(collective().claim_id, True)
    state, _ = run(None, collective(), LEADER, at(3, 10))
    assert refused(state, review, PE_LEAGUE, at(3, 11), REASSIGNED).code == "auth.forbidden"
    chain = present(claim.chain_of(state, REASSIGNED.claims))
    assert claim.actions(state, chain, PE_LEAGUE, at(3, 11)) == ()
    assert claim.actions(state, chain, PE_SECRETARY, at(3, 11))
    state, first = run(state, review, ADVISOR, at(3, 11), REASSIGNED)
    assert approvals(list(first.claim)) == ["学院团总支书记/学生组织指导老师/学生社团指导老师"]
    state, last = run(state, review, CENTER, at(3, 12), REASSIGNED)
    assert isinstance(last.claim[-1], ClaimConfirmed)
    later = collective(key="2026-after")
    newer, _ = run(None, later, LEADER, at(3, 12), REASSIGNED)
    again = ReviewClaim(later.claim_id, True)
    assert refused(newer, again, ADVISOR, at(3, 13), REASSIGNED).code == "auth.forbidden"
    _after, decided = run(newer, again, PE_LEAGUE, at(3, 13), REASSIGNED)
    assert approvals(list(decided.claim)) == ["二级学院团总支"]


def cadre() -> FileCadreClaim:
    return FileCadreClaim(
        "2023010004", "su-2025", "石油工程学院学生会", "宣传部部长",
        at(9, 1, year=2025), at(9, 1), (PlannedCredit("work_experience", "学分", Decimal(1)),),
    )  # fmt: skip


def test_a_claim_of_a_kind_no_longer_offered_can_still_be_finished() -> None:
    """001 第四条 学生干部积分补录: given a cadre claim filed in October, when the school deploys a
    rulebook without cadre claims, then a new cadre claim is refused (``claim.kind_not_offered``)
    but the filed one is rejected, revised (within its window) and confirmed by the centre."""
    student = Actor.student("2023010004")
    review = ReviewClaim(cadre().claim_id, True)
    state, _ = run(None, cadre(), student, at(10, 8))
    other = attrs.evolve(cadre(), key="su-2024")
    assert refused(None, other, student, at(10, 9), NO_CADRE).code == "claim.kind_not_offered"
    state, _ = run(state, ReviewClaim(state.id, False, "缺少任职证明"), CENTER, at(10, 9), NO_CADRE)
    revised = attrs.evolve(cadre(), position="宣传部副部长")
    state, again = run(state, revised, student, at(10, 10), NO_CADRE)
    assert type(again.claim[0]).__name__ == "ClaimResubmitted"
    state, done = run(state, review, CENTER, at(10, 12), NO_CADRE)
    assert isinstance(done.claim[-1], ClaimConfirmed)
    [credited] = done.records["2023010004"]
    assert isinstance(credited, BackfillRecorded)
    assert credited.record.credits == cadre().credits


def test_a_resubmitted_claim_restarts_the_chain_it_was_filed_under() -> None:
    """001 第五、六条: a rejected personal claim revised within its window is the same claim, so
    it restarts at the first step of the chain it was filed under. Given a claim rejected by the
    团总支, when the school swaps the 辅导员 and 团总支 steps and the student revises it, then
    the 辅导员 decides first again (the 团总支, the new first step, is refused)."""
    review = ReviewClaim(personal().claim_id, True)
    state = through([(personal(), STUDENT_3, at(3, 2)), (review, COUNSELOR, at(3, 3))])
    state, _ = run(state, ReviewClaim(state.id, False, "缺少录用证明"), PE_LEAGUE, at(3, 4))
    state, _ = run(
        state, personal(title="论文《海关数据治理》（修订）"), STUDENT_3, at(3, 5), SWAPPED
    )
    assert (state.status, state.step) == (claim.ClaimStatus.IN_REVIEW, 0)
    assert refused(state, review, PE_LEAGUE, at(3, 6), SWAPPED).code == "auth.forbidden"
    events: list[claim.ClaimEvent] = []
    for reviewer in (COUNSELOR, PE_LEAGUE, CENTER):
        state, decision = run(state, review, reviewer, at(3, 6), SWAPPED)
        events += decision.claim
    assert approvals(events) == list(PERSONAL_STEPS)
    assert state.status is claim.ClaimStatus.CONFIRMED


@pytest.mark.parametrize(
    ("filed_under", "deployed", "last"),
    [(SICHUAN_LIST, SICHUAN, ClaimApproved), (SICHUAN, SICHUAN_LIST, ClaimConfirmed)],
    ids=["list-import-dropped", "list-import-added"],
)
def test_the_list_import_of_the_chain_a_claim_was_filed_under_decides_its_end(
    filed_under: Rulebook, deployed: Rulebook, last: type
) -> None:
    """001 第三条 审核通过后…通过名单导入的方式: whether the centre's approval waits for the
    附件4 list is the filed chain's ``list_import``, whatever the rulebook says at approval;
    a claim waiting for its list is confirmed by importing it."""
    review = ReviewClaim(collective().claim_id, True)
    state = through([(collective(), LEADER, at(3, 10))], filed_under)
    state, _ = run(state, review, ADVISOR, at(3, 11), deployed)
    state, decision = run(state, review, CENTER, at(3, 12), deployed)
    assert isinstance(decision.claim[-1], last)
    if last is ClaimApproved:
        rows = (ListedCredit(STUDENTS[0], "清洁志愿活动", CREDIT[0]),)
        state, imported = run(state, ImportClaimList(state.id, "d-1", rows), CENTER, at(3, 13),
                              deployed)  # fmt: skip
        assert isinstance(imported.claim[-1], ClaimConfirmed)
    assert state.status is claim.ClaimStatus.CONFIRMED


def test_a_claim_filed_with_a_publicity_step_is_published_after_the_rulebook_drops_it() -> None:
    """003 2（四） 系部…初审…结果经公示无异议后上报教务处: given a research claim filed while the
    系部's step is followed by a 公示, when the school deploys the chain without it, then the
    系部's approval still leaves the claim waiting for its batch (教务处 is refused until the
    系部 publishes it and the period ends), and 教务处 confirms it after."""
    no_publicity = with_claims(CUSTOMS_CLAIMS.replace(", publicity = true", ""))
    review = ReviewClaim(personal().claim_id, True)
    state = through([(personal(), STUDENT_3, at(5, 8)), (review, TEACHER, at(5, 8))], CUSTOMS)
    state, decision = run(state, review, PE_LEAGUE, at(5, 11), no_publicity)
    assert [e.publicity for e in decision.claim if isinstance(e, ClaimStepApproved)] == [True]
    assert refused(state, review, OFFICE, at(5, 11), no_publicity).code == "claim.not_published"
    [state], _ = publish_batch([state], PE_LEAGUE, at(5, 11), no_publicity)
    assert state.publicity_until is not None
    state, done = run(state, review, OFFICE, state.publicity_until, no_publicity)
    assert isinstance(done.claim[-1], ClaimConfirmed)


# -- event logs written before chains were recorded ------------------------------------------


def old_filing(event: ClaimFiled) -> ClaimFiled:
    """``event`` as stored before chains were recorded: no ``chain`` key, read by the mapper."""
    data = codec.converter.unstructure(event)
    del data["chain"]
    body = {"v": 1, "at": event.at.isoformat(), "data": data}
    stored = StoredEvent(event.claim_id, 1, "ClaimFiled", orjson.dumps(body))
    mapper = CattrsMapper({}, transcoder=JSONTranscoder())
    payload = mapper.to_domain_event(stored).payload
    assert isinstance(payload, ClaimFiled)
    return payload


def test_an_old_log_without_recorded_chains_replays_as_before() -> None:
    """Given a personal claim's log written before chains were recorded (001 第六条), then it
    folds to a claim without a chain; under an unchanged rulebook its three reviews decide
    exactly what they decide for a claim with its chain recorded; and it follows the current
    rulebook's chain as it always did: after the 辅导员 step is dropped the 团总支 decides its
    first step, and without personal claims it cannot go on (``claim.kind_not_offered``)."""
    _state, filed = run(None, personal(), STUDENT_3, at(3, 2))
    [new] = filed.claim
    assert isinstance(new, ClaimFiled)
    assert new.chain is not None
    old = old_filing(new)
    assert old.chain is None
    assert codec.from_json({"type": "ClaimFiled", **codec.converter.unstructure(old)}) == old
    old_state = claim.DECIDER.fold([old])
    assert old_state is not None
    assert old_state.chain is None
    review = ReviewClaim(new.claim_id, True)
    replays: list[list[claim.ClaimEvent]] = []
    for start in (claim.DECIDER.fold([new]), old_state):
        state = start
        events: list[claim.ClaimEvent] = []
        for reviewer in (COUNSELOR, PE_LEAGUE, CENTER):
            state, decision = run(state, review, reviewer, at(3, 3))
            events += decision.claim
        replays.append(events)
    assert replays[0] == replays[1]
    assert approvals(replays[1]) == list(PERSONAL_STEPS)
    assert refused(old_state, review, COUNSELOR, at(3, 3), DROPPED).code == "auth.forbidden"
    _after, first = run(old_state, review, PE_LEAGUE, at(3, 3), DROPPED)
    assert approvals(list(first.claim)) == ["二级学院团总支"]
    assert refused(old_state, review, COUNSELOR, at(3, 3), NO_PERSONAL).code == (
        "claim.kind_not_offered"
    )


# -- whatever is deployed between the steps --------------------------------------------------

DEPLOYED = (SICHUAN, DROPPED, SWAPPED, REASSIGNED, NO_CADRE, NO_PERSONAL)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.sampled_from(DEPLOYED), min_size=3, max_size=3))
def test_any_rulebooks_deployed_between_the_steps_leave_the_filed_chain(
    deployed: list[Rulebook],
) -> None:
    """001 第六条: whichever rulebook is in force at each review, a personal claim filed under
    the 3-step chain is approved by exactly its 辅导员, 团总支 and centre in that order, each
    refusing the other two reviewers (``auth.forbidden``), and the third approval confirms."""
    review = ReviewClaim(personal().claim_id, True)
    state, _ = run(None, personal(), STUDENT_3, at(3, 2))
    events: list[claim.ClaimEvent] = []
    for name, rulebook in zip(PERSONAL_STEPS, deployed, strict=True):
        for other in PERSONAL_STEPS:
            if other != name:
                error = refused(state, review, REVIEWER[other], at(3, 3), rulebook)
                assert error.code == "auth.forbidden"
        state, decision = run(state, review, REVIEWER[name], at(3, 3), rulebook)
        events += decision.claim
    assert approvals(events) == list(PERSONAL_STEPS)
    assert isinstance(events[-1], ClaimConfirmed)
