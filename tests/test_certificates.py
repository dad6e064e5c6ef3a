"""电子证书 (seed 002 二 8) 上线电子奖状、电子志愿时卡、电子聘书、电子荣誉证书): each numbered,
signed and verifiable like a transcript — by serial, as its signed JSON, as its PDF (which
carries the proof) and as an Open Badges 3.0 credential — and revocable by the school."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest

from second_classroom import codec, exports, pdf, verification
from second_classroom.aggregates.cadre import AppointCadre, EndCadreTerm, TermEnd
from second_classroom.aggregates.certificate import (
    Certificate,
    CertificateKind,
    IssueCertificate,
    RevokeCertificate,
    serial_for,
)
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import CadrePosition
from second_classroom.service import SecondClassroom, Verification, VerificationStatus
from second_classroom.verification import TermEnded
from tests.certificate_world import (
    ISSUED,
    RULES,
    TERM,
    commands,
    issue,
    superseded_card,
    world,
)
from tests.credential_checks import independently_verified, schema_errors
from tests.enrolment_world import LEADER, UNION
from tests.pdf_objects import dictionary, fonts
from tests.specification import NOW, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET
from tests.transcript_world import URL

VALID, REVOKED = VerificationStatus.VALID, VerificationStatus.REVOKED
TAMPERED = VerificationStatus.TAMPERED


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, RULES, secret=TEST_SECRET) as opened:
        yield opened


def test_each_certificate_is_issued_by_whom_the_seeds_make_responsible(
    school: SecondClassroom,
) -> None:
    """002 二 8): the student issues their own 奖状 and 志愿时卡 (as their transcript, 第二十条);
    the organization's cadre manager the 聘书; the school the 荣誉证书. Anyone else is refused
    with auth.forbidden and nothing is stored."""
    w = world(school)
    other = Actor.student("2024000001")  # a fellow student
    for kind, (command, actor) in commands(w).items():
        for stranger in (other, LEADER if actor is not LEADER else w.student):
            if kind is CertificateKind.HONOUR and stranger is LEADER:
                continue  # the leader is no school admin: covered by ``other``
            with pytest.raises(DomainError) as refused:
                school.execute(command, stranger, ISSUED)
            assert refused.value.code == "auth.forbidden", kind
        serial = issue(school, command, actor)
        found = school.certificate(serial, SCHOOL_ADMIN)
        assert found is not None
        assert found.content.kind is kind
        assert found.content.student_number == w.student.person_id


def test_the_contents_say_what_the_record_holds(school: SecondClassroom) -> None:
    """The 奖状 names the activity and award; the 志愿时卡 counts the 志愿时 of every activity
    taken part in; the 聘书 the post and term, conferred by the organization."""
    w = world(school)
    contents = {}
    for kind, (command, actor) in commands(w).items():
        found = school.certificate(issue(school, command, actor), SCHOOL_ADMIN)
        assert found is not None
        contents[kind] = found.content
    award = contents[CertificateKind.AWARD]
    assert "清洁校园" in award.body
    assert "优秀志愿者" in award.body
    card = contents[CertificateKind.VOLUNTEER_HOURS]
    assert card.title == "志愿服务时长 4 志愿时"
    assert card.details[-1] == ("合计", "4 志愿时")
    letter = contents[CertificateKind.APPOINTMENT]
    assert letter.issuer == "石油工程学院学生会"
    assert ("职务", "宣传部部长") in letter.details
    honour = contents[CertificateKind.HONOUR]
    assert honour.issuer == RULES.school
    assert "优秀共青团员" in honour.body


def test_what_the_record_does_not_hold_is_refused(school: SecondClassroom) -> None:
    """An award the student did not win, a card without volunteer hours, a 聘书 for a student
    the round did not appoint: each refused with its code."""
    w = world(school)
    number = w.student.person_id
    cases = [
        (
            IssueCertificate(CertificateKind.AWARD, number, activity_id=w.activity, title="一等奖"),
            w.student,
            "certificate.award_unknown",
        ),
        (
            IssueCertificate(CertificateKind.APPOINTMENT, "2024000001", round_id=w.round_id),
            LEADER,
            "certificate.not_appointed",
        ),
        (
            IssueCertificate(CertificateKind.VOLUNTEER_HOURS, "2024000001"),
            Actor.student("2024000001"),
            "certificate.no_volunteer_hours",
        ),
        (
            IssueCertificate(CertificateKind.HONOUR, number, title=" "),
            SCHOOL_ADMIN,
            "certificate.subject_missing",
        ),
    ]
    for command, actor, code in cases:
        with pytest.raises(DomainError) as refused:
            school.execute(command, actor, ISSUED)
        assert refused.value.code == code


def test_the_same_certificate_is_issued_once(school: SecondClassroom) -> None:
    """The serial is the student's, the kind's and what it certifies: asking again is refused
    with the serial already issued."""
    w = world(school)
    command, actor = commands(w)[CertificateKind.AWARD]
    serial = issue(school, command, actor)
    with pytest.raises(DomainError) as again:
        school.execute(command, actor, ISSUED + timedelta(days=1))
    assert again.value.code == "certificate.already_issued"
    assert serial[:4] in str(again.value)


def test_each_verifies_by_serial_document_pdf_and_credential_and_revokes(
    school: SecondClassroom,
) -> None:
    """查证入口 for a certificate as for a transcript; after the school revokes it, every way
    answers revoked, and the status list sets its bit."""
    w = world(school)
    for kind, (command, actor) in commands(w).items():
        serial = issue(school, command, actor)
        document = json.loads(json.dumps(school.certificate_document(serial, SCHOOL_ADMIN)))
        data = school.certificate_pdf(serial, SCHOOL_ADMIN, URL)
        credential = school.certificate_credential(serial, SCHOOL_ADMIN, URL)
        assert data is not None
        assert credential is not None
        answers = [
            school.verify_transcript(serial),
            school.verify_transcript(document),
            school.verify_pdf(data),
            school.verify_credential(credential),
        ]
        assert [a.status for a in answers] == [VALID] * 4, kind
        assert all(a.certificate is not None and a.certificate.kind is kind for a in answers)
        school.execute(RevokeCertificate(serial, "颁发有误"), SCHOOL_ADMIN, ISSUED)
        assert school.verify_transcript(serial).status is REVOKED
        assert school.verify_pdf(data).status is REVOKED
        status_list = school.status_list_credential(ISSUED)
        assert status_list is not None
        assert exports.revoked_by(credential, status_list)
        with pytest.raises(DomainError) as twice:
            school.execute(RevokeCertificate(serial, "再次"), SCHOOL_ADMIN, ISSUED)
        assert twice.value.code == "certificate.already_revoked"


def test_transcripts_and_certificates_share_one_status_list(school: SecondClassroom) -> None:
    """One register: a transcript and a certificate get different bits, and revoking the
    certificate leaves the transcript's bit clear."""
    w = world(school)
    outcome = school.execute(IssueTranscript(w.student.person_id), w.student, ISSUED)
    transcript_serial = next(
        e.payload.serial for e in outcome.events if hasattr(e.payload, "content")
    )
    command, actor = commands(w)[CertificateKind.HONOUR]
    serial = issue(school, command, actor)
    school.execute(RevokeCertificate(serial, "颁发有误"), SCHOOL_ADMIN, ISSUED)
    transcript = school.transcript_credential(transcript_serial, SCHOOL_ADMIN, URL)
    certificate = school.certificate_credential(serial, SCHOOL_ADMIN, URL)
    assert transcript is not None
    assert certificate is not None
    indexes = {c["credentialStatus"]["statusListIndex"] for c in (transcript, certificate)}
    assert len(indexes) == 2
    status_list = school.status_list_credential(ISSUED)
    assert status_list is not None
    assert exports.revoked_by(certificate, status_list)
    assert not exports.revoked_by(transcript, status_list)


