"""干部任期与考核 (issue 14 §2): appointments for a term, early ends, ratings within the caps of
the round (002 一 3)), the closing that makes them final and writes each rated term, with the
credits of the rulebook after the minimum service (001 第四条 工作满一年), into the record."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import given as hypothesis_given
from hypothesis import settings
from hypothesis import strategies as st

from second_classroom.aggregates import cadre
from second_classroom.aggregates.cadre import (
    AppointCadre,
    CadreAppointed,
    CadreContext,
    CadreRated,
    CadreRound,
    CadreRoundClosed,
    CadreTermEnded,
    CloseCadreRound,
    EndCadreTerm,
    RateCadre,
    TermEnd,
)
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.student import CadreTermRecorded, StudentRecord
from second_classroom.aggregates.transcript import IssueTranscript, Layout, Version, build_content
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    CadrePosition,
    CadreRating,
    Program,
    TribeKind,
    TribeLevel,
)
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind, ClaimsRule
from second_classroom.policies.rulebook import CadreRule, RatingCap, RatingCredit, Rulebook, preset
from tests.specification import NEPU, PE_ADMIN, SCHOOL_ADMIN, at, context, given

HFUT = preset("hfut")
SIIT = preset("siit")
UNION = Tribe(
    ids.tribe_id("PE-SU"),
    "PE-SU",
    "石油工程学院学生会",
    TribeKind.STUDENT_UNION,
    TribeLevel.COLLEGE,
    "PE",
    certified=True,
    leaders=frozenset({"2023010101"}),
)
LEADER = Actor.student("2023010101").with_roles(UNION.roles_of("2023010101"))
TERM = "2025-2026学年"
ROUND = ids.cadre_round_id(UNION.id, TERM)
STARTS, ENDS = at(9, 1, 0, year=2025), at(9, 1, 0, year=2026)  # one full year
DURING, AFTER = at(3, 1, year=2026), at(9, 2, year=2026)


def student(number: str) -> StudentRecord:
    return StudentRecord(
        ids.student_id(number),
        number,
        f"学生{number}",
        "PE",
        "石工24-1班",
        2024,
        Program.UNDERGRADUATE,
    )


def cadres(count: int) -> list[str]:
    return [f"20240000{n:02d}" for n in range(count)]


def ctx(
    actor: Actor = LEADER,
    now: datetime = AFTER,
    rulebook: Rulebook = HFUT,
    numbers: list[str] | None = None,
) -> CadreContext:
    records = {n: student(n) for n in numbers or []}
    return CadreContext(context(actor, now, rulebook), UNION, records)


def appointed(number: str, title: str = "干事") -> CadreAppointed:
    return CadreAppointed(
        ROUND,
        UNION.id,
        TERM,
        UNION.name,
        number,
        f"学生{number}",
        CadrePosition.STUDENT_UNION,
        title,
        STARTS,
        ENDS,
        "2023010101",
        STARTS,
    )


def rated(number: str, rating: CadreRating) -> CadreRated:
    return CadreRated(ROUND, number, rating, "2023010101", AFTER)


def appoint(number: str, title: str = "干事") -> AppointCadre:
    return AppointCadre(UNION.id, TERM, number, CadrePosition.STUDENT_UNION, title, STARTS, ENDS)


# -- appointments ---------------------------------------------------------------------------


def test_the_leader_appoints_a_student_to_a_post_for_a_term() -> None:
    """Given 石油工程学院学生会 and its leader, when the leader appoints a student 学生会 部长
    for 2025-2026学年 (001 第四条 学生会、学生组织、学生社团、班委), then the round holds it."""
    number = "2024000001"
    state = (
        given(cadre.DECIDER)
        .when(appoint(number, "部长"), ctx(now=STARTS, numbers=[number]))
        .then(attrs.evolve(appointed(number, "部长"), at=STARTS))
    )
    assert state.appointment(number).title == "部长"
    assert state.organization == "石油工程学院学生会"


def test_the_same_appointment_twice_is_accepted_once_and_another_post_is_refused() -> None:
    number = "2024000001"
    world = given(cadre.DECIDER, appointed(number))
    world.when(appoint(number), ctx(numbers=[number])).then_nothing()
    world.when(appoint(number, "主席"), ctx(numbers=[number])).raises("cadre.already_appointed")


def test_who_may_appoint_comes_from_the_rulebook() -> None:
    """Given HFUT's managers (一 3) 各基层团委、各团学组织负责人), then the tribe's leader and its
    college's admin appoint, a student of another tribe does not; a school that lists its
    二课中心 as a manager (SIIT 第四条) lets the center appoint too."""
    number = "2024000001"
    for actor in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
        given(cadre.DECIDER).when(appoint(number), ctx(actor, numbers=[number])).then(
            attrs.evolve(appointed(number), by=actor.person_id, at=AFTER)
        )
    outsider = Actor.student("2024009999")
    given(cadre.DECIDER).when(appoint(number), ctx(outsider, numbers=[number])).raises(
        "auth.forbidden"
    )
    center = Actor("T-center", frozenset({Role(RoleKind.CENTER)}))
    given(cadre.DECIDER).when(appoint(number), ctx(center, numbers=[number])).raises(
        "auth.forbidden"
    )
    siit_context = ctx(center, rulebook=SIIT, numbers=[number])
    given(cadre.DECIDER).when(appoint(number), siit_context).then(
        attrs.evolve(appointed(number), by="T-center", at=AFTER)
    )


def test_nobody_appoints_themselves_and_a_term_ends_after_it_starts() -> None:
    leader = "2023010101"
    given(cadre.DECIDER).when(appoint(leader), ctx(numbers=[leader])).raises("cadre.self_dealing")
    inverted = attrs.evolve(appoint("2024000001"), ends=STARTS)
    given(cadre.DECIDER).when(inverted, ctx(numbers=["2024000001"])).raises("cadre.term_inverted")
    blank = attrs.evolve(appoint("2024000001"), term=" ")
    given(cadre.DECIDER).when(blank, ctx(numbers=["2024000001"])).raises("cadre.term_empty")


def test_an_unregistered_student_or_an_unknown_tribe_is_refused() -> None:
    given(cadre.DECIDER).when(appoint("2024000001"), ctx()).raises("student.not_found")
    nowhere = CadreContext(context(SCHOOL_ADMIN, AFTER, HFUT), None, {})
    given(cadre.DECIDER).when(appoint("2024000001"), nowhere).raises("cadre.tribe_unknown")


# -- early ends -------------------------------------------------------------------------------


def test_a_term_ends_early_by_resignation_with_a_reason() -> None:
    """Given a cadre serving, when they resign in March with a reason, then the term ends then;
    without a reason, or once the term is over, it is refused."""
    number = "2024000001"
    world = given(cadre.DECIDER, appointed(number))
    resign = EndCadreTerm(UNION.id, TERM, number, TermEnd.RESIGNED, "学业繁忙")
    state = world.when(resign, ctx(now=DURING)).then(
        CadreTermEnded(ROUND, number, TermEnd.RESIGNED, "学业繁忙", "2023010101", DURING)
    )
    assert state.appointment(number).last_day == DURING
    world.when(attrs.evolve(resign, reason=" "), ctx(now=DURING)).raises("cadre.reason_required")
    world.when(resign, ctx(now=AFTER)).raises("cadre.not_serving")
    world.when(attrs.evolve(resign, student_number="2024000002"), ctx(now=DURING)).raises(
        "cadre.not_appointed"
    )


# -- ratings and caps -------------------------------------------------------------------------


def test_a_cadre_is_rated_once_the_term_is_over() -> None:
    """002 一 3) 任职期满后…分级评价: before the term's end a rating is refused; a dismissed
    cadre's term is over at once."""
    number = "2024000001"
    world = given(cadre.DECIDER, appointed(number))
    rate = RateCadre(UNION.id, TERM, number, CadreRating.COMPETENT)
    world.when(rate, ctx(now=DURING)).raises("cadre.term_not_over")
    world.when(rate, ctx(now=AFTER)).then(rated(number, CadreRating.COMPETENT))
    dismissed = CadreTermEnded(ROUND, number, TermEnd.DISMISSED, "违纪", "2023010101", DURING)
    given(cadre.DECIDER, appointed(number), dismissed).when(rate, ctx(now=DURING)).then(
        CadreRated(ROUND, number, CadreRating.COMPETENT, "2023010101", DURING)
    )


