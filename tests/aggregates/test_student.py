"""Student record (学生档案) specification.

Seed articles:
- 第六条: the account is the 学号, with the student's real name.
- 第七条: students belong to a college and a class (班级部落).
- 第十条: 首次发布活动需进行考试答题，考试通过后方可发布活动 — the publisher exam.
- 第十六条: a blacklisting lasts 120 hours and ends by itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import assume
from hypothesis import given as for_all
from hypothesis import strategies as st

from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.backfill_record import BackfillRecord, CreditLine
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.integrity_record import AppealStatus, IntegrityEntry
from second_classroom.aggregates.student import (
    DECIDER,
    NUMBER_UNAVAILABLE,
    ActivityRecorded,
    AppealDecided,
    AppealDefault,
    AttendanceRecorded,
    BackfillRecorded,
    CadreTermRecorded,
    CorrectStudentRecord,
    DecideAppeal,
    DefaultAppealed,
    DefaultMadeUp,
    PublisherExamPassed,
    RecordPublisherExam,
    RegisterStudent,
    StudentRecord,
    StudentRecordCorrected,
    StudentRegistered,
    TranscriptNumbered,
    made_up,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AttendanceOutcome,
    CadrePosition,
    CadreRating,
    Program,
)
from second_classroom.core.time import SHANGHAI
from second_classroom.policies import integrity
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from tests.specification import (
    CS_ADMIN,
    NEPU,
    NOW,
    PE_ADMIN,
    SCHOOL_ADMIN,
    at,
    context,
    given,
    present,
)

FORBIDDEN = "auth.forbidden"
EARLIER = at(9, 1)

NUMBER = "2023010101"
SID = ids.student_id(NUMBER)
REGISTER = RegisterStudent(NUMBER, "张三", "PE", "石工23-1班", 2023)
REGISTERED = StudentRegistered(
    SID, NUMBER, "张三", "PE", "石工23-1班", 2023, Program.UNDERGRADUATE, "T-pe", EARLIER
)
PASSED = PublisherExamPassed(SID, 92, "T-pe", EARLIER)

THE_STUDENT = Actor.student(NUMBER)
TRIBE_LEADER = Actor(
    "2023010199", {Role.student(), Role.tribe(RoleKind.TRIBE_LEADER, ids.tribe_id("PE-CHESS"))}
)
STAFF = Actor("T-staff")

OUTSIDERS = pytest.mark.parametrize(
    "outsider",
    [CS_ADMIN, THE_STUDENT, TRIBE_LEADER, STAFF],
    ids=["other-college-admin", "the-student", "tribe-leader", "staff"],
)


# -- registration (第六条) ------------------------------------------------------------------


@pytest.mark.parametrize("registrar", [SCHOOL_ADMIN, PE_ADMIN], ids=["school", "own-college"])
def test_the_school_admin_or_the_students_college_admin_registers_a_student(
    registrar: Actor,
) -> None:
    """第六条: the account is the student's 学号 with their real name."""
    state = (
        given(DECIDER)
        .when(REGISTER, context(registrar))
        .then(
            StudentRegistered(
                SID,
                NUMBER,
                "张三",
                "PE",
                "石工23-1班",
                2023,
                Program.UNDERGRADUATE,
                registrar.person_id,
                NOW,
            )
        )
    )
    assert state == StudentRecord(
        SID, NUMBER, "张三", "PE", "石工23-1班", 2023, Program.UNDERGRADUATE
    )


def test_a_new_student_is_neither_publisher_qualified_nor_blacklisted() -> None:
    """第十条 / 第十六条: qualification and blacklisting come later, by their own facts."""
    state = DECIDER.fold([REGISTERED])
    assert state is not None
    assert not state.is_publisher_qualified
    assert not state.is_blacklisted(NOW)


def test_a_graduate_student_is_registered_as_such() -> None:
    """第六条: the programme (本科/研究生) is part of the record; undergraduate is the default."""
    command = attrs.evolve(REGISTER, program=Program.GRADUATE)
    state = (
        given(DECIDER)
        .when(command, context(SCHOOL_ADMIN))
        .then(attrs.evolve(REGISTERED, program=Program.GRADUATE, by="T-school", at=NOW))
    )
    assert state.program is Program.GRADUATE
    assert REGISTER.program is Program.UNDERGRADUATE


