"""A student of 石油工程学院 who volunteered, won the activity's award, earned 4 志愿时 and was
appointed 宣传部部长 (seed 002 二 8) 电子奖状、电子志愿时卡、电子聘书、电子荣誉证书), and one
certificate of each kind to issue on 12-10."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from second_classroom.aggregates.cadre import AppointCadre
from second_classroom.aggregates.certificate import (
    CertificateIssued,
    CertificateKind,
    IssueCertificate,
    RevokeCertificate,
)
from second_classroom.aggregates.checkin import CheckIn, OpenCheckInSession
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits, IssueAward
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.terms import CadrePosition
from second_classroom.policies.activity_form import AwardPlan, PlannedAward, PlannedCredit
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.checkin_world import ENDED, FIELD, ON_SITE, STARTED
from tests.enrolment_world import LEADER, ORGANIZER_NUMBER, UNION, approved_activity, found_school
from tests.specification import NEPU, NOW, SCHOOL_ADMIN, at

# NEPU with HFUT's 志愿时 (002 二 8) 电子志愿时卡): the card counts this credit type.
RULES = attrs.evolve(NEPU, credit_types=("学分", "志愿时"), volunteer_credit_type="志愿时")
# A volunteering activity with an award on offer and 志愿时 for taking part.
VOLUNTEERING = attrs.evolve(
    FORM,
    title="石油工程学院“清洁校园”志愿服务",
    plan=AwardPlan(
        awards=(PlannedAward("优秀志愿者", 1),),
        credits=(
            PlannedCredit("skills", "学分", Decimal("0.5")),
            PlannedCredit("skills", "志愿时", Decimal(4)),
        ),
    ),
)
ISSUED = at(12, 10, 9)
TERM = "2026-2027学年"


@attrs.frozen
class World:
    student: Actor
    activity: UUID
    round_id: UUID


def world(school: SecondClassroom) -> World:
    """A student who took part in a volunteering activity, won its award and got 4 志愿时,
    and who is appointed 宣传部部长 of 石油工程学院学生会."""
    numbers = found_school(school, 2)
    student = Actor.student(numbers[0])
    activity = approved_activity(school, "clean", base_form=VOLUNTEERING)
    school.execute(Register(activity), student, at(12, 1, 10))
    organizer = Actor.student(ORGANIZER_NUMBER)
    school.execute(OpenCheckInSession(activity, 10, geofence=FIELD), organizer, STARTED)
    code = school.check_in_code(activity, 1, organizer, STARTED + timedelta(seconds=20))
    check_in = CheckIn(activity, 1, token=code.token, location=ON_SITE)
    school.execute(check_in, student, STARTED + timedelta(seconds=30))
    school.run_reactions(ENDED)
    school.execute(IssueAward(activity, "优秀志愿者", (student.person_id,)), LEADER, at(12, 4))
    school.execute(GrantCredits(activity, (student.person_id,)), LEADER, at(12, 4))
    school.execute(FinalizeActivity(activity), LEADER, at(12, 4))
    appoint = AppointCadre(
        UNION.tribe_id,
        TERM,
        student.person_id,
        CadrePosition.STUDENT_UNION,
        "宣传部部长",
        at(11, 1),
        at(11, 1, year=2027),
    )
    school.execute(appoint, LEADER, NOW)
    return World(student, activity, ids.cadre_round_id(UNION.tribe_id, TERM))


def commands(w: World) -> dict[CertificateKind, tuple[IssueCertificate, Actor]]:
    """One certificate of each kind and who issues it."""
    number = w.student.person_id
    return {
        CertificateKind.AWARD: (
            IssueCertificate(
                CertificateKind.AWARD, number, activity_id=w.activity, title="优秀志愿者"
            ),
            w.student,
        ),
        CertificateKind.VOLUNTEER_HOURS: (
            IssueCertificate(CertificateKind.VOLUNTEER_HOURS, number),
            w.student,
        ),
        CertificateKind.APPOINTMENT: (
            IssueCertificate(CertificateKind.APPOINTMENT, number, round_id=w.round_id),
            LEADER,
        ),
        CertificateKind.HONOUR: (
            IssueCertificate(
                CertificateKind.HONOUR,
                number,
                title="优秀共青团员",
                citation="在2026年度团员教育评议中表现突出",
            ),
            SCHOOL_ADMIN,
        ),
    }


def issue(
    school: SecondClassroom, command: IssueCertificate, actor: Actor, when: datetime = ISSUED
) -> str:
    """The serial of the certificate ``command`` issues (the school's first also publishes
    the signing key)."""
    outcome = school.execute(command, actor, when)
    (event,) = (e.payload for e in outcome.events if isinstance(e.payload, CertificateIssued))
    return event.serial


def superseded_card(school: SecondClassroom, w: World) -> tuple[str, str]:
    """The student's 志愿时卡 of 12月10日 and the one of 12月11日; a school admin marks the
    older superseded by the newer on 12月12日. Returns (older, newer)."""
    card, student = commands(w)[CertificateKind.VOLUNTEER_HOURS]
    older = issue(school, card, student)
    newer = issue(school, card, student, ISSUED + timedelta(days=1))
    revoke = RevokeCertificate(older, "志愿时长已更新", newer)
    school.execute(revoke, SCHOOL_ADMIN, ISSUED + timedelta(days=2))
    return older, newer
