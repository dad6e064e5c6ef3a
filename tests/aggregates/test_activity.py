"""Activity: drafting (第十条), the publishing rules (发布规范), review by level (第十一条),
changes after approval (第十四条), cancellation and the derived phase (第十二条)."""

from __future__ import annotations

import attrs
import pytest

from second_classroom.aggregates.activity import (
    DECIDER,
    Activity,
    ActivityCancelled,
    ActivityContext,
    ActivityDetailsChanged,
    ActivityDrafted,
    ActivityDraftEdited,
    ActivityRejected,
    ActivityStageApproved,
    ActivityStatus,
    ActivitySubmitted,
    ActivityWithdrawn,
    ApproveActivity,
    CancelActivity,
    ChangeActivityDetails,
    DraftActivity,
    EditDraft,
    Phase,
    RejectActivity,
    SubmitActivity,
    WithdrawActivity,
    phase,
)
from second_classroom.aggregates.tribe import Tribe
from second_classroom.core import ids
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    ParticipationScope,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.policies.activity_form import ActivityForm, Admission, Scope
from second_classroom.policies.rulebook import LeadTimeChange, Rulebook
from tests.aggregates.activity_fixtures import (
    ACTIVITY_ID,
    ACTIVITY_KEY,
    CLASS_TRIBE,
    FORM,
    LEADER,
    MEMBER,
    ORGANIZER,
    OUTSIDER,
    SCHOOL_TRIBE,
    TRIBE,
    TRIBE_ADMIN,
    actx,
    form,
    tribe_actor,
)
from tests.specification import CS_ADMIN, NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at, context, given

DRAFTED = ActivityDrafted(ACTIVITY_ID, TRIBE.id, FORM, LEADER.person_id, NOW)
SUBMITTED = ActivitySubmitted(ACTIVITY_ID, ReviewStage.TRIBE, LEADER.person_id, NOW)


def approved(stage: ReviewStage, next_stage: ReviewStage | None, by: str) -> ActivityStageApproved:
    return ActivityStageApproved(ACTIVITY_ID, stage, next_stage, "", by, NOW)


APPROVED_CHAIN = (
    DRAFTED,
    SUBMITTED,
    approved(ReviewStage.TRIBE, ReviewStage.COLLEGE, LEADER.person_id),
    approved(ReviewStage.COLLEGE, ReviewStage.SCHOOL, PE_ADMIN.person_id),
    approved(ReviewStage.SCHOOL, None, SCHOOL_ADMIN.person_id),
)


