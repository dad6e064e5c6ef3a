"""自定义报名信息 (002 二 6): the answers ``Register`` carries, and each way an answer can miss
its question (the questions themselves are checked with the form, in test_publishing.py).

002 二 6) 优化活动报名界面，管理员在发布活动报名信息时可自定义需要获取的报名同学信息.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.enrolment import (
    EnrolmentRegistered,
    EnrolmentStatus,
    enrolment_id,
)
from second_classroom.aggregates.enrolment import (
    evolve as evolve_enrolment,
)
from second_classroom.aggregates.registration import CancelRegistration, Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import QuestionKind
from second_classroom.policies.registration_questions import Answer, Question, check_answers
from tests.aggregates.activity_fixtures import ACTIVITY_ID
from tests.aggregates.registration_fixtures import REGISTERING, activity, when
from tests.specification import NEPU

STUDENT = "2024000001"

SIZE = Question("size", "文化衫尺码", QuestionKind.SINGLE_CHOICE, options=("S", "M", "L", "XL"))
SLOTS = Question(
    "slots",
    "可参加的时段",
    QuestionKind.MULTIPLE_CHOICE,
    options=("上午", "下午", "晚上"),
    max_choices=2,
)
PHONE = Question("phone", "紧急联系人", QuestionKind.TEXT, max_length=20)
HEIGHT = Question(
    "height", "身高（厘米）", QuestionKind.NUMBER, minimum=Decimal(100), maximum=Decimal(250)
)
DIET = Question("diet", "饮食禁忌", QuestionKind.TEXT, required=False)
QUESTIONS = (SIZE, SLOTS, PHONE, HEIGHT, DIET)

FULL_ANSWERS = (
    Answer("size", choices=("M",)),
    Answer("slots", choices=("上午", "晚上")),
    Answer("phone", text="王五（父亲）"),
    Answer("height", number=Decimal(172)),
)


def asking(*questions: Question) -> Activity:
    """The approved CET talk of the enrolment tests, with these registration questions."""
    found = activity(capacity=10)
    return attrs.evolve(found, form=attrs.evolve(found.form, questions=questions))


def registering(*answers: Answer) -> Register:
    return Register(ACTIVITY_ID, answers)


# -- acceptance -------------------------------------------------------------------------------


def test_002_2_6_answers_that_fit_their_questions_are_kept_with_the_registration() -> None:
    """Given a form asking size, slots, a contact, a height and (optionally) a diet,
    when a student registers answering the four required ones,
    then the registration event carries the answers in question order."""
    decision = when(
        registering(*reversed(FULL_ANSWERS)),
        Actor.student(STUDENT),
        REGISTERING,
        asking(*QUESTIONS),
    ).decision()
    eid = enrolment_id(ACTIVITY_ID, STUDENT)
    assert decision.enrolments[STUDENT] == (
        EnrolmentRegistered(
            eid, ACTIVITY_ID, STUDENT, EnrolmentStatus.ADMITTED, REGISTERING, FULL_ANSWERS
        ),
    )
    state = evolve_enrolment(None, decision.enrolments[STUDENT][0])
    assert state.answers == FULL_ANSWERS


def test_002_2_6_an_optional_question_left_blank_is_not_stored() -> None:
    """Given an optional 饮食禁忌, when the student answers it with blank text,
    then the registration keeps only the answers that say something."""
    decision = when(
        registering(*FULL_ANSWERS, Answer("diet", text="  ")),
        Actor.student(STUDENT),
        REGISTERING,
        asking(*QUESTIONS),
    ).decision()
    (event,) = decision.enrolments[STUDENT]
    assert isinstance(event, EnrolmentRegistered)
    assert event.answers == FULL_ANSWERS


def test_002_2_6_a_form_without_questions_registers_as_before() -> None:
    """Given a form with no questions, when a student registers with no answers,
    then the event carries none (events stored before 002 二 6 read the same)."""
    decision = when(registering(), Actor.student(STUDENT), REGISTERING, asking()).decision()
    (event,) = decision.enrolments[STUDENT]
    assert isinstance(event, EnrolmentRegistered)
    assert event.answers == ()


def test_002_2_6_registering_again_after_cancelling_answers_afresh() -> None:
    """Given a cancelled registration with answers, when the student registers again,
    then the enrolment holds the new answers only."""
    activity_ = asking(SIZE)
    first = when(
        registering(Answer("size", choices=("S",))), Actor.student(STUDENT), REGISTERING, activity_
    ).decision()
    state = evolve_enrolment(None, first.enrolments[STUDENT][0])
    cancelled = when(
        CancelRegistration(ACTIVITY_ID),
        Actor.student(STUDENT),
        REGISTERING,
        attrs.evolve(
            activity_, roster=attrs.evolve(activity_.roster, admitted=frozenset({STUDENT}))
        ),
    ).decision()
    state = evolve_enrolment(state, cancelled.enrolments[STUDENT][0])
    again = when(
        registering(Answer("size", choices=("XL",))), Actor.student(STUDENT), REGISTERING, activity_
    ).decision()
    state = evolve_enrolment(state, again.enrolments[STUDENT][0])
    assert state.answers == (Answer("size", choices=("XL",)),)


# -- refusals: each a stable code, nothing decided ----------------------------------------------


def without(code: str) -> tuple[Answer, ...]:
    return tuple(a for a in FULL_ANSWERS if a.question != code)


SIZE_NAMED = {"question": "size", "prompt": "文化衫尺码"}
SLOTS_NAMED = {"question": "slots", "prompt": "可参加的时段"}
PHONE_NAMED = {"question": "phone", "prompt": "紧急联系人"}
HEIGHT_NAMED = {"question": "height", "prompt": "身高（厘米）"}
HEIGHT_RANGE = {"minimum": "100", "maximum": "250", **HEIGHT_NAMED}

# each refusal with the details its message is filled from (the prompt the student reads, the
# code a frontend maps to the field, and the values that were wrong)
REFUSALS: dict[str, tuple[tuple[Answer, ...], str, dict[str, Any]]] = {
    "a required question unanswered": (without("phone"), "enrolment.answer_missing", PHONE_NAMED),
    "a required text answered blank": (
        (*without("phone"), Answer("phone", text=" ")),
        "enrolment.answer_missing",
        PHONE_NAMED,
    ),
    "no option chosen for a required choice": (
        (*without("size"), Answer("size", choices=())),
        "enrolment.answer_missing",
        SIZE_NAMED,
    ),
    "a question the form does not ask": (
        (*FULL_ANSWERS, Answer("hobby", text="篮球")),
        "enrolment.answer_unknown",
        {"question": "hobby"},
    ),
    "a question answered twice": (
        (*FULL_ANSWERS, Answer("size", choices=("L",))),
        "enrolment.answer_twice",
        SIZE_NAMED,
    ),
    "the same option chosen twice": (
        (*without("slots"), Answer("slots", choices=("上午", "上午"))),
        "enrolment.answer_twice",
        SLOTS_NAMED,
    ),
    "text for a number": (
        (*without("height"), Answer("height", text="一米七")),
        "enrolment.answer_wrong_type",
        {"kind": "数字", "kind_code": "number", **HEIGHT_NAMED},
    ),
    "a number for a choice": (
        (*without("size"), Answer("size", number=Decimal(3))),
        "enrolment.answer_wrong_type",
        {"kind": "单选", "kind_code": "single_choice", **SIZE_NAMED},
    ),
    "choices for a text": (
        (*without("phone"), Answer("phone", choices=("上午",))),
        "enrolment.answer_wrong_type",
        {"kind": "填空", "kind_code": "text", **PHONE_NAMED},
    ),
    "two kinds at once": (
        (*without("phone"), Answer("phone", text="王五", number=Decimal(1))),
        "enrolment.answer_wrong_type",
        {"kind": "填空", "kind_code": "text", **PHONE_NAMED},
    ),
    "a choice the question does not offer": (
        (*without("size"), Answer("size", choices=("XXL",))),
        "enrolment.answer_not_offered",
        {"choice": "XXL", **SIZE_NAMED},
    ),
    "an offered option then one not offered": (
        (*without("slots"), Answer("slots", choices=("上午", "凌晨"))),
        "enrolment.answer_not_offered",
        {"choice": "凌晨", **SLOTS_NAMED},
    ),
    "two options of a single choice": (
        (*without("size"), Answer("size", choices=("S", "M"))),
        "enrolment.answer_choice_count",
        {"maximum": 1, "count": 2, **SIZE_NAMED},
    ),
    "more options than a multiple choice allows": (
        (*without("slots"), Answer("slots", choices=("上午", "下午", "晚上"))),
        "enrolment.answer_choice_count",
        {"maximum": 2, "count": 3, **SLOTS_NAMED},
    ),
    "a number below the minimum": (
        (*without("height"), Answer("height", number=Decimal("99.5"))),
        "enrolment.answer_out_of_range",
        {"number": "99.5", **HEIGHT_RANGE},
    ),
    "a number above the maximum": (
        (*without("height"), Answer("height", number=Decimal(251))),
        "enrolment.answer_out_of_range",
        {"number": "251", **HEIGHT_RANGE},
    ),
    "a text longer than its question allows": (
        (*without("phone"), Answer("phone", text="王" * 21)),
        "enrolment.answer_too_long",
        {"max_length": 20, "length": 21, **PHONE_NAMED},
    ),
}


@pytest.mark.parametrize(("answers", "code", "details"), REFUSALS.values(), ids=REFUSALS.keys())
def test_002_2_6_an_answer_that_misses_its_question_is_refused(
    answers: tuple[Answer, ...], code: str, details: dict[str, Any]
) -> None:
    """Given the five questions, when a student registers with ``answers``,
    then the registration is refused with ``code``, naming the question and the wrong values
    (and no seat is taken)."""
    refused = when(
        registering(*answers), Actor.student(STUDENT), REGISTERING, asking(*QUESTIONS)
    ).raises(code)
    assert refused.details == details


@pytest.mark.parametrize(
    ("question", "answer", "details"),
    [
        (
            Question("age", "年龄", QuestionKind.NUMBER, maximum=Decimal(30)),
            Decimal(31),
            {"minimum": "-∞", "maximum": "30", "number": "31"},
        ),
        (
            Question("age", "年龄", QuestionKind.NUMBER, minimum=Decimal(16)),
            Decimal(15),
            {"minimum": "16", "maximum": "∞", "number": "15"},
        ),
    ],
    ids=["no lower bound", "no upper bound"],
)
def test_002_2_6_a_number_bounded_on_one_side_names_the_open_side(
    question: Question, answer: Decimal, details: dict[str, Any]
) -> None:
    """Given a number question bounded on one side only, when the answer is past that bound,
    then the refusal shows the open side as -∞ or ∞."""
    with pytest.raises(DomainError) as caught:
        check_answers((question,), (Answer("age", number=answer),), 500)
    assert caught.value.code == "enrolment.answer_out_of_range"
    assert caught.value.details == {"question": "age", "prompt": "年龄", **details}


@pytest.mark.parametrize(
    "answers",
    [
        # exactly at each bound: the longest text, the most choices, the lowest and highest number
        (
            Answer("size", choices=("XL",)),
            Answer("slots", choices=("下午", "晚上")),
            Answer("phone", text="王" * 20),
            Answer("height", number=Decimal(100)),
        ),
        (
            Answer("size", choices=("S",)),
            Answer("slots", choices=("上午",)),
            Answer("phone", text="王"),
            Answer("height", number=Decimal(250)),
        ),
    ],
    ids=["lowest", "highest"],
)
def test_002_2_6_answers_exactly_at_their_bounds_are_kept(answers: tuple[Answer, ...]) -> None:
    """Given the five questions, when each answer sits exactly on its question's bound,
    then every answer is kept, in question order."""
    assert check_answers(QUESTIONS, answers, 500) == answers


def test_002_2_6_a_multiple_choice_without_a_bound_takes_every_option() -> None:
    """Given a multiple choice with no max_choices, when a student picks all its options,
    then the answer is kept."""
    free = attrs.evolve(SLOTS, max_choices=None)
    answer = (Answer("slots", choices=("上午", "下午", "晚上")),)
    assert check_answers((free,), answer, 500) == answer


def test_002_2_6_the_questions_after_an_unanswered_optional_one_are_still_checked() -> None:
    """Given an optional 饮食禁忌 asked before a required contact, when the student skips the
    first, then the second is still kept, or refused when it is missing."""
    answer = (Answer("phone", text="王五（父亲）"),)
    assert check_answers((DIET, PHONE), answer, 500) == answer
    with pytest.raises(DomainError) as caught:
        check_answers((DIET, PHONE), (), 500)
    assert caught.value.code == "enrolment.answer_missing"
    assert caught.value.details == PHONE_NAMED


def test_002_2_6_an_optional_question_left_unanswered_is_not_asked_for() -> None:
    """Given an optional question, when no answer names it, then nothing is refused or kept."""
    assert check_answers((DIET,), (), 500) == ()


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (Answer("phone", text="王五（父亲）"), "王五（父亲）"),
        (Answer("slots", choices=("上午", "晚上")), "上午、晚上"),
        (Answer("slots", choices=()), ""),
        (Answer("height", number=Decimal("172.5")), "172.5"),
        (Answer("diet"), ""),
    ],
    ids=["text", "choices", "no choice", "number", "nothing"],
)
def test_002_2_6_a_roster_shows_each_answer_as_written(answer: Answer, shown: str) -> None:
    """The roster prints the text, the chosen options joined with 、, or the number."""
    assert answer.shown() == shown


@pytest.mark.parametrize(
    ("answer", "kind", "empty"),
    [
        (Answer("q", text="甲"), QuestionKind.TEXT, False),
        (Answer("q", text=" \n"), QuestionKind.TEXT, True),
        (Answer("q", choices=("甲",)), QuestionKind.MULTIPLE_CHOICE, False),
        (Answer("q", choices=()), QuestionKind.MULTIPLE_CHOICE, True),
        (Answer("q", number=Decimal(0)), QuestionKind.NUMBER, False),
        (Answer("q"), None, True),
        (Answer("q", choices=("甲",), number=Decimal(1)), None, False),
    ],
    ids=["text", "blank text", "choices", "no choice", "zero", "nothing", "two parts"],
)
def test_002_2_6_an_answer_has_the_shape_of_one_kind(
    answer: Answer, kind: QuestionKind | None, empty: bool
) -> None:
    """An answer fits a kind only when exactly one part is given; a number is never empty."""
    assert answer.kind is kind
    assert answer.empty is empty


def test_002_2_6_a_text_without_its_own_bound_is_bounded_by_the_rulebook() -> None:
    """Given a text question with no max_length, when the answer is longer than the
    rulebook's questions.max_answer_length, then it is refused as too long."""
    free = Question("note", "备注", QuestionKind.TEXT)
    most = NEPU.questions.max_answer_length
    longest = (Answer("note", text="字" * most),)
    assert check_answers((free,), longest, most) == longest
    with pytest.raises(DomainError) as caught:
        check_answers((free,), (Answer("note", text="字" * (most + 1)),), most)
    assert caught.value.code == "enrolment.answer_too_long"
    assert caught.value.details == {
        "question": "note",
        "prompt": "备注",
        "max_length": most,
        "length": most + 1,
    }


@given(st.decimals(min_value=-1000, max_value=1000, allow_nan=False, places=2))
def test_002_2_6_a_number_is_kept_exactly_when_within_its_bounds(number: Decimal) -> None:
    """Any number answer within [100, 250] is kept; any outside is refused as out of range."""
    answers = (Answer("height", number=number),)
    if Decimal(100) <= number <= Decimal(250):
        assert check_answers((HEIGHT,), answers, 500) == answers
    else:
        with pytest.raises(DomainError) as caught:
            check_answers((HEIGHT,), answers, 500)
        assert caught.value.code == "enrolment.answer_out_of_range"