def test_a_rating_over_the_cap_is_refused_with_the_counts() -> None:
    """Given HFUT's cap on 优秀 (30% of the round's cadres, 附件2: school-supplied) and a round
    of 7 cadres with 2 rated 优秀 (⌊0.3 × 7⌋ = 2), when a third is rated 优秀, then it is
    refused naming the cap, the share, the cadres and those rated."""
    numbers = cadres(7)
    world = given(
        cadre.DECIDER,
        *(appointed(n) for n in numbers),
        rated(numbers[0], CadreRating.EXCELLENT),
        rated(numbers[1], CadreRating.EXCELLENT),
    )
    error = world.when(RateCadre(UNION.id, TERM, numbers[2], CadreRating.EXCELLENT), ctx()).raises(
        "cadre.over_cap"
    )
    assert error.details == {"rating": "优秀", "cap": 2, "cadres": 7, "share": "30%", "rated": 2}
    assert "最多 2 人" in error.message_zh
    # Re-rating one of the two frees a place; an uncapped rating is never refused.
    world.when(RateCadre(UNION.id, TERM, numbers[2], CadreRating.BASICALLY_COMPETENT), ctx()).then(
        rated(numbers[2], CadreRating.BASICALLY_COMPETENT)
    )
    world.when(RateCadre(UNION.id, TERM, numbers[0], CadreRating.EXCELLENT), ctx()).then_nothing()


