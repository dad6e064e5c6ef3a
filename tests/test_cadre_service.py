"""Cadre rounds through the facade (issue 14 §2), on every store: appointments, an early end,
ratings within the cap (002 一 3)), an over-cap rating refused with the counts and nothing
stored, the closing that writes every cadre's record in one save (001 第四条 工作满一年 for the
credit), and the term and rating on the 记录版 transcript under 工作履历."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates.cadre import (
    AppointCadre,
    CadreRoundClosed,
    CloseCadreRound,
    EndCadreTerm,
    RateCadre,
    TermEnd,
)
from second_classroom.aggregates.student import CadreTermRecorded
from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued, Version
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import CadrePosition, CadreRating
from second_classroom.policies.rulebook import CadreRule, RatingCap, RatingCredit
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, UNION, found_school
from tests.specification import NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at, present
from tests.stores import TEST_SECRET

TERM = "2026-2027学年"
ROUND = ids.cadre_round_id(UNION.tribe_id, TERM)
STARTS, ENDS = at(11, 1), at(11, 1, year=2027)  # a full year
DURING, AFTER = at(3, 1, year=2027), at(11, 2, year=2027)
# NEPU with a cadre rule: 优秀 capped at 30% of the round, 学分 per rating after a full year.
RULES = attrs.evolve(
    NEPU,
    cadre=CadreRule(
        module="work_experience",
        credit_type="学分",
        caps=(RatingCap(CadreRating.EXCELLENT, Decimal("0.3")),),
        credits=(
            RatingCredit(CadreRating.EXCELLENT, Decimal(2)),
            RatingCredit(CadreRating.COMPETENT, Decimal(1)),
        ),
        min_service_days=365,
    ),
)


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, RULES, secret=TEST_SECRET) as opened:
        yield opened


def appoint_json(number: str, title: str) -> dict[str, Any]:
    return {
        "type": "AppointCadre",
        "tribe_id": str(UNION.tribe_id),
        "term": TERM,
        "student_number": number,
        "position": "student_union",
        "title": title,
        "starts": STARTS.isoformat(),
        "ends": ENDS.isoformat(),
    }


def round_of_four(school: SecondClassroom) -> list[str]:
    """石油工程学院学生会 appoints four cadres for 2026-2027学年, two of them through JSON."""
    numbers = found_school(school, 4)
    for number in numbers[:2]:
        reply = school.execute_json(appoint_json(number, "干事"), LEADER, NOW)
        assert reply["type"] == "Outcome", reply
    for number in numbers[2:]:
        command = AppointCadre(
            UNION.tribe_id, TERM, number, CadrePosition.STUDENT_UNION, "部长", STARTS, ENDS
        )
        school.execute(command, LEADER, NOW)
    return numbers


def test_an_over_cap_rating_is_refused_with_the_counts_and_nothing_is_stored(
    school: SecondClassroom,
) -> None:
    """Given a round of four cadres and a cap of 30% on 优秀 (⌊1.2⌋ = 1), when the leader rates
    a first cadre 优秀, then it is stored; when a second, then ``cadre.over_cap`` answers with
    the cap and the counts in JSON and the round's stream is unchanged."""
    numbers = round_of_four(school)
    first = RateCadre(UNION.tribe_id, TERM, numbers[0], CadreRating.EXCELLENT)
    school.execute(first, LEADER, AFTER)
    before = len(school.history(ROUND, SCHOOL_ADMIN))
    message = {
        "type": "RateCadre",
        "tribe_id": str(UNION.tribe_id),
        "term": TERM,
        "student_number": numbers[1],
        "rating": "excellent",
    }
    reply = school.execute_json(message, LEADER, AFTER)
    assert reply["code"] == "cadre.over_cap"
    assert reply["category"] == "conflict"
    assert reply["details"] == {
        "rating": "优秀",
        "cap": 1,
        "cadres": 4,
        "share": "30%",
        "rated": 1,
    }
    assert len(school.history(ROUND, SCHOOL_ADMIN)) == before
    found = school.cadre_round(UNION.tribe_id, TERM, LEADER)
    assert found is not None
    assert present(found.appointment(numbers[1])).rating is None


