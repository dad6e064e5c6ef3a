"""Ed25519 signatures over canonical JSON, with key ids so keys can rotate (成绩单, 第二十条).

Canonical JSON is RFC 8785 (JCS, the ``rfc8785`` package): keys sorted by UTF-16 code units,
no insignificant whitespace, UTF-8, numbers as ECMAScript prints them. Signing and comparing
both use it, so a document survives any JSON round trip, key order or whitespace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Any

import attrs
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
# Labels keep every value derived from the school's secret apart from every other.
_SIGNING_LABEL = b"transcript-signing/v1"
_FINGERPRINT_LABEL = b"second-classroom/secret-fingerprint/v1"


def canonical_json(data: Any) -> bytes:
    """RFC 8785 canonical form; raises ValueError for what JSON cannot hold (NaN, lone
    surrogates, integers beyond 2^53, non-string keys)."""
    return rfc8785.dumps(data)


def same_json(first: Any, second: Any) -> bool:
    """Whether two JSON values are equal as JSON (any key order, lists or tuples)."""
    try:
        return canonical_json(first) == canonical_json(second)
    except (ValueError, RecursionError):
        return False


def encode(data: bytes) -> str:
    """base64url without padding, as keys and signatures travel."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def decode(text: str) -> bytes:
    """The bytes of an unpadded base64url text, as ``encode`` writes it; ValueError if it is
    not one (padding and the standard alphabet's + and / too: one value, one text)."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def fingerprint(secret: bytes) -> str:
    """What the log records of the school's secret: HMAC-SHA256 of a fixed label under it (64
    hex digits), which names it without revealing it or anything derived from it."""
    return hmac.new(secret, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


@attrs.frozen
class Keyring:
    """The key that signs new transcripts: its id, private seed and public key."""

    key_id: str
    private_seed: bytes = attrs.field(repr=False)
    public_key: bytes

    @classmethod
    def from_seed(cls, seed: bytes, key_id: str | None = None) -> Keyring:
        public = public_key_of(seed)
        kid = key_id or "ed25519-" + hashlib.sha256(public).hexdigest()[:12]
        return cls(kid, seed, public)

    @classmethod
    def from_secret(cls, secret: bytes) -> Keyring:
        """The embedded default: a signing key derived from the school's secret."""
        return cls.from_seed(hmac.new(secret, _SIGNING_LABEL, hashlib.sha256).digest())

    def sign(self, content: Any) -> str:
        key = Ed25519PrivateKey.from_private_bytes(self.private_seed)
        return encode(key.sign(canonical_json(content)))

    @property
    def public_text(self) -> str:
        """The public key as base64url, as the log publishes it."""
        return encode(self.public_key)


def verify(public_key: bytes, content: Any, signature: str) -> bool:
    """Whether ``signature`` (base64url) is the key's signature of ``content``; never raises."""
    try:
        raw = decode(signature)
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw, canonical_json(content))
    except (InvalidSignature, ValueError, TypeError, RecursionError):
        return False
    return True


def public_key_of(seed: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def valid_public_key(raw: bytes) -> bool:
    """Whether ``raw`` is an Ed25519 public key (32 bytes that decode as a point)."""
    if len(raw) != PUBLIC_KEY_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return False
    return True
