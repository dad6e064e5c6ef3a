"""Who may read what (issue 11 §5): every public read × every kind of actor, allowed or
``auth.forbidden``, from a table written as data; replies that never name other students."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.persistence.stores import popo_env
from second_classroom.projections.notices import NoticeKind
from second_classroom.service import SecondClassroom
from tests.backfill_workbooks import filled
from tests.checkin_world import STARTED
from tests.enrolment_world import (
    LEADER,
    REGISTERING,
    UNION,
    approved_activity,
    found_school,
)
from tests.read_world import (
    ACTORS,
    HOST_ADMIN,
    HOST_ORGANIZER,
    VERIFY_URL,
    World,
)
from tests.specification import CS_ADMIN, NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET

MONTH = "2026-12"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        yield World(service)


def _template(service: SecondClassroom) -> bytes:
    """The 附件4 template with the first student's row (001 名单导入)."""
    from second_classroom import backfill

    written = io.BytesIO()
    backfill.write_template(service.rulebook, written)
    return written.getvalue()


Read = Callable[[SecondClassroom, World, Actor], Any]

# Every public read of the facade, asked about the first student, the host's activity, the
# host tribe or the host's college.
QUERIES: dict[str, Read] = {
    "student": lambda s, w, a: s.student(w.me.person_id, a),
    "integrity": lambda s, w, a: s.integrity(w.me.person_id, a),
    "student_as_of": lambda s, w, a: s.student_as_of(w.me.person_id, a, at(12, 6)),
    "integrity_as_of": lambda s, w, a: s.integrity_as_of(w.me.person_id, a, at(12, 6)),
    "student_summary": lambda s, w, a: s.student_summary(w.me.person_id, a),
    "growth_timeline": lambda s, w, a: s.growth_timeline(w.me.person_id, a, at(12, 6)),
    "growth_share": lambda s, w, a: s.growth_share(w.me.person_id, a),
    "my_activities": lambda s, w, a: s.my_activities(w.me.person_id, a, at(12, 6)),
    "outbox(student)": lambda s, w, a: s.outbox(a, w.me.person_id),
    "transcript": lambda s, w, a: s.transcript(w.serial, a),
    "transcript_document": lambda s, w, a: s.transcript_document(w.serial, a),
    "transcript_pdf": lambda s, w, a: s.transcript_pdf(w.serial, a, VERIFY_URL),
    "transcript_credential": lambda s, w, a: s.transcript_credential(w.serial, a, VERIFY_URL),
    "certificate": lambda s, w, a: s.certificate(w.certificate, a),
    "certificate_document": lambda s, w, a: s.certificate_document(w.certificate, a),
    "certificate_pdf": lambda s, w, a: s.certificate_pdf(w.certificate, a, VERIFY_URL),
    "certificate_credential": lambda s, w, a: s.certificate_credential(
        w.certificate, a, VERIFY_URL
    ),
    "enrolment": lambda s, w, a: s.enrolment(w.talk, w.me.person_id, a),
    "activity": lambda s, w, a: s.activity(w.talk, a),
    "roster": lambda s, w, a: s.roster(w.talk, a),
    "draw_record": lambda s, w, a: s.draw_record(w.talk, a),
    "check_in_code": lambda s, w, a: s.check_in_code(w.talk, 1, a, STARTED),
    "tribe": lambda s, _w, a: s.tribe(UNION.tribe_id, a),
    "cadre_round": lambda s, _w, a: s.cadre_round(UNION.tribe_id, "2026-2027学年", a),
    "practice": lambda s, _w, a: s.practice(ids.practice_id("PE", "none"), a),
    "phase": lambda s, w, a: s.phase(w.talk, a, at(12, 6)),
    "activity_board": lambda s, _w, a: s.activity_board(a),
    "leaderboard(college)": lambda s, _w, a: s.leaderboard(a, by="college"),
    "leaderboard(cohort)": lambda s, _w, a: s.leaderboard(a, by="cohort"),
    "leaderboard(student, PE)": lambda s, _w, a: s.leaderboard(a, by="student", college="PE"),
    "leaderboard(student)": lambda s, _w, a: s.leaderboard(a, by="student"),
    "monthly_report(PE)": lambda s, _w, a: s.monthly_report(MONTH, a, college="PE"),
    "monthly_report": lambda s, _w, a: s.monthly_report(MONTH, a),
    "report_files(PE)": lambda s, _w, a: s.report_files(MONTH, a, NOW, college="PE"),
    "report_files": lambda s, _w, a: s.report_files(MONTH, a, NOW),
    "overdue_results": lambda s, _w, a: s.overdue_results(a, at(12, 6)),
    "audit_log": lambda s, _w, a: s.audit_log(a),
    "organizer_workload": lambda s, _w, a: s.organizer_workload(a),
    "advisor_workload(PE)": lambda s, _w, a: s.advisor_workload("T-001", a, college="PE"),
    "advisor_workload": lambda s, _w, a: s.advisor_workload("T-001", a),
    "overdue_reports": lambda s, _w, a: s.overdue_reports(MONTH, a, at(12, 30)),
    "history": lambda s, w, a: s.history(w.talk, a),
    "outbox(all)": lambda s, _w, a: s.outbox(a),
    "check_backfill": lambda s, _w, a: s.check_backfill(_template(s), a),
    "claim": lambda s, _w, a: s.claim(ids.derive("claim", "none"), a),
    "claims_to_review": lambda s, _w, a: s.claims_to_review(a, at(12, 6)),
    "graduation_shortfall(PE)": lambda s, _w, a: s.graduation_shortfall(a, college="PE"),
    "graduation_shortfall": lambda s, _w, a: s.graduation_shortfall(a),
}

