"""电子证书 (002 二 8) 上线电子奖状、电子志愿时卡、电子聘书、电子荣誉证书等功能): numbered by a
keyed serial, signed with the school's published key, revocable by a school admin. Who issues:
the student their own 奖状 and 志愿时卡 (as a transcript, 第二十条), the organization's cadre
managers a 聘书 (002 一 3)), a school admin a 荣誉证书."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from second_classroom.aggregates import certificate
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.cadre import Appointment, CadreRound, TermEnd
from second_classroom.aggregates.certificate import (
    DECIDER,
    Certificate,
    CertificateContent,
    CertificateContext,
    CertificateIssued,
    CertificateKind,
    CertificateRevoked,
    CertificateStatus,
    IssueCertificate,
    RevokeCertificate,
)
from second_classroom.aggregates.school_keys import PublishedKey, SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import (
    ActivityLevel,
    AttendanceOutcome,
    CadrePosition,
    Program,
    TribeKind,
    TribeLevel,
)
from second_classroom.policies import serials
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import CreditUnit, Rulebook
from second_classroom.policies.signing import Keyring, verify
from tests.specification import NEPU, PE_ADMIN, SCHOOL_ADMIN, Given, at, context, given, present

NUMBER = "2023020201"
ME = Actor.student(NUMBER)
NOW = at(12, 5, 10)
KEYS = Keyring.from_seed(bytes(range(32)))
PUBLISHED = SchoolKeys(None, (PublishedKey(KEYS.key_id, KEYS.public_text, at(9, 1)),))
# NEPU with volunteer hours counted in 学时 of unit 小时 (school-supplied for this test).
RULES = attrs.evolve(
    NEPU,
    credit_types=("学分", "学时"),
    volunteer_credit_type="学时",
    credit_units=(CreditUnit("学时", "小时"),),
)


def activity(
    key: str, day: int, outcome: AttendanceOutcome | None, *credits: Any
) -> ActivityRecord:
    return ActivityRecord(
        ids.derive("activity", "test", key),
        f"活动{key}",
        "volunteer",
        ActivityLevel.COLLEGE,
        at(11, day, 14),
        at(11, day, 16),
        Decimal(2),
        outcome,
        ("一等奖",) if key == "award" else (),
        tuple(PlannedCredit("volunteer", t, Decimal(a)) for t, a in credits),
        at(11, day, 18),
    )


AWARDED = activity("award", 3, AttendanceOutcome.ATTENDED, ("学分", "0.5"))
RECORD = StudentRecord(
    ids.student_id(NUMBER),
    NUMBER,
    "王五",
    "PE",
    "石工23-1班",
    2023,
    Program.UNDERGRADUATE,
    activities=(
        activity("b", 20, AttendanceOutcome.ATTENDED, ("学时", "2"), ("学时", "1.5")),
        AWARDED,
        activity("a", 10, None, ("学时", "4"), ("学分", "1")),
        activity("c", 15, AttendanceOutcome.NO_SHOW, ("学时", "3")),
        activity("d", 16, AttendanceOutcome.ATTENDED, ("学分", "1")),
    ),
)
UNION = Tribe(
    ids.tribe_id("PE-SU"), "PE-SU", "石油工程学院学生会", TribeKind.STUDENT_UNION,
    TribeLevel.COLLEGE, "PE", certified=True,
)  # fmt: skip
TERM_STARTS, TERM_ENDS = at(9, 1, 0, year=2025), at(8, 31, 0, year=2026)
ROUND = CadreRound(
    ids.cadre_round_id(UNION.id, "2025-2026学年"),
    UNION.id,
    "2025-2026学年",
    "石油工程学院学生会",
    (Appointment(NUMBER, "王五", CadrePosition.STUDENT_UNION, "部长", TERM_STARTS, TERM_ENDS),),
)


def ctx(
    actor: Actor = ME,
    record: StudentRecord | None = RECORD,
    keyring: Keyring | None = KEYS,
    keys: SchoolKeys | None = PUBLISHED,
    rulebook: Rulebook = RULES,
    cadre_round: CadreRound | None = None,
    tribe: Tribe | None = None,
) -> CertificateContext:
    return CertificateContext(
        context(actor, NOW, rulebook), record, keyring, keys, cadre_round, tribe
    )


def issued(
    command: IssueCertificate, content: CertificateContent, by: str, round_id: UUID | None = None
) -> CertificateIssued:
    signature = KEYS.sign(certificate.content_json(content))
    return CertificateIssued(content.serial, content, KEYS.key_id, signature, by, NOW, round_id)


def content(command: IssueCertificate, **fields: Any) -> CertificateContent:
    serial = certificate.serial_for(command, NOW, KEYS.private_seed)
    base = CertificateContent(
        "东北石油大学", serial, command.kind, NUMBER, "王五", "石油工程学院", "", "", (),
        "东北石油大学", NOW,
    )  # fmt: skip
    return attrs.evolve(base, **fields)


# -- the four certificates ------------------------------------------------------------------


def test_the_student_issues_their_award_certificate() -> None:
    """电子奖状: given 王五 won 一等奖 in 活动award (院系级, 11月3日), when they issue its 奖状,
    then it is signed with the school's key and says who won what, where and when."""
    command = IssueCertificate(CertificateKind.AWARD, NUMBER, AWARDED.activity_id, title="一等奖")
    expected = content(
        command,
        title="一等奖",
        body="王五同学在「活动award」活动中荣获一等奖，特发此状，以资鼓励。",
        details=(
            ("活动", "活动award"),
            ("级别", "院系级"),
            ("日期", "2026年11月3日"),
            ("奖项", "一等奖"),
        ),
    )
    event = issued(command, expected, NUMBER)
    state = given(DECIDER).when(command, ctx()).then(event)
    assert state == Certificate(expected.serial, expected, KEYS.key_id, event.signature)
    assert verify(KEYS.public_key, certificate.content_json(expected), event.signature)
    signed = certificate.content_json(expected)
    assert (signed["serial"], signed["kind"], signed["title"]) == (
        expected.serial,
        "award",
        "一等奖",
    )
    assert signed["details"] == [["活动", "活动award"], ["级别", "院系级"],
                                 ["日期", "2026年11月3日"], ["奖项", "一等奖"]]  # fmt: skip
    assert expected.heading == "奖状"