def test_nobody_rates_themselves() -> None:
    """A leader who is also a cadre of the round is rated by someone else."""
    leader = "2023010101"
    world = given(cadre.DECIDER, appointed(leader, "主席"))
    world.when(RateCadre(UNION.id, TERM, leader, CadreRating.EXCELLENT), ctx()).raises(
        "cadre.self_dealing"
    )


# A step: rate the cadre at this index (None: appoint one more cadre to the round).
steps = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 20)), st.sampled_from(list(CadreRating))),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@hypothesis_given(
    count=st.integers(1, 8),
    attempts=steps,
    shares=st.lists(st.decimals(0, 1, places=2), min_size=4, max_size=4),
)
def test_no_round_ever_exceeds_a_cap(
    count: int, attempts: list[tuple[int | None, CadreRating]], shares: list[Decimal]
) -> None:
    """Given any caps and a round of any number of cadres, whatever ratings are attempted in
    any order (refused or not), with cadres appointed in between, then no rating ever goes to
    more than its share of the round's cadres, and every refusal is ``cadre.over_cap``."""
    caps = tuple(RatingCap(r, s) for r, s in zip(CadreRating, shares, strict=True))
    rulebook = attrs.evolve(HFUT, cadre=attrs.evolve(HFUT.cadre, caps=caps))
    numbers = cadres(count)
    state: CadreRound | None = cadre.DECIDER.fold([appointed(n) for n in numbers])
    refusals: list[str] = []
    for index, rating in attempts:
        if index is None:
            numbers.append(f"20250000{len(numbers):02d}")
            command: cadre.CadreCommand = appoint(numbers[-1])
        else:
            command = RateCadre(UNION.id, TERM, numbers[index % len(numbers)], rating)
        try:
            events = cadre.DECIDER.decide(command, state, ctx(rulebook=rulebook, numbers=numbers))
        except DomainError as error:
            refusals.append(error.code)
            continue
        state = cadre.DECIDER.fold(events, state)
        assert state is not None
        counts = Counter(a.rating for a in state.appointments if a.rating is not None)
        for cap in caps:
            assert counts[cap.rating] <= cap.max_share * len(state.appointments)
    assert set(refusals) <= {"cadre.over_cap"}


# -- closing ------------------------------------------------------------------------------------


def test_closing_writes_every_rated_term_and_makes_the_ratings_final() -> None:
    """Given a round whose cadres are all rated, when the leader closes it, then each cadre's
    term, rating and credits (HFUT: 优秀 2 积分, 不称职 none; school-supplied) go to their
    record, and afterwards nothing in the round changes."""
    a, b = "2024000001", "2024000002"
    world = given(
        cadre.DECIDER,
        appointed(a, "部长"),
        appointed(b),
        rated(a, CadreRating.EXCELLENT),
        rated(b, CadreRating.INCOMPETENT),
    )
    events = world.when(CloseCadreRound(UNION.id, TERM), ctx(numbers=[a, b])).events()
    (closed,) = events
    assert isinstance(closed, CadreRoundClosed)
    records = dict(closed.records)
    assert records[a].credits == (PlannedCredit("cadre", "积分", Decimal(2)),)
    assert records[a].rating is CadreRating.EXCELLENT
    assert records[a].title == "部长"
    assert records[a].round_id == ROUND  # the source of the credits
    assert records[b].credits == ()
    written = cadre.recorded(events, {a: student(a), b: student(b)})
    assert [e.record for (e,) in written.values()] == [records[a], records[b]]
    after = given(cadre.DECIDER, *world_events(world), closed)
    for command in (
        RateCadre(UNION.id, TERM, a, CadreRating.COMPETENT),
        appoint("2024000003"),
        CloseCadreRound(UNION.id, TERM),
    ):
        after.when(command, ctx(numbers=["2024000003"])).raises("cadre.round_closed")


def world_events(_world: object) -> list[object]:
    a, b = "2024000001", "2024000002"
    return [
        appointed(a, "部长"),
        appointed(b),
        rated(a, CadreRating.EXCELLENT),
        rated(b, CadreRating.INCOMPETENT),
    ]


def test_a_round_with_an_unrated_cadre_cannot_close() -> None:
    a, b = "2024000001", "2024000002"
    world = given(cadre.DECIDER, appointed(a), appointed(b), rated(a, CadreRating.COMPETENT))
    error = world.when(CloseCadreRound(UNION.id, TERM), ctx()).raises("cadre.unrated")
    assert error.details["students"] == b
    given(cadre.DECIDER).when(CloseCadreRound(UNION.id, TERM), ctx()).raises(
        "cadre.round_not_found"
    )


