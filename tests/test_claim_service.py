"""补录 through the facade on every store (seed 001 第三条; seed 003 公示): JSON commands, the
tribe's roles read from its stream, a refused command storing nothing, and a confirmation
writing the claim and every participant's record in one save — the credits in the ledger and
the views, marked as 补录 with the claim's id."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant

from second_classroom import codec
from second_classroom.aggregates import claim
from second_classroom.aggregates.student import RegisterStudent
from second_classroom.aggregates.transcript import (
    Content,
    IssueTranscript,
    Layout,
    Line,
    Section,
    TranscriptIssued,
    Version,
    content_json,
)
from second_classroom.aggregates.tribe import AppointTribeRole, CreateTribe, TribeRole
from second_classroom.core import ids
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import TribeKind, TribeLevel
from second_classroom.persistence.stores import postgres_env
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.service import SecondClassroom, VerificationStatus
from tests.aggregates.claim_lifecycle_machine import RULEBOOK as LIFECYCLE
from tests.aggregates.claim_lifecycle_machine import START, ClaimLifecycle
from tests.claim_world import (
    ADVISOR,
    CENTER,
    COUNSELOR,
    CUSTOMS,
    CUSTOMS_CLAIMS,
    DROPPED,
    LEADER,
    OFFICE,
    PE_LEAGUE,
    SICHUAN,
    STUDENTS,
    TEACHER,
    collective,
    personal,
    with_claims,
)
from tests.specification import at
from tests.stores import TEST_SECRET, sqlite_memory_env

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return sqlite_memory_env()
    schema = request.getfixturevalue("postgres_schema")
    return postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)


@pytest.fixture(params=STORES)
def customs(request: pytest.FixtureRequest) -> Any:
    """A facade under seed 003's rules with one registered student."""
    with SecondClassroom.open(_env(request), CUSTOMS, secret=TEST_SECRET) as service:
        register = RegisterStudent("2023010003", "学生03", "PE", "海关23-1班", 2023)
        service.execute(register, CENTER, at(5, 4))
        yield service


@pytest.fixture(params=STORES)
def school(request: pytest.FixtureRequest) -> Any:
    """A facade under seed 001's rules, with the 学院团总支学生会 and its students."""
    with SecondClassroom.open(_env(request), SICHUAN, secret=TEST_SECRET) as service:
        now = at(3, 1)
        for number in (*STUDENTS, LEADER.person_id):
            service.execute(
                RegisterStudent(number, f"学生{number[-2:]}", "PE", "石工23-1班", 2023),
                CENTER,
                now,
            )
        create = CreateTribe("PE-SU", "石油工程学院团总支学生会", TribeKind.STUDENT_UNION,
                             TribeLevel.COLLEGE, "PE")  # fmt: skip
        service.execute(create, CENTER, now)
        service.execute(
            AppointTribeRole(create.tribe_id, LEADER.person_id, TribeRole.LEADER), CENTER, now
        )
        yield service


def refused(service: SecondClassroom, command: object, actor: Actor, now: datetime) -> str:
    """The code ``command`` is refused with; nothing was stored."""
    before = service.app.recorder.max_notification_id()
    with pytest.raises(DomainError) as caught:
        service.execute(command, actor, now)
    assert service.app.recorder.max_notification_id() == before
    return caught.value.code


