"""Bearer tokens: HS256 with the key derived from the school secret, or EdDSA with the login
system's Ed25519 key; institutional roles only; expiry and audience checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.core.actor import Actor, Role, RoleKind
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
        # The staff roles a 补录 chain asks for (001 第三条、第六条; 003 (三)(四)).
        Actor("T-3", [Role(RoleKind.COUNSELOR, "PE"), Role(RoleKind.LEAGUE_SECRETARY, "PE")]),
        Actor("T-4", [Role(RoleKind.ADVISOR, str(UUID(int=7))), Role(RoleKind.ADVISOR)]),
        Actor("T-5", [Role(RoleKind.CENTER), Role(RoleKind.ACADEMIC_AFFAIRS)]),
    ):
        assert tokens.actor(tokens.issue(actor, NOW)) == actor


@pytest.mark.parametrize(
    "claim",
    [
        "college_admin",  # an admin of no college
        "college_admin:",
        "counselor",
        "league_secretary:",
        "school_admin:PE",  # the school's roles take no scope
        "center:PE",
        "academic_affairs:x",
        "student:PE",
        "advisor:not-a-tribe-id",
        "advisor:",
        "tribe_leader:" + str(UUID(int=7)),  # tribe roles come from the Tribe streams
        "system",  # the library's own reactions
        "superuser",
        "Student",
    ],
)
def test_a_role_claim_of_the_wrong_shape_gives_no_role(claim: str) -> None:
    """Given a token whose ``roles`` claim names a role the login system cannot grant, or
    with the wrong scope, when it is read, then that role is ignored and the rest kept."""
    key = token_key(b"s" * 32)
    tokens = BearerTokens(key)
    body = {"sub": "T-9", "aud": "second-classroom", "iat": int(NOW.timestamp())}
    body["exp"] = int((NOW + timedelta(hours=1)).timestamp())
    token = jwt.encode({**body, "roles": [claim, "student"]}, key, algorithm="HS256")
    assert tokens.actor(token) == Actor("T-9", [Role.student()])


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
    issuers: dict[str, Callable[[], str]] = {
        "expired": lambda: tokens.issue(student, NOW - timedelta(hours=2), timedelta(hours=1)),
        "other key": lambda: BearerTokens.from_secret(b"t" * 32).issue(student, NOW),
        "other audience": lambda: BearerTokens(tokens.verify_key, audience="x").issue(student, NOW),
        "garbage": lambda: "a.b.c",
    }
    token = issuers[problem]()
    with pytest.raises(DomainError) as caught:
        tokens.actor(token)
    assert caught.value.code == "http.unauthenticated"
    assert caught.value.category.value == "forbidden"


def test_only_institutional_roles_are_written_into_a_token() -> None:
    tokens = BearerTokens.from_secret(b"s" * 32)
    mixed = Actor("2023010101", [Role.student(), *Actor.system().roles])
    assert tokens.actor(tokens.issue(mixed, NOW)) == Actor.student("2023010101")


def test_a_token_verified_once_is_answered_without_checking_its_signature_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given a token the service has verified; when the same token comes again (a client
    sends one token with every request), then the same actor is answered and PyJWT is not
    asked again; a token it has not seen is checked."""
    tokens = BearerTokens.from_secret(b"s" * 32)
    student, other = Actor.student("2023010101"), Actor.student("2023010102")
    token = tokens.issue(student, NOW)
    calls: list[str] = []
    decode = jwt.decode

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return decode(text, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    assert tokens.actor(token) == tokens.actor(token) == tokens.actor(token) == student
    assert calls == [token]
    assert tokens.actor(tokens.issue(other, NOW)) == other
    assert len(calls) == 2


class _Frozen(datetime):
    """PyJWT's clock (``datetime.now``), held at ``moment``."""

    moment = 0.0

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.fromtimestamp(cls.moment, tz)


@given(offset=st.integers(min_value=-120, max_value=120))
def test_a_remembered_token_expires_when_a_fresh_check_says_it_has(offset: int) -> None:
    """Given a token verified twelve hours before it expires, remembered; when it comes again at
    any second around its expiry (30 seconds' leeway), then the answer is the one a service
    that never saw it gives at that second: the same actor while PyJWT accepts it, and the
    same refusal (expired) once PyJWT does not."""
    key = b"s" * 32
    remembering = BearerTokens.from_secret(key)
    token = remembering.issue(Actor.student("2023010101"), NOW)
    remembering.actor(token)  # verified now: remembered
    expires = int(jwt.decode(token, options={"verify_signature": False})["exp"])
    moment = expires + offset

    def answer(tokens: BearerTokens) -> str:
        try:
            return tokens.actor(token).person_id
        except DomainError as error:
            return f"{error.code}: {error.details}"

    with pytest.MonkeyPatch.context() as patch:
        _Frozen.moment = moment
        patch.setattr("jwt.api_jwt.datetime", _Frozen)
        patch.setattr("time.time", lambda: float(moment))  # the remembered token's clock
        fresh = answer(BearerTokens.from_secret(key))
        assert answer(remembering) == fresh
        # PyJWT: expired once exp <= now - leeway, so valid until 30 seconds past exp
        assert (fresh == "2023010101") == (offset < 30)
