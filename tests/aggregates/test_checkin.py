"""签到 (check-in): sessions, scan and password check-in, anomaly flags, 补签, 签退, closing.

第十五条 (生成签到码: 报名结束与活动结束期间, 活动负责人或组织者设置是否支持密码签到、签到有效时间、
距离限制; 签到密码显示在签到二维码上方), 第十六条 (扫码签到或密码签到; 无法签到时由负责人或组织者
补签; 成功报名活动未进行签到或被负责人、组织者签退 1 次, 进入黑名单 120 小时, 诚信分下降),
发布规范 十 (签到有效时间不超过 10 分钟; 须设置签到距离, 仅全校范围的活动可不设置) and seed 002
(合肥工业大学: 补签须在活动结束后 5 个工作日内完成).

Each test builds an approved activity with admitted students directly, decides one command with
``tests.specification.given_activity(...).when(command, actor, now)`` and checks the Decision,
or folds the decided events to check the ledger they lead to.
"""

from __future__ import annotations

import base64
import functools
import math
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom.aggregates import checkin, results
from second_classroom.aggregates import student as student_aggregate
from second_classroom.aggregates.activity import DECIDER as ACTIVITY_DECIDER
from second_classroom.aggregates.activity import Activity, ActivityStatus
from second_classroom.aggregates.activity_attendance import (
    RECENT_HORIZON_S,
    Attendance,
    AttendanceClosed,
    CheckInPasswordLocked,
    CheckInPasswordRejected,
    CheckInSessionOpened,
    CheckInWindowSet,
    FlaggedCheckInReviewed,
    Geofence,
    Method,
    NoShowMadeUp,
    Scan,
    Session,
    SessionKind,
    StudentCheckedIn,
    StudentSignedOff,
    evolve_attendance,
)
from second_classroom.aggregates.activity_facts import Decision, Involved
from second_classroom.aggregates.activity_results import Results
from second_classroom.aggregates.activity_roster import Roster
from second_classroom.aggregates.checkin import (
    CheckIn,
    CheckInCommand,
    CloseAttendance,
    Location,
    MakeUpCheckIn,
    OpenCheckInSession,
    ReviewFlaggedCheckIn,
    SetCheckInWindow,
    SignOff,
    _anomalous,
    checkin_window,
    closing_time,
    makeup_deadline,
    outcome_of,
)
from second_classroom.aggregates.enrolment import (
    Enrolment,
    EnrolmentOutcomeRecorded,
    EnrolmentStatus,
    LeaveStatus,
    enrolment_id,
)
from second_classroom.aggregates.integrity_record import IntegrityEntry
from second_classroom.aggregates.student import AttendanceRecorded, DefaultMadeUp, StudentRecord
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel, AttendanceOutcome, ParticipationScope
from second_classroom.policies import checkin_codes as codes
from second_classroom.policies import integrity as integrity_policy
from second_classroom.policies.activity_form import ActivityForm, Scope
from second_classroom.policies.rulebook import MissingCheckout, Rulebook, preset
from tests.aggregates.activity_fixtures import (
    ACTIVITY_ID,
    FORM,
    LEADER,
    ORGANIZER,
    OUTSIDER,
    TRIBE,
    TRIBE_ADMIN,
    record,
)
from tests.specification import CS_ADMIN, NEPU, WhenActivity, at, given_activity

# -- the calendar of FORM: registration closes 12-02 20:00, activity 12-03 14:00-16:00 --------

REGISTRATION_CLOSES = at(12, 2, 20)
STARTS = at(12, 3, 14)
ENDS = at(12, 3, 16)
DURING = at(12, 3, 14, 5)

SECRET = bytes(range(32))
HFUT = preset("hfut")
ROTATION = NEPU.checkin.rotation_seconds

A, B, C, D, E = "2023020201", "2023020202", "2023020203", "2023020204", "2023020205"
STUDENT_A, STUDENT_B = Actor.student(A), Actor.student(B)
FORM_ORGANIZER = Actor.student("2023010103")  # listed in FORM.organizers, no tribe role

FENCE = Geofence(46.5942, 125.1094, 100.0)  # 东北石油大学, 大庆
HERE = Location(FENCE.latitude, FENCE.longitude, 10.0)
METRES_PER_DEGREE = codes.haversine_m(0.0, 0.0, 1.0, 0.0)


def north_of_centre(metres: float, accuracy_m: float = 0.0) -> Location:
    """A location ``metres`` due north of the check-in point."""
    return Location(FENCE.latitude + metres / METRES_PER_DEGREE, FENCE.longitude, accuracy_m)


def activity(
    admitted: Iterable[str] = (A, B), form: ActivityForm = FORM, **changes: Any
) -> Activity:
    """The approved activity with ``admitted`` students and an empty attendance ledger."""
    approved = Activity(ACTIVITY_ID, TRIBE.id, form, status=ActivityStatus.APPROVED)
    return attrs.evolve(approved, roster=Roster(admitted=frozenset(admitted)), **changes)


def lecture(admitted: Iterable[str] = (A, B)) -> Activity:
    """The activity as an HFUT 报告讲座 (module ``lecture``): 002 一 2) sets its 补签 window."""
    return activity(admitted, attrs.evolve(FORM, module="lecture"))


def deciding(
    command: object,
    actor: Actor,
    now: datetime,
    state: Activity | None,
    *,
    rulebook: Rulebook = NEPU,
    secret: bytes | None = SECRET,
    enrolments: Mapping[str, Enrolment] | None = None,
    records: Mapping[str, StudentRecord] | None = None,
) -> WhenActivity:
    """``command`` by ``actor`` at ``now`` on ``state``, with the school's secret."""
    given = given_activity(
        state,
        tribe=TRIBE,
        records=records,
        enrolments=enrolments,
        secret=secret,
        rulebook=rulebook,
    )
    return given.when(command, actor, now)


def apply(state: Activity, decision: Decision) -> Activity:
    """The activity after the decision's events on its own stream."""
    activity_after = ACTIVITY_DECIDER.fold(decision.activity, state)
    assert activity_after is not None
    return activity_after


def run(
    state: Activity, command: CheckInCommand, actor: Actor, now: datetime, **kw: Any
) -> Activity:
    """Decide ``command`` and fold its events, stored even when refused: the activity after."""
    return apply(state, deciding(command, actor, now, state, **kw).decision())


def open_session(
    valid_minutes: int = 10,
    geofence: Geofence | None = FENCE,
    **changes: Any,
) -> OpenCheckInSession:
    return OpenCheckInSession(ACTIVITY_ID, valid_minutes, geofence=geofence, **changes)


def with_session(
    state: Activity | None = None,
    now: datetime = STARTS,
    command: OpenCheckInSession | None = None,
) -> Activity:
    """The activity after the leader opened a session at ``now`` (default: 10 min, fenced)."""
    return run(state or activity(), command or open_session(), LEADER, now)


def token(step_of: datetime, session: int = 1, activity_id: Any = ACTIVITY_ID) -> str:
    return codes.issue_token(SECRET, activity_id, session, codes.time_step(step_of, ROTATION))


def password(session: int = 1) -> str:
    return codes.session_password(SECRET, ACTIVITY_ID, session)


def by_password(
    session: int = 1, location: Location | None = HERE, device_id: str | None = None
) -> CheckIn:
    return CheckIn(
        ACTIVITY_ID, session, password=password(session), location=location, device_id=device_id
    )


WRONG = f"{(int(password()) + 1) % 1_000_000:06d}"  # one digit off the session's password


def guess(text: str, session: int = 1, location: Location | None = HERE) -> CheckIn:
    """A password check-in with ``text`` as the password."""
    return CheckIn(ACTIVITY_ID, session, password=text, location=location)


def checked_in(state: Activity, student: str, now: datetime, **kw: Any) -> Activity:
    return run(state, by_password(**kw), Actor.student(student), now)


def only_event(decision: Decision) -> Any:
    (event,) = decision.activity
    return event


def accepted(when: Any) -> Any:
    """The one event an accepted command stores, on the activity alone: no refusal and
    nothing for the enrolments or the records."""
    decision = when.decision()
    assert (decision.refusal, dict(decision.enrolments), dict(decision.records)) == (None, {}, {})
    return only_event(decision)


def made_up(event: object, student: str, now: datetime) -> bool:
    """Whether ``event`` is the leader's 补签 of ``student`` at ``now``."""
    return event == StudentCheckedIn(
        ACTIVITY_ID,
        0,
        student,
        Method.MAKEUP,
        "makeup",
        None,
        None,
        None,
        False,
        "手机没电，到场可证明",
        LEADER.person_id,
        now,
    )


# -- opening a session (第十五条, 发布规范 十) ---------------------------------------------------


def test_the_leader_opens_a_session_with_validity_password_and_distance() -> None:
    """第十五条: 设置是否支持密码签到、签到有效时间、距离限制, 点击“创建签到”即可生成签到码."""
    decision = deciding(open_session(), LEADER, STARTS, activity()).decision()
    session = Session(
        1, SessionKind.CHECK_IN, STARTS, STARTS + timedelta(minutes=10), True, FENCE, ROTATION
    )
    assert decision == Decision(
        (CheckInSessionOpened(ACTIVITY_ID, session, LEADER.person_id, STARTS),)
    )


@pytest.mark.parametrize(
    "manager",
    [LEADER, ORGANIZER, TRIBE_ADMIN, FORM_ORGANIZER],
    ids=["leader", "tribe-organizer", "tribe-admin", "organizer-listed-in-form"],
)
def test_the_leader_or_an_organizer_may_open_a_session(manager: Actor) -> None:
    """第十五条: 活动负责人或组织者 create the code — the tribe's or those the form lists."""
    opened = accepted(deciding(open_session(), manager, STARTS, activity()))
    session = Session(
        1, SessionKind.CHECK_IN, STARTS, STARTS + timedelta(minutes=10), True, FENCE, ROTATION
    )
    assert opened == CheckInSessionOpened(ACTIVITY_ID, session, manager.person_id, STARTS)


@pytest.mark.parametrize(
    "someone",
    [STUDENT_A, OUTSIDER, CS_ADMIN],
    ids=["admitted-student", "outsider", "unrelated-college-admin"],
)
def test_nobody_else_may_open_a_session(someone: Actor) -> None:
    """第十五条: only the leader or an organizer creates a check-in code; the refusal names
    the act."""
    error = deciding(open_session(), someone, STARTS, activity()).raises("auth.forbidden")
    assert error.details == {"action": "签到管理 manage check-in"}


def test_a_session_may_be_opened_from_the_close_of_registration() -> None:
    """第十五条: 报名结束与活动结束期间 — the close of registration itself is inside, once the
    host has moved the check-in time there (第十六条 签到时间可由活动主办方修改; by default it
    starts with the activity, see "the check-in time" below — this test used to open a code
    valid before the start without that)."""
    early = window(REGISTRATION_CLOSES, ENDS)
    decision = deciding(open_session(), LEADER, REGISTRATION_CLOSES, early).decision()
    assert only_event(decision).session.opens_at == REGISTRATION_CLOSES


@pytest.mark.parametrize(
    ("now", "command"),
    [
        (REGISTRATION_CLOSES - timedelta(minutes=1), open_session()),
        (ENDS, open_session()),
        (ENDS + timedelta(days=1), open_session()),
        (at(12, 3, 15, 55), open_session(10)),
        (DURING, open_session(opens_at=at(12, 3, 15, 51))),
        (DURING, open_session(opens_at=REGISTRATION_CLOSES - timedelta(minutes=1))),
        (ENDS, open_session(opens_at=at(12, 3, 15, 50))),
    ],
    ids=[
        "before-registration-closes",
        "at-the-end",
        "after-the-end",
        "validity-runs-past-the-end",
        "scheduled-to-run-past-the-end",
        "scheduled-before-registration-closes",
        "at-the-end-for-a-validity-before-it",
    ],
)
def test_a_session_lies_between_the_close_of_registration_and_the_end(
    now: datetime, command: OpenCheckInSession
) -> None:
    """第十五条: 报名结束与活动结束期间; the validity may not run past the end either."""
    deciding(command, LEADER, now, activity()).raises("checkin.session_window")


def test_a_session_may_close_exactly_at_the_end() -> None:
    """第十五条: a ten-minute session opened at 15:50 closes at 16:00, the end."""
    decision = deciding(open_session(10), LEADER, at(12, 3, 15, 50), activity()).decision()
    assert only_event(decision).session.closes_at == ENDS


def test_a_session_may_be_scheduled_to_open_later() -> None:
    """第十五条: the code may be created before it opens, within the activity."""
    later = at(12, 3, 15)
    session = only_event(
        deciding(open_session(opens_at=later), LEADER, DURING, activity()).decision()
    ).session
    assert (session.opens_at, session.closes_at) == (later, later + timedelta(minutes=10))


