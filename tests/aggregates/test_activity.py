"""Activity: drafting (第十条), the publishing rules (发布规范), review by level (第十一条),
changes after approval (第十四条), cancellation and the derived phase (第十二条)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

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
    ActivityEvent,
    ActivityRejected,
    ActivityStageApproved,
    ActivityStatus,
    ActivitySubmitted,
    ActivityWithdrawn,
    ApproveActivity,
    AwardPlanChanged,
    CancelActivity,
    ChangeActivityDetails,
    ChangeAwardPlan,
    DraftActivity,
    EditDraft,
    Phase,
    RejectActivity,
    SubmitActivity,
    WithdrawActivity,
    evolve,
    is_activity_manager,
    phase,
    target,
)
from second_classroom.aggregates.activity_attendance import Attendance, CheckInWindowSet
from second_classroom.aggregates.activity_feedback import ActivityRated, HighlightAdded
from second_classroom.aggregates.activity_results import ActivityFinalized, AwardIssued, Results
from second_classroom.aggregates.activity_roster import (
    LotteryCommitted,
    RegistrationAccepted,
    RegistrationOutcome,
    Roster,
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
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    Scope,
)
from second_classroom.policies.rulebook import LeadTimeChange, Rulebook
from tests.aggregates.activity_fixtures import (
    ACTIVITY_ID,
    ACTIVITY_KEY,
    CLASS_TRIBE,
    DRAFTED,
    FORM,
    LEADER,
    MEMBER,
    ORGANIZER,
    OUTSIDER,
    SCHOOL_TRIBE,
    SUBMITTED,
    TRIBE,
    TRIBE_ADMIN,
    actx,
    form,
    tribe_actor,
)
from tests.specification import CS_ADMIN, NEPU, NOW, PE_ADMIN, SCHOOL_ADMIN, at, context, given


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
        incomplete = ActivityForm(title="石油工程学院")
        given(DECIDER).when(DraftActivity(TRIBE.id, ACTIVITY_KEY, incomplete), actx(LEADER)).then(
            ActivityDrafted(ACTIVITY_ID, TRIBE.id, incomplete, LEADER.person_id, NOW)
        )

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
        self, changes: dict[str, Any], code: str
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
        given(DECIDER, attrs.evolve(DRAFTED, form=on_time)).when(
            SubmitActivity(ACTIVITY_ID), actx(LEADER, now=submitted_at)
        ).then(ActivitySubmitted(ACTIVITY_ID, ReviewStage.TRIBE, LEADER.person_id, submitted_at))


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
        given(DECIDER, drafted, *submitted).when(
            ApproveActivity(ACTIVITY_ID), actx(leader, tribe=SCHOOL_TRIBE)
        ).then(
            ActivityStageApproved(
                ACTIVITY_ID, ReviewStage.TRIBE, ReviewStage.SCHOOL, "", leader.person_id, NOW
            )
        )

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
    def test_each_stage_needs_its_own_reviewer(self, history: int, wrong: list[Actor]) -> None:
        for actor in wrong:
            given(DECIDER, *APPROVED_CHAIN[:history]).when(
                ApproveActivity(ACTIVITY_ID), actx(actor)
            ).raises("auth.forbidden")
            given(DECIDER, *APPROVED_CHAIN[:history]).when(
                RejectActivity(ACTIVITY_ID, "不符合要求"),
                actx(actor),
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


# -- what each refusal names, and what the log replays to ----------------------------------

START, END = at(12, 3, 14), at(12, 3, 16)  # FORM's
assert (FORM.starts_at, FORM.ends_at) == (START, END)


def folded(events: Sequence[ActivityEvent], state: Activity | None = None) -> Activity:
    """The state ``events`` lead to (from ``state``), which is there."""
    after = DECIDER.fold(events, state)
    assert after is not None
    return after


class TestRefusalDetails:
    """A refusal names the act refused and the status it was refused in, so the app can say
    why (第十条 publishers, 第十一条 reviewers, 第十四条 changes)."""

    def test_a_missing_activity_is_named(self) -> None:
        error = (
            given(DECIDER)
            .when(EditDraft(ACTIVITY_ID, FORM), actx(LEADER))
            .raises("activity.not_found")
        )
        assert error.details == {"activity_id": str(ACTIVITY_ID)}

    @pytest.mark.parametrize(
        ("history", "command", "action"),
        [
            (0, DraftActivity(TRIBE.id, ACTIVITY_KEY), "发布活动 publish activity"),
            (1, EditDraft(ACTIVITY_ID, FORM), "编辑活动 edit activity"),
            (1, SubmitActivity(ACTIVITY_ID), "提交活动 submit activity"),
            (2, ApproveActivity(ACTIVITY_ID), "审核 review (部落审核)"),
            (3, RejectActivity(ACTIVITY_ID, "x"), "审核 review (院级审核)"),
            (4, ApproveActivity(ACTIVITY_ID), "审核 review (校级审核)"),
            (2, WithdrawActivity(ACTIVITY_ID), "撤回活动 withdraw activity"),
            (5, ChangeActivityDetails(ACTIVITY_ID, details="x"), "修改活动 change activity"),
            (5, CancelActivity(ACTIVITY_ID, "x"), "取消活动 cancel activity"),
        ],
        ids=[
            "draft",
            "edit",
            "submit",
            "tribe",
            "college",
            "school",
            "withdraw",
            "change",
            "cancel",
        ],
    )
    def test_a_forbidden_act_is_named(self, history: int, command: object, action: str) -> None:
        """Given the activity after ``history`` events of the chain, when a member of the
        tribe who holds no role for the act tries it, then auth.forbidden names the act."""
        error = (
            given(DECIDER, *APPROVED_CHAIN[:history])
            .when(command, actx(MEMBER))
            .raises("auth.forbidden")
        )
        assert error.details == {"action": action}

    def test_changing_the_plan_is_named_when_forbidden(self) -> None:
        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(ChangeAwardPlan(ACTIVITY_ID, plan), actx(ORGANIZER))
            .raises("auth.forbidden")
        )
        assert error.details == {"action": "修改奖项学分 change plan"}

    def test_editing_a_pending_activity_names_its_status(self) -> None:
        error = (
            given(DECIDER, DRAFTED, SUBMITTED)
            .when(EditDraft(ACTIVITY_ID, FORM), actx(LEADER))
            .raises("activity.not_draft")
        )
        assert error.details == {"status": "待部落审核"}

    def test_submitting_twice_is_refused_with_the_status(self) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN[:3])
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER))
            .raises("activity.not_draft")
        )
        assert error.details == {"status": "待院级审核"}

    @pytest.mark.parametrize(
        ("history", "command", "status"),
        [
            (1, ApproveActivity(ACTIVITY_ID), "草稿"),
            (1, RejectActivity(ACTIVITY_ID, "x"), "草稿"),
            (1, WithdrawActivity(ACTIVITY_ID), "草稿"),
            (5, ApproveActivity(ACTIVITY_ID), "已通过"),
            (5, WithdrawActivity(ACTIVITY_ID), "已通过"),
        ],
        ids=["approve-draft", "reject-draft", "withdraw-draft", "approve-again", "withdraw-late"],
    )
    def test_a_review_act_outside_review_names_the_status(
        self, history: int, command: object, status: str
    ) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN[:history])
            .when(command, actx(SCHOOL_ADMIN if history == 5 else LEADER))
            .raises("activity.not_pending")
        )
        assert error.details == {"status": status}

    @pytest.mark.parametrize("history", [1, 2, 3])
    def test_only_an_approved_activity_takes_changes(self, history: int) -> None:
        """第十四条 is about a published activity; before approval the draft is edited."""
        status = folded(APPROVED_CHAIN[:history]).status.label
        error = (
            given(DECIDER, *APPROVED_CHAIN[:history])
            .when(ChangeActivityDetails(ACTIVITY_ID, details="补充说明"), actx(LEADER))
            .raises("activity.not_approved")
        )
        assert error.details == {"status": status}
        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        error = (
            given(DECIDER, *APPROVED_CHAIN[:history])
            .when(ChangeAwardPlan(ACTIVITY_ID, plan), actx(LEADER))
            .raises("activity.not_approved")
        )
        assert error.details == {"status": status}

    def test_a_wrong_draft_lists_each_violation_with_its_field(self) -> None:
        """发布规范 四、六: every wrong value is named, in the order the rules run."""
        wrong = form(capacity=-1, details=FORM.details + "联系13812345678")
        error = (
            given(DECIDER)
            .when(DraftActivity(TRIBE.id, ACTIVITY_KEY, wrong), actx(LEADER))
            .raises("activity.capacity_invalid")
        )
        assert error.details["violations"] == [
            {"code": "activity.capacity_invalid", "field": "capacity"},
            {"code": "activity.advertising", "field": "details"},
        ]

    def test_an_unknown_command_is_a_programming_error(self) -> None:
        @attrs.frozen
        class Unknown:
            activity_id: object

        with pytest.raises(AssertionError, match=r"^unhandled command Unknown\("):
            DECIDER.decide(Unknown(ACTIVITY_ID), folded([DRAFTED]), actx(LEADER))  # type: ignore[arg-type]


class TestFrozen:
    """第十九条 完结活动: once finalized, nothing more happens to the activity."""

    FINALIZED = ActivityFinalized(ACTIVITY_ID, (), SCHOOL_ADMIN.person_id, NOW)

    @pytest.mark.parametrize(
        "command",
        [
            ChangeActivityDetails(ACTIVITY_ID, details="补充说明"),
            CancelActivity(ACTIVITY_ID, "x"),
            ApproveActivity(ACTIVITY_ID),
        ],
        ids=["change", "cancel", "approve"],
    )
    def test_a_finalized_activity_accepts_nothing(self, command: object) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN, self.FINALIZED)
            .when(command, actx(LEADER))
            .raises("activity.frozen")
        )
        assert error.details == {}

    def test_finalizing_freezes_the_state(self) -> None:
        state = folded([*APPROVED_CHAIN, self.FINALIZED])
        assert state is not None
        assert state.frozen is True
        assert folded(APPROVED_CHAIN).frozen is False


class TestLotteryApproval:
    """中签制 (发布规范 九): the draw's commitment is published with the activity, so nobody can
    pick the winners after seeing who registered."""

    LOTTERY = form(admission=Admission(AdmissionMethod.LOTTERY))

    def chain(self, upto: int) -> list[ActivityEvent]:
        drafted = attrs.evolve(DRAFTED, form=self.LOTTERY)
        return [drafted, *APPROVED_CHAIN[1:upto]]

    def test_the_last_approval_commits_the_draw(self) -> None:
        ctx = attrs.evolve(actx(SCHOOL_ADMIN), lottery_commitment="c0ffee")
        state = (
            given(DECIDER, *self.chain(4))
            .when(ApproveActivity(ACTIVITY_ID, "同意"), ctx)
            .then(
                ActivityStageApproved(
                    ACTIVITY_ID, ReviewStage.SCHOOL, None, "同意", SCHOOL_ADMIN.person_id, NOW
                ),
                LotteryCommitted(ACTIVITY_ID, "c0ffee", NOW),
            )
        )
        assert state.status is ActivityStatus.APPROVED
        assert state.roster.commitment == "c0ffee"

    def test_without_a_school_secret_the_last_approval_is_refused(self) -> None:
        error = (
            given(DECIDER, *self.chain(4))
            .when(ApproveActivity(ACTIVITY_ID), actx(SCHOOL_ADMIN))
            .raises("config.secret_missing")
        )
        assert error.details == {}

    def test_an_earlier_stage_commits_nothing(self) -> None:
        """The commitment comes with publication, not with the tribe's or college's approval."""
        given(DECIDER, *self.chain(2)).when(ApproveActivity(ACTIVITY_ID), actx(LEADER)).then(
            approved(ReviewStage.TRIBE, ReviewStage.COLLEGE, LEADER.person_id)
        )

    def test_a_first_come_activity_commits_nothing(self) -> None:
        ctx = attrs.evolve(actx(SCHOOL_ADMIN), lottery_commitment="c0ffee")
        given(DECIDER, *APPROVED_CHAIN[:4]).when(ApproveActivity(ACTIVITY_ID), ctx).then(
            APPROVED_CHAIN[4]
        )


class TestWhoActs:
    """第十条 publishers, 第十一条 reviewers, and who withdraws and cancels."""

    def test_the_submitter_withdraws_after_losing_the_tribe_role(self) -> None:
        """The one who submitted may take it back even if no longer a leader or admin."""
        submitter = Actor.student(LEADER.person_id)
        given(DECIDER, *APPROVED_CHAIN[:2]).when(
            WithdrawActivity(ACTIVITY_ID), actx(submitter)
        ).then(ActivityWithdrawn(ACTIVITY_ID, ReviewStage.TRIBE, LEADER.person_id, NOW))

    def test_another_publisher_withdraws_too(self) -> None:
        given(DECIDER, *APPROVED_CHAIN[:2]).when(
            WithdrawActivity(ACTIVITY_ID), actx(TRIBE_ADMIN)
        ).then(ActivityWithdrawn(ACTIVITY_ID, ReviewStage.TRIBE, TRIBE_ADMIN.person_id, NOW))

    def test_a_tribe_admin_reviews_the_tribe_stage(self) -> None:
        given(DECIDER, *APPROVED_CHAIN[:2]).when(
            ApproveActivity(ACTIVITY_ID, "可以"), actx(TRIBE_ADMIN)
        ).then(
            ActivityStageApproved(
                ACTIVITY_ID,
                ReviewStage.TRIBE,
                ReviewStage.COLLEGE,
                "可以",
                TRIBE_ADMIN.person_id,
                NOW,
            )
        )

    def test_a_tribe_without_a_college_has_no_college_reviewer(self) -> None:
        """A school tribe's activity sent to a college stage (a rulebook chain naming one) has
        no college whose admin could review it."""
        chains = tuple(
            attrs.evolve(c, stages=(ReviewStage.COLLEGE, ReviewStage.SCHOOL))
            if c.level == ActivityLevel.SCHOOL
            else c
            for c in NEPU.review_chains
        )
        rulebook = attrs.evolve(NEPU, review_chains=chains)
        school_form = form(level=ActivityLevel.SCHOOL)
        drafted = ActivityDrafted(ACTIVITY_ID, SCHOOL_TRIBE.id, school_form, "x", NOW)
        submitted = ActivitySubmitted(ACTIVITY_ID, ReviewStage.COLLEGE, "x", NOW)
        for admin in (PE_ADMIN, Actor.college_admin("T-none", "")):
            given(DECIDER, drafted, submitted).when(
                ApproveActivity(ACTIVITY_ID), actx(admin, tribe=SCHOOL_TRIBE, rulebook=rulebook)
            ).raises("auth.forbidden")

    def test_a_rejection_by_the_tribe_is_recorded_with_its_stage(self) -> None:
        state = (
            given(DECIDER, *APPROVED_CHAIN[:2])
            .when(RejectActivity(ACTIVITY_ID, "请补充海报"), actx(TRIBE_ADMIN))
            .then(
                ActivityRejected(
                    ACTIVITY_ID, ReviewStage.TRIBE, "请补充海报", TRIBE_ADMIN.person_id, NOW
                )
            )
        )
        assert state.last_rejection == "请补充海报"

    def test_a_cancellation_needs_a_reason(self) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(CancelActivity(ACTIVITY_ID, " \t"), actx(LEADER))
            .raises("activity.reason_required")
        )
        assert error.details == {}

    def test_the_cancellation_tells_every_registrant(self) -> None:
        """第十四条 群发通知: admitted, pending and waiting students, in a stable order."""
        registered = [
            RegistrationAccepted(ACTIVITY_ID, s, o, NOW)
            for s, o in (
                ("2024000003", RegistrationOutcome.WAITLISTED),
                ("2024000001", RegistrationOutcome.ADMITTED),
                ("2024000002", RegistrationOutcome.PENDING),
            )
        ]
        given(DECIDER, *APPROVED_CHAIN, *registered).when(
            CancelActivity(ACTIVITY_ID, "场地冲突"), actx(LEADER)
        ).then(
            ActivityCancelled(
                ACTIVITY_ID,
                "场地冲突",
                LEADER.person_id,
                NOW,
                ("2024000001", "2024000002", "2024000003"),
            )
        )

    def test_a_draft_may_be_cancelled(self) -> None:
        given(DECIDER, DRAFTED).when(CancelActivity(ACTIVITY_ID, "不办了"), actx(LEADER)).then(
            ActivityCancelled(ACTIVITY_ID, "不办了", LEADER.person_id, NOW)
        )

    def test_cancelling_at_the_start_is_too_late(self) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(CancelActivity(ACTIVITY_ID, "x"), actx(LEADER, now=START))
            .raises("activity.already_started")
        )
        assert error.details == {}

    def test_an_unchanged_edit_records_nothing(self) -> None:
        given(DECIDER, DRAFTED).when(EditDraft(ACTIVITY_ID, FORM), actx(TRIBE_ADMIN)).then_nothing()


class TestSubmissionRules:
    """第十条 首次发布活动需进行考试答题 — a rule of seed 000 only."""

    def test_a_school_without_the_exam_lets_anyone_publishing_submit(self) -> None:
        """Seeds 001-004 name no exam: a leader without one submits."""
        rulebook = attrs.evolve(NEPU, require_publisher_exam=False)
        ctx = attrs.evolve(actx(LEADER, qualified=False, rulebook=rulebook), actor_record=None)
        given(DECIDER, DRAFTED).when(SubmitActivity(ACTIVITY_ID), ctx).then(SUBMITTED)

    def test_a_leader_with_no_record_at_all_is_not_qualified(self) -> None:
        ctx = attrs.evolve(actx(LEADER), actor_record=None)
        error = (
            given(DECIDER, DRAFTED)
            .when(SubmitActivity(ACTIVITY_ID), ctx)
            .raises("activity.publisher_not_qualified")
        )
        assert error.details == {}

    def test_the_submission_lists_every_violation_with_its_field(self) -> None:
        incomplete = ActivityDrafted(
            ACTIVITY_ID, TRIBE.id, form(title="", capacity=None), LEADER.person_id, NOW
        )
        error = (
            given(DECIDER, incomplete)
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER))
            .raises("activity.title_empty")
        )
        assert error.details["violations"] == [
            {"code": "activity.title_empty", "field": "title"},
            {"code": "activity.capacity_invalid", "field": "capacity"},
        ]

    def test_an_uncertified_tribe_cannot_submit_even_qualified(self) -> None:
        uncertified = attrs.evolve(TRIBE, certified=False)
        error = (
            given(DECIDER, DRAFTED)
            .when(SubmitActivity(ACTIVITY_ID), actx(LEADER, tribe=uncertified))
            .raises("activity.tribe_not_certified")
        )
        assert error.details == {}


class TestChangesInDetail:
    """第十四条: the change carries only the changed fields, before and after, and tells every
    registrant."""

    def test_the_change_names_only_what_changed(self) -> None:
        command = ChangeActivityDetails(
            ACTIVITY_ID,
            starts_at=FORM.starts_at,  # the same: not a change
            locations=("第二教学楼201室",),
            details=FORM.details + "请提前十分钟入场。",
        )
        registered = RegistrationAccepted(
            ACTIVITY_ID, "2024000001", RegistrationOutcome.ADMITTED, NOW
        )
        state = (
            given(DECIDER, *APPROVED_CHAIN, registered)
            .when(command, actx(TRIBE_ADMIN))
            .then(
                ActivityDetailsChanged(
                    ACTIVITY_ID,
                    ActivityForm(locations=FORM.locations, details=FORM.details),
                    ActivityForm(
                        locations=("第二教学楼201室",), details=FORM.details + "请提前十分钟入场。"
                    ),
                    ("locations", "details"),
                    None,
                    TRIBE_ADMIN.person_id,
                    NOW,
                    ("2024000001",),
                )
            )
        )
        assert state.form == form(
            locations=("第二教学楼201室",), details=FORM.details + "请提前十分钟入场。"
        )
        assert state.status is ActivityStatus.APPROVED

    def test_every_field_may_change(self) -> None:
        command = ChangeActivityDetails(
            ACTIVITY_ID,
            registration_opens=at(11, 30, 9),
            registration_closes=at(12, 2, 21),
            starts_at=at(12, 3, 15),
            ends_at=at(12, 3, 17),
        )
        [event] = given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER)).events()
        assert event.changed == (
            "registration_opens",
            "registration_closes",
            "starts_at",
            "ends_at",
        )
        assert event.before == ActivityForm(
            registration_opens=FORM.registration_opens,
            registration_closes=FORM.registration_closes,
            starts_at=FORM.starts_at,
            ends_at=FORM.ends_at,
        )

    def test_reopened_review_starts_at_the_first_stage_of_the_chain(self) -> None:
        strict = attrs.evolve(NEPU, reopen_review_on_change=True)
        [event] = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(
                ChangeActivityDetails(ACTIVITY_ID, details=FORM.details + "改"),
                actx(LEADER, rulebook=strict),
            )
            .events()
        )
        assert event.review_stage is ReviewStage.TRIBE

    def test_a_change_of_other_fields_near_the_start_is_not_a_lead_time_matter(self) -> None:
        """Given it is Tuesday 12-01 and the activity starts Thursday 12-03 (inside three working
        days), when only the place changes, then it is accepted without review (第十四条)."""
        [event] = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(
                ChangeActivityDetails(ACTIVITY_ID, locations=("第二教学楼201室",)),
                actx(LEADER, now=at(12, 1)),
            )
            .events()
        )
        assert event.review_stage is None

    def test_changing_at_the_end_is_too_late(self) -> None:
        for command in (
            ChangeActivityDetails(ACTIVITY_ID, details="补充说明"),
            ChangeAwardPlan(
                ACTIVITY_ID,
                AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits),
            ),
        ):
            error = (
                given(DECIDER, *APPROVED_CHAIN)
                .when(command, actx(LEADER, now=END))
                .raises("activity.already_ended")
            )
            assert error.details == {}

    def test_a_change_just_before_the_end_is_accepted(self) -> None:
        just_before = END - timedelta(seconds=1)
        [event] = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(
                ChangeActivityDetails(ACTIVITY_ID, details=FORM.details + "现场有变。"),
                actx(LEADER, now=just_before),
            )
            .events()
        )
        assert event.at == just_before

    def test_a_new_plan_is_recorded_with_before_and_after(self) -> None:
        """发布规范 十三、十四: the new plan goes back to the first stage of the level's chain."""
        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        state = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(ChangeAwardPlan(ACTIVITY_ID, plan), actx(TRIBE_ADMIN))
            .then(
                AwardPlanChanged(
                    ACTIVITY_ID, FORM.plan, plan, ReviewStage.TRIBE, TRIBE_ADMIN.person_id, NOW
                )
            )
        )
        assert state.form == form(plan=plan)

    def test_a_class_plan_goes_back_to_the_college(self) -> None:
        leader = tribe_actor("2023010101", CLASS_TRIBE)
        class_form = form(title="石油工程23-1班主题团日活动", level=ActivityLevel.CLASS)
        chain = [
            ActivityDrafted(ACTIVITY_ID, CLASS_TRIBE.id, class_form, leader.person_id, NOW),
            ActivitySubmitted(ACTIVITY_ID, ReviewStage.COLLEGE, leader.person_id, NOW),
            approved(ReviewStage.COLLEGE, ReviewStage.SCHOOL, PE_ADMIN.person_id),
            approved(ReviewStage.SCHOOL, None, SCHOOL_ADMIN.person_id),
        ]
        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        [event] = (
            given(DECIDER, *chain)
            .when(ChangeAwardPlan(ACTIVITY_ID, plan), actx(leader, tribe=CLASS_TRIBE))
            .events()
        )
        assert event.review_stage is ReviewStage.COLLEGE
        [event] = (
            given(DECIDER, *chain)
            .when(
                ChangeActivityDetails(ACTIVITY_ID, details=FORM.details + "改"),
                actx(
                    leader,
                    tribe=CLASS_TRIBE,
                    rulebook=attrs.evolve(NEPU, reopen_review_on_change=True),
                ),
            )
            .events()
        )
        assert event.review_stage is ReviewStage.COLLEGE


