"""补录 claims, decided on their own: the 公示 batch, the 认定标准's 类别 and 项, the bounds of a
list, and who may never decide a step.

Seed 003 (上海海关学院) 2（三）: 系（部）…开展学分的宣传、申报、初审、汇总、公示、
上报; 2（四）: 结果经公示无异议后上报教务处。教务处对初审结果进行最后审核确认.
Seed 001 (川工科〔2023〕156号) 附件2: 该活动符合认定标准中 XX 类别第 X 项;
第三条: 由学院团总支书记…批准通过后，报…第二课堂指导与服务中心审核 — each step by its
own office.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import claim
from second_classroom.aggregates.claim import (
    ClaimPublished,
    ClaimStatus,
    ImportClaimList,
    ListedCredit,
    PublishClaims,
    RaiseObjection,
    ReviewAction,
    ReviewClaim,
)
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook, Subcategory
from tests.claim_world import (
    ADVISOR,
    CENTER,
    CUSTOMS,
    GEO_LEAGUE,
    LEADER,
    OFFICE,
    PE_LEAGUE,
    SICHUAN,
    SICHUAN_LIST,
    STUDENTS,
    TEACHER,
    collective,
    personal,
    publish_batch,
    refused,
    run,
    through,
    with_claims,
)
from tests.specification import at

FILED_AT = at(3, 10)
BATCH = "2026-05-第1批"


def first_reviewed(student: str, key: str = "paper-1") -> claim.Claim:
    """A 003 research claim of ``student`` through its 指导教师 and its 系部 (Mon 11 May)."""
    filing = personal(student_number=student, key=key)
    review = ReviewClaim(filing.claim_id, True)
    return through(
        [
            (filing, Actor.student(student), at(5, 8)),
            (review, TEACHER, at(5, 8)),
            (review, PE_LEAGUE, at(5, 11)),
        ],
        CUSTOMS,
    )


def refused_batch(
    states: dict[object, claim.Claim | None],
    command: PublishClaims,
    actor: Actor,
    rulebook: Rulebook = CUSTOMS,
) -> str:
    base = Context(actor, at(5, 11), rulebook)
    with pytest.raises(DomainError) as caught:
        claim.publish(command, {c: (states.get(c), base) for c in command.claim_ids}, base)
    return caught.value.code


# -- 003 2（三）（四）: 汇总、公示 as a batch ---------------------------------------------


def test_given_first_reviewed_claims_when_the_department_publishes_them_then_one_period() -> None:
    """003 2（三）: the 系部 汇总 its first-reviewed claims and publishes them together; every
    claim of the batch is open to objections for the same 5 working days."""
    zhang, wang = first_reviewed("2023010003"), first_reviewed("2023010004")
    assert zhang.awaiting_publicity
    assert wang.awaiting_publicity
    assert zhang.publicity_until is None  # the approval alone publishes nothing
    (zhang, wang), events = publish_batch([zhang, wang], PE_LEAGUE, at(5, 11), batch=BATCH)
    until = datetime(2026, 5, 19, tzinfo=SHANGHAI)  # Mon 11 May + 5 working days, exclusive
    assert events == [
        ClaimPublished(zhang.id, until, at(5, 11), BATCH, PE_LEAGUE.person_id),
        ClaimPublished(wang.id, until, at(5, 11), BATCH, PE_LEAGUE.person_id),
    ]
    assert (zhang.batch, wang.batch) == (BATCH, BATCH)
    assert not zhang.awaiting_publicity
    # Published again (a retry): nothing new.
    (zhang, wang), again = publish_batch([zhang, wang], PE_LEAGUE, at(5, 12), batch=BATCH)
    assert again == []
    assert zhang.publicity_until == until


def test_given_a_published_batch_when_it_is_sent_again_with_a_claim_added_then_only_it_is_new() -> (
    None
):
    """003 2（三） 汇总、公示: a batch sent again with one more claim after those already in it
    publishes the newcomer (the first day's period is the batch's, the newcomer's own from
    today); the claims published already get nothing."""
    zhang, wang = first_reviewed("2023010003"), first_reviewed("2023010004", "paper-2")
    (zhang,), _ = publish_batch([zhang], PE_LEAGUE, at(5, 11), batch=BATCH)
    (zhang, wang), events = publish_batch([zhang, wang], PE_LEAGUE, at(5, 12), batch=BATCH)
    until = datetime(2026, 5, 20, tzinfo=SHANGHAI)  # Tue 12 May + 5 working days, exclusive
    assert events == [ClaimPublished(wang.id, until, at(5, 12), BATCH, PE_LEAGUE.person_id)]
    assert zhang.publicity_until == datetime(2026, 5, 19, tzinfo=SHANGHAI)
    assert (zhang.batch, wang.batch) == (BATCH, BATCH)


def test_given_a_batch_when_one_claim_draws_an_objection_then_only_that_claim_waits() -> None:
    """003 2（四） 结果经公示无异议后上报教务处: an objection holds its own claim; the others of
    the batch are confirmed once the period is over."""
    (zhang, wang), _ = publish_batch(
        [first_reviewed("2023010003"), first_reviewed("2023010004")], PE_LEAGUE, at(5, 11)
    )
    objector = Actor("T-anyone", {Role(RoleKind.COUNSELOR, "GEO")})  # anyone in the school
    zhang, _ = run(zhang, RaiseObjection(zhang.id, "成果重复申报"), objector, at(5, 12), CUSTOMS)
    confirm_wang = ReviewClaim(wang.id, True)
    assert (
        refused(wang, confirm_wang, OFFICE, at(5, 18, 23), CUSTOMS).code == "claim.publicity_open"
    )
    wang, decision = run(wang, confirm_wang, OFFICE, at(5, 19), CUSTOMS)
    assert wang.status is ClaimStatus.CONFIRMED
    assert list(decision.records) == ["2023010004"]
    assert refused(zhang, ReviewClaim(zhang.id, True), OFFICE, at(5, 19), CUSTOMS).code == (
        "claim.objection_open"
    )


def test_given_a_claim_waiting_for_its_publicity_when_the_office_reviews_then_refused() -> None:
    """003 2（四）: 教务处 acts only on results that passed their 公示; none happened yet."""
    waiting = first_reviewed("2023010003")
    code = refused(waiting, ReviewClaim(waiting.id, True), OFFICE, at(6, 1), CUSTOMS).code
    assert code == "claim.not_published"
    code = refused(
        waiting, ReviewClaim(waiting.id, False, "材料不全"), OFFICE, at(6, 1), CUSTOMS
    ).code
    assert code == "claim.not_published"
    objection = RaiseObjection(waiting.id, "x")
    assert refused(waiting, objection, OFFICE, at(5, 12), CUSTOMS).code == "claim.not_in_publicity"


def test_a_batch_is_refused_whole_when_any_claim_cannot_join_it() -> None:
    """003 2（三）: a batch names claims that passed first review, by their 系部; none is
    published when one of them cannot be."""
    zhang = first_reviewed("2023010003")
    filed_only = through(
        [(personal(student_number="2023010004", key="p2"), Actor.student("2023010004"), at(5, 8))],
        CUSTOMS,
    )
    (elsewhere,), _ = publish_batch([first_reviewed("2023010004", "p3")], PE_LEAGUE, at(5, 11),
                                    batch="另一批")  # fmt: skip
    states: dict[object, claim.Claim | None] = {s.id: s for s in (zhang, filed_only, elsewhere)}
    missing = claim.claim_id(ClaimKind.PERSONAL, "2023010009", "none")
    cases = [
        (
            PublishClaims(BATCH, (zhang.id, filed_only.id)),
            PE_LEAGUE,
            "claim.not_awaiting_publicity",
        ),
        (PublishClaims(BATCH, (zhang.id, elsewhere.id)), PE_LEAGUE, "claim.not_awaiting_publicity"),
        (PublishClaims(BATCH, (zhang.id, missing)), PE_LEAGUE, "claim.not_found"),
        (PublishClaims(BATCH, ()), PE_LEAGUE, "claim.batch_invalid"),
        (PublishClaims(BATCH, (zhang.id, zhang.id)), PE_LEAGUE, "claim.batch_invalid"),
        (PublishClaims(" ", (zhang.id,)), PE_LEAGUE, "claim.field_empty"),
        (PublishClaims(BATCH, (zhang.id,)), GEO_LEAGUE, "auth.forbidden"),  # another 系部
        (PublishClaims(BATCH, (zhang.id,)), OFFICE, "auth.forbidden"),
        (PublishClaims(BATCH, (zhang.id,)), Actor.student("2023010003"), "auth.forbidden"),
    ]
    for command, actor, code in cases:
        assert refused_batch(states, command, actor) == code, command
    small = attrs.evolve(CUSTOMS, claims=attrs.evolve(CUSTOMS.claims, publicity_batch_max=1))
    two = PublishClaims(BATCH, (zhang.id, first_reviewed("2023010004").id))
    states[two.claim_ids[1]] = first_reviewed("2023010004")
    assert refused_batch(states, two, PE_LEAGUE, small) == "claim.batch_invalid"


# -- 001 附件2: 类别 and 项 of the school's 认定标准 ---------------------------------------------

VOLUNTEER_ITEMS = (Subcategory("v-service", "志愿服务"), Subcategory("v-charity", "公益捐助"))
ITEMISED = attrs.evolve(
    SICHUAN,
    modules=tuple(
        attrs.evolve(m, categories=VOLUNTEER_ITEMS) if m.code == "volunteering" else m
        for m in SICHUAN.modules
    ),
)


@pytest.mark.parametrize(
    ("changes", "rulebook", "code"),
    [
        ({"category": "天文观测"}, SICHUAN, "claim.category_unknown"),
        ({"category": "志愿公益", "item": "第3项"}, ITEMISED, "claim.item_unknown"),
        ({"category": "volunteering", "item": "环境保护"}, ITEMISED, "claim.item_unknown"),
    ],
)
def test_given_the_schools_categories_when_a_claim_names_another_then_refused(
    changes: dict[str, str], rulebook: Rulebook, code: str
) -> None:
    """001 附件2 符合认定标准中 XX 类别第 X 项 (附件4 注7: 分类须与学校设置匹配): the 类别 is
    one of the school's modules; where the module lists its items (二级分类), the 项 is one."""
    assert refused(None, collective(**changes), LEADER, FILED_AT, rulebook).code == code