# A school that credits cadre terms through its rounds with 001 第四条's 工作满一年 (SIIT itself
# credits them through its 第四条 补录 claim: the round then records without credit).
FULL_YEAR = attrs.evolve(
    SIIT,
    claims=ClaimsRule(),
    cadre=attrs.evolve(
        SIIT.cadre,
        credits=tuple(
            RatingCredit(r, Decimal(1)) for r in CadreRating if r is not CadreRating.INCOMPETENT
        ),
    ),
)


def _round_of_a_full_year_and_a_resignation(rulebook: Rulebook) -> dict[str, CadreRecord]:
    a, b = "2024000001", "2024000002"
    resigned = CadreTermEnded(ROUND, b, TermEnd.RESIGNED, "转专业", "2023010101", DURING)
    world = given(
        cadre.DECIDER,
        appointed(a),
        appointed(b),
        resigned,
        rated(a, CadreRating.COMPETENT),
        rated(b, CadreRating.COMPETENT),
    )
    (closed,) = world.when(CloseCadreRound(UNION.id, TERM), ctx(rulebook=rulebook)).events()
    return dict(closed.records)


def test_a_round_credits_only_a_full_year_of_service() -> None:
    """001 第四条 工作满一年: a cadre who served the year earns the round's 积分; one who resigned
    in March is rated and recorded, without credits."""
    records = _round_of_a_full_year_and_a_resignation(FULL_YEAR)
    assert records["2024000001"].credits == (PlannedCredit("work_experience", "积分", Decimal(1)),)
    assert records["2024000002"].credits == ()
    assert records["2024000002"].ended_early
    assert records["2024000002"].ends == DURING


def test_siit_rounds_record_terms_and_its_cadre_claims_credit_them() -> None:
    """001 第四条 …在每年10月至11月统一进行积分补录: SIIT's cadre credits come from its cadre
    补录 claim, so its rounds record each rated term (工作履历) without credit — one path, no
    double credit; a rulebook with both paths is refused when it loads."""
    assert SIIT.claims.chain(ClaimKind.CADRE) is not None
    records = _round_of_a_full_year_and_a_resignation(SIIT)
    assert [r.credits for r in records.values()] == [(), ()]
    with pytest.raises(DomainError) as caught:
        attrs.evolve(FULL_YEAR, claims=SIIT.claims)
    assert "cadre credits come from one path" in caught.value.message_en


def test_the_cadre_section_is_checked_when_the_rulebook_loads() -> None:
    def problems(rule: CadreRule) -> list[str]:
        return rule.problems(("work_experience",), ("学分",))

    assert attrs.evolve(NEPU, cadre=CadreRule()).problems() == []
    assert problems(NEPU.cadre) == []

    assert problems(CadreRule(module="nowhere")) == ["cadre.module 'nowhere' is not a module"]
    over = CadreRule(caps=(RatingCap(CadreRating.EXCELLENT, Decimal("1.5")),))
    assert problems(over) == ["cadre cap for excellent must be a share from 0 to 1"]
    assert problems(CadreRule(min_service_days=-1)) == ["cadre.min_service_days must be ≥ 0"]
    assert "cadre.managers" in problems(CadreRule(managers=()))[0]


# -- the transcript -------------------------------------------------------------------------------


def closed_record(number: str, rulebook: Rulebook, rating: CadreRating) -> StudentRecord:
    """``number``'s record after a round of one cadre closed under ``rulebook``."""
    events: list[cadre.CadreEvent] = [appointed(number), rated(number, rating)]
    state = cadre.DECIDER.fold(events)
    (closed,) = cadre.DECIDER.decide(CloseCadreRound(UNION.id, TERM), state, ctx(rulebook=rulebook))
    (recorded,) = cadre.recorded([closed], {number: student(number)})[number]
    return attrs.evolve(student(number), cadre_terms=(recorded.record,))


def test_the_record_transcript_lists_the_term_under_the_cadre_module() -> None:
    """002 一 3) 党团学干部经历: under HFUT the 记录版 lists the term in the module of that name,
    with the rating and the credit in the totals; the 按学期 layout puts it in its term."""
    number = "2024000001"
    record = closed_record(number, HFUT, CadreRating.EXCELLENT)
    command = IssueTranscript(number, Version.RECORD)
    content = build_content(command, record, "S", HFUT, AFTER)
    (section,) = content.sections
    assert section.heading == "党团学干部经历"
    assert [(line.outcome, line.credits) for line in section.lines] == [
        ("优秀", (("积分", Decimal(2)),))
    ]
    assert [(t.module, t.amount) for t in content.totals] == [("党团学干部经历", Decimal(2))]
    by_term = build_content(attrs.evolve(command, layout=Layout.TERM), record, "S", HFUT, AFTER)
    assert [s.heading for s in by_term.sections] == ["2025-2026学年第一学期"]