class TestReplay:
    """The state is what the log says, field by field."""

    T1, T2, T3, T4 = at(11, 23, 10), at(11, 24, 10), at(11, 25, 10), at(11, 26, 10)

    def chain(self) -> list[ActivityEvent]:
        return [
            DRAFTED,
            ActivitySubmitted(ACTIVITY_ID, ReviewStage.TRIBE, TRIBE_ADMIN.person_id, self.T1),
            ActivityStageApproved(
                ACTIVITY_ID, ReviewStage.TRIBE, ReviewStage.COLLEGE, "", "a", self.T2
            ),
            ActivityStageApproved(
                ACTIVITY_ID, ReviewStage.COLLEGE, ReviewStage.SCHOOL, "", "b", self.T3
            ),
            ActivityStageApproved(ACTIVITY_ID, ReviewStage.SCHOOL, None, "", "c", self.T4),
        ]

    def test_the_approved_activity_as_the_log_says(self) -> None:
        assert folded(self.chain()) == Activity(
            ACTIVITY_ID,
            TRIBE.id,
            FORM,
            status=ActivityStatus.APPROVED,
            submitted_by=TRIBE_ADMIN.person_id,
            submitted_at=self.T1,
            approved_at=self.T4,
        )

    def test_each_stage_moves_the_status(self) -> None:
        statuses = [folded(self.chain()[:n]).status for n in range(1, 6)]
        assert statuses == [
            ActivityStatus.DRAFT,
            ActivityStatus.PENDING_TRIBE,
            ActivityStatus.PENDING_COLLEGE,
            ActivityStatus.PENDING_SCHOOL,
            ActivityStatus.APPROVED,
        ]
        assert folded(self.chain()[:4]).approved_at is None

    def test_a_rejection_and_a_withdrawal_keep_who_submitted(self) -> None:
        rejected = ActivityRejected(ACTIVITY_ID, ReviewStage.COLLEGE, "改", "b", self.T3)
        assert folded([*self.chain()[:3], rejected]) == Activity(
            ACTIVITY_ID,
            TRIBE.id,
            FORM,
            submitted_by=TRIBE_ADMIN.person_id,
            submitted_at=self.T1,
            last_rejection="改",
        )
        withdrawn = ActivityWithdrawn(ACTIVITY_ID, ReviewStage.TRIBE, "x", self.T2)
        assert folded([*self.chain()[:2], withdrawn]) == Activity(
            ACTIVITY_ID,
            TRIBE.id,
            FORM,
            submitted_by=TRIBE_ADMIN.person_id,
            submitted_at=self.T1,
        )

    def test_an_edit_replaces_the_form(self) -> None:
        new = form(capacity=100)
        edited = ActivityDraftEdited(ACTIVITY_ID, new, LEADER.person_id, self.T1)
        assert folded([DRAFTED, edited]) == Activity(ACTIVITY_ID, TRIBE.id, new)

    def test_a_change_applies_the_changed_fields_and_counts_revisions(self) -> None:
        changed = ActivityDetailsChanged(
            ACTIVITY_ID,
            ActivityForm(details=FORM.details),
            ActivityForm(details="新说明"),
            ("details",),
            None,
            LEADER.person_id,
            self.T4,
        )
        reopened = attrs.evolve(
            changed,
            after=ActivityForm(capacity=5, details="再改"),
            review_stage=ReviewStage.COLLEGE,
        )
        approved_state = folded(self.chain())
        once = folded([changed], approved_state)
        assert once == attrs.evolve(approved_state, form=form(details="新说明"), revision=1)
        twice = folded([reopened], once)
        assert twice == attrs.evolve(
            approved_state,
            form=form(details="再改"),  # capacity was not among the changed fields
            status=ActivityStatus.PENDING_COLLEGE,
            revision=2,
        )

    def test_a_new_plan_is_pending_review(self) -> None:
        plan = AwardPlan((PlannedAward("一等奖", 1, Decimal("1")),), FORM.plan.credits)
        changed = AwardPlanChanged(
            ACTIVITY_ID, FORM.plan, plan, ReviewStage.COLLEGE, LEADER.person_id, self.T4
        )
        approved_state = folded(self.chain())
        assert folded([changed], approved_state) == attrs.evolve(
            approved_state, form=form(plan=plan), status=ActivityStatus.PENDING_COLLEGE
        )

    def test_a_cancellation_keeps_everything_else(self) -> None:
        approved_state = folded(self.chain())
        cancelled = ActivityCancelled(ACTIVITY_ID, "x", LEADER.person_id, self.T4)
        assert folded([cancelled], approved_state) == attrs.evolve(
            approved_state, status=ActivityStatus.CANCELLED
        )

    def test_the_participants_ledgers_fold_into_their_parts(self) -> None:
        """Roster, attendance, results and feedback events each change their own part only."""
        approved_state = folded(self.chain())
        registered = RegistrationAccepted(
            ACTIVITY_ID, "2024000001", RegistrationOutcome.ADMITTED, self.T4
        )
        window = CheckInWindowSet(ACTIVITY_ID, at(12, 3, 13), at(12, 3, 16), "x", self.T4)
        awarded = AwardIssued(ACTIVITY_ID, "一等奖", ("2024000001",), "x", self.T4)
        rated = ActivityRated(ACTIVITY_ID, 5, "好", "2024000001", self.T4)
        highlight = HighlightAdded(ACTIVITY_ID, "photo.png", "", "x", self.T4)
        state = folded([registered, window, awarded, rated, highlight], approved_state)
        assert state == attrs.evolve(
            approved_state,
            roster=Roster(admitted=frozenset({"2024000001"})),
            attendance=Attendance(window_opens=at(12, 3, 13), window_closes=at(12, 3, 16)),
            results=Results(awards=(("一等奖", "2024000001"),)),
            feedback=2,
        )

    def test_an_event_before_the_draft_is_a_programming_error(self) -> None:
        with pytest.raises(AssertionError, match=r"^an activity event before ActivityDrafted$"):
            DECIDER.fold([SUBMITTED])

    def test_an_unknown_event_is_a_programming_error(self) -> None:
        @attrs.frozen
        class Unknown:
            activity_id: object

        with pytest.raises(AssertionError, match=r"^unhandled event Unknown\("):
            evolve(folded([DRAFTED]), Unknown(ACTIVITY_ID))  # type: ignore[arg-type]


