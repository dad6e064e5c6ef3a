"""Checks of an Open Badges 3.0 credential written apart from the library: validation against
1EdTech's AchievementCredential schema, and its eddsa-jcs-2022 proof verified with ``rfc8785``
and ``cryptography`` alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SCHEMA = json.loads(
    (Path(__file__).parent / "vendor" / "ob_v3p0_achievementcredential.json").read_text("utf-8")
)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Where and why ``credential`` breaks the schema (empty when it is valid)."""
    validator = jsonschema.Draft201909Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(credential)]


def b58decode(text: str) -> bytes:
    """Base58 (the Bitcoin alphabet) as multibase's ``z`` prefix uses it."""
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def independently_verified(credential: dict[str, Any]) -> bool:
    """eddsa-jcs-2022 as the W3C Data Integrity EdDSA suite specifies it, written here from the
    specification with the ``rfc8785`` package and ``cryptography``, not the library's code."""
    (proof,) = credential["proof"]
    document = {k: v for k, v in credential.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    data = hashlib.sha256(rfc8785.dumps(config)).digest()
    data += hashlib.sha256(rfc8785.dumps(document)).digest()
    multikey = b58decode(proof["verificationMethod"].split("#")[1].removeprefix("z"))
    assert multikey[:2] == b"\xed\x01"  # the Ed25519 public key multicodec
    try:
        Ed25519PublicKey.from_public_bytes(multikey[2:]).verify(
            b58decode(proof["proofValue"].removeprefix("z")), data
        )
    except Exception:
        return False
    return True
