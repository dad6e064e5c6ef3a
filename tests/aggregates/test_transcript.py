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
from second_classroom.aggregates.activity_record import ActivityRecord
from second_classroom.aggregates.backfill_record import BackfillRecord
from second_classroom.aggregates.cadre_record import CadreRecord
from second_classroom.aggregates.school_keys import PublishedKey, SchoolKeys
from second_classroom.aggregates.student import StudentRecord
from second_classroom.aggregates.transcript import (
    Content,
    IssueTranscript,
    Layout,
    Line,
    RevokeTranscript,
    Section,
    Status,
    Total,
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
from second_classroom.core.terms import (
    ActivityLevel,
    AttendanceOutcome,
    CadrePosition,
    CadreRating,
    Program,
)
from second_classroom.policies import serials
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import preset
from second_classroom.policies.signing import Keyring, verify
from tests.aggregates.activity_fixtures import record
from tests.specification import NEPU, NOW, SCHOOL_ADMIN, at, context

STUDENT = "2023020201"
STARTS = at(12, 3, 14)


def entry(outcome: AttendanceOutcome | None, *, credit: str | None = None) -> ActivityRecord:
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


ATTENDED = entry(AttendanceOutcome.ATTENDED, credit="0.5")
NO_SHOW = entry(AttendanceOutcome.NO_SHOW)
SIGNED_OFF = entry(AttendanceOutcome.SIGNED_OFF)
EXCUSED = entry(AttendanceOutcome.EXCUSED)
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


@pytest.mark.parametrize(
    "outcome", [AttendanceOutcome.NO_SHOW, AttendanceOutcome.SIGNED_OFF, AttendanceOutcome.EXCUSED]
)
def test_an_activity_not_taken_part_in_cannot_be_chosen_for_the_record_version(
    outcome: AttendanceOutcome,
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


# -- what a transcript lists, line by line (第二十条; seed 002 二 2)、4); seed 001 补录) -----------
#
# 合肥工业大学 (seed 002) lists its 学期 and asks for the three styles (基于评价方式、学期学年、活动
# 分类); its cadre module is 党团学干部经历 (一 3)). Times are stored in UTC: a line's date and its
# 学期 are Shanghai's, so several of these fall on another day in UTC.

HFUT = preset("hfut")
GRADUATE_NUMBER = "2023217001"


def activity(
    n: int,
    title: str,
    module: str,
    level: str,
    starts: datetime,
    outcome: AttendanceOutcome | None = AttendanceOutcome.ATTENDED,
    awards: tuple[str, ...] = (),
    credits: tuple[tuple[str, str, str], ...] = (),
    hours: str = "2.00",
) -> ActivityRecord:
    return ActivityRecord(
        UUID(int=n),
        title,
        module,
        level,
        starts,
        starts + timedelta(hours=2),
        Decimal(hours),
        outcome,
        awards,
        tuple(PlannedCredit(m, t, Decimal(a)) for m, t, a in credits),
        starts + timedelta(days=3),
    )


WIN = activity(
    1,
    "挑战杯校赛",
    "competition",
    ActivityLevel.SCHOOL,
    datetime(2026, 11, 9, 1, 0, tzinfo=UTC),
    awards=("一等奖",),
    credits=(("competition", "积分", "3"),),
    hours="4.00",
)
EARLY = activity(
    2,
    "数学建模院赛",
    "competition",
    ActivityLevel.COLLEGE,
    datetime(2026, 9, 20, 2, 0, tzinfo=UTC),
    credits=(("competition", "积分", "1"),),
)
LECTURE = activity(
    3,
    "报告讲座：科研诚信",
    "lecture",
    ActivityLevel.COLLEGE,
    datetime(2026, 10, 15, 23, 30, tzinfo=UTC),  # 2026-10-16 07:30 in Shanghai
    credits=(("lecture", "积分", "0.5"),),
    hours="1.50",
)
VOLUNTEER = activity(
    4,
    "社区志愿服务",
    "volunteering",
    ActivityLevel.CLASS,
    datetime(2026, 8, 30, 16, 30, tzinfo=UTC),  # 2026-08-31 00:30: the first day of a listed term
    credits=(("volunteering", "积分", "1"), ("volunteering", "志愿时", "4")),
)
READING = activity(  # taken part in, no credit: a participation record only
    5, "读书分享会", "lecture", ActivityLevel.COLLEGE, datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
)
OLD = activity(  # a module and a level the school no longer has; no attendance was taken
    6,
    "旧类别活动",
    "retired_kind",
    "provincial",
    datetime(2026, 5, 20, 2, 0, tzinfo=UTC),
    outcome=None,
    credits=(("retired_kind", "积分", "0.5"),),
)
MISSED = activity(
    7,
    "缺席的讲座",
    "lecture",
    ActivityLevel.SCHOOL,
    datetime(2026, 10, 22, 11, 0, tzinfo=UTC),
    outcome=AttendanceOutcome.NO_SHOW,
)
SUMMER = BackfillRecord(  # 001 第二、三条 集体活动积分补录: one claim, credits in two modules
    UUID(int=11),
    ClaimKind.COLLECTIVE,
    "2026暑期社会实践（补录）",
    (
        PlannedCredit("practice", "积分", Decimal("2")),
        PlannedCredit("volunteering", "志愿时", Decimal("6")),
        PlannedCredit("practice", "学时", Decimal("16")),
    ),
    datetime(2026, 8, 30, 17, 0, tzinfo=UTC),  # 2026-08-31 01:00 in Shanghai
)
LEGACY = BackfillRecord(  # 001 第五、六条 个人成长积分补录, in a module the school dropped
    UUID(int=12),
    ClaimKind.PERSONAL,
    "省级竞赛获奖补录",
    (PlannedCredit("legacy_code", "积分", Decimal("1")),),
    datetime(2026, 3, 10, 2, 0, tzinfo=UTC),
)
NOTHING = BackfillRecord(  # confirmed, but it carries no credit
    UUID(int=13), ClaimKind.PERSONAL, "无积分补录", (), datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
)
RATED = CadreRecord(  # 002 一 3) 党团学干部经历, rated 优秀 at the term's end
    UUID(int=21),
    UUID(int=31),
    "计算机与信息学院团委",
    "2025-2026学年",
    "cadre",
    CadrePosition.LEAGUE_CADRE,
    "组织委员",
    datetime(2025, 8, 31, 16, 0, tzinfo=UTC),  # 2025-09-01 00:00 in Shanghai
    datetime(2026, 6, 30, 16, 30, tzinfo=UTC),  # 2026-07-01 00:30 in Shanghai
    False,
    CadreRating.EXCELLENT,
    (PlannedCredit("cadre", "积分", Decimal("2")),),
    datetime(2026, 7, 2, 2, 0, tzinfo=UTC),
)
MONITOR = CadreRecord(  # rated under a rulebook without a cadre module; no credit
    UUID(int=22),
    UUID(int=32),
    "计算机23-1班",
    "2026-2027学年",
    "",
    CadrePosition.CLASS_COMMITTEE,
    "班长",
    datetime(2026, 8, 30, 16, 0, tzinfo=UTC),  # 2026-08-31 in Shanghai: a listed term's first day
    datetime(2027, 7, 10, 16, 0, tzinfo=UTC),  # 2027-07-11 in Shanghai
    False,
    CadreRating.COMPETENT,
    (),
    datetime(2027, 7, 12, 2, 0, tzinfo=UTC),
)
WANG = StudentRecord(
    ids.student_id(GRADUATE_NUMBER),
    GRADUATE_NUMBER,
    "王芳",
    "JS",
    "计科23-2班",
    2023,
    Program.UNDERGRADUATE,
    # out of order on purpose: the transcript orders each section by date
    activities=(WIN, MISSED, READING, OLD, VOLUNTEER, LECTURE, EARLY),
    backfills=(SUMMER, NOTHING, LEGACY),
    cadre_terms=(MONITOR, RATED),
)
ISSUED_AT = at(12, 5)


def wang(command: IssueTranscript, record_: StudentRecord = WANG) -> Content:
    return build_content(command, record_, "HF01", HFUT, ISSUED_AT)


def ids_of(section: Section) -> list[UUID]:
    return [line.activity_id for line in section.lines]


L_WIN = Line(
    WIN.activity_id,
    "挑战杯校赛",
    "2026-11-09",
    "竞赛活动",
    "校级",
    Decimal("4.00"),
    "已参加",
    ("一等奖",),
    (("积分", Decimal("3")),),
)
L_EARLY = Line(
    EARLY.activity_id,
    "数学建模院赛",
    "2026-09-20",
    "竞赛活动",
    "院系级",
    Decimal("2.00"),
    "已参加",
    (),
    (("积分", Decimal("1")),),
)
L_LECTURE = Line(
    LECTURE.activity_id,
    "报告讲座：科研诚信",
    "2026-10-16",
    "报告讲座",
    "院系级",
    Decimal("1.50"),
    "已参加",
    (),
    (("积分", Decimal("0.5")),),
)
L_VOLUNTEER = Line(
    VOLUNTEER.activity_id,
    "社区志愿服务",
    "2026-08-31",
    "志愿服务",
    "班团",
    Decimal("2.00"),
    "已参加",
    (),
    (("积分", Decimal("1")), ("志愿时", Decimal("4"))),
)
L_READING = Line(
    READING.activity_id,
    "读书分享会",
    "2026-10-20",
    "报告讲座",
    "院系级",
    Decimal("2.00"),
    "已参加",
    (),
    (),
)
L_OLD = Line(  # the module's and level's codes, as kept; no outcome
    OLD.activity_id,
    "旧类别活动",
    "2026-05-20",
    "retired_kind",
    "provincial",
    Decimal("2.00"),
    "",
    (),
    (("积分", Decimal("0.5")),),
)
# a 补录 claim: one line per module, its credits in the claim's order, dated when confirmed
L_SUMMER_PRACTICE = Line(
    SUMMER.claim_id,
    "2026暑期社会实践（补录）",
    "2026-08-31",
    "实践及培训经历",
    "",
    Decimal(0),
    "补录",
    (),
    (("积分", Decimal("2")), ("学时", Decimal("16"))),
    source="backfill",
)
L_SUMMER_VOLUNTEERING = attrs.evolve(
    L_SUMMER_PRACTICE, module="志愿服务", credits=(("志愿时", Decimal("6")),)
)
L_LEGACY = Line(
    LEGACY.claim_id,
    "省级竞赛获奖补录",
    "2026-03-10",
    "legacy_code",
    "",
    Decimal(0),
    "补录",
    (),
    (("积分", Decimal("1")),),
    source="backfill",
)
# a cadre term (工作履历): organization, post, position and term; the dates; the rating
L_RATED = Line(
    RATED.round_id,
    "计算机与信息学院团委 组织委员（团学干部，2025-2026学年）",
    "2025-09-01至2026-07-01",
    "党团学干部经历",
    "",
    Decimal(0),
    "优秀",
    (),
    (("积分", Decimal("2")),),
    source="cadre",
)
L_MONITOR = Line(
    MONITOR.round_id,
    "计算机23-1班 班长（班委，2026-2027学年）",
    "2026-08-31至2027-07-11",
    "工作履历",
    "",
    Decimal(0),
    "称职",
    (),
    (),
    source="cadre",
)
# per (module code, credit type), in that order, named by the module's name where it has one
CREDIT_TOTALS = (
    Total("党团学干部经历", "积分", Decimal("2")),
    Total("竞赛活动", "积分", Decimal("4")),
    Total("报告讲座", "积分", Decimal("0.5")),
    Total("legacy_code", "积分", Decimal("1")),
    Total("实践及培训经历", "学时", Decimal("16")),
    Total("实践及培训经历", "积分", Decimal("2")),
    Total("retired_kind", "积分", Decimal("0.5")),
    Total("志愿服务", "志愿时", Decimal("10")),
    Total("志愿服务", "积分", Decimal("1")),
)


def test_a_credit_version_by_module_lists_every_credit_line_under_its_module() -> None:
    """Given activities, two 补录 claims (one in two modules, one in a dropped module), a claim
    without credits and two cadre terms (one without credits), when a 学分版 按模块 of all
    records is issued, then each module the school lists is a section in the rulebook's order
    (those it no longer lists after them, by code), each section's lines by date, and the totals
    per module and credit type add the activities, the 补录 claims and the cadre terms."""
    assert wang(IssueTranscript(GRADUATE_NUMBER)) == Content(
        "合肥工业大学",
        "HF01",
        Version.CREDIT,
        Layout.MODULE,
        GRADUATE_NUMBER,
        "王芳",
        "计算机与信息学院",
        "计科23-2班",
        2023,
        "本科",
        (
            Section("竞赛活动", (L_EARLY, L_WIN)),
            Section("志愿服务", (L_VOLUNTEER, L_SUMMER_VOLUNTEERING)),
            Section("报告讲座", (L_LECTURE,)),
            Section("实践及培训经历", (L_SUMMER_PRACTICE,)),
            Section("党团学干部经历", (L_RATED,)),
            Section("legacy_code", (L_LEGACY,)),
            Section("retired_kind", (L_OLD,)),
        ),
        CREDIT_TOTALS,
        ISSUED_AT,
    )


def test_a_record_version_by_module_adds_what_carries_no_credit() -> None:
    """Given the same records, when a 记录版 按模块 is issued, then it adds the activity taken
    part in without credit and the cadre term without credit (under 工作履历: its rulebook named
    no cadre module), still leaves out the no-show and the claim without credits, and its totals
    are the same."""
    content = wang(IssueTranscript(GRADUATE_NUMBER, Version.RECORD))
    assert content.sections == (
        Section("竞赛活动", (L_EARLY, L_WIN)),
        Section("志愿服务", (L_VOLUNTEER, L_SUMMER_VOLUNTEERING)),
        Section("报告讲座", (L_LECTURE, L_READING)),
        Section("实践及培训经历", (L_SUMMER_PRACTICE,)),
        Section("党团学干部经历", (L_RATED,)),
        Section("legacy_code", (L_LEGACY,)),
        Section("retired_kind", (L_OLD,)),
        Section("工作履历", (L_MONITOR,)),
    )
    assert content.totals == CREDIT_TOTALS
    assert (content.version, content.layout) == (Version.RECORD, Layout.MODULE)


def test_by_term_each_record_is_under_the_listed_term_of_its_shanghai_day() -> None:
    """Seed 002 二 4) 学期学年: given the school's listed terms, when a 记录版 按学期 is issued,
    then a record on a listed term's day (in Shanghai) is under that term's name, one on another
    day under the September–February / March–August 学期 it falls in; the terms sort by name
    and each term's lines by date, whatever their source."""
    content = wang(IssueTranscript(GRADUATE_NUMBER, Version.RECORD, Layout.TERM))
    assert [(s.heading, ids_of(s)) for s in content.sections] == [
        ("2025-2026学年第一学期", [RATED.round_id]),
        ("2025-2026学年第二学期", [LEGACY.claim_id, OLD.activity_id]),
        (
            "2026-2027学年第一学期",
            [
                MONITOR.round_id,
                VOLUNTEER.activity_id,
                SUMMER.claim_id,
                SUMMER.claim_id,
                EARLY.activity_id,
                LECTURE.activity_id,
                READING.activity_id,
                WIN.activity_id,
            ],
        ),
    ]
    # the lines are the same lines as by module: only the headings differ
    first = content.sections[2].lines
    assert first[:4] == (L_MONITOR, L_VOLUNTEER, L_SUMMER_PRACTICE, L_SUMMER_VOLUNTEERING)
    assert content.totals == CREDIT_TOTALS


def test_by_term_without_listed_terms_every_record_falls_in_its_half_year() -> None:
    """Given a school that lists no terms (seed 000's), when a 学分版 按学期 is issued, then the
    records on 2026-08-31 (Shanghai) are in 2025-2026's second 学期, not in a listed first."""
    no_terms = attrs.evolve(HFUT, terms=())
    command = IssueTranscript(GRADUATE_NUMBER, Version.CREDIT, Layout.TERM)
    content = build_content(command, WANG, "HF01", no_terms, ISSUED_AT)
    assert [(s.heading, ids_of(s)) for s in content.sections] == [
        ("2025-2026学年第一学期", [RATED.round_id]),
        (
            "2025-2026学年第二学期",
            [
                LEGACY.claim_id,
                OLD.activity_id,
                VOLUNTEER.activity_id,
                SUMMER.claim_id,
                SUMMER.claim_id,
            ],
        ),
        ("2026-2027学年第一学期", [EARLY.activity_id, LECTURE.activity_id, WIN.activity_id]),
    ]


def test_by_method_records_are_grouped_by_how_they_were_earned() -> None:
    """Seed 002 二 4) 基于评价方式: given the same records, when a 记录版 按评价方式 is issued,
    then awards are under 获奖, other credit-bearing activities under 活动参与, activities
    without credit under 参与记录, 补录 claims under 补录 and cadre terms under 工作履历 (even
    one whose module the school lists); the headings sort by name."""
    content = wang(IssueTranscript(GRADUATE_NUMBER, Version.RECORD, Layout.METHOD))
    assert [(s.heading, ids_of(s)) for s in content.sections] == [
        ("参与记录", [READING.activity_id]),
        ("工作履历", [RATED.round_id, MONITOR.round_id]),
        (
            "活动参与",
            [OLD.activity_id, VOLUNTEER.activity_id, EARLY.activity_id, LECTURE.activity_id],
        ),
        ("获奖", [WIN.activity_id]),
        ("补录", [LEGACY.claim_id, SUMMER.claim_id, SUMMER.claim_id]),
    ]
    assert content.sections[1].lines == (L_RATED, L_MONITOR)
    assert content.sections[4].lines == (L_LEGACY, L_SUMMER_PRACTICE, L_SUMMER_VOLUNTEERING)
    assert content.layout is Layout.METHOD


def test_chosen_records_of_every_source_are_listed_once_each() -> None:
    """第二十条 可以选择部分或所有活动记录: given the ids of a cadre round, a 补录 claim and an
    activity (one of them twice), when a 学分版 is issued from them, then exactly those are
    listed, once each, and the totals are theirs alone."""
    chosen = (RATED.round_id, SUMMER.claim_id, LECTURE.activity_id, LECTURE.activity_id)
    content = wang(IssueTranscript(GRADUATE_NUMBER, activity_ids=chosen))
    assert content.sections == (
        Section("志愿服务", (L_SUMMER_VOLUNTEERING,)),
        Section("报告讲座", (L_LECTURE,)),
        Section("实践及培训经历", (L_SUMMER_PRACTICE,)),
        Section("党团学干部经历", (L_RATED,)),
    )
    assert content.totals == (
        Total("党团学干部经历", "积分", Decimal("2")),
        Total("报告讲座", "积分", Decimal("0.5")),
        Total("实践及培训经历", "学时", Decimal("16")),
        Total("实践及培训经历", "积分", Decimal("2")),
        Total("志愿服务", "志愿时", Decimal("6")),
    )


def test_a_chosen_record_without_credits_is_on_the_record_version_only() -> None:
    """Given a chosen activity without credit and a chosen cadre term without credit, when a
    记录版 is issued they are listed; when a 学分版 is, there is nothing to print."""
    chosen = (READING.activity_id, MONITOR.round_id)
    content = wang(IssueTranscript(GRADUATE_NUMBER, Version.RECORD, activity_ids=chosen))
    assert content.sections == (
        Section("报告讲座", (L_READING,)),
        Section("工作履历", (L_MONITOR,)),
    )
    assert content.totals == ()
    with pytest.raises(DomainError) as caught:
        wang(IssueTranscript(GRADUATE_NUMBER, Version.CREDIT, activity_ids=chosen))
    assert caught.value.code == transcript.EMPTY.code


@pytest.mark.parametrize("version", [Version.CREDIT, Version.RECORD])
def test_a_claim_without_credits_alone_is_nothing_to_print(version: Version) -> None:
    """A 补录 record is there for its credits: a confirmed claim without any prints nothing."""
    with pytest.raises(DomainError) as caught:
        wang(IssueTranscript(GRADUATE_NUMBER, version, activity_ids=(NOTHING.claim_id,)))
    assert (caught.value.code, caught.value.details) == ("transcript.empty", {})


def test_a_student_without_records_has_nothing_to_print() -> None:
    empty = attrs.evolve(WANG, activities=(MISSED,), backfills=(), cadre_terms=())
    for version in Version:
        with pytest.raises(DomainError) as caught:
            wang(IssueTranscript(GRADUATE_NUMBER, version), empty)
        assert caught.value.code == "transcript.empty"


def test_unknown_chosen_ids_are_named_in_the_order_chosen() -> None:
    """Given two ids that are no activity, claim or cadre round of the student, when chosen
    among known ones, then transcript.records_unknown names both, in the order chosen."""
    strangers = (UUID(int=99), UUID(int=98))
    command = IssueTranscript(
        GRADUATE_NUMBER, activity_ids=(strangers[0], WIN.activity_id, strangers[1])
    )
    with pytest.raises(DomainError) as caught:
        wang(command)
    assert (caught.value.code, caught.value.details) == (
        "transcript.records_unknown",
        {"activity_ids": f"{strangers[0]}、{strangers[1]}"},
    )


def test_a_record_version_chooses_claims_and_cadre_terms_whatever_their_attendance() -> None:
    """A 记录版 leaves out activities not taken part in; 补录 claims and cadre terms have no
    attendance and are chosen as they are."""
    chosen = (LEGACY.claim_id, RATED.round_id)
    content = wang(IssueTranscript(GRADUATE_NUMBER, Version.RECORD, activity_ids=chosen))
    assert [ids_of(s) for s in content.sections] == [[RATED.round_id], [LEGACY.claim_id]]


def test_a_college_the_school_no_longer_lists_prints_as_its_code() -> None:
    moved = attrs.evolve(WANG, college="OLD")
    assert wang(IssueTranscript(GRADUATE_NUMBER), moved).college == "OLD"


def test_a_graduate_students_transcript_is_the_graduate_one() -> None:
    """Seed 002 二 2) 开通研究生“第二课堂成绩单”: the program is on the content and names
    the document's heading."""
    graduate = wang(IssueTranscript(GRADUATE_NUMBER), attrs.evolve(WANG, program=Program.GRADUATE))
    assert graduate.program == "研究生"
    assert transcript.heading_of(graduate) == "研究生第二课堂成绩单"
    assert transcript.heading_of(wang(IssueTranscript(GRADUATE_NUMBER))) == "第二课堂成绩单"
    assert transcript.heading_for(Program.GRADUATE) == "研究生第二课堂成绩单"
    assert transcript.heading_for(Program.UNDERGRADUATE) == "第二课堂成绩单"


def test_the_signed_json_is_plain_json_and_leaves_out_an_activity_lines_source() -> None:
    """What the signature covers: lists, text and numbers as any JSON parser reads them; an
    activity line is signed without its ``source`` (as before 补录 lines existed), a 补录 or
    cadre line with it."""
    chosen = (LECTURE.activity_id, LEGACY.claim_id, RATED.round_id)
    content = wang(IssueTranscript(GRADUATE_NUMBER, activity_ids=chosen))
    line = {"awards": [], "hours": "0", "level": "", "title": ""}
    assert content_json(content) == {
        "school": "合肥工业大学",
        "serial": "HF01",
        "version": "credit",
        "layout": "module",
        "student_number": GRADUATE_NUMBER,
        "name": "王芳",
        "college": "计算机与信息学院",
        "class_name": "计科23-2班",
        "cohort": 2023,
        "program": "本科",
        "sections": [
            {
                "heading": "报告讲座",
                "lines": [
                    {
                        "activity_id": str(LECTURE.activity_id),
                        "title": "报告讲座：科研诚信",
                        "date": "2026-10-16",
                        "module": "报告讲座",
                        "level": "院系级",
                        "hours": "1.50",
                        "outcome": "已参加",
                        "awards": [],
                        "credits": [["积分", "0.5"]],
                    }
                ],
            },
            {
                "heading": "党团学干部经历",
                "lines": [
                    {
                        **line,
                        "activity_id": str(RATED.round_id),
                        "title": "计算机与信息学院团委 组织委员（团学干部，2025-2026学年）",
                        "date": "2025-09-01至2026-07-01",
                        "module": "党团学干部经历",
                        "outcome": "优秀",
                        "credits": [["积分", "2"]],
                        "source": "cadre",
                    }
                ],
            },
            {
                "heading": "legacy_code",
                "lines": [
                    {
                        **line,
                        "activity_id": str(LEGACY.claim_id),
                        "title": "省级竞赛获奖补录",
                        "date": "2026-03-10",
                        "module": "legacy_code",
                        "outcome": "补录",
                        "credits": [["积分", "1"]],
                        "source": "backfill",
                    }
                ],
            },
        ],
        "totals": [
            {"module": "党团学干部经历", "credit_type": "积分", "amount": "2"},
            {"module": "报告讲座", "credit_type": "积分", "amount": "0.5"},
            {"module": "legacy_code", "credit_type": "积分", "amount": "1"},
        ],
        "issued_at": "2026-12-05T09:00:00+08:00",
    }


def test_a_transcript_of_claims_alone_or_of_cadre_terms_alone_is_printed() -> None:
    """Given only a 补录 claim, or only a rated cadre term, chosen, when a 学分版 is issued,
    then it lists that one: either is a record of its own."""
    claim = wang(IssueTranscript(GRADUATE_NUMBER, activity_ids=(LEGACY.claim_id,)))
    assert claim.sections == (Section("legacy_code", (L_LEGACY,)),)
    term = wang(IssueTranscript(GRADUATE_NUMBER, activity_ids=(RATED.round_id,)))
    assert term.sections == (Section("党团学干部经历", (L_RATED,)),)
