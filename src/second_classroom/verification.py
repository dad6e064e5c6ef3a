"""查证入口 (第四条): whether a serial, a signed document, a credential or a printed PDF is a
transcript or an electronic certificate (002 二 8)) the school issued and still stands by — pure
functions of what the log holds.

The facade hands them the school's published keys (``SchoolKeys``), a ``lookup`` of the
transcript register, a ``certificates`` lookup of the certificates and a ``rounds`` lookup of
the cadre rounds (a 聘书 whose term later ended early says so); they answer a
``Verification`` and never raise for what a stranger sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs
import cattrs

from second_classroom import exports
from second_classroom.aggregates import certificate as certificate_module
from second_classroom.aggregates.cadre import CadreRound, TermEnd
from second_classroom.aggregates.certificate import (
    Certificate,
    CertificateContent,
    CertificateKind,
)
from second_classroom.aggregates.school_keys import SchoolKeys
from second_classroom.aggregates.transcript import Content, Transcript, content_json
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI, in_words
from second_classroom.core.wire import converter
from second_classroom.policies import serials, signing

Lookup = Callable[[str], Transcript | None]  # the transcript a serial names, if issued
CertificateLookup = Callable[[str], Certificate | None]  # the certificate it names, if issued
RoundLookup = Callable[[UUID], CadreRound | None]  # a cadre round by id: a 聘书's term
Appointed = Callable[[str, str], Sequence[UUID]]  # rounds of a term (届次) a 学号 was appointed in
CERTIFICATE_SUPERSEDED = "已被新证书替代"  # ``SUPERSEDED`` said of a certificate


@attrs.frozen
class Lookups:
    """What the 查证入口 reads of the log beside the published keys: the transcript and
    certificate registers, each serial's bit in the status list, and the cadre rounds a 聘书
    names (by id; for one issued before rounds were recorded, by its student and term)."""

    transcripts: Lookup
    certificates: CertificateLookup
    status_index: Callable[[str], int | None]
    rounds: RoundLookup
    appointed: Appointed


class VerificationStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    TAMPERED = "tampered"
    UNKNOWN = "unknown"
    UNKNOWN_KEY = "unknown_key"  # signed by a key the school never published
    MALFORMED = "malformed"

    @property
    def label(self) -> str:
        return {
            "valid": "有效",
            "revoked": "已作废",
            "superseded": "已被新成绩单替代",
            "tampered": "内容被篡改",
            "unknown": "查无此成绩单",
            "unknown_key": "签名密钥不是本校公布的密钥",
            "malformed": "编号无效（校验位不符）",
        }[self.value]


@attrs.frozen
class TermEnded:
    """A 聘书's term that ended early after it was issued (002 一 3)): the day (Asia/Shanghai,
    ``YYYY-MM-DD``) and whether the cadre resigned or was dismissed. The reason stays with the
    organization: an employer learns only that the letter's term did not run to its end."""

    on: str
    end: TermEnd

    @property
    def sentence(self) -> str:
        """The line the 查证 page prints under the letter."""
        day = in_words(date.fromisoformat(self.on))
        return f"该聘书所载任期已于{day}因{self.end.label}提前结束；聘书签发时所载内容属实。"


@attrs.frozen
class Verification:
    """The answer of the 查证入口: status, the signed content, and which key signed it."""

    status: VerificationStatus
    serial: str
    content: Content | None
    key_id: str | None
    note: str = ""
    certificate: CertificateContent | None = None  # a certificate's content (002 二 8))
    term_ended: TermEnded | None = None  # a 聘书 whose term ended early since (002 一 3))

    @property
    def label(self) -> str:
        """The verdict in words: the status's label, but a certificate superseded by the
        same one issued again says so of a certificate (已被新证书替代)."""
        if self.status is VerificationStatus.SUPERSEDED and self.certificate is not None:
            return CERTIFICATE_SUPERSEDED
        return self.status.label


def verify_serial(serial: str, keys: SchoolKeys, register: Lookups) -> Verification:
    """By serial: its check digit, the register, a published key and a signature that holds.
    A serial no transcript has is looked for among the certificates."""
    if not serials.is_valid(serial):
        return _answer(VerificationStatus.MALFORMED, serial, "编号校验位不符")
    found = register.transcripts(serial)
    if found is None:
        return _verify_certificate(serial, keys, register)
    key = keys.key(found.key_id)
    if key is None:
        note = "签名密钥不是本校公布的密钥"
        return _answer(VerificationStatus.UNKNOWN_KEY, found.serial, note, found.key_id)
    signed = key.trusted_for(found.content.issued_at) and signing.verify(
        key.raw, content_json(found.content), found.signature
    )
    if not signed:
        return _answer(VerificationStatus.TAMPERED, found.serial, "签名不符", found.key_id)
    status = VerificationStatus(found.status.value)
    return Verification(status, found.serial, found.content, found.key_id, found.reason)