def test_every_certificate_credential_validates_and_an_edited_one_does_not_verify(
    school: SecondClassroom,
) -> None:
    """OB 3.0's AchievementCredential schema (tests/vendor), the proof checked by independent
    code; an edited claim breaks the proof; the 学号 and the name are not in it."""
    w = world(school)
    for kind, (command, actor) in commands(w).items():
        serial = issue(school, command, actor)
        credential = school.certificate_credential(serial, SCHOOL_ADMIN, URL)
        assert credential is not None
        assert schema_errors(credential) == [], kind
        assert independently_verified(credential)
        text = json.dumps(credential, ensure_ascii=False)
        found = school.certificate(serial, SCHOOL_ADMIN)
        assert found is not None
        assert w.student.person_id not in text
        assert found.content.name not in text
        edited = json.loads(json.dumps(credential))
        edited["credentialSubject"]["achievement"]["name"] = "一等奖"
        assert not independently_verified(edited)
        assert school.verify_credential(edited).status is TAMPERED


def test_the_pdf_embeds_its_font_extracts_in_chinese_and_is_the_same_bytes(
    school: SecondClassroom,
) -> None:
    """Every font embedded (read with pypdf), the text in Chinese, the same certificate gives
    the same bytes, and a copy whose visible text was edited no longer verifies though it
    carries the real proof."""
    from pypdf import PdfReader

    w = world(school)
    for kind, (command, actor) in commands(w).items():
        serial = issue(school, command, actor)
        data = school.certificate_pdf(serial, SCHOOL_ADMIN, URL)
        assert data is not None
        assert data == school.certificate_pdf(serial, SCHOOL_ADMIN, URL)
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            for described in fonts(page):
                assert str(described["/BaseFont"]).endswith("WenQuanYiMicroHei-0")
                assert "/FontFile2" in dictionary(described["/FontDescriptor"]), kind  # embedded
        text = "".join(pdf.page_texts(data) or [])
        found = school.certificate(serial, SCHOOL_ADMIN)
        assert found is not None
        assert found.content.body.replace("“", "").split("，")[0][:6] in text.replace("“", "")
        assert found.content.heading in text
        # The real proof attached to a page printed with another title: not what was signed.
        document = school.certificate_document(serial, SCHOOL_ADMIN)
        forged = pdf.render_certificate(
            attrs.evolve(found.content, title="一等奖", body="一等奖"), URL, document
        )
        answer = school.verify_pdf(forged)
        assert answer.status is TAMPERED, kind
        assert "打印内容" in answer.note


