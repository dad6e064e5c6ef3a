"""电子证书 (seed 002 二 8) 上线电子奖状、电子志愿时卡、电子聘书、电子荣誉证书等功能): numbered,
signed, revocable certificates, verified at the 查证入口 like a transcript.

They share the transcript's machinery: serials (``policies.serials``), the school's published
signing key (``policies.signing``, ``require_signing_key``), one revocation register and status
list, the PDF's font, QR code and archival form, and the credential's proof. What differs is
the content and who may issue:

- 电子奖状 (an award the student holds in their record) and 电子志愿时卡 (the volunteer hours of
  their record, in the rulebook's ``volunteer_credit_type``): the student, for themselves, as
  they issue their own transcript (第二十条).
- 电子聘书 (a cadre appointment, 002 一 3)): whoever manages the organization's cadre round (the
  rulebook's ``cadre.managers``), since the organization appoints.
- 电子荣誉证书 (an honour title the school confers, e.g. 优秀共青团员): a school admin; the seeds
  name no other body that confers honours, so the school does.

A school admin revokes any of them with a reason, as a transcript is revoked, or marks one
superseded by the same certificate issued again since: only a 志愿时卡 (one a day, as the
hours grow) and an 荣誉证书 of the same title (one a day) can be; an 奖状 and a 聘书 are one
per award and per round (a second is ``certificate.already_issued``, revoked or not).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs

from second_classroom.aggregates.cadre import Appointment, CadreRound, may_manage
from second_classroom.aggregates.school_keys import SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import (
    SIGNING_KEY_MISSING,
    require_signing_key,
    took_part,
)
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require
from second_classroom.core.text import Code, PersonId, Reason, Title
from second_classroom.core.time import SHANGHAI, in_words, local_date
from second_classroom.core.wire import converter
from second_classroom.policies import serials
from second_classroom.policies.context import Context
from second_classroom.policies.signing import Keyring, canonical_json

NO_RECORD = ErrorCode(
    "certificate.no_student", "学生未注册", "The student is not registered", Category.NOT_FOUND
)
AWARD_UNKNOWN = ErrorCode(
    "certificate.award_unknown",
    "本人的活动记录中没有该奖项",
    "The student's records hold no such award in that activity",
    Category.INVALID,
)
NO_HOURS = ErrorCode(
    "certificate.no_volunteer_hours",
    "没有可记入志愿时卡的志愿时长",
    "There are no volunteer hours to put on a card",
    Category.INVALID,
)
NO_VOLUNTEER_TYPE = ErrorCode(
    "certificate.volunteer_type_unset",
    "规则未指定志愿时长的学分类型（volunteer_credit_type）",
    "The rulebook names no credit type for volunteer hours (volunteer_credit_type)",
    Category.UNAVAILABLE,
)
NOT_APPOINTED = ErrorCode(
    "certificate.not_appointed",
    "该学生不是本届的干部",
    "The student holds no post in this cadre round",
    Category.NOT_FOUND,
)
APPOINTMENT_ENDED = ErrorCode(
    "certificate.appointment_ended",
    "该任期已于{ended_zh}因{end_zh}提前结束，不能颁发载有原定任期的聘书",
    "This term ended early on {ended} ({end}): no letter stating the planned term is issued",
    Category.CLOSED,
)
SUBJECT_MISSING = ErrorCode(
    "certificate.subject_missing",
    "请指明证书所证明的活动、奖项、任期或荣誉称号",
    "Name what the certificate certifies: the activity and award, the round, or the title",
    Category.INVALID,
)
ALREADY_ISSUED = ErrorCode(
    "certificate.already_issued",
    "该证书已生成，编号 {serial}",
    "This certificate is already issued, serial {serial}",
    Category.CONFLICT,
)
NOT_FOUND = ErrorCode(
    "certificate.not_found", "证书不存在", "No certificate with this serial", Category.NOT_FOUND
)
ALREADY_REVOKED = ErrorCode(
    "certificate.already_revoked",
    "证书已作废",
    "The certificate is already revoked",
    Category.CLOSED,
)
REASON_REQUIRED = ErrorCode(
    "certificate.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
REPLACEMENT_NOT_FOUND = ErrorCode(
    "certificate.replacement_not_found",
    "替代它的新证书 {serial} 不存在",
    "No certificate with the replacement's serial {serial}",
    Category.NOT_FOUND,
)
NOT_A_REPLACEMENT = ErrorCode(
    "certificate.not_a_replacement",
    "证书 {serial} 不能替代该证书：须是之后为同一学生重新生成的同一志愿时卡或同名荣誉证书，且有效",
    "Certificate {serial} cannot supersede it: only a valid volunteer card or an honour of the "
    "same title issued again later to the same student can",
    Category.INVALID,
)


class CertificateKind(StrEnum):
    """The four certificates of 002 二 8)."""

    AWARD = "award"  # 电子奖状
    VOLUNTEER_HOURS = "volunteer_hours"  # 电子志愿时卡
    APPOINTMENT = "appointment"  # 电子聘书
    HONOUR = "honour"  # 电子荣誉证书

    @property
    def label(self) -> str:
        return {
            "award": "电子奖状",
            "volunteer_hours": "电子志愿时卡",
            "appointment": "电子聘书",
            "honour": "电子荣誉证书",
        }[self.value]


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # by the same certificate issued again (``superseded_by``)


@attrs.frozen
class CertificateContent:
    """What the certificate says, frozen at issue; this is what the signature covers."""

    school: str
    serial: str
    kind: CertificateKind
    student_number: str
    name: str
    college: str
    title: str  # what is certified: the award, 志愿服务时长, the post, the honour
    body: str  # the sentence the certificate prints
    details: tuple[tuple[str, str], ...]  # (label, value) rows: activity, date, hours …
    issuer: str  # who confers it: the school, or the organization (聘书)
    issued_at: datetime

    @property
    def heading(self) -> str:
        return {
            CertificateKind.AWARD: "奖状",
            CertificateKind.VOLUNTEER_HOURS: "志愿服务时长证明",
            CertificateKind.APPOINTMENT: "聘书",
            CertificateKind.HONOUR: "荣誉证书",
        }[self.kind]


@attrs.frozen
class Certificate:
    serial: str
    content: CertificateContent
    key_id: str
    signature: str
    status: CertificateStatus = CertificateStatus.VALID
    reason: str = ""
    round_id: UUID | None = None  # a 聘书's cadre round (``CertificateIssued.round_id``)
    superseded_by: str | None = None  # the newer certificate's serial


@attrs.frozen
class CertificateIssued:
    serial: str
    content: CertificateContent
    key_id: str
    signature: str
    by: str
    at: datetime
    # A 聘书's cadre round, so the 查证入口 can tell when its term later ended early. Outside
    # the signed content: signatures of earlier certificates stay as they are. None for every
    # other kind, and for a 聘书 issued before rounds were recorded (verified as before).
    round_id: UUID | None = None


@attrs.frozen
class CertificateRevoked:
    serial: str
    reason: str
    by: str
    at: datetime
    superseded_by: str | None = None  # superseded, not revoked: the newer one's serial


CertificateEvent = CertificateIssued | CertificateRevoked
EVENTS: tuple[type, ...] = CertificateEvent.__args__


@attrs.frozen
class IssueCertificate:
    """Issue one certificate of ``kind`` to ``student_number``. What it certifies:

    - ``award``: ``activity_id`` and ``title`` (the award's name, as the record holds it);
    - ``volunteer_hours``: nothing more — every activity of the record crediting the
      rulebook's volunteer credit type, as of now;
    - ``appointment``: ``round_id`` (the cadre round the student is appointed in; not once
      the term ended early, since the letter states the planned term);
    - ``honour``: ``title`` (the honour, e.g. 优秀共青团员) and ``citation`` (why).
    """

    kind: CertificateKind
    student_number: PersonId
    activity_id: UUID | None = None
    round_id: UUID | None = None
    title: Title = ""
    citation: Reason = ""


@attrs.frozen
class RevokeCertificate:
    """A school admin revokes a certificate, or marks it superseded by a newer one: the
    same 志愿时卡 or 荣誉证书 issued again since to the same student (``replaces``)."""

    serial: Code
    reason: Reason
    superseded_by: Code | None = None


CertificateCommand = IssueCertificate | RevokeCertificate
COMMANDS: tuple[type, ...] = CertificateCommand.__args__


def certificate_id(serial: str) -> UUID:
    return ids.derive("certificate", serial)


def subject_of(command: IssueCertificate, now: datetime) -> str:
    """What makes one certificate different from another of the same student and kind: the
    activity and award, the day of a volunteer card (the hours grow), the round, the title."""
    day = f"{now.astimezone(SHANGHAI):%Y-%m-%d}"
    match command.kind:
        case CertificateKind.AWARD:
            return f"{command.activity_id}/{command.title}"
        case CertificateKind.VOLUNTEER_HOURS:
            return day
        case CertificateKind.APPOINTMENT:
            return str(command.round_id)
        case CertificateKind.HONOUR:
            return f"{command.title}/{day}"
    raise AssertionError(f"unhandled kind {command.kind!r}")


def serial_for(command: IssueCertificate, now: datetime, key: bytes) -> str:
    """The certificate's serial: keyed with the school's signing key (nobody works out another
    student's serials) over the student, the kind and what it certifies, so asking twice for
    the same certificate finds the one issued."""
    text = f"certificate/{command.kind.value}/{command.student_number}/{subject_of(command, now)}"
    return serials.make(hmac.new(key, text.encode(), "sha256").hexdigest())


@attrs.frozen
class CertificateContext:
    base: Context
    record: StudentRecord | None
    keyring: Keyring | None
    keys: SchoolKeys | None = None
    cadre_round: CadreRound | None = None
    tribe: Tribe | None = None  # the round's organization, for who may appoint
    replacement: Certificate | None = None  # the one ``superseded_by`` names, if issued


def decide(
    command: CertificateCommand, state: Certificate | None, ctx: CertificateContext
) -> Sequence[CertificateEvent]:
    base = ctx.base
    match command:
        case IssueCertificate():
            _require_may_issue(command, ctx)
            record = ctx.record
            require(record is not None, NO_RECORD)
            assert record is not None
            require(ctx.keyring is not None, SIGNING_KEY_MISSING)
            assert ctx.keyring is not None
            require_signing_key(ctx.keyring, ctx.keys)
            serial = serial_for(command, base.now, ctx.keyring.private_seed)
            require(state is None, ALREADY_ISSUED, serial=serials.display(serial))
            content = build_content(command, record, serial, ctx)
            signature = ctx.keyring.sign(content_json(content))
            by = base.actor.person_id
            appointed = command.round_id if command.kind is CertificateKind.APPOINTMENT else None
            return [
                CertificateIssued(
                    serial, content, ctx.keyring.key_id, signature, by, base.now, appointed
                )
            ]
        case RevokeCertificate(reason=reason, superseded_by=newer):
            require(base.actor.is_school_admin, UNAUTHORIZED, action="作废证书 revoke certificate")
            require(state is not None, NOT_FOUND)
            assert state is not None
            require(state.status is CertificateStatus.VALID, ALREADY_REVOKED)
            require(bool(reason.strip()), REASON_REQUIRED)
            replacement = ctx.replacement if newer is not None else None
            if newer is not None:
                named = serials.normalize(newer)
                shown = serials.display(named) if named else newer
                require(replacement is not None, REPLACEMENT_NOT_FOUND, serial=shown)
                assert replacement is not None
                require(replaces(replacement, state), NOT_A_REPLACEMENT, serial=shown)
            by, now = base.actor.person_id, base.now
            newer_serial = replacement.serial if replacement is not None else None
            return [CertificateRevoked(state.serial, reason, by, now, newer_serial)]
    raise AssertionError(f"unhandled command {command!r}")


def _require_may_issue(command: IssueCertificate, ctx: CertificateContext) -> None:
    """Authorised before anything is looked up: nobody learns whether a 学号 exists."""
    actor = ctx.base.actor
    action = f"生成{command.kind.label} issue certificate"
    match command.kind:
        case CertificateKind.AWARD | CertificateKind.VOLUNTEER_HOURS:
            require(actor.person_id == command.student_number, UNAUTHORIZED, action=action)
        case CertificateKind.APPOINTMENT:
            tribe = ctx.tribe
            allowed = tribe is not None and may_manage(actor, tribe, ctx.base.rulebook.cadre)
            require(allowed, UNAUTHORIZED, action=action)
        case CertificateKind.HONOUR:
            require(actor.is_school_admin, UNAUTHORIZED, action=action)


def replaces(newer: Certificate, older: Certificate) -> bool:
    """Whether ``newer`` is ``older`` issued again: another, valid certificate of the same
    student, issued later, of a kind issued more than once for one subject — a 志愿时卡
    (the hours as of another day) or an 荣誉证书 of the same title. An 奖状 or 聘书 is one
    per award or round, so nothing replaces it."""
    new, old = newer.content, older.content
    again = (new.kind is CertificateKind.VOLUNTEER_HOURS) or (
        new.kind is CertificateKind.HONOUR and new.title == old.title
    )
    return (
        again
        and newer.status is CertificateStatus.VALID
        and newer.serial != older.serial
        and (new.kind, new.student_number) == (old.kind, old.student_number)
        and new.issued_at > old.issued_at
    )


def evolve(state: Certificate | None, event: CertificateEvent) -> Certificate:
    match event:
        case CertificateIssued():
            return Certificate(
                event.serial,
                event.content,
                event.key_id,
                event.signature,
                round_id=event.round_id,
            )
        case CertificateRevoked(reason=reason, superseded_by=newer):
            assert state is not None
            status = CertificateStatus.SUPERSEDED if newer else CertificateStatus.REVOKED
            return attrs.evolve(state, status=status, reason=reason, superseded_by=newer)
    raise AssertionError(f"unhandled event {event!r}")


def content_json(content: CertificateContent) -> dict[str, object]:
    """The signed form of the content: plain JSON values, as any parser reads them back."""
    data: dict[str, Any] = converter.unstructure(content)
    plain: dict[str, object] = json.loads(canonical_json(data))
    return plain


# -- building the content -------------------------------------------------------------------


def _date(moment: datetime) -> str:
    return in_words(local_date(moment))


def _number(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def build_content(
    command: IssueCertificate, record: StudentRecord, serial: str, ctx: CertificateContext
) -> CertificateContent:
    rulebook, now = ctx.base.rulebook, ctx.base.now
    name = record.name
    college = rulebook.college(record.college)
    school = rulebook.school
    issuer = school
    details: list[tuple[str, str]]
    match command.kind:
        case CertificateKind.AWARD:
            require(command.activity_id is not None and bool(command.title), SUBJECT_MISSING)
            entry = next(
                (r for r in record.activities if r.activity_id == command.activity_id), None
            )
            require(entry is not None and command.title in entry.awards, AWARD_UNKNOWN)
            assert entry is not None
            title = command.title
            body = f"{name}同学在「{entry.title}」活动中荣获{title}，特发此状，以资鼓励。"
            details = [
                ("活动", entry.title),
                ("级别", rulebook.level_name(entry.level)),
                ("日期", _date(entry.starts_at)),
                ("奖项", title),
            ]
        case CertificateKind.VOLUNTEER_HOURS:
            kind = rulebook.volunteer_credit_type
            require(bool(kind), NO_VOLUNTEER_TYPE)
            rows = [
                (entry, sum((c.amount for c in entry.credits if c.credit_type == kind), Decimal()))
                for entry in sorted(record.activities, key=lambda r: r.starts_at)
                if took_part(entry)
            ]
            rows = [(entry, amount) for entry, amount in rows if amount > 0]
            require(bool(rows), NO_HOURS)
            total = sum((amount for _, amount in rows), Decimal())
            unit = rulebook.unit(kind)
            title = f"志愿服务时长 {_number(total)} {unit}"
            body = (
                f"{name}同学截至{_date(now)}累计参加志愿服务 {len(rows)} 次，"
                f"记{kind} {_number(total)} {unit}，特此证明。"
            )
            details = [
                (f"{entry.starts_at.astimezone(SHANGHAI):%Y-%m-%d} {entry.title}", _number(amount))
                for entry, amount in rows
            ]
            details.append(("合计", f"{_number(total)} {unit}"))
        case CertificateKind.APPOINTMENT:
            cadre_round = ctx.cadre_round
            require(command.round_id is not None and cadre_round is not None, SUBJECT_MISSING)
            assert cadre_round is not None
            post = cadre_round.appointment(command.student_number)
            require(post is not None, NOT_APPOINTED)
            assert post is not None
            # The letter states the planned term: once it ended early that would be false.
            if post.ended_at is not None:
                end = post.end
                assert end is not None  # CadreTermEnded sets both
                raise APPOINTMENT_ENDED.error(
                    ended=f"{post.ended_at.astimezone(SHANGHAI):%Y-%m-%d}",
                    ended_zh=_date(post.ended_at),
                    end=end.value,
                    end_zh=end.label,
                )
            issuer = cadre_round.organization
            title = post.title
            term = f"{_date(post.starts)}至{_date(post.ends)}"
            body = f"兹聘任{name}同学为{cadre_round.organization}{title}，任期{term}。"
            details = list(appointment_details(cadre_round, post))
        case CertificateKind.HONOUR:
            require(bool(command.title.strip()), SUBJECT_MISSING)
            title = command.title
            citation = command.citation.strip()
            why = f"{citation}，" if citation else ""
            body = f"{name}同学{why}被授予“{title}”荣誉称号，特发此证。"
            details = [("荣誉称号", title)]
    return CertificateContent(
        school,
        serial,
        command.kind,
        record.student_number,
        name,
        college.name if college else record.college,
        title,
        body,
        tuple(details),
        issuer,
        now,
    )


def appointment_details(cadre_round: CadreRound, post: Appointment) -> tuple[tuple[str, str], ...]:
    """The rows a 聘书 prints of its appointment: organization, post, category, term, dates."""
    return (
        ("组织", cadre_round.organization),
        ("职务", post.title),
        ("岗位类别", post.position.label),
        ("届次", cadre_round.term),
        ("任期", f"{_date(post.starts)}至{_date(post.ends)}"),
    )


def states_appointment(content: CertificateContent, cadre_round: CadreRound) -> bool:
    """Whether a 聘书's signed content is the letter of its student's appointment in this
    round: issued by the round's organization, with exactly the rows that appointment prints."""
    post = cadre_round.appointment(content.student_number)
    return (
        content.kind is CertificateKind.APPOINTMENT
        and post is not None
        and content.issuer == cadre_round.organization
        and content.details == appointment_details(cadre_round, post)
    )


DECIDER: FunctionalDecider[
    CertificateCommand, Certificate, CertificateEvent, CertificateContext
] = FunctionalDecider("certificate", decide, evolve, Certificate, EVENTS, short=True)
