"""An activity of enrolment_world checked in on 12-03 (第十五条): three admitted students, one
scans the QR code, one types the password, one never comes; and the same activity finished."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from second_classroom.aggregates.activity_attendance import Geofence
from second_classroom.aggregates.checkin import CheckIn, Location, OpenCheckInSession
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.core.actor import Actor
from second_classroom.service import SecondClassroom
from tests.enrolment_world import (
    LEADER,
    ORGANIZER_NUMBER,
    REGISTERING,
    approved_activity,
    found_school,
)
from tests.specification import at

ORGANIZER = Actor.student(ORGANIZER_NUMBER)
FIELD = Geofence(46.5889, 125.1487, 100.0)  # 大庆校区 sports field
ON_SITE = Location(46.5890, 125.1488, 10.0)
STARTED = at(12, 3, 14, 5)
ENDED = at(12, 3, 16, 0)
AFTER = at(12, 4, 10)  # the day after: results are granted


def checked_in_world(service: SecondClassroom) -> tuple[UUID, list[Actor]]:
    """Three admitted students: one scans, one uses the password, one never comes."""
    students = [Actor.student(n) for n in found_school(service, 3)]
    talk = approved_activity(service, "talk")
    for student in students:
        service.execute(Register(talk), student, REGISTERING)
    service.execute(OpenCheckInSession(talk, 10, geofence=FIELD), ORGANIZER, STARTED)
    code = service.check_in_code(talk, 1, ORGANIZER, STARTED + timedelta(seconds=20))
    assert code.password is not None
    scan = CheckIn(talk, 1, token=code.token, location=ON_SITE)
    service.execute(scan, students[0], STARTED + timedelta(seconds=30))
    typed = CheckIn(talk, 1, password=code.password, location=ON_SITE, device_id="phone-2")
    service.execute(typed, students[1], STARTED + timedelta(minutes=2))
    return talk, students


def finished(service: SecondClassroom) -> list[Actor]:
    """``checked_in_world`` closed, the first student credited and the activity 完结 on 12-04."""
    talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    service.execute(GrantCredits(talk, (students[0].person_id,)), LEADER, at(12, 4))
    service.execute(FinalizeActivity(talk), Actor.student("2023010101"), at(12, 4, 1))
    return students


def top(service: SecondClassroom) -> int:
    """The log's last notification id (0 when empty)."""
    return service.app.recorder.max_notification_id() or 0
