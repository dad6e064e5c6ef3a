"""成绩单 content (第二十条): what a 记录版 transcript lists.

第二十条: 活动记录中包含所有参加过的活动 — the record version lists the activities a student took
part in. A no-show's activity stays in their student record (with its outcome) and the default
in the integrity record (第十六条), but it is not a participation record on the 记录版.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import attrs
import pytest

from second_classroom.aggregates import transcript
from second_classroom.aggregates.activity_attendance import Outcome
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.school_keys import PublishedKey, SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import (
    IssueTranscript,
    RevokeTranscript,
    Status,
    Transcript,
    TranscriptContext,
    TranscriptIssued,
    TranscriptRevoked,
    Version,
    build_content,
    content_json,
    serial_for,
    term_of,
    took_part,
    transcript_id,
)
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel
from second_classroom.policies import serials
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.signing import Keyring, verify
from tests.aggregates.activity_fixtures import record
from tests.specification import NEPU, NOW, SCHOOL_ADMIN, at, context

STUDENT = "2023020201"
STARTS = at(12, 3, 14)


def entry(outcome: Outcome | None, *, credit: str | None = None) -> ActivityRecord:
    credits = (PlannedCredit("skills", "学分", Decimal(credit)),) if credit else ()
    return ActivityRecord(
        uuid4(),
        f"活动 {outcome}",
        "skills",
        ActivityLevel.COLLEGE,
        STARTS,
        STARTS + timedelta(hours=2),
        Decimal("2.00"),
        outcome,
        (),
        credits,
        at(12, 4),
    )


ATTENDED = entry(Outcome.ATTENDED, credit="0.5")
NO_SHOW = entry(Outcome.NO_SHOW)
SIGNED_OFF = entry(Outcome.SIGNED_OFF)
EXCUSED = entry(Outcome.EXCUSED)
UNTAKEN = entry(None)  # no attendance was taken (a record without an outcome)
STUDENT_RECORD = attrs.evolve(
    record(STUDENT), activities=(ATTENDED, NO_SHOW, SIGNED_OFF, EXCUSED, UNTAKEN)
)


def listed(command: IssueTranscript) -> set[UUID]:
    content = build_content(command, STUDENT_RECORD, "S1", NEPU, at(12, 5))
    return {line.activity_id for section in content.sections for line in section.lines}


def test_a_record_version_lists_only_activities_taken_part_in() -> None:
    """Given a record with an attended, a no-show, a signed-off, an excused and an untaken
    activity, when a 记录版 of all records is issued, then it lists the attended and untaken."""
    assert listed(IssueTranscript(STUDENT, Version.RECORD)) == {
        ATTENDED.activity_id,
        UNTAKEN.activity_id,
    }


@pytest.mark.parametrize("outcome", [Outcome.NO_SHOW, Outcome.SIGNED_OFF, Outcome.EXCUSED])
def test_an_activity_not_taken_part_in_cannot_be_chosen_for_the_record_version(
    outcome: Outcome,
) -> None:
    """Given a no-show (or signed-off, excused) activity, when it is chosen for a 记录版, then
    transcript.records_unknown: it is no participation record."""
    chosen = {NO_SHOW, SIGNED_OFF, EXCUSED}
    (the_one,) = (e for e in chosen if e.outcome is outcome)
    command = IssueTranscript(STUDENT, Version.RECORD, activity_ids=(the_one.activity_id,))
    with pytest.raises(DomainError) as caught:
        listed(command)
    assert caught.value.code == "transcript.records_unknown"


def test_the_student_record_keeps_the_no_show_activity() -> None:
    """The no-show's entry stays in the student record; only the transcript leaves it out."""
    assert NO_SHOW in STUDENT_RECORD.activities
    assert not took_part(NO_SHOW)
    assert took_part(ATTENDED)
    assert took_part(UNTAKEN)


def test_the_credit_version_lists_credit_bearing_records_as_before() -> None:
    assert listed(IssueTranscript(STUDENT, Version.CREDIT)) == {ATTENDED.activity_id}


# -- the decider: issuing and revoking (第二十条) -------------------------------------------------

KEYS = Keyring.from_seed(bytes(range(32)))
OTHER = Keyring.from_seed(bytes(range(1, 33))).public_text
PUBLISHED = SchoolKeys(None, (PublishedKey(KEYS.key_id, KEYS.public_text, at(9, 1)),))
ME = Actor.student(STUDENT)


def issue_ctx(
    actor: Actor = ME,
    record_: StudentRecord | None = STUDENT_RECORD,
    keyring: Keyring | None = KEYS,
    keys: SchoolKeys | None = PUBLISHED,
) -> TranscriptContext:
    return TranscriptContext(context(actor, at(12, 5)), record_, keyring, keys)


def refused(command: object, state: Transcript | None, ctx: TranscriptContext) -> DomainError:
    with pytest.raises(DomainError) as caught:
        transcript.decide(command, state, ctx)  # type: ignore[arg-type]
    return caught.value


def test_the_student_issues_a_signed_transcript_under_their_next_serial() -> None:
    """第二十条: the transcript carries a serial for 查证 and the school's signature."""
    command = IssueTranscript(STUDENT, Version.RECORD)
    [issued] = transcript.decide(command, None, issue_ctx())
    serial = serial_for(STUDENT_RECORD, KEYS.private_seed)
    content = build_content(command, STUDENT_RECORD, serial, NEPU, at(12, 5))
    assert issued == TranscriptIssued(
        serial, content, KEYS.key_id, KEYS.sign(content_json(content)), at(12, 5)
    )
    assert verify(KEYS.public_key, content_json(content), issued.signature)
    assert transcript.evolve(None, issued) == Transcript(
        serial, content, KEYS.key_id, issued.signature
    )
    # the next one gets another serial: the count of transcripts issued is in the seed
    after = attrs.evolve(STUDENT_RECORD, transcripts_issued=1)
    assert serial_for(after, KEYS.private_seed) != serial
    assert serial_for(STUDENT_RECORD, bytes(32)) != serial  # keyed by the school's key


