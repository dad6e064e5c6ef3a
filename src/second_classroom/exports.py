"""Transcript exports: a W3C Verifiable Credential 2.0 shaped as an Open Badges 3.0
``AchievementCredential`` with an ``eddsa-jcs-2022`` Data Integrity proof, and a printable PDF
in Chinese (线下打印) with a QR code carrying the verification reference."""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from second_classroom.aggregates.certificate import Certificate, CertificateKind
from second_classroom.aggregates.transcript import Content, Transcript, heading_of
from second_classroom.core.text import plain_whole
from second_classroom.policies.signing import (
    SIGNATURE_BYTES,
    Keyring,
    canonical_json,
    same_json,
    valid_public_key,
)

VC_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = _BASE58[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def unbase58btc(text: str) -> bytes:
    """The bytes of a base58btc text; ValueError for a character outside the alphabet or a
    text longer than any key or signature."""
    if len(text) > 128:
        raise ValueError("base58btc text too long")
    number = 0
    for char in text:
        number = number * 58 + _BASE58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key(public_key: bytes) -> str:
    """The did:key of an Ed25519 public key."""
    return "did:key:z" + base58btc(_ED25519_MULTICODEC + public_key)


def public_key_of_did(did: str) -> bytes:
    """The Ed25519 public key a ``did:key`` (or its verification method) names; ValueError if
    it names none."""
    method = did.split("#")[0]
    if not method.startswith("did:key:z"):
        raise ValueError("not a did:key in base58btc")
    raw = unbase58btc(method.removeprefix("did:key:z"))
    if not raw.startswith(_ED25519_MULTICODEC) or not valid_public_key(raw[2:]):
        raise ValueError("not an Ed25519 did:key")
    return raw[2:]


CREDENTIAL_ID = "urn:second-classroom:transcript:"
CERTIFICATE_ID = "urn:second-classroom:certificate:"  # 电子证书 (002 二 8)


ISSUER_ID = "urn:second-classroom:school:"


def issuer_id(school: str) -> str:
    """The issuer's identifier: the school's, the same under every signing key (the key is
    named by the proof's ``verificationMethod``)."""
    return ISSUER_ID + hashlib.sha256(school.encode()).hexdigest()[:32]


def identity_hash(student_number: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` and the hex SHA-256 of the 学号 followed by the salt
    (PIPL 最小必要: the credential never carries the 学号 in the clear)."""
    return "sha256$" + hashlib.sha256((student_number + salt).encode()).hexdigest()


def credential_claims(
    transcript: Transcript, issuer: str, verify_url: str, status_index: int | None = None
) -> dict[str, Any]:
    """The credential without its proof: what it claims about the transcript, in the terms
    OB 3.0's AchievementCredential schema defines (``issuer`` is kept for callers; the issuer
    id is the school's whatever key signs). Name, college and class are left out (minimum
    necessary); whoever holds the 学号 checks ``identityHash`` with the salt given beside it."""
    del issuer  # the school's id, not the key's
    content = transcript.content
    serial = content.serial
    descriptions = [
        {
            "id": f"urn:second-classroom:result:{serial}:{n}",
            "type": ["ResultDescription"],
            "name": f"{t.module} {t.credit_type}",
            "resultType": "RawScore",
        }
        for n, t in enumerate(content.totals)
    ]
    achievement = {
        "name": f"{content.school} {heading_of(content)}",
        "description": f"{content.layout.label}·{content.version.label}",
        "criteria": {"narrative": "按《第二课堂成绩单》制度认定的活动记录与学分"},
        "resultDescription": descriptions,
    }
    results = [
        {"type": ["Result"], "value": str(t.amount), "resultDescription": d["id"]}
        for t, d in zip(content.totals, descriptions, strict=True)
    ]
    evidence = [
        {
            "type": ["Evidence"],
            "name": line.title,
            "genre": section.heading,
            "description": f"{line.date} {line.level} {line.outcome}".strip(),
        }
        for section in content.sections
        for line in section.lines
    ]
    named = f"{heading_of(content)}（{content.version.label}）"
    return _achievement_credential(
        content, CREDENTIAL_ID, named, achievement, evidence, verify_url, status_index, results
    )


def achievement_credential(
    transcript: Transcript, keyring: Keyring, verify_url: str, status_index: int | None = None
) -> dict[str, Any]:
    """The transcript as an OB 3.0 AchievementCredential, signed with eddsa-jcs-2022; with
    ``status_index`` its place in the school's revocation list (``credentialStatus``)."""
    credential = credential_claims(transcript, "", verify_url, status_index)
    return _signed(credential, keyring, transcript.content.issued_at)


# OB 3.0's achievementType for each certificate (its defined vocabulary).
ACHIEVEMENT_TYPES = {
    CertificateKind.AWARD: "Award",
    CertificateKind.VOLUNTEER_HOURS: "CommunityService",
    CertificateKind.APPOINTMENT: "Membership",
    CertificateKind.HONOUR: "Award",
}


def certificate_claims(
    certificate: Certificate, verify_url: str, status_index: int | None = None
) -> dict[str, Any]:
    """A certificate (电子奖状、志愿时卡、聘书、荣誉证书) as an OB 3.0 AchievementCredential
    without its proof. As for transcripts, the 学号 only as a salted hash; the name is left out
    (the printed sentence names the student, so the credential carries the details instead)."""
    content = certificate.content
    achievement = {
        "achievementType": ACHIEVEMENT_TYPES[content.kind],
        "name": content.title,
        "description": f"{content.kind.label}（{content.issuer}）",
        "criteria": {"narrative": f"{content.issuer}依《第二课堂成绩单》制度颁发"},
    }
    evidence = [
        {"type": ["Evidence"], "name": label, "description": value}
        for label, value in content.details
    ]
    named = f"{content.kind.label}：{content.title}"
    return _achievement_credential(
        content, CERTIFICATE_ID, named, achievement, evidence, verify_url, status_index
    )


class _Issued(Protocol):
    """What a transcript's and a certificate's content both say of their issue."""

    @property
    def school(self) -> str: ...
    @property
    def serial(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def student_number(self) -> str: ...


def _achievement_credential(
    content: _Issued,
    kind_id: str,
    name: str,
    achievement: dict[str, Any],
    evidence: list[dict[str, Any]],
    verify_url: str,
    status_index: int | None,
    results: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An OB 3.0 AchievementCredential without its proof, as a transcript's and a
    certificate's share it: the issuer, the salted 学号, the achievement named by the serial
    (with ``achievement``'s own fields), the 查证入口 first among the ``evidence``."""
    serial = content.serial
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(content.student_number, serial)],
        "achievement": {
            "id": f"urn:second-classroom:achievement:{serial}",
            "type": ["Achievement"],
            **achievement,
        },
    }
    if results is not None:
        subject["result"] = results
    return {
        **_frame(content.school, status_index),
        "id": f"{kind_id}{serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(content.school), "type": ["Profile"], "name": content.school},
        "validFrom": content.issued_at.isoformat(),
        "name": name,
        "credentialSubject": subject,
        "evidence": [
            {"id": f"{verify_url}?serial={serial}", "type": ["Evidence"], "name": "查证入口"},
            *evidence,
        ],
    }


def certificate_credential(
    certificate: Certificate, keyring: Keyring, verify_url: str, status_index: int | None = None
) -> dict[str, Any]:
    """The certificate as a signed OB 3.0 AchievementCredential (eddsa-jcs-2022)."""
    credential = certificate_claims(certificate, verify_url, status_index)
    return _signed(credential, keyring, certificate.content.issued_at)


def _signed(credential: dict[str, Any], keyring: Keyring, created: datetime) -> dict[str, Any]:
    """The credential with an eddsa-jcs-2022 Data Integrity proof by ``keyring``."""
    issuer = did_key(keyring.public_key)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.isoformat(),
        "verificationMethod": f"{issuer}#{issuer.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    key = Ed25519PrivateKey.from_private_bytes(keyring.private_seed)
    signature = key.sign(_hash_data(credential, proof))
    return {**credential, "proof": [{**proof, "proofValue": "z" + base58btc(signature)}]}


def _hash_data(credential: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
    """eddsa-jcs-2022: SHA-256(JCS(proof config, with the document's @context)) ‖
    SHA-256(JCS(document without proof))."""
    config = {**proof_config, "@context": credential["@context"]}
    return (
        hashlib.sha256(canonical_json(config)).digest()
        + hashlib.sha256(canonical_json(credential)).digest()
    )


@attrs.frozen
class CredentialProof:
    """What a credential's shape says: the key that signed it, the signature, the serial."""

    public_key: bytes
    signature: bytes
    serial: str
    document: dict[str, Any]  # the credential without its proof
    config: dict[str, Any]  # the proof without its value
    subject: str = "transcript"  # what the id names: "transcript" or "certificate"


def read_credential(credential: object) -> CredentialProof:
    """The proof of an eddsa-jcs-2022 credential; ValueError if it is not shaped like one."""
    if not isinstance(credential, dict):
        raise ValueError("a credential is a JSON object")
    proof = credential.get("proof")
    if isinstance(proof, list) and len(proof) == 1:  # OB 3.0 writes the proof as a set of one
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ValueError("no proof")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or proof.get("type") != "DataIntegrityProof":
        raise ValueError("not an eddsa-jcs-2022 Data Integrity proof")
    method, value = proof.get("verificationMethod"), proof.get("proofValue")
    ident = credential.get("id")
    if not (isinstance(method, str) and isinstance(value, str) and isinstance(ident, str)):
        raise ValueError("verificationMethod, proofValue and id are strings")
    if not value.startswith("z") or not ident.startswith((CREDENTIAL_ID, CERTIFICATE_ID)):
        raise ValueError("proofValue is multibase base58btc; id names a transcript")
    signature = unbase58btc(value.removeprefix("z"))
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature is 64 bytes")
    document = {k: v for k, v in credential.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" not in document:
        raise ValueError("no @context")
    canonical_json(credential)  # raises ValueError for what JSON cannot hold
    public = public_key_of_did(method)
    if ident.startswith(CERTIFICATE_ID):
        serial, subject = ident.removeprefix(CERTIFICATE_ID), "certificate"
    else:
        serial, subject = ident.removeprefix(CREDENTIAL_ID), "transcript"
    return CredentialProof(public, signature, serial, document, config, subject)


def proof_holds(proof: CredentialProof) -> bool:
    """Whether the signature is the named key's signature of the credential."""
    try:
        Ed25519PublicKey.from_public_bytes(proof.public_key).verify(
            proof.signature, _hash_data(proof.document, proof.config)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def claims_match(proof: CredentialProof, transcript: Transcript) -> bool:
    """Whether every claim of the credential is what the register holds (the evidence link,
    where to verify, is the one part not compared)."""
    expected = credential_claims(transcript, did_key(proof.public_key), "")
    activities = expected.pop("evidence")[1:]
    # the status entry is the register's too, checked by the verifier against the log
    given = {k: v for k, v in proof.document.items() if k not in ("evidence", "credentialStatus")}
    evidence = proof.document.get("evidence")
    shown = evidence[1:] if isinstance(evidence, list) else None
    return same_json(given, expected) and same_json(shown, activities)


def certificate_claims_match(proof: CredentialProof, certificate: Certificate) -> bool:
    """Whether every claim of a certificate's credential is what the register holds (the
    evidence link and the status entry are checked elsewhere)."""
    expected = certificate_claims(certificate, "")
    details = expected.pop("evidence")[1:]
    given = {k: v for k, v in proof.document.items() if k not in ("evidence", "credentialStatus")}
    evidence = proof.document.get("evidence")
    shown = evidence[1:] if isinstance(evidence, list) else None
    return same_json(given, expected) and same_json(shown, details)


# -- PDF --------------------------------------------------------------------------------------


def transcript_pdf(
    content: Content,
    verify_url: str,
    document: Mapping[str, Any] | None = None,
    photo: bytes | None = None,
    seal: bytes | None = None,
) -> bytes:
    """The printable A4 transcript (线下打印), see ``second_classroom.pdf``: the embedded CJK
    font, the verification QR code, and ``document`` (the signed JSON) attached when given."""
    from second_classroom import pdf

    return pdf.render(content, verify_url, document, photo, seal)


# -- revocation: a W3C Bitstring Status List -------------------------------------------------

STATUS_LIST_BITS = 131072  # the specification's minimum (16 KiB), so no list tells its size
STATUS_PURPOSE = "revocation"


def status_list_id(school: str) -> str:
    """The school's revocation list credential's id."""
    return f"urn:second-classroom:status:{issuer_id(school).removeprefix(ISSUER_ID)}:revocation"


def status_entry(school: str, index: int) -> dict[str, Any]:
    """A credential's ``credentialStatus``: its bit in the school's revocation list."""
    list_id = status_list_id(school)
    return {
        "id": f"{list_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
    }


def encode_bits(revoked: set[int], size: int = STATUS_LIST_BITS) -> str:
    """Multibase base64url (no padding) of the GZIP'd bitstring; bit 0 is the first byte's
    most significant bit. GZIP without a timestamp, so the same list gives the same text."""
    bits = bytearray(max(size, (max(revoked, default=0) // 8 + 1) * 8) // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_bits(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ValueError if it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is multibase base64url")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def status_list_credential(
    school: str, revoked: set[int], keyring: Keyring, now: datetime
) -> dict[str, Any]:
    """The school's signed BitstringStatusListCredential: bit ``i`` is set when the transcript
    whose ``statusListIndex`` is ``i`` is revoked or superseded."""
    list_id = status_list_id(school)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(school),
        "validFrom": now.isoformat(),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bits(revoked),
        },
    }
    return _signed(credential, keyring, now)


def revoked_by(credential: Mapping[str, Any], status_list: Mapping[str, Any]) -> bool:
    """Whether ``status_list`` (a signed list of the same issuer, whose proof holds) sets the
    credential's bit: what a verifier holding only the two documents can tell. ValueError if
    the list is not the credential's, is not the issuer's, or its proof does not hold."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        raise ValueError("the credential has no BitstringStatusListEntry")
    if status_list.get("id") != entry.get("statusListCredential"):
        raise ValueError("not the credential's status list")
    issuer = credential.get("issuer")
    issuer_of = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if status_list.get("issuer") != issuer_of:
        raise ValueError("the status list is not the credential's issuer's")
    proof = status_list.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    if len(proofs) != 1 or not isinstance(proofs[0], dict):
        raise ValueError("no proof")
    config = {k: v for k, v in proofs[0].items() if k != "proofValue"}
    method, value = proofs[0].get("verificationMethod"), proofs[0].get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("no eddsa-jcs-2022 proof")
    document = {k: v for k, v in status_list.items() if k != "proof"}
    holds = proof_holds(
        CredentialProof(public_key_of_did(method), unbase58btc(value[1:]), "", document, config)
    )
    if not holds:
        raise ValueError("the status list's proof does not hold")
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("encodedList"), str):
        raise ValueError("no encodedList")
    bits = decode_bits(subject["encodedList"])
    given = entry.get("statusListIndex")  # a string of ASCII digits, as status_entry writes it
    index = plain_whole(given, digits=12) if isinstance(given, str) else None
    if index is None or not index < len(bits) * 8:
        raise ValueError("statusListIndex is not ASCII digits naming a bit of the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _frame(school: str, status_index: int | None) -> dict[str, Any]:
    """What opens every credential: its place in the revocation list, if any, and the contexts."""
    status = (
        {} if status_index is None else {"credentialStatus": status_entry(school, status_index)}
    )
    return {**status, "@context": VC_CONTEXT}


def _identity(student_number: str, salt: str) -> dict[str, Any]:
    """The subject's 学号 as OB 3.0's salted hash (PIPL: minimum necessary)."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(student_number, salt),
        "identityType": "sisSourcedId",
        "hashed": True,
        "salt": salt,
    }
