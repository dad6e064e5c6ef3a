"""毕业要求 (seed 003: 创新创业学分为毕业要求; issue 13 item 6): a requirement per module in the
rulebook's ``[graduation]``, and the query listing each student's shortfall — 补录 credits
confirmed after 公示 count, unconfirmed ones do not."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from second_classroom.aggregates import claim
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import Rulebook
from second_classroom.service import SecondClassroom
from tests.claim_world import CENTER, CUSTOMS, OFFICE, PE_LEAGUE, TEACHER, personal
from tests.specification import at
from tests.stores import TEST_SECRET, sqlite_memory_env

REQUIREMENT = """
[[graduation.requirements]]
module = "innovation"
credit_type = "学分"
amount = "2"
"""


def with_graduation(section: str, base: Rulebook = CUSTOMS) -> Rulebook:
    """``base`` with its ``[graduation]`` section replaced by ``section`` (TOML)."""
    head, _graduation, tail = base.to_toml().partition("\n[graduation]\nrequirements = []\n")
    return Rulebook.from_toml(head + "\n" + tail + "\n" + section)


RULEBOOK = with_graduation(REQUIREMENT)


def confirmed_research(service: SecondClassroom, number: str, amount: str, day: int) -> None:
    """A 003 research claim of ``amount`` 创新创业学分, through 公示 to 教务处's confirmation."""
    filing = personal(student_number=number, credits=(
        PlannedCredit("innovation", "学分", Decimal(amount)),))  # fmt: skip
    service.execute(filing, Actor.student(number), at(5, day))
    review = claim.ReviewClaim(filing.claim_id, True)
    service.execute(review, TEACHER, at(5, day))
    service.execute(review, PE_LEAGUE, at(5, day))
    service.execute(claim.PublishClaims(f"5月{day}日", (filing.claim_id,)), PE_LEAGUE, at(5, day))
    service.execute(review, OFFICE, at(6, 1))  # the 公示 is over


@pytest.fixture(scope="module")
def school() -> Iterator[SecondClassroom]:
    with SecondClassroom.open(sqlite_memory_env(), RULEBOOK, secret=TEST_SECRET) as service:
        for number, college in (("2023010002", "PE"), ("2023010003", "PE"),
                                ("2023010004", "PE"), ("2023020001", "CS")):  # fmt: skip
            register = RegisterStudent(number, f"学生{number[-2:]}", college, "23-1班", 2023)
            service.execute(register, CENTER, at(5, 4))
        confirmed_research(service, "2023010003", "2", 6)
        confirmed_research(service, "2023010004", "0.5", 7)
        unconfirmed = personal(student_number="2023010002")
        service.execute(unconfirmed, Actor.student("2023010002"), at(5, 8))
        yield service


def test_each_student_below_the_requirement_with_what_is_missing(school: SecondClassroom) -> None:
    """003: a student with 2 创新创业学分 meets it; one with 0.5 (补录, confirmed) misses 1.5; one
    whose claim is still in review has none that count."""
    found = school.graduation_shortfall(PE_LEAGUE, college="PE")
    assert [(s.student_number, s.required, s.held, s.missing) for s in found] == [
        ("2023010002", Decimal(2), Decimal(0), Decimal(2)),
        ("2023010004", Decimal(2), Decimal("0.5"), Decimal("1.5")),
    ]
    every = school.graduation_shortfall(CENTER)
    assert [s.student_number for s in every] == ["2023010002", "2023010004", "2023020001"]
    assert school.graduation_shortfall(CENTER, cohort=2024) == []


def test_only_the_college_and_operators_read_the_shortfall(school: SecondClassroom) -> None:
    for actor, college in ((Actor.college_admin("T-cs", "CS"), "PE"), (PE_LEAGUE, None),
                           (Actor.student("2023010002"), "PE")):  # fmt: skip
        with pytest.raises(DomainError) as caught:
            school.graduation_shortfall(actor, college=college)
        assert caught.value.code == "auth.forbidden"


def test_a_school_without_requirements_has_no_shortfall() -> None:
    with SecondClassroom.open(sqlite_memory_env(), CUSTOMS, secret=TEST_SECRET) as service:
        service.execute(RegisterStudent("2023010002", "学生02", "PE", "23-1班", 2023), CENTER,
                        at(5, 4))  # fmt: skip
        assert service.graduation_shortfall(CENTER) == []


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (REQUIREMENT.replace("innovation", "nothing"), "graduation: no module 'nothing'"),
        (REQUIREMENT.replace("学分", "积分"), "graduation: no credit type '积分'"),
        (REQUIREMENT.replace('"2"', '"0"'), "graduation: the innovation amount must be > 0"),
        (REQUIREMENT + REQUIREMENT, "graduation: a module and credit type is required twice"),
    ],
)
def test_a_requirement_names_the_schools_module_and_credit_type(section: str, problem: str) -> None:
    with pytest.raises(DomainError) as caught:
        with_graduation(section)
    assert problem in caught.value.message_en