def test_the_record_id_is_derived_from_the_student_number() -> None:
    """第六条: 账号为学生学号 — one record per 学号."""
    assert REGISTER.student_id == ids.student_id(NUMBER)
    assert RecordPublisherExam(NUMBER, 90).student_id == REGISTER.student_id


@OUTSIDERS
def test_only_the_school_admin_or_the_students_college_admin_registers(outsider: Actor) -> None:
    """第六条 / 第二十一条: each college's 第二课堂 office manages its own students."""
    error = given(DECIDER).when(REGISTER, context(outsider)).raises(FORBIDDEN)
    assert error.details == {"action": "注册学生 register student"}


@pytest.mark.parametrize("field", ["student_number", "name", "class_name"])
@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
def test_identity_fields_must_not_be_empty(field: str, blank: str) -> None:
    """第六条: 学号 and 真实姓名 are required, and so is the class (第七条 班级部落)."""
    blanked: dict[str, Any] = {field: blank}
    command = attrs.evolve(REGISTER, **blanked)
    error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("student.field_empty")
    assert error.details == {"field": field}


def test_a_student_of_an_unknown_college_is_refused() -> None:
    """第七条: the college must be one of the rulebook's colleges."""
    command = attrs.evolve(REGISTER, college="NOPE")
    error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("student.college_unknown")
    assert error.details == {"college": "NOPE"}


@pytest.mark.parametrize("cohort", [-1, 0, 23, 1949, 2101, 20230])
def test_an_implausible_cohort_is_refused(cohort: int) -> None:
    """第六条: the cohort (年级) is a calendar year."""
    command = attrs.evolve(REGISTER, cohort=cohort)
    error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("student.cohort_invalid")
    assert error.details == {"cohort": cohort}


@pytest.mark.parametrize("cohort", [1950, 2100])
def test_cohort_bounds_are_inclusive(cohort: int) -> None:
    """第六条: 1950 and 2100 are still accepted years."""
    command = attrs.evolve(REGISTER, cohort=cohort)
    events = given(DECIDER).when(command, context(SCHOOL_ADMIN)).events()
    assert [type(event) for event in events] == [StudentRegistered]
    assert events[0].cohort == cohort


def test_registering_the_same_student_again_changes_nothing() -> None:
    """Idempotent retry: the same 学号 with the same details is accepted without new events."""
    given(DECIDER, REGISTERED).when(REGISTER, context(SCHOOL_ADMIN)).then_nothing()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "李四"},
        {"class_name": "石工23-2班"},
        {"cohort": 2022},
        {"program": Program.GRADUATE},
        {"college": "CS"},
    ],
    ids=["name", "class", "cohort", "program", "college"],
)
def test_a_registered_number_with_other_details_is_refused(changes: dict[str, Any]) -> None:
    """第六条: one 学号, one person — it cannot be re-registered with other details."""
    command = attrs.evolve(REGISTER, **changes)
    error = given(DECIDER, REGISTERED).when(command, context(SCHOOL_ADMIN)).raises("student.exists")
    assert error.details == {"student_number": NUMBER}


# -- a 学号 of another college: refused without telling whose it is ------------------------------

UNAVAILABLE = "student.number_unavailable"


def test_another_college_s_number_is_refused_without_naming_whose_it_is() -> None:
    """第六条 (one 学号, one person): given 张三 registered in PE, when CS's admin registers the
    same 学号 for CS, then no second record is made, and the refusal names neither PE nor
    张三 nor his class — only that this 学号 is not CS's to register."""
    command = RegisterStudent(NUMBER, "李四", "CS", "计科23-1班", 2023)
    error = given(DECIDER, REGISTERED).when(command, context(CS_ADMIN)).raises(UNAVAILABLE)
    assert error.details == {"student_number": NUMBER}
    told = f"{error.message_zh} {error.message_en} {error.details}"
    for secret in ("PE", "石工", "张三", "石油"):
        assert secret not in told