def test_a_collective_claim_through_the_chain_credits_every_participant(
    school: SecondClassroom,
) -> None:
    """001 第三条: 团总支书记/指导老师 批准 → 二课中心 审核 → 名单导入 — one save at the end."""
    filing = collective()
    # A caller cannot give itself the tribe's roles: the leader comes from the Tribe stream.
    assert refused(school, filing, Actor.student("2023010002"), at(3, 10)) == "auth.forbidden"
    answer = school.execute_json(codec.to_json(filing), LEADER, at(3, 10))
    assert answer.get("code") is None, answer
    claim_id = filing.claim_id
    review = claim.ReviewClaim(claim_id, True, "同意")
    assert refused(school, review, CENTER, at(3, 11)) == "auth.forbidden"
    school.execute(review, ADVISOR, at(3, 11))
    before = school.app.recorder.max_notification_id() or 0
    outcome = school.execute(claim.ReviewClaim(claim_id, True), CENTER, at(3, 12))
    # The claim's two events and one record event per participant, stored together.
    assert school.app.recorder.max_notification_id() == before + 2 + len(filing.participants)
    assert len(outcome.events) == 2 + len(filing.participants)
    for number in filing.participants:
        record = school.student(number, Actor.system())
        assert record is not None
        assert record.credits() == {("volunteering", "学分"): Decimal("0.5")}
        (line,) = record.credit_lines()
        assert (line.source, line.source_id) == ("backfill", claim_id)
        summary = school.views.student_summary(number)
        assert summary is not None
        assert summary.credits == (("volunteering", "学分", Decimal("0.5")),)
    views = school.views
    views.runner.rebuild()  # the views equal a rebuild from the log
    for number in filing.participants:
        rebuilt = views.student_summary(number)
        assert rebuilt is not None
        assert rebuilt.credits == (("volunteering", "学分", Decimal("0.5")),)
    outsider = school.student(STUDENTS[2], Actor.system())
    assert outsider is not None
    assert outsider.credits() == {}
    assert refused(school, review, CENTER, at(3, 13)) == "claim.not_in_review"


def test_refusals_come_back_as_json_codes_and_store_nothing(school: SecondClassroom) -> None:
    """001 第五条: personal claims only in February–March; a rejection needs its reason."""
    student = Actor.student("2023010003")
    before = school.app.recorder.max_notification_id()
    answer = school.execute_json(codec.to_json(personal()), student, at(4, 2))
    assert answer["code"] == "claim.outside_window"
    assert school.app.recorder.max_notification_id() == before
    school.execute(personal(), student, at(3, 2))
    claim_id = personal().claim_id
    assert refused(school, claim.ReviewClaim(claim_id, False), COUNSELOR, at(3, 3)) == (
        "claim.reason_required"
    )
    school.execute(claim.ReviewClaim(claim_id, False, "缺少录用证明"), COUNSELOR, at(3, 3))
    state = school.app.load(claim.DECIDER, claim_id).state
    assert state is not None
    assert (state.status, state.reason) == (claim.ClaimStatus.REJECTED, "缺少录用证明")
    # 由自身原因导致积分未补录成功的，将不再重新补录: after March, no revision.
    assert refused(school, personal(), student, at(4, 1, 9)) == "claim.window_closed"
    assert refused(school, claim.ReviewClaim(claim_id, True), PE_LEAGUE, at(3, 4)) == (
        "claim.not_in_review"
    )


def test_confirmed_backfill_credits_are_on_the_transcript_and_in_the_report_as_such(
    school: SecondClassroom,
) -> None:
    """Issue 13 item 8: 补录 credits are on the transcript with their source (the claim) and in
    the 学院月报 (seed 002) in their own column, under the claiming 组织."""
    filing = collective()
    school.execute(filing, LEADER, at(3, 10))
    school.execute(claim.ReviewClaim(filing.claim_id, True, "同意"), ADVISOR, at(3, 11))
    school.execute(claim.ReviewClaim(filing.claim_id, True), CENTER, at(3, 12))
    student = Actor.student(filing.participants[0])
    issued = school.execute(IssueTranscript(student.person_id), student, at(3, 13))
    serial = next(
        e.payload.serial for e in issued.events if isinstance(e.payload, TranscriptIssued)
    )
    found = school.transcript(serial, student)
    assert found is not None
    lines = [(s.heading, line) for s in found.content.sections for line in s.lines]
    assert [(h, ln.activity_id, ln.source, ln.outcome, ln.credits) for h, ln in lines] == [
        ("志愿公益", filing.claim_id, "backfill", "补录", (("学分", Decimal("0.5")),))
    ]
    assert [(t.module, t.credit_type, t.amount) for t in found.content.totals] == [
        ("志愿公益", "学分", Decimal("0.5"))
    ]
    assert school.verify_transcript(serial).status is VerificationStatus.VALID
    [row] = school.monthly_report("2026-03", CENTER)
    assert (row.tribe, row.published, row.credits) == ("石油工程学院团总支学生会", 0, ())
    assert row.backfills == (("volunteering", "学分", Decimal("0.5") * len(filing.participants)),)
    assert school.monthly_report("2026-04", CENTER).rows == ()


