"""How the facade runs each command: which streams it locks and writes, which facts it reads.

A plan loads states (with their versions), calls the pure decide functions and returns the
changes to append in one transaction. Nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

import attrs

from second_classroom.aggregates import (
    activity,
    checkin,
    enrolment,
    feedback,
    mailbox,
    results,
    student,
    transcript,
    tribe,
)
from second_classroom.aggregates.activity import Activity, ActivityContext
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.decider import Context, FunctionalDecider
from second_classroom.core.terms import AdmissionMethod
from second_classroom.persistence.application import Change, Loaded, SecondClassroomApplication
from second_classroom.policies import lottery, serials
from second_classroom.policies.signing import Keyring

AnyDecider = FunctionalDecider[Any, Any, Any, Any]


class Reader(Protocol):
    """What plans read through the facade."""

    app: SecondClassroomApplication
    secret: bytes | None
    keyring: Keyring | None

    def tribe(self, tribe_id: UUID) -> Tribe | None: ...

    def student(self, student_number: str) -> StudentRecord | None: ...


Planner = Callable[[Reader, Any, Context], Sequence[Change]]


@attrs.frozen
class Route:
    """The streams a command type locks, and how its changes are planned."""

    locks: Callable[[Any], Sequence[UUID]]
    plan: Planner


def with_tribe_roles(base: Context, host: Tribe | None) -> Context:
    """Tribe roles come from the Tribe stream, never from the caller."""
    actor = base.actor.institutional()
    if host is not None:
        actor = actor.with_roles(host.roles_of(actor.person_id))
    return attrs.evolve(base, actor=actor)


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
        host = reader.tribe(state.host_tribe_id)
    elif isinstance(cmd, activity.DraftActivity):
        host = reader.tribe(cmd.host_tribe_id)
    else:
        host = None  # decide answers activity.not_found
    commitment = None
    if (
        state is not None
        and state.form.admission.method is AdmissionMethod.LOTTERY
        and reader.secret is not None
    ):
        commitment = lottery.commitment(lottery.derive_seed(reader.secret, str(state.id)))
    record = reader.student(base.actor.person_id)
    return ActivityContext(with_tribe_roles(base, host), host, record, commitment)


# -- enrolment: the activity's seat ledger and students' enrolments together ------------------


def _plan_enrolment(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    activity_id: UUID = command.activity_id
    loaded_activity = app.load(activity.DECIDER, activity_id)
    state = loaded_activity.state
    host = reader.tribe(state.host_tribe_id) if state is not None else None
    base = with_tribe_roles(base, host)
    involved = enrolment.students_involved(command, state, base.actor)
    enrolments = {
        s: app.load(enrolment.DECIDER, enrolment.enrolment_id(activity_id, s)) for s in involved
    }
    record = reader.student(base.actor.person_id)
    seed = None
    if isinstance(command, enrolment.DrawLottery) and reader.secret is not None:
        seed = lottery.derive_seed(reader.secret, str(activity_id))
    context = enrolment.EnrolmentContext(
        base,
        state,
        host,
        {record.student_number: record} if record is not None else {},
        {s: loaded.state for s, loaded in enrolments.items() if loaded.state is not None},
        seed,
    )
    decision = enrolment.decide(command, context)
    changes = []
    if decision.activity:
        changes.append(_changed(activity.DECIDER, loaded_activity, decision.activity))
    for s, events in decision.enrolments.items():
        changes.append(_changed(enrolment.DECIDER, enrolments[s], events))
    return changes


ENROLMENT = Route(lambda command: [command.activity_id], _plan_enrolment)


# -- check-in: the activity's attendance ledger, and at closing every admitted student's
# -- enrolment and record ----------------------------------------------------------------------


def _plan_checkin(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    activity_id: UUID = command.activity_id
    loaded_activity = app.load(activity.DECIDER, activity_id)
    state = loaded_activity.state
    host = reader.tribe(state.host_tribe_id) if state is not None else None
    base = with_tribe_roles(base, host)
    involved = sorted(checkin.students_involved(command, state))
    enrolments = {
        s: app.load(enrolment.DECIDER, enrolment.enrolment_id(activity_id, s)) for s in involved
    }
    records = {s: app.load(student.DECIDER, ids.student_id(s)) for s in involved}
    context = checkin.CheckInContext(
        base,
        state,
        host,
        reader.secret,
        {s: loaded.state for s, loaded in enrolments.items() if loaded.state is not None},
        {s: loaded.state for s, loaded in records.items() if loaded.state is not None},
    )
    decision = checkin.decide(command, context)
    changes = []
    if decision.activity:
        changes.append(_changed(activity.DECIDER, loaded_activity, decision.activity))
    for s, enrolment_events in decision.enrolments.items():
        changes.append(_changed(enrolment.DECIDER, enrolments[s], enrolment_events))
    for s, record_events in decision.records.items():
        changes.append(_changed(student.DECIDER, records[s], record_events))
    return changes


CHECKIN = Route(lambda command: [command.activity_id], _plan_checkin)


def _plan_results(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    app = reader.app
    loaded_activity = app.load(activity.DECIDER, command.activity_id)
    state = loaded_activity.state
    host = reader.tribe(state.host_tribe_id) if state is not None else None
    base = with_tribe_roles(base, host)
    involved = sorted(results.students_involved(command, state))
    records = {s: app.load(student.DECIDER, ids.student_id(s)) for s in involved}
    context = results.ResultsContext(
        base,
        state,
        host,
        {s: loaded.state for s, loaded in records.items() if loaded.state is not None},
    )
    decision = results.decide(command, context)
    changes = []
    if decision.activity:
        changes.append(_changed(activity.DECIDER, loaded_activity, decision.activity))
    for s, record_events in decision.records.items():
        changes.append(_changed(student.DECIDER, records[s], record_events))
    return changes


RESULTS = Route(lambda command: [command.activity_id], _plan_results)


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
        context = transcript.TranscriptContext(base.with_institutional_actor(), record, keyring)
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


def _plan_feedback(reader: Reader, command: Any, base: Context) -> Sequence[Change]:
    loaded = reader.app.load(activity.DECIDER, command.activity_id)
    state = loaded.state
    host = reader.tribe(state.host_tribe_id) if state is not None else None
    context = feedback.FeedbackContext(with_tribe_roles(base, host), state, host)
    return [_changed(activity.DECIDER, loaded, feedback.decide(command, context))]


FEEDBACK = Route(lambda command: [command.activity_id], _plan_feedback)

ROUTES: dict[type, Route] = {}
for _module, _builder in (
    (tribe, _tribe_context),
    (student, _student_context),
    (activity, _activity_context),
    (mailbox, _student_context),
):
    _route = single(_module.DECIDER, _module.target, _builder)
    ROUTES.update(dict.fromkeys(_module.COMMANDS, _route))
ROUTES.update(dict.fromkeys(enrolment.COMMANDS, ENROLMENT))
ROUTES.update(dict.fromkeys(checkin.COMMANDS, CHECKIN))
ROUTES.update(dict.fromkeys(results.COMMANDS, RESULTS))
ROUTES.update(dict.fromkeys(transcript.COMMANDS, TRANSCRIPT))
ROUTES.update(dict.fromkeys(feedback.COMMANDS, FEEDBACK))