def test_who_may_read_the_record_still_learns_it_exists_with_other_details() -> None:
    """The school admin and PE's own admin are told ``student.exists``: they read the record."""
    for admin in (SCHOOL_ADMIN, PE_ADMIN):
        command = attrs.evolve(REGISTER, name="李四")
        given(DECIDER, REGISTERED).when(command, context(admin)).raises("student.exists")
    cs_for_cs = RegisterStudent(NUMBER, "张三", "CS", "石工23-1班", 2023)
    given(DECIDER, REGISTERED).when(cs_for_cs, context(SCHOOL_ADMIN)).raises("student.exists")


_DETAILS = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["张三", "李四", "王五"]),
        "class_name": st.sampled_from(["石工23-1班", "计科23-1班", "机械23-2班"]),
        "cohort": st.integers(2015, 2030),
        "program": st.sampled_from(list(Program)),
    }
)
_COLLEGES = st.sampled_from([c.code for c in NEPU.colleges])


@for_all(held=_COLLEGES, asking=_COLLEGES, registered=_DETAILS, given_details=_DETAILS)
def test_any_registration_of_a_number_held_elsewhere_gets_one_answer(
    held: str, asking: str, registered: dict[str, Any], given_details: dict[str, Any]
) -> None:
    """For any college holding the 学号, any other college's admin and any details given (even
    the very same ones), the answer is the same ``student.number_unavailable`` with the same
    message and details: nothing about the record changes it."""
    assume(held != asking)
    existing = StudentRegistered(
        SID, NUMBER, registered["name"], held, registered["class_name"],
        registered["cohort"], registered["program"], "T-pe", EARLIER,
    )  # fmt: skip
    command = RegisterStudent(NUMBER, college=asking, **given_details)
    error = given(DECIDER, existing).when(command, context(Actor.college_admin("T-x", asking)))
    refused = error.raises(UNAVAILABLE)
    assert (refused.message_zh, refused.message_en, refused.details) == (
        NUMBER_UNAVAILABLE.zh.format(student_number=NUMBER),
        NUMBER_UNAVAILABLE.en.format(student_number=NUMBER),
        {"student_number": NUMBER},
    )


# -- publisher exam (第十条) ----------------------------------------------------------------


@pytest.mark.parametrize("recorder", [SCHOOL_ADMIN, PE_ADMIN], ids=["school", "own-college"])
def test_an_admin_records_that_a_student_passed_the_publisher_exam(recorder: Actor) -> None:
    """第十条: 首次发布活动需进行考试答题，考试通过后方可发布活动."""
    state = (
        given(DECIDER, REGISTERED)
        .when(RecordPublisherExam(NUMBER, 92), context(recorder))
        .then(PublisherExamPassed(SID, 92, recorder.person_id, NOW))
    )
    assert state.is_publisher_qualified
    assert state.publisher_qualified_at == NOW


@OUTSIDERS
def test_only_the_school_admin_or_the_students_college_admin_records_the_exam(
    outsider: Actor,
) -> None:
    """第十条: a student cannot certify their own exam, nor can another college."""
    error = (
        given(DECIDER, REGISTERED)
        .when(RecordPublisherExam(NUMBER, 92), context(outsider))
        .raises(FORBIDDEN)
    )
    assert error.details == {"action": "登记考试 record exam"}


def test_recording_the_exam_again_changes_nothing() -> None:
    """第十条: the exam is only needed once (首次发布); the first pass stands."""
    given(DECIDER, REGISTERED, PASSED).when(
        RecordPublisherExam(NUMBER, 100), context(SCHOOL_ADMIN)
    ).then_nothing()


def test_the_exam_of_an_unregistered_student_is_refused() -> None:
    """第十条: only a registered student can be qualified."""
    error = (
        given(DECIDER)
        .when(RecordPublisherExam(NUMBER, 92), context(SCHOOL_ADMIN))
        .raises("student.not_found")
    )
    assert error.details == {"student_number": NUMBER}


# -- blacklist expiry (第十六条) ------------------------------------------------------------

BLACKLISTED = attrs.evolve(
    present(DECIDER.fold([REGISTERED])), blacklisted_until=NOW + timedelta(hours=120)
)


