"""Check-in and integrity through the facade (第十五、十六条): codes on the organizer's screen,
scans and passwords, make-up, the no-show reaction exactly once, the blacklist refusing
registration, and an appeal lifting it — on every store."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import attrs
import pytest

from second_classroom import codec
from second_classroom.aggregates import student as student_module
from second_classroom.aggregates.activity_attendance import (
    CheckInPasswordLocked,
    CheckInPasswordRejected,
)
from second_classroom.aggregates.checkin import (
    CheckIn,
    CloseAttendance,
    Location,
    MakeUpCheckIn,
    OpenCheckInSession,
)
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.student import AppealDefault, DecideAppeal
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.stores import postgres_env, sqlite_env
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.checkin_world import (
    ENDED,
    FIELD,
    ON_SITE,
    ORGANIZER,
    STARTED,
    checked_in_world,
    top,
)
from tests.enrolment_world import (
    LEADER,
    ORGANIZER_NUMBER,
    UNION,
)
from tests.specification import PE_ADMIN, SCHOOL_ADMIN, at, present
from tests.stores import TEST_SECRET

E = TypeVar("E")


def later_activity(service: SecondClassroom) -> UUID:
    """A second activity whose registration is open the day after the first one ends."""
    from second_classroom.aggregates.activity import ApproveActivity, DraftActivity, SubmitActivity

    activity_id = ids.activity_id(UNION.tribe_id, "later")
    form = attrs.evolve(
        FORM,
        title="石油工程学院“读书分享会”活动",
        capacity=30,
        organizers=(ORGANIZER_NUMBER,),
        registration_opens=at(12, 3, 17),
        registration_closes=at(12, 8, 20),
        starts_at=at(12, 9, 14),
        ends_at=at(12, 9, 16),
    )
    service.execute(DraftActivity(UNION.tribe_id, "later", form), LEADER, at(11, 23, 10))
    service.execute(SubmitActivity(activity_id), LEADER, at(11, 23, 10))
    for reviewer in (LEADER, PE_ADMIN, SCHOOL_ADMIN):
        service.execute(ApproveActivity(activity_id), reviewer, at(11, 23, 11))
    return activity_id


def test_codes_rotate_and_a_stale_code_is_refused(service: SecondClassroom) -> None:
    """第十五条 / 发布规范 十: the QR rotates every 15 s; the previous code is grace."""
    talk, students = checked_in_world(service)
    service.execute(
        OpenCheckInSession(talk, 5, geofence=FIELD), ORGANIZER, STARTED + timedelta(minutes=20)
    )
    first = service.check_in_code(talk, 2, ORGANIZER, STARTED + timedelta(minutes=20))
    with pytest.raises(DomainError) as caught:
        service.execute(
            CheckIn(talk, 2, token=first.token, location=ON_SITE),
            students[2],
            STARTED + timedelta(minutes=20, seconds=45),
        )
    assert caught.value.code == "checkin.token_expired"
    assert first.svg().startswith("<svg")
    with pytest.raises(DomainError) as refused:
        service.check_in_code(talk, 2, students[2], STARTED)
    assert refused.value.code == "auth.forbidden"


def test_closing_attendance_marks_no_shows_once_and_blacklists(service: SecondClassroom) -> None:
    """第十六条: 未进行签到 → 黑名单120小时 and a lower integrity score; exactly once."""
    _talk, students = checked_in_world(service)
    later = later_activity(service)
    assert service.run_reactions(ENDED - timedelta(minutes=1)) == []
    [closing] = service.run_reactions(ENDED)
    assert service.run_reactions(ENDED + timedelta(hours=1)) == []
    streams = {e.originator_id for e in closing.events}
    assert len(streams) == 1 + 3 + 3  # the activity, three enrolments, three records
    absent = students[2].person_id
    report = service.integrity(absent, SCHOOL_ADMIN)
    assert report is not None
    assert report.score == 0
    assert report.blacklisted_until == ENDED + timedelta(hours=120)
    assert [e.outcome for e in report.entries] == [AttendanceOutcome.NO_SHOW]
    assert "第十六条" in report.entries[0].rule
    present = service.integrity(students[0].person_id, SCHOOL_ADMIN)
    assert present is not None
    assert present.score == 100
    with pytest.raises(DomainError) as caught:
        service.execute(Register(later), students[2], at(12, 4, 9))
    assert caught.value.code == "enrolment.blacklisted"
    service.execute(Register(later), students[0], at(12, 4, 9))
    # the blacklist expires by time alone
    outcome = service.execute(Register(later), students[2], ENDED + timedelta(hours=120))
    registered = [
        e.payload for e in outcome.events if type(e.payload).__name__ == "EnrolmentRegistered"
    ]
    assert [(e.student, e.status.value) for e in registered] == [
        (students[2].person_id, "admitted")
    ]


def test_an_overturned_appeal_restores_the_score_and_lifts_the_blacklist(
    service: SecondClassroom,
) -> None:
    """Appeals: a reversal is appended; nothing is edited or deleted."""
    _talk, students = checked_in_world(service)
    later = later_activity(service)
    service.run_reactions(ENDED)
    absent = students[2].person_id
    entry = present(service.integrity(absent, SCHOOL_ADMIN)).entries[0]
    with pytest.raises(DomainError) as not_theirs:
        service.execute(AppealDefault(absent, entry.entry_id, "生病"), students[0], at(12, 4))
    assert not_theirs.value.code == "integrity.not_your_default"
    service.execute(
        AppealDefault(absent, entry.entry_id, "当天就医", ("hospital.jpg",)), students[2], at(12, 4)
    )
    with pytest.raises(DomainError) as not_admin:
        service.execute(
            DecideAppeal(absent, entry.entry_id, True, "证明属实"), LEADER, at(12, 4, 10)
        )
    assert not_admin.value.code == "auth.forbidden"
    service.execute(DecideAppeal(absent, entry.entry_id, True, "证明属实"), PE_ADMIN, at(12, 4, 10))
    report = service.integrity(absent, SCHOOL_ADMIN)
    assert report is not None
    assert report.blacklisted_until is None
    assert report.score == 100  # an overturned default leaves the denominator
    service.execute(Register(later), students[2], at(12, 4, 11))
    history = [
        type(e.payload).__name__ for e in service.history(ids.student_id(absent), SCHOOL_ADMIN)
    ]
    assert history[-3:] == ["AttendanceRecorded", "DefaultAppealed", "AppealDecided"]


def test_a_make_up_counts_as_attended(service: SecondClassroom) -> None:
    """第十六条 补签 by the organizer."""
    talk, students = checked_in_world(service)
    service.execute(
        MakeUpCheckIn(talk, students[2].person_id, "手机没电，现场签字为证"),
        ORGANIZER,
        at(12, 3, 15),
    )
    service.run_reactions(ENDED)
    assert (
        present(service.enrolment(talk, students[2].person_id, SCHOOL_ADMIN)).outcome
        is AttendanceOutcome.ATTENDED
    )
    assert present(service.integrity(students[2].person_id, SCHOOL_ADMIN)).blacklisted_until is None


def test_a_make_up_after_the_closing_reaction_reverses_the_default(
    service: SecondClassroom,
) -> None:
    """发布规范 十: 如因手机网络、定位等原因导致无法签到可进行补签，活动结束后活动负责人需按照要求
    提供相关纸质材料. Given the closing reaction made the absent student a blacklisted no-show, when
    the leader makes them up the next morning with the paper evidence, then the default is
    reversed by new events: attended, score 100%, off the blacklist, free to register."""
    talk, students = checked_in_world(service)
    later = later_activity(service)
    service.run_reactions(ENDED)
    absent = students[2].person_id
    assert present(service.integrity(absent, SCHOOL_ADMIN)).blacklisted_until is not None
    service.execute(
        MakeUpCheckIn(talk, absent, "定位失败，现场签字", "签到表 第2页"), LEADER, at(12, 4, 9)
    )
    assert (
        present(service.enrolment(talk, absent, SCHOOL_ADMIN)).outcome is AttendanceOutcome.ATTENDED
    )
    report = service.integrity(absent, SCHOOL_ADMIN)
    assert report is not None
    assert report.blacklisted_until is None
    assert report.score == 100
    assert [e.outcome for e in report.entries] == [AttendanceOutcome.ATTENDED]
    history = [
        type(e.payload).__name__ for e in service.history(ids.student_id(absent), SCHOOL_ADMIN)
    ]
    assert history[-2:] == ["AttendanceRecorded", "DefaultMadeUp"]  # appended, never edited
    service.execute(Register(later), students[2], at(12, 4, 10))
    views = service.views  # the read model follows the reversal too
    views.catch_up()
    summary = views.student_summary(absent)
    assert summary is not None
    assert (summary.attended, summary.no_shows, summary.blacklisted_until) == (1, 0, None)


def test_the_no_show_reaction_is_exactly_once_across_restarts_and_races(tmp_path: Path) -> None:
    """A crash or restart never doubles or drops a default: the aggregate closes once."""
    env = sqlite_env(tmp_path / "school.sqlite3")
    with SecondClassroom.open(env, secret=TEST_SECRET) as service:
        talk, students = checked_in_world(service)
    outcomes: list[int] = []

    def run() -> None:
        with SecondClassroom.open(env, secret=TEST_SECRET) as restarted:
            outcomes.append(len(restarted.run_reactions(ENDED)))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [0, 0, 0, 1]
    with SecondClassroom.open(env, secret=TEST_SECRET) as again:
        assert again.run_reactions(ENDED + timedelta(days=1)) == []
        absent = again.integrity(students[2].person_id, SCHOOL_ADMIN)
        assert absent is not None
        assert len(absent.entries) == 1
        with pytest.raises(DomainError) as caught:
            again.execute(CloseAttendance(talk), ORGANIZER, ENDED)
        assert caught.value.code == "checkin.attendance_closed"


def test_blacklisted_until_is_the_same_from_replay_as_live(service: SecondClassroom) -> None:
    _talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    live = service.student(students[2].person_id, SCHOOL_ADMIN)
    assert live is not None
    assert live.blacklisted_until == ENDED + timedelta(hours=120)
    if service.app.env.get("PERSISTENCE_MODULE") == "eventsourcing.popo":
        pytest.skip("an in-memory store has nothing to replay from another application")
    with SecondClassroomApplication(service.app.env) as fresh:
        fresh.forget_states()
        replayed = fresh.load(student_module.DECIDER, ids.student_id(students[2].person_id)).state
    assert replayed == live
    assert replayed is not None
    assert replayed.blacklisted_until == ENDED + timedelta(hours=120)


def test_integrity_reports_are_json(service: SecondClassroom) -> None:
    _talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    report = service.integrity(students[2].person_id, SCHOOL_ADMIN)
    encoded = codec.to_json(report)
    assert encoded["score"] == "0"
    assert codec.from_json(encoded) == report


def test_bad_check_in_input_is_refused_with_a_code_and_stores_nothing(
    service: SecondClassroom,
) -> None:
    """发布规范 十 and 第十五、十六条, through the facade on every store."""

    talk, students = checked_in_world(service)
    outsider = Actor.student("2024999999")
    cases = [
        (
            OpenCheckInSession(talk, 11, geofence=FIELD),
            ORGANIZER,
            STARTED,
            "checkin.validity_too_long",
        ),
        (
            OpenCheckInSession(talk, 5, geofence=FIELD),
            ORGANIZER,
            at(12, 2, 12),
            "checkin.session_window",
        ),
        (
            CheckIn(talk, 1, password="000000", location=ON_SITE),
            outsider,
            STARTED,
            "checkin.not_admitted",
        ),
    ]
    entry_owner = students[2]
    for command, actor, now, code in cases:
        before = service.app.recorder.max_notification_id()
        with pytest.raises(DomainError) as caught:
            service.execute(command, actor, now)
        assert caught.value.code == code
        assert service.app.recorder.max_notification_id() == before
    service.run_reactions(ENDED)
    entry = present(service.integrity(entry_owner.person_id, SCHOOL_ADMIN)).entries[0]
    before = service.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as someone_elses:
        service.execute(
            AppealDefault(entry_owner.person_id, entry.entry_id, "不是我"), students[0], at(12, 4)
        )
    assert someone_elses.value.code == "integrity.not_your_default"
    assert service.app.recorder.max_notification_id() == before


def test_a_make_up_past_the_deadline_is_refused_and_closing_waits_for_it(
    store_env: dict[str, str],
) -> None:
    """合工大 (seed 002): 忘记签到，请在5个工作日内及时补录 — Thursday 12-03 + 5 → 12-10."""
    from tests.specification import NEPU

    five_days = attrs.evolve(
        NEPU, checkin=attrs.evolve(NEPU.checkin, makeup_deadline_working_days=5)
    )
    with SecondClassroom.open(store_env, rulebook=five_days, secret=TEST_SECRET) as service:
        talk, students = checked_in_world(service)
        assert service.run_reactions(ENDED) == []  # the make-up window is still open
        late = students[2].person_id
        service.execute(MakeUpCheckIn(talk, late, "签到表为证"), ORGANIZER, at(12, 10, 17))
        before = service.app.recorder.max_notification_id()
        with pytest.raises(DomainError) as caught:
            service.execute(
                MakeUpCheckIn(talk, students[1].person_id, "补签"), ORGANIZER, at(12, 11, 9)
            )
        assert caught.value.code == "checkin.makeup_closed"
        assert service.app.recorder.max_notification_id() == before
        [closing] = service.run_reactions(at(12, 11, 0, 0))
        assert closing.events
        enrolled = service.enrolment(talk, late, SCHOOL_ADMIN)
        assert enrolled is not None
        assert enrolled.outcome is AttendanceOutcome.ATTENDED


# -- wrong passwords are counted, stored and limited (ours; 第十六条 密码签到) ---------------------

FAR_AWAY = Location(46.6340, 125.1487, 10.0)  # five kilometres north of the field


def wrong_password(code: str) -> str:
    """A six-digit password that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def stored_events(service: SecondClassroom, stream: UUID, kind: type[E]) -> list[E]:
    return [e.payload for e in service.history(stream, SCHOOL_ADMIN) if isinstance(e.payload, kind)]


