"""实践及培训经历 (002 一 4)): a college's 基层团委 records its 暑期“三下乡” team for its members,
or a certified school-level tribe (校学生会、校团委新媒体中心等校级社团账号) its own team; the hours
are the rulebook's count of the days (一天按8学时记录) unless the recorder gives them
(特殊情况根据实际情况记录); the experience goes into every member's record."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates import practice
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.practice import (
    DECIDER,
    Practice,
    PracticeContext,
    PracticeRecorded,
    RecordPractice,
)
from second_classroom.aggregates.student import ActivityRecorded, StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.terms import ActivityLevel, Program, TribeKind, TribeLevel
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.rulebook import HoursRule, Rulebook
from tests import practice_world
from tests.practice_world import AFTER, ENDS, RULES, STARTS, TITLE
from tests.specification import CS_ADMIN, NEPU, PE_ADMIN, SCHOOL_ADMIN, context, given

MEMBERS = ("2024000001", "2024000002", "2024000003")
LEADER_NUMBER = "2023010101"
SU = Tribe(
    ids.tribe_id("SU"),
    "SU",
    "校学生会",
    TribeKind.STUDENT_UNION,
    TribeLevel.SCHOOL,
    None,
    certified=True,
    leaders=frozenset({LEADER_NUMBER}),
    admins=frozenset({"2023010103"}),
    organizers=frozenset({"2023010104"}),
    members=frozenset(MEMBERS),
)


def student(number: str, college: str = "PE") -> StudentRecord:
    return StudentRecord(
        ids.student_id(number), number, f"学生{number}", college, "石工24-1班", 2024,
        Program.UNDERGRADUATE,
    )  # fmt: skip


def team(**changes: Any) -> RecordPractice:
    return practice_world.team(MEMBERS, **changes)


def ctx(
    actor: Actor = PE_ADMIN,
    now: datetime = AFTER,
    rulebook: Rulebook = RULES,
    tribe: Tribe | None = None,
    records: dict[str, StudentRecord] | None = None,
) -> PracticeContext:
    found = {n: student(n) for n in MEMBERS} if records is None else records
    return PracticeContext(context(actor, now, rulebook), tribe, found)


def recorded_event(**changes: Any) -> PracticeRecorded:
    event = PracticeRecorded(
        ids.practice_id("PE", "2026-winter-1"), TITLE, "PE", None, STARTS, ENDS, 3,
        Decimal("24.00"), MEMBERS, "T-pe", AFTER,
    )  # fmt: skip
    return attrs.evolve(event, **changes)


# -- recording ------------------------------------------------------------------------------


def test_a_college_records_its_team_over_three_days_as_24_hours() -> None:
    """002 一 4) 一天按8学时记录: given three 石油工程学院 students, when the college's 基层团委
    records their team from 12-03 08:00 to 12-05 18:00, then the team holds 3 days and 24 学时
    (3 × 8, not the 58 clock hours), its members, who recorded it and when."""
    state = given(DECIDER).when(team(), ctx()).then(recorded_event())
    assert state == Practice(
        ids.practice_id("PE", "2026-winter-1"), TITLE, "PE", None, STARTS, ENDS, 3,
        Decimal("24.00"), MEMBERS, "T-pe", AFTER,
    )  # fmt: skip
    assert practice.students_involved(team()) == set(MEMBERS)


def test_the_recorder_s_own_hours_override_the_count() -> None:
    """特殊情况根据实际情况记录: given hours are recorded as given, up to 24 a day."""
    given(DECIDER).when(team(hours=Decimal(30)), ctx()).then(recorded_event(hours=Decimal(30)))
    given(DECIDER).when(team(hours=Decimal(72)), ctx()).then(recorded_event(hours=Decimal(72)))


def test_a_member_named_twice_is_recorded_once_in_order() -> None:
    command = team(members=(MEMBERS[1], MEMBERS[0], MEMBERS[1]))
    given(DECIDER).when(command, ctx()).then(recorded_event(members=(MEMBERS[1], MEMBERS[0])))


@pytest.mark.parametrize(
    "actor",
    [
        Actor(LEADER_NUMBER, frozenset({Role.student(), Role.tribe(RoleKind.TRIBE_LEADER, SU.id)})),
        Actor("2023010103", frozenset({Role.tribe(RoleKind.TRIBE_ADMIN, SU.id)})),
        SCHOOL_ADMIN,
    ],
    ids=["leader", "tribe-admin", "school"],
)
def test_a_certified_school_tribe_records_its_own_team(actor: Actor) -> None:
    """002 一 4) 校学生会、校团委新媒体中心等校级社团账号: the tribe's leader or admin (or the
    school) records the team of its members; a school tribe has no college."""
    command = team(college=None, tribe_id=SU.id)
    state = (
        given(DECIDER)
        .when(command, ctx(actor, tribe=SU))
        .then(
            recorded_event(
                practice_id=ids.practice_id(str(SU.id), "2026-winter-1"),
                college=None,
                tribe_id=SU.id,
                by=actor.person_id,
            )
        )
    )
    assert (state.college, state.tribe_id) == (None, SU.id)


def test_a_team_is_recorded_once() -> None:
    given(DECIDER, recorded_event()).when(team(), ctx()).raises("practice.exists")


# -- who records ------------------------------------------------------------------------------


def test_a_school_that_records_no_practice_refuses_it() -> None:
    """NEPU's own rulebook has no practice module: nothing is recorded."""
    given(DECIDER).when(team(), ctx(rulebook=NEPU)).raises("practice.not_offered")