def test_a_term_without_credit_is_on_the_record_version_only() -> None:
    """A 不称职 term earns nothing under HFUT: the 记录版 shows it, the 学分版 has nothing to
    print (``transcript.empty``)."""
    number = "2024000001"
    record = closed_record(number, HFUT, CadreRating.INCOMPETENT)
    shown = build_content(IssueTranscript(number, Version.RECORD), record, "S", HFUT, AFTER)
    assert shown.sections[0].lines[0].outcome == "不称职"
    with pytest.raises(DomainError) as caught:
        build_content(IssueTranscript(number, Version.CREDIT), record, "S", HFUT, AFTER)
    assert caught.value.code == "transcript.empty"


def test_a_term_is_chosen_for_a_selective_transcript_by_its_round() -> None:
    """第二十条 选择性打印: a cadre term is chosen by its round's id; an id in no record is
    ``transcript.records_unknown``. Without a cadre module the heading is 工作履历."""
    number = "2024000001"
    record = closed_record(number, attrs.evolve(HFUT, cadre=CadreRule()), CadreRating.COMPETENT)
    chosen = IssueTranscript(number, Version.RECORD, activity_ids=(ROUND,))
    content = build_content(chosen, record, "S", HFUT, AFTER)
    assert [s.heading for s in content.sections] == ["工作履历"]
    stranger = attrs.evolve(chosen, activity_ids=(ids.cadre_round_id(UNION.id, "other"),))
    with pytest.raises(DomainError) as caught:
        build_content(stranger, record, "S", HFUT, AFTER)
    assert caught.value.code == "transcript.records_unknown"


# -- who manages a round: every kind of manager a rulebook may list (002 一 3); 001 第四条) ------

SCHOOL_UNION = attrs.evolve(UNION, level=TribeLevel.SCHOOL, college=None)


@pytest.mark.parametrize(
    ("kind", "role", "tribe", "allowed"),
    [
        (RoleKind.TRIBE_LEADER, Role.tribe(RoleKind.TRIBE_LEADER, UNION.id), UNION, True),
        (RoleKind.TRIBE_LEADER, Role.tribe(RoleKind.TRIBE_LEADER, ids.tribe_id("X")), UNION, False),
        (RoleKind.TRIBE_ADMIN, Role.tribe(RoleKind.TRIBE_ADMIN, UNION.id), UNION, True),
        (RoleKind.TRIBE_LEADER, Role.tribe(RoleKind.TRIBE_ADMIN, UNION.id), UNION, False),
        (RoleKind.ADVISOR, Role(RoleKind.ADVISOR, str(UNION.id)), UNION, True),
        (RoleKind.ADVISOR, Role(RoleKind.ADVISOR, "PE"), UNION, False),
        (RoleKind.COUNSELOR, Role(RoleKind.COUNSELOR, "PE"), UNION, True),
        (RoleKind.COUNSELOR, Role(RoleKind.COUNSELOR, "CS"), UNION, False),
        (RoleKind.COUNSELOR, Role(RoleKind.COUNSELOR), SCHOOL_UNION, False),
        (RoleKind.LEAGUE_SECRETARY, Role(RoleKind.LEAGUE_SECRETARY, "PE"), UNION, True),
        (RoleKind.COLLEGE_ADMIN, Role(RoleKind.COLLEGE_ADMIN, "PE"), UNION, True),
        (RoleKind.COLLEGE_ADMIN, Role(RoleKind.COLLEGE_ADMIN), SCHOOL_UNION, False),
        (RoleKind.SCHOOL_ADMIN, Role(RoleKind.SCHOOL_ADMIN), UNION, True),
        (RoleKind.CENTER, Role(RoleKind.CENTER), SCHOOL_UNION, True),
        (RoleKind.ACADEMIC_AFFAIRS, Role(RoleKind.ACADEMIC_AFFAIRS), UNION, True),
        (RoleKind.CENTER, Role(RoleKind.CENTER, "PE"), UNION, False),
        (RoleKind.STUDENT, Role.student(), UNION, False),
        (RoleKind.SYSTEM, Role(RoleKind.SYSTEM), UNION, False),
    ],
)
def test_each_kind_of_manager_manages_the_rounds_in_its_scope(
    kind: RoleKind, role: Role, tribe: Tribe, allowed: bool
) -> None:
    """Given a rulebook naming one manager kind, then a holder of that role manages the round
    where the role applies: a tribe role or 指导老师 in that tribe, a college role in the tribe's
    college (a school-level tribe has none), a school-wide role anywhere; a student or the
    system never does."""
    actor = Actor("T-someone", frozenset({role}))
    assert cadre.may_manage(actor, tribe, CadreRule(managers=(kind,))) is allowed


def test_any_listed_manager_kind_suffices_whatever_its_place_in_the_list() -> None:
    """SIIT 第四条 lists five manager kinds: the center, listed fourth, manages though it holds
    none of the three before it; an actor holding none of them does not."""
    center = Actor("T-center", frozenset({Role(RoleKind.CENTER)}))
    assert cadre.may_manage(center, UNION, SIIT.cadre)
    assert not cadre.may_manage(Actor("T-none", frozenset()), UNION, SIIT.cadre)
    after_system = CadreRule(managers=(RoleKind.SYSTEM, RoleKind.STUDENT, RoleKind.SCHOOL_ADMIN))
    assert cadre.may_manage(SCHOOL_ADMIN, UNION, after_system)


