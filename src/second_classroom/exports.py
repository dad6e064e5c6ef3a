"""Transcript exports: a W3C Verifiable Credential 2.0 shaped as an Open Badges 3.0
``AchievementCredential`` with an ``eddsa-jcs-2022`` Data Integrity proof, and a printable PDF
in Chinese (线下打印) with a QR code carrying the verification reference."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from second_classroom.aggregates.transcript import Content, Transcript
from second_classroom.policies import serials
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


def credential_claims(transcript: Transcript, issuer: str, verify_url: str) -> dict[str, Any]:
    """The credential without its proof: what it claims about the transcript."""
    content = transcript.content
    return {
        "@context": VC_CONTEXT,
        "id": f"{CREDENTIAL_ID}{content.serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": content.school},
        "validFrom": content.issued_at.isoformat(),
        "name": f"第二课堂成绩单（{content.version.label}）",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": content.student_number,
                    "identityType": "studentId",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": f"urn:second-classroom:achievement:{content.serial}",
                "type": ["Achievement"],
                "name": f"{content.name} 第二课堂成绩单",
                "description": f"{content.college} {content.class_name}，{content.layout.label}",
                "criteria": {"narrative": "按《第二课堂成绩单》制度认定的活动记录与学分"},
            },
            "result": [
                {
                    "type": ["Result"],
                    "value": str(t.amount),
                    "resultDescription": f"{t.module} {t.credit_type}",
                }
                for t in content.totals
            ],
            "activities": [
                {"heading": s.heading, "titles": [line.title for line in s.lines]}
                for s in content.sections
            ],
        },
        "evidence": [{"id": f"{verify_url}?serial={content.serial}", "type": ["Evidence"]}],
    }


def achievement_credential(
    transcript: Transcript, keyring: Keyring, verify_url: str
) -> dict[str, Any]:
    """The transcript as an OB 3.0 AchievementCredential, signed with eddsa-jcs-2022."""
    issuer = did_key(keyring.public_key)
    credential = credential_claims(transcript, issuer, verify_url)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": transcript.content.issued_at.isoformat(),
        "verificationMethod": f"{issuer}#{issuer.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    key = Ed25519PrivateKey.from_private_bytes(keyring.private_seed)
    signature = key.sign(_hash_data(credential, proof))
    return {**credential, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


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


def read_credential(credential: object) -> CredentialProof:
    """The proof of an eddsa-jcs-2022 credential; ValueError if it is not shaped like one."""
    if not isinstance(credential, dict):
        raise ValueError("a credential is a JSON object")
    proof = credential.get("proof")
    if not isinstance(proof, dict):
        raise ValueError("no proof")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or proof.get("type") != "DataIntegrityProof":
        raise ValueError("not an eddsa-jcs-2022 Data Integrity proof")
    method, value = proof.get("verificationMethod"), proof.get("proofValue")
    ident = credential.get("id")
    if not (isinstance(method, str) and isinstance(value, str) and isinstance(ident, str)):
        raise ValueError("verificationMethod, proofValue and id are strings")
    if not value.startswith("z") or not ident.startswith(CREDENTIAL_ID):
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
    return CredentialProof(public, signature, ident.removeprefix(CREDENTIAL_ID), document, config)


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
    expected.pop("evidence")
    given = {k: v for k, v in proof.document.items() if k != "evidence"}
    return same_json(given, expected)


# -- PDF --------------------------------------------------------------------------------------


def transcript_pdf(content: Content, verify_url: str) -> bytes:
    """A printable A4 transcript in Chinese (线下打印) with a verification QR code.

    Uses reportlab's built-in STSong-Light CID font, so nothing is downloaded.
    """
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setTitle(f"第二课堂成绩单 {serials.display(content.serial)}")
    y = height - 60
    page.setFont(font, 18)
    page.drawCentredString(
        width / 2, y, f"{content.school} 第二课堂成绩单（{content.version.label}）"
    )
    y -= 28
    page.setFont(font, 10)
    page.drawString(
        50, y, f"编号：{serials.display(content.serial)}    版式：{content.layout.label}"
    )
    page.drawRightString(width - 50, y, f"生成时间：{content.issued_at:%Y-%m-%d %H:%M}")
    y -= 18
    page.drawString(
        50,
        y,
        f"姓名：{content.name}  学号：{content.student_number}  学院：{content.college}  "
        f"班级：{content.class_name}  年级：{content.cohort}  层次：{content.program}",
    )
    y -= 26
    for section in content.sections:
        if y < 140:
            page.showPage()
            page.setFont(font, 10)
            y = height - 60
        page.setFont(font, 12)
        page.drawString(50, y, section.heading)
        y -= 16
        page.setFont(font, 9)
        for line in section.lines:
            credits = "；".join(f"{amount}{kind}" for kind, amount in line.credits) or "—"
            awards = "、".join(line.awards)
            parts = (line.date, line.title, line.level, f"{line.hours}学时", line.outcome, credits)
            text = "  ".join(parts)
            page.drawString(60, y, text + (f"  获奖：{awards}" if awards else ""))
            y -= 14
            if y < 120:
                page.showPage()
                page.setFont(font, 9)
                y = height - 60
        y -= 8
    page.setFont(font, 12)
    page.drawString(50, y, "学分合计")
    y -= 16
    page.setFont(font, 10)
    for total in content.totals:
        page.drawString(60, y, f"{total.module}：{total.amount} {total.credit_type}")
        y -= 14
    qr = QrCodeWidget(f"{verify_url}?serial={content.serial}")
    left, bottom, right, top = qr.getBounds()
    size = 90.0
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, page, width - 50 - size, 40)
    page.setFont(font, 8)
    page.drawString(
        50,
        60,
        f"查证：扫描右侧二维码或访问 {verify_url} 输入编号 {serials.display(content.serial)}",
    )
    page.showPage()
    page.save()
    return buffer.getvalue()