@pytest.mark.parametrize(
    ("category", "item", "rulebook"),
    [
        ("志愿公益", "第3项", SICHUAN),  # a module without items: the 认定标准's own numbering
        ("volunteering", "第3项", SICHUAN),  # by code too
        ("志愿公益", "志愿服务", ITEMISED),
        ("志愿公益", "v-charity", ITEMISED),
    ],
)
def test_given_the_schools_categories_when_a_claim_names_one_then_filed(
    category: str, item: str, rulebook: Rulebook
) -> None:
    """001 附件2: a 类别 and 项 the school sets are accepted as written."""
    state, _ = run(None, collective(category=category, item=item), LEADER, FILED_AT, rulebook)
    assert state.collective is not None
    assert (state.collective.category, state.collective.item) == (category, item)


# -- bounds of the 附件4 list ---------------------------------------------------------------


def test_given_a_participant_cap_when_the_list_is_longer_then_refused() -> None:
    """001 附件4 人员信息: a collective claim's list is bounded by the rulebook
    (``claims.max_participants``), like the template's rows."""
    capped = attrs.evolve(SICHUAN, claims=attrs.evolve(SICHUAN.claims, max_participants=1))
    two = collective(participants=STUDENTS[:2])
    assert refused(None, two, LEADER, FILED_AT, capped).code == "claim.too_many_participants"
    state, _ = run(None, collective(participants=STUDENTS[:1]), LEADER, FILED_AT, capped)
    assert state.beneficiaries == STUDENTS[:1]


