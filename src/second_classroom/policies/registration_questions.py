"""自定义报名信息 (002 二 6): the questions a publisher asks on the activity form, and the
answers a student gives with ``Register``.

002 二 6) 优化活动报名界面，管理员在发布活动报名信息时可自定义需要获取的报名同学信息. The
questions are part of the form, so they are checked with it (``policies.publishing``) and
fixed at approval; the answers are checked here, against the questions, before a
registration is decided. Answers are personal data: the student, the activity's managers and
the staff who may read its roster see them, nobody else.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from second_classroom.core.errors import Category, ErrorCode, require
from second_classroom.core.terms import QuestionKind
from second_classroom.core.text import Code, Name, Number, Reason

ANSWER_MISSING = ErrorCode(
    "enrolment.answer_missing",
    "请回答报名信息「{prompt}」（必填）",
    "The registration question {question} is required",
    Category.INVALID,
)
ANSWER_UNKNOWN = ErrorCode(
    "enrolment.answer_unknown",
    "活动没有报名信息「{question}」",
    "The activity asks no registration question {question}",
    Category.INVALID,
)
ANSWER_TWICE = ErrorCode(
    "enrolment.answer_twice",
    "报名信息「{prompt}」重复作答或重复选择同一选项",
    "The registration question {question} is answered twice, or an option chosen twice",
    Category.INVALID,
)
ANSWER_WRONG_TYPE = ErrorCode(
    "enrolment.answer_wrong_type",
    "报名信息「{prompt}」是{kind}题，请按题型作答",
    "The registration question {question} is a {kind_code} question: answer it as one",
    Category.INVALID,
)
ANSWER_NOT_OFFERED = ErrorCode(
    "enrolment.answer_not_offered",
    "报名信息「{prompt}」没有选项「{choice}」",
    "The registration question {question} offers no option {choice}",
    Category.INVALID,
)
ANSWER_CHOICE_COUNT = ErrorCode(
    "enrolment.answer_choice_count",
    "报名信息「{prompt}」最多选 {maximum} 项（选了 {count} 项）",
    "The registration question {question} takes at most {maximum} choices ({count} given)",
    Category.INVALID,
)
ANSWER_OUT_OF_RANGE = ErrorCode(
    "enrolment.answer_out_of_range",
    "报名信息「{prompt}」须在 {minimum} 至 {maximum} 之间（收到 {number}）",
    "The registration question {question} takes {minimum} to {maximum} ({number} given)",
    Category.INVALID,
)
ANSWER_TOO_LONG = ErrorCode(
    "enrolment.answer_too_long",
    "报名信息「{prompt}」最多 {max_length} 字（收到 {length} 字）",
    "The answer to {question} is longer than {max_length} characters ({length})",
    Category.INVALID,
)


@attrs.frozen
class Question:
    """One question of the registration form.

    ``options`` are offered by a choice question (and only by one); ``max_choices`` bounds a
    multiple-choice answer (None: any number of the options); ``max_length`` bounds a text
    answer (None: the rulebook's ``questions.max_answer_length``); ``minimum`` and
    ``maximum`` bound a number answer (None: unbounded on that side).
    """

    code: Code
    prompt: Name
    kind: QuestionKind
    required: bool = True
    options: tuple[Name, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    minimum: Number | None = None
    maximum: Number | None = None


@attrs.frozen
class Answer:
    """A student's answer to the question ``question``: exactly one of ``text`` (a text
    question), ``choices`` (a choice question, by option text) and ``number``."""

    question: Code
    text: Reason | None = None
    choices: tuple[Name, ...] | None = None
    number: Number | None = None

    @property
    def kind(self) -> QuestionKind | None:
        """The question kind this answer's shape fits, or None when it fits none (nothing or
        more than one part given)."""
        given = [part is not None for part in (self.text, self.choices, self.number)]
        if sum(given) != 1:
            return None
        if self.text is not None:
            return QuestionKind.TEXT
        if self.number is not None:
            return QuestionKind.NUMBER
        return QuestionKind.MULTIPLE_CHOICE

    @property
    def empty(self) -> bool:
        """Nothing said: blank text or no option chosen (a number is never empty)."""
        if self.text is not None:
            return not self.text.strip()
        if self.choices is not None:
            return not self.choices
        return self.number is None

    def shown(self) -> str:
        """The answer as a roster prints it: the text, the options joined with 、, the number."""
        if self.text is not None:
            return self.text
        if self.choices is not None:
            return "、".join(self.choices)
        return str(self.number) if self.number is not None else ""


def check_answers(
    questions: Sequence[Question], answers: Sequence[Answer], max_answer_length: int
) -> tuple[Answer, ...]:
    """The answers kept with the registration, in question order (blank optional answers are
    dropped); a coded refusal of the first answer that does not fit its question."""
    by_code = {q.code: q for q in questions}
    given: dict[str, Answer] = {}
    for answer in answers:
        require(answer.question in by_code, ANSWER_UNKNOWN, question=answer.question)
        question = by_code[answer.question]
        require(
            answer.question not in given,
            ANSWER_TWICE,
            question=question.code,
            prompt=question.prompt,
        )
        given[answer.question] = answer
    kept: list[Answer] = []
    for question in questions:
        found = given.get(question.code)
        if found is None or found.empty:
            require(
                not question.required,
                ANSWER_MISSING,
                question=question.code,
                prompt=question.prompt,
            )
            continue
        _check_answer(question, found, max_answer_length)
        kept.append(found)
    return tuple(kept)


def _check_answer(question: Question, answer: Answer, max_answer_length: int) -> None:
    named = {"question": question.code, "prompt": question.prompt}
    choice = question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    fits = answer.kind is (QuestionKind.MULTIPLE_CHOICE if choice else question.kind)
    require(
        fits,
        ANSWER_WRONG_TYPE,
        kind=question.kind.label,
        kind_code=question.kind.value,
        **named,
    )
    if answer.text is not None:
        longest = question.max_length or max_answer_length
        length = len(answer.text)
        require(length <= longest, ANSWER_TOO_LONG, max_length=longest, length=length, **named)
    elif answer.choices is not None:
        for picked in answer.choices:
            require(picked in question.options, ANSWER_NOT_OFFERED, choice=picked, **named)
        distinct = len(set(answer.choices))
        most = 1 if question.kind is QuestionKind.SINGLE_CHOICE else question.max_choices
        count = len(answer.choices)
        require(distinct == count, ANSWER_TWICE, **named)
        if most is not None:
            require(count <= most, ANSWER_CHOICE_COUNT, maximum=most, count=count, **named)
    elif answer.number is not None:
        low, high = question.minimum, question.maximum
        require(
            (low is None or answer.number >= low) and (high is None or answer.number <= high),
            ANSWER_OUT_OF_RANGE,
            minimum="-∞" if low is None else str(low),
            maximum="∞" if high is None else str(high),
            number=str(answer.number),
            **named,
        )
