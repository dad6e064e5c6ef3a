"""The facade: load the streams a command needs, decide purely, save atomically, retry."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import attrs

from second_classroom import codec, exports, verification
from second_classroom.aggregates import (
    activity,
    cadre,
    enrolment,
    mailbox,
    report_submission,
    school_keys,
    student,
)
from second_classroom.aggregates import certificate as certificate_module
from second_classroom.aggregates import practice as practice_module
from second_classroom.aggregates import reading as read_rules
from second_classroom.aggregates import transcript as transcript_module
from second_classroom.aggregates.activity import SECRET_MISSING, Activity, Phase
from second_classroom.aggregates.cadre import CadreRound
from second_classroom.aggregates.certificate import Certificate
from second_classroom.aggregates.claim import DECIDER as CLAIM_DECIDER
from second_classroom.aggregates.claim import Claim
from second_classroom.aggregates.claim import actions as claim_actions
from second_classroom.aggregates.claim import chain_of as claim_chain_of
from second_classroom.aggregates.enrolment import Enrolment
from second_classroom.aggregates.growth_share import DECIDER as GROWTH_SHARE_DECIDER
from second_classroom.aggregates.growth_share import (
    GrowthShare,
    ViewGrowthTimeline,
    growth_share_id,
)
from second_classroom.aggregates.mailbox import MarkNoticeDelivered
from second_classroom.aggregates.school_keys import SECRET_MISMATCH, SchoolKeys, SchoolKeysEvent
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import Transcript, content_json
from second_classroom.aggregates.tribe import Tribe, roles_in
from second_classroom.answers import CheckInCode, DrawRecord, IntegrityReport, Outcome, ReportFiles
from second_classroom.core import ids
from second_classroom.core.actor import Actor, RoleKind
from second_classroom.core.errors import (
    CONCURRENCY,
    UNKNOWN_COMMAND,
    DomainError,
    require,
    required,
)
from second_classroom.core.text import TextKind
from second_classroom.core.time import require_aware
from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.persistence.changes import Change, ConcurrencyConflict
from second_classroom.persistence.locks import back_off
from second_classroom.persistence.mapper import Envelope
from second_classroom.persistence.secrets import (
    MIN_SECRET_BYTES,
    SECRET_INVALID,
    check_secret,
    keyring_from_environment,
    protect_database,
    secret_file,
    secret_from_environment,
)
from second_classroom.persistence.stores import (
    create_schema,
    popo_env,
    postgres_env,
    school_schema,
    sqlite_env,
)
from second_classroom.planning import ROUTES, Loader, RecordedRefusal
from second_classroom.policies import calendar, checkin_codes, signing, visibility
from second_classroom.policies.boundary import admit, admit_actor, identifier
from second_classroom.policies.claim_rules import RecordedChain
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook, preset, presets
from second_classroom.policies.signing import Keyring
from second_classroom.projections import growth, queries
from second_classroom.projections import reports as report_exports
from second_classroom.projections.appointments import Appointments
from second_classroom.projections.claim_views import ClaimQueue, ClaimToReview
from second_classroom.projections.enrolment_views import (
    AttendanceReaction,
    LotteryReaction,
    MyActivities,
    MyActivity,
    Outbox,
    OverdueResults,
    ResultsDeadlines,
    ignore_done,
)
from second_classroom.projections.notices import Notice
from second_classroom.projections.register import DocumentRegister
from second_classroom.projections.reports import MonthlyRow
from second_classroom.projections.viewset import ViewSet
from second_classroom.read_boundary import admit_argument as _admit_argument
from second_classroom.read_boundary import reads as _reads
from second_classroom.verification import Verification, VerificationStatus, signed_document

if TYPE_CHECKING:
    from second_classroom.backfill import TemplateCheck

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]  # an aware datetime each call: the time a frontend injects


def utc_now() -> datetime:
    """The wall clock, aware (UTC): the default ``Clock``."""
    return datetime.now(UTC)


# Attempts of a command against other processes' writes before ``store.conflict``. Two
# processes registering for one activity both append to its stream: the one the scheduler
# slows loses about every other retry while the other keeps winning (one command in 2,000
# ran out of 8 attempts on PostgreSQL); 24 jittered attempts make that vanishingly rare and
# still bound the wait (the back-off is capped at 0.1 s: about a second in all).
MAX_ATTEMPTS = 24


class SecondClassroom:
    """The library's entry point for any frontend.

    ``clock`` is read only where no command or read brings its own ``now``: the secret's
    first use outside a command (a frontend reading the secret at start-up, a credential
    signed on request). Commands and reads take ``now`` as data.
    """

    def __init__(
        self,
        app: SecondClassroomApplication,
        rulebook: Rulebook | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        secret: bytes | None = None,
        keyring: Keyring | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.app = app
        self.clock: Clock = clock or utc_now
        self._load = Loader(app)
        self.rulebook = rulebook or preset("nepu")
        self.max_attempts = max_attempts
        given = secret if secret is not None else secret_from_environment()
        self._secret = check_secret(given) if given is not None else None
        derived = Keyring.from_secret(self._secret) if self._secret is not None else None
        self._keyring = keyring or keyring_from_environment() or derived
        self._using = threading.local()  # the time of the command that first uses a key
        recorded = self.school_keys().fingerprint
        if recorded is not None and self._secret is not None:
            # Before anything is written: another secret would make every earlier
            # transcript, code and draw unverifiable.
            require(
                recorded == signing.fingerprint(self._secret),
                SECRET_MISMATCH,
                reason="fingerprint differs",
            )
        self._my_activities = MyActivities(app)
        self._outbox = Outbox(app)
        self._lottery = LotteryReaction(app)
        self._attendance = AttendanceReaction(app, self.rulebook)
        self._deadlines = ResultsDeadlines(app, self.rulebook)
        self._claim_queue = ClaimQueue(app, self.rulebook.claims)
        self._views: ViewSet | None = None
        self._register = DocumentRegister(app)  # status list bits, followed from the log
        # What the 查证入口 reads of the log beside the published keys.
        self._lookups = verification.Lookups(
            self._load.transcript,
            self._load.certificate,
            self._register.index,
            self._load.cadre_round,
            Appointments(app).rounds,  # followed only when a letter without its round asks
        )
        self._views_lock = threading.Lock()  # threads asking for the views at once share one

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def open(
        cls, env: Mapping[str, str], rulebook: Rulebook | None = None, **kwargs: Any
    ) -> SecondClassroom:
        """A facade on the store ``env`` describes; ``store.secret_mismatch`` if the secret is
        not the one the store recorded. An SQLite file is made readable by its owner only."""
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
            protect_database(env.get("SQLITE_DBNAME", ""))
        app = SecondClassroomApplication(dict(env))
        try:
            return cls(app, rulebook, **kwargs)
        except BaseException:
            app.close()
            raise

    @classmethod
    def sqlite(
        cls, path: str | Path, rulebook: Rulebook | None = None, clock: Clock | None = None
    ) -> SecondClassroom:
        """The embedded default: an SQLite file, with its secret in a file beside it.

        A new database gets a new secret file; a database that recorded a secret and has no
        secret file (say, one opened with an explicit secret) is refused with
        ``store.secret_mismatch`` rather than given a new one.
        """
        protect_database(path)
        app = SecondClassroomApplication(sqlite_env(path))
        try:
            recorded = _recorded_keys(app).fingerprint is not None
            secret = secret_file(path, create=not recorded)
            if secret is None:
                raise SECRET_MISMATCH.error(reason=f"no secret file {path}.secret")
            return cls(app, rulebook, secret=secret, clock=clock)
        except BaseException:
            app.close()
            raise

    @classmethod
    def postgres(
        cls,
        dsn: str,
        rulebook: Rulebook | None = None,
        secret: bytes | None = None,
        school: str | None = None,
        clock: Clock | None = None,
    ) -> SecondClassroom:
        """PostgreSQL; the secret comes from ``secret`` or ``SECOND_CLASSROOM_SECRET``.

        With ``school`` (a code such as ``"nepu"``), one database serves many schools: this
        school's log, views and keys live in the schema of that name (created if missing),
        its rulebook is its preset unless ``rulebook`` is given, and its secret comes from
        ``secret`` or ``SECOND_CLASSROOM_SECRET_<SCHOOL>`` — a school without one of its own
        is refused with ``store.secret_invalid``, never given another school's — and it signs
        with the key derived from that secret (not ``SECOND_CLASSROOM_SIGNING_KEY``).
        """
        if school is None:
            return cls.open(postgres_env(dsn), rulebook, secret=secret, clock=clock)
        schema = school_schema(school)
        if secret is None:
            secret = secret_from_environment(school)
        if secret is None:
            raise SECRET_INVALID.error(
                source=f"SECOND_CLASSROOM_SECRET_{school.upper()}",
                reason=f"no secret for school {school}",
                minimum=MIN_SECRET_BYTES,
            )
        if rulebook is None and school in presets():
            rulebook = preset(school)
        # Its signing key too is its own: derived from its secret, never the shared
        # SECOND_CLASSROOM_SIGNING_KEY.
        keyring = Keyring.from_secret(check_secret(secret))
        create_schema(dsn, schema)
        return cls.open(
            postgres_env(dsn, schema), rulebook, secret=secret, keyring=keyring, clock=clock
        )

    @classmethod
    def in_memory(
        cls, rulebook: Rulebook | None = None, clock: Clock | None = None
    ) -> SecondClassroom:
        return cls.open(popo_env(), rulebook, secret=os.urandom(32), clock=clock)

    # -- the secret and the signing key, recorded in the log when first used -----------------

    @property
    def secret(self) -> bytes | None:
        """The school's secret; its first use records its fingerprint in the log."""
        if self._secret is not None:
            self._record_keys(signs=False)
        return self._secret

    @property
    def keyring(self) -> Keyring | None:
        """The key that signs new transcripts; its first use records the secret's fingerprint
        and, if the school has published no key yet, publishes this one."""
        if self._keyring is not None:
            self._record_keys(signs=True)
        return self._keyring

    @_reads
    def school_keys(self) -> SchoolKeys:
        """The fingerprint and the public signing keys the log records (inside a command,
        with what its first use of the secret adds)."""
        extra: list[Change] = getattr(self._using, "extra", None) or []
        staged = [c.after for c in extra if c.decider is school_keys.DECIDER]
        return cast(SchoolKeys, staged[-1]) if staged else _recorded_keys(self.app)

    def _record_keys(self, signs: bool) -> None:
        """Record the fingerprint (and, for signing, the first key) unless the log has them;
        ``store.secret_mismatch`` if it recorded another secret.

        Inside a command the recording joins the command's own changes, so a refused command
        stores nothing; elsewhere (showing a check-in code, exporting a credential) it is
        stored at once.
        """
        extra: list[Change] | None = getattr(self._using, "extra", None)
        for attempt in range(self.max_attempts):
            prior = next((c for c in extra or () if c.decider is school_keys.DECIDER), None)
            state: SchoolKeys | None
            if prior is not None:
                loaded, events = prior.loaded, list(prior.events)
                state = cast(SchoolKeys, prior.after)
            else:
                loaded = self.app.load(school_keys.DECIDER, ids.school_keys_id())
                state, events = loaded.state, []
            new = self._keys_to_record(signs, state)
            if not new:
                return
            change = Change(
                school_keys.DECIDER, loaded, events + new, school_keys.DECIDER.fold(new, state)
            )
            if extra is not None:
                extra[:] = [c for c in extra if c is not prior] + [change]
                return
            try:
                self.app.append([change], self._first_use_time(), "RecordSecretFingerprint")
                return
            except ConcurrencyConflict:
                back_off(attempt)  # another process recorded first: compare with theirs
        raise CONCURRENCY.error(attempts=self.max_attempts)

    def _keys_to_record(self, signs: bool, state: SchoolKeys | None) -> list[SchoolKeysEvent]:
        system = Context(Actor.system(), self._first_use_time(), self.rulebook)
        fingerprint = signing.fingerprint(self._secret) if self._secret is not None else None
        key = self._keyring if signs else None
        published = (key.key_id, key.public_text) if key is not None else None
        return school_keys.keys_to_record(state, system, fingerprint, published)

    def _first_use_time(self) -> datetime:
        """The command's or read's ``now``; outside one, the injected clock (never the wall
        clock behind the frontend's back: a replayed scenario writes the same log)."""
        found: datetime | None = getattr(self._using, "now", None)
        return found or require_aware(self.clock(), "clock")

    def first_use_dated(self, now: datetime) -> AbstractContextManager[None]:
        """Date by ``now`` a first use of the secret inside the block (a frontend reading the
        secret at start-up with a clock of its own: ``http.create_app``)."""
        return self._first_use_at(require_aware(now))

    @contextmanager
    def _first_use_at(self, now: datetime, extra: list[Change] | None = None) -> Iterator[None]:
        """Date a first use of the secret by the command (not the clock), so replaying a
        scenario writes the same log; collect its recording into ``extra`` if given."""
        outer = getattr(self._using, "now", None), getattr(self._using, "extra", None)
        self._using.now, self._using.extra = now, extra
        try:
            yield
        finally:
            self._using.now, self._using.extra = outer

    @property
    def views(self) -> ViewSet:
        """The SQL read models, caught up on each query (the embedded default).

        Operator-only: it checks no actor (raw SQL, every row). Never expose it to a frontend;
        the facade's reads (``activity_board``, ``roster``, ``audit_log`` …) take the actor.
        """
        with self._views_lock:
            if self._views is None:
                self._views = ViewSet(self.app)
        return self._views

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
        self.app.close()

    def __enter__(self) -> SecondClassroom:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the school's calendar ------------------------------------------------------------------

    @_reads
    def calendar_gaps(self, now: datetime) -> tuple[int, ...]:
        """The years of ``now``'s month and the next that neither this school's rulebook nor
        the packaged ``chinesecalendar`` covers, each logged as a warning: working-day windows
        (lead time, 补签, 公示, 补录 windows) reaching them answer ``calendar.year_unknown``
        until the year's schedule is loaded (``[[calendar]]``). Empty when covered; public
        like the rulebook. ``create_app`` (``serve``) and the CLI's import call it at start-up
        with their clock; a school may call it every day."""
        gaps = calendar.uncovered_years(self.rulebook, now)
        for year in gaps:
            logger.warning(
                "calendar: no official holiday schedule for %d in the rulebook or in "
                "chinesecalendar; working days in %d will be refused (calendar.year_unknown) "
                "until a [[calendar]] table for %d is loaded into the rulebook",
                year,
                year,
                year,
            )
        return gaps

    # -- commands ---------------------------------------------------------------------------

    def execute(self, command: object, actor: Actor, now: datetime) -> Outcome:
        """Run ``command`` as ``actor`` at ``now``; raise DomainError if refused.

        The command first passes the boundary (``policies.boundary.admit``: text, identifier
        and bound rules of the rulebook's limits). A refused command stores nothing, with one
        exception: a wrong check-in password is stored (``CheckInPasswordRejected``) before
        ``checkin.wrong_password`` is raised, so guesses are counted. A conflict with a
        concurrent writer is retried against fresh state up to ``max_attempts`` times.
        """
        route = ROUTES.get(type(command))
        if route is None:
            raise UNKNOWN_COMMAND.error(type=type(command).__name__)
        admit_actor(actor, self.rulebook.limits)  # stored in every event: checked like a 学号
        _admit_argument("now", now, datetime, self.rulebook.limits)
        self.rulebook.require_roles(actor)  # the role kinds this school uses (issue 14 §1)
        # The same text, identifier and bound rules for Python callers as for JSON ones.
        command = admit(command, self.rulebook.limits)
        base = Context(actor, require_aware(now), self.rulebook)
        name = type(command).__name__
        for attempt in range(self.max_attempts):
            # The in-process locks (``writing``) cover the decision only: the commit happens
            # after, shared with other commands, and the next decision on these streams sees
            # this one's new states before they are stored. With ``STREAM_LEASES`` on
            # PostgreSQL, the cross-process lease ``writing`` takes on streams another process
            # wrote lately lasts longer: ``stage`` hands it to the write, which releases it
            # once stored or failed, so that process decides on them after this commit (a
            # decision that stages nothing releases it when the block ends).
            refusal: DomainError | None = None
            recorded: DomainError | None = None
            keys: list[Change] = []  # the first use of the secret, stored with the command
            with (
                self.app.writing(route.locks(command)),
                self.app.deciding() as depends,
                self._first_use_at(base.now, keys),
            ):
                try:
                    changes = route.plan(self, command, base)
                except RecordedRefusal as kept:
                    # Refused, but the refusal is a fact to keep: store it, then refuse.
                    changes, recorded = kept.changes, kept.error
                except DomainError as error:
                    if not depends:
                        raise
                    refusal = error
                if refusal is None:
                    changes = [*keys, *changes]
                    staged = self.app.stage(changes, now, name, actor.person_id, depends)
            if refusal is not None:
                # Refused on states not stored yet: the refusal stands once they are stored;
                # if one of them failed, decide again.
                if self.app.settled(depends):
                    raise refusal
                continue
            try:
                stored = tuple(staged.wait())
            except ConcurrencyConflict:
                logger.debug("%s: conflict with another writer, attempt %d", name, attempt + 1)
                back_off(attempt)
                continue
            if recorded is not None:
                raise recorded
            return self._reply(command, actor, stored)
        raise CONCURRENCY.error(attempts=self.max_attempts)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Store every command executed in the block (on this thread) in one transaction.

        For bulk work — an import, an organizer's grants, a load test — where one commit per
        command is the cost. Each command is still decided on the state left by the ones
        before it, and a refused command stages nothing; an exception leaving the block
        stores nothing at all. If another writer moved a stream the batch wrote, nothing is
        stored and ``store.conflict`` is raised: run the batch again.
        """
        try:
            with self.app.unit_of_work():
                yield
        except ConcurrencyConflict:
            raise CONCURRENCY.error(attempts=1) from None

    def execute_json(self, message: Any, actor: Actor, now: datetime) -> dict[str, Any]:
        """JSON in, JSON out: the events, or the DomainError with its stable code.

        ``message`` may be any JSON value: anything but a well-formed command object is
        ``command.malformed`` (or ``command.unknown``), never an exception, and stores
        nothing (a refusal stores what ``execute`` says it does).
        """
        try:
            command = codec.from_json(message, kind="command")
            return self.execute(command, actor, now).to_json()
        except DomainError as error:
            return codec.error_to_json(error)

    def _reply(self, command: object, actor: Actor, events: tuple[Envelope, ...]) -> Outcome:
        """The outcome as ``actor`` may read it; every event is stored regardless.

        Whoever may read the command's subject (its activity, tribe, student or transcript)
        sees every event; anyone else only the events of their own streams and those about
        them alone — so a student cancelling never learns who was promoted (that student
        learns it from a notice).
        """
        if visibility.is_operator(actor):
            return Outcome(events)
        me = actor.person_id
        own = {ids.student_id(me), mailbox.mailbox_id(me)}
        activity_id = getattr(command, "activity_id", None)
        if isinstance(activity_id, UUID):
            own.add(enrolment.enrolment_id(activity_id, me))
        mine = tuple(
            e for e in events if e.originator_id in own or visibility.about_only(e.payload, me)
        )
        if len(mine) == len(events):
            return Outcome(events)  # the common case (a student's own step): nothing to load
        try:
            with self.app.reading():  # one look at the log for all the facts below
                everything = self._may_read_subject(command, actor)
        except DomainError:
            everything = False  # stored already: a read rule failing only narrows the reply
        return Outcome(events if everything else mine)

    def _may_read_subject(self, command: object, actor: Actor) -> bool:
        if visibility.is_operator(actor):
            return True
        activity_id = getattr(command, "activity_id", None)
        if isinstance(activity_id, UUID):
            return self._may_read_activity(actor, self._load.activity(activity_id))
        tribe_id = getattr(command, "tribe_id", None)
        if isinstance(tribe_id, UUID):
            return self._may_read_tribe(actor, tribe_id, self._load.tribe(tribe_id))
        if isinstance(command, practice_module.RecordPractice):
            team = self.app.find(practice_module.DECIDER, command.practice_id)
            return self._may_read_practice(actor, team)
        serial = getattr(command, "serial", None)
        if isinstance(serial, str):
            found = self._load.transcript(serial)
            return found is not None and self._may_read_student(found.content.student_number, actor)
        for name in ("student_number", "student"):
            number = getattr(command, name, None)
            if isinstance(number, str):
                return self._may_read_student(number, actor)
        return False

    # -- internal facts for the read rules ---------------------------------------------------

    def _college_of(self, student_number: str) -> str | None:
        record = self._load.student(student_number)
        return record.college if record is not None else None

    def _may_read_activity(self, actor: Actor, found: Activity | None) -> bool:
        host = self._load.tribe(found.host_tribe_id) if found is not None else None
        return read_rules.may_read_activity(actor, found, host)

    def _may_read_tribe(self, actor: Actor, tribe_id: UUID, found: Tribe | None) -> bool:
        return read_rules.may_read_tribe(actor, tribe_id, found)

    def _may_read_student(self, student_number: str, actor: Actor) -> bool:
        college = self._college_of(student_number)  # the code; a transcript shows the name
        return visibility.may_read_student(actor, student_number, college)

    def _student_number(self, student_number: str) -> str:
        """A 学号 given to a read, NFKC-normalised and checked as in a command (limits)."""
        limits = self.rulebook.limits
        return identifier(student_number, TextKind.PERSON_ID, limits, "$.student_number")

    def _require_student(self, student_number: str, actor: Actor, what: str) -> str:
        """The normalised 学号, if ``actor`` may read that student's ``what``."""
        number = self._student_number(student_number)
        visibility.require_read(self._may_read_student(number, actor), what)
        return number

    # -- reads: each takes the actor, deny by default (policies/visibility.py) ----------------

    @_reads
    def run_reactions(self, now: datetime) -> list[Outcome]:
        """Run what is due at ``now``: the draw of every lottery whose registration closed,
        and the closing of attendance (no-shows, integrity) of every activity that is over.

        Safe to call from several processes or repeatedly: each happens exactly once. A
        reaction that cannot run (say, a year missing from the calendar) does not stop the
        others; the first such error is raised afterwards, listing all of them.
        """
        outcomes = []
        due: list[tuple[object, Actor]] = [
            *self._lottery.commands(now),
            *self._attendance.commands(now),
        ]
        failures: list[DomainError] = []
        for command, actor in due:
            try:
                outcomes.append(self.execute(command, actor, now))
            except DomainError as error:
                if not ignore_done(error):
                    failures.append(error)  # the others still run
        if due:
            logger.info(
                "reactions at %s: %d due, %d ran, %d failed",
                now.isoformat(),
                len(due),
                len(outcomes),
                len(failures),
            )
        if failures:
            first = failures[0]
            first.details["failures"] = [{"code": f.code, **f.details} for f in failures]
            raise first
        return outcomes

    @_reads
    def overdue_results(self, actor: Actor, now: datetime) -> list[OverdueResults]:
        """Activities past their results deadline and not finalized (合工大: 10 working days),
        of those ``actor`` may read (their tribe's, their college's, or all for operators)."""
        overdue = self._deadlines.overdue(require_aware(now))
        if visibility.is_operator(actor):
            return overdue
        return [
            o for o in overdue if self._may_read_activity(actor, self._load.activity(o.activity_id))
        ]

    @_reads
    def my_activities(self, student_number: str, actor: Actor, now: datetime) -> list[MyActivity]:
        """我的活动 (第十二条): the student's, their college admin's, operators'."""
        student_number = self._require_student(student_number, actor, "我的活动 my activities")
        return self._my_activities.of(student_number, require_aware(now))

    @_reads
    def outbox(
        self, actor: Actor, student_number: str | None = None, limit: int = queries.MAX_LIMIT
    ) -> list[Notice]:
        """Notices not yet delivered (第十四条 群发通知, draw results, leave decisions), the
        oldest ``limit`` first: one student's, or every student's (the delivery worker:
        operators only). A queue, so no cursor: mark them delivered and ask again."""
        queries.check_limit(limit)
        if student_number is None:
            visibility.require_read(visibility.is_operator(actor), "全部通知 every notice")
        else:
            student_number = self._require_student(student_number, actor, "通知 notices")
        return self._outbox.pending(student_number, limit)

    @_reads
    def mark_delivered(self, notice: Notice, now: datetime, actor: Actor) -> Outcome:
        """Record a notice as delivered, as ``actor`` (the delivery worker, or the student
        reading it); marking it again changes nothing."""
        command = MarkNoticeDelivered(notice.student, notice.notice_id)
        return self.execute(command, actor, now)

    @_reads
    def draw_record(self, activity_id: UUID, actor: Actor) -> DrawRecord | None:
        """The published commitment and the draw, to check with ``verify_draw``. It names every
        registrant, so it is the activity's managers' (and admins'); a student learns their
        own result from a notice (第十二条: 系统消息会告知报名同学是否中签)."""
        allowed = self._may_read_activity(actor, self._load.activity(activity_id))
        visibility.require_read(allowed, "抽签记录 draw record")
        return DrawRecord.of(self._load.history(activity_id))

    @_reads
    def check_in_code(
        self, activity_id: UUID, session: int, actor: Actor, now: datetime
    ) -> CheckInCode:
        """What the organizer's screen shows now (第十五条): the rotating QR payload, and the
        password above it when the session allows one. Managers of the activity only."""
        found = self._load.activity(activity_id)
        host = self._load.tribe(found.host_tribe_id) if found is not None else None
        base = Context(actor, require_aware(now), self.rulebook)
        opened = read_rules.check_in_session(activity_id, found, host, base, session)
        with self._first_use_at(now):
            secret = required(self.secret, SECRET_MISSING)
        token = checkin_codes.current_token(
            secret, activity_id, session, now, opened.rotation_seconds
        )
        password = None
        if opened.allow_password:
            password = checkin_codes.session_password(secret, activity_id, session)
        return CheckInCode(token, password, opened.closes_at)

    @_reads
    def integrity(self, student_number: str, actor: Actor) -> IntegrityReport | None:
        """诚信分 and blacklist (第十六、二十条) under this school's rulebook."""
        record = self.student(student_number, actor)
        if record is None:
            return None
        return IntegrityReport.of(record, self.rulebook.integrity)

    @_reads
    def claim(self, claim_id: UUID, actor: Actor) -> Claim | None:
        """A 补录 claim and where it stands. A personal or cadre claim: its student's, their
        college admin's, operators'; a collective one: the claiming tribe's managers', its
        college admin's, operators'; any claim: whoever holds a role of its chain's steps."""
        found = self._load.app.find(CLAIM_DECIDER, claim_id)
        tribe_id = found.tribe_id if found is not None else None
        tribe = self._load.tribe(tribe_id) if tribe_id is not None else None
        allowed = read_rules.may_read_claim(actor, found, tribe, self.rulebook)
        visibility.require_read(allowed, "补录申请 claim")
        return found

    @_reads
    def claims_to_review(self, actor: Actor, now: datetime) -> list[ClaimToReview]:
        """待我审核: the claims at a step ``actor`` may act on at ``now`` (审核, 公示, 处理异议,
        导入名单), each with its actions; tribe roles come from the claim's tribe's stream.
        Only those who hold a role some claim chain asks for (the rulebook's, or the one an
        open claim was filed under) may ask; operators see every open claim (with no action of
        their own unless they hold a step's role)."""
        now = require_aware(now)
        asked = self.rulebook.claims.role_kinds() | self._claim_queue.role_kinds()
        reviewer = any(role.kind in asked for role in actor.institutional().roles)
        operator = visibility.is_operator(actor)
        visibility.require_read(operator or reviewer, "待审核补录 claims to review")

        def actor_for(found: Claim) -> Actor | None:
            tribe = self._load.tribe(found.tribe_id) if found.tribe_id is not None else None
            acting = roles_in(actor, tribe)
            if operator and not claim_actions(found, self._claim_chain(found), acting, now):
                return None  # listed, with nothing for the operator to do
            return acting

        return self._claim_queue.awaiting(actor_for, now)

    def _claim_chain(self, found: Claim) -> RecordedChain:
        chain = claim_chain_of(found, self.rulebook.claims)
        assert chain is not None  # the queue lists only claims with a chain to pass
        return chain

    @_reads
    def check_backfill(
        self,
        source: str | Path | bytes,
        actor: Actor,
        progress: Callable[[int], object] | None = None,
    ) -> TemplateCheck:
        """Every row error of a filled 附件4 template (001 第三条 名单导入); nothing is stored.

        A row's 学号 is found only when ``actor`` may read that student; any other reads as
        unknown, so nobody learns whether a 学号 exists. Only DomainErrors are raised (a file
        too large, not an xlsx, too long ...), whatever the file holds. ``progress`` is called
        with 1 per data row read.
        """
        from second_classroom import backfill  # openpyxl is loaded for template work only

        def lookup(given: str) -> StudentRecord | None:
            try:
                number = self._student_number(given)
            except DomainError:
                return None
            record = self._load.student(number)
            college = record.college if record is not None else None
            return record if visibility.may_read_student(actor, number, college) else None

        return backfill.check(source, self.rulebook, lookup, progress)

    @_reads
    def transcript(self, serial: str, actor: Actor) -> Transcript | None:
        """A transcript: its student's, their college admin's, operators'. Anyone else asks
        the 查证入口 (``verify_transcript``), which shows only what the document shows."""
        found = self._load.transcript(serial)
        allowed = (
            self._may_read_student(found.content.student_number, actor)
            if found is not None
            else visibility.is_operator(actor)
        )
        visibility.require_read(allowed, "成绩单 transcript")
        return found

    @_reads
    def transcript_document(self, serial: str, actor: Actor) -> dict[str, Any] | None:
        """The transcript as a signed JSON document: its content and its proof."""
        found = self.transcript(serial, actor)
        if found is None:
            return None
        return signed_document(content_json(found.content), found.key_id, found.signature)

    @_reads
    def transcript_pdf(
        self, serial: str, actor: Actor, verify_url: str, photo: bytes | None = None
    ) -> bytes | None:
        """The printable transcript (线下打印) carrying its signed JSON document as an attached
        file; ``verify_url`` is your 查证入口's address, ``photo`` an optional ID photo (PNG or
        JPEG, seed 000 第六条)."""
        document = self.transcript_document(serial, actor)
        found = self._load.transcript(serial) if document is not None else None
        if found is None:
            return None
        seal = self.rulebook.seal_image()
        return exports.transcript_pdf(found.content, verify_url, document, photo, seal)

    @_reads
    def transcript_credential(
        self, serial: str, actor: Actor, verify_url: str
    ) -> dict[str, Any] | None:
        """The transcript as a signed Open Badges 3.0 AchievementCredential (VC 2.0), signed
        with the current key (which must be published and not retired)."""
        found = self.transcript(serial, actor)
        keyring = self.keyring
        if found is None or keyring is None:
            return None
        transcript_module.require_signing_key(keyring, self.school_keys())
        index = self._register.index(found.serial)
        return exports.achievement_credential(found, keyring, verify_url, index)

    @_reads
    def status_list_credential(self, now: datetime) -> dict[str, Any] | None:
        """The school's signed revocation list (W3C Bitstring Status List), public like the
        keys: the bit of every revoked or superseded transcript is set, so a verifier holding
        a credential and this list can tell offline (``exports.revoked_by``). None without a
        signing key."""
        with self._first_use_at(require_aware(now)):
            keyring = self.keyring
        if keyring is None:
            return None
        transcript_module.require_signing_key(keyring, self.school_keys())
        revoked = self._register.withdrawn()
        return exports.status_list_credential(self.rulebook.school, revoked, keyring, now)

    # -- 电子证书 (002 二 8)): 电子奖状、电子志愿时卡、电子聘书、电子荣誉证书 --------------------

    @_reads
    def certificate(self, serial: str, actor: Actor) -> Certificate | None:
        """A certificate: its student's, their college admin's, operators'. Anyone else asks
        the 查证入口, which shows only what the certificate shows."""
        found = self._load.certificate(serial)
        allowed = (
            self._may_read_student(found.content.student_number, actor)
            if found is not None
            else visibility.is_operator(actor)
        )
        visibility.require_read(allowed, "电子证书 certificate")
        return found

    @_reads
    def certificate_document(self, serial: str, actor: Actor) -> dict[str, Any] | None:
        """The certificate as a signed JSON document: its content and its proof."""
        found = self.certificate(serial, actor)
        if found is None:
            return None
        return signed_document(
            certificate_module.content_json(found.content), found.key_id, found.signature
        )

    @_reads
    def certificate_pdf(self, serial: str, actor: Actor, verify_url: str) -> bytes | None:
        """The printable certificate carrying its signed JSON document as an attached file."""
        from second_classroom import pdf

        document = self.certificate_document(serial, actor)
        found = self._load.certificate(serial) if document is not None else None
        if found is None:
            return None
        return pdf.render_certificate(
            found.content, verify_url, document, self.rulebook.seal_image()
        )

    @_reads
    def certificate_credential(
        self, serial: str, actor: Actor, verify_url: str
    ) -> dict[str, Any] | None:
        """The certificate as a signed Open Badges 3.0 AchievementCredential, with its bit in
        the school's revocation list."""
        found = self.certificate(serial, actor)
        keyring = self.keyring
        if found is None or keyring is None:
            return None
        transcript_module.require_signing_key(keyring, self.school_keys())
        index = self._register.index(found.serial)
        return exports.certificate_credential(found, keyring, verify_url, index)

    # -- 查证入口: public, answers from the log alone (the published keys, the register) --------

    @_reads
    def verify_credential(self, credential: object) -> Verification:
        """Check a credential: its shape, that a key the school published signed it, that
        every claim is what the register holds, then the transcript's or certificate's standing."""
        return verification.verify_credential(credential, self.school_keys(), self._lookups)

    @_reads
    def verify_transcript(self, serial_or_document: object) -> Verification:
        """查证入口 (第四条): by serial, or a document a student handed over (as JSON: any key
        order, whitespace or round trip), a transcript's or a certificate's. Anything else
        answers ``malformed``; never raises."""
        if isinstance(serial_or_document, str):
            return verification.verify_serial(serial_or_document, self.school_keys(), self._lookups)
        if isinstance(serial_or_document, Mapping):
            return verification.verify_document(
                serial_or_document, self.school_keys(), self._lookups
            )
        return verification.malformed("不是成绩单编号或成绩单文件")

    @_reads
    def verify_pdf(self, data: bytes) -> Verification:
        """查证 a transcript or certificate PDF offline: the signed document it carries must
        verify, and every page must show exactly what that signed content prints as (an edited
        total fails though the serial is real). Never raises."""
        return verification.verify_pdf(data, self.school_keys(), self._lookups)

    @_reads
    def student_as_of(
        self, student_number: str, actor: Actor, when: datetime
    ) -> StudentRecord | None:
        """The student record as it stood at ``when``, replayed from the log (as-of query)."""
        moment = require_aware(when)
        student_number = self._require_student(student_number, actor, "学生档案 student record")
        history = self._load.history(ids.student_id(student_number))
        return student.DECIDER.fold(e.payload for e in history if e.timestamp <= moment)

    @_reads
    def integrity_as_of(
        self, student_number: str, actor: Actor, when: datetime
    ) -> IntegrityReport | None:
        """诚信分 and blacklist as they stood at ``when``."""
        record = self.student_as_of(student_number, actor, when)
        if record is None:
            return None
        return IntegrityReport.of(record, self.rulebook.integrity)

    @_reads
    def growth_timeline(
        self,
        student_number: str,
        actor: Actor,
        now: datetime,
        as_of: datetime | None = None,
    ) -> growth.GrowthTimeline | None:
        """成长档案 (004 三（二）): the student's timeline from enrolment as it stood at ``as_of``
        (default ``now``; the time comes in as data, as for every read). The student, their
        college's admin and operators read it; a person the student shared it with reads it
        within the grant's window, and that view is recorded on the share stream
        (``ViewGrowthTimeline``) for the student to see. Everyone else: ``auth.forbidden``."""
        moment = require_aware(now)
        number = self._student_number(student_number)
        wanted = min(require_aware(as_of), moment) if as_of is not None else moment
        if not self._may_read_student(number, actor):
            # A grantee: the decider refuses with auth.forbidden unless a grant is current.
            self.execute(ViewGrowthTimeline(number, wanted), actor, moment)
        return growth.timeline(self._load.history(ids.student_id(number)), wanted)

    @_reads
    def growth_share(self, student_number: str, actor: Actor) -> GrowthShare | None:
        """Whom the student shares their 成长档案 with, until when, and who viewed it when:
        the student's own, their college admin's, operators'."""
        number = self._require_student(student_number, actor, "成长档案分享 growth shares")
        return self.app.find(GROWTH_SHARE_DECIDER, growth_share_id(number))

    @_reads
    def graduation_shortfall(
        self, actor: Actor, *, college: str | None = None, cohort: int | None = None
    ) -> list[report_exports.Shortfall]:
        """毕业要求 (seed 003): every student of ``college`` (and ``cohort``) below a credit
        requirement of the rulebook's ``[graduation]``, with what is missing: one college's
        (its admin's), or every college's (operators')."""
        visibility.require_read(
            visibility.may_read_college(actor, college), "毕业学分差额 shortfall"
        )
        self.views.catch_up()
        requirements = self.rulebook.graduation.requirements
        return report_exports.graduation_shortfall(
            self.views.database, requirements, college, cohort
        )

    @_reads
    def report_files(
        self, month: str, actor: Actor, now: datetime, college: str | None = None
    ) -> ReportFiles:
        """学院月报 for ``month`` as files (xlsx, CSV, the chart as PNG and SVG), stamped with
        ``now``: one college's (its admin's), or every college's (school admins'). The chart
        needs the ``[reports]`` extra (``config.extra_missing`` without it)."""
        moment = require_aware(now)
        visibility.require_read(visibility.may_read_college(actor, college), "学院月报 report")
        report_submission.require_month(month)  # it names the workbook's sheet too
        self.views.catch_up()
        database = self.views.database
        rows = report_exports.monthly_report(database, month, college)
        names = report_exports.Names(
            self.rulebook.school,
            {c.code: c.name for c in self.rulebook.colleges},
            {m.code: m.name for m in self.rulebook.modules},
        )
        png, svg = report_exports.participation_chart(database, names, college=college)
        return ReportFiles(
            report_exports.to_xlsx(rows, month, names, moment),
            report_exports.to_csv(rows, names),
            png,
            svg,
        )

    @_reads
    def enrolment(self, activity_id: UUID, student_number: str, actor: Actor) -> Enrolment | None:
        """One registration: the student's, or the activity's managers' and admins'.

        The answers to the form's questions (002 二 6) are personal data: the student and the
        roster's readers see them; another reader of the student (their college's admin for an
        activity of another college) sees the registration without them."""
        student_number = self._student_number(student_number)
        roster_reader = self._may_read_activity(actor, self._load.activity(activity_id))
        allowed = roster_reader or self._may_read_student(student_number, actor)
        visibility.require_read(allowed, "报名 enrolment")
        found = self._load.enrolment(activity_id, student_number)
        if found is not None and not roster_reader and actor.person_id != student_number:
            found = attrs.evolve(found, answers=())
        return found

    @_reads
    def tribe(self, tribe_id: UUID, actor: Actor) -> Tribe | None:
        """A tribe (members, applicants, roles): its leaders, admins, organizers; admins."""
        found = self._load.tribe(tribe_id)
        visibility.require_read(self._may_read_tribe(actor, tribe_id, found), "部落 tribe")
        return found

    @_reads
    def cadre_round(self, tribe_id: UUID, term: str, actor: Actor) -> CadreRound | None:
        """An organization's cadre round for a term (appointments, ratings): the tribe's
        leaders, admins and organizers, its college's admin and operators, as the tribe."""
        found = self._load.tribe(tribe_id)
        visibility.require_read(self._may_read_tribe(actor, tribe_id, found), "干部考核 cadres")
        return self.app.find(cadre.DECIDER, ids.cadre_round_id(tribe_id, term))

    @_reads
    def practice(self, practice_id: UUID, actor: Actor) -> practice_module.Practice | None:
        """A recorded practice team (002 一 4)): its recorder (the college's admin, or the
        recording tribe's leaders and admins) and operators; a member reads it in their record.
        An id that names no team: operators only, as an unknown activity."""
        found = self.app.find(practice_module.DECIDER, practice_id)
        visibility.require_read(self._may_read_practice(actor, found), "实践经历 practice")
        return found

    def _may_read_practice(self, actor: Actor, found: practice_module.Practice | None) -> bool:
        tribe_id = found.tribe_id if found is not None else None
        tribe = self._load.tribe(tribe_id) if tribe_id is not None else None
        return read_rules.may_read_practice(actor, found, tribe)

    @_reads
    def student(self, student_number: str, actor: Actor) -> StudentRecord | None:
        """A student record: the student's own, their college admin's, operators'."""
        student_number = self._require_student(student_number, actor, "学生档案 student record")
        return self._load.student(student_number)

    @_reads
    def activity(self, activity_id: UUID, actor: Actor) -> Activity | None:
        """An activity with its roster, attendance and results: its managers' and admins'.
        Everyone else reads the board (``activity_board``) and the phase."""
        found = self._load.activity(activity_id)
        visibility.require_read(self._may_read_activity(actor, found), "活动详情 activity")
        return found

    @_reads
    def phase(self, activity_id: UUID, actor: Actor, now: datetime) -> Phase | None:
        """规划中 … 已结束 of a published activity: public to anyone signed in. A draft or an
        activity under review is the same ``None`` as no activity at all, except to those who
        may read it (its managers, its college's admin, operators), as on the board."""
        visibility.require_read(visibility.is_signed_in(actor), "活动阶段 phase")
        found = self._load.activity(activity_id)
        if found is None:
            return None
        published = found.status.value in queries.PUBLISHED
        if not published and not self._may_read_activity(actor, found):
            return None
        return activity.phase(found, require_aware(now))

    @_reads
    def history(self, stream: UUID, actor: Actor) -> Sequence[Envelope]:
        """Every stored event of a stream: operators only (events name everyone involved)."""
        visibility.require_read(visibility.is_operator(actor), "事件流 event stream")
        return self._load.history(stream)

    # -- listings over the SQL views: filters, a limit and a cursor; never a whole table -----

    @_reads
    def student_summary(
        self, student_number: str, actor: Actor
    ) -> queries.StudentSummaryRow | None:
        """A student's counts and credits (the view's row)."""
        student_number = self._require_student(student_number, actor, "学生概况 student summary")
        return self.views.student_summary(student_number)

    @_reads
    def activity_board(
        self,
        actor: Actor,
        *,
        activity_id: UUID | None = None,
        college: str | None = None,
        host_tribe: str | None = None,
        status: str | None = None,
        module: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.BoardRow]:
        """活动看板: published activities to anyone signed in; drafts and reviews too to the
        admin of the ``college`` asked for, and to operators."""
        visibility.require_read(visibility.is_signed_in(actor), "活动看板 activity board")
        return self.views.activity_board(
            str(activity_id) if activity_id is not None else None,
            college=college,
            host_tribe=host_tribe,
            status=status,
            module=module,
            published_only=not visibility.may_read_college(actor, college),
            limit=limit,
            cursor=cursor,
        )

    @_reads
    def leaderboard(
        self,
        actor: Actor,
        by: str = "college",
        module: str | None = None,
        *,
        college: str | None = None,
        limit: int = 10,
        cursor: str | None = None,
        credit_type: str | None = None,
    ) -> queries.Page[queries.LeaderboardRow]:
        """排行榜 of one credit type (default: the rulebook's first; types are never added
        together) by college or cohort (anyone signed in), or by student (names students: the
        admin of ``college``, operators)."""
        if by == "student":
            allowed = visibility.may_read_college(actor, college)
        else:
            allowed = visibility.is_signed_in(actor)
        visibility.require_read(allowed, "排行榜 leaderboard")
        kind = credit_type if credit_type is not None else self.rulebook.credit_types[0]
        # An unknown type, module or college is a mistake, not an empty ranking.
        # The value is not echoed: it may be junk (a lone surrogate, 10,000 characters).
        for name, known in (
            ("credit_type", kind in self.rulebook.credit_types),
            ("module", module is None or self.rulebook.module(module) is not None),
            ("college", college is None or self.rulebook.college(college) is not None),
        ):
            if not known:
                raise queries.INVALID_QUERY.error(reason=f"未知的 / unknown {name}")
        return self.views.leaderboard(
            by, module, limit, college=college, cursor=cursor, credit_type=kind
        )

    @_reads
    def audit_log(
        self,
        actor: Actor,
        *,
        stream: UUID | None = None,
        by: str | None = None,
        event: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.AuditRow]:
        """审计日志, in log order: operators only."""
        visibility.require_read(visibility.is_operator(actor), "审计日志 audit log")
        return self.views.audit_log(
            stream=str(stream) if stream is not None else None,
            actor=by,
            event=event,
            limit=limit,
            cursor=cursor,
        )

    @_reads
    def roster(
        self,
        activity_id: UUID,
        actor: Actor,
        *,
        status: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.RosterRow]:
        """名单: an activity's registrations, for its managers and admins."""
        allowed = self._may_read_activity(actor, self._load.activity(activity_id))
        visibility.require_read(allowed, "活动名单 roster")
        return self.views.roster(str(activity_id), status=status, limit=limit, cursor=cursor)

    @_reads
    def monthly_report(
        self,
        month: str,
        actor: Actor,
        *,
        college: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[MonthlyRow]:
        """学院月报 rows: one college's (its admin's), or every college's (school admins')."""
        visibility.require_read(visibility.may_read_college(actor, college), "学院月报 report")
        report_submission.require_month(month)
        return self.views.monthly_report(month, college=college, limit=limit, cursor=cursor)

    @_reads
    def overdue_reports(
        self, month: str, actor: Actor, now: datetime
    ) -> list[report_submission.OverdueReport]:
        """学院月报 not submitted by the due day (002 一 5) 每月28日上报): each college that had
        not submitted ``month``'s report by the end of the rulebook's ``report_due_day``, with
        when it came if it came late; nothing before that day ends, or when no day is set.
        Operators (the 校团委 who collects them)."""
        visibility.require_read(visibility.is_operator(actor), "月报上报情况 report submissions")
        require_aware(now)
        day = self.rulebook.report_due_day
        first = report_submission.require_month(month)
        if day is None:
            return []
        due = report_submission.due_at(first, day)
        if now < due:
            return []
        found = []
        for college in self.rulebook.colleges:
            stream = ids.report_submission_id(college.code, month)
            submitted = self.app.find(report_submission.DECIDER, stream)
            if submitted is None or submitted.late:
                at = submitted.at if submitted is not None else None
                found.append(report_submission.OverdueReport(college.code, college.name, due, at))
        return found

    @_reads
    def advisor_workload(
        self,
        advisor: str,
        actor: Actor,
        *,
        college: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.AdvisorRow]:
        """指导老师工作量表 (002 二 3)): the approved activities ``advisor`` guided, with their
        participants and 学时 — the advisor's own, the activities of ``college`` to its admin,
        every one to operators."""
        # The advisor themself: the 工号 asked for, held with the 指导老师 role.
        own = actor.person_id == advisor and any(r.kind is RoleKind.ADVISOR for r in actor.roles)
        visibility.require_read(
            own or visibility.may_read_college(actor, college), "指导老师工作量 advisor workload"
        )
        return self.views.advisor_workload(
            advisor=advisor, college=college, limit=limit, cursor=cursor
        )

    @_reads
    def organizer_workload(
        self, actor: Actor, *, limit: int = queries.DEFAULT_LIMIT, cursor: str | None = None
    ) -> queries.Page[queries.WorkloadRow]:
        """组织者工作量, busiest first: operators only."""
        visibility.require_read(visibility.is_operator(actor), "工作量 workload")
        return self.views.organizer_workload(limit=limit, cursor=cursor)


def _recorded_keys(app: SecondClassroomApplication) -> SchoolKeys:
    return app.load(school_keys.DECIDER, ids.school_keys_id()).state or SchoolKeys()


__all__ = [
    "CheckInCode",
    "DrawRecord",
    "IntegrityReport",
    "Outcome",
    "ReportFiles",
    "SecondClassroom",
    "Verification",
    "VerificationStatus",
]