@pytest.mark.parametrize(
    "now",
    [NOW, NOW + timedelta(hours=119, minutes=59, seconds=59)],
    ids=["start", "last-second"],
)
def test_a_student_is_blacklisted_until_the_end_time(now: datetime) -> None:
    """第十六条: a blacklisting lasts 120 hours."""
    assert BLACKLISTED.is_blacklisted(now)


@pytest.mark.parametrize(
    "now",
    [NOW + timedelta(hours=120), NOW + timedelta(days=30)],
    ids=["at-end", "long-after"],
)
def test_a_blacklisting_ends_by_time_alone(now: datetime) -> None:
    """第十六条: no event is needed to lift an expired blacklisting."""
    assert not BLACKLISTED.is_blacklisted(now)


def test_the_end_time_is_compared_as_an_instant_whatever_the_time_zone() -> None:
    """第十六条: 120 hours is a duration, independent of the clock's zone."""
    until = BLACKLISTED.blacklisted_until
    assert until is not None
    assert BLACKLISTED.is_blacklisted((until - timedelta(seconds=1)).astimezone(SHANGHAI))
    assert not BLACKLISTED.is_blacklisted(until.astimezone(UTC))


@for_all(
    until=st.datetimes(timezones=st.just(SHANGHAI)),
    now=st.datetimes(timezones=st.just(SHANGHAI)),
)
def test_blacklisting_depends_on_the_clock_alone(until: datetime, now: datetime) -> None:
    """第十六条: blacklisted exactly while ``now`` is before ``blacklisted_until``."""
    record = attrs.evolve(BLACKLISTED, blacklisted_until=until)
    assert record.is_blacklisted(now) == (now < until)


def test_a_student_never_blacklisted_is_not_blacklisted_at_any_time() -> None:
    """第十六条: no end time, no blacklisting."""
    record = DECIDER.fold([REGISTERED])
    assert record is not None
    assert record.blacklisted_until is None
    assert not record.is_blacklisted(at(1, 1, year=1970))
    assert not record.is_blacklisted(at(1, 1, year=2100))


@pytest.mark.parametrize("score", [0, 59])
def test_a_failed_publishing_exam_qualifies_nobody(score: int) -> None:
    """第十条 考试通过后方可发布活动: below the rulebook's pass mark (60) nothing is recorded."""
    error = (
        given(DECIDER, REGISTERED)
        .when(RecordPublisherExam(NUMBER, score), context(SCHOOL_ADMIN))
        .raises("student.exam_failed")
    )
    assert error.details == {"score": score, "pass_score": 60}


def test_the_pass_mark_itself_qualifies() -> None:
    events = (
        given(DECIDER, REGISTERED)
        .when(RecordPublisherExam(NUMBER, 60), context(SCHOOL_ADMIN))
        .events()
    )
    assert events == [PublisherExamPassed(SID, 60, "T-school", NOW)]


@pytest.mark.parametrize("score", [-1, 101])
def test_an_exam_score_is_out_of_a_hundred(score: int) -> None:
    error = (
        given(DECIDER, REGISTERED)
        .when(RecordPublisherExam(NUMBER, score), context(SCHOOL_ADMIN))
        .raises("student.score_invalid")
    )
    assert error.details == {"score": score}


# -- appeals of a default (申诉; 第十六条 defaults, decided by an admin) -----------------------

DEFAULTED_AT = at(11, 2, 16)
UNTIL = DEFAULTED_AT + timedelta(hours=120)


def integrity_entry(
    outcome: AttendanceOutcome = AttendanceOutcome.NO_SHOW,
    when: datetime = DEFAULTED_AT,
    key: str = "a",
) -> IntegrityEntry:
    return IntegrityEntry(
        ids.derive("integrity-entry", "test", key),
        ids.derive("activity", "test", key),
        ActivityLevel.COLLEGE,
        outcome,
        when,
        outcome.value,
    )


NO_SHOW = integrity_entry()
EID = NO_SHOW.entry_id
DEFAULTED = (REGISTERED, AttendanceRecorded(SID, NO_SHOW, UNTIL, DEFAULTED_AT))
APPEAL = AppealDefault(NUMBER, EID, "当天发烧，有校医院证明", ("证明.jpg",))
APPEALED = DefaultAppealed(SID, EID, APPEAL.reason, APPEAL.evidence, EARLIER)


