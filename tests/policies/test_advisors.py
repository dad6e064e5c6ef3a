"""Who may be named 指导老师: a member of staff (001 第三条 学生组织指导老师、学生社团指导老师;
002 二 3) 第二课堂活动指导老师工作量表; 003 科研成果 先由学生的指导教师初步鉴定), told by the
工号 alone — never a lookup among student records, which would tell the caller whether a 学号
exists."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from second_classroom.policies.advisors import ADVISOR_NOT_STAFF, may_advise
from second_classroom.policies.rulebook import Limits
from tests.policies.staff_fixtures import STAFF_IDS, STAFFED, with_staff_pattern
from tests.specification import NEPU


def test_a_school_with_a_staff_pattern_accepts_its_staff_and_refuses_a_student_number() -> None:
    assert may_advise(STAFFED, "T-001")
    assert not may_advise(STAFFED, "2023010101")  # a 学号
    assert not may_advise(STAFFED, "T-001x")  # the whole id must match
    assert not may_advise(STAFFED, "xT-001")


def test_without_a_pattern_any_id_but_the_student_s_own_may_advise() -> None:
    """NEPU (no pattern): the id is not judged, but a student never advises their own claim."""
    assert NEPU.limits.staff_id_pattern == ""
    assert may_advise(NEPU, "2023010101")
    assert not may_advise(NEPU, "2023010101", student="2023010101")
    assert may_advise(NEPU, "T-001", student="2023010101")


def test_the_code_names_the_person_and_is_an_invalid_input() -> None:
    error = ADVISOR_NOT_STAFF.error(person="2023010101")
    assert error.code == "advisor.not_staff"
    assert error.category.value == "invalid"
    assert "2023010101" in error.message_zh
    assert "2023010101" in error.message_en


def test_a_staff_pattern_that_is_no_regular_expression_makes_the_rulebook_unusable() -> None:
    assert Limits(staff_id_pattern="[T-").problems() == [
        "limits.staff_id_pattern is not a regular expression: "
        "unterminated character set at position 0"
    ]
    assert Limits(staff_id_pattern=STAFF_IDS).problems() == []


_IDS = st.from_regex(r"[0-9A-Za-z][0-9A-Za-z._-]{0,12}", fullmatch=True)


@given(person=_IDS, student=_IDS, pattern=st.sampled_from(["", STAFF_IDS, r"[0-9]{6}"]))
def test_an_advisor_is_judged_by_the_pattern_and_never_the_student_themself(
    person: str, student: str, pattern: str
) -> None:
    """For any id, student and pattern: named for their own claim, a student is refused;
    otherwise the id may advise exactly when the pattern is empty or matches it whole."""
    rulebook = with_staff_pattern(pattern)
    expected = person != student and (not pattern or re.fullmatch(pattern, person) is not None)
    assert may_advise(rulebook, person, student) is expected
