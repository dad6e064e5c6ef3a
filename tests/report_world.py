"""What the 学院月报 tests of cadre terms and practice teams share (002 一 3), 4), 5)): a
school that credits a full year's cadre term (001 第四条) and records practice teams at 8 学时 a
day; a round of 石油工程学院学生会 closed in March 2027 whose cadres are two 石油工程学院
students and one of 计算机与信息技术学院, and 石油工程学院's practice teams of February and
March 2027."""

from __future__ import annotations

from decimal import Decimal

import attrs

from second_classroom.aggregates.cadre import AppointCadre, CloseCadreRound, RateCadre
from second_classroom.aggregates.practice import RecordPractice
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.core.terms import CadrePosition, CadreRating
from second_classroom.policies.rulebook import CadreRule, RatingCredit
from second_classroom.service import SecondClassroom
from tests import practice_world
from tests.enrolment_world import LEADER, UNION, found_school
from tests.specification import CS_ADMIN, NOW, PE_ADMIN, at

RULES = attrs.evolve(
    practice_world.RULES,
    cadre=CadreRule(
        module="work_experience",
        credit_type="学分",
        credits=(
            RatingCredit(CadreRating.EXCELLENT, Decimal(2)),
            RatingCredit(CadreRating.COMPETENT, Decimal("0.5")),
        ),
        min_service_days=365,
    ),
)
TERM = "2026-2027学年"
CS_STUDENT = "2024990001"
CLOSED = at(3, 2, 10, year=2027)  # the round is closed, and its terms recorded, in March
MARCH_PRACTICE = RecordPractice(
    "2027-spring",
    "石油工程学院春季实践团",
    at(3, 5, 8, year=2027),
    at(3, 7, 18, year=2027),  # three days: 24 学时 each
    (),
    college="PE",
)
FEBRUARY_PRACTICE = RecordPractice(
    "2027-winter",
    "石油工程学院寒假实践团",
    at(2, 20, 8, year=2027),
    at(2, 20, 18, year=2027),  # one day: 8 学时
    (),
    college="PE",
)


def march_world(school: SecondClassroom) -> list[str]:
    """The round (a 部长 rated 优秀: 2 学分; a 干事 of each college rated 称职: 0.5 学分 each)
    closed in March; the March team of the three 石油工程学院 students (3 × 24 学时) and the
    February team of the first (8 学时). Returns the 石油工程学院 students."""
    numbers = found_school(school, 3)
    school.execute(
        RegisterStudent(CS_STUDENT, "计算机学生", "CS", "计算机24-1班", 2024), CS_ADMIN, NOW
    )
    starts, ends = at(3, 1), at(3, 1, year=2027)  # a full year (001 第四条 工作满一年)
    cadres = ((numbers[0], "部长"), (numbers[1], "干事"), (CS_STUDENT, "干事"))
    for number, title in cadres:
        appoint = AppointCadre(
            UNION.tribe_id, TERM, number, CadrePosition.STUDENT_UNION, title, starts, ends
        )
        school.execute(appoint, LEADER, NOW)
    ratings = (CadreRating.EXCELLENT, CadreRating.COMPETENT, CadreRating.COMPETENT)
    for (number, _title), rating in zip(cadres, ratings, strict=True):
        school.execute(RateCadre(UNION.tribe_id, TERM, number, rating), LEADER, CLOSED)
    school.execute(CloseCadreRound(UNION.tribe_id, TERM), LEADER, CLOSED)
    winter = attrs.evolve(FEBRUARY_PRACTICE, members=(numbers[0],))
    school.execute(winter, PE_ADMIN, at(2, 21, year=2027))
    spring = attrs.evolve(MARCH_PRACTICE, members=tuple(numbers))
    school.execute(spring, PE_ADMIN, at(3, 9, year=2027))
    return numbers