def test_wrong_passwords_are_stored_and_never_reveal_the_location(
    service: SecondClassroom,
) -> None:
    """A student off-site guessing: each wrong password is stored (CheckInPasswordRejected) and
    answered wrong_password whatever the location given, so the reply never tells a right
    guess from a wrong one by its distance; the fifth locks and flags the student; then even
    the right password is refused and nothing more is stored; the QR code still works."""
    talk, students = checked_in_world(service)
    guesser = students[2]
    now = STARTED + timedelta(minutes=3)
    code = service.check_in_code(talk, 1, ORGANIZER, now)
    assert code.password is not None
    wrong = wrong_password(code.password)
    replies = []
    for where in (FAR_AWAY, None, ON_SITE, FAR_AWAY, None):
        before = top(service)
        with pytest.raises(DomainError) as caught:
            service.execute(CheckIn(talk, 1, password=wrong, location=where), guesser, now)
        replies.append((caught.value.code, caught.value.details))
        assert top(service) > before  # the guess is stored (with the flag, the fifth)
    assert replies == [("checkin.wrong_password", {"attempts_left": n}) for n in (4, 3, 2, 1, 0)]
    rejected = stored_events(service, talk, CheckInPasswordRejected)
    assert [e.attempt for e in rejected] == [1, 2, 3, 4, 5]
    assert stored_events(service, talk, CheckInPasswordLocked) == [
        CheckInPasswordLocked(talk, 1, guesser.person_id, 5, now)
    ]
    stored = json.dumps([codec.to_json(e) for e in rejected], ensure_ascii=False)
    assert wrong not in stored
    assert "46.63" not in stored
    assert "125.14" not in stored
    activity = service.activity(talk, SCHOOL_ADMIN)
    assert activity is not None
    assert (1, guesser.person_id) in activity.attendance.password_locked  # the organizers see it

    before = top(service)
    with pytest.raises(DomainError) as locked:
        service.execute(CheckIn(talk, 1, password=code.password, location=ON_SITE), guesser, now)
    assert locked.value.code == "checkin.password_locked"
    assert top(service) == before
    scan = CheckIn(talk, 1, token=code.token, location=ON_SITE)
    outcome = service.execute(scan, guesser, now + timedelta(seconds=1))
    [checked_in] = [e.payload for e in outcome.events]
    assert type(checked_in).__name__ == "StudentCheckedIn"
    assert (checked_in.student, checked_in.method.value) == (guesser.person_id, "qr")