class TestManagers:
    """活动负责人或组织者 (第十三条, 发布规范 四): the host tribe's leaders, admins and
    organizers, and the organizers the form names."""

    @pytest.mark.parametrize(
        ("actor", "manages"),
        [
            (LEADER, True),
            (TRIBE_ADMIN, True),
            (ORGANIZER, True),  # a tribe organizer, and named on the form
            (Actor.student("2023010103"), True),  # named on the form only
            (tribe_actor("2023010103"), True),
            (OUTSIDER, False),
            (SCHOOL_ADMIN, False),
            (PE_ADMIN, False),
        ],
        ids=[
            "leader",
            "admin",
            "organizer",
            "named",
            "member-named",
            "outsider",
            "school",
            "college",
        ],
    )
    def test_who_manages_an_activity(self, actor: Actor, manages: bool) -> None:
        activity = folded(APPROVED_CHAIN)
        assert is_activity_manager(actor, activity, TRIBE) is manages

    def test_a_tribe_organizer_not_on_the_form_manages(self) -> None:
        activity = folded([attrs.evolve(DRAFTED, form=form(organizers=()))])
        assert is_activity_manager(ORGANIZER, activity, TRIBE) is True
        assert is_activity_manager(Actor.student(ORGANIZER.person_id), activity, TRIBE) is False

    def test_without_the_tribe_only_the_named_organizers_manage(self) -> None:
        activity = folded(APPROVED_CHAIN)
        assert is_activity_manager(LEADER, activity, None) is False
        assert is_activity_manager(Actor.student("2023010103"), activity, None) is True