class TestDrafting:
    """第十条 活动由部落负责人或管理员进行发布；发布规范 十六 仅认证部落有权限创建活动."""

    def test_the_tribe_leader_starts_a_draft(self) -> None:
        state = (
            given(DECIDER)
            .when(DraftActivity(TRIBE.id, ACTIVITY_KEY, FORM), actx(LEADER))
            .then(DRAFTED)
        )
        assert state.status is ActivityStatus.DRAFT

    def test_a_tribe_admin_may_draft_too(self) -> None:
        state = (
            given(DECIDER)
            .when(DraftActivity(TRIBE.id, ACTIVITY_KEY), actx(TRIBE_ADMIN))
            .then(
                ActivityDrafted(ACTIVITY_ID, TRIBE.id, ActivityForm(), TRIBE_ADMIN.person_id, NOW)
            )
        )
        assert state.status is ActivityStatus.DRAFT

    @pytest.mark.parametrize("actor", [ORGANIZER, MEMBER, OUTSIDER, PE_ADMIN, SCHOOL_ADMIN])
    def test_nobody_else_may_draft(self, actor: object) -> None:
        given(DECIDER).when(DraftActivity(TRIBE.id, ACTIVITY_KEY), actx(actor)).raises(  # type: ignore[arg-type]
            "auth.forbidden"
        )

    def test_an_uncertified_tribe_cannot_publish(self) -> None:
        uncertified = attrs.evolve(TRIBE, certified=False)
        given(DECIDER).when(
            DraftActivity(TRIBE.id, ACTIVITY_KEY), actx(LEADER, tribe=uncertified)
        ).raises("activity.tribe_not_certified")

    def test_an_unknown_tribe_is_refused(self) -> None:
        given(DECIDER).when(
            DraftActivity(ids.tribe_id("nope"), ACTIVITY_KEY), actx(LEADER, tribe=None)
        ).raises("activity.tribe_unknown")

    def test_a_draft_may_be_incomplete(self) -> None:
        events = (
            given(DECIDER)
            .when(
                DraftActivity(TRIBE.id, ACTIVITY_KEY, ActivityForm(title="石油工程学院")),
                actx(LEADER),
            )
            .events()
        )
        assert len(events) == 1

    def test_a_draft_may_not_hold_wrong_values(self) -> None:
        error = (
            given(DECIDER)
            .when(DraftActivity(TRIBE.id, ACTIVITY_KEY, ActivityForm(capacity=-1)), actx(LEADER))
            .raises("activity.capacity_invalid")
        )
        assert error.details["capacity"] == -1

    def test_sending_the_same_draft_twice_changes_nothing(self) -> None:
        given(DECIDER, DRAFTED).when(
            DraftActivity(TRIBE.id, ACTIVITY_KEY, FORM), actx(LEADER)
        ).then_nothing()

    def test_reusing_an_activity_id_for_another_draft_is_refused(self) -> None:
        given(DECIDER, DRAFTED).when(
            DraftActivity(TRIBE.id, ACTIVITY_KEY, form(capacity=10, organizers=())), actx(LEADER)
        ).raises("activity.exists")

    def test_editing_replaces_the_form(self) -> None:
        new = form(capacity=100)
        state = (
            given(DECIDER, DRAFTED)
            .when(EditDraft(ACTIVITY_ID, new), actx(LEADER))
            .then(ActivityDraftEdited(ACTIVITY_ID, new, LEADER.person_id, NOW))
        )
        assert state.form.capacity == 100

    def test_an_edit_with_a_phone_number_in_the_details_is_refused(self) -> None:
        """发布规范 六 不允许出现赞助方联系方式."""
        error = (
            given(DECIDER, DRAFTED)
            .when(
                EditDraft(ACTIVITY_ID, form(details=FORM.details + "联系13812345678")), actx(LEADER)
            )
            .raises("activity.advertising")
        )
        assert error.details["field"] == "details"

    def test_only_a_draft_can_be_edited(self) -> None:
        given(DECIDER, DRAFTED, SUBMITTED).when(EditDraft(ACTIVITY_ID, FORM), actx(LEADER)).raises(
            "activity.not_draft"
        )


