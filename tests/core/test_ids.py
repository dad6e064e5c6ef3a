"""Stream ids (issue 11 §2): every id is derived from a natural key under its kind, so no id a
caller chooses can reach another kind's stream. ``DraftActivity`` names its activity by the
host tribe and a key; it once took any UUID, and a tribe leader could draft on the stream of
a future student record, enrolment, tribe, transcript or mailbox and break it for good."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

import second_classroom
from second_classroom import codec
from second_classroom.aggregates import (
    activity,
    cadre,
    certificate,
    claim,
    enrolment,
    growth_share,
    mailbox,
    report_submission,
    student,
    transcript,
    tribe,
)
from second_classroom.aggregates.activity import DraftActivity, SubmitActivity
from second_classroom.aggregates.mailbox import MarkNoticeDelivered
from second_classroom.aggregates.registration import Register
from second_classroom.aggregates.results import FinalizeActivity, GrantCredits
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.transcript import IssueTranscript
from second_classroom.aggregates.tribe import CertifyTribe, CreateTribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import CadrePosition, TribeKind, TribeLevel
from second_classroom.persistence.mapper import Envelope
from second_classroom.projections import notices
from second_classroom.service import SecondClassroom
from tests.aggregates.activity_fixtures import FORM
from tests.checkin_world import AFTER, ENDED, checked_in_world
from tests.claim_world import CUSTOMS, personal
from tests.enrolment_world import LEADER, REGISTERING, UNION, approved_activity
from tests.specification import NOW, PE_ADMIN, SCHOOL_ADMIN

AnyDecider = FunctionalDecider[Any, Any, Any, Any]
STUDENT = "2024000000"  # attended talk in checked_in_world
NEWCOMER = "2025000001"  # not registered yet: their record's stream is still free

OPERATOR = Actor.school_admin("T-001")  # reads take the actor; the operator reads all


Real = Callable[[SecondClassroom], object]


@attrs.frozen
class Target:
    """A derived id, the natural key it comes from, the kind of stream it names, and the real
    command(s) that write it (None: the id names an entry or a notice, never a stream)."""

    stream: UUID
    natural_key: str
    kind: AnyDecider | None
    real: Real | None


def run(command: object, actor: Actor, now: datetime = REGISTERING) -> Real:
    return lambda service: service.execute(command, actor, now)


def issue_transcript(service: SecondClassroom) -> object:
    """Finish ``talk`` (attendance closed, credits granted, finalized), then issue."""
    service.run_reactions(ENDED)
    talk = ids.activity_id(UNION.tribe_id, "talk")
    service.execute(GrantCredits(talk, (STUDENT,)), LEADER, AFTER)
    service.execute(FinalizeActivity(talk), LEADER, AFTER)
    return service.execute(IssueTranscript(STUDENT), Actor.student(STUDENT), AFTER)


def file_claim(service: SecondClassroom) -> object:
    """A personal 补录 claim, in a school that takes them (seed 003's chain)."""
    service.rulebook = CUSTOMS
    return service.execute(personal(student_number=STUDENT), Actor.student(STUDENT), AFTER)


CADRE_TERM = "2026-2027学年"


def appoint_cadre() -> cadre.AppointCadre:
    """``STUDENT`` appointed to the leader's union for a year (002 一 3))."""
    return cadre.AppointCadre(
        UNION.tribe_id,
        CADRE_TERM,
        STUDENT,
        CadrePosition.STUDENT_UNION,
        "干事",
        NOW,
        NOW + timedelta(days=365),
    )


def targets(service: SecondClassroom, talk: UUID, second: UUID) -> dict[str, Target]:
    """One id of every derived kind, in a school where ``STUDENT`` attended ``talk`` and
    ``second`` is open for registration."""
    record = service.student(STUDENT, OPERATOR)
    assert record is not None
    assert service.keyring is not None
    serial = transcript.serial_for(record, service.keyring.private_seed)
    cs_union = CreateTribe(
        "CS-SU", "计算机学院学生会", TribeKind.STUDENT_UNION, TribeLevel.COLLEGE, "CS"
    )
    newcomer = RegisterStudent(NEWCOMER, "王芳", "PE", "石工25-1班", 2025)
    honour = certificate.IssueCertificate(
        certificate.CertificateKind.HONOUR, STUDENT, title="优秀共青团员"
    )
    honour_serial = certificate.serial_for(honour, AFTER, service.keyring.private_seed)
    notice = notices.notice_id(Envelope(talk, 1, NOW, None), STUDENT)
    return {
        "tribe": Target(cs_union.tribe_id, "CS-SU", tribe.DECIDER, run(cs_union, SCHOOL_ADMIN)),
        "student": Target(newcomer.student_id, NEWCOMER, student.DECIDER, run(newcomer, PE_ADMIN)),
        "activity": Target(
            ids.activity_id(UNION.tribe_id, "later"),
            f"{UNION.tribe_id}/later",  # what derive joins under the activity kind
            activity.DECIDER,
            run(DraftActivity(UNION.tribe_id, "later", FORM), LEADER, NOW),
        ),
        "enrolment": Target(
            enrolment.enrolment_id(second, STUDENT),
            STUDENT,
            enrolment.DECIDER,
            run(Register(second), Actor.student(STUDENT)),
        ),
        "mailbox": Target(
            mailbox.mailbox_id(STUDENT),
            STUDENT,
            mailbox.DECIDER,
            run(MarkNoticeDelivered(STUDENT, notice), Actor.system()),
        ),
        "transcript": Target(
            transcript.transcript_id(serial), serial, transcript.DECIDER, issue_transcript
        ),
        "certificate": Target(
            certificate.certificate_id(honour_serial),
            honour_serial,
            certificate.DECIDER,
            run(honour, SCHOOL_ADMIN, AFTER),
        ),
        "claim": Target(
            personal(student_number=STUDENT).claim_id,
            f"personal/{STUDENT}/paper-1",  # what derive joins under the claim kind
            claim.DECIDER,
            file_claim,
        ),
        "cadre": Target(
            ids.cadre_round_id(UNION.tribe_id, CADRE_TERM),
            f"{UNION.tribe_id}/{CADRE_TERM}",  # what derive joins under the cadre kind
            cadre.DECIDER,
            run(appoint_cadre(), LEADER),
        ),
        "growth-share": Target(
            growth_share.growth_share_id(STUDENT),
            STUDENT,
            growth_share.DECIDER,
            run(
                growth_share.GrantGrowthAccess(STUDENT, "P-0001", NOW + timedelta(days=30)),
                Actor.student(STUDENT),
                NOW,
            ),
        ),
        "report": Target(
            ids.report_submission_id("PE", "2026-11"),
            "PE/2026-11",
            report_submission.DECIDER,
            run(report_submission.SubmitMonthlyReport("PE", "2026-11", "本月简报"), PE_ADMIN, NOW),
        ),
        # NEPU records no practice teams (practice.module ""): the id is tried, not written.
        "practice": Target(ids.practice_id("PE", "summer-1"), "PE/summer-1", None, None),
        "integrity": Target(ids.derive("integrity", str(talk), STUDENT), STUDENT, None, None),
        "notice": Target(notice, str(notice), None, None),
    }


def derived_kinds_in_source() -> set[str]:
    """Every kind a stream or entry id is derived under, read from ``src/``."""
    found: set[str] = set()
    for path in Path(second_classroom.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'derive\(\s*"([^"]+)"', text))
        found.update(re.findall(r'uuid5\(\s*NAMESPACE,\s*f?"([^"/]+)/', text))
    return found


