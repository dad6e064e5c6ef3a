"""查证入口 (第四条) for real documents (第二十条 成绩单 永久保留): verification reads the public
keys the log publishes, never the current secret; keys rotate and retire; a document survives
any JSON round trip; whatever is handed over, the answer is a status, never an exception."""

from __future__ import annotations

import functools
import json
import random
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom import exports
from second_classroom.aggregates.certificate import (
    CertificateIssued,
    CertificateKind,
    IssueCertificate,
)
from second_classroom.aggregates.school_keys import PublishSigningKey, RetireSigningKey
from second_classroom.aggregates.transcript import content_json
from second_classroom.core.errors import DomainError
from second_classroom.persistence.stores import popo_env
from second_classroom.policies.signing import Keyring, same_json
from second_classroom.service import SecondClassroom, VerificationStatus
from tests.specification import SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET
from tests.transcript_world import NEW_KEY, URL, graduated, issue

FOREIGN = Keyring.from_seed(bytes(range(200, 232)), "2027-key")  # same id, not the school's
VALID = VerificationStatus.VALID


def statuses(
    issuer: SecondClassroom, verifier: SecondClassroom, serial: str
) -> list[VerificationStatus]:
    """By serial, as a JSON document, and as a credential ``issuer`` exports."""
    document = json.loads(
        json.dumps(issuer.transcript_document(serial, SCHOOL_ADMIN), ensure_ascii=False)
    )
    credential = json.loads(json.dumps(issuer.transcript_credential(serial, SCHOOL_ADMIN, URL)))
    return [
        verifier.verify_transcript(serial).status,
        verifier.verify_transcript(document).status,
        verifier.verify_credential(credential).status,
    ]


def test_every_transcript_verifies_after_a_rotation_and_a_retirement(
    service: SecondClassroom,
) -> None:
    """The school publishes a new key, signs with it, retires the old one: every transcript
    ever issued still verifies, by serial, as a document and as a credential."""
    student = graduated(service)
    old = issue(service, student, at(12, 5))
    first_key = service.school_keys().keys[0]
    # published by the system when it first signed
    assert first_key.key_id == Keyring.from_secret(TEST_SECRET).key_id
    rotated = SecondClassroom(service.app, secret=TEST_SECRET, keyring=NEW_KEY)
    with pytest.raises(DomainError) as unpublished:
        issue(rotated, student, at(12, 6))
    assert unpublished.value.code == "config.signing_key_unpublished"
    publish = PublishSigningKey(NEW_KEY.key_id, NEW_KEY.public_text)
    with pytest.raises(DomainError) as forbidden:
        rotated.execute(publish, student, at(12, 6))
    assert forbidden.value.code == "auth.forbidden"
    rotated.execute(publish, SCHOOL_ADMIN, at(12, 6))
    new = issue(rotated, student, at(12, 7))
    rotated.execute(RetireSigningKey(first_key.key_id, "年度轮换"), SCHOOL_ADMIN, at(12, 8))
    with pytest.raises(DomainError) as retired:
        issue(service, student, at(12, 9))
    assert retired.value.code == "config.signing_key_retired"
    for facade in (service, rotated):
        assert statuses(rotated, facade, old) == [VALID] * 3
        assert statuses(rotated, facade, new) == [VALID] * 3
        assert facade.verify_transcript(old).key_id == first_key.key_id
        assert facade.verify_transcript(new).key_id == NEW_KEY.key_id


def test_a_key_under_a_published_id_but_not_the_published_key_cannot_sign(
    service: SecondClassroom,
) -> None:
    student = graduated(service)
    issue(service, student, at(12, 5))
    impostor = Keyring.from_seed(bytes(range(200, 232)), Keyring.from_secret(TEST_SECRET).key_id)
    facade = SecondClassroom(service.app, secret=TEST_SECRET, keyring=impostor)
    with pytest.raises(DomainError) as refused:
        issue(facade, student, at(12, 6))
    assert refused.value.code == "config.signing_key_unpublished"
    with pytest.raises(DomainError) as refused:
        facade.transcript_credential(issue(service, student, at(12, 6)), SCHOOL_ADMIN, URL)
    assert refused.value.code == "config.signing_key_unpublished"


def test_verification_needs_no_secret(
    two_services: tuple[SecondClassroom, SecondClassroom],
) -> None:
    """A process that lost its secret (or a public verifier) still verifies from the log."""
    here, _there = two_services
    serial = issue(here, graduated(here), at(12, 5))
    document = here.transcript_document(serial, SCHOOL_ADMIN)
    credential = here.transcript_credential(serial, SCHOOL_ADMIN, URL)
    verifier = SecondClassroom(here.app, secret=None)
    assert verifier.secret is None
    assert verifier.keyring is None
    assert verifier.verify_transcript(serial).status is VALID
    assert verifier.verify_transcript(document).status is VALID
    assert verifier.verify_credential(credential).status is VALID