def test_the_volunteer_card_sums_the_hours_of_the_activities_taken_part_in_by_date() -> None:
    """电子志愿时卡: the activities crediting the rulebook's volunteer type (学时, in 小时) that
    the student took part in (attended, or no attendance taken), oldest first, each with its
    hours, and the total; a no-show's hours and other credit types are left out."""
    command = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
    expected = content(
        command,
        title="志愿服务时长 7.5 小时",
        body="王五同学截至2026年12月5日累计参加志愿服务 2 次，记学时 7.5 小时，特此证明。",
        details=(("2026-11-10 活动a", "4"), ("2026-11-20 活动b", "3.5"), ("合计", "7.5 小时")),
    )
    given(DECIDER).when(command, ctx()).then(issued(command, expected, NUMBER))
    assert expected.heading == "志愿服务时长证明"


def test_the_organization_s_manager_issues_an_appointment_letter() -> None:
    """电子聘书 (002 一 3)): given 王五's term as 部长 ran to its planned end (2026-08-31),
    when the college's admin, a manager of the round's organization, issues the letter, then
    the organization confers it, with the post, its kind, the term and its dates; the event
    and the certificate keep the round, for the 查证入口 to read later."""
    command = IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id)
    term = "2025年9月1日至2026年8月31日"
    expected = content(
        command,
        title="部长",
        body=f"兹聘任王五同学为石油工程学院学生会部长，任期{term}。",
        details=(
            ("组织", "石油工程学院学生会"),
            ("职务", "部长"),
            ("岗位类别", CadrePosition.STUDENT_UNION.label),
            ("届次", "2025-2026学年"),
            ("任期", term),
        ),
        issuer="石油工程学院学生会",
    )
    state = (
        given(DECIDER)
        .when(command, ctx(PE_ADMIN, cadre_round=ROUND, tribe=UNION))
        .then(issued(command, expected, "T-pe", ROUND.id))
    )
    assert expected.heading == "聘书"
    assert state.round_id == ROUND.id


def test_no_other_certificate_records_a_round() -> None:
    """Only a 聘书 names a cadre round: an award certificate's event and state carry none."""
    command = IssueCertificate(CertificateKind.AWARD, NUMBER, AWARDED.activity_id, title="一等奖")
    (event,) = DECIDER.decide(command, None, ctx())
    assert isinstance(event, CertificateIssued)
    assert event.round_id is None
    assert present(DECIDER.fold([event])).round_id is None