def test_the_register_follows_the_log_and_agrees_with_one_read_from_scratch(
    school: SecondClassroom,
) -> None:
    """Issue 15 §2 (the status list recomputed from the whole log on each call): the register
    reads on from where it was; after transcripts and certificates issued and revoked in turns,
    with the register asked between them, a register built from the start gives every serial
    the same bit and the same withdrawn bits."""
    from second_classroom.aggregates.transcript import RevokeTranscript
    from second_classroom.projections.register import DocumentRegister

    w = world(school)
    serials_issued = []
    for day, (command, actor) in enumerate(commands(w).values(), start=10):
        serial = issue(school, command, actor)
        serials_issued.append(serial)
        assert school._register.index(serial) == 2 * (day - 10)
        outcome = school.execute(IssueTranscript(w.student.person_id), w.student, at(12, day))
        serials_issued.append(next(e.payload.serial for e in outcome.events))
    school.execute(RevokeCertificate(serials_issued[0], "颁发有误"), SCHOOL_ADMIN, ISSUED)
    school.execute(RevokeTranscript(serials_issued[1], "重新生成"), SCHOOL_ADMIN, ISSUED)
    fresh = DocumentRegister(school.app)
    assert [fresh.index(s) for s in serials_issued] == list(range(len(serials_issued)))
    assert [school._register.index(s) for s in serials_issued] == list(range(8))
    assert fresh.withdrawn() == school._register.withdrawn() == {0, 1}


# -- a 聘书 whose term ended early (002 一 3)) --------------------------------------------------

LETTER_ENDED = at(12, 20, 15)  # the manager ends the term after the letter was issued


def every_way(school: SecondClassroom, serial: str) -> list[Verification]:
    """The 查证入口's answers for a certificate: by serial, its signed JSON, its PDF, its
    credential."""
    document = json.loads(json.dumps(school.certificate_document(serial, SCHOOL_ADMIN)))
    data = school.certificate_pdf(serial, SCHOOL_ADMIN, URL)
    credential = school.certificate_credential(serial, SCHOOL_ADMIN, URL)
    assert data is not None
    assert credential is not None
    return [
        school.verify_transcript(serial),
        school.verify_transcript(document),
        school.verify_pdf(data),
        school.verify_credential(credential),
    ]


# -- the same certificate issued again supersedes the older one (002 二 8)) ------------------

SUPERSEDED = VerificationStatus.SUPERSEDED