@pytest.mark.parametrize("actor", [LEADER, PE_ADMIN, SCHOOL_ADMIN], ids=["leader", "pe", "school"])
def test_the_appointment_names_who_appointed_and_when(actor: Actor) -> None:
    """HFUT 一 3) 各基层团委、各团学组织负责人: the tribe's leader, its college's admin and the
    school admin each appoint; the event names them and the time."""
    number = "2024000001"
    given(cadre.DECIDER).when(appoint(number), ctx(actor, now=STARTS, numbers=[number])).then(
        attrs.evolve(appointed(number), by=actor.person_id)
    )


def test_an_outsider_is_refused_with_the_action_named() -> None:
    number = "2024000001"
    error = (
        given(cadre.DECIDER)
        .when(appoint(number), ctx(Actor.student("2024009999"), numbers=[number]))
        .raises("auth.forbidden")
    )
    assert error.details == {"action": "干部管理 manage cadres"}


def test_commands_target_the_round_of_their_tribe_and_term_and_read_the_records_involved() -> None:
    """A round is one organization's term: every command of it writes to the same stream; an
    appointment reads the appointee's record, a closing every cadre's, the others none."""
    a, b = "2024000001", "2024000002"
    state = cadre.DECIDER.fold([appointed(a), appointed(b)])
    commands: list[cadre.CadreCommand] = [
        appoint(a),
        EndCadreTerm(UNION.id, TERM, a, TermEnd.RESIGNED, "转专业"),
        RateCadre(UNION.id, TERM, a, CadreRating.COMPETENT),
        CloseCadreRound(UNION.id, TERM),
    ]
    assert [cadre.target(c) for c in commands] == [ROUND] * 4
    assert cadre.target(CloseCadreRound(UNION.id, "2026-2027学年")) != ROUND
    assert [cadre.students_involved(c, state) for c in commands] == [{a}, set(), set(), {a, b}]
    assert cadre.students_involved(CloseCadreRound(UNION.id, TERM), None) == set()


@pytest.mark.parametrize(
    "change",
    [
        {"position": CadrePosition.CLASS_COMMITTEE},
        {"title": "主席"},
        {"starts": at(9, 2, 0, year=2025)},
        {"ends": at(9, 2, 0, year=2026)},
    ],
    ids=["position", "title", "starts", "ends"],
)
def test_a_second_appointment_differing_in_any_detail_is_refused_naming_the_post(
    change: dict[str, Any],
) -> None:
    """One post per cadre per round: the same appointment again is a retry (nothing new), any
    other post, title or dates is ``cadre.already_appointed`` naming the post held."""
    number = "2024000001"
    world = given(cadre.DECIDER, appointed(number, "部长"))
    world.when(appoint(number, "部长"), ctx(numbers=[number])).then_nothing()
    error = world.when(
        attrs.evolve(appoint(number, "部长"), **change), ctx(numbers=[number])
    ).raises("cadre.already_appointed")
    assert error.details == {"student": number, "title": "部长"}


def test_the_refusals_name_the_student() -> None:
    """Unregistered, not appointed, not serving, not over: each refusal names the 学号."""
    number, other = "2024000001", "2024000002"
    missing = given(cadre.DECIDER).when(appoint(number), ctx()).raises("student.not_found")
    assert missing.details == {"student_number": number}
    world = given(cadre.DECIDER, appointed(number))
    resign = EndCadreTerm(UNION.id, TERM, number, TermEnd.RESIGNED, "学业繁忙")
    stranger = world.when(attrs.evolve(resign, student_number=other), ctx(now=DURING))
    assert stranger.raises("cadre.not_appointed").details == {"student": other}
    over = world.when(resign, ctx(now=AFTER)).raises("cadre.not_serving")
    assert over.details == {"student": number}
    early = world.when(RateCadre(UNION.id, TERM, number, CadreRating.COMPETENT), ctx(now=DURING))
    assert early.raises("cadre.term_not_over").details == {"student": number}


def test_a_term_is_served_from_its_first_instant_to_just_before_its_end() -> None:
    """A term may end early from the instant it starts until the instant before its end; at its
    end (or before it starts) it is not running. At the instant of its end it is over and the
    cadre may be rated."""
    number = "2024000001"
    world = given(cadre.DECIDER, appointed(number))
    resign = EndCadreTerm(UNION.id, TERM, number, TermEnd.DISMISSED, "违纪")
    world.when(resign, ctx(now=STARTS)).then(
        CadreTermEnded(ROUND, number, TermEnd.DISMISSED, "违纪", "2023010101", STARTS)
    )
    last = ENDS - timedelta(microseconds=1)
    assert world.when(resign, ctx(now=last)).events()[0].at == last
    world.when(resign, ctx(now=STARTS - timedelta(microseconds=1))).raises("cadre.not_serving")
    world.when(resign, ctx(now=ENDS)).raises("cadre.not_serving")
    rate = RateCadre(UNION.id, TERM, number, CadreRating.COMPETENT)
    world.when(rate, ctx(now=last)).raises("cadre.term_not_over")
    world.when(rate, ctx(now=ENDS)).then(
        CadreRated(ROUND, number, CadreRating.COMPETENT, "2023010101", ENDS)
    )