@pytest.mark.parametrize(
    ("end", "zh", "en"),
    [(TermEnd.RESIGNED, "辞职", "resigned"), (TermEnd.DISMISSED, "免职", "dismissed")],
    ids=["resigned", "dismissed"],
)
def test_no_appointment_letter_for_a_term_that_ended_early(end: TermEnd, zh: str, en: str) -> None:
    """002 一 3) 电子聘书: given 王五's term as 部长 (planned 2025-09-01 to 2026-08-31) ended
    early on 2026-03-01 by resignation or dismissal, when the organization's manager issues
    the letter, then it is refused with certificate.appointment_ended naming the day and how
    (the letter would state the full planned term, which is false); the reason is not in it."""
    (post,) = ROUND.appointments
    ended = attrs.evolve(post, ended_at=at(3, 1, 10), end=end, end_reason="个人原因")
    cut_short = attrs.evolve(ROUND, appointments=(ended,))
    letter = IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id)
    error = (
        given(DECIDER)
        .when(letter, ctx(PE_ADMIN, cadre_round=cut_short, tribe=UNION))
        .raises("certificate.appointment_ended")
    )
    assert error.details == {
        "ended": "2026-03-01",
        "ended_zh": "2026年3月1日",
        "end": en,
        "end_zh": zh,
    }
    assert error.message_zh == f"该任期已于2026年3月1日因{zh}提前结束，不能颁发载有原定任期的聘书"
    assert f"2026-03-01 ({en})" in error.message_en
    assert "个人原因" not in str(error)


@pytest.mark.parametrize(
    ("citation", "body"),
    [
        (
            "在抗疫志愿服务中表现突出",
            "王五同学在抗疫志愿服务中表现突出，被授予“优秀共青团员”荣誉称号，特发此证。",
        ),
        (" ", "王五同学被授予“优秀共青团员”荣誉称号，特发此证。"),
    ],
    ids=["with-citation", "without"],
)
def test_a_school_admin_confers_an_honour(citation: str, body: str) -> None:
    """电子荣誉证书: the school confers the title, with why when given."""
    command = IssueCertificate(
        CertificateKind.HONOUR, NUMBER, title="优秀共青团员", citation=citation
    )
    expected = content(
        command, title="优秀共青团员", body=body, details=(("荣誉称号", "优秀共青团员"),)
    )
    given(DECIDER).when(command, ctx(SCHOOL_ADMIN)).then(issued(command, expected, "T-school"))
    assert expected.heading == "荣誉证书"
    assert [k.label for k in CertificateKind] == [
        "电子奖状",
        "电子志愿时卡",
        "电子聘书",
        "电子荣誉证书",
    ]


def test_a_college_not_in_the_rulebook_is_printed_as_its_code() -> None:
    command = IssueCertificate(CertificateKind.HONOUR, NUMBER, title="优秀共青团员")
    record = attrs.evolve(RECORD, college="OLD")
    (event,) = given(DECIDER).when(command, ctx(SCHOOL_ADMIN, record=record)).events()
    assert event.content.college == "OLD"


# -- who issues ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "actor", "tribe"),
    [
        (
            IssueCertificate(CertificateKind.AWARD, NUMBER, AWARDED.activity_id, title="一等奖"),
            PE_ADMIN,
            None,
        ),
        (
            IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER),
            Actor.student("2023020202"),
            None,
        ),
        (IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id), ME, UNION),
        (IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id), PE_ADMIN, None),
        (IssueCertificate(CertificateKind.HONOUR, NUMBER, title="优秀"), PE_ADMIN, None),
    ],
    ids=["award-by-admin", "card-by-another", "letter-by-student", "letter-no-tribe", "honour"],
)
def test_each_certificate_has_its_issuers(
    command: IssueCertificate, actor: Actor, tribe: Tribe | None
) -> None:
    error = (
        given(DECIDER)
        .when(command, ctx(actor, cadre_round=ROUND, tribe=tribe))
        .raises("auth.forbidden")
    )
    assert error.details == {"action": f"生成{command.kind.label} issue certificate"}


# -- refusals --------------------------------------------------------------------------------

AWARD = IssueCertificate(CertificateKind.AWARD, NUMBER, AWARDED.activity_id, title="一等奖")


def test_issuing_needs_the_record_and_the_school_s_published_key() -> None:
    given(DECIDER).when(AWARD, ctx(record=None)).raises("certificate.no_student")
    given(DECIDER).when(AWARD, ctx(keyring=None)).raises("config.signing_key_missing")
    error = (
        given(DECIDER).when(AWARD, ctx(keys=SchoolKeys())).raises("config.signing_key_unpublished")
    )
    assert error.details == {"key_id": KEYS.key_id}