class TestStatusWords:
    """第十一条: the app's words for each review status, and the stage each one waits for."""

    def test_labels(self) -> None:
        assert {s: s.label for s in ActivityStatus} == {
            ActivityStatus.DRAFT: "草稿",
            ActivityStatus.PENDING_TRIBE: "待部落审核",
            ActivityStatus.PENDING_COLLEGE: "待院级审核",
            ActivityStatus.PENDING_SCHOOL: "待校级审核",
            ActivityStatus.APPROVED: "已通过",
            ActivityStatus.CANCELLED: "已取消",
        }
        assert [p.label for p in (Phase.UNPUBLISHED, Phase.CANCELLED)] == ["未发布", "已取消"]

    def test_stages(self) -> None:
        assert {s: s.stage for s in ActivityStatus} == {
            ActivityStatus.DRAFT: None,
            ActivityStatus.PENDING_TRIBE: ReviewStage.TRIBE,
            ActivityStatus.PENDING_COLLEGE: ReviewStage.COLLEGE,
            ActivityStatus.PENDING_SCHOOL: ReviewStage.SCHOOL,
            ActivityStatus.APPROVED: None,
            ActivityStatus.CANCELLED: None,
        }
        assert [ActivityStatus.pending(s) for s in ReviewStage] == [
            ActivityStatus.PENDING_TRIBE,
            ActivityStatus.PENDING_COLLEGE,
            ActivityStatus.PENDING_SCHOOL,
        ]

    def test_an_activity_reads_its_level_and_target(self) -> None:
        activity = folded([DRAFTED])
        assert activity.level == ActivityLevel.COLLEGE
        assert target(SubmitActivity(ACTIVITY_ID)) == ACTIVITY_ID
        assert DraftActivity(TRIBE.id, ACTIVITY_KEY).activity_id == ACTIVITY_ID


