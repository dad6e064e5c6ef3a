"""How the facade runs each command: which streams it locks and writes, which facts it reads.

A plan loads states (with their versions), calls the pure decide functions and returns the
changes to append in one transaction. Nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

import attrs

from second_classroom.aggregates import (
    activity,
    activity_decider,
    cadre,
    certificate,
    claim,
    enrolment,
    growth_share,
    mailbox,
    practice,
    report_submission,
    school_keys,
    student,
    transcript,
    tribe,
)
from second_classroom.aggregates.activity import Activity, ActivityContext
from second_classroom.aggregates.activity_facts import ActivityFacts
from second_classroom.aggregates.school_keys import SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe, with_tribe_roles
from second_classroom.core import ids
from second_classroom.core.decider import FunctionalDecider
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import AdmissionMethod
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.changes import Change, Loaded
from second_classroom.persistence.mapper import Envelope
from second_classroom.policies import lottery, serials
from second_classroom.policies.context import Context
from second_classroom.policies.signing import Keyring

AnyDecider = FunctionalDecider[Any, Any, Any, Any]


class Loader:
    """Internal reads, with no actor check: the facts plans, reactions and the facade's own
    rules decide on. Never hand this to a frontend; the facade's public reads take the actor."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self.app = app

    def tribe(self, tribe_id: UUID) -> Tribe | None:
        return self.app.find(tribe.DECIDER, tribe_id)

    def student(self, student_number: str) -> StudentRecord | None:
        return self.app.find(student.DECIDER, ids.student_id(student_number))

    def activity(self, activity_id: UUID) -> Activity | None:
        return self.app.find(activity.DECIDER, activity_id)

    def enrolment(self, activity_id: UUID, student_number: str) -> enrolment.Enrolment | None:
        stream = enrolment.enrolment_id(activity_id, student_number)
        return self.app.find(enrolment.DECIDER, stream)

    def transcript(self, serial: str) -> transcript.Transcript | None:
        canonical = serials.normalize(serial)
        if canonical is None:
            return None
        return self.app.find(transcript.DECIDER, transcript.transcript_id(canonical))

    def certificate(self, serial: str) -> certificate.Certificate | None:
        canonical = serials.normalize(serial)
        if canonical is None:
            return None
        return self.app.find(certificate.DECIDER, certificate.certificate_id(canonical))

    def cadre_round(self, round_id: UUID) -> cadre.CadreRound | None:
        return self.app.find(cadre.DECIDER, round_id)

    def loaded(self, decider: AnyDecider, stream: UUID) -> Loaded[Any]:
        return self.app.load(decider, stream)

    def history(self, stream: UUID) -> Sequence[Envelope]:
        return self.app.history(stream)


class Reader(Protocol):
    """What plans read through the facade: the store, the secrets, the internal loader."""

    app: SecondClassroomApplication

    @property
    def secret(self) -> bytes | None: ...

    @property
    def keyring(self) -> Keyring | None: ...

    @property
    def _load(self) -> Loader: ...

    def school_keys(self) -> SchoolKeys: ...


Planner = Callable[[Reader, Any, Context], Sequence[Change]]


class RecordedRefusal(Exception):
    """A plan's refusal that must leave a trace: the facade stores ``changes``, then raises
    ``error`` (a wrong check-in password is counted, yet the command is refused)."""

    def __init__(self, error: DomainError, changes: Sequence[Change]) -> None:
        super().__init__(error)
        self.error, self.changes = error, changes


@attrs.frozen
class Route:
    """The streams a command type locks, and how its changes are planned."""

    locks: Callable[[Any], Sequence[UUID]]
    plan: Planner


def _changed(decider: AnyDecider, loaded: Loaded[Any], events: Sequence[object]) -> Change:
    return Change(decider, loaded, events, decider.fold(events, loaded.state))


# -- one stream per command -------------------------------------------------------------------

ContextBuilder = Callable[[Reader, Any, Any, Context], Any]


