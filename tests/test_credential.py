"""The transcript as an Open Badges 3.0 AchievementCredential (seed 002 电子证书): valid against
1EdTech's schema, the 学号 only as a salted hash (PIPL 最小必要), an issuer id that survives key
rotations, and a proof any verifier can check with RFC 8785 and Ed25519 alone."""

from __future__ import annotations

import hashlib
import json

import pytest

from second_classroom.aggregates.school_keys import PublishSigningKey
from second_classroom.service import SecondClassroom, VerificationStatus
from tests.credential_checks import independently_verified, schema_errors
from tests.specification import ARABIC_INDIC, SCHOOL_ADMIN, at, present
from tests.stores import TEST_SECRET
from tests.transcript_world import NEW_KEY, URL, graduated, issue


def test_every_credential_validates_against_the_ob_3_schema_and_verifies_independently(
    service: SecondClassroom,
) -> None:
    student = graduated(service)
    for day in (5, 6):
        serial = issue(service, student, at(12, day))
        credential = service.transcript_credential(serial, SCHOOL_ADMIN, URL)
        assert credential is not None
        assert schema_errors(credential) == []
        assert independently_verified(credential)
        assert service.verify_credential(credential).status is VerificationStatus.VALID
        tampered = json.loads(json.dumps(credential))
        tampered["credentialSubject"]["result"][0]["value"] = "9.5"
        assert schema_errors(tampered) == []
        assert not independently_verified(tampered)


def test_the_student_number_appears_only_as_a_salted_hash(service: SecondClassroom) -> None:
    student = graduated(service)
    serial = issue(service, student, at(12, 5))
    credential = service.transcript_credential(serial, SCHOOL_ADMIN, URL)
    assert credential is not None
    (identity,) = credential["credentialSubject"]["identifier"]
    assert identity["hashed"] is True
    salted = (student.person_id + identity["salt"]).encode()
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    text = json.dumps(credential, ensure_ascii=False)
    found = service.transcript(serial, SCHOOL_ADMIN)
    assert found is not None
    for private in (student.person_id, found.content.name, found.content.class_name):
        assert private not in text


def test_the_issuer_id_is_the_schools_under_every_key(service: SecondClassroom) -> None:
    """A key rotation changes the proof's verificationMethod, never the issuer's id."""
    student = graduated(service)
    old = issue(service, student, at(12, 5))
    rotated = SecondClassroom(service.app, secret=TEST_SECRET, keyring=NEW_KEY)
    rotated.execute(PublishSigningKey(NEW_KEY.key_id, NEW_KEY.public_text), SCHOOL_ADMIN, at(12, 6))
    new = issue(rotated, student, at(12, 7))
    first = service.transcript_credential(old, SCHOOL_ADMIN, URL)
    second = rotated.transcript_credential(new, SCHOOL_ADMIN, URL)
    assert first is not None
    assert second is not None
    assert first["issuer"]["id"] == second["issuer"]["id"]
    assert first["proof"][0]["verificationMethod"] != second["proof"][0]["verificationMethod"]
    assert rotated.verify_credential(first).status is VerificationStatus.VALID
    assert rotated.verify_credential(second).status is VerificationStatus.VALID


def test_revoking_a_transcript_flips_its_bit_in_the_signed_status_list(
    service: SecondClassroom,
) -> None:
    """W3C Bitstring Status List: a verifier holding only the credential and the school's list
    tells a revoked transcript from a valid one, offline; a list the school did not sign, or
    another school's, is refused."""
    from second_classroom import exports
    from second_classroom.aggregates.transcript import RevokeTranscript

    student = graduated(service)
    kept, revoked = issue(service, student, at(12, 5)), issue(service, student, at(12, 6))
    credentials = [
        present(service.transcript_credential(s, SCHOOL_ADMIN, URL)) for s in (kept, revoked)
    ]
    entries = [c["credentialStatus"] for c in credentials]
    assert [e["type"] for e in entries] == ["BitstringStatusListEntry"] * 2
    assert entries[0]["statusListIndex"] != entries[1]["statusListIndex"]
    before = service.status_list_credential(at(12, 7))
    assert before is not None
    assert independently_verified(before)
    assert [exports.revoked_by(c, before) for c in credentials] == [False, False]
    service.execute(RevokeTranscript(revoked, "信息有误"), SCHOOL_ADMIN, at(12, 8))
    after = service.status_list_credential(at(12, 9))
    assert after is not None
    assert [exports.revoked_by(c, after) for c in credentials] == [False, True]
    # the index as status_entry writes it, ASCII digits: not as int() would read it too
    index = entries[1]["statusListIndex"]
    for written in (f" {index}", f"+{index}", int(index), index.translate(ARABIC_INDIC), "131072"):
        moved_entry = {
            **credentials[1],
            "credentialStatus": {**entries[1], "statusListIndex": written},
        }
        with pytest.raises(ValueError, match="statusListIndex"):
            exports.revoked_by(moved_entry, after)
    assert len(exports.decode_bits(after["credentialSubject"]["encodedList"])) * 8 == 131072
    forged = json.loads(json.dumps(after))
    forged["credentialSubject"]["encodedList"] = before["credentialSubject"]["encodedList"]
    with pytest.raises(ValueError, match="proof"):
        exports.revoked_by(credentials[1], forged)
    foreign = {**after, "issuer": "urn:second-classroom:school:other"}
    with pytest.raises(ValueError, match="issuer"):
        exports.revoked_by(credentials[1], foreign)
    # signed by the school's own key but pointing at another transcript's bit: refused
    found, keyring = service.transcript(kept, SCHOOL_ADMIN), service.keyring
    assert found is not None
    assert keyring is not None
    other_bit = int(entries[1]["statusListIndex"])
    moved = exports.achievement_credential(found, keyring, URL, other_bit)
    answer = service.verify_credential(moved)
    assert answer.status is VerificationStatus.TAMPERED
    assert "作废状态位" in answer.note
    assert schema_errors(credentials[0]) == []