def test_validity_is_at_most_ten_minutes() -> None:
    """发布规范 十: 签到有效时间不超过 10 分钟."""
    error = deciding(open_session(11), LEADER, STARTS, activity()).raises(
        "checkin.validity_too_long"
    )
    assert error.details == {"maximum": 10}


@pytest.mark.parametrize("minutes", [0, -1])
def test_a_validity_is_at_least_one_minute(minutes: int) -> None:
    """发布规范 十 有效时间: a code valid for no time (or less) is no session at all."""
    deciding(open_session(minutes), LEADER, STARTS, activity()).raises("checkin.session_window")


def test_one_minute_is_the_shortest_validity() -> None:
    opened = accepted(deciding(open_session(1), LEADER, STARTS, activity()))
    assert (opened.session.opens_at, opened.session.closes_at) == (
        STARTS,
        STARTS + timedelta(minutes=1),
    )


def test_ten_minutes_is_allowed() -> None:
    """发布规范 十: exactly ten minutes is within the limit."""
    opened = accepted(deciding(open_session(10), LEADER, STARTS, activity()))
    assert isinstance(opened, CheckInSessionOpened)
    assert (opened.session.opens_at, opened.session.closes_at) == (
        STARTS,
        STARTS + timedelta(minutes=10),
    )


def test_a_college_activity_needs_a_distance_limit() -> None:
    """发布规范 十: 须设置签到距离 unless the activity is school-wide."""
    deciding(open_session(geofence=None), LEADER, STARTS, activity()).raises(
        "checkin.distance_required"
    )


# 发布规范 十 若活动范围涉及全校可不进行签到距离限制设置 is read as the venue (the form's
# campus_wide_venue), not the participation scope: 学校内 is the default scope, and keyed on it
# most activities escaped the distance limit. The two tests below replace ones that encoded that.


@pytest.mark.parametrize("kind", list(ParticipationScope))
def test_every_scope_needs_a_distance_limit_without_a_campus_wide_venue(
    kind: ParticipationScope,
) -> None:
    """Given any participation scope — 学校内 and 不限 included — and a venue that is not
    campus-wide, when a session is opened without a distance, then checkin.distance_required."""
    scoped = activity(form=attrs.evolve(FORM, scope=Scope(kind, ("PE", "CS"))))
    deciding(open_session(geofence=None), LEADER, STARTS, scoped).raises(
        "checkin.distance_required"
    )


@pytest.mark.parametrize("kind", list(ParticipationScope))
def test_a_campus_wide_venue_may_omit_the_distance_limit(kind: ParticipationScope) -> None:
    """发布规范 十: 活动范围涉及全校 — given the venue flagged campus-wide, whatever the scope,
    when a session is opened without a distance, then it is opened."""
    form = attrs.evolve(FORM, scope=Scope(kind, ("PE", "CS")), campus_wide_venue=True)
    decision = deciding(open_session(geofence=None), LEADER, STARTS, activity(form=form)).decision()
    assert only_event(decision).session.geofence is None


@pytest.mark.parametrize(
    "fence",
    [
        Geofence(46.5, 125.1, 0.0),
        Geofence(46.5, 125.1, -50.0),
        Geofence(46.5, 125.1, math.nan),
        Geofence(91.0, 125.1, 100.0),
        Geofence(-90.5, 125.1, 100.0),
        Geofence(46.5, 180.5, 100.0),
        Geofence(46.5, -181.0, 100.0),
    ],
    ids=[
        "zero-radius",
        "negative-radius",
        "nan-radius",
        "lat>90",
        "lat<-90",
        "lon>180",
        "lon<-180",
    ],
)
def test_the_distance_limit_must_be_a_valid_circle(fence: Geofence) -> None:
    """发布规范 十: 签到距离 is a centre on the earth and a positive radius."""
    deciding(open_session(geofence=fence), LEADER, STARTS, activity()).raises(
        "checkin.geofence_invalid"
    )


@pytest.mark.parametrize(
    "fence",
    [
        Geofence(46.5942, 125.1094, 1.0),
        Geofence(46.5942, 125.1094, float(NEPU.checkin.max_radius_m)),
        Geofence(90.0, 180.0, 100.0),
        Geofence(-90.0, -180.0, 100.0),
    ],
    ids=["one-metre", "largest-radius", "north-pole-date-line", "south-pole-date-line"],
)
def test_the_edges_of_a_valid_circle_are_accepted(fence: Geofence) -> None:
    """发布规范 十 签到距离: a radius from just above 0 up to ``[checkin] max_radius_m``, a
    centre anywhere from pole to pole and on the date line."""
    opened = accepted(deciding(open_session(geofence=fence), LEADER, STARTS, activity()))
    assert opened.session.geofence == fence


def test_an_infinite_radius_is_no_distance_limit() -> None:
    """发布规范 十: an unbounded circle is no distance limit at all."""
    fence = Geofence(46.5, 125.1, math.inf)
    deciding(open_session(geofence=fence), LEADER, STARTS, activity()).raises(
        "checkin.geofence_invalid"
    )


def test_sessions_are_numbered_one_two_three() -> None:
    """第十五条: each “创建签到” adds a session, numbered in order."""
    state = with_session()
    state = with_session(state, at(12, 3, 14, 30))
    state = with_session(state, at(12, 3, 15))
    assert [s.number for s in state.attendance.sessions] == [1, 2, 3]


def test_a_check_out_session_may_be_opened() -> None:
    """签退 by the student: a session of the check-out kind, where the school requires it."""
    command = open_session(kind=SessionKind.CHECK_OUT)
    session = only_event(
        deciding(command, LEADER, at(12, 3, 15, 50), activity()).decision()
    ).session
    assert session.kind is SessionKind.CHECK_OUT


def test_a_session_may_refuse_passwords() -> None:
    """第十五条: 设置是否支持密码签到."""
    command = open_session(allow_password=False)
    assert (
        only_event(deciding(command, LEADER, STARTS, activity()).decision()).session.allow_password
        is False
    )


def test_an_unpublished_activity_has_no_check_in() -> None:
    """第十五条: check-in belongs to an approved (published) activity."""
    draft = activity(status=ActivityStatus.DRAFT)
    deciding(open_session(), LEADER, STARTS, draft).raises("activity.not_published")


# -- student check-in (第十六条) ---------------------------------------------------------------


def test_an_admitted_student_checks_in_by_password() -> None:
    """第十六条: 密码签到 — 输入活动主办方提供的签到密码."""
    event = only_event(deciding(by_password(), STUDENT_A, DURING, with_session()).decision())
    assert (event.session, event.student, event.method, event.step) == (1, A, Method.PASSWORD, None)
    assert (event.by, event.at, event.flagged) == (A, DURING, False)


def test_a_check_in_stores_the_whole_verdict() -> None:
    """第十六条 密码签到: the event names the activity, session, student and method, the distance
    bucket, no code step, the keyed fingerprints of the device and the place, no flag, and the
    student as its author."""
    command = by_password(location=HERE, device_id="IMEI-860000000000001")
    event = accepted(deciding(command, STUDENT_A, DURING, with_session()))
    place = f"{HERE.latitude:.5f},{HERE.longitude:.5f}"
    assert event == StudentCheckedIn(
        activity_id=ACTIVITY_ID,
        session=1,
        student=A,
        method=Method.PASSWORD,
        distance="≤50m",
        step=None,
        device=codes.fingerprint(SECRET, "device", "IMEI-860000000000001"),
        place=codes.fingerprint(SECRET, "place", place),
        flagged=False,
        reason="",
        by=A,
        at=DURING,
    )


def test_a_check_in_without_a_device_id_keeps_no_device() -> None:
    event = accepted(deciding(by_password(device_id=None), STUDENT_A, DURING, with_session()))
    assert (event.student, event.device) == (A, None)


def test_a_check_in_makes_the_student_present() -> None:
    """第十六条: a successful check-in is recorded in the ledger."""
    assert (1, A) in checked_in(with_session(), A, DURING).attendance.present


def test_only_admitted_students_check_in() -> None:
    """第十六条: 如果活动报名成功, 需要参加活动并签到 — others have nothing to check in to."""
    deciding(by_password(), OUTSIDER, DURING, with_session()).raises("checkin.not_admitted")


def test_only_a_student_checks_in() -> None:
    """第十六条: check-in is a student's own act in the app; the refusal names the act."""
    error = deciding(by_password(), CS_ADMIN, DURING, with_session()).raises("auth.forbidden")
    assert error.details == {"action": "签到 check in"}


def test_an_unknown_session_is_refused() -> None:
    """第十六条: the student checks in to a session the organizer created."""
    deciding(by_password(session=2), STUDENT_A, DURING, with_session()).raises(
        "checkin.session_unknown"
    )


def test_check_in_opens_at_the_start_of_the_validity() -> None:
    """第十六条: 签到二维码及签到密码的时间限制 — the first instant is inside."""
    checked = accepted(deciding(by_password(), STUDENT_A, STARTS, with_session()))
    assert isinstance(checked, StudentCheckedIn)
    assert (checked.session, checked.student, checked.method, checked.at) == (
        1,
        A,
        Method.PASSWORD,
        STARTS,
    )
    assert (checked.distance, checked.flagged) == ("≤50m", False)


@pytest.mark.parametrize(
    "now",
    [STARTS - timedelta(seconds=1), at(12, 3, 14, 10), at(12, 3, 15)],
    ids=["before-it-opens", "at-closes_at", "long-after"],
)
def test_check_in_is_refused_outside_the_validity(now: datetime) -> None:
    """第十六条: 签到二维码及签到密码的时间限制; closes_at itself is outside."""
    state = with_session(now=STARTS, command=open_session(opens_at=STARTS))
    error = deciding(by_password(), STUDENT_A, now, state).raises("checkin.session_closed")
    assert error.details == {"opens": "14:00", "closes": "14:10"}


def test_scanning_the_current_code_checks_in() -> None:
    """第十六条: 扫码签到 — the QR of the current rotation step."""
    command = CheckIn(ACTIVITY_ID, 1, token=token(DURING), location=HERE)
    event = only_event(deciding(command, STUDENT_A, DURING, with_session()).decision())
    assert (event.method, event.step) == (Method.QR, codes.time_step(DURING, ROTATION))


def test_the_previous_code_is_still_accepted_as_grace() -> None:
    """A QR shown at the end of its step still works when scanned just after it rotated."""
    shown = DURING - timedelta(seconds=ROTATION)
    command = CheckIn(ACTIVITY_ID, 1, token=token(shown), location=HERE)
    event = only_event(deciding(command, STUDENT_A, DURING, with_session()).decision())
    assert event.step == codes.time_step(DURING, ROTATION) - 1


@pytest.mark.parametrize(
    "shown",
    [DURING - timedelta(seconds=2 * ROTATION), DURING + timedelta(seconds=ROTATION)],
    ids=["two-steps-old", "from-the-future"],
)
def test_an_expired_code_is_refused(shown: datetime) -> None:
    """第十六条: a photographed code stops working once it rotated past the grace step."""
    command = CheckIn(ACTIVITY_ID, 1, token=token(shown), location=HERE)
    deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.token_expired")


def test_another_activitys_code_is_refused() -> None:
    """第十六条: the code belongs to one activity."""
    other = ids.activity_id(TRIBE.id, "another-talk")
    command = CheckIn(ACTIVITY_ID, 1, token=token(DURING, activity_id=other), location=HERE)
    deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.token_foreign")


def test_another_sessions_code_is_refused() -> None:
    """第十五条: each session has its own code; session 2's QR does not check in to session 1."""
    state = with_session(with_session())
    command = CheckIn(ACTIVITY_ID, 1, token=token(DURING, session=2), location=HERE)
    deciding(command, STUDENT_A, DURING, state).raises("checkin.session_unknown")


def _tampered(valid: str) -> str:
    """The same code with its time step moved on, keeping the old signature."""
    raw = bytearray(base64.urlsafe_b64decode(valid + "=" * (-len(valid) % 4)))
    raw[24] ^= 0x01  # the last byte of the time step
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize(
    "forged",
    [
        _tampered(token(DURING)),
        codes.issue_token(
            b"not the school secret", ACTIVITY_ID, 1, codes.time_step(DURING, ROTATION)
        ),
        "not-a-check-in-code",
        "",
    ],
    ids=["tampered-step", "signed-with-another-secret", "garbage", "empty"],
)
def test_a_tampered_or_foreign_made_code_is_invalid(forged: str) -> None:
    """第十六条: only the code the organizer shows counts; an altered one is refused."""
    command = CheckIn(ACTIVITY_ID, 1, token=forged, location=HERE)
    deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.token_invalid")


def test_the_wrong_password_is_refused() -> None:
    """第十六条: 输入活动主办方提供的签到密码 — any other text is refused (and counted)."""
    decision = deciding(guess(WRONG), STUDENT_A, DURING, with_session()).decision()
    assert decision.refusal is not None
    assert decision.refusal.code == "checkin.wrong_password"
    assert not any(isinstance(e, StudentCheckedIn) for e in decision.activity)


