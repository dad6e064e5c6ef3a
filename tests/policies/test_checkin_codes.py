"""签到码 (第十五条, 第十六条, 发布规范 十): signed rotating QR tokens, the password, the distance.

第十五条: the organizer creates a check-in code, optionally with a password shown above the QR,
a validity time and a distance limit. 第十六条: students check in by scanning the QR or typing
the password. 发布规范 十: the validity may not exceed 10 minutes, the distance is set from the
venue, and a school-wide activity may have no distance limit. When a phone's network or location
fails the organizer makes the check-in up afterwards (seed 002: 补录 within 5 working days) —
the codes below are what makes an on-site scan trustworthy in the first place.

A token is ``b"SC1" | activity (16) | session (u16) | step (u32) | HMAC-SHA256[:16]``, base64url
without padding; ``step = floor(unix seconds / rotation)`` and a token is accepted in its own
step and the next one (grace), nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import struct
from datetime import datetime, timedelta
from uuid import UUID

import pytest
import segno
from hypothesis import example, given
from hypothesis import strategies as st

from second_classroom.core import ids
from second_classroom.core.time import SHANGHAI
from second_classroom.policies.checkin_codes import (
    Token,
    TokenProblem,
    check_token,
    current_token,
    distance_bucket,
    fingerprint,
    haversine_m,
    issue_token,
    read_token,
    render_png,
    render_svg,
    render_terminal,
    same_password,
    session_password,
    time_step,
    within,
)
from tests.specification import NOW

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
LECTURE = ids.derive("activity", "test", "lecture")
CONCERT = ids.derive("activity", "test", "concert")
ROTATION = 15  # the rulebook's default rotation, in seconds
TOKEN_BYTES = 41


def decoded(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def step_start(step: int, rotation: int) -> datetime:
    """The first instant of ``step``."""
    return datetime.fromtimestamp(step * rotation, SHANGHAI)


STEP = time_step(NOW, ROTATION)


# --- reading a token back ----------------------------------------------------------------------


def test_a_token_reads_back_as_its_activity_session_and_step() -> None:
    """第十五条: the code names the activity, the check-in session and its time step."""
    token = issue_token(SECRET, LECTURE, 3, STEP)
    assert read_token(SECRET, token) == Token(LECTURE, 3, STEP)


def test_a_token_is_base64url_without_padding_over_41_bytes() -> None:
    """The QR payload is URL-safe text: no padding, no ``+`` or ``/``."""
    token = issue_token(SECRET, LECTURE, 65535, 2**32 - 1)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(decoded(token)) == TOKEN_BYTES
    assert decoded(token).startswith(b"SC1")


def test_the_current_token_is_the_token_of_the_current_step() -> None:
    """The QR shown now carries ``floor(unix / rotation)``."""
    assert current_token(SECRET, LECTURE, 1, NOW, ROTATION) == issue_token(SECRET, LECTURE, 1, STEP)


def test_the_time_step_is_unix_seconds_floor_divided_by_the_rotation() -> None:
    """step = floor(unix seconds / rotation)."""
    assert time_step(NOW, ROTATION) == int(NOW.timestamp()) // ROTATION
    assert time_step(NOW - timedelta(microseconds=1), ROTATION) == STEP - 1


# --- the rotation window -----------------------------------------------------------------------


def test_a_token_is_accepted_in_its_own_step() -> None:
    """第十六条: scanning the code on show checks the student in."""
    token = current_token(SECRET, LECTURE, 1, NOW, ROTATION)
    assert check_token(SECRET, token, LECTURE, NOW, ROTATION) == Token(LECTURE, 1, STEP)


def test_a_token_is_still_accepted_in_the_next_step() -> None:
    """Grace: a QR scanned just as it rotates still works for one more step."""
    token = issue_token(SECRET, LECTURE, 1, STEP - 1)
    assert check_token(SECRET, token, LECTURE, NOW, ROTATION) == Token(LECTURE, 1, STEP - 1)


def test_a_token_two_steps_old_has_expired() -> None:
    """A photographed QR passed around stops working after its grace step."""
    token = issue_token(SECRET, LECTURE, 1, STEP - 2)
    assert check_token(SECRET, token, LECTURE, NOW, ROTATION) is TokenProblem.EXPIRED


def test_a_token_from_a_future_step_has_expired() -> None:
    """A token one step early is refused too: only the current and the previous step count."""
    token = issue_token(SECRET, LECTURE, 1, STEP + 1)
    assert check_token(SECRET, token, LECTURE, NOW, ROTATION) is TokenProblem.EXPIRED


@given(
    rotation=st.integers(min_value=1, max_value=600),  # 发布规范 十: at most 10 minutes
    unix=st.integers(min_value=1_700_000_000, max_value=2_000_000_000),
    offset=st.integers(min_value=-3 * 600, max_value=4 * 600),
    micros=st.sampled_from([0, 1, 500_000, 999_999]),
)
@example(rotation=15, unix=int(NOW.timestamp()), offset=0, micros=0)
@example(rotation=15, unix=int(NOW.timestamp()), offset=-1, micros=999_999)
@example(rotation=15, unix=int(NOW.timestamp()), offset=29, micros=999_999)
@example(rotation=15, unix=int(NOW.timestamp()), offset=30, micros=0)
@example(rotation=600, unix=int(NOW.timestamp()), offset=1199, micros=999_999)
@example(rotation=600, unix=int(NOW.timestamp()), offset=1200, micros=0)
def test_a_token_is_accepted_exactly_from_its_step_to_the_end_of_the_grace_step(
    rotation: int, unix: int, offset: int, micros: int
) -> None:
    """At ``offset`` seconds into a token's step (any rotation up to 10 minutes) the token is
    accepted iff 0 ≤ offset < 2 × rotation, i.e. the current step is its step or the next."""
    step = unix // rotation
    token = issue_token(SECRET, LECTURE, 1, step)
    moment = step_start(step, rotation) + timedelta(seconds=offset, microseconds=micros)
    result = check_token(SECRET, token, LECTURE, moment, rotation)
    elapsed = offset * 1_000_000 + micros
    if 0 <= elapsed < 2 * rotation * 1_000_000:
        assert result == Token(LECTURE, 1, step)
    else:
        assert result is TokenProblem.EXPIRED


# --- refused tokens ----------------------------------------------------------------------------


def test_another_activitys_token_is_foreign() -> None:
    """A code for another activity does not check anyone in here."""
    token = current_token(SECRET, CONCERT, 1, NOW, ROTATION)
    assert check_token(SECRET, token, LECTURE, NOW, ROTATION) is TokenProblem.FOREIGN


@pytest.mark.parametrize(
    "garbage",
    ["", "hello", "not a token at all", "签到码", "====", "SC1", "A" * 55, "!" * 60],
)
def test_garbage_is_invalid(garbage: str) -> None:
    """Anything that is not one of our tokens is ``checkin.token_invalid``."""
    assert read_token(SECRET, garbage) is None
    assert check_token(SECRET, garbage, LECTURE, NOW, ROTATION) is TokenProblem.INVALID


@pytest.mark.parametrize("keep", [0, 1, 10, 40, 54])
def test_a_truncated_token_is_invalid(keep: int) -> None:
    """A partly captured QR is refused, not half-read."""
    token = current_token(SECRET, LECTURE, 1, NOW, ROTATION)
    assert check_token(SECRET, token[:keep], LECTURE, NOW, ROTATION) is TokenProblem.INVALID


def test_a_token_with_extra_bytes_is_invalid() -> None:
    """The length is exact: a valid token with a byte appended is refused."""
    raw = decoded(current_token(SECRET, LECTURE, 1, NOW, ROTATION))
    longer = encoded(raw + b"\x00")
    assert check_token(SECRET, longer, LECTURE, NOW, ROTATION) is TokenProblem.INVALID


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    """Only the server's secret makes valid codes: a forged QR is refused."""
    forged = current_token(OTHER_SECRET, LECTURE, 1, NOW, ROTATION)
    assert check_token(SECRET, forged, LECTURE, NOW, ROTATION) is TokenProblem.INVALID