def test_a_student_appeals_their_own_default() -> None:
    """A no-show (第十六条) may be appealed by the student, with reasons and evidence."""
    state = (
        given(DECIDER, *DEFAULTED)
        .when(APPEAL, context(THE_STUDENT))
        .then(DefaultAppealed(SID, EID, APPEAL.reason, ("证明.jpg",), NOW))
    )
    entry = state.entry(EID)
    assert entry is not None
    assert entry.appeal is AppealStatus.PENDING
    assert state.blacklisted_until == UNTIL  # a pending appeal lifts nothing yet


@pytest.mark.parametrize(
    "command",
    [APPEAL, DecideAppeal(NUMBER, EID, overturn=True, reason="证明属实")],
    ids=["appeal", "decide"],
)
def test_an_appeal_needs_a_registered_student_a_known_entry_and_a_reason(command: Any) -> None:
    actor = THE_STUDENT if isinstance(command, AppealDefault) else SCHOOL_ADMIN
    missing = given(DECIDER).when(command, context(actor)).raises("student.not_found")
    assert missing.details == {"student_number": NUMBER}
    other = ids.derive("integrity-entry", "test", "other")
    unknown = (
        given(DECIDER, *DEFAULTED, APPEALED)
        .when(attrs.evolve(command, entry_id=other), context(actor))
        .raises("integrity.entry_unknown")
    )
    assert unknown.details == {"entry_id": str(other)}
    given(DECIDER, *DEFAULTED, APPEALED).when(
        attrs.evolve(command, reason="  "), context(actor)
    ).raises("integrity.reason_required")


def test_only_the_student_appeals_their_default() -> None:
    given(DECIDER, *DEFAULTED).when(APPEAL, context(Actor.student("2023010102"))).raises(
        "integrity.not_your_default"
    )


def test_attending_or_a_sign_off_that_is_no_default_cannot_be_appealed() -> None:
    attended = integrity_entry(AttendanceOutcome.ATTENDED, key="b")
    given(DECIDER, REGISTERED, AttendanceRecorded(SID, attended, None, DEFAULTED_AT)).when(
        attrs.evolve(APPEAL, entry_id=attended.entry_id), context(THE_STUDENT)
    ).raises("integrity.not_a_default")
    signed_off = integrity_entry(AttendanceOutcome.SIGNED_OFF, key="c")
    lenient = attrs.evolve(NEPU, integrity=attrs.evolve(NEPU.integrity, sign_off_is_default=False))
    given(DECIDER, REGISTERED, AttendanceRecorded(SID, signed_off, None, DEFAULTED_AT)).when(
        attrs.evolve(APPEAL, entry_id=signed_off.entry_id), context(THE_STUDENT, NOW, lenient)
    ).raises("integrity.not_a_default")


def test_a_default_is_appealed_once() -> None:
    error = (
        given(DECIDER, *DEFAULTED, APPEALED)
        .when(APPEAL, context(THE_STUDENT))
        .raises("integrity.appeal_exists")
    )
    assert error.details == {"status": "申诉处理中"}


@pytest.mark.parametrize("admin", [SCHOOL_ADMIN, PE_ADMIN], ids=["school", "own-college"])
def test_an_overturned_appeal_lifts_the_blacklist(admin: Actor) -> None:
    """申诉成立: the default no longer counts, so the 120-hour blacklist it imposed ends."""
    state = (
        given(DECIDER, *DEFAULTED, APPEALED)
        .when(DecideAppeal(NUMBER, EID, overturn=True, reason="证明属实"), context(admin))
        .then(AppealDecided(SID, EID, True, "证明属实", None, admin.person_id, NOW))
    )
    entry = state.entry(EID)
    assert entry is not None
    assert entry.appeal is AppealStatus.OVERTURNED
    assert state.blacklisted_until is None