def test_another_sessions_password_is_refused() -> None:
    """第十五条: each session shows its own password above its QR."""
    state = with_session(with_session())
    assert password(1) != password(2)
    decision = deciding(guess(password(2)), STUDENT_A, DURING, state).decision()
    assert decision.refusal is not None
    assert decision.refusal.code == "checkin.wrong_password"


def test_a_session_without_password_refuses_one() -> None:
    """第十五条: 设置是否支持密码签到 — when not, only scanning works."""
    state = with_session(command=open_session(allow_password=False))
    deciding(by_password(), STUDENT_A, DURING, state).raises("checkin.password_disabled")


@pytest.mark.parametrize(
    "command",
    [
        CheckIn(ACTIVITY_ID, 1, location=HERE),
        CheckIn(ACTIVITY_ID, 1, token=token(DURING), password=password(), location=HERE),
    ],
    ids=["neither", "both"],
)
def test_a_student_scans_or_enters_the_password_exactly_one(command: CheckIn) -> None:
    """第十六条: 扫码签到和密码签到两种方式 — one of them per check-in."""
    deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.method_required")


def test_a_student_checks_in_once_per_session() -> None:
    """第十六条: a second check-in to the same session is refused."""
    state = checked_in(with_session(), A, DURING)
    deciding(by_password(), STUDENT_A, DURING + timedelta(minutes=1), state).raises(
        "checkin.already_checked_in"
    )


def test_a_student_may_check_in_to_each_session() -> None:
    """第十五条: every session is its own check-in."""
    state = checked_in(with_session(with_session()), A, DURING)
    state = checked_in(state, A, DURING + timedelta(minutes=1), session=2)
    assert {(1, A), (2, A)} <= state.attendance.present


def test_the_same_code_cannot_be_used_twice() -> None:
    """A scanned code is spent for that student: replaying it is refused."""
    command = CheckIn(ACTIVITY_ID, 1, token=token(DURING), location=HERE)
    state = run(with_session(), command, STUDENT_A, DURING)
    deciding(command, STUDENT_A, DURING + timedelta(seconds=1), state).raises(
        "checkin.token_replayed"
    )


def test_a_fenced_session_needs_the_location() -> None:
    """第十六条: 签到二维码及签到密码的地点限制."""
    deciding(by_password(location=None), STUDENT_A, DURING, with_session()).raises(
        "checkin.location_required"
    )


def test_beyond_the_distance_limit_is_refused_with_the_distance() -> None:
    """第十五条 距离限制: 300 m away from a 100 m circle is too far."""
    where = north_of_centre(300, accuracy_m=10)
    error = deciding(by_password(location=where), STUDENT_A, DURING, with_session()).raises(
        "checkin.too_far"
    )
    assert error.details == {"distance_m": 300, "radius_m": 100}


def test_the_devices_accuracy_is_given_the_benefit_of_the_doubt() -> None:
    """第十五条 距离限制: 150 m away with ±60 m accuracy may be inside a 100 m circle."""
    where = north_of_centre(150, accuracy_m=60)
    checked = accepted(deciding(by_password(location=where), STUDENT_A, DURING, with_session()))
    assert isinstance(checked, StudentCheckedIn)
    assert (checked.student, checked.method, checked.distance) == (A, Method.PASSWORD, "≤200m")


@pytest.mark.parametrize(
    ("metres", "accepted"), [(190, True), (250, False)], ids=["within-cap", "beyond-cap"]
)
def test_an_accuracy_above_a_hundred_metres_is_capped(metres: float, accepted: bool) -> None:
    """A reported ±1000 m counts as ±100 m (max_accuracy_m): a radius of 100 m reaches 200 m."""
    command = by_password(location=north_of_centre(metres, accuracy_m=1000))
    scanning = deciding(command, STUDENT_A, DURING, with_session())
    if accepted:
        checked = only_event(scanning.decision())
        assert (type(checked), checked.student, checked.flagged) == (StudentCheckedIn, A, False)
    else:
        scanning.raises("checkin.too_far")


@pytest.mark.parametrize(
    ("metres", "accepted"), [(100.0, True), (100.6, False)], ids=["on", "past"]
)
def test_an_exact_fix_is_measured_against_the_radius_alone(metres: float, accepted: bool) -> None:
    """第十五条 距离限制: with an accuracy of 0 m, 100 m from the point is inside a 100 m circle
    and 100.6 m is not — no margin is added."""
    command = by_password(location=north_of_centre(metres, accuracy_m=0.0))
    scanning = deciding(command, STUDENT_A, DURING, with_session())
    if accepted:
        assert only_event(scanning.decision()).distance == "≤100m"
    else:
        error = scanning.raises("checkin.too_far")
        assert error.details == {"distance_m": 101, "radius_m": 100}


def test_a_negative_accuracy_earns_no_extra_distance() -> None:
    """A reported accuracy below zero counts as zero: 150 m from a 100 m circle is too far."""
    command = by_password(location=north_of_centre(150, accuracy_m=-1000))
    deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.too_far")


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.000001, 0.0), (-91.0, 0.0), (FENCE.latitude, 180.5), (FENCE.latitude, -181.0), (500.0, 0)],
)
def test_a_location_that_is_no_place_on_earth_is_refused(latitude: float, longitude: float) -> None:
    """第十五条 距离限制 needs a place: a latitude past a pole or a longitude past the date line
    is refused naming both, never measured (sin 500° = sin 140°)."""
    command = by_password(location=Location(latitude, longitude, 10.0))
    error = deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.location_invalid")
    assert error.details == {"latitude": latitude, "longitude": longitude}


@pytest.mark.parametrize(("latitude", "longitude"), [(90.0, 180.0), (-90.0, -180.0)])
def test_the_poles_and_the_date_line_are_places(latitude: float, longitude: float) -> None:
    """The ranges are inclusive: a pole is a place (far from any campus: too far, not invalid)."""
    command = by_password(location=Location(latitude, longitude, 10.0))
    error = deciding(command, STUDENT_A, DURING, with_session()).raises("checkin.too_far")
    assert error.details["radius_m"] == 100


def test_the_event_keeps_a_distance_bucket_never_the_coordinates() -> None:
    """Location decides the verdict only: the event stores a coarse bucket, not where one was."""
    where = north_of_centre(30, accuracy_m=5)
    event = only_event(
        deciding(by_password(location=where), STUDENT_A, DURING, with_session()).decision()
    )
    assert event.distance == "≤50m"
    fields = attrs.astuple(event, recurse=False)
    assert where.latitude not in fields
    assert where.longitude not in fields
    text = repr(event)
    assert f"{where.latitude:.4f}" not in text
    assert f"{where.longitude:.4f}" not in text


def test_the_place_is_stored_as_a_keyed_fingerprint_of_the_rounded_coordinates() -> None:
    """The anomaly rule compares places as keyed hashes of coordinates to 5 decimals (about a
    metre), of their own kind ("place"), so no device id ever equals a place."""
    where = Location(46.594213, 125.109449, 5.0)
    event = only_event(
        deciding(by_password(location=where), STUDENT_A, DURING, with_session()).decision()
    )
    assert event.place == codes.fingerprint(SECRET, "place", "46.59421,125.10945")
    assert event.place != codes.fingerprint(SECRET, "device", "46.59421,125.10945")


def test_a_session_without_distance_limit_stores_unlimited() -> None:
    """发布规范 十: a campus-wide venue's session without distance keeps no location at all."""
    school_wide = activity(form=attrs.evolve(FORM, campus_wide_venue=True))
    state = with_session(school_wide, command=open_session(geofence=None))
    event = only_event(deciding(by_password(location=None), STUDENT_A, DURING, state).decision())
    assert event.distance == "unlimited"


def test_check_in_needs_the_school_secret() -> None:
    """Codes and passwords are signed with the school's secret; without it nothing is checked."""
    deciding(by_password(), STUDENT_A, DURING, with_session(), secret=None).raises(
        "config.secret_missing"
    )


# -- wrong passwords: a limit per student and session (ours; 第十六条 密码签到) -------------------
#
# Seed 000: 第十五条 (若选择支持密码签到，签到密码会显示在签到二维码上方) and 第十六条 (密码签到：
# 输入活动主办方提供的签到密码). Six digits are a million passwords: within one ten-minute session
# (发布规范 十) a script could try them all. So each wrong guess is recorded, and after
# ``[checkin] password_attempts`` (5 by default, our number: the seeds set none) the student may
# not enter passwords in that session.

LIMIT = NEPU.checkin.password_attempts
FAR_AWAY = north_of_centre(5_000, accuracy_m=10)


def wrong_guesses(state: Activity, student: str, count: int, session: int = 1) -> Activity:
    """The activity after ``student`` entered ``count`` wrong passwords, a second apart."""
    for n in range(count):
        when = DURING + timedelta(seconds=n)
        decision = deciding(guess(WRONG, session), Actor.student(student), when, state).decision()
        assert decision.refusal is not None
        assert decision.refusal.code == "checkin.wrong_password"
        state = apply(state, decision)
    return state


def test_a_wrong_password_is_recorded_with_its_attempt_number() -> None:
    """A wrong guess leaves a trace on the ledger (CheckInPasswordRejected) and is refused
    with checkin.wrong_password, saying how many attempts are left."""
    decision = deciding(guess(WRONG), STUDENT_A, DURING, with_session()).decision()
    assert decision.activity == (CheckInPasswordRejected(ACTIVITY_ID, 1, A, 1, DURING),)
    assert decision.refusal is not None
    assert decision.refusal.code == "checkin.wrong_password"
    assert decision.refusal.details == {"attempts_left": LIMIT - 1}
    ledger = apply(with_session(), decision).attendance
    assert ledger.wrong_guesses(1, A) == 1
    assert (1, A) not in ledger.present


def test_the_guess_itself_is_not_stored() -> None:
    """A near miss would tell a reader of the log the password: only the count is kept."""
    typo = f"{password()[:5]}{(int(password()[5]) + 1) % 10}"
    decision = deciding(guess(typo), STUDENT_A, DURING, with_session()).decision()
    assert typo not in repr(decision.activity)


@pytest.mark.parametrize(
    "location", [HERE, None, FAR_AWAY], ids=["on-site", "no-location", "five-km-away"]
)
def test_a_wrong_password_answers_the_same_from_anywhere(location: Location | None) -> None:
    """第十五条 距离限制 comes after the password: a wrong guess answers wrong_password, never
    too_far or location_required, and the event holds no trace of where the guesser was."""
    decision = deciding(
        guess(WRONG, location=location), STUDENT_A, DURING, with_session()
    ).decision()
    assert decision.refusal is not None
    assert decision.refusal.code == "checkin.wrong_password"
    assert decision.activity == (CheckInPasswordRejected(ACTIVITY_ID, 1, A, 1, DURING),)


def test_the_last_allowed_wrong_password_locks_and_flags_the_student() -> None:
    """The fifth wrong guess is still answered wrong_password (0 left), and the ledger flags
    the student for the organizers (CheckInPasswordLocked)."""
    state = wrong_guesses(with_session(), A, LIMIT - 1)
    when = DURING + timedelta(minutes=1)
    decision = deciding(guess(WRONG), STUDENT_A, when, state).decision()
    assert decision.activity == (
        CheckInPasswordRejected(ACTIVITY_ID, 1, A, LIMIT, when),
        CheckInPasswordLocked(ACTIVITY_ID, 1, A, LIMIT, when),
    )
    assert decision.refusal is not None
    assert decision.refusal.code == "checkin.wrong_password"
    assert decision.refusal.details == {"attempts_left": 0}
    assert apply(state, decision).attendance.password_locked == {(1, A)}


@pytest.mark.parametrize("location", [HERE, FAR_AWAY], ids=["on-site", "far-away"])
def test_after_the_limit_even_the_right_password_is_refused(location: Location | None) -> None:
    """Once locked, a password is refused before it is compared: the right one gets the same
    answer as a wrong one, so further guessing learns nothing, and nothing more is recorded."""
    state = wrong_guesses(with_session(), A, LIMIT)
    for text in (password(), WRONG):
        error = deciding(guess(text, location=location), STUDENT_A, DURING, state).raises(
            "checkin.password_locked"
        )
        assert error.details == {"attempts": LIMIT}


def test_the_right_password_within_the_limit_checks_in() -> None:
    """Four typos, then the password: 第十六条 显示“签到成功”."""
    state = wrong_guesses(with_session(), A, LIMIT - 1)
    event = only_event(deciding(by_password(), STUDENT_A, DURING, state).decision())
    assert (event.student, event.method) == (A, Method.PASSWORD)


def test_a_locked_student_may_still_scan_the_code() -> None:
    """第十六条 扫码签到: the rotating QR proves presence in front of the organizer's screen, so
    a student who mistyped the password five times scans it instead (the flag stays)."""
    state = wrong_guesses(with_session(), A, LIMIT)
    command = CheckIn(ACTIVITY_ID, 1, token=token(DURING), location=HERE)
    event = only_event(deciding(command, STUDENT_A, DURING, state).decision())
    assert (event.student, event.method) == (A, Method.QR)
    assert (1, A) in apply(state, Decision((event,))).attendance.password_locked