# 001's list of one row at the most (``claims.template_max_rows``).
ONE_ROW = attrs.evolve(SICHUAN_LIST, claims=attrs.evolve(SICHUAN_LIST.claims, template_max_rows=1))


def approved_under_a_row_cap() -> claim.Claim:
    """A collective claim approved by its 指导老师 and the center under ``ONE_ROW``."""
    review = ReviewClaim(collective().claim_id, True)
    steps: list[tuple[claim.ClaimCommand, Actor, datetime]] = [
        (collective(), LEADER, FILED_AT),
        (review, ADVISOR, at(3, 11)),
        (review, CENTER, at(3, 12)),
    ]
    return through(steps, ONE_ROW)


def test_given_a_row_cap_when_an_imported_list_is_longer_then_refused() -> None:
    """001 第三条 名单导入: the list imported through the API has the template's row cap
    (``claims.template_max_rows``), whatever file or frontend it came from."""
    approved = approved_under_a_row_cap()
    assert approved.status is ClaimStatus.APPROVED
    row = ListedCredit(STUDENTS[0], "清洁志愿活动", CREDIT_ROW)
    two = ImportClaimList(approved.id, "d", (row, attrs.evolve(row, student_number=STUDENTS[1])))
    assert refused(approved, two, CENTER, at(3, 13), ONE_ROW).code == "claim.list_too_long"
    state, _ = run(approved, ImportClaimList(approved.id, "d", (row,)), CENTER, at(3, 13), ONE_ROW)
    assert state.status is ClaimStatus.CONFIRMED


