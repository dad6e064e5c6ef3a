"""Check-in input at its bounds (issue 11 §8, review findings 5, 9, 11): validities that would
overflow the clock, geofences that limit nothing, and a right password typed on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from second_classroom.aggregates.activity_attendance import Geofence
from second_classroom.aggregates.checkin import CheckIn, OpenCheckInSession
from second_classroom.core.errors import DomainError
from second_classroom.policies import checkin_codes as codes
from second_classroom.policies.rulebook import CheckInRule
from second_classroom.service import SecondClassroom
from tests.checkin_world import (
    FIELD,
    ON_SITE,
    ORGANIZER,
    STARTED,
    checked_in_world,
    top,
)


@pytest.mark.parametrize("minutes", [-(2**31), -1, 0, 2**31 - 1])
def test_a_validity_out_of_bounds_is_refused_before_any_time_is_computed(
    service: SecondClassroom, minutes: int
) -> None:
    """发布规范 十 (有效时间不得超过10分钟): given a validity of -2**31 minutes (once an
    OverflowError) or 0, when a session is opened, then a check-in code, nothing stored."""
    talk, _students = checked_in_world(service)
    before = top(service)
    with pytest.raises(DomainError) as caught:
        service.execute(OpenCheckInSession(talk, minutes, geofence=FIELD), ORGANIZER, STARTED)
    assert caught.value.code in ("checkin.session_window", "checkin.validity_too_long")
    assert top(service) == before


@pytest.mark.parametrize("radius", [1e308, 5_000.5, 0.0, -1.0])
def test_a_geofence_beyond_the_rulebook_s_radius_is_invalid(
    service: SecondClassroom, radius: float
) -> None:
    """发布规范 十 (必须…设置…签到距离): a circle of 1e308 m would meet the rule while
    limiting nothing; ``checkin.max_radius_m`` (ours, 5 km) bounds it."""
    talk, _students = checked_in_world(service)
    fence = Geofence(FIELD.latitude, FIELD.longitude, radius)
    with pytest.raises(DomainError) as caught:
        service.execute(OpenCheckInSession(talk, 5, geofence=fence), ORGANIZER, STARTED)
    assert caught.value.code == "checkin.geofence_invalid"
    widest = Geofence(FIELD.latitude, FIELD.longitude, float(CheckInRule().max_radius_m))
    outcome = service.execute(OpenCheckInSession(talk, 5, geofence=widest), ORGANIZER, STARTED)
    [opened] = [e.payload for e in outcome.events]
    assert type(opened).__name__ == "CheckInSessionOpened"
    assert opened.session.geofence == widest  # exactly the rulebook's radius is accepted


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_the_right_password_in_full_width_or_with_spaces_checks_in(
    service: SecondClassroom,
) -> None:
    """Given the session's password typed as a phone keyboard may send it (full-width digits,
    a space before, after or inside), when the student checks in, then they are checked in and
    no attempt is spent."""
    talk, students = checked_in_world(service)
    password = service.check_in_code(talk, 1, ORGANIZER, STARTED).password
    assert password is not None
    typed = f" {password[:3].translate(FULL_WIDTH)} {password[3:]}\u3000"
    late = students[2]
    service.execute(CheckIn(talk, 1, password=typed, location=ON_SITE), late, STARTED)
    activity = service.activity(talk, ORGANIZER)
    assert activity is not None
    assert activity.attendance.wrong_guesses(1, late.person_id) == 0


@settings(max_examples=200, deadline=None)
@given(digits=st.text("0123456789", min_size=6, max_size=6), noise=st.text(" \t\u3000"))
def test_a_password_matches_exactly_when_its_digits_do(digits: str, noise: str) -> None:
    """Property: whitespace anywhere and full-width digits never change the verdict; any other
    digits never match."""
    expected = "123456"
    typed = noise + digits.translate(FULL_WIDTH) + noise
    assert codes.same_password(typed, expected) is (digits == expected)
    assert codes.same_password(digits[:3] + noise + digits[3:], expected) is (digits == expected)


def test_the_last_second_of_a_validity_is_still_inside_the_window(
    service: SecondClassroom,
) -> None:
    """The bound moved before the arithmetic; the window itself did not change."""
    talk, _students = checked_in_world(service)
    service.execute(OpenCheckInSession(talk, 10, geofence=FIELD), ORGANIZER, STARTED)
    code = service.check_in_code(talk, 2, ORGANIZER, STARTED)
    assert code.closes_at == STARTED + timedelta(minutes=10)