def test_the_lock_is_per_student_and_per_session() -> None:
    """A's lock in session 1 neither stops B there nor A in session 2, which has its own
    password (第十五条)."""
    state = wrong_guesses(with_session(with_session()), A, LIMIT)
    assert only_event(deciding(by_password(), STUDENT_B, DURING, state).decision()).student == B
    assert (
        only_event(deciding(by_password(session=2), STUDENT_A, DURING, state).decision()).session
        == 2
    )
    assert state.attendance.wrong_guesses(2, A) == 0


def test_the_limit_comes_from_the_rulebook() -> None:
    """``[checkin] password_attempts``: with 2, the second wrong guess locks."""
    two = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, password_attempts=2))
    state = apply(
        with_session(),
        deciding(guess(WRONG), STUDENT_A, DURING, with_session(), rulebook=two).decision(),
    )
    decision = deciding(guess(WRONG), STUDENT_A, DURING, state, rulebook=two).decision()
    assert decision.activity == (
        CheckInPasswordRejected(ACTIVITY_ID, 1, A, 2, DURING),
        CheckInPasswordLocked(ACTIVITY_ID, 1, A, 2, DURING),
    )
    assert decision.refusal is not None
    assert (decision.refusal.code, decision.refusal.details) == (
        "checkin.wrong_password",
        {"attempts_left": 0},
    )
    locked = apply(state, decision)
    deciding(by_password(), STUDENT_A, DURING, locked, rulebook=two).raises(
        "checkin.password_locked"
    )


def test_a_lower_limit_applies_to_guesses_already_made() -> None:
    """A school lowering the limit mid-session: three wrong guesses under a limit of 3 lock."""
    three = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, password_attempts=3))
    state = wrong_guesses(with_session(), A, 3)  # under the default limit, not locked yet
    assert state.attendance.password_locked == frozenset()
    deciding(by_password(), STUDENT_A, DURING, state, rulebook=three).raises(
        "checkin.password_locked"
    )


def test_a_higher_limit_does_not_unlock_a_locked_student() -> None:
    """The lock is a stored fact: raising the limit afterwards leaves it in place."""
    eight = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, password_attempts=8))
    state = wrong_guesses(with_session(), A, LIMIT)
    deciding(by_password(), STUDENT_A, DURING, state, rulebook=eight).raises(
        "checkin.password_locked"
    )


@pytest.mark.parametrize(
    ("actor", "now", "state", "code"),
    [
        (OUTSIDER, DURING, None, "checkin.not_admitted"),
        (STUDENT_A, at(12, 3, 15), None, "checkin.session_closed"),
        (STUDENT_A, DURING, "no-passwords", "checkin.password_disabled"),
    ],
    ids=["not-admitted", "session-closed", "passwords-disabled"],
)
def test_a_guess_refused_before_the_comparison_is_not_counted(
    actor: Actor, now: datetime, state: str | None, code: str
) -> None:
    """Only an admitted student in an open session that takes passwords gets a password
    compared; any other attempt is refused outright, learns nothing and costs nothing."""
    session = open_session(allow_password=state != "no-passwords")
    deciding(guess(WRONG), actor, now, with_session(command=session)).raises(code)


@pytest.mark.parametrize("rulebook", [NEPU, HFUT], ids=["nepu", "hfut"])
def test_the_presets_allow_five_wrong_passwords_and_no_self_make_up(rulebook: Rulebook) -> None:
    """Our defaults, written out in both presets (neither seed sets a number)."""
    assert rulebook.checkin.password_attempts == 5
    assert rulebook.checkin.allow_self_makeup is False


@pytest.mark.parametrize("attempts", [0, -1])
def test_a_rulebook_allows_at_least_one_password_attempt(attempts: int) -> None:
    """With no attempt, passwords (第十五条 密码签到) could never work: rulebook.invalid."""
    toml = NEPU.to_toml().replace("password_attempts = 5", f"password_attempts = {attempts}")
    with pytest.raises(DomainError) as caught:
        Rulebook.from_toml(toml)
    assert caught.value.code == "rulebook.invalid"
    assert "checkin.password_attempts must be 1-1000" in caught.value.details["reason"]


def test_the_ledger_counts_wrong_guesses_per_student_and_session() -> None:
    """Replaying the events gives the same counts: the attempts are numbered 1, 2, 3."""
    ledger = wrong_guesses(with_session(with_session()), A, 3).attendance
    ledger = wrong_guesses(attrs.evolve(activity(), attendance=ledger), B, 1, session=2).attendance
    assert (ledger.wrong_guesses(1, A), ledger.wrong_guesses(2, B)) == (3, 1)
    assert (ledger.wrong_guesses(1, B), ledger.wrong_guesses(2, A)) == (0, 0)
    assert ledger.wrong_passwords == {(1, A, 1), (1, A, 2), (1, A, 3), (2, B, 1)}


SIX_DIGITS = st.text(alphabet="0123456789", min_size=6, max_size=6)
attempts = st.lists(
    st.tuples(
        st.one_of(st.just("right"), st.just(WRONG), SIX_DIGITS, st.text(max_size=8)),
        st.sampled_from([HERE, None, FAR_AWAY]),
    ),
    max_size=14,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts, st.integers(min_value=1, max_value=6))
def test_no_sequence_of_guesses_checks_in_without_the_password(
    tries: list[tuple[str, Location | None]], limit: int
) -> None:
    """Whatever one student types, from wherever: a check-in happens only with the session's
    password; every wrong guess before the limit is recorded and answered wrong_password (never
    too_far or location_required); after the limit-th nothing more is accepted or recorded."""
    rulebook = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, password_attempts=limit))
    state = with_session()
    right = password()
    wrong_so_far = 0
    for n, (text, where) in enumerate(tries):
        typed = right if text == "right" else text
        when = DURING + timedelta(seconds=n)
        locked_before = (1, A) in state.attendance.password_locked
        outright: str | None = None
        try:
            decision = deciding(
                guess(typed, location=where), STUDENT_A, when, state, rulebook=rulebook
            ).decision()
        except DomainError as error:
            outright = error.code
        if locked_before:
            assert outright == "checkin.password_locked"
            continue
        if outright is not None:  # only the right password, off-site or checked in already
            assert typed == right
            continue
        checked = [e for e in decision.activity if isinstance(e, StudentCheckedIn)]
        if decision.refusal is None:
            assert typed == right
            assert len(checked) == 1
        else:
            assert typed != right
            assert decision.refusal.code == "checkin.wrong_password"
            assert not checked
            wrong_so_far += 1
        state = apply(state, decision)
    ledger = state.attendance
    assert wrong_so_far <= limit
    assert ledger.wrong_guesses(1, A) == wrong_so_far
    assert ((1, A) in ledger.password_locked) == (wrong_so_far == limit)


# -- anomaly flags -----------------------------------------------------------------------------

ELSEWHERE = north_of_centre(20, accuracy_m=5)
FAR_PLACE = north_of_centre(40, accuracy_m=5)


def test_a_second_student_on_the_same_device_within_ten_seconds_is_flagged() -> None:
    """代签: two students checking in from one phone within seconds is held for review."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    later = DURING + timedelta(seconds=10)
    second = only_event(
        deciding(
            by_password(location=ELSEWHERE, device_id="phone-1"), STUDENT_B, later, state
        ).decision()
    )
    assert second.flagged is True
    assert state.attendance.flagged == frozenset()


def test_a_flagged_check_in_awaits_review() -> None:
    """A flagged check-in is present, and listed for the organizer's review."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    state = checked_in(
        state, B, DURING + timedelta(seconds=5), location=ELSEWHERE, device_id="phone-1"
    )
    assert state.attendance.flagged == {(1, B)}
    assert (1, B) in state.attendance.present


def test_identical_coordinates_within_ten_seconds_are_flagged() -> None:
    """代签: two phones reporting the very same coordinates within seconds are held for review."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    later = DURING + timedelta(seconds=10)
    second = only_event(
        deciding(
            by_password(location=HERE, device_id="phone-2"), STUDENT_B, later, state
        ).decision()
    )
    assert second.flagged is True


def test_eleven_seconds_apart_is_not_flagged() -> None:
    """The anomaly window is ten seconds (anomaly_window_seconds)."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    later = DURING + timedelta(seconds=11)
    second = only_event(
        deciding(
            by_password(location=HERE, device_id="phone-1"), STUDENT_B, later, state
        ).decision()
    )
    assert second.flagged is False


def test_the_same_device_in_different_sessions_is_not_flagged() -> None:
    """The anomaly rule compares check-ins of one session."""
    state = checked_in(with_session(with_session()), A, DURING, device_id="phone-1")
    second = only_event(
        deciding(
            by_password(session=2, location=HERE, device_id="phone-1"),
            STUDENT_B,
            DURING + timedelta(seconds=1),
            state,
        ).decision()
    )
    assert second.flagged is False


def test_a_scan_of_another_session_does_not_hide_a_later_one_on_the_same_device() -> None:
    """The anomaly rule looks past the scans of other sessions: B scanned session 1 on the
    phone, then C session 2 on it; A on the same phone in session 2 is flagged (C's scan)."""
    three = activity((A, B, C))
    state = checked_in(with_session(with_session(three)), B, DURING, device_id="phone-1")
    state = checked_in(
        state, C, DURING + timedelta(seconds=1), session=2, location=ELSEWHERE, device_id="phone-1"
    )
    assert state.attendance.flagged == frozenset()
    third = only_event(
        deciding(
            by_password(session=2, location=FAR_PLACE, device_id="phone-1"),
            STUDENT_A,
            DURING + timedelta(seconds=2),
            state,
        ).decision()
    )
    assert (third.student, third.flagged) == (A, True)


def test_a_scan_on_another_device_does_not_hide_a_later_one_on_the_same_device() -> None:
    """Given B scanned on phone-2 30 s before A and C on phone-1 5 s before A, when A checks
    in on phone-1 (at another place than both), then A is flagged for C's scan: the anomaly
    rule looks past a scan sharing neither device nor place (its first test)."""
    state = checked_in(with_session(activity((A, B, C))), B, DURING, device_id="phone-2")
    state = checked_in(
        state, C, DURING + timedelta(seconds=25), location=ELSEWHERE, device_id="phone-1"
    )
    third = only_event(
        deciding(
            by_password(location=FAR_PLACE, device_id="phone-1"),
            STUDENT_A,
            DURING + timedelta(seconds=30),
            state,
        ).decision()
    )
    assert (third.student, third.flagged) == (A, True)


def test_a_shared_devices_scan_older_than_the_window_does_not_hide_a_recent_one() -> None:
    """Given B scanned on phone-1 30 s before A and C on phone-1 5 s before A (C was not
    flagged: 25 s after B), when A checks in on phone-1, then A is flagged for C's scan: the
    anomaly rule looks past a shared device's scan older than its window."""
    state = checked_in(with_session(activity((A, B, C))), B, DURING, device_id="phone-1")
    state = checked_in(
        state, C, DURING + timedelta(seconds=25), location=ELSEWHERE, device_id="phone-1"
    )
    assert state.attendance.flagged == frozenset()
    third = only_event(
        deciding(
            by_password(location=FAR_PLACE, device_id="phone-1"),
            STUDENT_A,
            DURING + timedelta(seconds=30),
            state,
        ).decision()
    )
    assert (third.student, third.flagged) == (A, True)


def test_identical_coordinates_from_a_check_in_without_a_device_id_are_flagged() -> None:
    """Given A checked in at HERE on phone-1, when B checks in at the very same coordinates
    ten seconds later without a device id, then B is flagged: the place alone is enough."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    second = only_event(
        deciding(
            by_password(location=HERE, device_id=None),
            STUDENT_B,
            DURING + timedelta(seconds=10),
            state,
        ).decision()
    )
    assert (second.student, second.device, second.flagged) == (B, None, True)


def test_a_check_in_without_a_device_id_or_a_location_is_not_flagged() -> None:
    """Given a campus-wide venue's session without a distance limit (发布规范 十) and A checked
    in on phone-1 without a location, when B checks in a second later without a device id or
    a location, then B is not flagged: nothing is shared."""
    school_wide = activity(form=attrs.evolve(FORM, campus_wide_venue=True))
    unfenced = with_session(school_wide, command=open_session(geofence=None))
    state = checked_in(unfenced, A, DURING, location=None, device_id="phone-1")
    second = only_event(
        deciding(
            by_password(location=None, device_id=None),
            STUDENT_B,
            DURING + timedelta(seconds=1),
            state,
        ).decision()
    )
    assert (second.student, second.device, second.place, second.flagged) == (B, None, None, False)


def test_a_student_is_not_flagged_for_their_own_earlier_scan() -> None:
    """Given B's check-in on A's phone was flagged and voided, when B checks in again from that
    phone six seconds later (A's scan is fifteen seconds old), then nothing is flagged: the
    anomaly rule compares a student with the others only."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    state = checked_in(
        state, B, DURING + timedelta(seconds=9), location=ELSEWHERE, device_id="phone-1"
    )
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=False)
    state = run(state, review, LEADER, DURING + timedelta(seconds=12))
    assert (state.attendance.flagged, state.attendance.present) == (
        frozenset(),
        frozenset({(1, A)}),
    )
    again = accepted(
        deciding(
            by_password(location=FAR_PLACE, device_id="phone-1"),
            STUDENT_B,
            DURING + timedelta(seconds=15),
            state,
        )
    )
    assert (again.student, again.flagged) == (B, False)


