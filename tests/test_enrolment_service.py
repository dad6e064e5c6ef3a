"""Enrolment through the facade on every store (第十二–十四条): seats and enrolments saved
together, the lottery drawn once by the reaction and verifiable, 我的活动, and the outbox."""

from __future__ import annotations

import threading
from pathlib import Path

import attrs
import pytest

from second_classroom.aggregates.activity import (
    ActivityStatus,
    ApproveActivity,
    CancelActivity,
    ChangeActivityDetails,
    DraftActivity,
    SubmitActivity,
)
from second_classroom.aggregates.activity_roster import LotteryCommitted, Roster
from second_classroom.aggregates.enrolment import EnrolmentStatus, enrolment_id
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    QuestionKind,
    TribeKind,
    TribeLevel,
)
from second_classroom.persistence.stores import sqlite_env
from second_classroom.policies.activity_form import AwardPlan, Scope
from second_classroom.policies.lottery import verify_draw
from second_classroom.policies.registration_questions import Answer, Question
from second_classroom.projections.notices import NoticeKind
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.enrolment_world import (
    CLOSED,
    DURING,
    LEADER,
    ORGANIZER_NUMBER,
    REGISTERING,
    approved_activity,
    found_school,
)
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at, present
from tests.stores import TEST_SECRET

WORKER = Actor.system("notice-worker")


def code_of(service: SecondClassroom, command: object, actor: Actor, now=REGISTERING) -> str:  # type: ignore[no-untyped-def]
    before = service.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        service.execute(command, actor, now)
    assert service.app.recorder.max_notification_id() == before, "a refusal stored something"
    return caught.value.code


def test_first_come_admits_at_once_and_cancel_frees_the_seat(service: SecondClassroom) -> None:
    """第十二条 报名制活动即报即成功；报名结束前可以取消报名并再次报名."""
    a, b = (Actor.student(n) for n in found_school(service, 2))
    talk = approved_activity(service, "talk", capacity=1)
    service.execute(Register(talk), a, REGISTERING)
    assert (
        present(service.enrolment(talk, a.person_id, SCHOOL_ADMIN)).status
        is EnrolmentStatus.ADMITTED
    )
    assert code_of(service, Register(talk), b) == "activity.capacity_full"
    assert code_of(service, Register(talk), a) == "enrolment.already_registered"
    service.execute(CancelRegistration(talk), a, REGISTERING)
    service.execute(Register(talk), b, REGISTERING)
    for _ in range(3):  # cancel and register again, with no limit
        service.execute(CancelRegistration(talk), b, REGISTERING)
        service.execute(Register(talk), b, REGISTERING)
    enrolment = service.enrolment(talk, b.person_id, SCHOOL_ADMIN)
    assert enrolment is not None
    assert enrolment.times_registered == 4
    assert present(service.activity(talk, SCHOOL_ADMIN)).roster.admitted == {b.person_id}


def test_cancelling_promotes_the_first_on_the_waitlist(service: SecondClassroom) -> None:
    a, b, c = (Actor.student(n) for n in found_school(service, 3))
    talk = approved_activity(service, "talk", capacity=1, waitlist=True)
    for student in (a, b, c):
        service.execute(Register(talk), student, REGISTERING)
    assert (
        present(service.enrolment(talk, b.person_id, SCHOOL_ADMIN)).status
        is EnrolmentStatus.WAITLISTED
    )
    before = service.app.recorder.max_notification_id() or 0
    outcome = service.execute(CancelRegistration(talk), a, REGISTERING)
    stored = [e for _, e in service.app.notifications(before)]
    assert len({e.originator_id for e in stored}) == 3  # activity + two enrolments, one save
    # The canceller's reply holds their own enrolment only: never who was promoted.
    assert {e.originator_id for e in outcome.events} == {enrolment_id(talk, a.person_id)}
    assert b.person_id not in str(outcome.to_json())
    assert (
        present(service.enrolment(talk, b.person_id, SCHOOL_ADMIN)).status
        is EnrolmentStatus.ADMITTED
    )
    assert (
        present(service.enrolment(talk, c.person_id, SCHOOL_ADMIN)).status
        is EnrolmentStatus.WAITLISTED
    )


