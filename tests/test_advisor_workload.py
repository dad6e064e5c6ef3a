"""指导老师工作量表 (issue 14 §4; 002 二 3) 尝试上线第二课堂活动指导老师工作量表): the approved
activities an advisor guided, with their participants and 学时; read by the advisor themself,
the college's admin and operators."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest

from second_classroom.aggregates.activity import (
    ApproveActivity,
    CancelActivity,
    DraftActivity,
    SubmitActivity,
)
from second_classroom.aggregates.checkin import MakeUpCheckIn
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import FinalizeActivity
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import LEADER, REGISTERING, UNION, found_school
from tests.specification import CS_ADMIN, NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET

ADVISOR = Actor("T-001", {Role(RoleKind.ADVISOR)})
OTHER_ADVISOR = Actor("T-002", {Role(RoleKind.ADVISOR)})
ENDED = at(12, 3, 16, 0)


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, NEPU, secret=TEST_SECRET) as opened:
        yield opened


def guided(school: SecondClassroom, key: str, advisors: tuple[str, ...]) -> None:
    """An approved activity of 石油工程学院学生会 naming ``advisors`` on its form."""
    activity_id = ids.activity_id(UNION.tribe_id, key)
    form = attrs.evolve(FORM, organizers=("2023010102",), advisors=advisors)
    school.execute(DraftActivity(UNION.tribe_id, key, form), LEADER, NOW)
    school.execute(SubmitActivity(activity_id), LEADER, NOW)
    for reviewer in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
        school.execute(ApproveActivity(activity_id), reviewer, NOW)


def test_an_advisors_workload_lists_activities_participants_and_hours(
    school: SecondClassroom,
) -> None:
    """Given an activity guided by T-001 where two of three admitted students attended (made
    up) and the records are written, and a second one guided by T-001 and T-002, when T-001
    reads their workload, then both activities are listed, the first with 2 participants and
    its 2 学时 (14:00-16:00)."""
    numbers = found_school(school, 3)
    guided(school, "talk", ("T-001",))
    guided(school, "forum", ("T-001", "T-002"))
    talk = ids.activity_id(UNION.tribe_id, "talk")
    for number in numbers:
        school.execute(Register(talk), Actor.student(number), REGISTERING)
    for number in numbers[:2]:
        school.execute(MakeUpCheckIn(talk, number, "现场扫码失败"), LEADER, ENDED)
    school.run_reactions(at(12, 4))  # attendance closes: the third is a no-show
    school.execute(FinalizeActivity(talk), LEADER, at(12, 4, 1))
    rows = list(school.advisor_workload("T-001", ADVISOR))
    by_id = {r.activity_id: r for r in rows}
    assert set(by_id) == {str(talk), str(ids.activity_id(UNION.tribe_id, "forum"))}
    first = by_id[str(talk)]
    assert (first.participants, first.hours, first.college) == (2, Decimal(2), "PE")
    assert first.title == FORM.title
    forum = by_id[str(ids.activity_id(UNION.tribe_id, "forum"))]
    assert (forum.participants, forum.hours) == (0, None)  # not held yet
    assert [r.advisor for r in school.advisor_workload("T-002", OTHER_ADVISOR)] == ["T-002"]


def test_who_reads_an_advisors_workload(school: SecondClassroom) -> None:
    """The advisor themself, the college's admin (its activities) and operators; another
    advisor, another college's admin and a student named T-001 do not."""
    found_school(school, 1)
    guided(school, "talk", ("T-001",))
    assert len(list(school.advisor_workload("T-001", PE_ADMIN, college="PE"))) == 1
    assert len(list(school.advisor_workload("T-001", SCHOOL_ADMIN))) == 1
    assert list(school.advisor_workload("T-001", CS_ADMIN, college="CS")) == []
    for actor, college in (
        (OTHER_ADVISOR, None),
        (CS_ADMIN, "PE"),
        (Actor.student("T-001"), None),
    ):
        with pytest.raises(DomainError) as caught:
            school.advisor_workload("T-001", actor, college=college)
        assert caught.value.code == "auth.forbidden"


def test_an_unapproved_activity_is_no_workload(school: SecondClassroom) -> None:
    """A draft naming the advisor is not work done."""
    found_school(school, 1)
    form = attrs.evolve(FORM, organizers=("2023010102",), advisors=("T-001",))
    school.execute(DraftActivity(UNION.tribe_id, "draft", form), LEADER, NOW)
    assert list(school.advisor_workload("T-001", ADVISOR)) == []


def test_a_cancelled_activity_leaves_the_workload(school: SecondClassroom) -> None:
    """Given an approved activity guided by T-001 (002 二 3) 指导老师工作量), when its tribe
    cancels it, then T-001's workload no longer lists it: a cancelled activity was not guided."""
    found_school(school, 1)
    guided(school, "talk", ("T-001",))
    assert len(list(school.advisor_workload("T-001", ADVISOR))) == 1
    talk = ids.activity_id(UNION.tribe_id, "talk")
    school.execute(CancelActivity(talk, "天气原因取消"), LEADER, NOW)
    assert list(school.advisor_workload("T-001", ADVISOR)) == []


def test_a_student_named_as_advisor_is_refused_and_nothing_is_stored(
    store_env: dict[str, str],
) -> None:
    """002 二 3): the workload is a teacher's, so its 指导老师 are staff. Given a school whose
    工号 are "T-" and digits, when a leader drafts an activity naming a 学号 among its
    advisors, then it is refused with ``advisor.not_staff`` naming that id, nothing is
    stored, and the workload lists nothing; naming only staff, the draft is stored."""
    staffed = attrs.evolve(NEPU, limits=attrs.evolve(NEPU.limits, staff_id_pattern=r"T-[0-9]+"))
    with SecondClassroom.open(store_env, staffed, secret=TEST_SECRET) as school:
        found_school(school, 1)
        top = school.app.recorder.max_notification_id()
        form = attrs.evolve(FORM, organizers=("2023010102",), advisors=("T-001", "2023010101"))
        with pytest.raises(DomainError) as caught:
            school.execute(DraftActivity(UNION.tribe_id, "talk", form), LEADER, NOW)
        assert caught.value.code == "advisor.not_staff"
        assert caught.value.details["person"] == "2023010101"
        assert school.app.recorder.max_notification_id() == top
        staff_only = attrs.evolve(form, advisors=("T-001",))
        drafted = school.execute(DraftActivity(UNION.tribe_id, "talk", staff_only), LEADER, NOW)
        assert [type(e.payload).__name__ for e in drafted.events] == ["ActivityDrafted"]