class TestSubmission:
    """第十条 首次发布活动需进行考试答题; the 发布规范 are checked at submission."""

    def test_a_qualified_leader_submits_to_the_first_stage_of_the_chain(self) -> None:
        state = (
            given(DECIDER, DRAFTED).when(SubmitActivity(ACTIVITY_ID), actx(LEADER)).then(SUBMITTED)
        )
        assert state.status is ActivityStatus.PENDING_TRIBE
        assert state.status.label == "待部落审核"

    def test_a_publisher_who_has_not_passed_the_exam_cannot_submit(self) -> None:
        given(DECIDER, DRAFTED).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER, qualified=False)
        ).raises("activity.publisher_not_qualified")

    def test_an_organizer_cannot_submit(self) -> None:
        given(DECIDER, DRAFTED).when(SubmitActivity(ACTIVITY_ID), actx(ORGANIZER)).raises(
            "auth.forbidden"
        )

    def test_a_tribe_that_lost_its_certification_cannot_submit(self) -> None:
        tribe = attrs.evolve(TRIBE, certified=False)
        given(DECIDER, DRAFTED).when(SubmitActivity(ACTIVITY_ID), actx(LEADER, tribe=tribe)).raises(
            "activity.tribe_not_certified"
        )

    def test_an_incomplete_draft_lists_every_violation(self) -> None:
        incomplete = ActivityDrafted(ACTIVITY_ID, TRIBE.id, ActivityForm(), LEADER.person_id, NOW)
        error = (
            given(DECIDER, incomplete)
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER))
            .raises("activity.title_empty")
        )
        codes = {v["code"] for v in error.details["violations"]}
        assert {
            "activity.capacity_invalid",
            "activity.schedule_missing",
            "activity.details_empty",
        } <= codes

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"title": ""}, "activity.title_empty"),
            ({"capacity": -1}, "activity.capacity_invalid"),
            (
                {"capacity": 20, "organizers": tuple(f"p{i}" for i in range(10))},
                "activity.organizer_count",
            ),
            ({"admission": Admission(AdmissionMethod.REVIEW)}, "activity.review_criteria_missing"),
            ({"details": FORM.details + " 电话 0459-6504321"}, "activity.advertising"),
            ({"title": "校学生会迎新晚会"}, "activity.title_prefix"),
        ],
    )
    def test_a_broken_publishing_rule_refuses_submission(
        self, changes: dict[str, object], code: str
    ) -> None:
        """发布规范 一、四、六、九 and 第十条."""
        drafted = attrs.evolve(DRAFTED, form=attrs.evolve(FORM, **changes))
        given(DECIDER, drafted).when(SubmitActivity(ACTIVITY_ID), actx(LEADER)).raises(code)

    def test_the_start_must_be_three_working_days_after_submission(self) -> None:
        """第十一条 活动需至少提前三个工作日进行申请: Monday 11-23 + 3 working days = Thursday."""
        too_soon = form(
            registration_opens=at(11, 23, 12),
            registration_closes=at(11, 24, 12),
            starts_at=at(11, 25, 14),
            ends_at=at(11, 25, 16),
        )
        error = (
            given(DECIDER, attrs.evolve(DRAFTED, form=too_soon))
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER))
            .raises("activity.lead_time")
        )
        assert error.details["earliest"] == "2026-11-26"
        in_time = attrs.evolve(too_soon, starts_at=at(11, 26, 8), ends_at=at(11, 26, 10))
        given(DECIDER, attrs.evolve(DRAFTED, form=in_time)).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER)
        ).then(SUBMITTED)

    def test_the_lead_time_counts_official_working_days_not_weekdays(self) -> None:
        """Submitted Wednesday 2026-09-30: the National Day holiday (10-01..10-08) does not count,
        and Saturday 10-10 is a 调休 make-up workday."""
        submitted_at = at(9, 30, 9)
        schedule = {
            "registration_opens": at(9, 30, 12),
            "registration_closes": at(10, 1, 12),
        }
        too_soon = form(**schedule, starts_at=at(10, 9, 14), ends_at=at(10, 9, 16))
        given(DECIDER, attrs.evolve(DRAFTED, form=too_soon)).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER, now=submitted_at)
        ).raises("activity.lead_time")
        on_time = form(**schedule, starts_at=at(10, 10, 14), ends_at=at(10, 10, 16))
        events = (
            given(DECIDER, attrs.evolve(DRAFTED, form=on_time))
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER, now=submitted_at))
            .events()
        )
        assert isinstance(events[0], ActivitySubmitted)