CREDIT_ROW = PlannedCredit("volunteering", "学分", Decimal("0.5"))


# -- each step by its own office; never by the claimant --------------------------------------


def test_given_a_reviewer_who_gains_the_next_role_when_they_approve_again_then_refused() -> None:
    """001 第三条 and 003 2（四）: a chain is several offices. Whoever approved a step — even
    holding the next step's role by now — does not approve the next one of the same round."""
    swapped = Actor(ADVISOR.person_id, {*ADVISOR.roles, Role(RoleKind.CENTER)})
    state = through([(collective(), LEADER, FILED_AT)])
    state, _ = run(state, ReviewClaim(state.id, True), swapped, at(3, 11))
    assert refused(state, ReviewClaim(state.id, True), swapped, at(3, 12)).code == (
        "claim.reviewer_repeated"
    )
    teacher_in_office = Actor(TEACHER.person_id, {*TEACHER.roles, *OFFICE.roles})
    (published,), _ = publish_batch([first_reviewed("2023010003")], PE_LEAGUE, at(5, 11))
    code = refused(published, ReviewClaim(published.id, True), teacher_in_office, at(5, 19),
                   CUSTOMS).code  # fmt: skip
    assert code == "claim.reviewer_repeated"
    confirmed, _ = run(published, ReviewClaim(published.id, True), OFFICE, at(5, 19), CUSTOMS)
    assert confirmed.approvers == (TEACHER.person_id, PE_LEAGUE.person_id, OFFICE.person_id)


def test_given_a_rejected_claim_revised_by_another_admin_when_they_review_then_refused() -> None:
    """001 第三条: whoever files or revises a claim is its claimant for the chain; holding the
    step's role does not let them approve it."""
    admin = Actor("2023010009", {Role.student(), Role.tribe(RoleKind.TRIBE_ADMIN, LEADER_TRIBE)})
    state = through([(collective(), LEADER, FILED_AT)])
    state, _ = run(state, ReviewClaim(state.id, False, "名单不全"), ADVISOR, at(3, 11))
    state, _ = run(state, collective(participants=STUDENTS), admin, at(3, 12))
    assert state.filers == (LEADER.person_id, admin.person_id)
    admin_advisor = Actor(admin.person_id, {*admin.roles, *ADVISOR.roles})
    assert refused(state, ReviewClaim(state.id, True), admin_advisor, at(3, 13)).code == (
        "auth.forbidden"
    )