# The derived id kinds a draft tries to take, written out once: a kind added to the source
# and not here fails the test below.
DRAFT_TARGETS = [
    "tribe",
    "student",
    "activity",
    "enrolment",
    "mailbox",
    "transcript",
    "certificate",
    "cadre",
    "claim",
    "growth-share",
    "practice",
    "report",
    "integrity",
    "notice",
]


def test_every_derived_id_kind_is_tried() -> None:
    """Given every ``derive(kind, ...)`` in the source, then each kind is one of the targets
    below (a new kind must be tried too), and no kind contains the separator, so ids of two
    kinds never share a name."""
    kinds = derived_kinds_in_source()
    # school-keys is written at the secret's first use: tried on its own below.
    assert kinds == {*DRAFT_TARGETS, "school-keys"}
    assert all("/" not in kind for kind in kinds)


def test_the_school_keys_stream_cannot_be_taken_or_misread(service: SecondClassroom) -> None:
    """Given the school's keys recorded at the secret's first use, when a draft mimics their
    id and raw-id commands name it, then nothing lands there and every other kind's command
    gets the answer an unknown id gets."""
    from second_classroom.aggregates import school_keys

    checked_in_world(service)  # check-ins use the secret: its fingerprint is recorded
    stream = ids.school_keys_id()
    before = service.history(stream, OPERATOR)
    assert school_keys.DECIDER.holds(before[0].payload)
    for key in ("school-keys", str(stream), "school-keys/"):
        written, refusal = outcome_or_code(
            partial(service.execute, DraftActivity(UNION.tribe_id, key, FORM), LEADER, NOW)
        )
        assert refusal is None
        assert stream not in written
        _, refusal = outcome_or_code(
            partial(service.execute, DraftActivity(stream, key, FORM), LEADER, NOW)
        )
        assert refusal == "activity.tribe_unknown"
    codes = []
    for command, actor, _kind in raw_id_probes(stream):
        with pytest.raises(DomainError) as caught:
            service.execute(command, actor, REGISTERING)
        codes.append(caught.value.code)
    assert codes == UNKNOWN_ID_CODES  # as an unknown id: no sign that the stream exists
    assert len(service.history(stream, OPERATOR)) == len(before)