def test_cancelling_after_registration_ends_points_to_leave(service: SecondClassroom) -> None:
    """第十二条 已经无法取消报名 → 申请请假."""
    [a] = (Actor.student(n) for n in found_school(service, 1))
    talk = approved_activity(service, "talk")
    service.execute(Register(talk), a, REGISTERING)
    assert code_of(service, CancelRegistration(talk), a, CLOSED) == "enrolment.cancel_closed"
    assert code_of(service, Register(talk), a, CLOSED) == "enrolment.not_registering"


def test_a_lottery_is_committed_drawn_once_by_the_reaction_and_verifiable(
    service: SecondClassroom,
) -> None:
    """第十二条 中签制活动需由系统按活动设定人数随机抽取，抽取后系统消息会告知报名同学是否中签."""
    students = [Actor.student(n) for n in found_school(service, 10)]
    draw = approved_activity(service, "draw", AdmissionMethod.LOTTERY, capacity=4)
    assert any(isinstance(e.payload, LotteryCommitted) for e in service.history(draw, SCHOOL_ADMIN))
    for student in students:
        service.execute(Register(draw), student, REGISTERING)
    assert service.run_reactions(REGISTERING) == []  # registration still open
    [outcome] = service.run_reactions(CLOSED)
    assert len(outcome.events) == 11  # the draw + one outcome per registrant, atomically
    assert service.run_reactions(CLOSED) == []  # exactly once
    assert code_of(service, DrawLottery(draw), LEADER, CLOSED) == "activity.already_drawn"

    record = service.draw_record(draw, SCHOOL_ADMIN)
    assert record is not None
    assert record.verify()
    assert verify_draw(
        record.commitment, record.seed, sorted(record.registrants), 4, record.winners
    )
    assert not verify_draw(record.commitment, "0" * 64, record.registrants, 4, record.winners)
    statuses = [
        present(service.enrolment(draw, s.person_id, SCHOOL_ADMIN)).status for s in students
    ]
    assert statuses.count(EnrolmentStatus.ADMITTED) == 4
    assert statuses.count(EnrolmentStatus.NOT_SELECTED) == 6

    notices = service.outbox(SCHOOL_ADMIN)
    assert sorted(n.kind for n in notices).count(NoticeKind.LOTTERY_WON) == 4
    assert len(notices) == 10


def test_review_admission_is_batched_capped_and_closed(service: SecondClassroom) -> None:
    """第十三条 评审制：报名结束后负责人或组织者录取，可批量录取，录取操作不可逆."""
    students = [Actor.student(n) for n in found_school(service, 5)]
    review = approved_activity(service, "review", AdmissionMethod.REVIEW, capacity=3)
    for student in students:
        service.execute(Register(review), student, REGISTERING)
    organizer = Actor.student(ORGANIZER_NUMBER)
    numbers = [s.person_id for s in students]
    assert code_of(service, AdmitRegistrants(review, tuple(numbers[:2])), organizer) == (
        "enrolment.registration_open"
    )
    service.execute(AdmitRegistrants(review, tuple(numbers[:2])), organizer, CLOSED)
    assert code_of(service, AdmitRegistrants(review, tuple(numbers[2:4])), organizer, CLOSED) == (
        "activity.admission_over_capacity"
    )
    service.execute(AdmitRegistrants(review, (numbers[2],)), LEADER, CLOSED)
    service.execute(CloseReview(review), organizer, CLOSED)
    statuses = [present(service.enrolment(review, n, SCHOOL_ADMIN)).status for n in numbers]
    assert statuses == [EnrolmentStatus.ADMITTED] * 3 + [EnrolmentStatus.NOT_ADMITTED] * 2