LEADER_TRIBE = collective().tribe_id
EVERY_ROLE = [
    Role(RoleKind.ADVISOR, str(LEADER_TRIBE)),
    Role(RoleKind.ADVISOR),
    Role(RoleKind.CENTER),
    Role(RoleKind.ACADEMIC_AFFAIRS),
    Role(RoleKind.COUNSELOR, "PE"),
    Role(RoleKind.LEAGUE_SECRETARY, "PE"),
    Role.college_admin("PE"),
    Role.school_admin(),
]


# No deadline: under a mutation run on a loaded machine one example took 285 ms (flaky, not slow).
@settings(deadline=None)
@given(roles=st.sets(st.sampled_from(EVERY_ROLE)), who=st.sampled_from(("claimant", "participant")))
def test_whatever_roles_they_hold_the_claimant_and_participants_decide_no_step(
    roles: set[Role], who: str
) -> None:
    """001 第三条 / 003 2（四）: nobody approves, publishes or judges objections to a claim they
    filed or gain from, whatever roles they assert."""
    filed = through([(collective(), LEADER, FILED_AT)])
    person = LEADER.person_id if who == "claimant" else STUDENTS[0]
    actor = Actor(person, frozenset(roles))
    for rulebook in (SICHUAN, CUSTOMS, SICHUAN_LIST):
        for chain in rulebook.claims.chains:
            assert not any(claim.may_decide(step, filed, actor) for step in chain.steps)


# -- 待我审核: what each reviewer may do now ---------------------------------------------------


def test_the_review_list_offers_each_reviewer_the_step_they_may_act_on() -> None:
    """003 2（三）（四）: 指导教师 reviews, then the 系部 reviews and publishes (and judges
    objections), then the 教务处 confirms after the period — each is offered only that."""
    rule = CUSTOMS.claims.chain(ClaimKind.PERSONAL)
    assert rule is not None
    chain = rule.recorded()
    student = Actor.student("2023010003")
    filed = through([(personal(), student, at(5, 8))], CUSTOMS)

    def offered(state: claim.Claim, now: datetime) -> dict[str, tuple[ReviewAction, ...]]:
        people = {"teacher": TEACHER, "department": PE_LEAGUE, "office": OFFICE,
                  "student": student, "other_department": GEO_LEAGUE}  # fmt: skip
        return {
            name: found
            for name, actor in people.items()
            if (found := claim.actions(state, chain, actor, now))
        }

    assert offered(filed, at(5, 8)) == {"teacher": (ReviewAction.REVIEW,)}
    waiting = first_reviewed("2023010003")
    assert offered(waiting, at(5, 11)) == {"department": (ReviewAction.PUBLISH,)}
    (published,), _ = publish_batch([waiting], PE_LEAGUE, at(5, 11))
    assert offered(published, at(5, 12)) == {}  # the period runs
    objected, _ = run(published, RaiseObjection(published.id, "重复"), student, at(5, 12), CUSTOMS)
    assert offered(objected, at(5, 19)) == {"department": (ReviewAction.OBJECTION,)}
    assert offered(published, at(5, 19)) == {"office": (ReviewAction.REVIEW,)}
    confirmed, _ = run(published, ReviewClaim(published.id, True), OFFICE, at(5, 19), CUSTOMS)
    assert offered(confirmed, at(5, 20)) == {}


def test_the_review_list_offers_the_centre_the_import_of_an_approved_list() -> None:
    """001 第三条 审核通过后…通过名单导入的方式: the approved claim waits for the 二课中心."""
    rule = SICHUAN_LIST.claims.chain(ClaimKind.COLLECTIVE)
    assert rule is not None
    chain = rule.recorded()
    review = ReviewClaim(collective().claim_id, True)
    approved = through(
        [
            (collective(), LEADER, FILED_AT),
            (review, ADVISOR, at(3, 11)),
            (review, CENTER, at(3, 12)),
        ],
        SICHUAN_LIST,
    )
    assert claim.actions(approved, chain, CENTER, at(3, 13)) == (ReviewAction.IMPORT,)
    assert claim.actions(approved, chain, ADVISOR, at(3, 13)) == ()