@pytest.mark.parametrize(
    "recorder", [{"college": None}, {"tribe_id": SU.id}], ids=["neither", "both"]
)
def test_exactly_one_recorder_is_named(recorder: dict[str, Any]) -> None:
    given(DECIDER).when(team(**recorder), ctx(tribe=SU)).raises("practice.recorder")


def test_an_unknown_tribe_or_college_is_refused() -> None:
    given(DECIDER).when(team(college=None, tribe_id=SU.id), ctx()).raises("practice.tribe_unknown")
    error = (
        given(DECIDER)
        .when(team(college="NOPE"), ctx(SCHOOL_ADMIN))
        .raises("practice.college_unknown")
    )
    assert error.details == {"college": "NOPE"}


@pytest.mark.parametrize(
    ("actor", "command"),
    [
        (CS_ADMIN, team()),
        (Actor.student(LEADER_NUMBER), team()),
        (
            Actor("2023010104", frozenset({Role.tribe(RoleKind.TRIBE_ORGANIZER, SU.id)})),
            team(college=None, tribe_id=SU.id),
        ),
        (PE_ADMIN, team(college=None, tribe_id=SU.id)),
    ],
    ids=["other-college", "student", "tribe-organizer", "college-admin-for-a-tribe"],
)
def test_others_may_not_record(actor: Actor, command: RecordPractice) -> None:
    error = given(DECIDER).when(command, ctx(actor, tribe=SU)).raises("auth.forbidden")
    assert error.details == {"action": "记录实践经历 record practice"}


@pytest.mark.parametrize(
    "tribe",
    [attrs.evolve(SU, certified=False), attrs.evolve(SU, level=TribeLevel.COLLEGE, college="PE")],
    ids=["uncertified", "college-level"],
)
def test_only_a_certified_tribe_of_the_rulebook_s_levels_records(tribe: Tribe) -> None:
    error = (
        given(DECIDER)
        .when(team(college=None, tribe_id=SU.id), ctx(SCHOOL_ADMIN, tribe=tribe))
        .raises("practice.tribe_not_allowed")
    )
    assert error.details == {"levels": "school"}
    rule = attrs.evolve(RULES.practice, tribe_levels=("school", "college"))
    wider = ctx(SCHOOL_ADMIN, rulebook=attrs.evolve(RULES, practice=rule), tribe=tribe)
    when = given(DECIDER).when(team(college=None, tribe_id=SU.id), wider)
    if tribe.certified:  # a college-level tribe records once the school lists its level
        assert [e.tribe_id for e in when.events()] == [SU.id]
    else:
        assert when.raises("practice.tribe_not_allowed").details == {"levels": "school/college"}