def test_closing_writes_every_cadre_record_in_one_save_and_the_transcript_shows_it(
    school: SecondClassroom,
) -> None:
    """Given four cadres, one resigned in March (a reason given), all rated after the term,
    when the leader closes the round, then one save writes the round and all four records
    (the round named as source); the full year earns its 学分, the resigned cadre none
    (001 第四条 工作满一年); the ratings are final; and the 记录版 lists the term and rating
    under 工作履历 with the credit in the totals and in the student's summary view."""
    numbers = round_of_four(school)
    resign = EndCadreTerm(UNION.tribe_id, TERM, numbers[3], TermEnd.RESIGNED, "学业繁忙")
    school.execute(resign, LEADER, DURING)
    ratings = (
        CadreRating.EXCELLENT,
        CadreRating.COMPETENT,
        CadreRating.BASICALLY_COMPETENT,
        CadreRating.COMPETENT,
    )
    for number, rating in zip(numbers, ratings, strict=True):
        school.execute(RateCadre(UNION.tribe_id, TERM, number, rating), LEADER, AFTER)

    outcome = school.execute(CloseCadreRound(UNION.tribe_id, TERM), LEADER, AFTER)
    closed = [e for e in outcome.events if isinstance(e.payload, CadreRoundClosed)]
    written = {e.originator_id: e.payload for e in outcome.events if e.originator_id != ROUND}
    assert len(closed) == 1
    assert set(written) == {ids.student_id(n) for n in numbers}
    assert all(isinstance(p, CadreTermRecorded) for p in written.values())

    record = school.student(numbers[0], SCHOOL_ADMIN)
    assert record is not None
    (term,) = record.cadre_terms
    assert term.round_id == ROUND
    assert (term.rating, term.title, term.organization) == (
        CadreRating.EXCELLENT,
        "干事",
        "石油工程学院学生会",
    )
    assert record.credits() == {("work_experience", "学分"): Decimal(2)}
    resigned = school.student(numbers[3], SCHOOL_ADMIN)
    assert resigned is not None
    assert resigned.cadre_terms[0].ended_early
    assert resigned.credits() == {}

    summary = school.student_summary(numbers[0], SCHOOL_ADMIN)
    assert summary is not None
    assert summary.credits == (("work_experience", "学分", Decimal(2)),)

    with pytest.raises(DomainError) as caught:
        school.execute(
            RateCadre(UNION.tribe_id, TERM, numbers[2], CadreRating.EXCELLENT), LEADER, AFTER
        )
    assert caught.value.code == "cadre.round_closed"

    me = Actor.student(numbers[0])
    issued = school.execute(IssueTranscript(numbers[0], Version.RECORD), me, AFTER)
    (transcript,) = [e.payload for e in issued.events if isinstance(e.payload, TranscriptIssued)]
    (section,) = transcript.content.sections
    assert section.heading == "工作履历"
    (line,) = section.lines
    assert line.outcome == "优秀"
    assert line.title == "石油工程学院学生会 干事（学生会，2026-2027学年）"
    assert line.date == "2026-11-01至2027-11-01"
    assert [(t.module, t.credit_type, t.amount) for t in transcript.content.totals] == [
        ("工作履历", "学分", Decimal(2))
    ]


def test_a_cadre_round_is_read_as_its_tribe(school: SecondClassroom) -> None:
    """The leader and the college's admin read the round; a cadre of it does not (their own
    term is in their record), nor the admin of another college."""
    numbers = round_of_four(school)
    assert school.cadre_round(UNION.tribe_id, TERM, PE_ADMIN) is not None
    for outsider in (Actor.student(numbers[0]), Actor.college_admin("T-cs", "CS")):
        with pytest.raises(DomainError) as caught:
            school.cadre_round(UNION.tribe_id, TERM, outsider)
        assert caught.value.code == "auth.forbidden"


def test_a_crash_while_closing_leaves_the_round_open_and_no_record_written(
    school: SecondClassroom,
) -> None:
    """The closing and the records are one save: a store failing at the write leaves the round
    open and every record without the term; the retry writes each once."""
    numbers = round_of_four(school)
    for number in numbers:
        rate = RateCadre(UNION.tribe_id, TERM, number, CadreRating.COMPETENT)
        school.execute(rate, LEADER, AFTER)
    original = school.app.recorder.insert_events

    class Crash(Exception):
        pass

    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise Crash  # the store fails at the write

    school.app.recorder.insert_events = crash  # type: ignore[method-assign]
    with contextlib.suppress(Crash):
        school.execute(CloseCadreRound(UNION.tribe_id, TERM), LEADER, AFTER)
    school.app.recorder.insert_events = original  # type: ignore[method-assign]

    def terms() -> list[int]:
        found = [school.student(n, SCHOOL_ADMIN) for n in numbers]
        return [len(r.cadre_terms) for r in found if r is not None]

    still = school.cadre_round(UNION.tribe_id, TERM, LEADER)
    assert still is not None
    assert still.closed_at is None
    assert terms() == [0, 0, 0, 0]
    school.execute(CloseCadreRound(UNION.tribe_id, TERM), LEADER, AFTER)
    assert terms() == [1, 1, 1, 1]