def test_leave_is_requested_decided_and_notified(service: SecondClassroom) -> None:
    """第十二条 申请请假：提交请假理由及证明图片，经负责人或组织者审核批准后生效."""
    [a] = (Actor.student(n) for n in found_school(service, 1))
    talk = approved_activity(service, "talk")
    service.execute(Register(talk), a, REGISTERING)
    service.execute(RequestLeave(talk, "课程冲突", ("proof/1.png",)), a, CLOSED)
    service.execute(
        DecideLeave(talk, a.person_id, approve=True), Actor.student(ORGANIZER_NUMBER), CLOSED
    )
    enrolment = service.enrolment(talk, a.person_id, SCHOOL_ADMIN)
    assert enrolment is not None
    assert enrolment.excused
    [notice] = service.outbox(SCHOOL_ADMIN, a.person_id)
    assert notice.kind is NoticeKind.LEAVE_APPROVED


def test_my_activities_lists_registrations_until_cancelled(service: SecondClassroom) -> None:
    """第十二条 报名的活动将会出现在“我的活动”中，取消报名后将会消失."""
    [a] = (Actor.student(n) for n in found_school(service, 1))
    talk = approved_activity(service, "talk")
    assert service.my_activities(a.person_id, SCHOOL_ADMIN, REGISTERING) == []
    service.execute(Register(talk), a, REGISTERING)
    [line] = service.my_activities(a.person_id, SCHOOL_ADMIN, REGISTERING)
    assert (line.status_label, line.phase_label) == ("已录取", "报名中")
    service.execute(CancelRegistration(talk), a, REGISTERING)
    assert service.my_activities(a.person_id, SCHOOL_ADMIN, REGISTERING) == []
    service.execute(Register(talk), a, REGISTERING)
    assert [
        line.activity_id for line in service.my_activities(a.person_id, SCHOOL_ADMIN, DURING)
    ] == [talk]


def test_a_change_or_cancellation_notifies_each_registered_student_once(
    service: SecondClassroom,
) -> None:
    """第十四条 群发通知：活动时间及地点有变化，系统会群发消息通知报名成功的学生."""
    students = [Actor.student(n) for n in found_school(service, 3)]
    talk = approved_activity(service, "talk")
    for student in students[:2]:
        service.execute(Register(talk), student, REGISTERING)
    service.execute(
        ChangeActivityDetails(talk, locations=("第二教学楼201室",)), LEADER, REGISTERING
    )
    notices = service.outbox(SCHOOL_ADMIN)
    assert sorted(n.student for n in notices) == sorted(s.person_id for s in students[:2])
    assert all("第二教学楼201室" in n.text for n in notices)
    service.mark_delivered(notices[0], REGISTERING, WORKER)
    assert service.mark_delivered(notices[0], REGISTERING, WORKER).events == ()  # exactly once
    assert [n.notice_id for n in service.outbox(SCHOOL_ADMIN)] == [notices[1].notice_id]
    service.execute(CancelActivity(talk, "场地维修"), LEADER, REGISTERING)
    assert [n.kind for n in service.outbox(SCHOOL_ADMIN, students[0].person_id)] == [
        NoticeKind.ACTIVITY_CANCELLED
    ]


