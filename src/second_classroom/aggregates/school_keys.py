"""The school's keys in the log: the fingerprint of its secret and its public signing keys.

The secret itself is configuration and never an event; its fingerprint is recorded the first
time the secret is used, so a process started with another secret is refused before it writes
anything (``store.secret_mismatch``). Verifying a transcript needs only the public keys
recorded here, never the current secret: a key is published (the first by the system when it
first signs, every later one by a school admin), and retired by a school admin. A retired key
is trusted only for transcripts issued before its retirement.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.text import Code, Reason
from second_classroom.policies import signing
from second_classroom.policies.context import Context

SECRET_MISMATCH = ErrorCode(
    "store.secret_mismatch",
    "学校密钥与本数据库登记的密钥指纹不符（{reason}），拒绝打开；请使用创建该数据库时的密钥",
    "The school secret does not match the fingerprint this database recorded ({reason}); "
    "refusing to open: use the secret the database was created with",
    Category.UNAVAILABLE,
)
KEY_INVALID = ErrorCode(
    "keys.invalid",
    "签名密钥无效：{reason}",
    "Invalid signing key: {reason}",
    Category.INVALID,
)
KEY_CONFLICT = ErrorCode(
    "keys.conflict",
    "签名密钥 {key_id} 与已公布的密钥冲突（同一编号或同一公钥已公布）",
    "Signing key {key_id} conflicts with a published key (same id or same public key)",
    Category.CONFLICT,
)
KEY_NOT_FOUND = ErrorCode(
    "keys.not_found",
    "签名密钥 {key_id} 未由本校公布",
    "Signing key {key_id} has not been published by the school",
    Category.NOT_FOUND,
)
KEY_RETIRED = ErrorCode(
    "keys.retired",
    "签名密钥 {key_id} 已停用",
    "Signing key {key_id} is retired",
    Category.CONFLICT,
)
REASON_REQUIRED = ErrorCode(
    "keys.reason_required", "请填写理由", "A reason is required", Category.INVALID
)

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


@attrs.frozen
class PublishedKey:
    """A public signing key as the school published it (base64url of the raw Ed25519 key)."""

    key_id: str
    public_key: str
    published_at: datetime
    retired_at: datetime | None = None
    retired_because: str = ""

    @property
    def raw(self) -> bytes:
        return signing.decode(self.public_key)

    def trusted_for(self, issued_at: datetime) -> bool:
        """A retired key vouches only for what was issued before its retirement."""
        return self.retired_at is None or issued_at < self.retired_at


@attrs.frozen
class SchoolKeys:
    fingerprint: str | None = None
    keys: tuple[PublishedKey, ...] = ()

    def key(self, key_id: str) -> PublishedKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    def with_public(self, public_key: bytes) -> PublishedKey | None:
        text = signing.encode(public_key)
        return next((k for k in self.keys if k.public_key == text), None)


@attrs.frozen
class SecretFingerprintRecorded:
    fingerprint: str
    at: datetime


@attrs.frozen
class SigningKeyPublished:
    key_id: str
    public_key: str
    by: str
    at: datetime


@attrs.frozen
class SigningKeyRetired:
    key_id: str
    reason: str
    by: str
    at: datetime


SchoolKeysEvent = SecretFingerprintRecorded | SigningKeyPublished | SigningKeyRetired
EVENTS: tuple[type, ...] = SchoolKeysEvent.__args__


@attrs.frozen
class RecordSecretFingerprint:
    """The system records the fingerprint of the secret it runs with (first use only)."""

    fingerprint: Code


@attrs.frozen
class PublishSigningKey:
    """A school admin publishes a public signing key (a rotation: publish the new key, then
    configure it). The system publishes the first key when it first signs."""

    key_id: Code
    public_key: Code


@attrs.frozen
class RetireSigningKey:
    """A school admin retires a key: it verifies what it signed before, and signs no more."""

    key_id: Code
    reason: Reason


SchoolKeysCommand = RecordSecretFingerprint | PublishSigningKey | RetireSigningKey
COMMANDS: tuple[type, ...] = SchoolKeysCommand.__args__


def target(_command: SchoolKeysCommand) -> UUID:
    return ids.school_keys_id()


def decide(
    command: SchoolKeysCommand, state: SchoolKeys | None, ctx: Context
) -> Sequence[SchoolKeysEvent]:
    actor = ctx.actor
    current = state or SchoolKeys()
    match command:
        case RecordSecretFingerprint(fingerprint=given):
            require(actor.is_system, UNAUTHORIZED, action="登记密钥指纹 record secret fingerprint")
            require(bool(_FINGERPRINT.fullmatch(given)), KEY_INVALID, reason="fingerprint")
            if current.fingerprint is None:
                return [SecretFingerprintRecorded(given, ctx.now)]
            require(
                hmac.compare_digest(current.fingerprint, given),
                SECRET_MISMATCH,
                reason="fingerprint differs",
            )
            return []
        case PublishSigningKey(key_id=key_id, public_key=public):
            bootstrap = actor.is_system and not current.keys
            require(
                actor.is_school_admin or bootstrap,
                UNAUTHORIZED,
                action="公布签名密钥 publish signing key",
            )
            require(bool(_KEY_ID.fullmatch(key_id)), KEY_INVALID, reason="key id")
            raw = required(_public_bytes(public), KEY_INVALID, reason="not an Ed25519 public key")
            same_id, same_key = current.key(key_id), current.with_public(raw)
            if same_id is not None and same_id == same_key:
                require(same_id.retired_at is None, KEY_RETIRED, key_id=key_id)
                return []  # published already
            require(same_id is None and same_key is None, KEY_CONFLICT, key_id=key_id)
            return [SigningKeyPublished(key_id, signing.encode(raw), actor.person_id, ctx.now)]
        case RetireSigningKey(key_id=key_id, reason=reason):
            require(actor.is_school_admin, UNAUTHORIZED, action="停用签名密钥 retire signing key")
            found = required(current.key(key_id), KEY_NOT_FOUND, key_id=key_id)
            require(bool(reason.strip()), REASON_REQUIRED)
            if found.retired_at is not None:
                return []
            return [SigningKeyRetired(key_id, reason, actor.person_id, ctx.now)]
    raise AssertionError(f"unhandled command {command!r}")


def _public_bytes(text: str) -> bytes | None:
    try:
        raw = signing.decode(text)
    except ValueError:
        return None
    return raw if signing.valid_public_key(raw) else None


def evolve(state: SchoolKeys | None, event: SchoolKeysEvent) -> SchoolKeys:
    current = state or SchoolKeys()
    match event:
        case SecretFingerprintRecorded(fingerprint=given):
            return attrs.evolve(current, fingerprint=given)
        case SigningKeyPublished(key_id=key_id, public_key=public, at=at):
            return attrs.evolve(current, keys=(*current.keys, PublishedKey(key_id, public, at)))
        case SigningKeyRetired(key_id=key_id, reason=reason, at=at):
            keys = tuple(
                attrs.evolve(k, retired_at=at, retired_because=reason) if k.key_id == key_id else k
                for k in current.keys
            )
            return attrs.evolve(current, keys=keys)
    raise AssertionError(f"unhandled event {event!r}")


DECIDER: FunctionalDecider[SchoolKeysCommand, SchoolKeys, SchoolKeysEvent, Context] = (
    FunctionalDecider("school_keys", decide, evolve, SchoolKeys, EVENTS, short=True)
)


def keys_to_record(
    state: SchoolKeys | None,
    ctx: Context,
    fingerprint: str | None,
    signing_key: tuple[str, str] | None,
) -> list[SchoolKeysEvent]:
    """What the first use of the secret records: its ``fingerprint`` unless recorded, and,
    when the school signs and has published no key yet, ``signing_key`` (id, public text).
    Nothing when the log holds them already; ``store.secret_mismatch`` for another secret."""
    commands: list[SchoolKeysCommand] = []
    if fingerprint is not None:
        commands.append(RecordSecretFingerprint(fingerprint))
    if signing_key is not None and not (state or SchoolKeys()).keys:
        commands.append(PublishSigningKey(*signing_key))
    events: list[SchoolKeysEvent] = []
    for command in commands:
        new = DECIDER.decide(command, state, ctx)
        state = DECIDER.fold(new, state)
        events += new
    return events