# Y: answered; -: auth.forbidden. Columns follow ACTORS:
# self, other student, host leader/admin/organizer, other tribe's leader,
# college admin, other college's admin, school admin, system, 二课中心 (center, school-wide:
# it reviews and imports 补录 for every college, so it reads every student's record).
STUDENT_OWN = "Y - - - - - Y - Y Y Y"
ACTIVITY = "- - Y Y Y - Y - Y Y -"
EVERYONE = "Y Y Y Y Y Y Y Y Y Y Y"
COLLEGE = "- - - - - - Y - Y Y -"
OPERATORS = "- - - - - - - - Y Y -"
EXPECTED: dict[str, str] = {
    "student": STUDENT_OWN,
    "integrity": STUDENT_OWN,
    "student_as_of": STUDENT_OWN,
    "integrity_as_of": STUDENT_OWN,
    "student_summary": STUDENT_OWN,
    "growth_timeline": STUDENT_OWN,  # and a grantee in its window: tests/test_growth_service.py
    "growth_share": STUDENT_OWN,
    "my_activities": STUDENT_OWN,
    "outbox(student)": STUDENT_OWN,
    "transcript": STUDENT_OWN,
    "transcript_document": STUDENT_OWN,
    "transcript_pdf": STUDENT_OWN,
    "transcript_credential": STUDENT_OWN,
    "certificate": STUDENT_OWN,  # 电子证书 (002 二 8)): as the transcript
    "certificate_document": STUDENT_OWN,
    "certificate_pdf": STUDENT_OWN,
    "certificate_credential": STUDENT_OWN,
    "enrolment": "Y - Y Y Y - Y - Y Y Y",  # the student's and the activity's
    "activity": ACTIVITY,
    "roster": ACTIVITY,
    "draw_record": ACTIVITY,
    "check_in_code": "- - Y Y Y - - - - - -",  # 第十五条: the organizers' screen only
    "tribe": ACTIVITY,
    "cadre_round": ACTIVITY,  # as the tribe: its managers, its college's admin, operators
    "practice": OPERATORS,  # no such team; who reads a real one: tests/test_practice_service.py
    "phase": EVERYONE,
    "activity_board": EVERYONE,  # published activities only, unless the college's admin
    "leaderboard(college)": EVERYONE,
    "leaderboard(cohort)": EVERYONE,
    "leaderboard(student, PE)": COLLEGE,  # names students
    "leaderboard(student)": OPERATORS,
    "monthly_report(PE)": COLLEGE,
    "monthly_report": OPERATORS,
    "report_files(PE)": COLLEGE,
    "report_files": OPERATORS,
    "overdue_results": EVERYONE,  # filtered: each sees the activities they may read
    "audit_log": OPERATORS,
    "organizer_workload": OPERATORS,
    "advisor_workload(PE)": COLLEGE,  # the advisor themself too: tests/test_advisor_workload.py
    "advisor_workload": OPERATORS,
    "overdue_reports": OPERATORS,  # the 校团委 collects the colleges' reports (002 一 5))
    "history": OPERATORS,
    "outbox(all)": OPERATORS,
    "check_backfill": EVERYONE,  # a row finds only students the actor may read
    "claim": OPERATORS,  # no such claim; who reads a real one: tests/test_claim_service.py
    # 待我审核: those holding a role some claim chain asks for (this school has no chain);
    # what each is given: tests/test_claim_review_queue.py
    "claims_to_review": OPERATORS,
    "graduation_shortfall(PE)": COLLEGE,  # names students
    "graduation_shortfall": OPERATORS,
}