def test_an_upheld_appeal_leaves_the_blacklist() -> None:
    state = (
        given(DECIDER, *DEFAULTED, APPEALED)
        .when(DecideAppeal(NUMBER, EID, overturn=False, reason="证明不足"), context(PE_ADMIN))
        .then(AppealDecided(SID, EID, False, "证明不足", UNTIL, PE_ADMIN.person_id, NOW))
    )
    entry = state.entry(EID)
    assert entry is not None
    assert entry.appeal is AppealStatus.UPHELD
    assert state.blacklisted_until == UNTIL


def test_overturning_the_latest_default_falls_back_to_the_one_before() -> None:
    """第十六条: the blacklist runs 120 hours from the latest default that still stands."""
    earlier = integrity_entry(AttendanceOutcome.SIGNED_OFF, at(10, 20, 16), key="d")
    events = (
        REGISTERED,
        AttendanceRecorded(SID, earlier, at(10, 20, 16) + timedelta(hours=120), earlier.at),
        AttendanceRecorded(SID, NO_SHOW, UNTIL, DEFAULTED_AT),
        APPEALED,
    )
    fallback = at(10, 20, 16) + timedelta(hours=120)
    state = (
        given(DECIDER, *events)
        .when(DecideAppeal(NUMBER, EID, overturn=True, reason="证明属实"), context(SCHOOL_ADMIN))
        .then(AppealDecided(SID, EID, True, "证明属实", fallback, SCHOOL_ADMIN.person_id, NOW))
    )
    assert state.blacklisted_until == fallback
    untouched = state.entry(earlier.entry_id)
    assert untouched is not None
    assert untouched.appeal is None  # only the appealed entry changes


def test_only_a_pending_appeal_is_decided() -> None:
    decide = DecideAppeal(NUMBER, EID, overturn=True, reason="证明属实")
    given(DECIDER, *DEFAULTED).when(decide, context(SCHOOL_ADMIN)).raises(
        "integrity.no_pending_appeal"
    )
    decided = AppealDecided(SID, EID, False, "证明不足", UNTIL, "T-school", EARLIER)
    given(DECIDER, *DEFAULTED, APPEALED, decided).when(decide, context(SCHOOL_ADMIN)).raises(
        "integrity.no_pending_appeal"
    )


@OUTSIDERS
def test_only_the_school_admin_or_the_students_college_admin_decides_an_appeal(
    outsider: Actor,
) -> None:
    error = (
        given(DECIDER, *DEFAULTED, APPEALED)
        .when(DecideAppeal(NUMBER, EID, overturn=True, reason="证明属实"), context(outsider))
        .raises(FORBIDDEN)
    )
    assert error.details == {"action": "处理申诉 decide appeal"}


# -- what the record keeps: transcripts numbered, finalized activities, credits --------------


def test_each_numbered_transcript_is_counted() -> None:
    """第二十条: every transcript gets its own serial, derived from the count so far."""
    first = TranscriptNumbered(SID, "154QVGGVST7", EARLIER)
    state = DECIDER.fold([REGISTERED, first])
    assert state is not None
    assert state.transcripts_issued == 1
    assert present(DECIDER.fold([REGISTERED, first, first])).transcripts_issued == 2


def test_finalized_activities_are_kept_in_order_and_their_credits_summed() -> None:
    """第十九条/第二十条: the credits of every finalized activity, per module and type."""
    records = [
        ActivityRecord(
            ids.derive("activity", "test", str(n)),
            f"活动{n}",
            "skills",
            ActivityLevel.COLLEGE,
            at(10, n, 14),
            at(10, n, 16),
            Decimal(2),
            AttendanceOutcome.ATTENDED,
            (),
            (PlannedCredit("skills", "学分", Decimal("0.5")),),
            at(10, n, 18),
        )
        for n in (1, 2)
    ]
    state = DECIDER.fold([REGISTERED, *(ActivityRecorded(SID, r, r.finalized_at) for r in records)])
    assert state is not None
    assert state.activities == tuple(records)
    assert state.credits() == {("skills", "学分"): Decimal("1.0")}
    assert state.entry(EID) is None