def test_a_volunteer_card_superseded_by_the_next_day_s_card_says_so_every_way(
    school: SecondClassroom,
) -> None:
    """002 二 8) 电子志愿时卡 (the hours grow: one card a day): given the student's card of
    12月10日 and a new one of 12月11日, when a school admin marks the first superseded by the
    second, then by serial, signed JSON, PDF and credential the first answers superseded in a
    certificate's words (已被新证书替代, with the reason) and still shows its content, its bit
    is set in the status list, and the newer card is 有效; a transcript's words stay its own."""
    older, newer = superseded_card(school, world(school))
    answers = every_way(school, older)
    assert [a.status for a in answers] == [SUPERSEDED] * 4
    assert [a.label for a in answers] == ["已被新证书替代"] * 4
    assert [a.note for a in answers] == ["志愿时长已更新"] * 4
    assert all(a.certificate is not None and a.certificate.serial == older for a in answers)
    assert codec.to_json(answers[0])["status"] == "superseded"
    credential = school.certificate_credential(older, SCHOOL_ADMIN, URL)
    assert credential is not None
    status_list = school.status_list_credential(ISSUED + timedelta(days=2))
    assert status_list is not None
    assert exports.revoked_by(credential, status_list)
    assert [a.status for a in every_way(school, newer)] == [VALID] * 4
    transcript = Verification(SUPERSEDED, "X", None, None)
    assert transcript.label == SUPERSEDED.label == "已被新成绩单替代"


def test_an_award_or_a_letter_is_issued_once_so_nothing_supersedes_it(
    school: SecondClassroom,
) -> None:
    """002 二 8) 电子奖状 and 002 一 3) 电子聘书: each is one per award, per round — asked
    again, even once revoked, it is certificate.already_issued — so marking one superseded by
    any other certificate is refused with certificate.not_a_replacement and it stays 有效."""
    w = world(school)
    made = commands(w)
    card = issue(school, *made[CertificateKind.VOLUNTEER_HOURS])
    for kind in (CertificateKind.AWARD, CertificateKind.APPOINTMENT):
        command, actor = made[kind]
        serial = issue(school, command, actor)
        with pytest.raises(DomainError) as refused:
            school.execute(RevokeCertificate(serial, "更正", card), SCHOOL_ADMIN, ISSUED)
        assert refused.value.code == "certificate.not_a_replacement"
        assert school.verify_transcript(serial).status is VALID
        school.execute(RevokeCertificate(serial, "颁发有误"), SCHOOL_ADMIN, ISSUED)
        with pytest.raises(DomainError) as again:
            school.execute(command, actor, ISSUED + timedelta(days=30))
        assert again.value.code == "certificate.already_issued"


@pytest.mark.parametrize("end", [TermEnd.RESIGNED, TermEnd.DISMISSED], ids=["辞职", "免职"])
def test_no_letter_is_issued_for_a_term_that_ended_early(
    school: SecondClassroom, end: TermEnd
) -> None:
    """002 一 3) 电子聘书: given the student's term as 宣传部部长 ended early (resigned or
    dismissed) on 12月5日, when the union's manager asks for the letter, then it is refused
    with certificate.appointment_ended naming the day and how, and no certificate is stored."""
    w = world(school)
    ending = EndCadreTerm(UNION.tribe_id, TERM, w.student.person_id, end, "学业原因")
    school.execute(ending, LEADER, at(12, 5))
    command, actor = commands(w)[CertificateKind.APPOINTMENT]
    with pytest.raises(DomainError) as refused:
        school.execute(command, actor, ISSUED)
    assert refused.value.code == "certificate.appointment_ended"
    assert refused.value.details["ended_zh"] == "2026年12月5日"
    assert refused.value.details["end"] == end.value
    assert school.keyring is not None
    serial = serial_for(command, ISSUED, school.keyring.private_seed)
    assert school.certificate(serial, SCHOOL_ADMIN) is None
    assert school.verify_transcript(serial).status is VerificationStatus.UNKNOWN


