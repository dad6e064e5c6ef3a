"""Ed25519 over RFC 8785 canonical JSON (第二十条 成绩单): any changed byte fails; keys rotate by
id; the document survives any JSON round trip."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from second_classroom.policies.signing import (
    PUBLIC_KEY_BYTES,
    Keyring,
    canonical_json,
    decode,
    encode,
    fingerprint,
    same_json,
    valid_public_key,
    verify,
)

KEYS = Keyring.from_seed(bytes(range(32)))
CONTENT = {
    "school": "东北石油大学",
    "serial": "42CDJVA8P8J",
    "totals": [["技能特长", "学分", "0.5"]],
}


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "中"}) == '{"a":"中","b":1}'.encode()


def test_canonical_json_is_rfc_8785() -> None:
    """RFC 8785 3.2.2.3 numbers as ECMAScript writes them (the hand-written canonicaliser
    wrote ``1.0`` and ``1e+30``); 3.2.3 keys sorted by UTF-16 code units, not code points."""
    assert canonical_json([1.0, 1e30, -0.0, 0.000001]) == b"[1,1e+30,0,0.000001]"
    assert canonical_json({"\ue000": 1, "\U0001f600": 2}) == '{"😀":2,"\ue000":1}'.encode()
    assert canonical_json((1, ("a",))) == canonical_json([1, ["a"]])


def test_a_signature_verifies_under_its_public_key_only() -> None:
    signature = KEYS.sign(CONTENT)
    other = Keyring.from_seed(bytes(range(1, 33)))
    assert verify(KEYS.public_key, CONTENT, signature)
    assert verify(KEYS.public_key, json.loads(json.dumps(CONTENT, indent=3)), signature)
    assert not verify(other.public_key, CONTENT, signature)


def test_verify_never_raises_on_garbage() -> None:
    for content, signature in ((float("nan"), KEYS.sign(CONTENT)), (CONTENT, "***"), (CONTENT, "")):
        assert not verify(KEYS.public_key, content, signature)
    assert not verify(b"short", CONTENT, KEYS.sign(CONTENT))


def test_the_fingerprint_names_the_secret_without_revealing_derived_keys() -> None:
    secret = bytes(range(32))
    # HMAC-SHA256 of the label "second-classroom/secret-fingerprint/v1": a fixed value, so a
    # fingerprint recorded by one version names the same secret in every later one
    assert fingerprint(secret) == (
        "f8e579bf4e70d376906db14fb6fe7ad90b4f6ce36288dd8892d0e0c8b4520cef"
    )
    assert fingerprint(secret) == fingerprint(bytes(range(32)))
    assert fingerprint(secret) != fingerprint(bytes(range(1, 33)))
    assert secret.hex() not in fingerprint(secret)
    assert Keyring.from_secret(secret).private_seed.hex() not in fingerprint(secret)


@given(st.data())
def test_any_single_changed_byte_of_the_document_fails(data: st.DataObject) -> None:
    signature = KEYS.sign(CONTENT)
    raw = bytearray(canonical_json(CONTENT))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    try:
        changed = json.loads(raw.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        reject()  # not even a document any more: nothing to verify
    assert not verify(KEYS.public_key, changed, signature)


@given(st.data())
def test_any_single_changed_byte_of_the_signature_fails(data: st.DataObject) -> None:
    signature = KEYS.sign(CONTENT)
    position = data.draw(st.integers(0, len(signature) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    )
    changed = signature[:position] + replacement + signature[position + 1 :]
    # The last base64 character carries unused bits: a change there may decode the same.
    if _decoded(changed) != _decoded(signature):
        assert not verify(KEYS.public_key, CONTENT, changed)


def _decoded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_key_id_names_the_public_key_and_the_key_is_published_as_base64url() -> None:
    """A verifier working offline finds the key by id; the id is derived from the key itself."""
    assert KEYS.key_id == "ed25519-56475aa75463"
    assert KEYS.public_text == "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
    assert Keyring.from_seed(bytes(range(32)), "2027-key").key_id == "2027-key"


def test_a_signature_is_deterministic_unpadded_base64url() -> None:
    """Ed25519 signs deterministically: the same content always gives the same signature."""
    assert KEYS.sign({"a": 1}) == (
        "MlAD_WNr5cjHBezpFUU_lAoXucrT9YuZpXuCX5b55i_WqJsW3uzMoAjexiI-n-51gb_bkEssj5Fg-ZA8YSZYBg"
    )


def test_the_embedded_key_is_derived_from_the_schools_secret() -> None:
    """The same secret gives the same key (transcripts verify after a restart); another does not."""
    keys = Keyring.from_secret(bytes(32))
    assert keys.key_id == "ed25519-edb967b9a555"
    assert keys.public_text == "wRvQJ_tgCiEpzm63XLbkuUNHUtrphwpuM2z3Y5LQOQk"
    assert Keyring.from_secret(bytes(32)) == keys
    assert Keyring.from_secret(bytes(31) + b"\x01").key_id != keys.key_id
    assert verify(keys.public_key, CONTENT, keys.sign(CONTENT))
    assert not verify(KEYS.public_key, CONTENT, keys.sign(CONTENT))


def test_json_values_are_the_same_in_any_key_order_and_as_lists_or_tuples() -> None:
    assert same_json({"a": [1, "中"], "b": None}, {"b": None, "a": (1, "中")})
    assert not same_json({"a": 1}, {"a": 2})
    assert not same_json({"a": 1}, {"a": 1, "b": 1})


def test_what_json_cannot_hold_is_never_the_same() -> None:
    """NaN, a lone surrogate, a list nested beyond the recursion limit: never equal, never an
    exception."""
    assert not same_json(float("nan"), float("nan"))
    assert not same_json("\ud800", "\ud800")
    deep: list[object] = []
    for _ in range(5000):
        deep = [deep]
    assert not same_json(deep, deep)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\x00", "AA"),
        (b"\x00\x00", "AAA"),
        (b"\x00\x00\x17", "AAAX"),  # a trailing X is data, not padding
        (b"\xfb\xff", "-_8"),  # the URL-safe alphabet
    ],
)
def test_base64url_is_unpadded_and_round_trips(data: bytes, text: str) -> None:
    assert encode(data) == text
    assert decode(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "A",  # no length of bytes encodes to one character
        "AAAAA",
        "AA!A",  # not in the alphabet (a lenient decoder would drop it)
        "AA+/",  # the standard alphabet, not base64url
        "AA==",  # padded
        "ＡＡ",  # full width
    ],
)
def test_what_is_not_base64url_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not base64url$"):
        decode(text)


def test_a_public_key_is_32_bytes() -> None:
    assert valid_public_key(KEYS.public_key)
    assert len(KEYS.public_key) == PUBLIC_KEY_BYTES
    assert not valid_public_key(KEYS.public_key[:-1])
    assert not valid_public_key(KEYS.public_key + b"\x00")