def test_a_term_ended_early_is_no_longer_running_and_is_over_for_rating() -> None:
    """Given a cadre dismissed in March, then their term cannot end again, and they are rated
    from that day on (002 一 3) 任职期满后 — the service is over)."""
    number = "2024000001"
    dismissed = CadreTermEnded(ROUND, number, TermEnd.DISMISSED, "违纪", "2023010101", DURING)
    world = given(cadre.DECIDER, appointed(number), dismissed)
    later = DURING + timedelta(days=1)
    world.when(
        EndCadreTerm(UNION.id, TERM, number, TermEnd.RESIGNED, "转专业"), ctx(now=later)
    ).raises("cadre.not_serving")
    world.when(RateCadre(UNION.id, TERM, number, CadreRating.INCOMPETENT), ctx(now=DURING)).then(
        CadreRated(ROUND, number, CadreRating.INCOMPETENT, "2023010101", DURING)
    )


def test_every_command_on_a_closed_round_is_refused() -> None:
    a = "2024000001"
    closed = CadreRoundClosed(ROUND, (), "2023010101", AFTER)
    world = given(cadre.DECIDER, appointed(a), rated(a, CadreRating.COMPETENT), closed)
    resign = EndCadreTerm(UNION.id, TERM, a, TermEnd.RESIGNED, "转专业")
    world.when(resign, ctx(now=DURING)).raises("cadre.round_closed")


def test_a_command_on_a_round_nobody_was_appointed_to_is_refused() -> None:
    for command in (
        EndCadreTerm(UNION.id, TERM, "2024000001", TermEnd.RESIGNED, "转专业"),
        RateCadre(UNION.id, TERM, "2024000001", CadreRating.COMPETENT),
    ):
        given(cadre.DECIDER).when(command, ctx()).raises("cadre.round_not_found")


def test_the_last_place_under_a_cap_is_given_and_the_next_refused() -> None:
    """Given HFUT's 30% cap on 优秀 and a round of 7 cadres (cap 2) with one rated 优秀, when a
    second is rated 优秀 it is accepted (the cap is reached, not passed)."""
    numbers = cadres(7)
    world = given(
        cadre.DECIDER,
        *(appointed(n) for n in numbers),
        rated(numbers[0], CadreRating.EXCELLENT),
    )
    world.when(RateCadre(UNION.id, TERM, numbers[1], CadreRating.EXCELLENT), ctx()).then(
        rated(numbers[1], CadreRating.EXCELLENT)
    )


def test_a_cap_is_shown_as_a_percentage_of_the_rulebook_share() -> None:
    """Given a school cap of 12.5% on 称职 and 8 cadres (cap 1), the refusal shows 12.5%."""
    rulebook = attrs.evolve(
        HFUT,
        cadre=attrs.evolve(HFUT.cadre, caps=(RatingCap(CadreRating.COMPETENT, Decimal("0.125")),)),
    )
    numbers = cadres(8)
    world = given(
        cadre.DECIDER,
        *(appointed(n) for n in numbers),
        rated(numbers[0], CadreRating.COMPETENT),
    )
    error = world.when(
        RateCadre(UNION.id, TERM, numbers[1], CadreRating.COMPETENT), ctx(rulebook=rulebook)
    ).raises("cadre.over_cap")
    assert error.details == {"rating": "称职", "cap": 1, "cadres": 8, "share": "12.5%", "rated": 1}


def test_a_cap_is_the_share_of_the_cadres_rounded_down() -> None:
    assert [cadre.cap_of(Decimal("0.3"), n) for n in (1, 3, 4, 7, 10)] == [0, 0, 1, 2, 3]
    assert cadre.cap_of(Decimal(1), 4) == 4
    assert cadre.cap_of(Decimal(0), 4) == 0


def test_the_unrated_cadres_are_named_in_order() -> None:
    a, b, c = "2024000001", "2024000002", "2024000003"
    world = given(
        cadre.DECIDER, appointed(a), appointed(b), appointed(c), rated(b, CadreRating.COMPETENT)
    )
    error = world.when(CloseCadreRound(UNION.id, TERM), ctx()).raises("cadre.unrated")
    assert error.details == {"students": f"{a}、{c}"}