class TestReviewChain:
    """第十一条: 院系级 部落 → 院级 → 校级; 校级 部落 → 校级; 班团 学院分团委 → 校团委."""

    def test_a_college_activity_climbs_tribe_college_school(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN[:2])
            .when(ApproveActivity(ACTIVITY_ID), actx(LEADER))
            .then(APPROVED_CHAIN[2])
        )
        assert state.status is ActivityStatus.PENDING_COLLEGE
        state = (
            given(DECIDER, *APPROVED_CHAIN[:3])
            .when(ApproveActivity(ACTIVITY_ID), actx(PE_ADMIN))
            .then(APPROVED_CHAIN[3])
        )
        assert state.status is ActivityStatus.PENDING_SCHOOL
        state = (
            given(DECIDER, *APPROVED_CHAIN[:4])
            .when(ApproveActivity(ACTIVITY_ID), actx(SCHOOL_ADMIN))
            .then(APPROVED_CHAIN[4])
        )
        assert state.status is ActivityStatus.APPROVED
        assert state.approved_at == NOW

    def test_a_school_activity_goes_from_tribe_straight_to_school(self) -> None:
        leader = tribe_actor("2022000001", SCHOOL_TRIBE)
        school_form = form(
            title="东北石油大学第十五届“挑战杯”宣讲会",
            level=ActivityLevel.SCHOOL,
            scope=Scope(ParticipationScope.SCHOOL),
        )
        drafted = ActivityDrafted(ACTIVITY_ID, SCHOOL_TRIBE.id, school_form, leader.person_id, NOW)
        submitted = (
            given(DECIDER, drafted)
            .when(SubmitActivity(ACTIVITY_ID), actx(leader, tribe=SCHOOL_TRIBE))
            .events()
        )
        assert submitted == [
            ActivitySubmitted(ACTIVITY_ID, ReviewStage.TRIBE, leader.person_id, NOW)
        ]
        events = (
            given(DECIDER, drafted, *submitted)
            .when(ApproveActivity(ACTIVITY_ID), actx(leader, tribe=SCHOOL_TRIBE))
            .events()
        )
        assert events[0].next_stage is ReviewStage.SCHOOL

    def test_a_class_activity_starts_at_the_college(self) -> None:
        leader = tribe_actor("2023010101", CLASS_TRIBE)
        class_form = form(title="石油工程23-1班主题团日活动", level=ActivityLevel.CLASS)
        drafted = ActivityDrafted(ACTIVITY_ID, CLASS_TRIBE.id, class_form, leader.person_id, NOW)
        state = (
            given(DECIDER, drafted)
            .when(SubmitActivity(ACTIVITY_ID), actx(leader, tribe=CLASS_TRIBE))
            .then(ActivitySubmitted(ACTIVITY_ID, ReviewStage.COLLEGE, leader.person_id, NOW))
        )
        assert state.status.label == "待院级审核"

    @pytest.mark.parametrize(
        ("history", "wrong"),
        [
            (2, [ORGANIZER, MEMBER, PE_ADMIN, SCHOOL_ADMIN]),
            (3, [LEADER, CS_ADMIN, SCHOOL_ADMIN]),
            (4, [LEADER, PE_ADMIN]),
        ],
    )
    def test_each_stage_needs_its_own_reviewer(self, history: int, wrong: list[object]) -> None:
        for actor in wrong:
            given(DECIDER, *APPROVED_CHAIN[:history]).when(
                ApproveActivity(ACTIVITY_ID), actx(actor)
            ).raises(  # type: ignore[arg-type]
                "auth.forbidden"
            )
            given(DECIDER, *APPROVED_CHAIN[:history]).when(
                RejectActivity(ACTIVITY_ID, "不符合要求"),
                actx(actor),  # type: ignore[arg-type]
            ).raises("auth.forbidden")

    def test_a_rejection_returns_the_activity_to_draft_with_its_reason(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN[:3])
            .when(RejectActivity(ACTIVITY_ID, "地点请写明教室号"), actx(PE_ADMIN))
            .then(
                ActivityRejected(
                    ACTIVITY_ID, ReviewStage.COLLEGE, "地点请写明教室号", PE_ADMIN.person_id, NOW
                )
            )
        )
        assert state.status is ActivityStatus.DRAFT
        assert state.last_rejection == "地点请写明教室号"

    def test_a_revised_activity_is_resubmitted_from_the_first_stage(self) -> None:
        rejected = ActivityRejected(
            ACTIVITY_ID, ReviewStage.SCHOOL, "x", SCHOOL_ADMIN.person_id, NOW
        )
        given(DECIDER, *APPROVED_CHAIN[:4], rejected).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER)
        ).then(SUBMITTED)

    def test_a_rejection_needs_a_reason(self) -> None:
        given(DECIDER, *APPROVED_CHAIN[:2]).when(
            RejectActivity(ACTIVITY_ID, "  "), actx(LEADER)
        ).raises("activity.reason_required")

    def test_a_draft_or_an_approved_activity_is_not_under_review(self) -> None:
        given(DECIDER, DRAFTED).when(ApproveActivity(ACTIVITY_ID), actx(LEADER)).raises(
            "activity.not_pending"
        )
        given(DECIDER, *APPROVED_CHAIN).when(
            ApproveActivity(ACTIVITY_ID), actx(SCHOOL_ADMIN)
        ).raises("activity.not_pending")

    def test_the_submitter_withdraws_a_pending_activity(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN[:3])
            .when(WithdrawActivity(ACTIVITY_ID), actx(LEADER))
            .then(ActivityWithdrawn(ACTIVITY_ID, ReviewStage.COLLEGE, LEADER.person_id, NOW))
        )
        assert state.status is ActivityStatus.DRAFT

    def test_an_organizer_cannot_withdraw(self) -> None:
        given(DECIDER, *APPROVED_CHAIN[:2]).when(
            WithdrawActivity(ACTIVITY_ID), actx(ORGANIZER)
        ).raises("auth.forbidden")