def test_the_review_list_offers_the_import_to_the_last_step_s_role_only() -> None:
    """001 第三条 名单导入 is the last step's: in a three-step chain, an approved claim is offered
    to the last step's role (教务处), not to the middle one's (系部)."""
    rule = CUSTOMS.claims.chain(ClaimKind.PERSONAL)
    assert rule is not None
    chain = rule.recorded()
    approved = attrs.evolve(first_reviewed("2023010003"), status=ClaimStatus.APPROVED)
    assert claim.actions(approved, chain, OFFICE, at(5, 20)) == (ReviewAction.IMPORT,)
    assert claim.actions(approved, chain, PE_LEAGUE, at(5, 20)) == ()
    rejected = attrs.evolve(approved, status=ClaimStatus.REJECTED)
    assert claim.actions(rejected, chain, OFFICE, at(5, 20)) == ()


# 003's chain with the 系部's 公示 after the first step (a school that publishes at once).
PUBLISH_FIRST = with_claims(
    """
[claims]
publicity_working_days = 5

[[claims.chains]]
kind = "personal"
steps = [
  { name = "系部（会同学术委员会）", role = "college_admin", scope = "college", publicity = true },
  { name = "教务处", role = "academic_affairs", scope = "school" },
]
"""
)


def test_the_review_list_offers_the_publication_after_a_first_step_with_a_publicity() -> None:
    """Given a chain whose first step (系部) asks for a 公示, when the 系部 approved it, then the
    系部 is offered to publish it and nobody to review it until it is published."""
    rule = PUBLISH_FIRST.claims.chain(ClaimKind.PERSONAL)
    assert rule is not None
    chain = rule.recorded()
    filing = personal(advisor="")
    state = through(
        [
            (filing, Actor.student("2023010003"), at(5, 8)),
            (ReviewClaim(filing.claim_id, True), PE_LEAGUE, at(5, 8)),
        ],
        PUBLISH_FIRST,
    )
    assert (state.step, state.awaiting_publicity) == (1, True)
    assert claim.actions(state, chain, PE_LEAGUE, at(5, 8)) == (ReviewAction.PUBLISH,)
    assert claim.actions(state, chain, OFFICE, at(5, 8)) == ()


def test_the_review_list_offers_the_last_review_from_the_instant_the_publicity_ends() -> None:
    """003 公示无异议后上报教务处: at the very end of the period the 教务处 may review."""
    rule = CUSTOMS.claims.chain(ClaimKind.PERSONAL)
    assert rule is not None
    chain = rule.recorded()
    (published,), _ = publish_batch([first_reviewed("2023010003")], PE_LEAGUE, at(5, 11))
    until = published.publicity_until
    assert until is not None
    assert claim.actions(published, chain, OFFICE, until) == (ReviewAction.REVIEW,)
    assert claim.actions(published, chain, OFFICE, until - timedelta(seconds=1)) == ()


def test_a_claim_past_a_chain_shortened_since_is_offered_to_its_last_step() -> None:
    """Given a claim at the third step, when the school's chain now has two steps, then the
    last step's role is offered the review (the claim is never left without a reviewer)."""
    rule = CUSTOMS.claims.chain(ClaimKind.PERSONAL)
    assert rule is not None
    chain = rule.recorded()
    (published,), _ = publish_batch([first_reviewed("2023010003")], PE_LEAGUE, at(5, 11))
    shorter = attrs.evolve(chain, steps=chain.steps[1:])
    assert published.step == 2
    assert claim.actions(published, shorter, OFFICE, at(5, 19)) == (ReviewAction.REVIEW,)