def test_the_same_certificate_twice_is_refused_naming_its_serial() -> None:
    serial = certificate.serial_for(AWARD, NOW, KEYS.private_seed)
    (event,) = given(DECIDER).when(AWARD, ctx()).events()
    error = given(DECIDER, event).when(AWARD, ctx()).raises("certificate.already_issued")
    assert error.details == {"serial": serials.display(serial)}


@pytest.mark.parametrize(
    "changes",
    [{"activity_id": None}, {"title": ""}],
    ids=["no-activity", "no-award"],
)
def test_an_award_certificate_names_the_activity_and_the_award(changes: dict[str, Any]) -> None:
    given(DECIDER).when(attrs.evolve(AWARD, **changes), ctx()).raises("certificate.subject_missing")


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "二等奖"},
        {"activity_id": ids.derive("activity", "test", "a")},
        {"activity_id": ids.derive("activity", "test", "never")},
    ],
    ids=["other-award", "activity-without-it", "no-such-activity"],
)
def test_an_award_the_record_does_not_hold_is_refused(changes: dict[str, Any]) -> None:
    given(DECIDER).when(attrs.evolve(AWARD, **changes), ctx()).raises("certificate.award_unknown")


def test_a_volunteer_card_needs_a_volunteer_type_and_hours() -> None:
    card = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
    given(DECIDER).when(card, ctx(rulebook=NEPU)).raises("certificate.volunteer_type_unset")
    only_no_show = attrs.evolve(RECORD, activities=RECORD.activities[3:])
    given(DECIDER).when(card, ctx(record=only_no_show)).raises("certificate.no_volunteer_hours")


def test_an_appointment_letter_names_a_round_the_student_holds_a_post_in() -> None:
    letter = IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id)
    cases: list[tuple[dict[str, Any], CadreRound | None]] = [
        ({"round_id": None}, ROUND),
        ({}, None),
    ]
    for changes, cadre_round in cases:
        given(DECIDER).when(
            attrs.evolve(letter, **changes), ctx(PE_ADMIN, cadre_round=cadre_round, tribe=UNION)
        ).raises("certificate.subject_missing")
    other = attrs.evolve(ROUND, appointments=())
    given(DECIDER).when(letter, ctx(PE_ADMIN, cadre_round=other, tribe=UNION)).raises(
        "certificate.not_appointed"
    )


def test_an_honour_names_its_title() -> None:
    honour = IssueCertificate(CertificateKind.HONOUR, NUMBER, title="  ")
    given(DECIDER).when(honour, ctx(SCHOOL_ADMIN)).raises("certificate.subject_missing")


# -- serials ---------------------------------------------------------------------------------


def test_a_serial_is_keyed_and_names_the_student_the_kind_and_what_is_certified() -> None:
    """The same certificate asked again finds the same serial; another student, kind, award,
    round, honour or day (for the growing volunteer card and the honours) gets another; another
    key gives another (nobody works out a student's serials)."""
    seed = KEYS.private_seed
    card = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
    letter = IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id)
    honour = IssueCertificate(CertificateKind.HONOUR, NUMBER, title="优秀共青团员")
    commands = [
        AWARD,
        attrs.evolve(AWARD, title="二等奖"),
        attrs.evolve(AWARD, activity_id=ids.derive("activity", "test", "a")),
        attrs.evolve(AWARD, student_number="2023020202"),
        card,
        letter,
        attrs.evolve(letter, round_id=UNION.id),
        honour,
        attrs.evolve(honour, title="优秀学生干部"),
    ]
    found = [certificate.serial_for(c, NOW, seed) for c in commands]
    assert len(set(found)) == len(commands)
    assert certificate.serial_for(AWARD, NOW, seed) == found[0]
    assert certificate.serial_for(AWARD, NOW, bytes(32)) != found[0]
    next_day = NOW + timedelta(days=1)
    assert certificate.serial_for(AWARD, next_day, seed) == found[0]
    assert certificate.serial_for(letter, next_day, seed) == found[5]
    assert certificate.serial_for(card, next_day, seed) != found[4]
    assert certificate.serial_for(honour, next_day, seed) != found[7]
    assert certificate.subject_of(AWARD, NOW) == f"{AWARDED.activity_id}/一等奖"
    assert certificate.subject_of(card, at(12, 5, 23, 30)) == "2026-12-05"
    # the Shanghai day, not the UTC one: 07:00 on 12-06 is still 12-05 in UTC
    assert certificate.subject_of(card, at(12, 6, 7)) == "2026-12-06"
    assert certificate.subject_of(honour, at(12, 6, 7)) == "优秀共青团员/2026-12-06"
    assert certificate.subject_of(letter, NOW) == str(ROUND.id)
    assert certificate.subject_of(honour, NOW) == "优秀共青团员/2026-12-05"
    assert certificate.certificate_id(found[0]) == ids.derive("certificate", found[0])