class TestAfterApproval:
    """第十四条: changes of time and place are events for the group notice, not a new review."""

    def test_a_time_change_is_recorded_with_before_and_after(self) -> None:
        command = ChangeActivityDetails(ACTIVITY_ID, starts_at=at(12, 3, 15), ends_at=at(12, 3, 17))
        [event] = given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER)).events()
        assert isinstance(event, ActivityDetailsChanged)
        assert event.changed == ("starts_at", "ends_at")
        assert (event.before.starts_at, event.after.starts_at) == (FORM.starts_at, at(12, 3, 15))
        state = DECIDER.fold([event], DECIDER.fold(APPROVED_CHAIN))
        assert state is not None
        assert state.status is ActivityStatus.APPROVED
        assert state.form.ends_at == at(12, 3, 17)
        assert state.revision == 1

    def test_a_school_may_make_changes_reopen_review(self) -> None:
        strict = attrs.evolve(NEPU, reopen_review_on_change=True)
        command = ChangeActivityDetails(ACTIVITY_ID, locations=("第二教学楼201室",))
        [event] = (
            given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER, rulebook=strict)).events()
        )
        state = DECIDER.fold([event], DECIDER.fold(APPROVED_CHAIN))
        assert state is not None
        assert state.status is ActivityStatus.PENDING_TRIBE

    def test_a_change_that_changes_nothing_is_refused(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeActivityDetails(ACTIVITY_ID, locations=FORM.locations), actx(LEADER)
        ).raises("activity.change_empty")

    def test_a_change_must_keep_the_times_in_order(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeActivityDetails(ACTIVITY_ID, ends_at=at(12, 3, 13)), actx(LEADER)
        ).raises("activity.schedule_order")

    def test_a_change_may_not_add_advertising(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeActivityDetails(
                ACTIVITY_ID, details=FORM.details + "扫码加微信：nepu_ad2026 领取奖品"
            ),
            actx(LEADER),
        ).raises("activity.advertising")

    def test_a_draft_cannot_be_changed_this_way(self) -> None:
        given(DECIDER, DRAFTED).when(
            ChangeActivityDetails(ACTIVITY_ID, details="x"), actx(LEADER)
        ).raises("activity.not_approved")

    def test_an_ended_activity_cannot_be_changed(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeActivityDetails(ACTIVITY_ID, details="补充说明"), actx(LEADER, now=at(12, 4))
        ).raises("activity.already_ended")


class TestCancellation:
    def test_the_leader_cancels_before_the_start(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(CancelActivity(ACTIVITY_ID, "场地冲突"), actx(LEADER))
            .then(ActivityCancelled(ACTIVITY_ID, "场地冲突", LEADER.person_id, NOW))
        )
        assert state.status is ActivityStatus.CANCELLED

    def test_the_school_may_cancel_too(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(CancelActivity(ACTIVITY_ID, "安全原因"), actx(SCHOOL_ADMIN))
            .then(ActivityCancelled(ACTIVITY_ID, "安全原因", SCHOOL_ADMIN.person_id, NOW))
        )
        assert state.status is ActivityStatus.CANCELLED

    def test_an_organizer_cannot_cancel(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            CancelActivity(ACTIVITY_ID, "x"), actx(ORGANIZER)
        ).raises("auth.forbidden")

    def test_a_started_activity_cannot_be_cancelled(self) -> None:
        given(DECIDER, *APPROVED_CHAIN).when(
            CancelActivity(ACTIVITY_ID, "x"), actx(LEADER, now=at(12, 3, 14))
        ).raises("activity.already_started")

    def test_a_cancelled_activity_accepts_nothing(self) -> None:
        cancelled = ActivityCancelled(ACTIVITY_ID, "x", LEADER.person_id, NOW)
        for command in (
            ApproveActivity(ACTIVITY_ID),
            SubmitActivity(ACTIVITY_ID),
            CancelActivity(ACTIVITY_ID, "again"),
            EditDraft(ACTIVITY_ID, FORM),
        ):
            given(DECIDER, *APPROVED_CHAIN, cancelled).when(command, actx(LEADER)).raises(
                "activity.cancelled"
            )