def test_a_wrong_password_through_json_is_stored_and_answered_with_its_code(
    service: SecondClassroom,
) -> None:
    """execute_json answers the DomainError JSON (code, messages, attempts left) after storing."""
    talk, students = checked_in_world(service)
    code = service.check_in_code(talk, 1, ORGANIZER, STARTED)
    assert code.password is not None
    message = codec.to_json(CheckIn(talk, 1, password=wrong_password(code.password)))
    before = top(service)
    reply = service.execute_json(message, students[2], STARTED + timedelta(minutes=3))
    assert reply["type"] == "DomainError"
    assert reply["code"] == "checkin.wrong_password"
    assert reply["details"] == {"attempts_left": 4}
    assert top(service) == before + 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def file_store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """A store that several facades open at once, as processes would (an SQLite file)."""
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "school.sqlite3")
    schema = request.getfixturevalue("postgres_schema")
    return postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)


def test_concurrent_guesses_are_counted_exactly(file_store_env: dict[str, str]) -> None:
    """Twenty guesses at once from two processes (two facades on one store): exactly five are
    stored, five answered wrong_password and the rest password_locked — a race buys nothing."""
    with (
        SecondClassroom.open(file_store_env, secret=TEST_SECRET) as here,
        SecondClassroom.open(file_store_env, secret=TEST_SECRET) as there,
    ):
        _concurrent_guesses(here, there)