def test_the_table_covers_every_public_read() -> None:
    """A new public read of the facade must get its row here (deny by default is checked by
    the matrix, not assumed)."""
    public = {
        name
        for name in vars(SecondClassroom)
        if not name.startswith("_") and callable(getattr(SecondClassroom, name))
    }
    not_reads = {
        "open",
        "sqlite",
        "postgres",
        "in_memory",
        "close",
        "execute",
        "execute_json",
        "batch",
        "run_reactions",
        "mark_delivered",
        "verify_transcript",  # 查证入口: public, answers only what the document shows
        "verify_credential",
        "verify_pdf",  # 查证 a printed transcript from the signed file it carries
        "status_list_credential",  # the revocation bits, public like the keys
        "school_keys",  # the published public keys and the fingerprint: what any verifier needs
        "calendar_gaps",  # which years the rulebook and the package hold: public like the rules
        "first_use_dated",  # dates the secret's first use in its block: reads nothing
    }
    asked = {name.split("(")[0] for name in QUERIES}
    assert public - not_reads == asked
    assert set(EXPECTED) == set(QUERIES)
    assert all(len(row.split()) == len(ACTORS) for row in EXPECTED.values())


CASES = [
    pytest.param(query, kind, EXPECTED[query].split()[column] == "Y", id=f"{query}-{kind}")
    for query in QUERIES
    for column, kind in enumerate(ACTORS)
]


@pytest.mark.parametrize(("query", "kind", "allowed"), CASES)
def test_who_may_read_what(world: World, query: str, kind: str, allowed: bool) -> None:
    actor = ACTORS[kind](world)
    read = QUERIES[query]
    if allowed:
        read(world.service, world, actor)
    else:
        with pytest.raises(DomainError) as caught:
            read(world.service, world, actor)
        assert caught.value.code == "auth.forbidden"


def test_what_an_allowed_read_answers(world: World) -> None:
    """The answers are the real data, not an empty shell that would pass any matrix."""
    service, me = world.service, world.me
    record = service.student(me.person_id, me)
    assert record is not None
    assert record.student_number == me.person_id
    assert [line.activity_id for line in service.my_activities(me.person_id, me, at(12, 6))] == [
        world.talk
    ]
    found_activity = service.activity(world.talk, LEADER)
    assert found_activity is not None
    roster = {line.student for line in service.roster(world.talk, HOST_ORGANIZER)}
    assert roster == found_activity.roster.admitted
    found = service.transcript(world.serial, me)
    assert found is not None
    assert found.content.student_number == me.person_id
    assert service.tribe(UNION.tribe_id, HOST_ADMIN) is not None


def test_tribe_roles_claimed_by_the_caller_are_ignored(world: World) -> None:
    """Tribe roles come from the Tribe stream: a frontend claiming one reads nothing more."""
    claimed = world.other.with_roles([Role.tribe(RoleKind.TRIBE_LEADER, UNION.tribe_id)])
    for read in (
        lambda: world.service.roster(world.talk, claimed),
        lambda: world.service.activity(world.talk, claimed),
        lambda: world.service.tribe(UNION.tribe_id, claimed),
    ):
        with pytest.raises(DomainError) as caught:
            read()
        assert caught.value.code == "auth.forbidden"