def test_a_draft_names_its_activity_by_host_and_key() -> None:
    """Given a draft, then its activity id is derived under the activity kind from the host and
    the key, and the JSON form has no id field to choose one."""
    draft = DraftActivity(UNION.tribe_id, "2026-cet-talk", FORM)
    assert draft.activity_id == ids.derive("activity", str(UNION.tribe_id), "2026-cet-talk")
    assert "activity_id" not in codec.to_json(draft)


def test_an_enrolment_id_is_the_same_derivation_whether_remembered_or_not() -> None:
    """Given the enrolment ids remembered between commands, when one is asked for again, then
    it is the id derived under the enrolment kind from the activity and the student record's
    id, and different students or activities still get different ids."""
    first, second = ids.activity_id(UNION.tribe_id, "a"), ids.activity_id(UNION.tribe_id, "b")
    for _ in range(2):  # the second round is answered from memory
        assert enrolment.enrolment_id(first, STUDENT) == ids.derive(
            "enrolment", str(first), str(ids.student_id(STUDENT))
        )
    assert enrolment.enrolment_id(first, STUDENT) != enrolment.enrolment_id(second, STUDENT)
    assert enrolment.enrolment_id(first, STUDENT) != enrolment.enrolment_id(first, NEWCOMER)


def outcome_or_code(run: Callable[[], Any]) -> tuple[Sequence[UUID], str | None]:
    """The streams a command wrote, or the code it was refused with."""
    try:
        outcome = run()
    except DomainError as error:
        return [], error.code
    return [e.originator_id for e in outcome.events], None


