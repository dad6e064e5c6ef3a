"""Ed25519 signatures over canonical JSON, with key ids so keys can rotate (成绩单, 第二十条).

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8 without escaping, which is what
``json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` writes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.frozen
class Keyring:
    """The current signing key and every public key that may have signed before."""

    key_id: str
    private_seed: bytes = attrs.field(repr=False)
    public_keys: Mapping[str, bytes] = attrs.field(factory=dict)

    @classmethod
    def from_seed(
        cls, seed: bytes, key_id: str | None = None, older: Mapping[str, bytes] | None = None
    ) -> Keyring:
        public = public_key_of(seed)
        kid = key_id or "ed25519-" + hashlib.sha256(public).hexdigest()[:12]
        return cls(kid, seed, {**(older or {}), kid: public})

    @classmethod
    def from_secret(cls, secret: bytes) -> Keyring:
        """The embedded default: a signing key derived from the school's secret."""
        return cls.from_seed(hmac.new(secret, b"transcript-signing/v1", hashlib.sha256).digest())

    def sign(self, content: Any) -> str:
        key = Ed25519PrivateKey.from_private_bytes(self.private_seed)
        return _b64(key.sign(canonical_json(content)))

    def verify(self, content: Any, key_id: str, signature: str) -> bool:
        public = self.public_keys.get(key_id)
        if public is None:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(
                _unb64(signature), canonical_json(content)
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_key(self, key_id: str) -> str | None:
        """The public key as base64url, for a verifier that works offline."""
        found = self.public_keys.get(key_id)
        return _b64(found) if found is not None else None


def public_key_of(seed: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
