"""补录 through the facade: the 公示 batch in one save, 待我审核 (``claims_to_review``) for
each reviewer, and the 二课中心 reading the students it reviews (seed 001 第三条;
seed 003 2（三）（四））."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from second_classroom import codec
from second_classroom.aggregates import claim
from second_classroom.aggregates.claim import PublishClaims, ReviewAction, ReviewClaim
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from tests.claim_world import CENTER, CUSTOMS, GEO_LEAGUE, OFFICE, PE_LEAGUE, TEACHER, personal
from tests.specification import at
from tests.stores import TEST_SECRET, sqlite_memory_env

STUDENTS = ("2023010003", "2023010004")


@pytest.fixture
def customs() -> Any:
    """A facade under seed 003's rules with two students, each filing a research claim."""
    with SecondClassroom.open(sqlite_memory_env(), CUSTOMS, secret=TEST_SECRET) as service:
        for number in STUDENTS:
            register = RegisterStudent(number, f"学生{number[-2:]}", "PE", "海关23-1班", 2023)
            service.execute(register, CENTER, at(5, 4))
            service.execute(personal(student_number=number), Actor.student(number), at(5, 8))
        yield service


def ids_of(number: str) -> Any:
    return personal(student_number=number).claim_id


def listed(service: SecondClassroom, actor: Actor, now: datetime) -> dict[Any, tuple[Any, ...]]:
    return {line.claim_id: line.actions for line in service.claims_to_review(actor, now)}


def test_given_filed_claims_when_each_reviewer_asks_then_only_their_step(
    customs: SecondClassroom,
) -> None:
    """003 2（四） 先由学生的指导教师初步鉴定…再由系部负责人…复审: the teacher sees both
    claims to review; the 系部 nothing yet; another college's 系部 never these."""
    first, second = (ids_of(n) for n in STUDENTS)
    assert listed(customs, TEACHER, at(5, 8)) == {
        first: (ReviewAction.REVIEW,),
        second: (ReviewAction.REVIEW,),
    }
    assert listed(customs, PE_LEAGUE, at(5, 8)) == {}
    customs.execute(ReviewClaim(first, True), TEACHER, at(5, 8))
    assert listed(customs, TEACHER, at(5, 8)) == {second: (ReviewAction.REVIEW,)}
    assert listed(customs, PE_LEAGUE, at(5, 9)) == {first: (ReviewAction.REVIEW,)}
    assert listed(customs, GEO_LEAGUE, at(5, 9)) == {}
    line = customs.claims_to_review(PE_LEAGUE, at(5, 9))[0]
    assert (line.title, line.step_name, line.claimant) == (
        personal().title,
        "系部（会同学术委员会）",
        "2023010003",
    )


def test_a_student_or_an_outsider_may_not_ask_and_operators_see_every_open_claim(
    customs: SecondClassroom,
) -> None:
    """Deny by default: only holders of a role some chain asks for ask; the 校团委 sees all
    open claims, with nothing of its own to do."""
    for outsider in (Actor.student(STUDENTS[0]), Actor("T-x", {Role(RoleKind.COUNSELOR, "PE")})):
        with pytest.raises(DomainError) as caught:
            customs.claims_to_review(outsider, at(5, 8))
        assert caught.value.code == "auth.forbidden"
    everything = customs.claims_to_review(Actor.system(), at(5, 8))
    assert {line.claim_id for line in everything} == {ids_of(n) for n in STUDENTS}
    assert all(line.actions == () for line in everything)


def test_given_first_reviewed_claims_when_the_department_publishes_a_batch_then_one_save(
    customs: SecondClassroom,
) -> None:
    """003 2（三） 汇总、公示 → 2（四） 公示无异议后上报教务处: the batch through JSON, both
    claims in one save; a refused batch stores nothing; the office confirms after the period."""
    claims = tuple(ids_of(n) for n in STUDENTS)
    for claim_id in claims:
        customs.execute(ReviewClaim(claim_id, True), TEACHER, at(5, 8))
        customs.execute(ReviewClaim(claim_id, True), PE_LEAGUE, at(5, 11))
    assert listed(customs, PE_LEAGUE, at(5, 11)) == dict.fromkeys(claims, (ReviewAction.PUBLISH,))
    before = customs.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        customs.execute(PublishClaims("第1批", claims), GEO_LEAGUE, at(5, 11))
    assert caught.value.code == "auth.forbidden"
    assert customs.app.recorder.max_notification_id() == before
    answer = customs.execute_json(
        codec.to_json(PublishClaims("2026-05-第1批", claims)), PE_LEAGUE, at(5, 11)
    )
    assert answer.get("code") is None, answer
    positions = set()
    for claim_id in claims:
        (published,) = [
            e
            for e in customs.history(claim_id, Actor.system())
            if isinstance(e.payload, claim.ClaimPublished)
        ]
        assert published.payload.batch == "2026-05-第1批"
        positions.add(published.payload.until)
    assert len(positions) == 1  # one period for the batch
    assert listed(customs, OFFICE, at(5, 12)) == {}
    assert listed(customs, OFFICE, at(5, 19)) == dict.fromkeys(claims, (ReviewAction.REVIEW,))
    customs.execute(ReviewClaim(claims[0], True), OFFICE, at(5, 19))
    record = customs.student(STUDENTS[0], Actor.system())
    assert record is not None
    assert record.credits() == {("innovation", "学分"): Decimal(2)}
    assert listed(customs, OFFICE, at(5, 19)) == {claims[1]: (ReviewAction.REVIEW,)}


def test_the_centre_alone_reads_the_students_it_reviews(customs: SecondClassroom) -> None:
    """001 第三条: the 第二课堂指导与服务中心 reviews and imports 补录 for the whole school: it
    reads any student's record (a 学号 and name of the 附件4 list), with no other role."""
    centre = Actor("T-center-only", {Role(RoleKind.CENTER)})
    record = customs.student(STUDENTS[1], centre)
    assert record is not None
    assert record.name == "学生04"
    with pytest.raises(DomainError) as caught:
        customs.student(STUDENTS[1], Actor("T-office", {Role(RoleKind.ACADEMIC_AFFAIRS)}))
    assert caught.value.code == "auth.forbidden"
