"""自定义报名信息 (002 二 6): the questions a publisher asks on the form, the answers ``Register``
carries, and each way an answer can miss its question.

002 二 6) 优化活动报名界面，管理员在发布活动报名信息时可自定义需要获取的报名同学信息.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.aggregates.activity import Activity
from second_classroom.aggregates.enrolment import (
    CancelRegistration,
    EnrolmentRegistered,
    EnrolmentStatus,
    Register,
    enrolment_id,
)
from second_classroom.aggregates.enrolment import (
    evolve as evolve_enrolment,
)
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import QuestionKind
from second_classroom.policies import publishing
from second_classroom.policies.registration_questions import Answer, Question, check_answers
from tests.aggregates.activity_fixtures import ACTIVITY_ID
from tests.aggregates.test_enrolment import REGISTERING, activity, ctx, decided, refused
from tests.policies.test_publishing import VALID, check
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
    decision = decided(
        registering(*reversed(FULL_ANSWERS)),
        ctx(Actor.student(STUDENT), REGISTERING, asking(*QUESTIONS)),
    )
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
    decision = decided(
        registering(*FULL_ANSWERS, Answer("diet", text="  ")),
        ctx(Actor.student(STUDENT), REGISTERING, asking(*QUESTIONS)),
    )
    (event,) = decision.enrolments[STUDENT]
    assert isinstance(event, EnrolmentRegistered)
    assert event.answers == FULL_ANSWERS


def test_002_2_6_a_form_without_questions_registers_as_before() -> None:
    """Given a form with no questions, when a student registers with no answers,
    then the event carries none (events stored before 002 二 6 read the same)."""
    decision = decided(registering(), ctx(Actor.student(STUDENT), REGISTERING, asking()))
    (event,) = decision.enrolments[STUDENT]
    assert isinstance(event, EnrolmentRegistered)
    assert event.answers == ()


def test_002_2_6_registering_again_after_cancelling_answers_afresh() -> None:
    """Given a cancelled registration with answers, when the student registers again,
    then the enrolment holds the new answers only."""
    activity_ = asking(SIZE)
    first = decided(
        registering(Answer("size", choices=("S",))),
        ctx(Actor.student(STUDENT), REGISTERING, activity_),
    )
    state = evolve_enrolment(None, first.enrolments[STUDENT][0])
    cancelled = decided(
        CancelRegistration(ACTIVITY_ID),
        ctx(
            Actor.student(STUDENT),
            REGISTERING,
            attrs.evolve(
                activity_, roster=attrs.evolve(activity_.roster, admitted=frozenset({STUDENT}))
            ),
        ),
    )
    state = evolve_enrolment(state, cancelled.enrolments[STUDENT][0])
    again = decided(
        registering(Answer("size", choices=("XL",))),
        ctx(Actor.student(STUDENT), REGISTERING, activity_),
    )
    state = evolve_enrolment(state, again.enrolments[STUDENT][0])
    assert state.answers == (Answer("size", choices=("XL",)),)


# -- refusals: each a stable code, nothing decided ----------------------------------------------


def without(code: str) -> tuple[Answer, ...]:
    return tuple(a for a in FULL_ANSWERS if a.question != code)


REFUSALS = {
    "a required question unanswered": (without("phone"), "enrolment.answer_missing"),
    "a required text answered blank": (
        (*without("phone"), Answer("phone", text=" ")),
        "enrolment.answer_missing",
    ),
    "no option chosen for a required choice": (
        (*without("size"), Answer("size", choices=())),
        "enrolment.answer_missing",
    ),
    "a question the form does not ask": (
        (*FULL_ANSWERS, Answer("hobby", text="篮球")),
        "enrolment.answer_unknown",
    ),
    "a question answered twice": (
        (*FULL_ANSWERS, Answer("size", choices=("L",))),
        "enrolment.answer_twice",
    ),
    "the same option chosen twice": (
        (*without("slots"), Answer("slots", choices=("上午", "上午"))),
        "enrolment.answer_twice",
    ),
    "text for a number": (
        (*without("height"), Answer("height", text="一米七")),
        "enrolment.answer_wrong_type",
    ),
    "a number for a choice": (
        (*without("size"), Answer("size", number=Decimal(3))),
        "enrolment.answer_wrong_type",
    ),
    "choices for a text": (
        (*without("phone"), Answer("phone", choices=("上午",))),
        "enrolment.answer_wrong_type",
    ),
    "two kinds at once": (
        (*without("phone"), Answer("phone", text="王五", number=Decimal(1))),
        "enrolment.answer_wrong_type",
    ),
    "a choice the question does not offer": (
        (*without("size"), Answer("size", choices=("XXL",))),
        "enrolment.answer_not_offered",
    ),
    "two options of a single choice": (
        (*without("size"), Answer("size", choices=("S", "M"))),
        "enrolment.answer_choice_count",
    ),
    "more options than a multiple choice allows": (
        (*without("slots"), Answer("slots", choices=("上午", "下午", "晚上"))),
        "enrolment.answer_choice_count",
    ),
    "a number below the minimum": (
        (*without("height"), Answer("height", number=Decimal("99.5"))),
        "enrolment.answer_out_of_range",
    ),
    "a number above the maximum": (
        (*without("height"), Answer("height", number=Decimal(251))),
        "enrolment.answer_out_of_range",
    ),
    "a text longer than its question allows": (
        (*without("phone"), Answer("phone", text="王" * 21)),
        "enrolment.answer_too_long",
    ),
}


@pytest.mark.parametrize(("answers", "code"), REFUSALS.values(), ids=REFUSALS.keys())
def test_002_2_6_an_answer_that_misses_its_question_is_refused(
    answers: tuple[Answer, ...], code: str
) -> None:
    """Given the five questions, when a student registers with ``answers``,
    then the registration is refused with ``code`` (and no seat is taken)."""
    refused(
        registering(*answers), ctx(Actor.student(STUDENT), REGISTERING, asking(*QUESTIONS)), code
    )


def test_002_2_6_a_text_without_its_own_bound_is_bounded_by_the_rulebook() -> None:
    """Given a text question with no max_length, when the answer is longer than the
    rulebook's questions.max_answer_length, then it is refused as too long."""
    free = Question("note", "备注", QuestionKind.TEXT)
    most = NEPU.questions.max_answer_length
    check_answers((free,), (Answer("note", text="字" * most),), most)
    with pytest.raises(DomainError) as caught:
        check_answers((free,), (Answer("note", text="字" * (most + 1)),), most)
    assert caught.value.code == "enrolment.answer_too_long"


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