class TestEdges:
    """The edges of the rules above, each on its own."""

    def test_a_known_activity_of_an_unknown_tribe_is_refused(self) -> None:
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(CancelActivity(ACTIVITY_ID, "x"), actx(LEADER, tribe=None))
            .raises("activity.tribe_unknown")
        )
        assert error.details == {}

    def test_a_draft_without_a_schedule_may_be_cancelled(self) -> None:
        """Nothing has started when no start is set."""
        drafted = attrs.evolve(DRAFTED, form=ActivityForm(title="石油工程学院讲座"))
        given(DECIDER, drafted).when(CancelActivity(ACTIVITY_ID, "不办了"), actx(LEADER)).then(
            ActivityCancelled(ACTIVITY_ID, "不办了", LEADER.person_id, NOW)
        )

    def test_postponing_by_an_hour_inside_the_lead_time_needs_no_review(self) -> None:
        """第十一条 counts from a request for an earlier date: a later start on the same day,
        two days ahead (Tuesday 12-01 for Thursday 12-03), is no such request."""
        command = ChangeActivityDetails(ACTIVITY_ID, starts_at=at(12, 3, 15))
        [event] = (
            given(DECIDER, *APPROVED_CHAIN).when(command, actx(LEADER, now=at(12, 1))).events()
        )
        assert (event.changed, event.review_stage) == (("starts_at",), None)

    def test_moving_the_start_earlier_on_the_same_day_inside_the_lead_time_is_refused(
        self,
    ) -> None:
        command = ChangeActivityDetails(ACTIVITY_ID, starts_at=at(12, 3, 13))
        error = (
            given(DECIDER, *APPROVED_CHAIN)
            .when(command, actx(LEADER, now=at(12, 1)))
            .raises("activity.lead_time")
        )
        assert error.details == {"days": 3, "earliest": "2026-12-04"}

    def test_a_cancelled_activity_names_nothing_more(self) -> None:
        cancelled = ActivityCancelled(ACTIVITY_ID, "x", LEADER.person_id, NOW)
        error = (
            given(DECIDER, *APPROVED_CHAIN, cancelled)
            .when(ChangeActivityDetails(ACTIVITY_ID, details="x"), actx(LEADER))
            .raises("activity.cancelled")
        )
        assert error.details == {}