# -- revoking --------------------------------------------------------------------------------


def _issued_award() -> CertificateIssued:
    (event,) = given(DECIDER).when(AWARD, ctx()).events()
    assert isinstance(event, CertificateIssued)
    return event


def test_a_school_admin_revokes_a_certificate_with_a_reason() -> None:
    event = _issued_award()
    admin = CertificateContext(context(SCHOOL_ADMIN, NOW), None, None)
    state = (
        given(DECIDER, event)
        .when(RevokeCertificate(event.serial, "奖项更正"), admin)
        .then(CertificateRevoked(event.serial, "奖项更正", "T-school", NOW))
    )
    assert (state.status, state.reason) == (CertificateStatus.REVOKED, "奖项更正")
    assert state.content == event.content


def test_revoking_is_refused_with_its_code() -> None:
    event = _issued_award()
    admin = CertificateContext(context(SCHOOL_ADMIN, NOW), None, None)
    revoke = RevokeCertificate(event.serial, "奖项更正")
    error = given(DECIDER, event).when(revoke, ctx(ME)).raises("auth.forbidden")
    assert error.details == {"action": "作废证书 revoke certificate"}
    given(DECIDER).when(revoke, admin).raises("certificate.not_found")
    given(DECIDER, event).when(attrs.evolve(revoke, reason=" "), admin).raises(
        "certificate.reason_required"
    )
    revoked = CertificateRevoked(event.serial, "奖项更正", "T-school", NOW)
    given(DECIDER, event, revoked).when(revoke, admin).raises("certificate.already_revoked")


# -- superseding: the same certificate issued again (002 二 8)) --------------------------------

CARD = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
TITLED = IssueCertificate(CertificateKind.HONOUR, NUMBER, title="优秀共青团员")


def _held(command: IssueCertificate, day: int, **fields: Any) -> Certificate:
    """The certificate ``command`` issued on 12月{day}日 10:00, as the register holds it."""
    when = at(12, day, 10)
    serial = certificate.serial_for(command, when, KEYS.private_seed)
    body = content(command, serial=serial, issued_at=when, title=command.title, **fields)
    return Certificate(serial, body, KEYS.key_id, KEYS.sign(certificate.content_json(body)))


def _superseding(newer: Certificate | None) -> CertificateContext:
    """A school admin's, with the certificate the command names as the newer one."""
    return CertificateContext(context(SCHOOL_ADMIN, NOW), None, None, replacement=newer)


def test_a_volunteer_card_is_superseded_by_the_card_issued_on_a_later_day() -> None:
    """002 二 8) 电子志愿时卡 (one a day, as the hours grow): given the student's card of
    12月4日 and the one issued on 12月5日, when a school admin marks the older superseded by
    the newer (its serial typed in lower case with dashes), then the revocation names the
    newer one canonically and the older stands superseded with the reason."""
    older, newer = _held(CARD, 4), _held(CARD, 5)
    typed = serials.display(newer.serial).lower()
    state = (
        Given(DECIDER, older)
        .when(RevokeCertificate(older.serial, "志愿时长已更新", typed), _superseding(newer))
        .then(CertificateRevoked(older.serial, "志愿时长已更新", "T-school", NOW, newer.serial))
    )
    assert (state.status, state.reason) == (CertificateStatus.SUPERSEDED, "志愿时长已更新")
    assert state.superseded_by == newer.serial
    assert state.content == older.content
    # A revocation stored before superseding existed reads as revoked, as it did.
    revoked = DECIDER.evolve(older, CertificateRevoked(older.serial, "有误", "T-school", NOW))
    assert (revoked.status, revoked.superseded_by) == (CertificateStatus.REVOKED, None)


AWARD_ELSEWHERE = attrs.evolve(AWARD, activity_id=ids.derive("activity", "test", "other"))
LETTER = IssueCertificate(CertificateKind.APPOINTMENT, NUMBER, round_id=ROUND.id)
NOT_IT = "certificate.not_a_replacement"