def verify_document(
    document: Mapping[str, Any], keys: SchoolKeys, register: Lookups
) -> Verification:
    """A signed document a student handed over (``transcript_document``'s or
    ``certificate_document``'s shape, as JSON)."""
    shape = _read_document(document)
    if shape is None:
        return _verify_certificate_document(document, keys, register)
    refused = _refused_document(shape, keys, register.transcripts, content_json, "成绩单")
    return refused or verify_serial(shape[1], keys, register)


def verify_credential(credential: object, keys: SchoolKeys, register: Lookups) -> Verification:
    """A credential: its shape, that a key the school published signed it, that every claim
    is what the register holds (its status entry: the serial's place in the status list), then
    the transcript's or the certificate's standing."""
    try:
        proof = exports.read_credential(credential)
    except (ValueError, TypeError, RecursionError):
        return _answer(VerificationStatus.MALFORMED, "", "不是本校电子证书的格式")
    serial = proof.serial
    key = keys.with_public(proof.public_key)
    if key is None:
        return _answer(VerificationStatus.UNKNOWN_KEY, serial, "签名密钥不是本校公布的密钥")
    if not exports.proof_holds(proof):
        return _answer(VerificationStatus.TAMPERED, serial, "证明不符，文件被改动", key.key_id)
    if not serials.is_valid(serial):
        return _answer(VerificationStatus.MALFORMED, serial, "编号校验位不符")
    found: Transcript | Certificate | None
    if proof.subject == "certificate":
        found = register.certificates(serial)
        matches = found is not None and exports.certificate_claims_match(proof, found)
    else:
        found = register.transcripts(serial)
        matches = found is not None and exports.claims_match(proof, found)
    if found is None:
        return _answer(VerificationStatus.UNKNOWN, serial, "查无此成绩单或证书")
    if not matches:
        return _answer(VerificationStatus.TAMPERED, serial, "证书内容与登记不符", key.key_id)
    entry = proof.document.get("credentialStatus")
    if entry is not None:
        index = register.status_index(serial)
        if index is None or entry != exports.status_entry(found.content.school, index):
            note = "证书的作废状态位与登记不符"
            return _answer(VerificationStatus.TAMPERED, serial, note, key.key_id)
    if not key.trusted_for(found.content.issued_at):
        note = "签名密钥在文件生成前已停用"
        return _answer(VerificationStatus.TAMPERED, serial, note, key.key_id)
    return verify_serial(serial, keys, register)


def verify_pdf(data: bytes, keys: SchoolKeys, register: Lookups) -> Verification:
    """A printed transcript or certificate: the signed document it carries must verify, and
    every page must show exactly what that signed content prints as."""
    from second_classroom import pdf  # the PDF libraries load for PDF work only

    attached = pdf.attached_document(data)
    if attached is None:
        return _answer(VerificationStatus.MALFORMED, "", "PDF 未附签名文件，请按编号查证")
    document, verify_url = attached
    answer = verify_document(document, keys, register)
    shown = answer.content if answer.content is not None else answer.certificate
    if shown is None:
        return answer
    if not pdf.shows(data, shown, verify_url):
        note = "打印内容与签名内容不符，文件被改动"
        return _answer(VerificationStatus.TAMPERED, answer.serial, note, answer.key_id)
    return answer


def _verify_certificate(serial: str, keys: SchoolKeys, register: Lookups) -> Verification:
    """A certificate by serial: the published key's signature over its content, then its
    standing (valid, revoked or superseded) and, for a 聘书, whether its term ended early
    since."""
    found = register.certificates(serial)
    if found is None:
        return _answer(VerificationStatus.UNKNOWN, serial, "查无此成绩单或证书")
    key = keys.key(found.key_id)
    if key is None:
        note = "签名密钥不是本校公布的密钥"
        return _answer(VerificationStatus.UNKNOWN_KEY, found.serial, note, found.key_id)
    content = certificate_module.content_json(found.content)
    signed = key.trusted_for(found.content.issued_at) and signing.verify(
        key.raw, content, found.signature
    )
    if not signed:
        return _answer(VerificationStatus.TAMPERED, found.serial, "签名不符", found.key_id)
    status = VerificationStatus(found.status.value)
    return Verification(
        status,
        found.serial,
        None,
        found.key_id,
        found.reason,
        certificate=found.content,
        term_ended=term_ended(found, register),
    )


def term_ended(found: Certificate, register: Lookups) -> TermEnded | None:
    """How a 聘书's term ended early, read from its cadre round; None for any other
    certificate and a term that ran (or runs) to its planned end."""
    if found.content.kind is not CertificateKind.APPOINTMENT:
        return None
    cadre_round = (
        register.rounds(found.round_id)
        if found.round_id is not None
        else _round_of(found, register)
    )
    post = cadre_round.appointment(found.content.student_number) if cadre_round else None
    if post is None or post.ended_at is None or post.end is None:
        return None
    return TermEnded(f"{post.ended_at.astimezone(SHANGHAI):%Y-%m-%d}", post.end)


