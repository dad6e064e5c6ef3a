"""签到 (第十五、十六条, 发布规范 十): signed rotating QR tokens, the password, the distance rule.

Token format (version 1), base64url without padding over 41 bytes:

    b"SC1" | activity id (16 bytes) | session number (u16, big-endian) |
    time step (u32, big-endian) | HMAC-SHA256(secret, the 25 bytes before)[:16]

The time step is ``floor(unix seconds / rotation)``; a code is accepted in its own step and
the one after (grace), so a QR shown at the end of a step still works when scanned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import struct
import unicodedata
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

MAGIC = b"SC1"
_BODY = struct.Struct(">3s16sHI")
_MAC_BYTES = 16
EARTH_RADIUS_M = 6_371_008.8


@attrs.frozen
class Token:
    activity_id: UUID
    session: int
    step: int


class TokenProblem(StrEnum):
    """Why a token was refused; each has its own error code."""

    INVALID = "checkin.token_invalid"  # not a token of ours, or tampered
    FOREIGN = "checkin.token_foreign"  # another activity's code
    EXPIRED = "checkin.token_expired"  # outside its step and the grace step


def time_step(moment: datetime, rotation_seconds: int) -> int:
    return math.floor(moment.timestamp() / rotation_seconds)


def issue_token(secret: bytes, activity_id: UUID, session: int, step: int) -> str:
    """The QR payload for ``step``."""
    body = _BODY.pack(MAGIC, activity_id.bytes, session, step)
    mac = hmac.new(secret, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(body + mac).rstrip(b"=").decode("ascii")


def current_token(
    secret: bytes, activity_id: UUID, session: int, now: datetime, rotation: int
) -> str:
    return issue_token(secret, activity_id, session, time_step(now, rotation))


def read_token(secret: bytes, token: str) -> Token | None:
    """The token's contents if it is ours and untampered, else None."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _BODY.size + _MAC_BYTES:
        return None
    body, mac = raw[: _BODY.size], raw[_BODY.size :]
    expected = hmac.new(secret, body, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        return None
    magic, activity, session, step = _BODY.unpack(body)
    if magic != MAGIC:
        return None
    return Token(UUID(bytes=activity), session, step)


def check_token(
    secret: bytes, token: str, activity_id: UUID, now: datetime, rotation: int
) -> Token | TokenProblem:
    """The token, or why it is refused."""
    read = read_token(secret, token)
    if read is None:
        return TokenProblem.INVALID
    if read.activity_id != activity_id:
        return TokenProblem.FOREIGN
    current = time_step(now, rotation)
    if read.step not in (current, current - 1):
        return TokenProblem.EXPIRED
    return read


def session_password(secret: bytes, activity_id: UUID, session: int) -> str:
    """The six-digit password shown above the QR (第十五条)."""
    digest = hmac.new(secret, f"password/{activity_id}/{session}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def same_password(given: str, expected: str) -> bool:
    """Whether ``given`` is the session's password, in constant time (any text is a guess).

    Read as typed on a phone: NFKC (full-width digits are digits) and without whitespace
    (``"123 456"``, a trailing space), so a right password mistyped so never costs an attempt.
    """
    typed = "".join(unicodedata.normalize("NFKC", given).split())
    return hmac.compare_digest(typed.encode("utf-8", "surrogatepass"), expected.encode("ascii"))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def within(distance_m: float, radius_m: float, accuracy_m: float) -> bool:
    """Inside the circle, giving the device the benefit of its reported accuracy."""
    return distance_m <= radius_m + max(accuracy_m, 0.0)


def distance_bucket(distance_m: float | None) -> str:
    """What is kept of a location: a coarse bucket, never the coordinates."""
    if distance_m is None:
        return "unlimited"
    for limit in (50, 100, 200, 500):
        if distance_m <= limit:
            return f"≤{limit}m"
    return ">500m"


def fingerprint(secret: bytes, kind: str, value: str) -> str:
    """A keyed hash for anomaly checks (same device, same coordinates), not reversible."""
    return hmac.new(secret, f"{kind}/{value}".encode(), hashlib.sha256).hexdigest()[:16]


def render_svg(token: str) -> str:
    """The QR code as an SVG document."""
    import segno

    return str(segno.make(token, error="m").svg_inline(scale=4))


def render_png(token: str) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="png", scale=6)
    return buffer.getvalue()


def render_terminal(token: str) -> str:
    import io

    import segno

    buffer = io.StringIO()
    segno.make(token, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()