def test_a_backfill_row_finds_only_a_student_the_checker_may_read(world: World) -> None:
    """名单导入's check answers everyone, yet a row's 学号 is found only by those who may read
    that student: to anyone else it is unknown, so the check tells nobody who is registered."""
    rulebook = world.service.rulebook
    record = world.service.student(world.me.person_id, SCHOOL_ADMIN)
    assert record is not None
    first = rulebook.modules[0]
    module = first.name
    second = first.categories[0].name if first.categories else module  # 活动二级分类
    row = (world.me.person_id, record.name, "2026/12/1", "", "讲座", module, second, "校级", "",
           rulebook.credit_types[0], 1)  # fmt: skip
    data = filled(row, rulebook=rulebook)
    for actor, codes in (
        (world.me, []),
        (PE_ADMIN, []),
        (SCHOOL_ADMIN, []),
        (world.other, ["backfill.student_unknown"]),
        (CS_ADMIN, ["backfill.student_unknown"]),
        (LEADER, ["backfill.student_unknown"]),
    ):
        checked = world.service.check_backfill(data, actor)
        assert [e.code for e in checked.errors] == codes, actor


def test_nobody_learns_whether_a_student_number_exists(world: World) -> None:
    """A missing record is forbidden to a college admin too (it has no college), and None
    only to the student themselves and operators."""
    with pytest.raises(DomainError) as refused:
        world.service.student("2099999999", PE_ADMIN)
    assert refused.value.code == "auth.forbidden"
    assert world.service.student("2099999999", Actor.student("2099999999")) is None
    assert world.service.student("2099999999", SCHOOL_ADMIN) is None


def _refusal(world: World, command: object, actor: Actor) -> str:
    with pytest.raises(DomainError) as caught:
        world.service.execute(command, actor, at(12, 6))
    return caught.value.code


def test_no_command_tells_whether_a_student_number_exists_or_who_attended(world: World) -> None:
    """Given a registered student of 石油工程学院 who attended the talk, another who did not
    default, and a 学号 never registered, when someone not entitled asks by command (appeal
    another's default, decide an appeal, record an exam, issue a transcript, revoke one), then
    each answer is the same refusal whatever the facts — it is authorised before anything is
    looked up."""
    from second_classroom.aggregates.student import (
        AppealDefault,
        DecideAppeal,
        RecordPublisherExam,
    )
    from second_classroom.aggregates.transcript import RevokeTranscript

    unknown = "2099000001"
    numbers = (world.other.person_id, world.me.person_id, unknown)
    for activity in (world.talk, UNION.tribe_id):
        answers = {
            _refusal(
                world, AppealDefault(n, ids.derive("integrity", str(activity), n), "x"), world.me
            )
            for n in (world.other.person_id, unknown)
        }
        assert answers == {"integrity.not_your_default"}
    for command in (
        lambda n: DecideAppeal(n, ids.derive("integrity", str(world.talk), n), True, "x"),
        lambda n: RecordPublisherExam(n, 90),
        IssueTranscript,
    ):
        assert {_refusal(world, command(n), CS_ADMIN) for n in numbers} == {"auth.forbidden"}
    fake = world.serial[:-1] + ("0" if world.serial[-1] != "0" else "1")
    assert {_refusal(world, RevokeTranscript(s, "x"), PE_ADMIN) for s in (world.serial, fake)} == {
        "auth.forbidden"
    }
    # Those entitled still learn what is missing.
    assert _refusal(world, RecordPublisherExam(unknown, 90), SCHOOL_ADMIN) == "student.not_found"
    assert (
        _refusal(world, IssueTranscript(unknown), Actor.student(unknown)) == "transcript.no_student"
    )


def test_a_staff_id_equal_to_a_student_number_is_not_the_student(world: World) -> None:
    staff = Actor(world.me.person_id, frozenset({Role.college_admin("CS")}))
    with pytest.raises(DomainError) as refused:
        world.service.student(world.me.person_id, staff)
    assert refused.value.code == "auth.forbidden"