@functools.cache
def _world() -> tuple[SecondClassroom, str, str]:
    """One store with two transcripts (before and after a key's retirement), shared by the
    property tests below; nothing here is written by them."""
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    student = graduated(service)
    before = issue(service, student, at(12, 5))
    service.execute(PublishSigningKey(NEW_KEY.key_id, NEW_KEY.public_text), SCHOOL_ADMIN, at(12, 6))
    old_key = service.school_keys().keys[0].key_id
    service.execute(RetireSigningKey(old_key, "私钥可能泄露"), SCHOOL_ADMIN, at(12, 6))
    rotated = SecondClassroom(service.app, secret=TEST_SECRET, keyring=NEW_KEY)
    after = issue(rotated, student, at(12, 7))
    return rotated, before, after


@pytest.fixture
def world() -> tuple[SecondClassroom, str, str]:
    return _world()


FIXTURE = [HealthCheck.function_scoped_fixture]  # the world is built once and only read


def test_a_signature_by_a_key_the_school_never_published_reads_unknown_key(
    world: tuple[SecondClassroom, str, str],
) -> None:
    service, _before, serial = world
    document = service.transcript_document(serial, SCHOOL_ADMIN)
    assert document is not None
    resigned = {
        "content": document["content"],
        "proof": {**document["proof"], "signature": FOREIGN.sign(document["content"])},
    }
    assert service.verify_transcript(resigned).status is VerificationStatus.TAMPERED  # same id
    foreign = {**resigned, "proof": {**resigned["proof"], "key_id": "someone-else"}}
    assert service.verify_transcript(foreign).status is VerificationStatus.UNKNOWN_KEY
    registered = service.transcript(serial, SCHOOL_ADMIN)
    assert registered is not None
    credential = exports.achievement_credential(registered, FOREIGN, URL)
    assert service.verify_credential(credential).status is VerificationStatus.UNKNOWN_KEY


def test_a_retired_key_vouches_only_for_what_was_issued_before_its_retirement(
    world: tuple[SecondClassroom, str, str],
) -> None:
    """A thief with the retired key re-signs the newer transcript as a credential and as a
    document: refused. What the key signed before its retirement still verifies."""
    service, before, after = world
    leaked = Keyring.from_secret(TEST_SECRET)  # the retired key, as a thief would rebuild it
    for serial, expected in ((before, VALID), (after, VerificationStatus.TAMPERED)):
        registered = service.transcript(serial, SCHOOL_ADMIN)
        assert registered is not None
        credential = exports.achievement_credential(registered, leaked, URL)
        assert service.verify_credential(credential).status is expected
        content = content_json(registered.content)
        document = {
            "content": content,
            "proof": {
                "type": "Ed25519Signature",
                "key_id": leaked.key_id,
                "signature": leaked.sign(content),
            },
        }
        assert service.verify_transcript(document).status is expected


def test_a_retired_key_vouches_for_no_certificate_issued_after_its_retirement() -> None:
    """As for transcripts: a thief with the retired key re-signs the content of a certificate
    issued after the retirement as a document: refused; one issued before still verifies."""
    service = SecondClassroom.open(popo_env(), secret=TEST_SECRET)
    student = graduated(service)

    def honour(issuer: SecondClassroom, now: datetime) -> str:
        given = IssueCertificate(CertificateKind.HONOUR, student.person_id, title="优秀共青团员")
        outcome = issuer.execute(given, SCHOOL_ADMIN, now)
        return next(
            e.payload.serial for e in outcome.events if isinstance(e.payload, CertificateIssued)
        )

    before = honour(service, at(12, 5))
    service.execute(PublishSigningKey(NEW_KEY.key_id, NEW_KEY.public_text), SCHOOL_ADMIN, at(12, 6))
    old_key = service.school_keys().keys[0].key_id
    service.execute(RetireSigningKey(old_key, "私钥可能泄露"), SCHOOL_ADMIN, at(12, 6))
    rotated = SecondClassroom(service.app, secret=TEST_SECRET, keyring=NEW_KEY)
    after = honour(rotated, at(12, 7))
    leaked = Keyring.from_secret(TEST_SECRET)  # the retired key, as a thief would rebuild it
    for serial, expected in ((before, VALID), (after, VerificationStatus.TAMPERED)):
        genuine = rotated.certificate_document(serial, SCHOOL_ADMIN)
        assert genuine is not None
        assert rotated.verify_transcript(genuine).status is VALID
        proof = {"type": "Ed25519Signature", "key_id": leaked.key_id}
        content = genuine["content"]
        resigned = {"content": content, "proof": {**proof, "signature": leaked.sign(content)}}
        answer = rotated.verify_transcript(resigned)
        assert answer.status is expected
        if expected is not VALID:
            assert answer.note == "签名密钥在证书生成前已停用"