def test_a_transcript_of_activities_alone_is_signed_as_before_backfill_lines_existed() -> None:
    """Transcripts issued before 补录 lines existed still verify: an activity line's signed
    form has no ``source``; a 补录 line's has."""
    line = Line(collective().claim_id, "讲座", "2026-03-12", "志愿公益", "校级", Decimal(2),
                "出勤", (), (("学分", Decimal("0.5")),))  # fmt: skip
    section = Section("志愿公益", (line,))
    content = Content("学校", "S-1", Version.CREDIT, Layout.MODULE, "2023010002", "学生02", "PE",
                      "石工23-1班", 2023, "本科", (section,), (), at(3, 13))  # fmt: skip
    signed: Any = content_json(content)["sections"]
    assert "source" not in signed[0]["lines"][0]
    backfill = attrs.evolve(
        content, sections=(Section("志愿公益", (attrs.evolve(line, source="backfill"),)),)
    )
    signed = content_json(backfill)["sections"]
    assert signed[0]["lines"][0]["source"] == "backfill"


def test_who_may_read_a_claim(school: SecondClassroom) -> None:
    """A collective claim: the claiming tribe's managers (from its stream), the college admin,
    operators; a personal claim: its student and their college. Nobody else."""
    filing = collective()
    school.execute(filing, LEADER, at(3, 10))
    found = school.claim(filing.claim_id, LEADER)
    assert found is not None
    assert (found.claimant, found.status) == (LEADER.person_id, claim.ClaimStatus.IN_REVIEW)
    # The tribe's role is read from its stream, not the caller; the advisor reviews step 1.
    leader_alone = Actor.student(LEADER.person_id)
    for reader in (Actor.college_admin("T-pe", "PE"), CENTER, leader_alone, ADVISOR):
        assert school.claim(filing.claim_id, reader) == found
    other_advisor = Actor("T-geo", {Role(RoleKind.ADVISOR, str(ids.tribe_id("GEO-SU")))})
    for outsider in (Actor.student(STUDENTS[0]), Actor.college_admin("T-cs", "CS"), other_advisor):
        with pytest.raises(DomainError) as caught:
            school.claim(filing.claim_id, outsider)
        assert caught.value.code == "auth.forbidden"


def test_a_research_claim_is_confirmed_only_after_its_publicity(customs: SecondClassroom) -> None:
    """003: 指导教师初步鉴定 → 系部复审 → 公示无异议 → 教务处最后审核确认, 记入学生学籍档案."""
    student = Actor.student("2023010003")
    customs.execute(personal(), student, at(5, 8))
    claim_id = personal().claim_id
    review = claim.ReviewClaim(claim_id, True)
    customs.execute(review, TEACHER, at(5, 8))
    customs.execute(review, PE_LEAGUE, at(5, 11))
    assert refused(customs, review, OFFICE, at(5, 19)) == "claim.not_published"
    batch = claim.PublishClaims("2026-05-第1批", (claim_id,))
    customs.execute(batch, PE_LEAGUE, at(5, 11))  # published until Monday 18 May
    objection = codec.to_json(claim.RaiseObjection(claim_id, "成果重复申报"))
    answer = customs.execute_json(objection, Actor.student("2023010009"), at(5, 12))
    assert answer.get("code") is None, answer
    assert refused(customs, review, OFFICE, at(5, 13)) == "claim.publicity_open"
    assert refused(customs, review, OFFICE, at(5, 19)) == "claim.objection_open"
    record = customs.student("2023010003", Actor.system())
    assert record is not None
    assert record.credits() == {}  # an unconfirmed claim counts nowhere
    dismiss = claim.DecideObjection(claim_id, 1, False, "经核实并非重复")
    customs.execute(dismiss, PE_LEAGUE, at(5, 19))
    customs.execute(review, OFFICE, at(5, 19))
    record = customs.student("2023010003", Actor.system())
    assert record is not None
    assert record.credits() == {("innovation", "学分"): Decimal(2)}
    # Who reads it: the student, the college, the chain's reviewers; not the objector.
    for reader in (student, PE_LEAGUE, TEACHER, OFFICE):
        found = customs.claim(claim_id, reader)
        assert found is not None
        assert found.status is claim.ClaimStatus.CONFIRMED
    with pytest.raises(DomainError) as caught:
        customs.claim(claim_id, Actor.student("2023010009"))
    assert caught.value.code == "auth.forbidden"


