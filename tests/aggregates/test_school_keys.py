"""The school's keys in the log (第二十条 成绩单 stay verifiable; 第四条 查证入口): the secret's
fingerprint is recorded once and another is refused; signing keys are published and retired by
a school admin, the first one by the system when it first signs."""

from __future__ import annotations

import pytest

from second_classroom.aggregates import school_keys
from second_classroom.aggregates.school_keys import (
    DECIDER,
    PublishedKey,
    PublishSigningKey,
    RecordSecretFingerprint,
    RetireSigningKey,
    SecretFingerprintRecorded,
    SigningKeyPublished,
    SigningKeyRetired,
)
from second_classroom.core.actor import Actor
from second_classroom.policies.signing import Keyring, fingerprint
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN, at, context, given

SYSTEM = Actor.system()
PRINT = fingerprint(bytes(range(32)))
FIRST = Keyring.from_seed(bytes(range(32)))
SECOND = Keyring.from_seed(bytes(range(1, 33)), "2027")
PUBLISHED = SigningKeyPublished(FIRST.key_id, FIRST.public_text, "system", NOW)


def test_the_fingerprint_is_recorded_once_and_another_secret_is_refused() -> None:
    given(DECIDER).when(RecordSecretFingerprint(PRINT), context(SYSTEM)).then(
        SecretFingerprintRecorded(PRINT, NOW)
    )
    recorded = SecretFingerprintRecorded(PRINT, NOW)
    given(DECIDER, recorded).when(RecordSecretFingerprint(PRINT), context(SYSTEM)).then_nothing()
    other = fingerprint(bytes(range(1, 33)))
    mismatch = (
        given(DECIDER, recorded)
        .when(RecordSecretFingerprint(other), context(SYSTEM))
        .raises("store.secret_mismatch")
    )
    assert mismatch.details == {"reason": "fingerprint differs"}


def test_only_the_system_records_a_fingerprint_and_only_a_well_formed_one() -> None:
    forbidden = (
        given(DECIDER)
        .when(RecordSecretFingerprint(PRINT), context(SCHOOL_ADMIN))
        .raises("auth.forbidden")
    )
    assert forbidden.details == {"action": "登记密钥指纹 record secret fingerprint"}
    malformed = (
        given(DECIDER).when(RecordSecretFingerprint("abc"), context(SYSTEM)).raises("keys.invalid")
    )
    assert malformed.details == {"reason": "fingerprint"}


def test_the_system_publishes_the_first_key_and_only_the_first() -> None:
    first = PublishSigningKey(FIRST.key_id, FIRST.public_text)
    state = given(DECIDER).when(first, context(SYSTEM)).then(PUBLISHED)
    assert state.keys == (PublishedKey(FIRST.key_id, FIRST.public_text, NOW),)
    given(DECIDER, PUBLISHED).when(first, context(SYSTEM)).raises("auth.forbidden")
    second = PublishSigningKey(SECOND.key_id, SECOND.public_text)
    given(DECIDER, PUBLISHED).when(second, context(SYSTEM)).raises("auth.forbidden")
    refused = given(DECIDER, PUBLISHED).when(second, context(PE_ADMIN)).raises("auth.forbidden")
    assert refused.details == {"action": "公布签名密钥 publish signing key"}


def test_a_school_admin_publishes_a_new_key_once_and_never_under_a_taken_id_or_twice() -> None:
    second = PublishSigningKey(SECOND.key_id, SECOND.public_text)
    given(DECIDER, PUBLISHED).when(second, context(SCHOOL_ADMIN)).then(
        SigningKeyPublished(SECOND.key_id, SECOND.public_text, SCHOOL_ADMIN.person_id, NOW)
    )
    same = PublishSigningKey(FIRST.key_id, FIRST.public_text)
    given(DECIDER, PUBLISHED).when(same, context(SCHOOL_ADMIN)).then_nothing()
    taken_id = PublishSigningKey(FIRST.key_id, SECOND.public_text)
    conflict = (
        given(DECIDER, PUBLISHED).when(taken_id, context(SCHOOL_ADMIN)).raises("keys.conflict")
    )
    assert conflict.details == {"key_id": FIRST.key_id}
    same_key = PublishSigningKey("renamed", FIRST.public_text)
    conflict = (
        given(DECIDER, PUBLISHED).when(same_key, context(SCHOOL_ADMIN)).raises("keys.conflict")
    )
    assert conflict.details == {"key_id": "renamed"}