def test_events_and_commands_the_record_does_not_know_are_programming_errors() -> None:
    """A foreign event on the stream is refused by the fold; evolve itself asserts."""
    foreign: Any = "passed"  # no student event: typed Any to hand it over all the same
    with pytest.raises(DomainError) as caught:
        DECIDER.fold([REGISTERED, foreign])
    assert caught.value.code == "store.wrong_stream_kind"
    assert caught.value.details == {"kind": "student"}
    with pytest.raises(AssertionError, match="unhandled event 'passed'"):
        DECIDER.evolve(DECIDER.fold([REGISTERED]), foreign)
    with pytest.raises(AssertionError, match="unhandled command 'register'"):
        given(DECIDER, REGISTERED).when("register", context(SCHOOL_ADMIN)).events()


# -- correcting a record (000 第八条) --------------------------------------------------------------
#
# 000 第八条: 在网页端点击“用户管理”→输入学号或姓名→“编辑”也可进行修改. An admin corrects a misspelt
# name or a wrong class, with a reason, as an event; the record's history keeps what it said.

FIX_NAME = CorrectStudentRecord(NUMBER, "姓名录入错误", name="张珊")
FIX_CLASS = CorrectStudentRecord(NUMBER, "班级录入错误", class_name="石工23-2班")


@pytest.mark.parametrize("admin", [SCHOOL_ADMIN, PE_ADMIN], ids=["school", "own-college"])
def test_an_admin_corrects_a_misspelt_name(admin: Actor) -> None:
    """Given 张三 registered, when an admin corrects the name to 张珊 with a reason, then the
    correction is an event with before and after, and the record reads 张珊."""
    state = (
        given(DECIDER, REGISTERED)
        .when(FIX_NAME, context(admin))
        .then(
            StudentRecordCorrected(
                SID, (("name", "张三"),), (("name", "张珊"),), "姓名录入错误", admin.person_id, NOW
            )
        )
    )
    assert (state.name, state.class_name) == ("张珊", "石工23-1班")


def test_an_admin_corrects_a_wrong_class() -> None:
    [event] = given(DECIDER, REGISTERED).when(FIX_CLASS, context(PE_ADMIN)).events()
    assert event.after == (("class_name", "石工23-2班"),)
    state = DECIDER.fold([event], DECIDER.fold([REGISTERED]))
    assert state is not None
    assert (state.name, state.class_name) == ("张三", "石工23-2班")


@OUTSIDERS
def test_only_the_school_admin_or_the_students_college_admin_corrects(outsider: Actor) -> None:
    error = given(DECIDER, REGISTERED).when(FIX_NAME, context(outsider)).raises(FORBIDDEN)
    assert error.details == {"action": "更正学生信息 correct record"}


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_correction_needs_a_reason(reason: str) -> None:
    command = attrs.evolve(FIX_NAME, reason=reason)
    given(DECIDER, REGISTERED).when(command, context(SCHOOL_ADMIN)).raises(
        "integrity.reason_required"
    )


def test_a_corrected_field_must_not_be_empty() -> None:
    command = attrs.evolve(FIX_NAME, name=" ")
    error = (
        given(DECIDER, REGISTERED)
        .when(command, context(SCHOOL_ADMIN))
        .raises("student.field_empty")
    )
    assert error.details == {"field": "name"}


def test_a_correction_that_changes_nothing_stores_nothing() -> None:
    command = CorrectStudentRecord(NUMBER, "核对", name="张三", class_name="石工23-1班")
    given(DECIDER, REGISTERED).when(command, context(SCHOOL_ADMIN)).then_nothing()


def test_correcting_an_unregistered_student_is_refused() -> None:
    error = given(DECIDER).when(FIX_NAME, context(SCHOOL_ADMIN)).raises("student.not_found")
    assert error.details == {"student_number": NUMBER}


# -- 补录 claims and cadre terms in the ledger (001 第三、四条), 补签 (发布规范 十) ----------

CLAIM_ID = ids.derive("claim", "test", "1")
ROUND_ID = ids.derive("cadre-round", "test", "1")
BACKFILL = BackfillRecord(
    CLAIM_ID,
    ClaimKind.COLLECTIVE,
    "校运会志愿服务",
    (
        PlannedCredit("skills", "学分", Decimal("0.25")),
        PlannedCredit("volunteer", "学时", Decimal(4)),
    ),
    at(10, 20),
)
CADRE_TERM = CadreRecord(
    ROUND_ID,
    ids.tribe_id("PE-SU"),
    "石油工程学院学生会",
    "2025-2026学年",
    "cadre",
    CadrePosition.STUDENT_UNION,
    "部长",
    at(9, 1, year=2025),
    at(9, 1, year=2026),
    False,
    CadreRating.EXCELLENT,
    (PlannedCredit("skills", "学分", Decimal("0.5")),),
    at(9, 2, year=2026),
)