def test_the_board_shows_drafts_only_to_the_college_and_operators() -> None:
    """活动看板: an activity under review is not yet announced to students."""
    from second_classroom.aggregates.activity import DraftActivity
    from tests.aggregates.activity_fixtures import FORM

    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        approved = approved_activity(service, "approved")
        draft = ids.activity_id(UNION.tribe_id, "draft")
        service.execute(DraftActivity(UNION.tribe_id, "draft", FORM), LEADER, NOW)
        student = Actor.student(number)
        shown = {row.activity_id for row in service.activity_board(student)}
        assert shown == {str(approved)}
        every = {row.activity_id for row in service.activity_board(PE_ADMIN, college="PE")}
        assert every == {str(approved), str(draft)}
        assert {row.activity_id for row in service.activity_board(SCHOOL_ADMIN)} == every
        other = {row.activity_id for row in service.activity_board(CS_ADMIN, college="PE")}
        assert other == {str(approved)}


def test_the_phase_of_a_draft_is_no_one_else_s_business() -> None:
    """Given a draft, when a student or another college's admin asks its phase, then the answer
    is ``None`` as for an activity that does not exist; its leader, its college's admin and
    operators see 未发布; a published activity's phase is everyone's."""
    from second_classroom.aggregates.activity import DraftActivity, Phase
    from tests.aggregates.activity_fixtures import FORM

    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        approved = approved_activity(service, "approved")
        draft = ids.activity_id(UNION.tribe_id, "draft")
        service.execute(DraftActivity(UNION.tribe_id, "draft", FORM), LEADER, NOW)
        student = Actor.student(number)
        nowhere = ids.activity_id(UNION.tribe_id, "never drafted")
        for outsider in (student, CS_ADMIN):
            assert service.phase(draft, outsider, NOW) is None
            assert service.phase(nowhere, outsider, NOW) is None
            assert service.phase(approved, outsider, NOW) is not None
        for insider in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
            assert service.phase(draft, insider, NOW) is Phase.UNPUBLISHED


# -- replies name nobody else ----------------------------------------------------------------


def test_a_student_cancelling_is_not_told_who_was_promoted() -> None:
    """第十二条 候补: the seat goes to the first on the waitlist; the canceller's reply (and
    its JSON) holds only their own events, and the promoted student learns it by notice."""
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        first, promoted = (Actor.student(n) for n in found_school(service, 2))
        talk = approved_activity(service, "talk", capacity=1, waitlist=True)
        for student in (first, promoted):
            service.execute(Register(talk), student, REGISTERING)
        message = {"type": "CancelRegistration", "activity_id": str(talk)}
        reply = service.execute_json(message, first, REGISTERING)
        assert reply["type"] == "Outcome"
        assert [e["event"]["type"] for e in reply["events"]] == ["EnrolmentCancelled"]
        assert promoted.person_id not in str(reply)
        [notice] = service.outbox(promoted, promoted.person_id)
        assert notice.kind is NoticeKind.PROMOTED
        # Stored all the same, and the activity's managers see every event.
        kinds = [type(e.payload).__name__ for e in service.history(talk, SCHOOL_ADMIN)]
        assert kinds[-1] == "RegistrationWithdrawn"


def test_a_student_still_sees_their_own_events_on_the_activity_stream() -> None:
    """Registering: the ledger's entry names only the student, so it stays in the reply."""
    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        [number] = found_school(service, 1)
        talk = approved_activity(service, "talk")
        outcome = service.execute(Register(talk), Actor.student(number), REGISTERING)
        kinds = {type(e.payload).__name__ for e in outcome.events}
        assert kinds == {"RegistrationAccepted", "EnrolmentRegistered"}


def test_managers_see_the_whole_outcome() -> None:
    """The host's leader cancelling the activity sees every event, naming everyone."""
    from second_classroom.aggregates.activity import CancelActivity

    with SecondClassroom.open(popo_env(), secret=TEST_SECRET) as service:
        numbers = found_school(service, 2)
        talk = approved_activity(service, "talk")
        for number in numbers:
            service.execute(Register(talk), Actor.student(number), REGISTERING)
        outcome = service.execute(CancelActivity(talk, "场地调整"), LEADER, REGISTERING)
        [cancelled] = outcome.events
        assert set(cancelled.payload.notify) == set(numbers)