def test_different_devices_and_places_are_not_flagged() -> None:
    """Students side by side with their own phones are ordinary."""
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    second = only_event(
        deciding(
            by_password(location=ELSEWHERE, device_id="phone-2"),
            STUDENT_B,
            DURING + timedelta(seconds=1),
            state,
        ).decision()
    )
    assert second.flagged is False


def test_the_device_is_stored_as_a_keyed_fingerprint() -> None:
    """The device id is kept only as a keyed hash for the anomaly rule."""
    event = only_event(
        deciding(
            by_password(device_id="IMEI-860000000000001"), STUDENT_A, DURING, with_session()
        ).decision()
    )
    assert event.device is not None
    assert "IMEI-860000000000001" not in repr(event)


def _flagged_b() -> Activity:
    state = checked_in(with_session(), A, DURING, device_id="phone-1")
    return checked_in(
        state, B, DURING + timedelta(seconds=5), location=ELSEWHERE, device_id="phone-1"
    )


def test_accepting_a_flagged_check_in_keeps_the_presence() -> None:
    """The organizer confirms the check-in: it stays, and is no longer flagged."""
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=True)
    decision = deciding(review, LEADER, DURING, _flagged_b()).decision()
    assert decision.activity == (
        FlaggedCheckInReviewed(ACTIVITY_ID, 1, B, True, LEADER.person_id, DURING),
    )
    ledger = apply(_flagged_b(), decision).attendance
    assert (1, B) in ledger.present
    assert ledger.flagged == frozenset()


def test_rejecting_a_flagged_check_in_voids_the_presence() -> None:
    """The organizer finds it was 代签: the check-in no longer counts."""
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=False)
    ledger = run(_flagged_b(), review, ORGANIZER, DURING).attendance
    assert (1, B) not in ledger.present
    assert ledger.flagged == frozenset()


def test_a_rejected_check_in_leaves_a_no_show() -> None:
    """第十六条: a voided check-in is no check-in."""
    state = run(_flagged_b(), ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=False), LEADER, DURING)
    assert outcome_of(state, B, None, NEPU) is AttendanceOutcome.NO_SHOW


def test_only_a_flagged_check_in_can_be_reviewed() -> None:
    """Reviewing an ordinary (or absent) check-in is refused."""
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, A, accept=False)
    deciding(review, LEADER, DURING, _flagged_b()).raises("checkin.not_flagged")


def test_only_a_manager_reviews_flagged_check_ins() -> None:
    """第十六条: the leader or an organizer keeps the attendance, not the students."""
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=True)
    deciding(review, STUDENT_A, DURING, _flagged_b()).raises("auth.forbidden")


# -- make-up (补签, 第十六条; seed 002) ------------------------------------------------------------


def makeup(student: str = A, reason: str = "手机没电，到场可证明") -> MakeUpCheckIn:
    return MakeUpCheckIn(ACTIVITY_ID, student, reason)


def test_the_leader_makes_up_a_check_in_with_a_reason() -> None:
    """第十六条: 无法签到的情况, 活动负责人或组织者可进行补签."""
    when = at(12, 3, 17)
    decision = deciding(makeup(), LEADER, when, with_session()).decision()
    assert decision.activity == (
        StudentCheckedIn(
            ACTIVITY_ID,
            0,
            A,
            Method.MAKEUP,
            "makeup",
            None,
            None,
            None,
            False,
            "手机没电，到场可证明",
            LEADER.person_id,
            when,
        ),
    )


def test_an_organizer_may_make_up_a_check_in() -> None:
    """第十六条: 活动负责人或组织者可进行补签."""
    assert A in run(activity(), makeup(), ORGANIZER, at(12, 3, 17)).attendance.made_up


@pytest.mark.parametrize("someone", [STUDENT_A, CS_ADMIN], ids=["the-student", "college-admin"])
def test_nobody_else_makes_up_a_check_in(someone: Actor) -> None:
    """第十六条: only the leader or an organizer 补签."""
    deciding(makeup(), someone, at(12, 3, 17), activity()).raises("auth.forbidden")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_make_up_needs_a_reason(reason: str) -> None:
    """第十六条: 补签 is for 不可避免的无法签到的情况 — the reason is stated."""
    deciding(makeup(reason=reason), LEADER, at(12, 3, 17), activity()).raises(
        "checkin.reason_required"
    )


def test_only_admitted_students_are_made_up() -> None:
    """第十六条: 补签 is for 参加活动的同学 who were admitted."""
    deciding(makeup(OUTSIDER.person_id), LEADER, at(12, 3, 17), activity()).raises(
        "checkin.not_admitted"
    )


def test_a_second_make_up_changes_nothing() -> None:
    """A make-up is recorded once."""
    state = run(activity(), makeup(), LEADER, at(12, 3, 17))
    assert deciding(makeup(), LEADER, at(12, 3, 18), state).decision() == Decision()


def test_nepu_sets_no_make_up_deadline() -> None:
    """NEPU states no deadline for 补签: months later it is still accepted."""
    assert makeup_deadline(activity(), NEPU) is None
    later = at(6, 1, year=2027)
    assert made_up(accepted(deciding(makeup(), LEADER, later, activity())), A, later)


def test_hfut_make_up_closes_five_working_days_after_the_end() -> None:
    """Seed 002: 补签须在活动结束后 5 个工作日内 — Thursday 12-03 → Thursday 12-10, end of day."""
    assert makeup_deadline(lecture(), HFUT) == at(12, 11, 0)


@pytest.mark.parametrize("moment", [at(12, 10, 9), at(12, 10, 23, 59)], ids=["morning", "late"])
def test_hfut_make_up_on_the_fifth_working_day_is_accepted(moment: datetime) -> None:
    """Seed 002: Thursday 12-10 is the fifth working day after Thursday 12-03."""
    assert made_up(
        accepted(deciding(makeup(), LEADER, moment, lecture(), rulebook=HFUT)), A, moment
    )


@pytest.mark.parametrize("module", ["competition", "volunteering", "practice"])
def test_hfut_sets_the_make_up_window_for_lectures_alone(module: str) -> None:
    """002 一 2) 报告讲座类活动…请在5个工作日内及时补录: the window is the lectures'; a
    competition's, a volunteering's or a practice's 补签 months later is still accepted."""
    other = activity(form=attrs.evolve(FORM, module=module))
    assert makeup_deadline(other, HFUT) is None
    later = at(6, 1, year=2027)
    assert made_up(accepted(deciding(makeup(), LEADER, later, other, rulebook=HFUT)), A, later)


def test_a_category_window_wins_over_its_module_and_the_rulebook() -> None:
    """002 一 2) windows are per activity category: a window naming the form's category is
    taken before its module's, and the module's before ``[checkin]``'s."""
    from second_classroom.policies.rulebook import CategoryWindow

    rulebook = attrs.evolve(
        NEPU,
        checkin=attrs.evolve(NEPU.checkin, makeup_deadline_working_days=20),
        windows=(
            CategoryWindow("ideology", makeup_working_days=5),
            CategoryWindow("ideology", "ideals", makeup_working_days=1),
        ),
    )
    assert rulebook.makeup_working_days("ideology", "ideals") == 1
    assert rulebook.makeup_working_days("ideology") == 5
    assert rulebook.makeup_working_days("innovation") == 20
    ideals = activity(form=attrs.evolve(FORM, module="ideology", category="ideals"))
    assert makeup_deadline(ideals, rulebook) == at(12, 5, 0)  # Thursday + 1 working day


def test_a_closed_category_window_names_its_own_days() -> None:
    """002 一 2): the refusal names the category's window (1 working day), not its module's."""
    from second_classroom.policies.rulebook import CategoryWindow

    rulebook = attrs.evolve(
        NEPU,
        windows=(
            CategoryWindow("ideology", makeup_working_days=5),
            CategoryWindow("ideology", "ideals", makeup_working_days=1),
        ),
    )
    ideals = activity(form=attrs.evolve(FORM, module="ideology", category="ideals"))
    refused = deciding(makeup(), LEADER, at(12, 5, 9), ideals, rulebook=rulebook)
    error = refused.raises("checkin.makeup_closed")
    assert error.details == {"days": 1, "deadline": "2026-12-04"}


@pytest.mark.parametrize("moment", [at(12, 11, 0), at(12, 11, 9)], ids=["midnight", "morning"])
def test_hfut_make_up_after_the_fifth_working_day_is_refused(moment: datetime) -> None:
    """Seed 002: from Friday 12-11 the make-up window is closed."""
    error = deciding(makeup(), LEADER, moment, lecture(), rulebook=HFUT).raises(
        "checkin.makeup_closed"
    )
    assert error.details == {"days": 5, "deadline": "2026-12-10"}


# -- self-dealing: a second person vouches for a manager's own attendance (ours) -------------
#
# 第十六条 lets the leader or an organizer 补签; nothing stops one who is also an admitted
# participant from making up their own check-in. 第二十四条 holds leaders personally answerable
# for 弄虚作假, so the library needs a second person: another manager does it.

SELF = ORGANIZER.person_id  # a tribe organizer, here also admitted as a participant


def test_an_organizer_may_not_make_up_their_own_check_in() -> None:
    """Nobody 补签 for themselves: checkin.self_dealing, whatever the reason given."""
    deciding(makeup(SELF), ORGANIZER, at(12, 3, 17), activity((A, SELF))).raises(
        "checkin.self_dealing"
    )


def test_another_manager_makes_up_the_organizers_check_in() -> None:
    """The leader (a second person) may 补签 the organizer who took part."""
    state = run(activity((A, SELF)), makeup(SELF), LEADER, at(12, 3, 17))
    assert SELF in state.attendance.made_up


def test_a_school_may_allow_self_make_up() -> None:
    """``[checkin] allow_self_makeup = true`` is the named exception (off by default)."""
    allowing = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, allow_self_makeup=True))
    assert NEPU.checkin.allow_self_makeup is False
    state = run(activity((A, SELF)), makeup(SELF), ORGANIZER, at(12, 3, 17), rulebook=allowing)
    assert SELF in state.attendance.made_up


def test_an_organizer_may_not_clear_their_own_flagged_check_in() -> None:
    """Accepting one's own 代签-flagged scan is vouching for oneself too."""
    state = checked_in(with_session(activity((A, SELF))), A, DURING, device_id="phone-1")
    state = checked_in(
        state, SELF, DURING + timedelta(seconds=5), location=ELSEWHERE, device_id="phone-1"
    )
    assert (1, SELF) in state.attendance.flagged
    review = ReviewFlaggedCheckIn(ACTIVITY_ID, 1, SELF, accept=True)
    deciding(review, ORGANIZER, DURING, state).raises("checkin.self_dealing")
    reviewed = accepted(deciding(review, LEADER, DURING, state))
    assert isinstance(reviewed, FlaggedCheckInReviewed)
    assert (reviewed.student, reviewed.accepted, reviewed.by) == (SELF, True, LEADER.person_id)


def test_a_make_up_counts_as_attended() -> None:
    """第十六条: a student made up is not a no-show."""
    state = run(activity(), makeup(), LEADER, at(12, 3, 17))
    assert outcome_of(state, A, None, NEPU) is AttendanceOutcome.ATTENDED


# -- sign-off (签退 by the organizer, 第十六条) ---------------------------------------------------


def sign_off(student: str = A, reason: str = "中途离场") -> SignOff:
    return SignOff(ACTIVITY_ID, student, reason)


def test_the_leader_signs_a_student_off_during_the_activity() -> None:
    """第十六条: 被负责人、组织者签退."""
    decision = deciding(sign_off(), LEADER, at(12, 3, 15), activity()).decision()
    assert decision.activity == (
        StudentSignedOff(ACTIVITY_ID, A, "中途离场", LEADER.person_id, at(12, 3, 15)),
    )


def test_signing_a_student_off_twice_changes_nothing() -> None:
    """Given A was signed off at 15:00, a second sign-off of A changes nothing, while B may
    still be signed off."""
    state = run(activity(), sign_off(A), LEADER, at(12, 3, 15))
    deciding(sign_off(A), LEADER, at(12, 3, 15, 30), state).then_nothing()
    second = only_event(deciding(sign_off(B), LEADER, at(12, 3, 15, 30), state).decision())
    assert second == StudentSignedOff(
        ACTIVITY_ID, B, "中途离场", LEADER.person_id, at(12, 3, 15, 30)
    )