def test_the_outbox_survives_a_restart(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path / "school.sqlite3")
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        [a, b] = (Actor.student(n) for n in found_school(service, 2))
        talk = approved_activity(service, "talk")
        service.execute(Register(talk), a, REGISTERING)
        service.execute(Register(talk), b, REGISTERING)
        service.execute(
            ChangeActivityDetails(
                talk,
                details=present(service.activity(talk, SCHOOL_ADMIN)).form.details + "（更新）",
            ),
            LEADER,
            REGISTERING,
        )
        service.mark_delivered(service.outbox(SCHOOL_ADMIN, a.person_id)[0], REGISTERING, a)
    with SecondClassroom.open(env, secret=TEST_SECRET) as restarted:
        assert restarted.outbox(SCHOOL_ADMIN, a.person_id) == []
        assert len(restarted.outbox(SCHOOL_ADMIN, b.person_id)) == 1


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_registration_rush_never_over_admits(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """200 threads register different students for one 报名制 activity of capacity 30, for 20
    rounds: every round ends with exactly 30 admitted and nobody enrolled twice."""
    if kind == "sqlite":
        env = sqlite_env(tmp_path / "rush.sqlite3")
    else:
        from second_classroom.persistence.stores import postgres_env

        env = postgres_env(
            request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")
        )
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        students = [Actor.student(n) for n in found_school(service, 200)]
        for round_ in range(20):
            activity = approved_activity(service, f"rush-{round_}", capacity=30)
            refused: list[str] = []
            unexpected: list[BaseException] = []

            def register(student: Actor) -> None:
                try:
                    service.execute(Register(activity), student, REGISTERING)  # noqa: B023
                except DomainError as error:
                    refused.append(error.code)  # noqa: B023
                except BaseException as error:
                    unexpected.append(error)  # noqa: B023

            threads = [threading.Thread(target=register, args=(s,)) for s in students]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert unexpected == []
            assert refused == ["activity.capacity_full"] * 170
            roster = present(service.activity(activity, SCHOOL_ADMIN)).roster
            assert len(roster.admitted) == 30
            admitted = [
                s
                for s in students
                if service.enrolment(activity, s.person_id, SCHOOL_ADMIN) is not None
            ]
            assert len(admitted) == 30
            registrations = [
                e
                for e in service.history(activity, SCHOOL_ADMIN)
                if type(e.payload).__name__ == "RegistrationAccepted"
            ]
            assert len({e.payload.student for e in registrations}) == len(registrations) == 30


def test_registration_is_refused_while_blacklisted(service: SecondClassroom) -> None:
    """第十六条: a record that says blacklisted-until is honoured now (the blacklist itself
    comes with the check-in issue)."""
    import attrs

    [a] = found_school(service, 1)
    talk = approved_activity(service, "talk")
    record = service.student(a, SCHOOL_ADMIN)
    assert record is not None
    blacklisted = attrs.evolve(record, blacklisted_until=at(12, 5))
    original = service._load.student
    service._load.student = lambda student_number: (  # type: ignore[method-assign]  # a spy
        blacklisted if student_number == a else original(student_number)
    )
    assert code_of(service, Register(talk), Actor.student(a)) == "enrolment.blacklisted"


def test_more_bad_input_is_refused_and_stores_nothing(service: SecondClassroom) -> None:
    """Out of scope (发布规范 八), a cancelled activity, leave for a student not admitted."""
    from second_classroom.aggregates.student import RegisterStudent
    from tests.specification import CS_ADMIN, NOW

    [a] = (Actor.student(n) for n in found_school(service, 1))
    service.execute(
        RegisterStudent("2024990001", "计算机学生", "CS", "计科24-1班", 2024), CS_ADMIN, NOW
    )
    outsider = Actor.student("2024990001")
    talk = approved_activity(service, "talk")  # 院系内 (石油工程学院)
    assert code_of(service, Register(talk), outsider) == "enrolment.out_of_scope"
    assert code_of(service, RequestLeave(talk, "有事"), a, CLOSED) == "enrolment.not_admitted"
    service.execute(CancelActivity(talk, "取消"), LEADER, REGISTERING)
    assert code_of(service, Register(talk), a) == "activity.not_published"
    cancelled = service.activity(talk, SCHOOL_ADMIN)
    assert cancelled is not None
    assert cancelled.status is ActivityStatus.CANCELLED
    assert cancelled.roster == Roster()  # no refused registration left a seat behind
    assert service.enrolment(talk, a.person_id, SCHOOL_ADMIN) is None
    assert service.enrolment(talk, outsider.person_id, SCHOOL_ADMIN) is None


# -- 自定义报名信息 (002 二 6) -------------------------------------------------------------------

SIZE = Question("size", "文化衫尺码", QuestionKind.SINGLE_CHOICE, options=("S", "M", "L"))
CONTACT = Question("contact", "紧急联系人", QuestionKind.TEXT, max_length=20)


def test_002_2_6_answers_are_kept_and_shown_on_the_roster_to_its_readers(
    service: SecondClassroom,
) -> None:
    """Given an activity asking a size and a contact, when two students register answering
    them (one through JSON), then the roster shows each one's answers to the tribe's leader
    and the activity's organizer, and each student sees their own in 我的活动."""
    a, b = found_school(service, 2)
    talk = approved_activity(service, "shirts", questions=(SIZE, CONTACT))
    mine = (Answer("size", choices=("M",)), Answer("contact", text="王五 父亲"))
    service.execute(Register(talk, mine), Actor.student(a), REGISTERING)
    message = {
        "type": "Register",
        "activity_id": str(talk),
        "answers": [
            {"question": "size", "choices": ["L"]},
            {"question": "contact", "text": "赵六 母亲"},
        ],
    }
    reply = service.execute_json(message, Actor.student(b), REGISTERING)
    assert reply["type"] != "DomainError", reply
    theirs = (Answer("size", choices=("L",)), Answer("contact", text="赵六 母亲"))
    for reader in (LEADER, Actor.student(ORGANIZER_NUMBER), SCHOOL_ADMIN):
        rows = service.roster(talk, reader).rows
        assert {row.student: row.answers for row in rows} == {a: mine, b: theirs}
    [line] = service.my_activities(a, Actor.student(a), REGISTERING)
    assert line.answers == mine
    enrolment = service.enrolment(talk, a, Actor.student(a))
    assert enrolment is not None
    assert enrolment.answers == mine


def test_002_2_6_a_refused_answer_stores_nothing_and_others_may_not_read_the_roster(
    service: SecondClassroom,
) -> None:
    """Given the same activity, when a student leaves the required size out, then
    registration is refused with enrolment.answer_missing and nothing is stored; another
    student may not read the roster (and so not the answers)."""
    a, b = found_school(service, 2)
    talk = approved_activity(service, "shirts", questions=(SIZE, CONTACT))
    only_contact = Register(talk, (Answer("contact", text="王五"),))
    assert code_of(service, only_contact, Actor.student(a)) == "enrolment.answer_missing"
    wrong = Register(talk, (Answer("size", choices=("XXL",)), Answer("contact", text="王五")))
    assert code_of(service, wrong, Actor.student(a)) == "enrolment.answer_not_offered"
    service.execute(
        Register(talk, (Answer("size", choices=("S",)), Answer("contact", text="王五"))),
        Actor.student(a),
        REGISTERING,
    )
    with pytest.raises(DomainError) as caught:
        service.roster(talk, Actor.student(b))
    assert caught.value.code == "auth.forbidden"


def test_002_2_6_a_reader_of_the_student_who_may_not_read_the_roster_sees_no_answers(
    service: SecondClassroom,
) -> None:
    """Given a school-level activity (校学生会) asking a size, and a 石油工程学院 student who
    answered it, when the student's college admin (who may read the student, not the school
    activity's roster) reads the registration, then it comes without the answers; the
    student and the school admin see them."""
    [a] = found_school(service, 1)
    union = CreateTribe("SU", "校学生会", TribeKind.STUDENT_UNION, TribeLevel.SCHOOL, None)
    service.execute(union, SCHOOL_ADMIN, NOW)
    service.execute(CertifyTribe(union.tribe_id), SCHOOL_ADMIN, NOW)
    service.execute(
        AppointTribeRole(union.tribe_id, LEADER.person_id, TribeRole.LEADER), SCHOOL_ADMIN, NOW
    )
    form = attrs.evolve(
        FORM,
        title="校学生会“文化衫设计大赛”",
        level=ActivityLevel.SCHOOL,
        scope=Scope(ParticipationScope.SCHOOL),
        plan=AwardPlan(),
        questions=(SIZE,),
    )
    service.execute(DraftActivity(union.tribe_id, "shirts", form), LEADER, NOW)
    talk = ids.activity_id(union.tribe_id, "shirts")
    service.execute(SubmitActivity(talk), LEADER, NOW)
    for reviewer in (LEADER, SCHOOL_ADMIN):
        service.execute(ApproveActivity(talk), reviewer, NOW)
    answered = (Answer("size", choices=("M",)),)
    service.execute(Register(talk, answered), Actor.student(a), REGISTERING)
    seen_by_college = service.enrolment(talk, a, PE_ADMIN)
    assert seen_by_college is not None
    assert seen_by_college.status is EnrolmentStatus.ADMITTED
    assert seen_by_college.answers == ()
    for reader in (Actor.student(a), SCHOOL_ADMIN):
        found = service.enrolment(talk, a, reader)
        assert found is not None
        assert found.answers == answered
