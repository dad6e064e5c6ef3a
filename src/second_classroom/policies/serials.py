"""Transcript serial numbers (成绩单编号, 第二十条): short, typeable, self-checking.

Format: ten data characters and one check character from Crockford's base 32 alphabet
``0123456789ABCDEFGHJKMNPQRSTVWXYZ`` (no I, L, O, U), shown as ``XXXX-XXXX-XXX``. Reading is
case-insensitive, ignores hyphens and spaces, and takes I/L as 1 and O as 0.

The check character is a Damm check over the quasigroup ``x ∘ y = 2·x + y`` in GF(32)
(polynomial x⁵ + x² + 1). Because 2 ≠ 0, 1 in the field, the quasigroup is totally
anti-symmetric: every single wrong character and every swap of two adjacent different
characters changes the result, so the check catches them all.
"""

from __future__ import annotations

import hashlib

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_VALUE.update({"I": 1, "L": 1, "O": 0})
_POLY = 0b100101  # x^5 + x^2 + 1
DATA_LENGTH = 10


def _times_two(x: int) -> int:
    x <<= 1
    return x ^ _POLY if x & 0b100000 else x


def _op(interim: int, digit: int) -> int:
    return _times_two(interim) ^ digit


def check_character(data: str) -> str:
    """The character that makes the Damm check of ``data`` + it come out 0."""
    interim = 0
    for char in data:
        interim = _op(interim, _VALUE[char])
    return ALPHABET[_times_two(interim)]  # 2·i + c = 0 ⇔ c = 2·i in characteristic 2


def normalize(text: str) -> str | None:
    """The canonical serial (no hyphens, upper case), or None if it cannot be one."""
    compact = text.replace("-", "").replace(" ", "").upper()
    if len(compact) != DATA_LENGTH + 1 or any(c not in _VALUE for c in compact):
        return None
    return "".join(ALPHABET[_VALUE[c]] for c in compact)


def is_valid(text: str) -> bool:
    """Whether ``text`` is a well-formed serial whose check character holds."""
    serial = normalize(text)
    if serial is None:
        return False
    interim = 0
    for char in serial:
        interim = _op(interim, _VALUE[char])
    return interim == 0


def make(seed: str) -> str:
    """A serial derived from ``seed`` (e.g. student and sequence), canonical form."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    data = "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in range(DATA_LENGTH))
    return data + check_character(data)


def display(serial: str) -> str:
    """``XXXX-XXXX-XXX`` for people."""
    return f"{serial[:4]}-{serial[4:8]}-{serial[8:]}"