@pytest.mark.parametrize(
    "moment",
    [STARTS - timedelta(minutes=1), ENDS, at(12, 4, 9)],
    ids=["before-the-start", "at-the-end", "the-next-day"],
)
def test_a_sign_off_happens_during_the_activity(moment: datetime) -> None:
    """第十六条: 签退 removes a student from an activity under way."""
    deciding(sign_off(), LEADER, moment, activity()).raises("checkin.not_during")


def test_a_sign_off_may_happen_at_the_start() -> None:
    """第十六条: the activity is under way from its start."""
    signed_off = accepted(deciding(sign_off(), ORGANIZER, STARTS, activity()))
    assert signed_off == StudentSignedOff(ACTIVITY_ID, A, "中途离场", ORGANIZER.person_id, STARTS)


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_sign_off_needs_a_reason(reason: str) -> None:
    """第十六条: a sign-off costs the student integrity, so it is justified."""
    deciding(sign_off(reason=reason), LEADER, at(12, 3, 15), activity()).raises(
        "checkin.reason_required"
    )


def test_only_a_manager_signs_off() -> None:
    """第十六条: 被负责人、组织者签退 — not by another student."""
    deciding(sign_off(), STUDENT_B, at(12, 3, 15), activity()).raises("auth.forbidden")


def test_only_admitted_students_are_signed_off() -> None:
    """第十六条: a sign-off concerns an admitted participant."""
    deciding(sign_off(OUTSIDER.person_id), LEADER, at(12, 3, 15), activity()).raises(
        "checkin.not_admitted"
    )


# -- closing attendance (第十六条) ----------------------------------------------------------------

CLOSE = CloseAttendance(ACTIVITY_ID)


def leave(student: str, status: LeaveStatus = LeaveStatus.APPROVED) -> Enrolment:
    return Enrolment(
        enrolment_id(ACTIVITY_ID, student),
        ACTIVITY_ID,
        student,
        EnrolmentStatus.ADMITTED,
        at(12, 1),
        leave=status,
        leave_reason="参加校运动会",
    )


def records(state: Activity) -> dict[str, StudentRecord]:
    return {s: record(s) for s in state.roster.admitted}


def close(
    state: Activity,
    *,
    now: datetime = ENDS,
    actor: Actor = LEADER,
    rulebook: Rulebook = NEPU,
    enrolments: Mapping[str, Enrolment] | None = None,
) -> Decision:
    closing = deciding(
        CLOSE, actor, now, state, rulebook=rulebook, enrolments=enrolments, records=records(state)
    )
    return closing.decision()


def five_ways() -> tuple[Activity, dict[str, Enrolment]]:
    """A checked in, B made up, C on approved leave, D signed off at 15:00, E absent."""
    state = checked_in(with_session(activity((A, B, C, D, E))), A, DURING)
    state = run(state, makeup(B), LEADER, at(12, 3, 15, 30))
    state = run(state, sign_off(D), ORGANIZER, at(12, 3, 15))
    return state, {C: leave(C)}


def outcomes(decision: Decision) -> dict[str, AttendanceOutcome]:
    (closed,) = decision.activity
    assert isinstance(closed, AttendanceClosed)
    return dict(closed.outcomes)


def entry_of(decision: Decision, student: str) -> AttendanceRecorded:
    (recorded,) = decision.records[student]
    assert isinstance(recorded, AttendanceRecorded)
    return recorded


NOBODY_CAME = ((A, AttendanceOutcome.NO_SHOW), (B, AttendanceOutcome.NO_SHOW))


def test_attendance_closes_when_the_activity_ends() -> None:
    """第十六条: whether a student checked in is known once the activity is over."""
    assert closing_time(activity(), NEPU) == ENDS
    assert close(activity(), now=ENDS).activity == (
        AttendanceClosed(ACTIVITY_ID, NOBODY_CAME, LEADER.person_id, ENDS),
    )


def test_attendance_cannot_close_before_the_end() -> None:
    """第十六条: the default is decided after the activity, not during it."""
    error = deciding(CLOSE, LEADER, ENDS - timedelta(minutes=1), activity()).raises(
        "checkin.not_ended"
    )
    assert error.details == {"when": "2026-12-03 16:00"}


def test_hfut_closes_attendance_after_the_make_up_window() -> None:
    """Seed 002: a make-up may still come for five working days, so closing waits for them."""
    assert closing_time(lecture(), HFUT) == at(12, 11, 0)
    deciding(CLOSE, LEADER, at(12, 10, 23, 59), lecture(), rulebook=HFUT).raises(
        "checkin.not_ended"
    )
    assert close(lecture(), now=at(12, 11, 0), rulebook=HFUT).activity == (
        AttendanceClosed(ACTIVITY_ID, NOBODY_CAME, LEADER.person_id, at(12, 11, 0)),
    )


def test_the_system_may_close_attendance() -> None:
    """The library's own reaction closes attendance once it is due."""
    closed = only_event(close(activity(), actor=Actor.system()))
    assert closed.by == "system"


@pytest.mark.parametrize("someone", [STUDENT_A, CS_ADMIN], ids=["student", "college-admin"])
def test_nobody_else_closes_attendance(someone: Actor) -> None:
    """第十六条: attendance is kept by the leader and organizers."""
    deciding(CLOSE, someone, ENDS, activity()).raises("auth.forbidden")


def test_the_system_does_only_close() -> None:
    """The system actor closes attendance; it does not open sessions."""
    deciding(open_session(), Actor.system(), STARTS, activity()).raises("auth.forbidden")


def test_each_admitted_student_gets_exactly_one_outcome() -> None:
    """第十六条: attended, excused (approved leave), signed off, or no-show."""
    state, enrolments = five_ways()
    assert outcomes(close(state, enrolments=enrolments)) == {
        A: AttendanceOutcome.ATTENDED,
        B: AttendanceOutcome.ATTENDED,
        C: AttendanceOutcome.EXCUSED,
        D: AttendanceOutcome.SIGNED_OFF,
        E: AttendanceOutcome.NO_SHOW,
    }


def test_the_closing_event_lists_outcomes_by_student() -> None:
    """The ledger records every outcome once, in student-number order."""
    state, enrolments = five_ways()
    closed = only_event(close(state, enrolments=enrolments))
    assert [s for s, _ in closed.outcomes] == [A, B, C, D, E]
    assert (closed.activity_id, closed.by, closed.at) == (ACTIVITY_ID, LEADER.person_id, ENDS)


def test_a_leave_not_approved_does_not_excuse() -> None:
    """第十二条: only an approved leave excuses; requested or rejected leaves a no-show."""
    state = activity((A, B))
    enrolments = {A: leave(A, LeaveStatus.REQUESTED), B: leave(B, LeaveStatus.REJECTED)}
    assert outcomes(close(state, enrolments=enrolments)) == {
        A: AttendanceOutcome.NO_SHOW,
        B: AttendanceOutcome.NO_SHOW,
    }


def test_closing_records_each_outcome_on_the_enrolment() -> None:
    """我的活动 shows how each admitted student's participation ended."""
    state, enrolments = five_ways()
    decision = close(state, enrolments=enrolments, now=at(12, 3, 17))
    assert decision.enrolments[E] == (
        EnrolmentOutcomeRecorded(
            enrolment_id(ACTIVITY_ID, E), ACTIVITY_ID, E, AttendanceOutcome.NO_SHOW, at(12, 3, 17)
        ),
    )
    assert set(decision.enrolments) == {A, B, C, D, E}


def test_closing_writes_each_admitted_students_integrity_entry() -> None:
    """第二十条: every admitted activity enters the student's integrity record."""
    state, enrolments = five_ways()
    decision = close(state, enrolments=enrolments)
    # D was signed off: that default entered the record at the sign-off itself.
    assert set(decision.records) == {A, B, C, E}
    closing = outcomes(decision)
    assert {s: entry_of(decision, s).entry.outcome for s in decision.records} == {
        s: o for s, o in closing.items() if s != D
    }
    assert entry_of(decision, A).student_id == ids.student_id(A)


def test_a_no_show_is_blacklisted_for_120_hours_from_the_end() -> None:
    """第十六条: 成功报名活动未进行签到 → 黑名单 120 小时, 诚信分下降."""
    decision = close(activity((A,)))
    recorded = entry_of(decision, A)
    assert recorded.entry.outcome is AttendanceOutcome.NO_SHOW
    assert recorded.entry.at == ENDS
    assert recorded.entry.rule.startswith("第十六条")
    assert recorded.blacklisted_until == ENDS + timedelta(hours=120)


def test_a_late_closing_dates_the_no_show_at_the_end_and_its_record_now() -> None:
    """Given attendance closed a day after the end (the reaction ran late), the no-show is
    final from the end (the blacklist runs from it, 第十六条), and the record's event is dated
    when it was written."""
    late = ENDS + timedelta(days=1)
    recorded = entry_of(close(activity((A,)), now=late), A)
    assert (recorded.student_id, recorded.at) == (ids.student_id(A), late)
    assert (recorded.entry.at, recorded.blacklisted_until) == (ENDS, ENDS + timedelta(hours=120))


def test_a_sign_off_is_blacklisted_for_120_hours_from_the_sign_off() -> None:
    """第十六条: 被负责人、组织者签退 1 次 → 黑名单 120 小时."""
    state = activity((A,))
    decision = deciding(
        sign_off(A), LEADER, at(12, 3, 15), state, records=records(state)
    ).decision()
    recorded = entry_of(decision, A)  # written at once: a sign-off is final when it happens
    assert A not in close(apply(state, decision)).records
    assert recorded.entry.outcome is AttendanceOutcome.SIGNED_OFF
    assert recorded.entry.at == at(12, 3, 15)
    assert recorded.entry.rule.startswith("第十六条")
    assert recorded.blacklisted_until == at(12, 3, 15) + timedelta(hours=120)


@pytest.mark.parametrize("student", [A, B, C], ids=["checked-in", "made-up", "excused"])
def test_attending_or_an_approved_leave_is_no_default(student: str) -> None:
    """第十六条: only a no-show or a sign-off blacklists."""
    state, enrolments = five_ways()
    recorded = entry_of(close(state, enrolments=enrolments), student)
    assert recorded.blacklisted_until is None
    assert not recorded.entry.rule.startswith("第十六条")


def test_the_integrity_entry_is_keyed_by_activity_and_student() -> None:
    """One entry per admitted activity: closing twice could not write two."""
    recorded = entry_of(close(activity((A,))), A)
    assert recorded.entry == IntegrityEntry(
        ids.derive("integrity", str(ACTIVITY_ID), A),
        ACTIVITY_ID,
        ActivityLevel.COLLEGE,
        AttendanceOutcome.NO_SHOW,
        ENDS,
        integrity_policy.citation(AttendanceOutcome.NO_SHOW, NEPU.integrity),
    )


REQUIRE_CHECKOUT = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, require_checkout=True))


def with_checkout() -> Activity:
    """A and B checked in; only A checked out in session 2 (check-out)."""
    state = checked_in(with_session(), A, DURING)
    state = checked_in(state, B, DURING + timedelta(seconds=30), location=ELSEWHERE)
    out = open_session(kind=SessionKind.CHECK_OUT)
    state = with_session(state, at(12, 3, 15, 50), out)
    return checked_in(state, A, at(12, 3, 15, 55), session=2)


def test_a_check_in_without_the_required_check_out_is_a_no_show() -> None:
    """Where the school requires check-out, a missing one counts as missing_checkout (no-show)."""
    assert outcomes(close(with_checkout(), rulebook=REQUIRE_CHECKOUT)) == {
        A: AttendanceOutcome.ATTENDED,
        B: AttendanceOutcome.NO_SHOW,
    }


def test_a_missing_check_out_may_count_as_attended() -> None:
    """A school may let a check-in without check-out count as attended (missing_checkout)."""
    lenient = attrs.evolve(
        REQUIRE_CHECKOUT,
        checkin=attrs.evolve(REQUIRE_CHECKOUT.checkin, missing_checkout=MissingCheckout.ATTENDED),
    )
    assert outcome_of(with_checkout(), B, None, lenient) is AttendanceOutcome.ATTENDED


def test_without_required_check_out_a_check_in_suffices() -> None:
    """NEPU requires no check-out: a check-in alone is attended."""
    assert outcome_of(with_checkout(), B, None, NEPU) is AttendanceOutcome.ATTENDED


def test_a_required_check_out_never_offered_is_not_missing() -> None:
    """Where the school requires check-out but the activity opened no check-out session,
    nobody could check out: a check-in alone is attended."""
    state = checked_in(with_session(), A, DURING)
    assert outcome_of(state, A, None, REQUIRE_CHECKOUT) is AttendanceOutcome.ATTENDED
    assert outcome_of(state, B, None, REQUIRE_CHECKOUT) is AttendanceOutcome.NO_SHOW