class TestPhase:
    """第十二条 规划中 / 报名中 ... derived from the times, with no scheduler."""

    def _approved(self) -> Activity:
        state = DECIDER.fold(APPROVED_CHAIN)
        assert state is not None
        return state

    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            (at(11, 30, 7, 59), Phase.PLANNING),
            (at(11, 30, 8), Phase.REGISTERING),
            (at(12, 2, 19, 59), Phase.REGISTERING),
            (at(12, 2, 20), Phase.REGISTRATION_CLOSED),
            (at(12, 3, 14), Phase.ONGOING),
            (at(12, 3, 16), Phase.ENDED),
        ],
    )
    def test_the_phase_follows_the_clock(self, moment: object, expected: Phase) -> None:
        assert phase(self._approved(), moment) is expected  # type: ignore[arg-type]

    def test_labels_are_the_app_words(self) -> None:
        assert [
            p.label
            for p in (
                Phase.PLANNING,
                Phase.REGISTERING,
                Phase.REGISTRATION_CLOSED,
                Phase.ONGOING,
                Phase.ENDED,
            )
        ] == [
            "规划中",
            "报名中",
            "报名结束",
            "进行中",
            "已结束",
        ]

    def test_an_unapproved_or_cancelled_activity_has_no_time_phase(self) -> None:
        draft = DECIDER.fold([DRAFTED])
        assert draft is not None
        assert phase(draft, NOW) is Phase.UNPUBLISHED
        assert phase(attrs.evolve(draft, status=ActivityStatus.CANCELLED), NOW) is Phase.CANCELLED


def test_a_naive_datetime_never_enters_a_form() -> None:
    from datetime import datetime

    with pytest.raises(DomainError) as caught:
        ActivityForm(starts_at=datetime(2026, 12, 3, 14))
    assert caught.value.code == "time.naive"


def test_a_command_on_a_missing_activity_is_not_found() -> None:
    given(DECIDER).when(SubmitActivity(ACTIVITY_ID), actx(LEADER, tribe=None)).raises(
        "activity.not_found"
    )


class TestAwardPlanAfterApproval:
    """发布规范 十三、十四: the plan is fixed at approval; changing it needs review again."""

    def test_a_new_plan_sends_the_activity_back_to_review(self) -> None:
        from decimal import Decimal

        from second_classroom.aggregates.activity import AwardPlanChanged, ChangeAwardPlan
        from second_classroom.policies.activity_form import AwardPlan, PlannedAward

        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        [event] = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(ChangeAwardPlan(ACTIVITY_ID, plan), actx(LEADER))
            .events()
        )
        assert isinstance(event, AwardPlanChanged)
        state = DECIDER.fold([event], DECIDER.fold(APPROVED_CHAIN))
        assert state is not None
        assert state.status is ActivityStatus.PENDING_TRIBE
        assert state.form.plan == plan

    def test_a_plan_above_the_standard_quota_is_refused(self) -> None:
        from decimal import Decimal

        from second_classroom.aggregates.activity import ChangeAwardPlan
        from second_classroom.policies.activity_form import AwardPlan, PlannedAward

        plan = AwardPlan((PlannedAward("一等奖", 2, Decimal("1")),), FORM.plan.credits)
        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeAwardPlan(ACTIVITY_ID, plan), actx(LEADER)
        ).raises("activity.plan_invalid")

    def test_the_same_plan_changes_nothing(self) -> None:
        from second_classroom.aggregates.activity import ChangeAwardPlan

        given(DECIDER, *APPROVED_CHAIN).when(
            ChangeAwardPlan(ACTIVITY_ID, FORM.plan), actx(LEADER)
        ).then_nothing()


