"""成长档案 through the facade (seed 004 三（二）: "建立学生从入学到毕业的相关业务及服务的数据链
存储…构建学生成长档案…为家长及社会动态了解学生的成长过程提供支撑"), on every store (SQLite and
PostgreSQL included): the timeline from the event log with an as-of date, and its sharing with
a person the student chooses — granted, viewed (recorded), expired, revoked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from second_classroom import codec
from second_classroom.aggregates.growth_share import GrantGrowthAccess, RevokeGrowthAccess
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.projections.growth import GrowthKind
from second_classroom.service import SecondClassroom
from tests.checkin_world import ENDED, checked_in_world
from tests.enrolment_world import LEADER
from tests.specification import CS_ADMIN, PE_ADMIN, SCHOOL_ADMIN, at

FINALIZED = at(12, 4, 10)
ISSUED = at(12, 5)
LATER = at(12, 6)
PARENT = Actor("P-parent")  # a person the platform authenticates; no role at the school
TUTOR = Actor("P-tutor")


def grown_world(service: SecondClassroom) -> tuple[Any, Actor, Actor, str]:
    """A talk of 石油工程学院学生会: the first student attended and got credits, the third never
    came; finalized, then the first student issued a transcript."""
    talk, students = checked_in_world(service)
    me, absent = students[0], students[2]
    service.run_reactions(ENDED)
    service.execute(GrantCredits(talk, (me.person_id,)), LEADER, FINALIZED)
    service.execute(FinalizeActivity(talk), LEADER, FINALIZED)
    issued = service.execute(IssueTranscript(me.person_id), me, ISSUED)
    serial = next(
        e.payload.serial for e in issued.events if isinstance(e.payload, TranscriptIssued)
    )
    return talk, me, absent, serial


def forbidden(read: Any) -> None:
    with pytest.raises(DomainError) as caught:
        read()
    assert caught.value.code == "auth.forbidden"


def test_the_timeline_runs_from_enrolment_through_activities_to_transcripts(
    service: SecondClassroom,
) -> None:
    """Given a student who enrolled, attended a talk that was finalized with credits, and
    issued a transcript, when they read their 成长档案, then it holds each of these in order,
    built from the log; as of a date before the talk was finalized it holds only what was
    recorded by then; it is a JSON-registered result."""
    talk, me, absent, serial = grown_world(service)
    found = service.growth_timeline(me.person_id, me, LATER)
    assert found is not None
    assert found.as_of == LATER
    assert found.student_number == me.person_id
    kinds = [e.kind for e in found.entries]
    assert kinds == [
        GrowthKind.ENROLLED,
        GrowthKind.INTEGRITY,
        GrowthKind.ACTIVITY,
        GrowthKind.TRANSCRIPT,
    ]
    integrity, activity, transcript = found.entries[1:]
    assert integrity.detail == "已参加"
    assert activity.source_id == talk
    assert activity.detail == "已参加"
    assert [(c.credit_type, str(c.amount)) for c in activity.credits] == [("学分", "0.5")]
    assert transcript.detail == serial
    before = service.growth_timeline(me.person_id, me, LATER, at(12, 4))
    assert before is not None
    assert [e.kind for e in before.entries] == [GrowthKind.ENROLLED, GrowthKind.INTEGRITY]
    assert before.as_of == at(12, 4)
    # A no-show's default is in the archive (the integrity record), with no credits.
    theirs = service.growth_timeline(absent.person_id, SCHOOL_ADMIN, LATER)
    assert theirs is not None
    assert [(e.kind, e.detail) for e in theirs.entries[1:3]] == [
        (GrowthKind.INTEGRITY, "未签到"),
        (GrowthKind.ACTIVITY, "未签到"),
    ]
    assert all(not e.credits for e in theirs.entries)
    document = json.loads(json.dumps(codec.to_json(found)))
    assert document["type"] == "GrowthTimeline"
    assert document["entries"][2]["kind"] == "activity"


def test_the_student_shares_it_and_sees_who_viewed_it(service: SecondClassroom) -> None:
    """Given the student shared their 成长档案 with a parent for a week, when the parent reads
    it twice, then the parent gets the timeline and the student's share record lists both
    views; a tutor without a share, another college's admin and another student are refused;
    after the week the parent is refused too, and nothing more is recorded."""
    _talk, me, absent, _serial = grown_world(service)
    until = LATER + timedelta(days=7)
    service.execute(GrantGrowthAccess(me.person_id, PARENT.person_id, until), me, LATER)
    seen = service.growth_timeline(me.person_id, PARENT, LATER + timedelta(hours=1))
    assert seen is not None
    assert [e.kind for e in seen.entries][-1] is GrowthKind.TRANSCRIPT
    again = service.growth_timeline(me.person_id, PARENT, LATER + timedelta(days=1), at(12, 4))
    assert again is not None
    assert [e.kind for e in again.entries][-1] is GrowthKind.INTEGRITY  # as of 12-04
    share = service.growth_share(me.person_id, me)
    assert share is not None
    assert [(v.viewer, v.at, v.as_of) for v in share.views] == [
        (PARENT.person_id, LATER + timedelta(hours=1), LATER + timedelta(hours=1)),
        (PARENT.person_id, LATER + timedelta(days=1), at(12, 4)),
    ]
    for outsider in (TUTOR, CS_ADMIN, absent):
        forbidden(lambda a=outsider: service.growth_timeline(me.person_id, a, LATER))
    forbidden(lambda: service.growth_timeline(absent.person_id, PARENT, LATER))
    forbidden(lambda: service.growth_timeline(me.person_id, PARENT, until))
    forbidden(lambda: service.growth_share(me.person_id, PARENT))
    forbidden(lambda: service.growth_share(me.person_id, absent))
    after = service.growth_share(me.person_id, PE_ADMIN)  # the college admin reads it too
    assert after is not None
    assert len(after.views) == 2


def test_a_revoked_share_ends_at_once(service: SecondClassroom) -> None:
    """Given a share with a tutor, when the student revokes it, then the tutor's next read is
    refused and the revocation stands in the share record; only the student revokes."""
    _talk, me, _absent, _serial = grown_world(service)
    until = LATER + timedelta(days=30)
    service.execute(GrantGrowthAccess(me.person_id, TUTOR.person_id, until), me, LATER)
    assert service.growth_timeline(me.person_id, TUTOR, LATER) is not None
    with pytest.raises(DomainError) as caught:
        service.execute(RevokeGrowthAccess(me.person_id, TUTOR.person_id), PE_ADMIN, LATER)
    assert caught.value.code == "auth.forbidden"
    revoked_at = LATER + timedelta(hours=2)
    service.execute(RevokeGrowthAccess(me.person_id, TUTOR.person_id), me, revoked_at)
    forbidden(lambda: service.growth_timeline(me.person_id, TUTOR, revoked_at))
    share = service.growth_share(me.person_id, me)
    assert share is not None
    [grant] = share.grants
    assert grant.revoked_at == revoked_at
    assert len(share.views) == 1