def test_a_check_out_alone_is_not_a_check_in() -> None:
    """第十六条: 未进行签到 — checking out without checking in is a no-show."""
    state = with_session(command=open_session(kind=SessionKind.CHECK_OUT))
    state = checked_in(state, A, DURING)
    assert outcome_of(state, A, None, REQUIRE_CHECKOUT) is AttendanceOutcome.NO_SHOW


def _closed() -> Activity:
    state = checked_in(with_session(activity((A, B))), A, DURING)
    return apply(state, close(state))


def test_closing_marks_the_ledger_closed_with_its_outcomes() -> None:
    """第十六条: the outcomes are decided once."""
    ledger = _closed().attendance
    assert ledger.closed is True
    assert ledger.outcome(A) is AttendanceOutcome.ATTENDED
    assert ledger.outcome(B) is AttendanceOutcome.NO_SHOW


@pytest.mark.parametrize(
    ("command", "actor", "moment"),
    [
        (open_session(), LEADER, at(12, 3, 15, 30)),
        (by_password(), STUDENT_B, at(12, 3, 14, 5)),
        (ReviewFlaggedCheckIn(ACTIVITY_ID, 1, A, True), LEADER, at(12, 3, 17)),
        (sign_off(B), LEADER, at(12, 3, 15)),
        (CLOSE, LEADER, at(12, 3, 17)),
        (CLOSE, Actor.system(), at(12, 3, 17)),
    ],
    # No make-up here: 发布规范 十 补签 after the activity reverses a no-show (see "补签 after
    # closing" below); this list encoded the old reading that closing ends all 补签.
    ids=["open", "check-in", "review", "sign-off", "close-again", "system-close"],
)
def test_after_closing_every_command_is_refused(
    command: CheckInCommand, actor: Actor, moment: datetime
) -> None:
    """第十六条: once decided, attendance and its integrity entries no longer change here."""
    deciding(command, actor, moment, _closed()).raises("checkin.attendance_closed")


# -- property: one outcome per admitted student ----------------------------------------------

POOL = tuple(f"20230203{n:02d}" for n in range(1, 9))


@st.composite
def attendance_cases(
    draw: st.DrawFn,
) -> tuple[frozenset[str], set[str], set[str], set[str], set[str]]:
    admitted = draw(st.frozensets(st.sampled_from(POOL), min_size=1))
    subset = st.sets(st.sampled_from(sorted(admitted)))
    return admitted, draw(subset), draw(subset), draw(subset), draw(subset)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attendance_cases())
def test_closing_gives_one_outcome_and_no_shows_are_the_unaccounted(
    case: tuple[frozenset[str], set[str], set[str], set[str], set[str]],
) -> None:
    """第十六条: every admitted student gets one outcome; the no-shows are exactly those with
    no check-in, no make-up, no approved leave and no sign-off."""
    admitted, present, made_up, on_leave, signed_off = case
    state = with_session(activity(admitted))
    for n, student in enumerate(sorted(present)):
        spot = north_of_centre(5 * n, accuracy_m=5)  # distinct places: no anomaly
        state = checked_in(state, student, DURING + timedelta(seconds=n), location=spot)
    for student in sorted(signed_off):
        state = run(state, sign_off(student), ORGANIZER, at(12, 3, 15))
    for student in sorted(made_up):
        state = run(state, makeup(student), LEADER, at(12, 3, 16, 30))
    enrolments = {s: leave(s) for s in on_leave}

    decision = close(state, now=at(12, 3, 17), enrolments=enrolments)

    result = outcomes(decision)
    closed = only_event(decision)
    assert sorted(s for s, _ in closed.outcomes) == sorted(admitted)
    assert set(result) == admitted
    assert set(decision.enrolments) == admitted
    assert all(len(events) == 1 for events in decision.enrolments.values())
    no_shows = {s for s, o in result.items() if o is AttendanceOutcome.NO_SHOW}
    assert no_shows == admitted - present - made_up - on_leave - signed_off
    assert {s for s, o in result.items() if o is AttendanceOutcome.EXCUSED} == set(on_leave)


@pytest.mark.parametrize(
    ("rotation", "accepted"), [(4, False), (5, True), (30, True), (600, True), (601, False)]
)
def test_a_session_may_set_its_own_rotation(rotation: int, accepted: bool) -> None:
    """发布规范 十: codes rotate (15 s by default); a session may choose 5 s up to its validity."""
    command = OpenCheckInSession(ACTIVITY_ID, 10, geofence=FENCE, rotation_seconds=rotation)
    opening = deciding(command, LEADER, DURING, activity())
    if accepted:
        [event] = opening.decision().activity
        assert isinstance(event, CheckInSessionOpened)
        assert event.session.rotation_seconds == rotation
    else:
        error = opening.raises("checkin.rotation_invalid")
        assert error.details == {"rotation": rotation}


# -- 补签 after closing (发布规范 十) ----------------------------------------------------------
#
# 发布规范 十: 如因手机网络、定位等原因导致无法签到可进行补签，活动结束后活动负责人需按照
# 要求提供相关纸质材料. NEPU closes attendance at the end, so the closing reaction has already
# made the student a no-show and blacklisted them (第十六条 120小时); the make-up must reverse
# that default with new events, carry the evidence's reference, and lift the blacklist if it
# was its only cause.

EVIDENCE = "纸质签到表 2026-12-03 第2页"
LATER = at(12, 4, 9)


def closed_with_records(
    earlier: tuple[IntegrityEntry, ...] = (),
    form: ActivityForm = FORM,
) -> tuple[Activity, dict[str, StudentRecord]]:
    """A checked in, B a no-show; attendance closed at the end with B's default recorded."""
    state = checked_in(with_session(activity((A, B), form)), A, DURING)
    before = {s: attrs.evolve(record(s), integrity=earlier) for s in (A, B)}
    decision = deciding(CLOSE, LEADER, ENDS, state, records=before).decision()
    after = {
        s: functools.reduce(student_aggregate.evolve, decision.records[s], before[s])
        for s in (A, B)
    }
    return apply(state, decision), after


def make_up_late(
    student: str = B,
    evidence: str = EVIDENCE,
    *,
    actor: Actor = LEADER,
    now: datetime = LATER,
    state: Activity | None = None,
    records: Mapping[str, StudentRecord] | None = None,
    rulebook: Rulebook = NEPU,
) -> Decision:
    if state is None or records is None:
        state, records = closed_with_records()
    command = MakeUpCheckIn(ACTIVITY_ID, student, "定位失败，现场签字为证", evidence)
    return deciding(command, actor, now, state, records=records, rulebook=rulebook).decision()


def test_closing_made_b_a_blacklisted_no_show() -> None:
    """Given the closing reaction ran at the end, B is a no-show on the 120-hour blacklist."""
    state, records = closed_with_records()
    assert state.attendance.outcome(B) is AttendanceOutcome.NO_SHOW
    assert records[B].blacklisted_until == ENDS + timedelta(hours=120)


def test_a_make_up_after_closing_reverses_the_no_show_with_new_events() -> None:
    """Given B a blacklisted no-show after closing, when the leader makes B up with the paper
    evidence, then the ledger, B's enrolment and B's record each take a new event."""
    state, records = closed_with_records()
    decision = make_up_late(state=state, records=records)
    (event,) = decision.activity
    assert event == NoShowMadeUp(
        ACTIVITY_ID, B, "定位失败，现场签字为证", EVIDENCE, LEADER.person_id, LATER
    )
    ((outcome,),) = decision.enrolments.values()
    assert isinstance(outcome, EnrolmentOutcomeRecorded)
    assert (outcome.student, outcome.outcome) == (B, AttendanceOutcome.ATTENDED)
    (made,) = decision.records[B]
    entry_id = ids.derive("integrity", str(ACTIVITY_ID), B)
    assert made == DefaultMadeUp(records[B].id, entry_id, EVIDENCE, None, LEADER.person_id, LATER)


def test_the_make_up_records_attended_on_bs_enrolment() -> None:
    """Given B a no-show after closing, when B is made up, then B's enrolment takes the new
    outcome, attended, dated now."""
    decision = make_up_late()
    assert dict(decision.enrolments) == {
        B: (
            EnrolmentOutcomeRecorded(
                enrolment_id(ACTIVITY_ID, B), ACTIVITY_ID, B, AttendanceOutcome.ATTENDED, LATER
            ),
        )
    }


@pytest.mark.parametrize("known", ["no-record", "no-entry"])
def test_a_make_up_after_closing_touches_no_record_without_the_default(known: str) -> None:
    """Given B's record is not loaded, or holds no entry for this activity, when B is made up
    after closing, then the ledger and the enrolment change and no record does."""
    state, _ = closed_with_records()
    loaded = {} if known == "no-record" else {B: record(B)}
    decision = make_up_late(state=state, records=loaded)
    assert dict(decision.records) == {}
    assert [type(e) for e in decision.activity] == [NoShowMadeUp]
    assert list(decision.enrolments) == [B]


def test_a_student_without_an_outcome_is_no_no_show_to_make_up() -> None:
    """Given C was admitted after attendance closed (no outcome), when C is made up, then it
    is refused as no no-show, naming no outcome."""
    state, records = closed_with_records()
    roster = attrs.evolve(state.roster, admitted=state.roster.admitted | {C})
    with pytest.raises(DomainError) as caught:
        make_up_late(C, state=attrs.evolve(state, roster=roster), records=records)
    assert caught.value.code == "checkin.makeup_not_no_show"
    assert caught.value.details == {"student": C, "outcome": ""}


def test_after_the_make_up_b_attended_and_is_off_the_blacklist() -> None:
    """Then B's outcome is attended (credits may follow), the entry reads attended under
    发布规范 十, the score is back to 100% and the blacklist is lifted."""
    state, records = closed_with_records()
    decision = make_up_late(state=state, records=records)
    after = apply(state, decision)
    assert after.attendance.outcome(B) is AttendanceOutcome.ATTENDED
    assert results.attended(after, B)
    record_b = functools.reduce(student_aggregate.evolve, decision.records[B], records[B])
    (entry,) = record_b.integrity
    assert entry.outcome is AttendanceOutcome.ATTENDED
    assert entry.rule.startswith("发布规范 十")
    assert record_b.blacklisted_until is None
    assert integrity_policy.score(record_b.integrity, NEPU.integrity) == 100


def test_the_blacklist_stays_when_another_default_causes_it() -> None:
    """Given B also defaulted in another activity an hour before, when the make-up lifts this
    default, then B stays blacklisted for the other one (120 h from it)."""
    other = IntegrityEntry(
        uuid.uuid4(),
        uuid.uuid4(),
        ActivityLevel.SCHOOL,
        AttendanceOutcome.NO_SHOW,
        ENDS - timedelta(hours=1),
        "第十六条",
    )
    state, records = closed_with_records(earlier=(other,))
    (made,) = make_up_late(state=state, records=records).records[B]
    assert isinstance(made, DefaultMadeUp)
    assert made.blacklisted_until == other.at + timedelta(hours=120)


@pytest.mark.parametrize("evidence", ["", "  "])
def test_a_make_up_after_closing_needs_the_evidence_reference(evidence: str) -> None:
    """发布规范 十 活动结束后活动负责人需按照要求提供相关纸质材料."""
    with pytest.raises(DomainError) as caught:
        make_up_late(evidence=evidence)
    assert caught.value.code == "checkin.evidence_required"


def test_a_make_up_after_closing_for_oneself_is_still_refused() -> None:
    """Ours (cf. 第二十四条): nobody makes up their own check-in, before or after closing."""
    with pytest.raises(DomainError) as caught:
        make_up_late(ORGANIZER.person_id, actor=ORGANIZER)
    assert caught.value.code == "checkin.self_dealing"


def test_a_sign_off_is_not_undone_by_a_make_up_after_closing() -> None:
    """第十六条 被负责人、组织者签退: a sign-off is its own default, not a failed check-in."""
    state = run(with_session(activity((A, B))), sign_off(B), LEADER, at(12, 3, 15))
    state = apply(state, close(state))
    with pytest.raises(DomainError) as caught:
        make_up_late(state=state, records=records(state))
    assert caught.value.code == "checkin.makeup_not_no_show"
    assert caught.value.details == {"student": B, "outcome": "被签退"}


def test_a_make_up_after_closing_of_an_attendee_changes_nothing() -> None:
    assert make_up_late(A) == Decision()


def test_a_make_up_after_finalizing_is_refused() -> None:
    """第十九条 记录一旦生成，活动将被冻结: the records are written, nothing reverses them here."""
    state, records = closed_with_records()
    frozen = attrs.evolve(state, results=Results(finalized=True))
    with pytest.raises(DomainError) as caught:
        make_up_late(state=frozen, records=records)
    assert caught.value.code == "activity.frozen"