class TestLeadTimeAfterApproval:
    """第十一条 活动需至少提前三个工作日进行申请. A change after approval that moves the start
    earlier, to a date the lead time counted from the change does not reach, would skip it: per
    ``lead_time_change`` it is refused (NEPU, HFUT) or goes back to review.

    NOW is Monday 11-23 09:00: three working days on, the earliest start is Thursday 11-26.
    """

    EARLIER = ChangeActivityDetails(
        ACTIVITY_ID,
        registration_opens=at(11, 23, 8),
        registration_closes=at(11, 24, 20),
        starts_at=at(11, 25, 14),  # Wednesday: inside the lead time
        ends_at=at(11, 25, 16),
    )

    def test_a_change_into_the_lead_time_is_refused_by_default(self) -> None:
        """Given NEPU (``lead_time_change = "refuse"``), when the start moves to Wednesday,
        then activity.lead_time with the earliest date, and nothing is stored."""
        assert NEPU.lead_time_change is LeadTimeChange.REFUSE
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(self.EARLIER, actx(LEADER))
            .raises("activity.lead_time")
        )
        assert error.details == {"days": 3, "earliest": "2026-11-26"}

    def test_a_school_may_send_such_a_change_back_to_review(self) -> None:
        """Given ``lead_time_change = "review"``, when the start moves to Wednesday, then the
        change is recorded and the activity is pending its first review stage again."""
        reviewing = attrs.evolve(NEPU, lead_time_change=LeadTimeChange.REVIEW)
        [event] = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(self.EARLIER, actx(LEADER, rulebook=reviewing))
            .events()
        )
        assert isinstance(event, ActivityDetailsChanged)
        assert event.review_stage is ReviewStage.TRIBE
        state = DECIDER.fold([event], DECIDER.fold(APPROVED_CHAIN))
        assert state is not None
        assert state.status is ActivityStatus.PENDING_TRIBE

    def test_moving_the_start_earlier_but_beyond_the_lead_time_needs_no_review(self) -> None:
        """Thursday 11-26 is the earliest allowed start: no review, as 第十四条 says."""
        command = attrs.evolve(self.EARLIER, starts_at=at(11, 26, 14), ends_at=at(11, 26, 16))
        [event] = given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER)).events()
        assert event.review_stage is None

    def test_postponing_inside_the_lead_time_breaks_nothing(self) -> None:
        """Given the activity starts Thursday 12-03 and it is Tuesday 12-01, when it is moved
        to Friday 12-04, then it is accepted without review: the reviewers had their time."""
        command = ChangeActivityDetails(ACTIVITY_ID, starts_at=at(12, 4, 14), ends_at=at(12, 4, 16))
        [event] = (
            given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER, now=at(12, 1))).events()
        )
        assert event.review_stage is None

    def test_lead_time_change_survives_a_toml_round_trip(self) -> None:
        reviewing = attrs.evolve(NEPU, lead_time_change=LeadTimeChange.REVIEW)
        assert Rulebook.from_toml(reviewing.to_toml()) == reviewing


class TestStaffPublishers:
    """第十一条 校级活动一般由校团委、有关部门及校级学生组织发布; 发布规范 十六 仅限本校职能部门……
    的认证部落及校团委用于到梦空间使用培训的部落有权限创建活动. Those tribes are led by staff
    (工号), who have no student record to hold the exam of 第十条 (首次发布活动需进行考试答题). Per
    ``publisher_exam_exempts_staff`` (true in NEPU, school-supplied) staff publish without it."""

    DEPARTMENT = Tribe(
        ids.tribe_id("YOUTH-LEAGUE"),
        "YOUTH-LEAGUE",
        "校团委",
        TribeKind.LEAGUE_COMMITTEE,
        TribeLevel.SCHOOL,
        None,
        certified=True,
        leaders=frozenset({"T0001"}),
    )
    STAFF = Actor("T0001", DEPARTMENT.roles_of("T0001"))  # 工号, no student role
    ACTIVITY = ids.activity_id(DEPARTMENT.id, "training")
    FORM = attrs.evolve(FORM, title="校第二课堂骨干培训", level=ActivityLevel.SCHOOL, scope=Scope())

    def drafted(self) -> ActivityDrafted:
        return ActivityDrafted(self.ACTIVITY, self.DEPARTMENT.id, self.FORM, "T0001", NOW)

    def staff_context(self, rulebook: Rulebook = NEPU) -> ActivityContext:
        """As the facade builds it for a staff member: no student record."""
        return ActivityContext(context(self.STAFF, NOW, rulebook), self.DEPARTMENT, None)

    def test_a_staff_leader_of_the_youth_league_submits(self) -> None:
        """Given 校团委's staff leader and NEPU, when they submit, then the activity goes to
        its first review stage."""
        assert NEPU.publisher_exam_exempts_staff is True
        [event] = (
            given(DECIDER, self.drafted())
            .when(SubmitActivity(self.ACTIVITY), self.staff_context())
            .events()
        )
        assert event == ActivitySubmitted(self.ACTIVITY, ReviewStage.TRIBE, "T0001", NOW)

    def test_a_school_may_require_the_exam_of_staff_too(self) -> None:
        """Given ``publisher_exam_exempts_staff = false``, staff without a passed exam are
        refused like anyone else."""
        strict = attrs.evolve(NEPU, publisher_exam_exempts_staff=False)
        given(DECIDER, self.drafted()).when(
            SubmitActivity(self.ACTIVITY), self.staff_context(strict)
        ).raises("activity.publisher_not_qualified")

    def test_a_student_leader_still_needs_the_exam(self) -> None:
        """第十条: the exemption is for staff; a student leader without the exam is refused."""
        given(DECIDER, DRAFTED).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER, qualified=False)
        ).raises("activity.publisher_not_qualified")
