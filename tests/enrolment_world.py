"""A school with a certified college tribe, registered students and approved activities."""

from __future__ import annotations

from uuid import UUID

import attrs

from second_classroom.aggregates.activity import (
    ApproveActivity,
    DraftActivity,
    SubmitActivity,
)
from second_classroom.aggregates.student import RecordPublisherExam, RegisterStudent
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import AdmissionMethod, TribeKind, TribeLevel
from second_classroom.policies.activity_form import ActivityForm, Admission
from second_classroom.policies.registration_questions import Question
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at

UNION = CreateTribe(
    "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "PE"
)
LEADER = Actor.student("2023010101")
ORGANIZER_NUMBER = "2023010102"
REGISTERING = at(12, 1, 10)  # inside FORM's registration window
CLOSED = at(12, 2, 21)  # after registration closes, before the start
DURING = at(12, 3, 15)


def student_number(n: int) -> str:
    return f"2024{n:06d}"


def found_school(service: SecondClassroom, students: int) -> list[str]:
    """The tribe, its qualified leader, and ``students`` students of 石油工程学院."""
    service.execute(UNION, PE_ADMIN, NOW)
    service.execute(CertifyTribe(UNION.tribe_id), SCHOOL_ADMIN, NOW)
    service.execute(
        RegisterStudent(LEADER.person_id, "李明", "PE", "石工23-1班", 2023), PE_ADMIN, NOW
    )
    service.execute(RecordPublisherExam(LEADER.person_id, 90), PE_ADMIN, NOW)
    service.execute(
        AppointTribeRole(UNION.tribe_id, LEADER.person_id, TribeRole.LEADER), PE_ADMIN, NOW
    )
    numbers = [student_number(n) for n in range(students)]
    for number in numbers:
        service.execute(
            RegisterStudent(number, f"学生{number}", "PE", "石工24-1班", 2024), PE_ADMIN, NOW
        )
    return numbers


def approved_activity(
    service: SecondClassroom,
    key: str,
    method: AdmissionMethod = AdmissionMethod.FIRST_COME,
    capacity: int = 30,
    waitlist: bool = False,
    questions: tuple[Question, ...] = (),
    base_form: ActivityForm = FORM,
) -> UUID:
    """An activity approved up the college chain (第十一条), of ``base_form``, asking
    ``questions`` at registration (002 二 6)."""
    activity_id = ids.activity_id(UNION.tribe_id, key)
    admission = Admission(
        method, "按报名材料评审" if method is AdmissionMethod.REVIEW else "", waitlist
    )
    organizers = (ORGANIZER_NUMBER,) if capacity <= 50 else (ORGANIZER_NUMBER, "2023010103")
    form = attrs.evolve(
        base_form,
        capacity=capacity,
        admission=admission,
        organizers=organizers,
        questions=questions,
    )
    service.execute(DraftActivity(UNION.tribe_id, key, form), LEADER, NOW)
    service.execute(SubmitActivity(activity_id), LEADER, NOW)
    for reviewer in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
        service.execute(ApproveActivity(activity_id), reviewer, NOW)
    return activity_id