def test_hfut_refuses_a_make_up_after_its_window_closed() -> None:
    """合工大 (seed 002) 5个工作日内及时补录: closing waits for the window, so after it the
    deadline refuses first."""
    state, records = closed_with_records(form=attrs.evolve(FORM, module="lecture"))
    with pytest.raises(DomainError) as caught:
        make_up_late(state=state, records=records, rulebook=HFUT, now=at(12, 11, 9))
    assert caught.value.code == "checkin.makeup_closed"


@pytest.mark.parametrize("now", [REGISTRATION_CLOSES, at(12, 3, 13, 59)])
def test_no_make_up_before_the_activity_starts(now: datetime) -> None:
    """第十六条 补签 is for 参加活动的同学 who could not check in: before the start, nobody has
    taken part yet."""
    deciding(makeup(B), LEADER, now, activity()).raises("checkin.makeup_before_start")


def test_a_make_up_keeps_the_evidence_given_before_closing() -> None:
    """发布规范 十 相关纸质材料: a reference given with a make-up before closing is kept."""
    command = MakeUpCheckIn(ACTIVITY_ID, B, "手机没电，到场可证明", "纸质签到表 第1页")
    event = accepted(deciding(command, LEADER, at(12, 3, 15), activity()))
    assert (event.student, event.method, event.evidence) == (B, Method.MAKEUP, "纸质签到表 第1页")


def test_a_make_up_from_the_start_is_accepted() -> None:
    assert made_up(accepted(deciding(makeup(B), LEADER, STARTS, activity())), B, STARTS)


# -- the check-in time vs a code's validity (第十六条, 发布规范 十) -------------------------------
#
# 第十六条: 活动签到时间默认为活动开始到活动结束，签到时间可由活动主办方修改 — the check-in time
# is a window on the activity. 发布规范 十: 生成签到码时设置有效时间……有效时间不得超过10分钟
# — each code (a session: its QR and password) has its own validity of at most 10 minutes,
# inside the window.


def window(opens: datetime, closes: datetime, state: Activity | None = None) -> Activity:
    """The activity after the leader set its check-in time to ``opens``–``closes``."""
    command = SetCheckInWindow(ACTIVITY_ID, opens, closes)
    return run(state or activity(), command, LEADER, REGISTRATION_CLOSES)


def test_the_check_in_time_defaults_to_the_whole_activity() -> None:
    assert checkin_window(activity()) == (STARTS, ENDS)


def test_a_code_valid_before_the_start_is_refused_by_default() -> None:
    """Given the default check-in time (14:00–16:00), when a code is opened at 13:55, then
    checkin.outside_window names the window."""
    error = deciding(open_session(), LEADER, at(12, 3, 13, 55), activity()).raises(
        "checkin.outside_window"
    )
    assert error.details == {"opens": "12-03 14:00", "closes": "12-03 16:00"}


def test_a_code_may_be_created_early_to_open_at_the_start() -> None:
    """第十五条 报名结束与活动结束期间 创建签到: created at the close of registration, it opens
    at 14:00, inside the default window."""
    command = open_session(opens_at=STARTS)
    session = only_event(
        deciding(command, LEADER, REGISTRATION_CLOSES, activity()).decision()
    ).session
    assert (session.opens_at, session.closes_at) == (STARTS, STARTS + timedelta(minutes=10))


def test_the_host_may_open_the_check_in_time_earlier() -> None:
    """Given the host moved the check-in time to 13:30–16:00, when a code is opened at 13:40,
    then it is accepted; its own validity is still at most ten minutes (发布规范 十)."""
    early = window(at(12, 3, 13, 30), ENDS)
    assert early.attendance.window_opens == at(12, 3, 13, 30)
    opened = accepted(deciding(open_session(), LEADER, at(12, 3, 13, 40), early))
    assert (opened.session.opens_at, opened.session.closes_at) == (
        at(12, 3, 13, 40),
        at(12, 3, 13, 50),
    )
    deciding(open_session(11), LEADER, at(12, 3, 13, 40), early).raises("checkin.validity_too_long")


def test_the_host_may_close_the_check_in_time_early() -> None:
    """Given the check-in time is 14:00–14:30, when a code would run to 14:35, then refused."""
    short = window(STARTS, at(12, 3, 14, 30))
    deciding(open_session(10), LEADER, at(12, 3, 14, 25), short).raises("checkin.outside_window")
    opened = accepted(deciding(open_session(5), LEADER, at(12, 3, 14, 25), short))
    assert opened.session.closes_at == at(12, 3, 14, 30)  # exactly the window's end


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (REGISTRATION_CLOSES - timedelta(minutes=1), ENDS),
        (STARTS, ENDS + timedelta(minutes=1)),
        (at(12, 3, 15), at(12, 3, 15)),
        (at(12, 3, 15), at(12, 3, 14)),
    ],
    ids=["before-registration-closes", "past-the-end", "empty", "inverted"],
)
def test_the_check_in_time_lies_between_registration_close_and_the_end(
    opens: datetime, closes: datetime
) -> None:
    """第十五条 报名结束与活动结束期间."""
    command = SetCheckInWindow(ACTIVITY_ID, opens, closes)
    deciding(command, LEADER, REGISTRATION_CLOSES, activity()).raises("checkin.window_invalid")


def test_the_host_sets_the_check_in_time_with_an_event() -> None:
    """第十六条 签到时间可由活动主办方修改: the event names the activity, the window, who set it
    and when."""
    command = SetCheckInWindow(ACTIVITY_ID, at(12, 3, 13, 30), at(12, 3, 15))
    event = accepted(deciding(command, ORGANIZER, REGISTRATION_CLOSES, activity()))
    assert event == CheckInWindowSet(
        ACTIVITY_ID, at(12, 3, 13, 30), at(12, 3, 15), ORGANIZER.person_id, REGISTRATION_CLOSES
    )


@pytest.mark.parametrize(
    ("now", "allowed"), [(ENDS - timedelta(minutes=1), True), (ENDS, False)], ids=["before", "at"]
)
def test_the_check_in_time_is_set_before_the_end(now: datetime, allowed: bool) -> None:
    """第十五条 报名结束与活动结束期间: at the end of the activity it is too late."""
    setting = deciding(
        SetCheckInWindow(ACTIVITY_ID, STARTS, at(12, 3, 15)), LEADER, now, activity()
    )
    if allowed:
        assert accepted(setting).closes_at == at(12, 3, 15)
    else:
        setting.raises("checkin.window_invalid")


def test_only_a_manager_sets_the_check_in_time() -> None:
    command = SetCheckInWindow(ACTIVITY_ID, at(12, 3, 13, 30), ENDS)
    deciding(command, STUDENT_A, REGISTRATION_CLOSES, activity()).raises("auth.forbidden")


def test_setting_the_default_check_in_time_again_changes_nothing() -> None:
    command = SetCheckInWindow(ACTIVITY_ID, STARTS, ENDS)
    assert deciding(command, LEADER, REGISTRATION_CLOSES, activity()).decision() == Decision()


# -- what a decision needs loaded ------------------------------------------------------------------


CLOSED_LEDGER = Attendance(closed=True)


@pytest.mark.parametrize(
    ("command", "state", "students"),
    [
        (CLOSE, activity((A, B, C)), {A, B, C}),
        (CLOSE, None, set()),
        (SignOff(ACTIVITY_ID, B, "中途离场"), activity(), {B}),
        (SignOff(ACTIVITY_ID, B, "中途离场"), None, {B}),
        (MakeUpCheckIn(ACTIVITY_ID, B, "定位失败"), activity(attendance=CLOSED_LEDGER), {B}),
        (MakeUpCheckIn(ACTIVITY_ID, B, "定位失败"), activity(), set()),
        (MakeUpCheckIn(ACTIVITY_ID, B, "定位失败"), None, set()),
        (open_session(), activity(), set()),
        (by_password(), activity(), set()),
        (ReviewFlaggedCheckIn(ACTIVITY_ID, 1, B, accept=True), activity(), set()),
        (SetCheckInWindow(ACTIVITY_ID, STARTS, ENDS), activity(), set()),
    ],
    ids=[
        "close",
        "close-unknown-activity",
        "sign-off",
        "sign-off-unknown-activity",
        "make-up-after-closing",
        "make-up-before-closing",
        "make-up-unknown-activity",
        "open",
        "check-in",
        "review",
        "window",
    ],
)
def test_what_a_decision_needs_loaded(
    command: CheckInCommand, state: Activity | None, students: set[str]
) -> None:
    """Closing writes every admitted student's enrolment and record, a sign-off the student's
    (its default is final at once, 第十六条), a make-up after closing reverses the default in
    both; the school's secret is always at hand for the codes."""
    loaded = frozenset(students)
    assert checkin.involved(command, state) == Involved(
        enrolments=loaded, records=loaded, secret=True
    )


@pytest.mark.parametrize(
    "command",
    [open_session(), by_password(), makeup(), CLOSE, sign_off()],
    ids=["open", "check-in", "make-up", "close", "sign-off"],
)
def test_a_command_on_an_unknown_activity_names_it(command: CheckInCommand) -> None:
    error = deciding(command, LEADER, DURING, None).raises("activity.not_found")
    assert error.details == {"activity_id": str(ACTIVITY_ID)}


def test_a_command_check_in_does_not_know_is_a_programming_error() -> None:
    """A command of no check-in kind reaching this decider fails loudly, naming it."""
    stray = SimpleNamespace(activity_id=ACTIVITY_ID)
    facts = given_activity(activity(), tribe=TRIBE, secret=SECRET).facts(LEADER, DURING)
    with pytest.raises(AssertionError, match=r"^unhandled command namespace\(activity_id="):
        checkin.decide(stray, facts)  # type: ignore[arg-type]


# -- the anomaly rule's recent scans, as fast as they are exact ---------------------------------


def _reference_anomalous(
    recent: Iterable[Scan],
    session: int,
    student: str,
    device: str | None,
    place: str | None,
    now: datetime,
    window: int,
) -> bool:
    """The rule as written before it was reordered for speed (the specification)."""
    for scan in recent:
        if scan.session != session or scan.student == student:
            continue
        if abs((now - scan.at).total_seconds()) > window:
            continue
        if (device is not None and scan.device == device) or (
            place is not None and scan.place == place
        ):
            return True
    return False


def checked_in_event(
    session: int, student: str, now: datetime, device: str | None, place: str | None
) -> StudentCheckedIn:
    return StudentCheckedIn(
        uuid.uuid4(),
        session,
        student,
        Method.PASSWORD,
        "5",
        None,
        device,
        place,
        False,
        "",
        student,
        now,
    )


_SCANS = st.builds(
    Scan,
    session=st.integers(1, 2),
    student=st.sampled_from([A, B, "2023000003"]),
    device=st.sampled_from([None, "d1", "d2"]),
    place=st.sampled_from([None, "p1", "p2"]),
    at=st.integers(-130_000_000, 130_000_000).map(lambda us: DURING + timedelta(microseconds=us)),
)


@given(
    st.lists(_SCANS, max_size=8),
    _SCANS,
    st.integers(0, 120),
)
def test_the_anomaly_rule_answers_as_its_specification(
    recent: list[Scan], scan: Scan, window: int
) -> None:
    """Given any recent scans, a new scan is anomalous exactly when the rule as written says."""
    state = attrs.evolve(activity(), attendance=Attendance(recent=tuple(recent)))
    rulebook = attrs.evolve(NEPU, checkin=attrs.evolve(NEPU.checkin, anomaly_window_seconds=window))
    found = _anomalous(
        state, scan.session, scan.student, scan.device, scan.place, scan.at, rulebook
    )
    assert found == _reference_anomalous(
        recent, scan.session, scan.student, scan.device, scan.place, scan.at, window
    )


@given(st.lists(_SCANS, max_size=8), _SCANS)
def test_a_check_in_keeps_the_scans_of_the_last_two_minutes_exactly(
    recent: list[Scan], scan: Scan
) -> None:
    """Given any recent scans, a check-in keeps those at most RECENT_HORIZON_S (120 s) older
    than itself, to the microsecond, in their order, and adds its own."""
    ledger = Attendance(recent=tuple(recent))
    event = checked_in_event(scan.session, scan.student, scan.at, scan.device, scan.place)
    after = evolve_attendance(ledger, event)
    kept = tuple(s for s in recent if (scan.at - s.at).total_seconds() <= RECENT_HORIZON_S)
    assert after.recent == (*kept, scan)


def test_a_scan_exactly_two_minutes_old_is_kept_and_one_microsecond_more_is_not() -> None:
    """The horizon's edge: 120 s is kept, 120 s and 1 µs is dropped."""
    edge = Scan(1, A, "d1", None, DURING - timedelta(seconds=RECENT_HORIZON_S))
    past = Scan(1, B, "d1", None, edge.at - timedelta(microseconds=1))
    event = checked_in_event(1, "2023000003", DURING, None, None)
    after = evolve_attendance(Attendance(recent=(past, edge)), event)
    assert [s.student for s in after.recent] == [A, "2023000003"]