def test_a_signed_token_of_another_format_version_is_invalid() -> None:
    """The magic ``SC1`` is checked too: a correctly signed ``SC2`` body is not ours."""
    body = struct.pack(">3s16sHI", b"SC2", LECTURE.bytes, 1, STEP)
    mac = hmac.new(SECRET, body, hashlib.sha256).digest()[:16]
    assert check_token(SECRET, encoded(body + mac), LECTURE, NOW, ROTATION) is TokenProblem.INVALID


@given(
    position=st.integers(min_value=0, max_value=TOKEN_BYTES - 1),
    mask=st.integers(min_value=1, max_value=255),
    session=st.integers(min_value=0, max_value=65535),
    step=st.integers(min_value=0, max_value=2**32 - 1),
    activity=st.uuids(),
)
@example(position=0, mask=1, session=1, step=STEP, activity=LECTURE)
@example(position=3, mask=0xFF, session=1, step=STEP, activity=LECTURE)  # the activity id
@example(position=19, mask=0x01, session=1, step=STEP, activity=LECTURE)  # the session
@example(position=24, mask=0x01, session=1, step=STEP, activity=LECTURE)  # the step
@example(position=40, mask=0x80, session=1, step=STEP, activity=LECTURE)  # the MAC
def test_changing_any_single_byte_makes_the_token_invalid(
    position: int, mask: int, session: int, step: int, activity: UUID
) -> None:
    """Tampering: flipping any bits of any one byte — magic, activity, session, step or MAC —
    is refused as ``checkin.token_invalid``, never read as a (different) genuine token."""
    raw = bytearray(decoded(issue_token(SECRET, activity, session, step)))
    raw[position] ^= mask
    tampered = encoded(bytes(raw))
    now = step_start(step, ROTATION)
    assert read_token(SECRET, tampered) is None
    assert check_token(SECRET, tampered, activity, now, ROTATION) is TokenProblem.INVALID