def test_a_published_key_is_an_ed25519_public_key_with_a_plain_id() -> None:
    for command, reason in (
        (PublishSigningKey("k1", "not base64!"), "not an Ed25519 public key"),
        (PublishSigningKey("k1", FIRST.public_text[:-4]), "not an Ed25519 public key"),  # 29 B
        (PublishSigningKey("", FIRST.public_text), "key id"),
        (PublishSigningKey("key id with spaces", FIRST.public_text), "key id"),
        (PublishSigningKey("k" * 65, FIRST.public_text), "key id"),
    ):
        error = given(DECIDER).when(command, context(SCHOOL_ADMIN)).raises("keys.invalid")
        assert error.details == {"reason": reason}


def test_retiring_a_key_dates_its_trust_and_it_cannot_come_back() -> None:
    retire = RetireSigningKey(FIRST.key_id, "私钥可能泄露")
    later = at(12, 20)
    state = (
        given(DECIDER, PUBLISHED)
        .when(retire, context(SCHOOL_ADMIN, later))
        .then(SigningKeyRetired(FIRST.key_id, "私钥可能泄露", SCHOOL_ADMIN.person_id, later))
    )
    [key] = state.keys
    assert key.trusted_for(at(12, 19))
    assert not key.trusted_for(later)
    retired = SigningKeyRetired(FIRST.key_id, "私钥可能泄露", SCHOOL_ADMIN.person_id, later)
    given(DECIDER, PUBLISHED, retired).when(retire, context(SCHOOL_ADMIN)).then_nothing()
    republish = PublishSigningKey(FIRST.key_id, FIRST.public_text)
    error = (
        given(DECIDER, PUBLISHED, retired)
        .when(republish, context(SCHOOL_ADMIN))
        .raises("keys.retired")
    )
    assert error.details == {"key_id": FIRST.key_id}


def test_retiring_needs_a_school_admin_a_known_key_and_a_reason() -> None:
    forbidden = (
        given(DECIDER, PUBLISHED)
        .when(RetireSigningKey(FIRST.key_id, "x"), context(SYSTEM))
        .raises("auth.forbidden")
    )
    assert forbidden.details == {"action": "停用签名密钥 retire signing key"}
    unknown = (
        given(DECIDER, PUBLISHED)
        .when(RetireSigningKey("nope", "x"), context(SCHOOL_ADMIN))
        .raises("keys.not_found")
    )
    assert unknown.details == {"key_id": "nope"}
    given(DECIDER, PUBLISHED).when(
        RetireSigningKey(FIRST.key_id, " "), context(SCHOOL_ADMIN)
    ).raises("keys.reason_required")


def test_retiring_one_key_leaves_the_others_trusted() -> None:
    """第二十条: a retired key's documents stay verifiable up to its retirement; the other
    keys are untouched."""
    second = SigningKeyPublished(SECOND.key_id, SECOND.public_text, "T-school", NOW)
    retired = SigningKeyRetired(SECOND.key_id, "轮换", SCHOOL_ADMIN.person_id, at(12, 20))
    state = DECIDER.fold([PUBLISHED, second, retired])
    assert state is not None
    assert state.keys == (
        PublishedKey(FIRST.key_id, FIRST.public_text, NOW),
        PublishedKey(SECOND.key_id, SECOND.public_text, NOW, at(12, 20), "轮换"),
    )


def test_an_unknown_command_or_event_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match=r"^unhandled command 'x'$"):
        school_keys.decide("x", None, context(SYSTEM))  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match=r"^unhandled event 'x'$"):
        school_keys.evolve(None, "x")  # type: ignore[arg-type]