def test_a_letter_issued_before_the_term_ended_early_stays_authentic_and_says_how_it_ended(
    school: SecondClassroom,
) -> None:
    """002 一 3), 查证入口: given a 聘书 issued on 12月10日 while the term ran, it verifies
    有效 with nothing more; when the union's manager dismisses the student on 12月20日, then
    every way of verifying still answers 有效 (the letter was true when issued) and adds that
    the term ended on 2026-12-20 by dismissal — in the JSON answer too — but not the reason."""
    w = world(school)
    command, actor = commands(w)[CertificateKind.APPOINTMENT]
    serial = issue(school, command, actor)
    before = every_way(school, serial)
    assert [a.status for a in before] == [VALID] * 4
    assert [a.term_ended for a in before] == [None] * 4
    dismissal = EndCadreTerm(
        UNION.tribe_id, TERM, w.student.person_id, TermEnd.DISMISSED, "多次无故缺席例会"
    )
    school.execute(dismissal, LEADER, LETTER_ENDED)
    after = every_way(school, serial)
    assert [a.status for a in after] == [VALID] * 4
    ended = TermEnded("2026-12-20", TermEnd.DISMISSED)
    assert [a.term_ended for a in after] == [ended] * 4
    assert ended.sentence == (
        "该聘书所载任期已于2026年12月20日因免职提前结束；聘书签发时所载内容属实。"
    )
    answer = json.loads(json.dumps(codec.to_json(after[0]), ensure_ascii=False))
    assert answer["term_ended"] == {"on": "2026-12-20", "end": "dismissed"}
    assert "多次无故缺席例会" not in json.dumps(answer, ensure_ascii=False)
    # Revoked later, it still says how the term ended beside the revocation.
    school.execute(RevokeCertificate(serial, "颁发有误"), SCHOOL_ADMIN, at(12, 21))
    revoked = school.verify_transcript(serial)
    assert (revoked.status, revoked.term_ended) == (REVOKED, ended)


def test_a_letter_of_a_term_that_ran_to_its_planned_end_says_nothing_more(
    school: SecondClassroom,
) -> None:
    """002 一 3): given a term that ended as planned (11月1日 to 12月1日), the 聘书 issued
    after it is 有效 with no early end, and an award certificate never has one."""
    w = world(school)
    number = "2024000001"  # the school's second student
    short = AppointCadre(
        UNION.tribe_id, TERM, number, CadrePosition.STUDENT_UNION, "干事", at(11, 1), at(12, 1)
    )
    school.execute(short, LEADER, NOW)
    letter = IssueCertificate(CertificateKind.APPOINTMENT, number, round_id=w.round_id)
    serial = issue(school, letter, LEADER)
    award, student = commands(w)[CertificateKind.AWARD]
    for answer in (*every_way(school, serial), *every_way(school, issue(school, award, student))):
        assert answer.status is VALID
        assert answer.term_ended is None
        assert codec.to_json(answer)["term_ended"] is None


def test_a_letter_issued_before_rounds_were_recorded_finds_its_round_by_what_it_states(
    school: SecondClassroom,
) -> None:
    """002 一 3) 电子聘书 issued before ``CertificateIssued.round_id`` was recorded: given
    such a letter (the register holds no round for it) for the term as 宣传部部长, it verifies
    有效 with nothing more; when the union's manager dismisses the student on 12月20日, then
    it says so as a letter with its round does — the round found by the student, the 届次 and
    every row the signed letter states — and a letter stating another post is tied to none."""
    w = world(school)
    serial = issue(school, *commands(w)[CertificateKind.APPOINTMENT])

    def without_round(asked: str) -> Certificate | None:
        found = school.certificate(asked, SCHOOL_ADMIN)
        return attrs.evolve(found, round_id=None) if found is not None else None

    before_rounds = attrs.evolve(school._lookups, certificates=without_round)
    keys = school.school_keys()
    answer = verification.verify_serial(serial, keys, before_rounds)
    assert (answer.status, answer.term_ended) == (VALID, None)
    dismissal = EndCadreTerm(UNION.tribe_id, TERM, w.student.person_id, TermEnd.DISMISSED, "缺席")
    school.execute(dismissal, LEADER, LETTER_ENDED)
    answer = verification.verify_serial(serial, keys, before_rounds)
    ended = TermEnded("2026-12-20", TermEnd.DISMISSED)
    assert (answer.status, answer.term_ended) == (VALID, ended)
    letter = without_round(serial)
    assert letter is not None
    other_post = tuple((k, "干事" if k == "职务" else v) for k, v in letter.content.details)
    other = attrs.evolve(letter, content=attrs.evolve(letter.content, details=other_post))
    assert verification.term_ended(other, before_rounds) is None