# -- the questions on the form (checked with the form, fixed at approval) -----------------------


def asked(*questions: Question) -> list[str]:
    return check(attrs.evolve(VALID, questions=questions))


def test_002_2_6_a_form_with_well_formed_questions_passes() -> None:
    assert asked(*QUESTIONS) == []


FORM_REFUSALS = {
    "a choice with one option": Question(
        "q", "是否住校", QuestionKind.SINGLE_CHOICE, options=("是",)
    ),
    "a choice offering an option twice": Question(
        "q", "年级", QuestionKind.SINGLE_CHOICE, options=("大一", "大一")
    ),
    "options on a text question": Question("q", "备注", QuestionKind.TEXT, options=("甲", "乙")),
    "a blank prompt": Question("q", " ", QuestionKind.TEXT),
    "a blank code": Question(" ", "备注", QuestionKind.TEXT),
    "max_choices on a single choice": Question(
        "q", "年级", QuestionKind.SINGLE_CHOICE, options=("大一", "大二"), max_choices=1
    ),
    "max_choices of zero": Question(
        "q", "时段", QuestionKind.MULTIPLE_CHOICE, options=("上午", "下午"), max_choices=0
    ),
    "a text bound above the rulebook's": Question(
        "q", "备注", QuestionKind.TEXT, max_length=NEPU.questions.max_answer_length + 1
    ),
    "a length bound on a number": Question("q", "年龄", QuestionKind.NUMBER, max_length=3),
    "a range on a text": Question("q", "备注", QuestionKind.TEXT, minimum=Decimal(1)),
    "an inverted range": Question(
        "q", "年龄", QuestionKind.NUMBER, minimum=Decimal(30), maximum=Decimal(16)
    ),
}


@pytest.mark.parametrize("question", FORM_REFUSALS.values(), ids=FORM_REFUSALS.keys())
def test_002_2_6_a_malformed_question_is_refused_with_the_form(question: Question) -> None:
    assert asked(question) == ["activity.question_invalid"]


def test_002_2_6_two_questions_with_one_code_are_refused() -> None:
    assert asked(SIZE, attrs.evolve(PHONE, code="size")) == ["activity.question_invalid"]


def test_002_2_6_more_questions_than_the_rulebook_bounds_are_refused() -> None:
    most = NEPU.questions.max_questions
    many = tuple(Question(f"q{i}", f"问题{i}", QuestionKind.TEXT) for i in range(most + 1))
    assert asked(*many) == ["activity.questions_too_many"]
    assert asked(*many[:most]) == []


def test_002_2_6_a_question_prompt_is_checked_for_advertising_like_any_form_text() -> None:
    """发布规范 六 (no sponsor contact details) holds for the questions' text too."""
    ad = Question("q", "加微信 wx: shop_abc123 领取礼品", QuestionKind.TEXT)
    assert asked(ad) == ["activity.advertising"]


def test_002_2_6_the_form_checks_name_the_question_field() -> None:
    (violation,) = publishing.check_questions(NEPU, (FORM_REFUSALS["an inverted range"],))
    assert violation.field == "questions[0]"
    assert violation.error().details["question"] == "q"