def _activity_record(credits: tuple[PlannedCredit, ...]) -> ActivityRecord:
    return ActivityRecord(
        ids.derive("activity", "test", "ledger"),
        "讲座",
        "skills",
        ActivityLevel.COLLEGE,
        at(10, 1, 14),
        at(10, 1, 16),
        Decimal(2),
        AttendanceOutcome.ATTENDED,
        (),
        credits,
        at(10, 1, 18),
    )


def test_a_confirmed_claim_and_a_rated_cadre_term_are_kept_and_summed_with_activities() -> None:
    """001 第三条 名单导入 and 第四条 学生干部: given an activity of 0.5 学分 (skills), a 补录
    claim of 0.25 学分 (skills) and 4 学时 (volunteer), and a cadre term of 0.5 学分 (skills),
    then the record keeps each and the ledger sums them per (module, credit type)."""
    activity = _activity_record((PlannedCredit("skills", "学分", Decimal("0.5")),))
    state = DECIDER.fold(
        [
            REGISTERED,
            ActivityRecorded(SID, activity, activity.finalized_at),
            BackfillRecorded(SID, BACKFILL, BACKFILL.confirmed_at),
            CadreTermRecorded(SID, CADRE_TERM, CADRE_TERM.closed_at),
        ]
    )
    assert state is not None
    assert state.backfills == (BACKFILL,)
    assert state.cadre_terms == (CADRE_TERM,)
    assert state.credits() == {("skills", "学分"): Decimal("1.25"), ("volunteer", "学时"): 4}


def test_the_ledger_lines_name_their_source_activities_first() -> None:
    """Each credit line names where it came from: the activity, the 补录 claim, the round."""
    activity = _activity_record((PlannedCredit("skills", "学分", Decimal("0.5")),))
    state = DECIDER.fold(
        [
            REGISTERED,
            CadreTermRecorded(SID, CADRE_TERM, CADRE_TERM.closed_at),
            BackfillRecorded(SID, BACKFILL, BACKFILL.confirmed_at),
            ActivityRecorded(SID, activity, activity.finalized_at),
        ]
    )
    assert state is not None
    assert state.credit_lines() == (
        CreditLine("activity", activity.activity_id, "讲座", "skills", "学分", Decimal("0.5")),
        CreditLine("backfill", CLAIM_ID, "校运会志愿服务", "skills", "学分", Decimal("0.25")),
        CreditLine("backfill", CLAIM_ID, "校运会志愿服务", "volunteer", "学时", Decimal(4)),
        CreditLine("cadre", ROUND_ID, "部长", "skills", "学分", Decimal("0.5")),
    )


def test_a_made_up_no_show_reads_attended_and_its_blacklist_ends() -> None:
    """发布规范 十 补签: given two no-shows, when one is made up, then that entry alone reads
    attended with the 补签 citation, and the record's blacklist is what the event says."""
    other = integrity_entry(key="e")
    made = DefaultMadeUp(SID, EID, "签到表.jpg", UNTIL + timedelta(days=1), "T-pe", NOW)
    state = DECIDER.fold([*DEFAULTED, AttendanceRecorded(SID, other, UNTIL, DEFAULTED_AT), made])
    assert state is not None
    assert state.integrity == (
        attrs.evolve(NO_SHOW, outcome=AttendanceOutcome.ATTENDED, rule=integrity.MADE_UP_CITATION),
        other,
    )
    assert state.blacklisted_until == UNTIL + timedelta(days=1)
    assert made_up((NO_SHOW, other), other.entry_id) == (
        NO_SHOW,
        attrs.evolve(other, outcome=AttendanceOutcome.ATTENDED, rule=integrity.MADE_UP_CITATION),
    )
