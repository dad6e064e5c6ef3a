"""Who is calling: a pluggable ``authenticate(request) -> Actor``; the default verifies a
signed bearer token (PyJWT) carrying the person id and the staff roles the school's login
system grants. Tribe roles never come from a token: the service reads them from the Tribe
streams."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from starlette.requests import Request

from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.time import require_aware
from second_classroom.http.refusals import UNAUTHENTICATED

Authenticate = Callable[[Request], Actor]

AUDIENCE = "second-classroom"
ALGORITHMS = ("HS256", "EdDSA")
VERIFIED_KEPT = 4096  # tokens whose signature was checked, remembered (emptied when full)
# The roles a token may carry: institutional ones, each with the scope it must have (True: a
# college code or a tribe id, as the role names; False: none; None: either). Tribe roles come
# from the Tribe streams, and the system role belongs to the library's own reactions, never to
# a caller.
_TOKEN_ROLES: dict[RoleKind, bool | None] = {
    RoleKind.STUDENT: False,
    RoleKind.SCHOOL_ADMIN: False,
    RoleKind.COLLEGE_ADMIN: True,
    RoleKind.COUNSELOR: True,  # 辅导员 of a college
    RoleKind.LEAGUE_SECRETARY: True,  # 学院团总支书记
    RoleKind.ADVISOR: None,  # a tribe's 指导老师 (its id), or 003's 指导教师 (none)
    RoleKind.CENTER: False,  # 第二课堂指导与服务中心
    RoleKind.ACADEMIC_AFFAIRS: False,  # 教务处
}


def token_key(secret: bytes) -> bytes:
    """The HS256 key derived from the school secret, so one secret serves both."""
    return hmac.new(secret, b"second-classroom/http/token", hashlib.sha256).digest()


def role_claims(roles: Iterable[Role]) -> list[str]:
    """``student``, ``school_admin``, ``college_admin:PE``, ``advisor:<tribe id>``: the token's
    ``roles`` claim."""
    claims = []
    # (a role with no scope sorts first: attrs' order cannot compare None with a scope)
    for role in sorted(roles, key=lambda r: (r.kind, r.scope or "")):
        if role.kind in _TOKEN_ROLES:
            claims.append(role.kind.value if role.scope is None else f"{role.kind}:{role.scope}")
    return claims


def roles_from_claims(claims: Any) -> frozenset[Role]:
    """The institutional roles named in a ``roles`` claim, each with the scope its kind takes;
    anything else is ignored."""
    if not isinstance(claims, list):
        return frozenset()
    found = set()
    for claim in claims:
        if not isinstance(claim, str):
            continue
        kind_name, colon, scope = claim.partition(":")
        try:
            kind = RoleKind(kind_name)
        except ValueError:
            continue
        if kind not in _TOKEN_ROLES:
            continue
        scoped = _TOKEN_ROLES[kind]
        if colon and not scope:
            continue  # "college_admin:" names no college
        if (scoped is True and not scope) or (scoped is False and scope):
            continue
        if kind is RoleKind.ADVISOR and scope and not _is_uuid(scope):
            continue  # a tribe's advisor is scoped by the tribe's id
        found.add(Role(kind, scope or None))
    return frozenset(found)


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


class BearerTokens:
    """Issue and verify ``Authorization: Bearer`` tokens.

    HS256 with a shared key (by default derived from the school secret, ``token_key``), or
    EdDSA: the login system signs with its Ed25519 private key, this service holds the public
    key only (``verify_key`` a PEM public key, ``signing_key`` absent).

    A client sends one token with every request until it expires: a token once verified is
    remembered with its expiry, and answered from there while it has not expired (its
    signature, audience and claims cannot change, and an issue or not-before time that was
    past stays past), so only its expiry is checked again — by PyJWT's own rule, the same
    leeway. A check costs about 39 µs here, a remembered token 0.2 (some 4 % of the server's
    CPU a command).
    """

    def __init__(
        self,
        verify_key: bytes | str,
        algorithm: str = "HS256",
        signing_key: bytes | str | None = None,
        audience: str = AUDIENCE,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unsupported token algorithm {algorithm!r} (use {ALGORITHMS})")
        self.verify_key = verify_key
        self.signing_key = signing_key if signing_key is not None else verify_key
        self.algorithm = algorithm
        self.audience = audience
        self.leeway = leeway
        self._verified: dict[str, tuple[Actor, int]] = {}  # token: (actor, exp)

    @classmethod
    def from_secret(cls, secret: bytes) -> BearerTokens:
        return cls(token_key(secret))

    def issue(self, actor: Actor, now: datetime, lifetime: timedelta = timedelta(hours=12)) -> str:
        """A token for ``actor``'s institutional roles, valid for ``lifetime`` from ``now``."""
        issued = require_aware(now)
        claims = {
            "sub": actor.person_id,
            "roles": role_claims(actor.roles),
            "aud": self.audience,
            "iat": int(issued.timestamp()),
            "exp": int((issued + lifetime).timestamp()),
        }
        return jwt.encode(claims, self.signing_key, algorithm=self.algorithm)

    def actor(self, token: str) -> Actor:
        """The actor a token names; ``http.unauthenticated`` if it is not valid now."""
        known = self._verified.get(token)
        if known is not None:
            actor, expires = known
            if expires <= time.time() - self.leeway.total_seconds():  # PyJWT's _validate_exp
                raise UNAUTHENTICATED.error(reason="令牌已过期 the token has expired")
            return actor
        try:
            claims = jwt.decode(
                token,
                self.verify_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["sub", "exp", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise UNAUTHENTICATED.error(reason="令牌已过期 the token has expired") from None
        except jwt.PyJWTError:
            raise UNAUTHENTICATED.error(reason="令牌无效 the token is not valid") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise UNAUTHENTICATED.error(reason="令牌未指明用户 the token names nobody")
        actor = Actor(subject, roles_from_claims(claims.get("roles")))
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.clear()
        self._verified[token] = (actor, int(claims["exp"]))  # an integer: PyJWT checked it
        return actor

    def __call__(self, request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UNAUTHENTICATED.error(
                reason="缺少 Bearer 令牌 an Authorization: Bearer token is required"
            )
        return self.actor(token.strip())