def test_a_college_level_tribe_s_team_belongs_to_its_college() -> None:
    """Where a school lets college-level tribes record, the team's college is the tribe's."""
    tribe = attrs.evolve(SU, level=TribeLevel.COLLEGE, college="PE")
    wider = attrs.evolve(RULES, practice=attrs.evolve(RULES.practice, tribe_levels=("college",)))
    members = tribe.members | {LEADER_NUMBER}
    records = {n: student(n) for n in members}
    tribe = attrs.evolve(tribe, members=frozenset(members))
    command = team(college=None, tribe_id=SU.id, members=MEMBERS)
    (event,) = given(DECIDER).when(command, ctx(SCHOOL_ADMIN, rulebook=wider, tribe=tribe,
                                                 records=records)).events()  # fmt: skip
    assert (event.college, event.tribe_id) == ("PE", SU.id)


def test_nobody_records_their_own_practice_unless_the_school_allows_it() -> None:
    leader = Actor(LEADER_NUMBER, frozenset({Role.tribe(RoleKind.TRIBE_LEADER, SU.id)}))
    tribe = attrs.evolve(SU, members=SU.members | {LEADER_NUMBER})
    members = (*MEMBERS, LEADER_NUMBER)
    records = {n: student(n) for n in members}
    command = team(college=None, tribe_id=SU.id, members=members)
    given(DECIDER).when(command, ctx(leader, tribe=tribe, records=records)).raises(
        "practice.self_recording"
    )
    lenient = attrs.evolve(RULES, results=attrs.evolve(RULES.results, allow_self_results=True))
    (event,) = (
        given(DECIDER)
        .when(command, ctx(leader, rulebook=lenient, tribe=tribe, records=records))
        .events()
    )
    assert event.members == members


# -- the team and its members ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["key", "title"])
def test_a_team_needs_a_key_and_a_title(field: str) -> None:
    error = given(DECIDER).when(team(**{field: " "}), ctx()).raises("practice.field_empty")
    assert error.details == {"field": field}


def test_a_team_needs_members() -> None:
    given(DECIDER).when(team(members=()), ctx()).raises("practice.nobody")


def test_a_practice_ends_after_it_starts_and_is_recorded_from_its_end_on() -> None:
    given(DECIDER).when(team(ends=STARTS), ctx()).raises("practice.dates_inverted")
    given(DECIDER).when(team(), ctx(now=ENDS)).then(recorded_event(at=ENDS))
    given(DECIDER).when(team(), ctx(now=ENDS - timedelta(seconds=1))).raises("practice.not_over")


def test_a_practice_spans_at_most_the_rulebook_s_longest_activity() -> None:
    """limits.max_activity_hours (744 = 31 days): exactly that is recorded, a second more not."""
    longest = RULES.limits.max_activity_hours
    ends = STARTS + timedelta(hours=longest)
    (event,) = given(DECIDER).when(team(ends=ends, hours=Decimal(50)), ctx(now=ends)).events()
    assert event.days == 32
    error = (
        given(DECIDER)
        .when(team(ends=ends + timedelta(seconds=1)), ctx(now=ends + timedelta(days=1)))
        .raises("practice.too_long")
    )
    assert error.details == {"most": longest}


def test_every_member_is_a_registered_student_of_the_recorder() -> None:
    missing = {n: student(n) for n in MEMBERS[:2]}
    error = given(DECIDER).when(team(), ctx(records=missing)).raises("student.not_found")
    assert error.details == {"student_number": MEMBERS[2]}
    other = {**{n: student(n) for n in MEMBERS}, MEMBERS[1]: student(MEMBERS[1], "CS")}
    error = given(DECIDER).when(team(), ctx(records=other)).raises("practice.other_college")
    assert error.details == {"student": MEMBERS[1]}
    outsider = attrs.evolve(SU, members=frozenset(MEMBERS[:1]))
    command = team(college=None, tribe_id=SU.id)
    error = (
        given(DECIDER)
        .when(command, ctx(SCHOOL_ADMIN, tribe=outsider))
        .raises("practice.not_member")
    )
    assert error.details == {"student": MEMBERS[1]}