def _round_of(found: Certificate, register: Lookups) -> CadreRound | None:
    """The round of a 聘书 issued before certificates recorded it: among the rounds of the
    term it names (届次) that appointed its student, the one whose appointment it states row for
    row (organization, post, category, term, dates); None unless exactly one does."""
    term = dict(found.content.details).get("届次")
    if term is None:
        return None
    student = found.content.student_number
    stated = [
        cadre_round
        for cadre_round in map(register.rounds, register.appointed(student, term))
        if cadre_round is not None
        and certificate_module.states_appointment(found.content, cadre_round)
    ]
    return stated[0] if len(stated) == 1 else None


def _verify_certificate_document(
    document: Mapping[str, Any], keys: SchoolKeys, register: Lookups
) -> Verification:
    """A signed certificate document (``certificate_document``'s shape)."""
    shape = _read_certificate_document(document)
    if shape is None:
        return _answer(VerificationStatus.MALFORMED, "", "不是成绩单或证书文件的格式")
    to_json = certificate_module.content_json
    refused = _refused_document(shape, keys, register.certificates, to_json, "证书")
    return refused or _verify_certificate(shape[1], keys, register)


def _refused_document(
    shape: tuple[dict[str, Any], str, str, str],
    keys: SchoolKeys,
    registered: Callable[[str], Transcript | Certificate | None],
    to_json: Callable[[Any], dict[str, object]],
    what: str,
) -> Verification | None:
    """Why a signed document (content, serial, key id, signature) of a transcript or a
    certificate (``what``) is refused before its register's standing is read, else None: a
    key the school published (``keys``, from the log: never the current secret) signed the
    content, the register holds it as is, and the key was not retired before it was issued
    (a retired key vouches only for what came before; a thief may rebuild it)."""
    content, serial, key_id, signature = shape
    key = keys.key(key_id)
    if key is None:
        return _answer(VerificationStatus.UNKNOWN_KEY, serial, "签名密钥不是本校公布的密钥")
    if not signing.verify(key.raw, content, signature):
        return _answer(VerificationStatus.TAMPERED, serial, "签名不符，文件被改动", key_id)
    found = registered(serial)
    if found is None:
        return _answer(VerificationStatus.UNKNOWN, serial, f"查无此{what}", key_id)
    if not signing.same_json(to_json(found.content), content):
        return _answer(VerificationStatus.TAMPERED, serial, "内容与登记不符", key_id)
    if not key.trusted_for(found.content.issued_at):
        note = f"签名密钥在{what}生成前已停用"
        return _answer(VerificationStatus.TAMPERED, serial, note, key_id)
    return None


def malformed(note: str) -> Verification:
    """What anything but a serial or a document reads as."""
    return _answer(VerificationStatus.MALFORMED, "", note)


def _answer(
    status: VerificationStatus, serial: str, note: str, key_id: str | None = None
) -> Verification:
    """A verification that shows no content: the document was not vouched for."""
    return Verification(status, serial, None, key_id, note)


def _read_certificate_document(
    document: Mapping[str, Any],
) -> tuple[dict[str, Any], str, str, str] | None:
    """As ``_read_document``, for a document shaped like ``certificate_document`` gives."""
    return _read_signed(document, CertificateContent, certificate_module.content_json)


def _read_document(document: Mapping[str, Any]) -> tuple[dict[str, Any], str, str, str] | None:
    """(content, serial, key id, signature) of a document shaped like ``transcript_document``
    gives — content that reads as a transcript's and writes back the same — else None."""
    return _read_signed(document, Content, content_json)


PROOF_TYPE = "Ed25519Signature"


@attrs.frozen
class Proof:
    """A signed document's proof, ``{"type": "Ed25519Signature", "key_id", "signature"}``:
    which of the school's keys signed the content, and the signature."""

    key_id: str
    signature: str


def signed_document(content: dict[str, object], key_id: str, signature: str) -> dict[str, Any]:
    """One shape for every signed document (a transcript's, a certificate's), as
    ``_read_signed`` reads it back: ``{"content": …, "proof": …}``."""
    proof = {"type": PROOF_TYPE, **converter.unstructure(Proof(key_id, signature))}
    return {"content": content, "proof": proof}


def _read_signed(
    document: Mapping[str, Any], kind: type[Any], to_json: Callable[[Any], dict[str, object]]
) -> tuple[dict[str, Any], str, str, str] | None:
    """One shape for every signed document (``signed_document``), the content read strictly
    as ``kind``."""
    content, proof = document.get("content"), document.get("proof")
    if set(document) != {"content", "proof"} or not isinstance(content, dict):
        return None
    if not isinstance(proof, dict) or proof.get("type") != PROOF_TYPE:
        return None
    key_id, signature = proof.get("key_id"), proof.get("signature")
    if not isinstance(key_id, str) or not isinstance(signature, str):
        return None
    try:
        parsed = converter.structure(content, kind)
        if not signing.same_json(to_json(parsed), content):
            return None  # a value of the wrong type, read leniently
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError):
        return None
    except (DomainError, RecursionError, OverflowError):
        return None
    return content, parsed.serial, key_id, signature
