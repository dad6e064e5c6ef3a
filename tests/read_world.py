"""The world every read is tried on (issue 11 §5): a finished activity of 石油工程学院学生会
(the host) with a transcript and a 荣誉证书 of its first student, the host's 部落管理员 and
组织者, a second college with its own tribe and leader; and every kind of actor who reads."""

from __future__ import annotations

from collections.abc import Callable

from second_classroom.aggregates.certificate import (
    CertificateIssued,
    CertificateKind,
    IssueCertificate,
)
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.transcript import IssueTranscript, TranscriptIssued
from second_classroom.aggregates.tribe import AppointTribeRole, CertifyTribe, CreateTribe, TribeRole
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.service import SecondClassroom
from tests.checkin_world import ENDED, checked_in_world
from tests.enrolment_world import LEADER, UNION
from tests.specification import CS_ADMIN, NOW, PE_ADMIN, SCHOOL_ADMIN, at

VERIFY_URL = "https://verify.example/sc"
OTHER_UNION = CreateTribe(
    "CS-SU", "计算机学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "CS"
)
OTHER_LEADER = Actor.student("2023020101")
HOST_ADMIN = Actor.student("2023010104")  # the host tribe's 部落管理员
HOST_ORGANIZER = Actor.student("2023010105")  # the host tribe's 组织者
CENTER = Actor("T-center", {Role(RoleKind.CENTER)})  # 第二课堂指导与服务中心 alone (001 第三条)


class World:
    """A finished activity of 石油工程学院学生会 (the host), a transcript of its first
    student, and a second college with its own tribe and leader."""

    def __init__(self, service: SecondClassroom) -> None:
        self.service = service
        self.talk, students = checked_in_world(service)
        self.me, self.other = students[0], students[1]
        service.run_reactions(ENDED)
        service.execute(GrantCredits(self.talk, (self.me.person_id,)), LEADER, at(12, 4))
        service.execute(FinalizeActivity(self.talk), LEADER, at(12, 4, 1))
        issued = service.execute(IssueTranscript(self.me.person_id), self.me, at(12, 5))
        self.serial = next(
            e.payload.serial for e in issued.events if isinstance(e.payload, TranscriptIssued)
        )
        honour = IssueCertificate(CertificateKind.HONOUR, self.me.person_id, title="优秀共青团员")
        conferred = service.execute(honour, SCHOOL_ADMIN, at(12, 5))
        self.certificate = next(
            e.payload.serial for e in conferred.events if isinstance(e.payload, CertificateIssued)
        )
        for person, role in ((HOST_ADMIN, TribeRole.ADMIN), (HOST_ORGANIZER, TribeRole.ORGANIZER)):
            service.execute(AppointTribeRole(UNION.tribe_id, person.person_id, role), PE_ADMIN, NOW)
        service.execute(OTHER_UNION, CS_ADMIN, NOW)
        service.execute(CertifyTribe(OTHER_UNION.tribe_id), SCHOOL_ADMIN, NOW)
        service.execute(
            RegisterStudent(OTHER_LEADER.person_id, "周杰", "CS", "计科23-1班", 2023), CS_ADMIN, NOW
        )
        service.execute(
            AppointTribeRole(OTHER_UNION.tribe_id, OTHER_LEADER.person_id, TribeRole.LEADER),
            CS_ADMIN,
            NOW,
        )


# The kinds of actor, in the order of the table's columns.
ACTORS: dict[str, Callable[[World], Actor]] = {
    "self": lambda w: w.me,
    "other_student": lambda w: w.other,
    "host_leader": lambda _w: LEADER,
    "host_admin": lambda _w: HOST_ADMIN,
    "host_organizer": lambda _w: HOST_ORGANIZER,
    "other_tribe_leader": lambda _w: OTHER_LEADER,
    "college_admin": lambda _w: PE_ADMIN,
    "other_college_admin": lambda _w: CS_ADMIN,
    "school_admin": lambda _w: SCHOOL_ADMIN,
    "system": lambda _w: Actor.system(),
    "center": lambda _w: CENTER,
}