def test_a_refused_batch_names_the_claim_the_cap_or_the_field() -> None:
    """003 2（三）: the refusal says which claim cannot join (its title), the batch's cap, or
    the missing batch name; a batch of exactly the cap is published."""
    zhang = first_reviewed("2023010003")
    filed_only = through(
        [(personal(student_number="2023010004", key="p2"), Actor.student("2023010004"), at(5, 8))],
        CUSTOMS,
    )
    states: dict[object, claim.Claim | None] = {s.id: s for s in (zhang, filed_only)}
    base = Context(PE_LEAGUE, at(5, 11), CUSTOMS)

    def error(command: PublishClaims, actor: Actor = PE_LEAGUE) -> tuple[str, object]:
        context = Context(actor, at(5, 11), CUSTOMS)
        with pytest.raises(DomainError) as caught:
            claim.publish(command, {c: (states.get(c), context) for c in command.claim_ids}, base)
        return caught.value.code, caught.value.details

    cap = CUSTOMS.claims.publicity_batch_max
    title = "论文《海关数据治理》发表"
    assert error(PublishClaims(BATCH, (zhang.id, filed_only.id))) == (
        "claim.not_awaiting_publicity",
        {"title": title},
    )
    assert error(PublishClaims(BATCH, ())) == ("claim.batch_invalid", {"cap": cap})
    assert error(PublishClaims(" ", (zhang.id,))) == ("claim.field_empty", {"field": "batch"})
    assert error(PublishClaims(BATCH, (zhang.id,)), OFFICE) == (
        "auth.forbidden",
        {"action": "公示 publish as 系部（会同学术委员会）"},
    )
    wang = first_reviewed("2023010004", "p4")
    two = attrs.evolve(CUSTOMS, claims=attrs.evolve(CUSTOMS.claims, publicity_batch_max=2))
    _, events = publish_batch([zhang, wang], PE_LEAGUE, at(5, 11), two)
    assert [e.claim_id for e in events] == [zhang.id, wang.id]


def test_a_refused_category_item_or_list_length_names_the_school_s_choices_and_counts() -> None:
    """001 附件2 and 附件4: the refusal lists the school's 类别 (its modules) or the 类别's
    项, and a list's length with its cap. Spaces around a 类别 or 项 are not part of it."""
    modules = "、".join(m.name for m in SICHUAN.modules)
    error = refused(None, collective(category="天文观测"), LEADER, FILED_AT)
    assert (error.code, error.details) == (
        "claim.category_unknown",
        {"category": "天文观测", "allowed": modules},
    )
    error = refused(None, collective(category="志愿公益", item="第3项"), LEADER, FILED_AT, ITEMISED)
    assert (error.code, error.details) == (
        "claim.item_unknown",
        {"item": "第3项", "category": "志愿公益", "allowed": "志愿服务、公益捐助"},
    )
    spaced = collective(category=" 志愿公益 ", item=" 志愿服务 ")
    state, _ = run(None, spaced, LEADER, FILED_AT, ITEMISED)
    assert state.collective is not None
    assert (state.collective.category, state.collective.item) == (" 志愿公益 ", " 志愿服务 ")
    capped = attrs.evolve(SICHUAN, claims=attrs.evolve(SICHUAN.claims, max_participants=1))
    error = refused(None, collective(participants=STUDENTS[:2]), LEADER, FILED_AT, capped)
    assert (error.code, error.details) == ("claim.too_many_participants", {"count": 2, "cap": 1})


def test_a_list_longer_than_the_template_s_rows_is_refused_with_its_count() -> None:
    approved = approved_under_a_row_cap()
    row = ListedCredit(STUDENTS[0], "清洁志愿活动", CREDIT_ROW)
    two = ImportClaimList(approved.id, "d", (row, attrs.evolve(row, student_number=STUDENTS[1])))
    error = refused(approved, two, CENTER, at(3, 13), ONE_ROW)
    assert (error.code, error.details) == ("claim.list_too_long", {"count": 2, "cap": 1})
    blank = refused(approved, ImportClaimList(approved.id, " ", (row,)), CENTER, at(3, 13), ONE_ROW)
    assert (blank.code, blank.details) == ("claim.field_empty", {"field": "digest"})