def single(decider: AnyDecider, target: Callable[[Any], UUID], context: ContextBuilder) -> Route:
    """A command that writes one stream."""

    def plan(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
        loaded = reader.app.load(decider, target(command))
        events = decider.decide(command, loaded.state, context(reader, command, loaded.state, base))
        return [_changed(decider, loaded, events)]

    return Route(lambda command: [target(command)], plan)


def _tribe_context(_reader: Reader, _cmd: Any, state: Tribe | None, base: Context) -> Context:
    return with_tribe_roles(base, state)


def _student_context(_reader: Reader, _cmd: Any, _state: Any, base: Context) -> Context:
    return attrs.evolve(base, actor=base.actor.institutional())


def _activity_context(
    reader: Reader, cmd: Any, state: Activity | None, base: Context
) -> ActivityContext:
    if state is not None:
        host = reader._load.tribe(state.host_tribe_id)
    elif isinstance(cmd, activity.DraftActivity):
        host = reader._load.tribe(cmd.host_tribe_id)
    else:
        host = None  # decide answers activity.not_found
    commitment = None
    if (
        state is not None
        and state.form.admission.method is AdmissionMethod.LOTTERY
        and reader.secret is not None
    ):
        commitment = lottery.commitment(lottery.derive_seed(reader.secret, str(state.id)))
    record = reader._load.student(base.actor.person_id)
    return ActivityContext(with_tribe_roles(base, host), host, record, commitment)


# -- commands on an activity that may also write students' enrolments and records -------------


@attrs.frozen
class _ActivityReads:
    """An activity command's reads: the activity (to write), its host, and the loaded
    enrolment and record streams of the students involved (to write too)."""

    activity: Loaded[Activity]
    host: Tribe | None
    base: Context
    enrolments: dict[str, Loaded[Any]]
    records: dict[str, Loaded[Any]]

    @staticmethod
    def states(loaded: dict[str, Loaded[Any]]) -> dict[str, Any]:
        return {s: item.state for s, item in loaded.items() if item.state is not None}

    def changes(
        self,
        activity_events: Sequence[object],
        enrolment_events: Mapping[str, Sequence[object]],
        record_events: Mapping[str, Sequence[object]],
    ) -> list[Change]:
        found = (
            [_changed(activity.DECIDER, self.activity, activity_events)] if activity_events else []
        )
        found += [
            _changed(enrolment.DECIDER, self.enrolments[s], e) for s, e in enrolment_events.items()
        ]
        found += [_changed(student.DECIDER, self.records[s], e) for s, e in record_events.items()]
        return found


def _plan_activity(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    """Registration, check-in, results and feedback: the activity's stream and, together, the
    enrolments and records of the students the command involves (``activity_decider``)."""
    app = reader.app
    loaded = app.load(activity.DECIDER, command.activity_id)
    host = reader._load.tribe(loaded.state.host_tribe_id) if loaded.state is not None else None
    base = with_tribe_roles(base, host)
    involved = activity_decider.involved(command, loaded.state, base.actor)
    enrolments = {
        s: app.load(enrolment.DECIDER, enrolment.enrolment_id(command.activity_id, s))
        for s in sorted(involved.enrolments)
    }
    records = {s: app.load(student.DECIDER, ids.student_id(s)) for s in sorted(involved.records)}
    reads = _ActivityReads(loaded, host, base, enrolments, records)
    record_states = reads.states(records)
    if involved.actor_record:
        record = reader._load.student(base.actor.person_id)
        if record is not None:
            record_states.setdefault(record.student_number, record)
    facts = ActivityFacts(
        reads.base,
        loaded.state,
        host,
        record_states,
        reads.states(enrolments),
        reader.secret if involved.secret else None,
    )
    decision = activity_decider.DECIDER.decide(command, facts)
    changes = reads.changes(decision.activity, decision.enrolments, decision.records)
    if decision.refusal is not None:
        raise RecordedRefusal(decision.refusal, changes)
    return changes


ACTIVITY_DECISIONS = Route(lambda command: [command.activity_id], _plan_activity)


# -- transcripts: the transcript's own stream, and the student's count of them -----------------


def _plan_transcript(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    keyring = reader.keyring
    if isinstance(command, transcript.IssueTranscript):
        loaded_record = app.load(student.DECIDER, ids.student_id(command.student_number))
        record = loaded_record.state
        signing = keyring.private_seed if keyring is not None else b""
        serial = transcript.serial_for(record, signing) if record is not None else ""
        loaded = app.load(transcript.DECIDER, transcript.transcript_id(serial))
        keys = reader.school_keys()
        context = transcript.TranscriptContext(
            base.with_institutional_actor(), record, keyring, keys
        )
        events = transcript.DECIDER.decide(command, loaded.state, context)
        assert record is not None
        numbered = student.TranscriptNumbered(record.id, serial, base.now)
        return [
            _changed(transcript.DECIDER, loaded, events),
            _changed(student.DECIDER, loaded_record, [numbered]),
        ]
    serial = serials.normalize(command.serial) or command.serial
    loaded = app.load(transcript.DECIDER, transcript.transcript_id(serial))
    context = transcript.TranscriptContext(base.with_institutional_actor(), None, keyring)
    return [
        _changed(
            transcript.DECIDER, loaded, transcript.DECIDER.decide(command, loaded.state, context)
        )
    ]


def _transcript_locks(command: Any) -> Sequence[UUID]:
    if isinstance(command, transcript.IssueTranscript):
        return [ids.student_id(command.student_number)]
    return [transcript.transcript_id(serials.normalize(command.serial) or command.serial)]


TRANSCRIPT = Route(_transcript_locks, _plan_transcript)


def _plan_claim(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    """补录 claims: the claim; at confirmation, every beneficiary's record too."""
    app = reader.app
    loaded = app.load(claim.DECIDER, command.claim_id)
    tribe_id = claim.tribe_of(command, loaded.state)
    host = reader._load.tribe(tribe_id) if tribe_id is not None else None
    records = {
        s: app.load(student.DECIDER, ids.student_id(s))
        for s in sorted(claim.students_involved(command, loaded.state))
    }
    context = claim.ClaimContext(
        with_tribe_roles(base, host),
        host,
        {s: item.state for s, item in records.items() if item.state is not None},
    )
    decision = claim.decide(command, loaded.state, context)
    changes = [_changed(claim.DECIDER, loaded, decision.claim)]
    changes += [_changed(student.DECIDER, records[s], e) for s, e in decision.records.items()]
    return changes


CLAIM = Route(lambda command: [command.claim_id], _plan_claim)


def _plan_publish(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    """公示 a batch: every claim in it, in one save (each decided with its tribe's roles)."""
    app = reader.app
    loaded = {c: app.load(claim.DECIDER, c) for c in command.claim_ids}
    claims: dict[UUID, tuple[claim.Claim | None, Context]] = {}
    for claim_id, item in loaded.items():
        tribe_id = item.state.tribe_id if item.state is not None else None
        host = reader._load.tribe(tribe_id) if tribe_id is not None else None
        claims[claim_id] = (item.state, with_tribe_roles(base, host))
    published = claim.publish(command, claims, base)
    return [_changed(claim.DECIDER, loaded[c], events) for c, events in published.items()]


CLAIM_BATCH = Route(lambda command: list(command.claim_ids), _plan_publish)


# -- cadre rounds: the round's stream; at closing, every rated cadre's record too ------------


def _plan_cadre(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    loaded = app.load(cadre.DECIDER, command.round_id)
    host = reader._load.tribe(command.tribe_id)
    involved = sorted(cadre.students_involved(command, loaded.state))
    records = {s: app.load(student.DECIDER, ids.student_id(s)) for s in involved}
    states = {s: item.state for s, item in records.items() if item.state is not None}
    context = cadre.CadreContext(with_tribe_roles(base, host), host, states)
    events = cadre.DECIDER.decide(command, loaded.state, context)
    written = cadre.recorded(events, states)
    return [
        _changed(cadre.DECIDER, loaded, events),
        *(_changed(student.DECIDER, records[s], e) for s, e in written.items()),
    ]


CADRE = Route(lambda command: [command.round_id], _plan_cadre)

# -- certificates (002 二 8)): the certificate's own stream ----------------------------------


def _plan_certificate(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    """A certificate reads the student's record (and, for a 聘书, the round and its
    organization); it writes its own stream only."""
    app = reader.app
    keyring = reader.keyring
    if isinstance(command, certificate.IssueCertificate):
        record = reader._load.student(command.student_number)
        rounds = None
        host = None
        if command.round_id is not None:
            rounds = app.load(cadre.DECIDER, command.round_id).state
            host = reader._load.tribe(rounds.tribe_id) if rounds is not None else None
        signing = keyring.private_seed if keyring is not None else b""
        serial = certificate.serial_for(command, base.now, signing)
        loaded = app.load(certificate.DECIDER, certificate.certificate_id(serial))
        context = certificate.CertificateContext(
            with_tribe_roles(base, host),
            record,
            keyring,
            reader.school_keys(),
            rounds,
            host,
        )
    else:
        serial = serials.normalize(command.serial) or command.serial
        loaded = app.load(certificate.DECIDER, certificate.certificate_id(serial))
        newer = command.superseded_by
        replacement = reader._load.certificate(newer) if newer is not None else None
        context = certificate.CertificateContext(
            base.with_institutional_actor(), None, keyring, replacement=replacement
        )
    events = certificate.DECIDER.decide(command, loaded.state, context)
    return [_changed(certificate.DECIDER, loaded, events)]


def _certificate_locks(command: Any) -> Sequence[UUID]:
    if isinstance(command, certificate.IssueCertificate):
        return [ids.student_id(command.student_number)]
    return [certificate.certificate_id(serials.normalize(command.serial) or command.serial)]


CERTIFICATE = Route(_certificate_locks, _plan_certificate)


# -- practice teams: the team's stream and every member's record (002 一 4)) ----------------


def _plan_practice(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    loaded = app.load(practice.DECIDER, command.practice_id)
    host = reader._load.tribe(command.tribe_id) if command.tribe_id is not None else None
    authorizing = with_tribe_roles(base, host)
    practice.authorize(command, practice.PracticeContext(authorizing, host))  # before the loads
    involved = sorted(practice.students_involved(command))
    records = {s: app.load(student.DECIDER, ids.student_id(s)) for s in involved}
    states = {s: item.state for s, item in records.items() if item.state is not None}
    context = practice.PracticeContext(authorizing, host, states)
    events = practice.DECIDER.decide(command, loaded.state, context)
    rule = base.rulebook.practice
    written = practice.recorded(events, states, rule.module, rule.credit_type)
    return [
        _changed(practice.DECIDER, loaded, events),
        *(_changed(student.DECIDER, records[s], e) for s, e in written.items()),
    ]


PRACTICE = Route(lambda command: [command.practice_id], _plan_practice)

ROUTES: dict[type, Route] = {}
for _module, _builder in (
    (tribe, _tribe_context),
    (student, _student_context),
    (activity, _activity_context),
    (mailbox, _student_context),
    (school_keys, _student_context),
    (growth_share, _student_context),
    (report_submission, _student_context),
):
    _route = single(_module.DECIDER, _module.target, _builder)
    ROUTES.update(dict.fromkeys(_module.COMMANDS, _route))
ROUTES.update(dict.fromkeys(activity_decider.COMMANDS, ACTIVITY_DECISIONS))
ROUTES.update(dict.fromkeys(transcript.COMMANDS, TRANSCRIPT))
ROUTES.update(dict.fromkeys(claim.COMMANDS, CLAIM))
ROUTES.update(dict.fromkeys(claim.BATCH_COMMANDS, CLAIM_BATCH))


ROUTES.update(dict.fromkeys(cadre.COMMANDS, CADRE))
ROUTES.update(dict.fromkeys(certificate.COMMANDS, CERTIFICATE))
ROUTES.update(dict.fromkeys(practice.COMMANDS, PRACTICE))