# --- the password ------------------------------------------------------------------------------


def test_the_session_password_is_six_digits() -> None:
    """第十五条: 签到密码会显示在签到二维码上方 — six digits, leading zeros kept."""
    for session in range(1, 50):
        assert re.fullmatch(r"\d{6}", session_password(SECRET, LECTURE, session))


def test_a_known_session_has_a_fixed_password() -> None:
    """第十五条: the password shown above the QR is recomputed, not stored: it must not drift."""
    assert session_password(SECRET, LECTURE, 1) == "844631"


@pytest.mark.parametrize(
    "typed",
    [
        "844631",
        "８４４６３１",  # full-width digits, as a phone keyboard may type them
        "844 631",
        " 844631\n",
        "8\u30004\t4631",  # an ideographic space
    ],
)
def test_the_password_is_read_as_typed_on_a_phone(typed: str) -> None:
    """第十五条 密码签到: a right password typed with full-width digits or spaces is right."""
    assert same_password(typed, session_password(SECRET, LECTURE, 1))


@pytest.mark.parametrize(
    "typed", ["844632", "84463", "8446311", "", "844631\ud800", "٨٤٤٦٣١", "844631x"]
)
def test_any_other_text_is_a_wrong_password_never_an_error(typed: str) -> None:
    """A wrong guess, a lone surrogate or Arabic-Indic digits: wrong, not an exception."""
    assert not same_password(typed, "844631")


def test_each_session_has_its_own_password() -> None:
    """A password from an earlier check-in session does not open the next."""
    passwords = [session_password(SECRET, LECTURE, session) for session in range(1, 21)]
    assert len(set(passwords)) == len(passwords)


def test_each_activity_has_its_own_password() -> None:
    """Session 1 of two activities has two different passwords."""
    assert session_password(SECRET, LECTURE, 1) != session_password(SECRET, CONCERT, 1)


def test_the_password_depends_on_the_secret() -> None:
    """Without the server secret the password cannot be predicted."""
    assert session_password(SECRET, LECTURE, 1) != session_password(OTHER_SECRET, LECTURE, 1)


# --- the distance rule -------------------------------------------------------------------------

latitudes = st.floats(min_value=-89.0, max_value=89.0, allow_nan=False)
longitudes = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)


def test_the_distance_from_a_point_to_itself_is_zero() -> None:
    assert haversine_m(45.6, 125.0, 45.6, 125.0) == 0.0


def test_one_degree_of_latitude_is_about_111_2_km() -> None:
    """On the mean-radius sphere one degree of latitude is 111.195 km."""
    assert haversine_m(45.0, 125.0, 46.0, 125.0) == pytest.approx(111_195, abs=1)
    assert haversine_m(0.0, 0.0, -1.0, 0.0) == pytest.approx(111_195, abs=1)


def test_one_degree_of_longitude_shrinks_with_latitude() -> None:
    """At 60° a degree of longitude is half what it is on the equator."""
    equator = haversine_m(0.0, 0.0, 0.0, 1.0)
    sixty = haversine_m(60.0, 0.0, 60.0, 1.0)
    assert sixty == pytest.approx(equator / 2, rel=1e-4)


def test_one_degree_of_longitude_on_the_equator_is_about_111_2_km() -> None:
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195, abs=1)
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(20_015_114, abs=1)