CAPPED = with_claims(CUSTOMS_CLAIMS + """
[[claims.caps]]
module = "innovation"
credit_type = "学分"
amount = "3"
""")  # fmt: skip


def test_research_credits_are_capped_per_academic_year_and_the_reviewer_chooses() -> None:
    """003: 科研成果每学年登记一次; over the cap the reviewer chooses — a claim beyond it is
    confirmed on the record without credit, or not confirmed; a new 学年 starts afresh."""
    student = Actor.student("2023010003")

    def published(service: SecondClassroom, key: str, amount: int, day: datetime) -> UUID:
        filing = personal(key=key, credits=(PlannedCredit("innovation", "学分", Decimal(amount)),))
        service.execute(filing, student, day)
        service.execute(claim.ReviewClaim(filing.claim_id, True), TEACHER, day)
        service.execute(claim.ReviewClaim(filing.claim_id, True), PE_LEAGUE, day)
        service.execute(claim.PublishClaims(key, (filing.claim_id,)), PE_LEAGUE, day)
        return filing.claim_id

    with SecondClassroom.open(sqlite_memory_env(), CAPPED, secret=TEST_SECRET) as service:
        register = RegisterStudent("2023010003", "学生03", "PE", "海关23-1班", 2023)
        service.execute(register, CENTER, at(5, 4))
        first = published(service, "p1", 2, at(5, 6))
        second = published(service, "p2", 2, at(5, 7))
        service.execute(claim.ReviewClaim(first, True), OFFICE, at(6, 1))
        error = refused(service, claim.ReviewClaim(second, True), OFFICE, at(6, 2))
        assert error == "claim.over_cap"
        service.execute(claim.ReviewClaim(second, True, without_credit=True), OFFICE, at(6, 2))
        record = service.student("2023010003", Actor.system())
        assert record is not None
        assert [(b.claim_id, b.credits) for b in record.backfills] == [
            (first, (PlannedCredit("innovation", "学分", Decimal(2)),)),
            (second, ()),  # on the record, without credit
        ]
        assert record.credits() == {("innovation", "学分"): Decimal(2)}
        third = published(service, "p3", 2, at(9, 7))  # the 2026-2027 学年
        service.execute(claim.ReviewClaim(third, True), OFFICE, at(9, 21))
        record = service.student("2023010003", Actor.system())
        assert record is not None
        assert record.credits() == {("innovation", "学分"): Decimal(4)}


