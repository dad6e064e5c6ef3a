"""Kinds of text and quantity a command carries, declared on its fields with ``Annotated``.

``policies.boundary.admit`` reads these declarations to check every command before it is
decided (control characters, lengths, identifier patterns, bounds), and ``schema`` reads them to
write the same rules into the JSON Schemas; the command classes only carry the annotation.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated


class TextKind(StrEnum):
    """What a text field holds; each kind has its maximum length in the rulebook's limits."""

    PERSON_ID = "person_id"  # 学号 or 工号: NFKC-normalised, matched against a pattern
    TRIBE_CODE = "tribe_code"  # a tribe's school-unique code: NFKC-normalised, a pattern
    CODE = "code"  # other ids: college and module codes, tokens, serials, device ids
    NAME = "name"  # one line: a person's, tribe's, class's or award's name, a place, a tag
    TITLE = "title"  # one line: an activity's title
    DETAIL = "detail"  # several lines: an introduction, details, notes, criteria
    REASON = "reason"  # several lines: a reason or a comment
    PROOF = "proof"  # one line: a file reference or URL (proofs, images, attachments)

    @property
    def identifier(self) -> bool:
        """NFKC-normalised and matched against the rulebook's pattern."""
        return self in (TextKind.PERSON_ID, TextKind.TRIBE_CODE)

    @property
    def multiline(self) -> bool:
        """Line breaks and tabs are allowed (all other control characters are not)."""
        return self in (TextKind.DETAIL, TextKind.REASON)


class QuantityKind(StrEnum):
    """A bounded quantity; its maximum is in the rulebook's limits."""

    CREDIT = "credit"  # a credit amount (学分)
    NUMBER = "number"  # a number a form asks for (002 二 6): within ±2^31, in plain notation


PersonId = Annotated[str, TextKind.PERSON_ID]
TribeCode = Annotated[str, TextKind.TRIBE_CODE]
Code = Annotated[str, TextKind.CODE]
LevelCode = Annotated[str, TextKind.CODE]  # an activity level's code, one of the rulebook's
Name = Annotated[str, TextKind.NAME]
Title = Annotated[str, TextKind.TITLE]
Detail = Annotated[str, TextKind.DETAIL]
Reason = Annotated[str, TextKind.REASON]
Proof = Annotated[str, TextKind.PROOF]
Credit = Annotated[Decimal, QuantityKind.CREDIT]
Number = Annotated[Decimal, QuantityKind.NUMBER]

# Bounds every command obeys whatever the rulebook: 32-bit integers (no count, minute or
# score needs more), and times whose arithmetic (a validity in minutes, working days) cannot
# overflow ``datetime``.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
YEAR_MIN, YEAR_MAX = 1970, 2199
# The longest id (学号, 工号, code) a rulebook may allow: the read models index who acted and
# who registered, and PostgreSQL refuses an index row over about 2,700 bytes (at most 4 bytes
# a character in UTF-8, with room for the other columns of the key).
KEY_CHARS_MAX = 512


def plain_whole(text: str, digits: int = 9) -> int | None:
    """``text`` as a whole number if it is 1 to ``digits`` ASCII digits and nothing else, else
    None. ``int()`` would also read " 5", "+5", "1_000" and other scripts' digits ("٥")."""
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None