def test_closing_writes_the_whole_rated_term_into_each_record() -> None:
    """Given a 部长 rated 优秀 after a full term and a 干事 who resigned in March rated 称职,
    when the leader closes the round (HFUT: 优秀 2 积分, 称职 1.5 积分, no minimum service;
    school-supplied), then each record holds the organization, term, post, dates, whether the
    term ended early, the rating, the credits and the closing time, and the closing names who
    closed it; ``recorded`` writes each into that student's record."""
    a, b = "2024000001", "2024000002"
    resigned = CadreTermEnded(ROUND, b, TermEnd.RESIGNED, "转专业", "2023010101", DURING)
    world = given(
        cadre.DECIDER,
        appointed(a, "部长"),
        appointed(b),
        resigned,
        rated(a, CadreRating.EXCELLENT),
        rated(b, CadreRating.COMPETENT),
    )
    closing = at(9, 10, year=2026)
    records = (
        (
            a,
            CadreRecord(
                ROUND,
                UNION.id,
                "石油工程学院学生会",
                TERM,
                "cadre",
                CadrePosition.STUDENT_UNION,
                "部长",
                STARTS,
                ENDS,
                False,
                CadreRating.EXCELLENT,
                (PlannedCredit("cadre", "积分", Decimal(2)),),
                closing,
            ),
        ),
        (
            b,
            CadreRecord(
                ROUND,
                UNION.id,
                "石油工程学院学生会",
                TERM,
                "cadre",
                CadrePosition.STUDENT_UNION,
                "干事",
                STARTS,
                DURING,
                True,
                CadreRating.COMPETENT,
                (PlannedCredit("cadre", "积分", Decimal("1.5")),),
                closing,
            ),
        ),
    )
    closed = CadreRoundClosed(ROUND, records, "T-pe", closing)
    state = world.when(CloseCadreRound(UNION.id, TERM), ctx(PE_ADMIN, closing)).then(closed)
    assert state.closed_at == closing
    written = cadre.recorded([closed], {a: student(a), b: student(b)})
    assert written == {
        a: (CadreTermRecorded(student(a).id, records[0][1], closing),),
        b: (CadreTermRecorded(student(b).id, records[1][1], closing),),
    }
    assert cadre.recorded([rated(a, CadreRating.EXCELLENT)], {}) == {}


def test_a_service_one_day_short_of_the_minimum_earns_nothing() -> None:
    """001 第四条 工作满一年 (365 days): 365 days earn the credit, 364 do not."""
    a, b = "2024000001", "2024000002"
    short = attrs.evolve(appointed(b), ends=ENDS - timedelta(days=1))
    world = given(
        cadre.DECIDER,
        appointed(a),
        short,
        rated(a, CadreRating.COMPETENT),
        rated(b, CadreRating.COMPETENT),
    )
    (closed,) = world.when(CloseCadreRound(UNION.id, TERM), ctx(rulebook=FULL_YEAR)).events()
    assert [(n, r.credits) for n, r in closed.records] == [
        (a, (PlannedCredit("work_experience", "积分", Decimal(1)),)),
        (b, ()),
    ]


def test_the_round_keeps_each_appointment_its_early_end_and_its_rating() -> None:
    """Replaying the round: appointments in order, an early end with how and why, a rating."""
    a, b = "2024000001", "2024000002"
    resigned = CadreTermEnded(ROUND, b, TermEnd.RESIGNED, "转专业", "2023010101", DURING)
    state = cadre.DECIDER.fold(
        [appointed(a, "部长"), appointed(b), resigned, rated(a, CadreRating.EXCELLENT)]
    )
    assert state == CadreRound(
        ROUND,
        UNION.id,
        TERM,
        "石油工程学院学生会",
        (
            cadre.Appointment(
                a,
                f"学生{a}",
                CadrePosition.STUDENT_UNION,
                "部长",
                STARTS,
                ENDS,
                rating=CadreRating.EXCELLENT,
            ),
            cadre.Appointment(
                b,
                f"学生{b}",
                CadrePosition.STUDENT_UNION,
                "干事",
                STARTS,
                ENDS,
                ended_at=DURING,
                end=TermEnd.RESIGNED,
                end_reason="转专业",
            ),
        ),
    )
    assert (state.appointments[0].last_day, state.appointments[1].last_day) == (ENDS, DURING)
    assert (state.rated(CadreRating.EXCELLENT), state.rated(CadreRating.COMPETENT)) == (1, 0)
    assert state.appointment("2024000009") is None
    with pytest.raises(AssertionError, match="unhandled event 'x'"):
        cadre.DECIDER.evolve(state, "x")  # type: ignore[arg-type]


def test_a_command_the_round_does_not_know_is_a_programming_error() -> None:
    """A command of no known kind reaching a round's decider fails loudly, naming it."""
    number = "2024000001"
    stranger = SimpleNamespace(tribe_id=UNION.id, term=TERM, student_number=number)
    state = cadre.DECIDER.fold([appointed(number)])
    with pytest.raises(AssertionError, match=r"unhandled command namespace\(tribe_id="):
        cadre.decide(stranger, state, ctx())  # type: ignore[arg-type]