class ClaimsThroughTheFacade(ClaimLifecycle):
    """The claim lifecycle machine run through the facade on SQLite: the same invariants,
    and after every step each student's ledger equals the views and a rebuild of them."""

    def __init__(self) -> None:
        super().__init__()
        self.service = SecondClassroom.open(sqlite_memory_env(), LIFECYCLE, secret=TEST_SECRET)
        for number in (*STUDENTS, LEADER.person_id):
            register = RegisterStudent(number, f"学生{number[-2:]}", "PE", "石工23-1班", 2023)
            self.service.execute(register, CENTER, START)
        create = CreateTribe("PE-SU", "石油工程学院团总支学生会", TribeKind.STUDENT_UNION,
                             TribeLevel.COLLEGE, "PE")  # fmt: skip
        self.service.execute(create, CENTER, START)
        leader = AppointTribeRole(create.tribe_id, LEADER.person_id, TribeRole.LEADER)
        self.service.execute(leader, CENTER, START)
        self.records = {
            n: r for n in self.records if (r := self.service.student(n, Actor.system())) is not None
        }

    def _run(self, command: claim.ClaimCommand, actor: Actor) -> None:
        before = self.service.app.load(claim.DECIDER, command.claim_id).state
        try:
            outcome = self.service.execute(command, actor, self.now)
        except DomainError as error:
            self.codes.add(error.code)
            return
        after = self.service.app.load(claim.DECIDER, command.claim_id).state
        assert after is not None
        self.claims[after.id] = after
        for envelope in outcome.events:
            event = envelope.payload
            if isinstance(event, claim.ClaimFiled | claim.ClaimResubmitted):
                self.filings.append((after.kind, event.at))
            if isinstance(event, claim.ClaimConfirmed):
                assert before is not None
                self.confirmed_at[after.id] = (event.at, before.publicity_until)
        self.records = {
            n: r for n in self.records if (r := self.service.student(n, Actor.system())) is not None
        }

    def _publish(self, command: claim.PublishClaims, actor: Actor) -> None:
        try:
            self.service.execute(command, actor, self.now)
        except DomainError as error:
            self.codes.add(error.code)
            return
        for claim_id in command.claim_ids:
            after = self.service.app.load(claim.DECIDER, claim_id).state
            assert after is not None
            self.claims[claim_id] = after

    @invariant()
    def the_ledger_equals_the_views_and_a_rebuild(self) -> None:
        views = self.service.views

        def credits() -> dict[str, tuple[tuple[str, str, Decimal], ...]]:
            found = {}
            for number in self.records:
                summary = views.student_summary(number)
                assert summary is not None
                found[number] = tuple(summary.credits)
            return found

        ledgers = {
            number: tuple((m, t, a) for (m, t), a in sorted(record.credits().items()))
            for number, record in self.records.items()
        }
        assert credits() == ledgers
        views.runner.rebuild()
        assert credits() == ledgers

    def teardown(self) -> None:
        self.service.close()


ClaimsThroughTheFacade.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestClaimsThroughTheFacade = ClaimsThroughTheFacade.TestCase


def test_a_rulebook_deployed_mid_chain_leaves_a_filed_claim_on_its_chain(
    shared_store_env: dict[str, str],
) -> None:
    """001 第六条 辅导员 → 二级学院团总支 → 二课中心, on every store: given a personal claim filed
    under that chain, when a process starts with a rulebook without the 辅导员 step, then the
    辅导员 (whose role the new rulebook no longer asks for) still reads the claim, finds it in
    待我审核 at their step and approves it; the centre is refused the 团总支's step; the claim is
    confirmed along its filed chain, and the 辅导员's queue is closed again once it is."""
    student = Actor.student("2023010003")
    review = claim.ReviewClaim(personal().claim_id, True)
    with SecondClassroom.open(shared_store_env, SICHUAN, secret=TEST_SECRET) as before:
        register = RegisterStudent("2023010003", "学生03", "PE", "石工23-1班", 2023)
        before.execute(register, CENTER, at(3, 1))
        before.execute(personal(), student, at(3, 2))
        with SecondClassroom.open(shared_store_env, DROPPED, secret=TEST_SECRET) as after:
            assert COUNSELOR.roles.isdisjoint(
                {Role(kind, "PE") for kind in DROPPED.claims.role_kinds()}
            )
            assert after.claim(review.claim_id, COUNSELOR) is not None
            [line] = after.claims_to_review(COUNSELOR, at(3, 3))
            assert (line.step_name, line.actions) == ("辅导员", (claim.ReviewAction.REVIEW,))
            after.execute(review, COUNSELOR, at(3, 3))
            assert refused(after, review, CENTER, at(3, 4)) == "auth.forbidden"
            [line] = after.claims_to_review(PE_LEAGUE, at(3, 4))
            assert line.step_name == "二级学院团总支"
            after.execute(review, PE_LEAGUE, at(3, 4))
            after.execute(review, CENTER, at(3, 5))
            found = after.claim(review.claim_id, CENTER)
            assert found is not None
            assert found.status is claim.ClaimStatus.CONFIRMED
            record = after.student("2023010003", CENTER)
            assert record is not None
            assert [b.claim_id for b in record.backfills] == [review.claim_id]
            with pytest.raises(DomainError) as caught:
                after.claims_to_review(COUNSELOR, at(3, 6))
            assert caught.value.code == "auth.forbidden"