@pytest.mark.parametrize(
    "hours",
    [Decimal(0), Decimal(-1), Decimal("72.01"), Decimal("Infinity"), Decimal("NaN")],
    ids=["zero", "negative", "over-24-a-day", "infinite", "nan"],
)
def test_hours_are_above_zero_and_at_most_24_a_day(hours: Decimal) -> None:
    error = given(DECIDER).when(team(hours=hours), ctx()).raises("practice.hours_invalid")
    assert error.details == {"most": "72", "days": 3}


@pytest.mark.parametrize("hours", [Decimal("0.5"), Decimal(1)], ids=["half", "one"])
def test_an_hour_or_less_is_recorded_as_given(hours: Decimal) -> None:
    """特殊情况根据实际情况记录: any amount above zero is recorded, half an hour too."""
    given(DECIDER).when(team(hours=hours), ctx()).then(recorded_event(hours=hours))


def test_hours_are_at_most_the_rulebook_s_largest_credit() -> None:
    """limits.max_credit caps the counted hours as it caps typed ones."""
    capped = attrs.evolve(RULES, limits=attrs.evolve(RULES.limits, max_credit=Decimal(20)))
    error = given(DECIDER).when(team(), ctx(rulebook=capped)).raises("practice.hours_invalid")
    assert error.details == {"most": "20", "days": 3}
    given(DECIDER).when(team(hours=Decimal(20)), ctx(rulebook=capped)).then(
        recorded_event(hours=Decimal(20))
    )
    # a cap written with an exponent (2E+1) is named in plain digits, as the rulebook shows it
    exponent = attrs.evolve(RULES, limits=attrs.evolve(RULES.limits, max_credit=Decimal("2E+1")))
    error = given(DECIDER).when(team(), ctx(rulebook=exponent)).raises("practice.hours_invalid")
    assert error.details == {"most": "20", "days": 3}


# -- what the members' records get ----------------------------------------------------------


def test_each_member_s_record_gets_the_practice_as_an_activity_with_its_hours_credited() -> None:
    """The transcript and the ledger read a practice like a finalized activity: its title,
    module, dates, hours, no attendance, and the hours as 学时 credits; a college's team is
    of college level, a tribe's of school level."""
    event = recorded_event()
    expected = ActivityRecord(
        event.practice_id, TITLE, "practice", ActivityLevel.COLLEGE, STARTS, ENDS,
        Decimal("24.00"), None, (), (PlannedCredit("practice", "学时", Decimal("24.00")),), AFTER,
    )  # fmt: skip
    assert practice.record_of(event, "practice", "学时") == expected
    assert practice.record_of(event, "practice", "") == attrs.evolve(expected, credits=())
    school = practice.record_of(attrs.evolve(event, college=None), "practice", "学时")
    assert school.level is ActivityLevel.SCHOOL
    records = {n: student(n) for n in MEMBERS}
    written = practice.recorded([event], records, "practice", "学时")
    assert written == {n: (ActivityRecorded(ids.student_id(n), expected, AFTER),) for n in MEMBERS}


def test_the_hours_are_given_or_counted_from_the_span() -> None:
    rule = HoursRule(Decimal(8))
    assert practice.practice_hours(team(), rule) == Decimal("24.00")
    assert practice.practice_hours(team(hours=Decimal(5)), rule) == Decimal(5)


def test_a_college_s_team_is_not_held_to_the_tribe_rules_whatever_tribe_is_loaded() -> None:
    """The tribe checks are for a tribe's own team: a college's team is recorded though the
    context happens to carry an uncertified tribe."""
    uncertified = attrs.evolve(SU, certified=False)
    given(DECIDER).when(team(), ctx(tribe=uncertified)).then(recorded_event())
