"""Awards, credits, finalization and transcripts through the facade (第十八–二十条, 第四条),
on every store: records written atomically with finalization, a frozen activity, numbered
signed transcripts and the employer's verification."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates.activity import CancelActivity
from second_classroom.aggregates.results import (
    FinalizeActivity,
    GrantCredits,
    RevokeCredits,
)
from second_classroom.aggregates.transcript import (
    IssueTranscript,
    Layout,
    RevokeTranscript,
    Version,
)
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.policies.activity_form import AwardPlan, PlannedAward
from second_classroom.service import SecondClassroom, VerificationStatus
from tests.checkin_world import AFTER, ENDED, ORGANIZER, checked_in_world
from tests.specification import SCHOOL_ADMIN, at, present


def finished_world(service: SecondClassroom) -> tuple[Any, list[Actor]]:
    """Three students: two attended (one by scan, one by password), one no-show; closed."""
    talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    return talk, students


def code(service: SecondClassroom, command: object, actor: Actor, now: Any = AFTER) -> str:
    before = service.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        service.execute(command, actor, now)
    assert service.app.recorder.max_notification_id() == before
    return caught.value.code


def test_results_finalization_and_the_ledger(service: SecondClassroom) -> None:
    """第十八条 颁发奖项/发放学分 (awards irreversible, credits revocable); 第十九条 完结活动."""
    talk, students = finished_world(service)
    a, b, absent = (s.person_id for s in students)
    leader = Actor.student("2023010101")  # 第十八条: the 活动负责人 issues results
    assert code(service, GrantCredits(talk, (absent,)), leader) == "results.not_attended"
    service.execute(GrantCredits(talk, (a, b)), leader, AFTER)
    service.execute(RevokeCredits(talk, (b,), "误发"), leader, AFTER)
    assert code(service, FinalizeActivity(talk), ORGANIZER) == "auth.forbidden"
    outcome = service.execute(FinalizeActivity(talk), leader, AFTER)
    assert len({e.originator_id for e in outcome.events}) == 1 + 3  # activity + 3 records
    record_a = service.student(a, SCHOOL_ADMIN)
    assert record_a is not None
    assert record_a.credits() == {("skills", "学分"): Decimal("0.5")}
    assert present(service.student(b, SCHOOL_ADMIN)).credits() == {}
    [entry] = present(service.student(absent, SCHOOL_ADMIN)).activities
    assert entry.outcome is not None
    assert entry.outcome.value == "no_show"
    for command in (
        GrantCredits(talk, (b,)),
        RevokeCredits(talk, (a,), "撤回"),
        FinalizeActivity(talk),
        CancelActivity(talk, "取消"),
    ):
        assert code(service, command, leader) == "activity.frozen"


def test_a_crash_during_finalization_leaves_both_or_neither(service: SecondClassroom) -> None:
    """Finalization and the records are one save: a crash writes nothing, a retry writes once."""
    talk, students = finished_world(service)
    leader = Actor.student("2023010101")
    original = service.app.recorder.insert_events

    class Crash(Exception):
        pass

    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise Crash  # the store fails at the write

    service.app.recorder.insert_events = crash  # type: ignore[method-assign]
    with contextlib.suppress(Crash):
        service.execute(FinalizeActivity(talk), leader, AFTER)
    service.app.recorder.insert_events = original  # type: ignore[method-assign]
    assert not present(service.activity(talk, SCHOOL_ADMIN)).frozen
    assert all(
        present(service.student(s.person_id, SCHOOL_ADMIN)).activities == () for s in students
    )
    service.execute(FinalizeActivity(talk), leader, AFTER)
    assert code(service, FinalizeActivity(talk), leader) == "activity.frozen"
    assert all(
        len(present(service.student(s.person_id, SCHOOL_ADMIN)).activities) == 1 for s in students
    )


def test_transcripts_are_numbered_signed_permanent_and_verifiable(service: SecondClassroom) -> None:
    """第二十条 每份成绩单都有相应的编号，一旦创建永久保留，不可删除，创建无数量限制;
    第四条 查证入口."""
    talk, students = finished_world(service)
    a = students[0].person_id
    service.execute(GrantCredits(talk, (a,)), Actor.student("2023010101"), AFTER)
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), AFTER)
    first = service.execute(IssueTranscript(a), students[0], at(12, 5))
    second = service.execute(
        IssueTranscript(a, Version.RECORD, Layout.TERM), students[0], at(12, 5)
    )
    serials = [
        e.payload.serial for o in (first, second) for e in o.events if hasattr(e.payload, "content")
    ]
    assert len(set(serials)) == 2
    assert code(service, IssueTranscript(a), students[1], at(12, 5)) == "auth.forbidden"

    verified = service.verify_transcript(serials[0])
    assert verified.status is VerificationStatus.VALID
    assert verified.content is not None
    assert verified.content.name == "学生" + a
    assert [t.amount for t in verified.content.totals] == [Decimal("0.5")]
    typo = serials[0][:3] + ("0" if serials[0][3] != "0" else "1") + serials[0][4:]
    assert service.verify_transcript(typo).status is VerificationStatus.MALFORMED

    document = service.transcript_document(serials[0], SCHOOL_ADMIN)
    assert document is not None
    assert service.verify_transcript(document).status is VerificationStatus.VALID
    # As it travels: JSON text read back (lists, not tuples) is the same genuine document.
    travelled = json.loads(json.dumps(document, ensure_ascii=False))
    assert service.verify_transcript(travelled).status is VerificationStatus.VALID
    forged = json.loads(json.dumps(document, ensure_ascii=False).replace('"0.5"', '"5.0"'))
    assert service.verify_transcript(forged).status is VerificationStatus.TAMPERED

    service.execute(
        RevokeTranscript(serials[0], "记录有误", superseded_by=serials[1]), SCHOOL_ADMIN, at(12, 6)
    )
    assert service.verify_transcript(serials[0]).status is VerificationStatus.SUPERSEDED
    assert service.verify_transcript(serials[1]).status is VerificationStatus.VALID
    record = service.student(a, SCHOOL_ADMIN)
    assert record is not None
    assert record.transcripts_issued == 2


def test_a_corrected_record_shows_on_later_transcripts_only(service: SecondClassroom) -> None:
    """000 第八条 (用户管理→编辑): given a transcript issued under a misspelt name, when an admin
    corrects the name and class with a reason, then a later transcript shows the corrected
    values, and the one issued before still says what it said and still verifies."""
    from second_classroom.aggregates.student import CorrectStudentRecord

    talk, students = finished_world(service)
    a = students[0].person_id
    service.execute(GrantCredits(talk, (a,)), Actor.student("2023010101"), AFTER)
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), AFTER)
    first = service.execute(IssueTranscript(a), students[0], at(12, 5))
    fix = CorrectStudentRecord(a, "姓名、班级录入错误", name="学生甲", class_name="石工23-9班")
    service.execute(fix, SCHOOL_ADMIN, at(12, 6))
    second = service.execute(IssueTranscript(a), students[0], at(12, 7))
    old_serial, new_serial = (
        next(e.payload.serial for e in o.events if hasattr(e.payload, "content"))
        for o in (first, second)
    )
    before, after = (service.verify_transcript(s) for s in (old_serial, new_serial))
    assert before.status is after.status is VerificationStatus.VALID
    assert before.content is not None
    assert after.content is not None
    assert (before.content.name, before.content.class_name) != ("学生甲", "石工23-9班")
    assert (after.content.name, after.content.class_name) == ("学生甲", "石工23-9班")


def test_an_award_plan_is_checked_against_the_standard_quotas(service: SecondClassroom) -> None:
    """发布规范 十三: 二等奖 at most 2 人(组)."""
    from second_classroom.aggregates.activity import DraftActivity
    from tests.aggregates.activity_fixtures import FORM
    from tests.enrolment_world import LEADER, UNION, found_school

    found_school(service, 1)
    plan = AwardPlan((PlannedAward("二等奖", 3, Decimal("1")),), FORM.plan.credits)
    draft = DraftActivity(UNION.tribe_id, "contest", attrs.evolve(FORM, plan=plan))
    assert code(service, draft, LEADER, at(11, 23, 10)) == "activity.plan_invalid"


VERIFY_URL = "https://verify.example/second-classroom"


def test_a_pdf_in_chinese_and_a_verifiable_credential(service: SecondClassroom) -> None:
    """Seed 002 线下打印 and 电子证书: the PDF carries school, student, serial and totals; the
    credential verifies, and a tampered copy does not."""
    import io

    import pypdf

    from second_classroom.policies import serials as serial_rules

    talk, students = finished_world(service)
    a = students[0].person_id
    service.execute(GrantCredits(talk, (a,)), Actor.student("2023010101"), AFTER)
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), AFTER)
    issued = service.execute(IssueTranscript(a), students[0], at(12, 5))
    serial = next(e.payload.serial for e in issued.events if hasattr(e.payload, "content"))

    pdf = service.transcript_pdf(serial, SCHOOL_ADMIN, VERIFY_URL)
    assert pdf is not None
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "东北石油大学",
        "第二课堂成绩单",
        "学生" + a,
        "技能特长",
        "0.5",
        serial_rules.display(serial),
    ):
        assert expected in text

    credential = service.transcript_credential(serial, SCHOOL_ADMIN, VERIFY_URL)
    assert credential is not None
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert service.verify_credential(credential).status is VerificationStatus.VALID
    tampered = json.loads(json.dumps(credential, ensure_ascii=False).replace('"0.5"', '"9.5"'))
    assert service.verify_credential(tampered).status is VerificationStatus.TAMPERED


def test_overdue_results_are_reported_until_finalized(store_env: dict[str, str]) -> None:
    """合工大 (seed 002): results within 10 working days of the end — Thursday 12-03 → 12-17."""
    from tests.specification import NEPU
    from tests.stores import TEST_SECRET

    ten_days = attrs.evolve(NEPU, results=attrs.evolve(NEPU.results, deadline_working_days=10))
    with SecondClassroom.open(store_env, rulebook=ten_days, secret=TEST_SECRET) as service:
        talk, _students = finished_world(service)
        assert service.overdue_results(SCHOOL_ADMIN, at(12, 17, 23)) == []
        [late] = service.overdue_results(SCHOOL_ADMIN, at(12, 18, 9))
        assert late.activity_id == talk
        assert f"{late.deadline:%Y-%m-%d}" == "2026-12-17"
        service.execute(FinalizeActivity(talk), Actor.student("2023010101"), at(12, 18, 10))
        assert service.overdue_results(SCHOOL_ADMIN, at(12, 18, 11)) == []
