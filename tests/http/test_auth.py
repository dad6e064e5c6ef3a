"""Bearer tokens: HS256 with the key derived from the school secret, or EdDSA with the login
system's Ed25519 key; institutional roles only; expiry and audience checked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from second_classroom.core.actor import Actor, Role
from second_classroom.core.errors import DomainError
from second_classroom.core.time import SHANGHAI
from second_classroom.http.auth import BearerTokens, token_key

NOW = datetime.now(SHANGHAI)


def test_a_token_round_trips_the_person_and_staff_roles() -> None:
    tokens = BearerTokens.from_secret(b"s" * 32)
    for actor in (
        Actor.student("2023010101"),
        Actor.college_admin("T-1", "PE"),
        Actor.school_admin("T-2"),
    ):
        assert tokens.actor(tokens.issue(actor, NOW)) == actor


def test_eddsa_tokens_verify_with_the_public_key_only() -> None:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    login = BearerTokens(public, "EdDSA", signing_key=pem)
    service = BearerTokens(public, "EdDSA")
    token = login.issue(Actor.student("2023010101"), NOW)
    assert service.actor(token) == Actor.student("2023010101")
    # An HS256 token signed with the public key's bytes (algorithm confusion) is refused.
    with pytest.raises(DomainError) as caught:
        service.actor(BearerTokens(token_key(b"x" * 32)).issue(Actor.school_admin("T"), NOW))
    assert caught.value.code == "http.unauthenticated"


@pytest.mark.parametrize(
    "problem",
    ["expired", "other key", "other audience", "garbage"],
)
def test_a_bad_token_is_unauthenticated(problem: str) -> None:
    tokens = BearerTokens.from_secret(b"s" * 32)
    student = Actor.student("2023010101")
    token = {
        "expired": lambda: tokens.issue(student, NOW - timedelta(hours=2), timedelta(hours=1)),
        "other key": lambda: BearerTokens.from_secret(b"t" * 32).issue(student, NOW),
        "other audience": lambda: BearerTokens(tokens.verify_key, audience="x").issue(student, NOW),
        "garbage": lambda: "a.b.c",
    }[problem]()
    with pytest.raises(DomainError) as caught:
        tokens.actor(token)
    assert caught.value.code == "http.unauthenticated"
    assert caught.value.category.value == "forbidden"


def test_only_institutional_roles_are_written_into_a_token() -> None:
    tokens = BearerTokens.from_secret(b"s" * 32)
    mixed = Actor("2023010101", [Role.student(), *Actor.system().roles])
    assert tokens.actor(tokens.issue(mixed, NOW)) == Actor.student("2023010101")
