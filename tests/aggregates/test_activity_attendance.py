"""The attendance ledger (签到管理) on the Activity stream: what each event leaves in it, and
what its queries answer.

第十六条 (扫码签到或密码签到; 补签; 被负责人、组织者签退) and 发布规范 十 (补签 after the end,
with the paper evidence). Each test starts from a ledger, folds events with
``evolve_attendance`` and checks the whole ledger, or asks one query; the decisions that write
these events are specified in ``tests/aggregates/test_checkin.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.aggregates.activity_attendance import (
    EVENTS,
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
from second_classroom.core.terms import AttendanceOutcome
from tests.specification import at

ACTIVITY = UUID("00000000-0000-4000-8000-0000000000a1")
LEADER = "2023010101"
A, B, C = "2023020201", "2023020202", "2023020203"
T0 = at(12, 3, 14, 5)
FENCE = Geofence(46.5942, 125.1094, 100.0)
CHECK_IN = Session(1, SessionKind.CHECK_IN, at(12, 3, 14), at(12, 3, 14, 10), True, FENCE, 15)
CHECK_OUT = Session(2, SessionKind.CHECK_OUT, at(12, 3, 15, 50), at(12, 3, 16), False, None, 15)


def fold(ledger: Attendance, *events: object) -> Attendance:
    for event in events:
        ledger = evolve_attendance(ledger, event)  # type: ignore[arg-type]
    return ledger


def scanned(
    student: str,
    when: datetime,
    *,
    session: int = 1,
    step: int | None = 7,
    device: str | None = "dev-1",
    place: str | None = "place-1",
    flagged: bool = False,
) -> StudentCheckedIn:
    """An accepted QR scan (``step`` given) or password (``step`` None)."""
    method = Method.QR if step is not None else Method.PASSWORD
    return StudentCheckedIn(
        ACTIVITY, session, student, method, "≤50m", step, device, place, flagged, "", student, when
    )


def make_up(student: str, when: datetime = T0) -> StudentCheckedIn:
    return StudentCheckedIn(
        ACTIVITY,
        0,
        student,
        Method.MAKEUP,
        "makeup",
        None,
        None,
        None,
        False,
        "手机没电",
        LEADER,
        when,
    )


OPENED = fold(
    Attendance(),
    CheckInSessionOpened(ACTIVITY, CHECK_IN, LEADER, T0),
    CheckInSessionOpened(ACTIVITY, CHECK_OUT, LEADER, T0),
)


# -- sessions ------------------------------------------------------------------------------------


def test_sessions_are_kept_in_the_order_they_were_opened() -> None:
    assert Attendance(sessions=(CHECK_IN, CHECK_OUT)) == OPENED
    assert (OPENED.session(1), OPENED.session(2), OPENED.session(3)) == (CHECK_IN, CHECK_OUT, None)
    assert Attendance().session(1) is None


def test_the_session_kinds_read_as_check_in_and_check_out() -> None:
    assert (SessionKind.CHECK_IN.label, SessionKind.CHECK_OUT.label) == ("签到", "签退")


# -- check-ins -----------------------------------------------------------------------------------


def test_a_scan_makes_the_student_present_and_uses_up_its_code() -> None:
    """第十六条 扫码签到: present in the session, the code's step used, the scan kept for the
    anomaly rule with its student, fingerprints and time."""
    ledger = fold(OPENED, scanned(A, T0, device="dev-a", place="place-a"))
    assert ledger == attrs.evolve(
        OPENED,
        present=frozenset({(1, A)}),
        tokens=frozenset({(1, A, 7)}),
        recent=(Scan(1, A, "dev-a", "place-a", T0),),
    )


def test_a_password_check_in_uses_no_code() -> None:
    """第十六条 密码签到: present, but no code step is recorded as used."""
    ledger = fold(OPENED, scanned(A, T0, step=None, device=None, place=None))
    assert ledger.present == {(1, A)}
    assert ledger.tokens == frozenset()
    assert ledger.recent == (Scan(1, A, None, None, T0),)


def test_a_flagged_check_in_is_present_and_awaits_review() -> None:
    ledger = fold(OPENED, scanned(A, T0), scanned(B, T0, device="dev-1", flagged=True))
    assert ledger.present == {(1, A), (1, B)}
    assert ledger.flagged == {(1, B)}


def test_the_anomaly_rule_keeps_scans_of_the_last_two_minutes() -> None:
    """A scan exactly RECENT_HORIZON_S old is kept; one a second older is dropped."""
    horizon = timedelta(seconds=RECENT_HORIZON_S)
    kept = fold(OPENED, scanned(A, T0), scanned(B, T0 + horizon))
    assert [scan.student for scan in kept.recent] == [A, B]
    dropped = fold(OPENED, scanned(A, T0), scanned(B, T0 + horizon + timedelta(seconds=1)))
    assert dropped.recent == (Scan(1, B, "dev-1", "place-1", T0 + horizon + timedelta(seconds=1)),)


@pytest.mark.parametrize(
    ("kind", "student", "expected"),
    [
        (SessionKind.CHECK_IN, A, True),
        (SessionKind.CHECK_OUT, A, False),
        (SessionKind.CHECK_IN, B, False),
        (SessionKind.CHECK_OUT, B, True),
    ],
)
def test_checked_tells_the_kind_of_session_a_student_scanned(
    kind: SessionKind, student: str, expected: bool
) -> None:
    ledger = fold(OPENED, scanned(A, T0), scanned(B, T0, session=2))
    assert ledger.checked(student, kind) is expected


def test_a_make_up_is_no_scan() -> None:
    """第十六条 补签 before closing: the student is made up, in no session, using no code."""
    ledger = fold(OPENED, make_up(A))
    assert ledger == attrs.evolve(OPENED, made_up=frozenset({A}))
    assert not ledger.checked(A, SessionKind.CHECK_IN)


# -- passwords -----------------------------------------------------------------------------------


def test_wrong_passwords_are_counted_per_student_and_session() -> None:
    ledger = fold(
        OPENED,
        CheckInPasswordRejected(ACTIVITY, 1, A, 1, T0),
        CheckInPasswordRejected(ACTIVITY, 1, A, 2, T0),
        CheckInPasswordRejected(ACTIVITY, 2, B, 1, T0),
    )
    assert ledger.wrong_guesses(1, A) == 2
    assert ledger.wrong_passwords == {(1, A, 1), (1, A, 2), (2, B, 1)}
    assert (ledger.wrong_guesses(2, B), ledger.wrong_guesses(1, B)) == (1, 0)
    assert (ledger.wrong_guesses(2, A), ledger.wrong_guesses(1, C)) == (0, 0)


def test_the_count_of_wrong_guesses_stops_at_the_first_missing_attempt() -> None:
    """Attempts are numbered 1, 2, 3, …: the count is the unbroken run from the first."""
    ledger = Attendance(wrong_passwords=frozenset({(1, A, 1), (1, A, 2), (1, A, 3), (1, A, 5)}))
    assert ledger.wrong_guesses(1, A) == 3
    assert Attendance(wrong_passwords=frozenset({(1, A, 2)})).wrong_guesses(1, A) == 0


@given(
    st.frozensets(st.tuples(st.integers(1, 2), st.sampled_from((A, B)), st.integers(0, 7))),
    st.integers(1, 2),
    st.sampled_from((A, B)),
)
def test_the_count_of_wrong_guesses_is_the_first_missing_attempt_less_one(
    wrong: frozenset[tuple[int, str, int]], session: int, student: str
) -> None:
    """Given any recorded wrong passwords (gaps, other students and sessions, a stray attempt
    0), when the count for one student and session is asked, then it is the first attempt
    number 1, 2, … not recorded for them, less one."""
    mine = {attempt for s, who, attempt in wrong if (s, who) == (session, student)}
    first_missing = min(set(range(1, len(mine) + 2)) - mine)
    assert Attendance(wrong_passwords=wrong).wrong_guesses(session, student) == first_missing - 1


def test_a_lock_is_per_student_and_session() -> None:
    ledger = fold(OPENED, CheckInPasswordLocked(ACTIVITY, 1, A, 5, T0))
    assert ledger == attrs.evolve(OPENED, password_locked=frozenset({(1, A)}))


# -- review, sign-off, closing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "present"), [(True, {(1, A), (1, B)}), (False, {(1, A)})], ids=["keep", "void"]
)
def test_a_review_clears_the_flag_and_keeps_or_voids_the_presence(
    accepted: bool, present: set[tuple[int, str]]
) -> None:
    flagged = fold(OPENED, scanned(A, T0), scanned(B, T0, flagged=True))
    ledger = fold(flagged, FlaggedCheckInReviewed(ACTIVITY, 1, B, accepted, LEADER, T0))
    assert ledger == attrs.evolve(flagged, flagged=frozenset(), present=frozenset(present))


def test_a_sign_off_is_kept_with_its_time() -> None:
    """第十六条 被负责人、组织者签退: who and when, in order."""
    later = T0 + timedelta(minutes=30)
    ledger = fold(
        OPENED,
        StudentSignedOff(ACTIVITY, A, "中途离场", LEADER, T0),
        StudentSignedOff(ACTIVITY, B, "中途离场", LEADER, later),
    )
    assert ledger.signed_off == ((A, T0), (B, later))
    assert (ledger.signed_off_at(A), ledger.signed_off_at(B), ledger.signed_off_at(C)) == (
        T0,
        later,
        None,
    )


OUTCOMES = (
    (A, AttendanceOutcome.NO_SHOW),
    (B, AttendanceOutcome.NO_SHOW),
    (C, AttendanceOutcome.ATTENDED),
)


def test_closing_sets_every_outcome_once() -> None:
    ledger = fold(OPENED, AttendanceClosed(ACTIVITY, OUTCOMES, LEADER, T0))
    assert ledger == attrs.evolve(OPENED, outcomes=OUTCOMES, closed=True)
    assert [ledger.outcome(s) for s in (A, B, C, "2023020299")] == [
        AttendanceOutcome.NO_SHOW,
        AttendanceOutcome.NO_SHOW,
        AttendanceOutcome.ATTENDED,
        None,
    ]


def test_a_make_up_after_closing_turns_that_no_show_alone_into_attended() -> None:
    """发布规范 十 补签 with paper evidence after closing: the student is made up and attended;
    every other outcome stays as closed, in the same order."""
    closed = fold(OPENED, make_up(C), AttendanceClosed(ACTIVITY, OUTCOMES, LEADER, T0))
    ledger = fold(closed, NoShowMadeUp(ACTIVITY, B, "定位失败", "纸质签到表 第3页", LEADER, T0))
    assert ledger == attrs.evolve(
        closed,
        made_up=frozenset({B, C}),
        outcomes=(
            (A, AttendanceOutcome.NO_SHOW),
            (B, AttendanceOutcome.ATTENDED),
            (C, AttendanceOutcome.ATTENDED),
        ),
    )


def test_the_host_sets_the_check_in_window() -> None:
    """第十六条 签到时间可由活动主办方修改: the window replaces the default, last one wins."""
    first = CheckInWindowSet(ACTIVITY, at(12, 3, 13), at(12, 3, 15), LEADER, T0)
    second = CheckInWindowSet(ACTIVITY, at(12, 3, 12), at(12, 3, 16), LEADER, T0)
    assert fold(OPENED, first) == attrs.evolve(
        OPENED, window_opens=at(12, 3, 13), window_closes=at(12, 3, 15)
    )
    assert fold(OPENED, first, second) == attrs.evolve(
        OPENED, window_opens=at(12, 3, 12), window_closes=at(12, 3, 16)
    )


def test_every_attendance_event_is_handled_and_nothing_else() -> None:
    assert len(EVENTS) == 9
    with pytest.raises(AssertionError, match=r"^unhandled event 'not an event'$"):
        evolve_attendance(OPENED, "not an event")  # type: ignore[arg-type]