def _concurrent_guesses(here: SecondClassroom, there: SecondClassroom) -> None:
    talk, students = checked_in_world(here)
    code = here.check_in_code(talk, 1, ORGANIZER, STARTED)
    assert code.password is not None
    guess = CheckIn(talk, 1, password=wrong_password(code.password), location=ON_SITE)
    replies: list[str] = []

    def try_once(service: SecondClassroom) -> None:
        try:
            service.execute(guess, students[2], STARTED + timedelta(minutes=3))
        except DomainError as error:
            replies.append(error.code)

    threads = [threading.Thread(target=try_once, args=(s,)) for s in (here, there) * 10]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(replies) == ["checkin.password_locked"] * 15 + ["checkin.wrong_password"] * 5
    rejected = stored_events(here, talk, CheckInPasswordRejected)
    assert sorted(e.attempt for e in rejected) == [1, 2, 3, 4, 5]


# -- self-dealing needs a second person (ours; cf. 第二十四条) ------------------------------------


def test_the_leader_cannot_make_up_their_own_check_in(service: SecondClassroom) -> None:
    """The leader, admitted to their own tribe's activity, is refused 补签 for themselves with
    checkin.self_dealing (nothing stored); the organizer, a second person, may do it."""
    checked_in_world(service)
    leader = LEADER.person_id
    other = later_activity(service)
    service.execute(Register(other), LEADER, at(12, 4, 9))
    before = service.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        service.execute(MakeUpCheckIn(other, leader, "我在现场"), LEADER, at(12, 9, 15))
    assert caught.value.code == "checkin.self_dealing"
    assert service.app.recorder.max_notification_id() == before
    service.execute(MakeUpCheckIn(other, leader, "签到表为证"), ORGANIZER, at(12, 9, 15))
    activity = service.activity(other, SCHOOL_ADMIN)
    assert activity is not None
    assert leader in activity.attendance.made_up