@pytest.mark.parametrize(
    ("older", "newer", "refused"),
    [
        (_held(TITLED, 4), _held(TITLED, 5), None),
        (_held(CARD, 4), None, "certificate.replacement_not_found"),
        # an 奖状 is one per award, a 聘书 one per round: nothing is issued again for them
        (_held(AWARD, 4), _held(AWARD_ELSEWHERE, 5), NOT_IT),
        (_held(LETTER, 4), _held(LETTER, 5), NOT_IT),
        (_held(CARD, 4), _held(CARD, 4), NOT_IT),  # itself
        (_held(CARD, 5), _held(CARD, 4), NOT_IT),  # an older one
        (_held(CARD, 4), _held(CARD, 5, student_number="2023020202"), NOT_IT),
        (_held(CARD, 4), _held(TITLED, 5), NOT_IT),
        (_held(TITLED, 4), _held(attrs.evolve(TITLED, title="优秀学生干部"), 5), NOT_IT),
        (_held(CARD, 4), attrs.evolve(_held(CARD, 5), status=CertificateStatus.REVOKED), NOT_IT),
    ],
    ids=["honour-again", "unknown", "award", "letter", "itself", "earlier", "other-student",
         "other-kind", "other-title", "revoked"],
)  # fmt: skip
def test_only_the_same_certificate_issued_again_later_supersedes_one(
    older: Certificate, newer: Certificate | None, refused: str | None
) -> None:
    """002 二 8): a certificate is superseded only by itself issued again — a valid 志愿时卡 or
    荣誉证书 of the same title, of the same student, issued later; anything else is refused
    naming the serial given, and an 奖状 or a 聘书 (one per award, per round) never is."""
    named = newer.serial if newer is not None else _held(CARD, 6).serial
    command = RevokeCertificate(older.serial, "更正", named)
    when = Given(DECIDER, older).when(command, _superseding(newer))
    if refused is None:
        state = when.then(CertificateRevoked(older.serial, "更正", "T-school", NOW, named))
        assert state.status is CertificateStatus.SUPERSEDED
        return
    error = when.raises(refused)
    assert error.details["serial"] == serials.display(named)


def test_a_round_number_of_hours_is_printed_as_written() -> None:
    """A card totalling 10 小时 reads 10, not 1E+1."""
    record = attrs.evolve(
        RECORD,
        activities=(
            activity("a", 10, None, ("学时", "4")),
            activity("b", 20, AttendanceOutcome.ATTENDED, ("学时", "6.0")),
        ),
    )
    card = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
    (event,) = given(DECIDER).when(card, ctx(record=record)).events()
    assert event.content.title == "志愿服务时长 10 小时"
    assert event.content.details[-1] == ("合计", "10 小时")


def test_an_event_the_certificate_does_not_know_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match="unhandled event 'x'"):
        certificate.evolve(None, "x")  # type: ignore[arg-type]


def test_a_volunteer_card_lists_each_activity_on_its_shanghai_day_down_to_half_an_hour() -> None:
    """Given 王五 served 1 小时 at an activity starting 2026-11-02 07:30 in Shanghai (still
    11-01 in UTC) and half an hour at another, when they issue their 志愿时卡, then each row
    carries the Shanghai date and its hours, however small, and the total adds them."""
    early = attrs.evolve(
        activity("early", 2, AttendanceOutcome.ATTENDED, ("学时", "1")),
        starts_at=at(11, 2, 7, 30),
        ends_at=at(11, 2, 8, 30),
    )
    half = activity("half", 4, AttendanceOutcome.ATTENDED, ("学时", "0.5"))
    card = IssueCertificate(CertificateKind.VOLUNTEER_HOURS, NUMBER)
    record = attrs.evolve(RECORD, activities=(half, early))
    (event,) = given(DECIDER).when(card, ctx(record=record)).events()
    assert event.content.details == (
        ("2026-11-02 活动early", "1"),
        ("2026-11-04 活动half", "0.5"),
        ("合计", "1.5 小时"),
    )
    assert event.content.title == "志愿服务时长 1.5 小时"


def test_a_kind_the_certificate_does_not_know_is_a_programming_error() -> None:
    """The four kinds are handled each; a fifth fails loudly, naming it, never a blank serial."""
    kind: Any = "x"  # no CertificateKind: typed Any to hand it over all the same
    unknown = attrs.evolve(AWARD, kind=kind)
    with pytest.raises(AssertionError, match="unhandled kind 'x'"):
        certificate.subject_of(unknown, NOW)


def test_a_command_the_certificate_does_not_know_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match="unhandled command 'x'"):
        certificate.decide("x", None, ctx())  # type: ignore[arg-type]
