"""A student of checkin_world with a finalized activity and credits, the transcripts they
issue (第二十条), the address of the 查证 page, and a signing key the school may rotate to."""

from __future__ import annotations

from datetime import datetime

from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.core.actor import Actor
from second_classroom.policies.signing import Keyring
from second_classroom.service import SecondClassroom
from tests.checkin_world import ENDED, checked_in_world
from tests.specification import at

URL = "https://verify.example/second-classroom"
NEW_KEY = Keyring.from_seed(bytes(range(100, 132)), "2027-key")


def graduated(service: SecondClassroom) -> Actor:
    """A student with a finalized activity and credits, ready to issue transcripts."""
    talk, students = checked_in_world(service)
    service.run_reactions(ENDED)
    leader = Actor.student("2023010101")  # 第十八条: the 活动负责人 issues results
    service.execute(GrantCredits(talk, (students[0].person_id,)), leader, at(12, 4, 10))
    service.execute(FinalizeActivity(talk), leader, at(12, 4, 10))
    return students[0]


def issue(service: SecondClassroom, student: Actor, now: datetime) -> str:
    """The serial of the transcript ``student`` issues at ``now``."""
    outcome = service.execute(IssueTranscript(student.person_id), student, now)
    serial: str = next(e.payload.serial for e in outcome.events if hasattr(e.payload, "content"))
    return serial
