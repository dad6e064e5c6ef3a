"""Practice teams through the facade (issue 14 §3, 002 一 4)), on every store: a college's 基层团委
records its 暑期“三下乡” team for its members over days; the hours are days × the rulebook's
hours per day (8) unless given; every member's record, the views and the transcript carry it;
refusals store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest

from second_classroom.aggregates.practice import PracticeRecorded
from second_classroom.aggregates.student import ActivityRecorded
from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued, Version
from second_classroom.aggregates.tribe import (
    AddTribeMember,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.service import SecondClassroom
from tests.enrolment_world import LEADER, UNION, found_school
from tests.practice_world import (
    AFTER,
    ENDS,
    RULES,
    SCHOOL_UNION,
    STARTS,
    by_tribe,
    school_union,
    team,
)
from tests.specification import CS_ADMIN, NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET


@pytest.fixture
def school(store_env: dict[str, str]) -> Iterator[SecondClassroom]:
    with SecondClassroom.open(store_env, RULES, secret=TEST_SECRET) as opened:
        yield opened


def refused(school: SecondClassroom, command: object, actor: Actor) -> DomainError:
    with pytest.raises(DomainError) as caught:
        school.execute(command, actor, AFTER)
    return caught.value


def test_a_college_records_its_team_over_three_days_as_24_hours(school: SecondClassroom) -> None:
    """Given three students of 石油工程学院, when its 基层团委 records their team from
    12-03 08:00 to 12-05 18:00, then the team's stream holds 3 days and 24 学时 (3 × 8,
    002 一 4) 一天按8学时记录 — not the 58 clock hours), and each member's record holds the
    practice with 24 学时 credited, in the same save."""
    members = found_school(school, 3)
    outcome = school.execute(team(members), PE_ADMIN, AFTER)
    payloads = [e.payload for e in outcome.events]
    (recorded,) = [p for p in payloads if isinstance(p, PracticeRecorded)]
    assert (recorded.days, recorded.hours, recorded.college) == (3, Decimal("24.00"), "PE")
    assert recorded.members == tuple(members)
    written = [p for p in payloads if isinstance(p, ActivityRecorded)]
    assert {e.student_id for e in written} == {ids.student_id(m) for m in members}
    for number in members:
        record = school.student(number, PE_ADMIN)
        assert record is not None
        (entry,) = record.activities
        assert entry.hours == Decimal("24.00")
        assert entry.module == "practice"
        assert record.credits() == {("practice", "学时"): Decimal("24.00")}
    found = school.practice(team(members).practice_id, PE_ADMIN)
    assert found is not None
    assert found.hours == Decimal("24.00")


@pytest.mark.parametrize(
    ("starts", "ends", "hours"),
    [
        (at(12, 3, 23, 50), at(12, 4, 0, 10), "0.33"),  # 20 minutes across midnight, not 16
        (at(12, 3, 23), at(12, 4, 1), "2.00"),
        (at(12, 3, 9), at(12, 3, 17), "8.00"),
    ],
)
def test_a_practice_counts_each_days_clock_hours_up_to_8(
    school: SecondClassroom, starts: Any, ends: Any, hours: str
) -> None:
    """002 一 4) 建议一天按8学时记录: given a team whose span crosses midnight by minutes, when
    it is recorded without hours, then each calendar day counts its clock hours (at most 8):
    a full day of the team is 8, a few minutes are not a day (docs/rulebook.md [hours])."""
    members = found_school(school, 1)
    outcome = school.execute(team(members, starts=starts, ends=ends), PE_ADMIN, AFTER)
    (recorded,) = [e.payload for e in outcome.events if isinstance(e.payload, PracticeRecorded)]
    assert recorded.hours == Decimal(hours)


def test_given_hours_replace_the_days_times_hours_per_day(school: SecondClassroom) -> None:
    """002 一 4) 特殊情况根据实际情况记录: hours given (20) are recorded as given."""
    members = found_school(school, 1)
    school.execute(team(members, hours=Decimal(20)), PE_ADMIN, AFTER)
    record = school.student(members[0], Actor.student(members[0]))
    assert record is not None
    assert record.activities[0].hours == Decimal(20)


def test_the_practice_is_a_transcript_line_and_a_summary_credit(school: SecondClassroom) -> None:
    """Given a recorded team, then the member's summary counts the practice and its 学时, and
    the 记录版 transcript lists it under 实践实习 with 24 学时."""
    members = found_school(school, 1)
    school.execute(team(members), PE_ADMIN, AFTER)
    me = Actor.student(members[0])
    summary = school.student_summary(members[0], me)
    assert summary is not None
    assert summary.activities == 1
    assert ("practice", "学时", Decimal(24)) in summary.credits
    issued = school.execute(IssueTranscript(members[0], Version.RECORD), me, AFTER)
    (event,) = [e.payload for e in issued.events if isinstance(e.payload, TranscriptIssued)]
    (section,) = event.content.sections
    assert section.heading == "实践实习"
    (line,) = section.lines
    assert (line.title, line.hours) == (team(members).title, Decimal("24.00"))
    assert line.credits == (("学时", Decimal("24.00")),)


def test_a_school_level_tribe_records_its_own_team_and_no_one_elses(
    school: SecondClassroom,
) -> None:
    """002 一 4) 校学生会…等校级社团账号负责本社团实践团队: given the certified 校学生会 with a
    member, when its leader records the member's team, then the member's record holds 24 学时;
    a student who is not its member is refused (``practice.not_member``)."""
    members = found_school(school, 2)
    school_union(school, members[:1])
    school.execute(by_tribe(members[:1]), LEADER, AFTER)
    record = school.student(members[0], PE_ADMIN)
    assert record is not None
    assert record.activities[0].hours == Decimal("24.00")
    stranger = by_tribe(members[1:], key="other")
    assert refused(school, stranger, LEADER).code == "practice.not_member"


def test_only_a_certified_tribe_of_an_allowed_level_records(school: SecondClassroom) -> None:
    """002 一 4) gives team records to 各学院基层团委 and 校级社团账号 (practice.tribe_levels
    ["school"]): given the certified college-level 石油工程学院学生会 and an uncertified 校学生会,
    when either's leader records a member's team, then both are refused
    (``practice.tribe_not_allowed``) and nothing is stored."""
    assert RULES.practice.tribe_levels == ("school",)
    members = found_school(school, 1)
    school.execute(AddTribeMember(UNION.tribe_id, members[0]), PE_ADMIN, NOW)
    school_union(school, members, certified=False)
    for tribe in (UNION.tribe_id, SCHOOL_UNION.tribe_id):
        command = by_tribe(members, tribe)
        assert refused(school, command, LEADER).code == "practice.tribe_not_allowed"
        assert school.history(command.practice_id, SCHOOL_ADMIN) == []


def test_nobody_records_their_own_practice(school: SecondClassroom) -> None:
    """Given the 校学生会's leader in its own team, when he records it, then it is refused
    (``practice.self_recording``), as his own awards and credits are."""
    members = found_school(school, 1)
    school_union(school, members)
    mine = by_tribe([LEADER.person_id, *members])
    assert refused(school, mine, LEADER).code == "practice.self_recording"
    assert school.history(mine.practice_id, SCHOOL_ADMIN) == []


def test_a_rulebook_allowing_self_results_lets_a_leader_record_his_team(
    store_env: dict[str, str],
) -> None:
    """Given results.allow_self_results, when the leader records a team he is in, then he is
    among its recorded members."""
    lenient = attrs.evolve(RULES, results=attrs.evolve(RULES.results, allow_self_results=True))
    with SecondClassroom.open(store_env, lenient, secret=TEST_SECRET) as school:
        members = found_school(school, 1)
        school_union(school, members)
        outcome = school.execute(by_tribe([LEADER.person_id, *members]), LEADER, AFTER)
        (recorded,) = [e.payload for e in outcome.events if isinstance(e.payload, PracticeRecorded)]
        assert LEADER.person_id in recorded.members


@pytest.mark.parametrize(
    ("changes", "actor", "code"),
    [
        ({}, CS_ADMIN, "auth.forbidden"),  # another college's admin
        ({"college": "CS"}, CS_ADMIN, "practice.other_college"),
        ({"college": None}, PE_ADMIN, "practice.recorder"),
        ({"tribe_id": UNION.tribe_id}, PE_ADMIN, "practice.recorder"),
        ({"college": "XX"}, SCHOOL_ADMIN, "practice.college_unknown"),
        ({"starts": ENDS, "ends": STARTS}, PE_ADMIN, "practice.dates_inverted"),
        ({"ends": at(12, 8)}, PE_ADMIN, "practice.not_over"),
        ({"hours": Decimal(0)}, PE_ADMIN, "practice.hours_invalid"),
        ({"hours": Decimal(73)}, PE_ADMIN, "practice.hours_invalid"),  # 3 days hold 72 hours
        ({"members": ()}, PE_ADMIN, "practice.nobody"),
        ({"members": ("2099999999",)}, PE_ADMIN, "student.not_found"),
        ({"title": "  "}, PE_ADMIN, "practice.field_empty"),
        ({"key": " "}, PE_ADMIN, "practice.field_empty"),
        # limits.max_activity_hours (744): a span of 32 days is refused before it is counted
        ({"starts": at(11, 1), "ends": at(12, 3)}, PE_ADMIN, "practice.too_long"),
        # 13 days × 8 = 104 > limits.max_credit (100), the cap typed hours obey
        ({"starts": at(11, 20, 8), "ends": at(12, 2, 18)}, PE_ADMIN, "practice.hours_invalid"),
    ],
)
def test_a_refused_recording_stores_nothing(
    school: SecondClassroom, changes: dict[str, Any], actor: Actor, code: str
) -> None:
    """Each refusal answers its code and writes neither the team nor any record."""
    members = found_school(school, 1)
    command = team(members, **changes)
    assert refused(school, command, actor).code == code
    assert school.history(command.practice_id, SCHOOL_ADMIN) == []
    record = school.student(members[0], PE_ADMIN)
    assert record is not None
    assert record.activities == ()


def test_a_team_is_recorded_once(school: SecondClassroom) -> None:
    members = found_school(school, 1)
    school.execute(team(members), PE_ADMIN, AFTER)
    assert refused(school, team(members), PE_ADMIN).code == "practice.exists"


def test_a_school_without_practice_records_refuses(store_env: dict[str, str]) -> None:
    """NEPU as packaged records no practice teams (practice.module ""): ``practice.not_offered``."""
    with SecondClassroom.open(store_env, NEPU, secret=TEST_SECRET) as school:
        members = found_school(school, 1)
        assert refused(school, team(members), PE_ADMIN).code == "practice.not_offered"


def test_who_reads_a_team(school: SecondClassroom) -> None:
    """The recorder (the college's admin) and operators read a team; another college's admin
    and a student do not (a member reads it in their own record)."""
    members = found_school(school, 1)
    school.execute(team(members), PE_ADMIN, AFTER)
    practice_id = team(members).practice_id
    assert school.practice(practice_id, SCHOOL_ADMIN) is not None
    for actor in (CS_ADMIN, Actor.student(members[0])):
        with pytest.raises(DomainError) as caught:
            school.practice(practice_id, actor)
        assert caught.value.code == "auth.forbidden"


def test_the_command_arrives_as_json(school: SecondClassroom) -> None:
    members = found_school(school, 2)
    message = {
        "type": "RecordPractice",
        "key": "json-team",
        "title": "三下乡",
        "starts": STARTS.isoformat(),
        "ends": ENDS.isoformat(),
        "members": members,
        "college": "PE",
    }
    reply = school.execute_json(message, PE_ADMIN, AFTER)
    assert reply["type"] == "Outcome", reply
    found = school.practice(ids.practice_id("PE", "json-team"), PE_ADMIN)
    assert found is not None
    assert (found.days, found.hours, found.members) == (3, Decimal("24.00"), tuple(members))


def test_a_refused_recorder_costs_no_member_loads(
    school: SecondClassroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given 计算机学院's admin naming 石油工程学院's team (002 一 4) 各学院基层团委负责
    本学院实践团队), when it records, then it is refused (``auth.forbidden``) before any
    member's record is loaded: authorization reads only the actor and the recorder."""
    members = found_school(school, 3)
    loaded: list[object] = []
    load = school.app.load

    def spy(decider: Any, stream: Any) -> Any:
        loaded.append(decider.name)
        return load(decider, stream)

    monkeypatch.setattr(school.app, "load", spy)
    assert refused(school, team(members), CS_ADMIN).code == "auth.forbidden"
    assert "student" not in loaded
    school.execute(team(members), PE_ADMIN, AFTER)  # the same spy sees an accepted one load them
    assert loaded.count("student") == len(members)