def test_a_credential_must_claim_what_the_register_holds(
    world: tuple[SecondClassroom, str, str],
) -> None:
    """Signed by the school's own key, but saying more than the register: refused."""
    service, _before, serial = world
    registered = service.transcript(serial, SCHOOL_ADMIN)
    assert registered is not None
    more = tuple(attrs.evolve(t, amount=t.amount * 19) for t in registered.content.totals)
    boasting = attrs.evolve(registered, content=attrs.evolve(registered.content, totals=more))
    credential = exports.achievement_credential(boasting, NEW_KEY, URL)
    assert exports.proof_holds(exports.read_credential(credential))
    answer = service.verify_credential(credential)
    assert answer.status is VerificationStatus.TAMPERED
    assert answer.content is None


def test_a_genuine_document_survives_a_json_file(world: tuple[SecondClassroom, str, str]) -> None:
    """The issue's reproduction: a tuple inside credits never equalled JSON's list."""
    service, before, after = world
    for serial in (before, after):
        document = service.transcript_document(serial, SCHOOL_ADMIN)
        assert service.verify_transcript(json.loads(json.dumps(document))).status is VALID


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def _differs(old: Any, new: Any) -> bool:
    return not same_json(old, new)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(), indent=st.sampled_from([None, 0, 1, 4, "\t", " \n "]))
def test_any_key_order_and_whitespace_verify(
    world: tuple[SecondClassroom, str, str], seed: int, indent: int | str | None
) -> None:
    service, before, after = world
    for serial in (before, after):
        document = service.transcript_document(serial, SCHOOL_ADMIN)
        text = json.dumps(_shuffled(document, random.Random(seed)), indent=indent)
        assert service.verify_transcript(json.loads(text)).status is VALID
        credential = service.transcript_credential(serial, SCHOOL_ADMIN, URL)
        text = json.dumps(_shuffled(credential, random.Random(seed)), indent=indent)
        assert service.verify_credential(json.loads(text)).status is VALID


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_change_of_one_value_fails(
    world: tuple[SecondClassroom, str, str], data: st.DataObject
) -> None:
    service, _before, serial = world
    for original, verify in (
        (service.transcript_document(serial, SCHOOL_ADMIN), service.verify_transcript),
        (service.transcript_credential(serial, SCHOOL_ADMIN, URL), service.verify_credential),
    ):
        path = data.draw(st.sampled_from(_leaves(original)))
        old = functools.reduce(lambda v, k: v[k], path, original)
        new = data.draw(JSON_VALUES.filter(functools.partial(_differs, old)))
        answer = verify(_replaced(original, path, new))
        assert answer.status is not VALID
        assert answer.content is None


MALFORMED = VerificationStatus.MALFORMED


@pytest.mark.parametrize(
    "given_input",
    [
        7,
        None,
        [],
        {},
        {"content": {}},
        {"content": 7, "proof": {}},
        {"content": {"serial": "X"}, "proof": {"type": "Ed25519Signature", "key_id": 1}},
        {"content": {"serial": ["x"]}, "proof": "sig"},
    ],
)
def test_malformed_documents_answer_malformed(
    world: tuple[SecondClassroom, str, str], given_input: Any
) -> None:
    service, _before, _after = world
    assert service.verify_transcript(given_input).status is MALFORMED
    assert service.verify_credential(given_input).status is MALFORMED


def test_malformed_credentials_answer_malformed(world: tuple[SecondClassroom, str, str]) -> None:
    service, _before, serial = world
    genuine = service.transcript_credential(serial, SCHOOL_ADMIN, URL)
    assert genuine is not None
    (proof,) = genuine["proof"]
    for broken in (
        {**genuine, "proof": {**proof, "verificationMethod": "did:key:z0OIl"}},
        {**genuine, "proof": {**proof, "verificationMethod": 7}},
        {**genuine, "proof": {**proof, "proofValue": "z0OIl"}},
        {**genuine, "proof": {**proof, "proofValue": ["z"]}},
        {**genuine, "proof": {**proof, "cryptosuite": "ecdsa-rdfc-2019"}},
        {**genuine, "id": 42},
        {**genuine, "validFrom": float("nan")},
        {**genuine, "name": "\ud800"},
    ):
        assert service.verify_credential(broken).status is MALFORMED
    document = service.transcript_document(serial, SCHOOL_ADMIN)
    assert document is not None
    content = document["content"]
    for wrong in (
        {**content, "cohort": "2023"},
        {**content, "cohort": 2023.5},
        {**content, "sections": "none"},
        {**content, "issued_at": "yesterday"},
        {**content, "version": "gold"},
        {**content, "extra": 1},
    ):
        assert service.verify_transcript({**document, "content": wrong}).status is MALFORMED


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=JSON_VALUES)
def test_verification_never_raises(world: tuple[SecondClassroom, str, str], value: Any) -> None:
    service, _before, serial = world
    assert service.verify_transcript(value).status in VerificationStatus
    assert service.verify_credential(value).status in VerificationStatus
    document = service.transcript_document(serial, SCHOOL_ADMIN)
    assert document is not None
    for key in ("content", "proof"):
        assert service.verify_transcript({**document, key: value}).status is not VALID