@given(latitudes, longitudes, latitudes, longitudes)
def test_the_distance_is_symmetric_and_never_negative(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    there = haversine_m(lat1, lon1, lat2, lon2)
    assert there == haversine_m(lat2, lon2, lat1, lon1)
    assert there >= 0.0


def test_exactly_radius_plus_accuracy_is_inside() -> None:
    """发布规范 十 签到距离: the device gets the benefit of its reported accuracy, inclusive."""
    assert within(120.0, 100.0, 20.0)


def test_a_centimetre_beyond_radius_plus_accuracy_is_outside() -> None:
    assert not within(120.01, 100.0, 20.0)


def test_a_negative_accuracy_never_shrinks_the_circle() -> None:
    """A nonsensical accuracy is read as none: the radius still applies in full."""
    assert within(100.0, 100.0, -50.0)
    assert not within(100.01, 100.0, -50.0)


@given(
    radius=st.floats(min_value=0.0, max_value=5000.0, allow_nan=False),
    accuracy=st.floats(min_value=0.0, max_value=1000.0, allow_nan=False),
    centimetres=st.integers(min_value=-100_000, max_value=100_000),
)
@example(radius=100.0, accuracy=20.0, centimetres=0)
@example(radius=100.0, accuracy=20.0, centimetres=1)
@example(radius=100.0, accuracy=20.0, centimetres=-1)
@example(radius=0.0, accuracy=0.0, centimetres=1)
def test_within_is_inside_up_to_radius_plus_accuracy_and_outside_beyond(
    radius: float, accuracy: float, centimetres: int
) -> None:
    """At ``centimetres`` from the edge of radius + accuracy: inside iff not past the edge."""
    edge = radius + accuracy
    distance = max(edge + centimetres / 100, 0.0)
    assert within(distance, radius, accuracy) is (centimetres <= 0)


@pytest.mark.parametrize(
    ("distance", "bucket"),
    [
        (None, "unlimited"),  # 发布规范 十: a school-wide activity may set no distance limit
        (0.0, "≤50m"),
        (50.0, "≤50m"),
        (50.01, "≤100m"),
        (100.0, "≤100m"),
        (100.01, "≤200m"),
        (200.0, "≤200m"),
        (200.01, "≤500m"),
        (500.0, "≤500m"),
        (500.01, ">500m"),
        (12_000.0, ">500m"),
    ],
)
def test_only_a_coarse_distance_bucket_is_kept(distance: float | None, bucket: str) -> None:
    """The location is kept as a bucket with inclusive upper bounds, never as coordinates."""
    assert distance_bucket(distance) == bucket


# --- fingerprints ------------------------------------------------------------------------------


def test_a_fingerprint_is_the_keyed_hash_of_its_kind_and_value() -> None:
    """The same device seen twice is recognised as the same (anomaly checks), because the
    fingerprint is HMAC-SHA256(secret, "kind/value") cut to 16 hex characters, recomputed here
    independently; another device, or the same text as another kind, is another fingerprint."""
    expected = hmac.new(SECRET, b"device/iPhone-ABC", hashlib.sha256).hexdigest()[:16]
    assert fingerprint(SECRET, "device", "iPhone-ABC") == expected
    assert fingerprint(SECRET, "device", "iPhone-ABD") != expected
    assert fingerprint(SECRET, "place", "iPhone-ABC") != expected


def test_a_fingerprint_is_sixteen_hex_characters_fixed_for_its_input() -> None:
    assert fingerprint(SECRET, "device", "iPhone-ABC") == "76fa324fe1307e1c"


def test_a_fingerprint_is_keyed_by_the_secret() -> None:
    """Without the secret a fingerprint cannot be recomputed from a guessed value."""
    assert fingerprint(SECRET, "device", "iPhone-ABC") != fingerprint(
        OTHER_SECRET, "device", "iPhone-ABC"
    )


def test_a_fingerprint_is_not_the_raw_value_nor_its_plain_hash() -> None:
    value = "45.123456,125.654321"
    print_ = fingerprint(SECRET, "location", value)
    assert value not in print_
    assert print_ not in hashlib.sha256(value.encode()).hexdigest()
    assert print_ not in hashlib.sha256(f"location/{value}".encode()).hexdigest()


def test_a_fingerprint_separates_kinds() -> None:
    """The same string as a device and as a location gives two different fingerprints."""
    assert fingerprint(SECRET, "device", "x") != fingerprint(SECRET, "location", "x")


def test_different_values_have_different_fingerprints() -> None:
    assert fingerprint(SECRET, "device", "a") != fingerprint(SECRET, "device", "b")


# --- rendering the QR --------------------------------------------------------------------------

TOKEN = issue_token(SECRET, LECTURE, 1, STEP)


def test_the_qr_renders_as_svg() -> None:
    svg = render_svg(TOKEN)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    # medium error correction (readable through some glare), 4 px a module
    assert svg == segno.make(TOKEN, error="M", boost_error=True).svg_inline(scale=4)


def test_the_qr_renders_as_png() -> None:
    assert render_png(TOKEN).startswith(b"\x89PNG\r\n\x1a\n")
    expected = io.BytesIO()
    segno.make(TOKEN, error="M").save(expected, kind="png", scale=6)  # 6 px a module
    assert render_png(TOKEN) == expected.getvalue()


def test_the_qr_renders_in_a_terminal() -> None:
    text = render_terminal(TOKEN)
    assert text.strip()
    assert len(text.splitlines()) > 5
    expected = io.StringIO()
    segno.make(TOKEN, error="M").terminal(out=expected, compact=True)  # two rows a line
    assert text == expected.getvalue()
