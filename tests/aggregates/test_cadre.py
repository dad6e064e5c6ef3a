"""干部任期与考核 (issue 14 §2): appointments for a term, early ends, ratings within the caps of
the round (002 一 3)), the closing that makes them final and writes each rated term, with the
credits of the rulebook after the minimum service (001 第四条 工作满一年), into the record."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

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
from second_classroom.aggregates.student import StudentRecord
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
        assert given(cadre.DECIDER).when(appoint(number), ctx(actor, numbers=[number])).events()
    outsider = Actor.student("2024009999")
    given(cadre.DECIDER).when(appoint(number), ctx(outsider, numbers=[number])).raises(
        "auth.forbidden"
    )
    center = Actor("T-center", frozenset({Role(RoleKind.CENTER)}))
    given(cadre.DECIDER).when(appoint(number), ctx(center, numbers=[number])).raises(
        "auth.forbidden"
    )
    siit_context = ctx(center, rulebook=SIIT, numbers=[number])
    assert given(cadre.DECIDER).when(appoint(number), siit_context).events()


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
    assert given(cadre.DECIDER, appointed(number), dismissed).when(rate, ctx(now=DURING)).events()


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
            command: object = appoint(numbers[-1])
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
    events = [appointed(number), rated(number, rating)]
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