@pytest.mark.parametrize("name", DRAFT_TARGETS)
def test_a_derived_id_cannot_be_taken_by_a_draft(service: SecondClassroom, name: str) -> None:
    """Given a school, a tribe leader and an approved activity, when the leader drafts with
    every key that mimics a derived id (its natural key, the id itself), as the host or
    as the key, in Python or in JSON (with the old ``activity_id`` field), and when raw-id
    commands name it, then nothing lands on that id; the real command for it then works;
    afterwards every command naming it as another kind gets the answer an unknown id gets
    (not ``store.wrong_stream_kind``, which would tell that the id exists)."""
    talk, _students = checked_in_world(service)
    second = approved_activity(service, "second")
    everything = targets(service, talk, second)
    target = everything[name]
    all_ids = {t.stream for t in everything.values()}
    assert len(service.history(target.stream, OPERATOR)) == 0
    keys = {target.natural_key, str(target.stream), f"{name}/{target.natural_key}"}

    for key in keys:
        # As the host: the id is not a certified tribe of the leader's.
        _, refusal = outcome_or_code(
            partial(service.execute, DraftActivity(target.stream, key, FORM), LEADER, NOW)
        )
        assert refusal == "activity.tribe_unknown"
        # As the key, under the leader's own tribe: an activity id of its own.
        written, refusal = outcome_or_code(
            partial(service.execute, DraftActivity(UNION.tribe_id, key, FORM), LEADER, NOW)
        )
        assert refusal is None
        assert written
        assert not set(written) & all_ids
        message = {
            "type": "DraftActivity",
            "activity_id": str(target.stream),
            "host_tribe_id": str(UNION.tribe_id),
            "key": f"json:{key}",
            "form": codec.converter.unstructure(FORM),
        }
        reply = service.execute_json(message, LEADER, NOW)
        streams = {UUID(e["stream"]) for e in reply.get("events", [])}
        assert target.stream not in streams
    assert len(service.history(target.stream, OPERATOR)) == 0

    probes = raw_id_probes(target.stream)
    codes = []
    for command, actor, _kind in probes:
        with pytest.raises(DomainError) as refused:
            service.execute(command, actor, REGISTERING)
        codes.append(refused.value.code)
    assert codes == UNKNOWN_ID_CODES
    assert len(service.history(target.stream, OPERATOR)) == 0

    if target.real is None:
        return  # an entry or notice id: no stream is ever written there
    target.real(service)
    assert target.kind is not None
    first = service.history(target.stream, OPERATOR)[0].payload
    assert target.kind.holds(first)
    assert service._load.loaded(target.kind, target.stream).state is not None

    after = len(service.history(target.stream, OPERATOR))
    _, refusal = outcome_or_code(
        lambda: service.execute(DraftActivity(target.stream, "after", FORM), LEADER, NOW)
    )
    # A host read of another kind finds no tribe; the real tribe is not the leader's.
    assert refusal == ("auth.forbidden" if kind_is_tribe(target) else "activity.tribe_unknown")
    for (command, actor, kind), unknown in zip(probes, UNKNOWN_ID_CODES, strict=True):
        if kind is target.kind:
            continue
        with pytest.raises(DomainError) as caught:
            service.execute(command, actor, REGISTERING)
        assert caught.value.code == unknown, caught.value  # not store.wrong_stream_kind
    assert len(service.history(target.stream, OPERATOR)) == after


def kind_is_tribe(target: Target) -> bool:
    return target.kind is tribe.DECIDER


# What the probes below answer for an id no stream has.
UNKNOWN_ID_CODES = [
    "activity.not_found",
    "activity.not_found",
    "tribe.not_found",
    "claim.not_found",
]


def raw_id_probes(stream: UUID) -> list[tuple[object, Actor, AnyDecider]]:
    """Commands that carry a raw stream id, pointed at ``stream``, with the kind they load."""
    return [
        (SubmitActivity(stream), LEADER, activity.DECIDER),
        (Register(stream), Actor.student(STUDENT), activity.DECIDER),
        (CertifyTribe(stream), SCHOOL_ADMIN, tribe.DECIDER),
        (claim.ReviewClaim(stream, True), SCHOOL_ADMIN, claim.DECIDER),
    ]