def test_issuing_is_refused_with_its_code_and_details() -> None:
    command = IssueTranscript(STUDENT)
    other = refused(command, None, issue_ctx(actor=Actor.student("2023020202")))
    assert (other.code, other.details) == (
        "auth.forbidden",
        {"action": "生成成绩单 issue transcript"},
    )
    assert refused(command, None, issue_ctx(record_=None)).code == transcript.NO_RECORD.code
    taken = Transcript(
        "S1", build_content(command, STUDENT_RECORD, "S1", NEPU, at(12, 5)), "k", "s"
    )
    assert refused(command, taken, issue_ctx()).code == transcript.SERIAL_TAKEN.code
    missing = refused(command, None, issue_ctx(keyring=None))
    assert missing.code == transcript.SIGNING_KEY_MISSING.code


def test_only_a_published_active_key_signs() -> None:
    """A transcript verifies from the log alone: its key is published there, not retired."""
    command = IssueTranscript(STUDENT)
    for keys in (None, SchoolKeys(), SchoolKeys(None, (PublishedKey(KEYS.key_id, OTHER, NOW),))):
        error = refused(command, None, issue_ctx(keys=keys))
        assert (error.code, error.details) == (
            transcript.SIGNING_KEY_UNPUBLISHED.code,
            {"key_id": KEYS.key_id},
        )
    retired = SchoolKeys(
        None, (PublishedKey(KEYS.key_id, KEYS.public_text, NOW, at(12, 1), "轮换"),)
    )
    error = refused(command, None, issue_ctx(keys=retired))
    assert (error.code, error.details) == (
        transcript.SIGNING_KEY_RETIRED.code,
        {"key_id": KEYS.key_id},
    )


ISSUED = Transcript(
    "S1", build_content(IssueTranscript(STUDENT), STUDENT_RECORD, "S1", NEPU, at(12, 5)), "k", "s"
)
ADMIN_CTX = TranscriptContext(context(SCHOOL_ADMIN, at(12, 6)), None, None)


def test_a_school_admin_revokes_or_supersedes_a_transcript() -> None:
    """第二十条: a transcript found wrong is revoked, or superseded by the corrected one."""
    newer = serials.make("1" * 64)
    spaced = f"{newer[:4]}-{newer[4:].lower()}"
    [superseded] = transcript.decide(RevokeTranscript("S1", "更正", spaced), ISSUED, ADMIN_CTX)
    assert superseded == TranscriptRevoked("S1", "更正", newer, SCHOOL_ADMIN.person_id, at(12, 6))
    assert transcript.evolve(ISSUED, superseded) == attrs.evolve(
        ISSUED, status=Status.SUPERSEDED, reason="更正", superseded_by=newer
    )
    [revoked] = transcript.decide(RevokeTranscript("S1", "伪造"), ISSUED, ADMIN_CTX)
    assert revoked == TranscriptRevoked("S1", "伪造", None, SCHOOL_ADMIN.person_id, at(12, 6))
    assert transcript.evolve(ISSUED, revoked).status is Status.REVOKED


def test_revoking_is_refused_with_its_code() -> None:
    revoke = RevokeTranscript("S1", "伪造")
    student = TranscriptContext(context(ME, at(12, 6)), None, None)
    forbidden = refused(revoke, ISSUED, student)
    assert (forbidden.code, forbidden.details) == (
        "auth.forbidden",
        {"action": "作废成绩单 revoke transcript"},
    )
    assert refused(revoke, None, ADMIN_CTX).code == transcript.NOT_FOUND.code
    gone = attrs.evolve(ISSUED, status=Status.REVOKED)
    assert refused(revoke, gone, ADMIN_CTX).code == transcript.ALREADY_REVOKED.code
    blank = refused(RevokeTranscript("S1", "  "), ISSUED, ADMIN_CTX)
    assert blank.code == transcript.REASON_REQUIRED.code
    no_serial = refused(RevokeTranscript("S1", "更正", "not a serial"), ISSUED, ADMIN_CTX)
    assert no_serial.code == transcript.NOT_FOUND.code


def test_a_transcript_is_found_by_its_serial() -> None:
    assert transcript_id("S1") == ids.derive("transcript", "S1")
    with pytest.raises(AssertionError, match=r"^unhandled command 'x'$"):
        transcript.decide("x", None, ADMIN_CTX)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match=r"^unhandled event 'x'$"):
        transcript.evolve(None, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("moment", "term"),
    [
        (at(9, 1, 0, 0), "2026-2027学年第一学期"),
        (at(12, 31), "2026-2027学年第一学期"),
        (at(1, 1, year=2027), "2026-2027学年第一学期"),
        (at(2, 28, 23, 59, year=2027), "2026-2027学年第一学期"),
        (at(3, 1, 0, 0, year=2027), "2026-2027学年第二学期"),
        (at(8, 31, 23, 59, year=2027), "2026-2027学年第二学期"),
    ],
)
def test_the_term_of_a_day_without_a_listed_term(moment: datetime, term: str) -> None:
    """学年学期: September–February the first semester, March–August the second (Shanghai)."""
    assert term_of(moment) == term
    assert term_of(moment.astimezone(UTC)) == term
