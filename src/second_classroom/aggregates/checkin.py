"""签到 (第十五、十六条, 发布规范 十): sessions, student check-in, 补签, 签退 by the organizer,
and closing attendance — which marks no-shows and writes each admitted student's integrity
entry, atomically with the activity's ledger."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from second_classroom.aggregates import activity_attendance as ledger
from second_classroom.aggregates.activity import SECRET_MISSING, Activity, is_activity_manager
from second_classroom.aggregates.activity_attendance import Geofence, Method, Session, SessionKind
from second_classroom.aggregates.activity_facts import ActivityFacts, Decision, Involved, published
from second_classroom.aggregates.enrolment import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentOutcomeRecorded,
    enrolment_id,
)
from second_classroom.aggregates.integrity_record import IntegrityEntry
from second_classroom.aggregates.student import (
    AttendanceRecorded,
    DefaultMadeUp,
    StudentEvent,
    made_up,
)
from second_classroom.core import ids
from second_classroom.core.actor import Role
from second_classroom.core.errors import UNAUTHORIZED, Category, ErrorCode, require, required
from second_classroom.core.terms import AttendanceOutcome
from second_classroom.core.text import Code, PersonId, Proof, Reason
from second_classroom.core.time import SHANGHAI, aware, aware_or_none
from second_classroom.policies import checkin_codes as codes
from second_classroom.policies import integrity
from second_classroom.policies.calendar import window_end
from second_classroom.policies.rulebook import MissingCheckout, Rulebook

SESSION_WINDOW = ErrorCode(
    "checkin.session_window",
    "签到码须在报名结束与活动结束之间生成，且不能超过活动结束时间（第十五条）",
    "A check-in session lies between the end of registration and the end of the activity",
    Category.INVALID,
)
OUTSIDE_WINDOW = ErrorCode(
    "checkin.outside_window",
    "签到码有效时间须在签到时间（{opens} 至 {closes}）内（第十六条：默认为活动开始到活动结束）",
    "A code's validity lies within the check-in time ({opens} to {closes}); by default the"
    " activity's start to its end",
    Category.INVALID,
)
WINDOW_INVALID = ErrorCode(
    "checkin.window_invalid",
    "签到时间须在报名结束与活动结束之间，且开始早于结束（第十五、十六条）",
    "The check-in time lies between the end of registration and the end of the activity,"
    " its start before its end",
    Category.INVALID,
)
VALIDITY_TOO_LONG = ErrorCode(
    "checkin.validity_too_long",
    "签到有效时间不得超过 {maximum} 分钟（发布规范 十）",
    "A check-in code is valid for at most {maximum} minutes",
    Category.INVALID,
)
DISTANCE_REQUIRED = ErrorCode(
    "checkin.distance_required",
    "须设置签到距离；仅活动场地涉及全校的活动可不设置（发布规范 十）",
    "A distance limit is required unless the activity's venue spans the whole campus",
    Category.INVALID,
)
GEOFENCE_INVALID = ErrorCode(
    "checkin.geofence_invalid",
    "签到距离设置无效",
    "The distance limit is not a valid circle",
    Category.INVALID,
)
ROTATION_INVALID = ErrorCode(
    "checkin.rotation_invalid",
    "二维码刷新间隔 {rotation} 秒无效（须在5秒与有效时间之间）",
    "A rotation of {rotation} s is invalid (5 s up to the validity)",
    Category.INVALID,
)
SESSION_UNKNOWN = ErrorCode(
    "checkin.session_unknown", "没有这个签到", "No such check-in session", Category.NOT_FOUND
)
NOT_ADMITTED = ErrorCode(
    "checkin.not_admitted",
    "只有报名成功（已录取）的学生可以签到",
    "Only admitted students can check in",
    Category.FORBIDDEN,
)
NOT_OPEN = ErrorCode(
    "checkin.session_closed",
    "不在签到有效时间内（{opens} 至 {closes}）",
    "Outside the session's validity ({opens} to {closes})",
    Category.CLOSED,
)
ALREADY = ErrorCode(
    "checkin.already_checked_in",
    "本次已签到",
    "Already checked in to this session",
    Category.CONFLICT,
)
REPLAYED = ErrorCode(
    "checkin.token_replayed",
    "该签到码已使用过",
    "This code was already used by this student",
    Category.CONFLICT,
)
ONE_METHOD = ErrorCode(
    "checkin.method_required",
    "请扫码或输入签到密码（二者选一）",
    "Scan the code or enter the password (exactly one)",
    Category.INVALID,
)
PASSWORD_DISABLED = ErrorCode(
    "checkin.password_disabled",
    "本次签到不支持密码签到",
    "This session does not accept passwords",
    Category.INVALID,
)
WRONG_PASSWORD = ErrorCode(
    "checkin.wrong_password",
    "签到密码错误，本次签到还可输入 {attempts_left} 次",
    "Wrong check-in password; {attempts_left} attempts left in this session",
    Category.FORBIDDEN,
)
PASSWORD_LOCKED = ErrorCode(
    "checkin.password_locked",
    "签到密码已输错 {attempts} 次，本次签到不能再用密码，请扫码签到或联系组织者",
    "{attempts} wrong passwords: no more passwords in this session; scan the code or ask an"
    " organizer",
    Category.FORBIDDEN,
)
SELF_DEALING = ErrorCode(
    "checkin.self_dealing",
    "不能为自己补签或审核自己的签到，须由其他负责人或组织者办理",
    "Nobody makes up or reviews their own check-in: another manager must",
    Category.FORBIDDEN,
)
LOCATION_REQUIRED = ErrorCode(
    "checkin.location_required",
    "本次签到需要定位",
    "This session needs your location",
    Category.INVALID,
)
LOCATION_INVALID = ErrorCode(
    "checkin.location_invalid",
    "定位无效：纬度 {latitude} 须在 -90 至 90 之间，经度 {longitude} 须在 -180 至 180 之间",
    "Not a place: latitude {latitude} must be -90 to 90, longitude {longitude} -180 to 180",
    Category.INVALID,
)
TOO_FAR = ErrorCode(
    "checkin.too_far",
    "距离签到地点 {distance_m} 米，超出 {radius_m} 米范围",
    "{distance_m} m from the check-in point, beyond the {radius_m} m limit",
    Category.FORBIDDEN,
)
REASON_REQUIRED = ErrorCode(
    "checkin.reason_required", "请填写理由", "A reason is required", Category.INVALID
)
MAKEUP_CLOSED = ErrorCode(
    "checkin.makeup_closed",
    "补签须在活动结束后 {days} 个工作日内完成（截止 {deadline}）",
    "Make-up check-in closes {days} working days after the end ({deadline})",
    Category.CLOSED,
)
MAKEUP_BEFORE_START = ErrorCode(
    "checkin.makeup_before_start",
    "活动开始后才能补签",
    "A make-up check-in comes once the activity has started",
    Category.CLOSED,
)
EVIDENCE_REQUIRED = ErrorCode(
    "checkin.evidence_required",
    "签到已结算，补签须附活动负责人提供的纸质材料编号（发布规范 十）",
    "Attendance is closed: a make-up needs the reference of the paper evidence",
    Category.INVALID,
)
NOT_A_NO_SHOW = ErrorCode(
    "checkin.makeup_not_no_show",
    "{student} 的签到结果为「{outcome}」，结算后补签只能撤销未签到",
    "{student}'s outcome is {outcome}: after closing, a make-up only reverses a no-show",
    Category.CONFLICT,
)
ATTENDANCE_CLOSED = ErrorCode(
    "checkin.attendance_closed", "签到已结算，不能再修改", "Attendance is closed", Category.CLOSED
)
NOT_FLAGGED = ErrorCode(
    "checkin.not_flagged",
    "该签到没有待审核的异常",
    "No flagged check-in awaits review here",
    Category.NOT_FOUND,
)
NOT_ENDED = ErrorCode(
    "checkin.not_ended",
    "活动结束（及补签期结束）后才能结算签到：{when}",
    "Attendance is closed only after the activity and any make-up window: {when}",
    Category.CLOSED,
)
NOT_DURING = ErrorCode(
    "checkin.not_during",
    "签退须在活动进行中",
    "A sign-off happens during the activity",
    Category.CLOSED,
)

TOKEN_ERRORS = {
    codes.TokenProblem.INVALID: ErrorCode(
        "checkin.token_invalid",
        "签到码无效或被篡改",
        "The code is not valid or was altered",
        Category.INVALID,
    ),
    codes.TokenProblem.FOREIGN: ErrorCode(
        "checkin.token_foreign",
        "这是其他活动的签到码",
        "This code belongs to another activity",
        Category.INVALID,
    ),
    codes.TokenProblem.EXPIRED: ErrorCode(
        "checkin.token_expired",
        "签到码已过期，请重新扫码",
        "The code has expired; scan again",
        Category.CLOSED,
    ),
}

# -- commands -------------------------------------------------------------------------------


@attrs.frozen
class Location:
    """Where the device says it is; used for the verdict and never stored."""

    latitude: float
    longitude: float
    accuracy_m: float = 0.0


@attrs.frozen
class OpenCheckInSession:
    """生成签到码 (第十五条): validity ≤ the rulebook maximum and within the activity."""

    activity_id: UUID
    valid_minutes: int
    kind: SessionKind = SessionKind.CHECK_IN
    opens_at: datetime | None = attrs.field(default=None, validator=aware_or_none)
    allow_password: bool = True
    geofence: Geofence | None = None
    rotation_seconds: int | None = None  # None: the rulebook's (15 s)


@attrs.frozen
class SetCheckInWindow:
    """签到时间可由活动主办方修改 (第十六条): when check-in codes may be valid. By default the
    activity's start to its end; it may open earlier, from the end of registration (第十五条)."""

    activity_id: UUID
    opens_at: datetime = attrs.field(validator=aware)
    closes_at: datetime = attrs.field(validator=aware)


@attrs.frozen
class CheckIn:
    """The acting student checks in by scanning (``token``) or by ``password``."""

    activity_id: UUID
    session: int
    token: Code | None = None
    password: Code | None = None
    location: Location | None = None
    device_id: Code | None = None


@attrs.frozen
class MakeUpCheckIn:
    """补签 by the leader or an organizer, with a reason, from the activity's start; after
    attendance closed it reverses a no-show and needs ``evidence``, the reference of the paper
    evidence the 负责人 provides (发布规范 十)."""

    activity_id: UUID
    student: PersonId
    reason: Reason
    evidence: Proof = ""


@attrs.frozen
class ReviewFlaggedCheckIn:
    """Accept or void a check-in the anomaly rule flagged."""

    activity_id: UUID
    session: int
    student: PersonId
    accept: bool


@attrs.frozen
class SignOff:
    """被负责人、组织者签退 (第十六条): counts as a default under the NEPU rule."""

    activity_id: UUID
    student: PersonId
    reason: Reason


@attrs.frozen
class CloseAttendance:
    """After the activity (and any make-up window): mark no-shows, write integrity entries."""

    activity_id: UUID


CheckInCommand = (
    OpenCheckInSession
    | CheckIn
    | MakeUpCheckIn
    | ReviewFlaggedCheckIn
    | SignOff
    | CloseAttendance
    | SetCheckInWindow
)
COMMANDS: tuple[type, ...] = CheckInCommand.__args__


def students_involved(command: CheckInCommand, activity: Activity | None) -> set[str]:
    """Whose enrolments and records a decision needs."""
    if isinstance(command, CloseAttendance) and activity is not None:
        return set(activity.roster.admitted)
    if isinstance(command, SignOff):
        return {command.student}
    if isinstance(command, MakeUpCheckIn) and activity is not None:
        # After closing, a make-up reverses the default in the enrolment and the record.
        return {command.student} if activity.attendance.closed else set()
    return set()


# -- rules ----------------------------------------------------------------------------------


def checkin_window(activity: Activity) -> tuple[datetime, datetime]:
    """签到时间 (第十六条): 默认为活动开始到活动结束, unless the host changed it.

    It bounds the validity of every check-in code; each code's own validity is at most
    ``[checkin] max_validity_minutes`` (发布规范 十: 有效时间不得超过10分钟).
    """
    book, form = activity.attendance, activity.form
    assert form.starts_at is not None
    assert form.ends_at is not None
    return (book.window_opens or form.starts_at, book.window_closes or form.ends_at)


def makeup_deadline(activity: Activity, rulebook: Rulebook) -> datetime | None:
    """End of the make-up window: N working days after the end, end of that day; N is the
    activity category's (002 一 2) 报告讲座类…5个工作日内及时补录), else the rulebook's."""
    days = rulebook.makeup_working_days(activity.form.module, activity.form.category)
    ends = activity.form.ends_at
    if days is None or ends is None:
        return None
    return window_end(rulebook, ends, days)


def closing_time(activity: Activity, rulebook: Rulebook) -> datetime | None:
    """When attendance can be closed: the end, or the end of the make-up window."""
    return makeup_deadline(activity, rulebook) or activity.form.ends_at


def outcome_of(
    activity: Activity, student: str, enrolment: Enrolment | None, rulebook: Rulebook
) -> AttendanceOutcome:
    """第十六条: no check-in and no approved leave is a no-show; a sign-off is its own default."""
    book = activity.attendance
    if enrolment is not None and enrolment.excused:
        return AttendanceOutcome.EXCUSED
    if book.signed_off_at(student) is not None:
        return AttendanceOutcome.SIGNED_OFF
    if student in book.made_up:
        return AttendanceOutcome.ATTENDED
    if not book.checked(student, SessionKind.CHECK_IN):
        return AttendanceOutcome.NO_SHOW
    rule = rulebook.checkin
    has_checkout = any(s.kind is SessionKind.CHECK_OUT for s in book.sessions)
    if rule.require_checkout and has_checkout and not book.checked(student, SessionKind.CHECK_OUT):
        return (
            AttendanceOutcome.ATTENDED
            if rule.missing_checkout is MissingCheckout.ATTENDED
            else AttendanceOutcome.NO_SHOW
        )
    return AttendanceOutcome.ATTENDED


# -- decide ---------------------------------------------------------------------------------


def involved(command: CheckInCommand, activity: Activity | None) -> Involved:
    """The enrolments and records a decision may write (the same students'), and the secret
    the codes are checked with."""
    students = frozenset(students_involved(command, activity))
    return Involved(enrolments=students, records=students, secret=True)


def decide(command: CheckInCommand, ctx: ActivityFacts) -> Decision:
    """Decide the events; raise a DomainError when the command is refused."""
    activity = published(ctx, command.activity_id)
    if not isinstance(command, CheckIn):
        require(
            is_activity_manager(ctx.base.actor, activity, ctx.tribe)
            or _system_closes(command, ctx),
            UNAUTHORIZED,
            action="签到管理 manage check-in",
        )
    if not isinstance(command, MakeUpCheckIn):
        require(not activity.attendance.closed, ATTENDANCE_CLOSED)
    match command:
        case OpenCheckInSession():
            return _open(command, activity, ctx)
        case CheckIn():
            return _check_in(command, activity, ctx)
        case MakeUpCheckIn():
            return _make_up(command, activity, ctx)
        case ReviewFlaggedCheckIn(session=number, student=student, accept=accept):
            _require_second_person(student, ctx)
            require((number, student) in activity.attendance.flagged, NOT_FLAGGED)
            event = ledger.FlaggedCheckInReviewed(
                activity.id, number, student, accept, ctx.base.actor.person_id, ctx.base.now
            )
            return Decision(activity=(event,))
        case SignOff(student=student, reason=reason):
            return _sign_off(student, reason, activity, ctx)
        case CloseAttendance():
            return _close(activity, ctx)
        case SetCheckInWindow():
            return _set_window(command, activity, ctx)
    raise AssertionError(f"unhandled command {command!r}")


def _set_window(command: SetCheckInWindow, activity: Activity, ctx: ActivityFacts) -> Decision:
    base, form = ctx.base, activity.form
    assert form.registration_closes is not None
    assert form.ends_at is not None
    opens, closes = command.opens_at, command.closes_at
    require(
        form.registration_closes <= opens < closes <= form.ends_at and base.now < form.ends_at,
        WINDOW_INVALID,
    )
    if (opens, closes) == checkin_window(activity):
        return Decision()
    by = base.actor.person_id
    window_set = ledger.CheckInWindowSet(activity.id, opens, closes, by, base.now)
    return Decision(activity=(window_set,))


def _system_closes(command: CheckInCommand, ctx: ActivityFacts) -> bool:
    return isinstance(command, CloseAttendance) and ctx.base.actor.is_system


def _open(command: OpenCheckInSession, activity: Activity, ctx: ActivityFacts) -> Decision:
    base, rule = ctx.base, ctx.base.rulebook.checkin
    form = activity.form
    assert form.registration_closes is not None
    assert form.ends_at is not None
    opens = command.opens_at or base.now
    require(
        command.valid_minutes <= rule.max_validity_minutes,
        VALIDITY_TOO_LONG,
        maximum=rule.max_validity_minutes,
    )
    # Bounded before the arithmetic: a validity of -2**31 minutes would overflow datetime.
    require(command.valid_minutes >= 1, SESSION_WINDOW)
    closes = opens + timedelta(minutes=command.valid_minutes)
    require(
        form.registration_closes <= base.now < form.ends_at
        and form.registration_closes <= opens
        and closes <= form.ends_at,
        SESSION_WINDOW,
    )
    window_opens, window_closes = checkin_window(activity)
    if not (window_opens <= opens and closes <= window_closes):  # texts only when refused
        raise OUTSIDE_WINDOW.error(
            opens=f"{window_opens.astimezone(SHANGHAI):%m-%d %H:%M}",
            closes=f"{window_closes.astimezone(SHANGHAI):%m-%d %H:%M}",
        )
    fence = command.geofence
    # 发布规范 十 "活动范围涉及全校" is read as the venue, flagged on the form: keyed on the
    # participation scope (学校内 is the default) most activities would escape the limit.
    campus_wide = form.campus_wide_venue
    require(fence is not None or campus_wide or not rule.require_distance_limit, DISTANCE_REQUIRED)
    if fence is not None:
        # An infinite or huge radius would pass as a distance limit while limiting nothing.
        require(
            math.isfinite(fence.radius_m)
            and 0 < fence.radius_m <= rule.max_radius_m
            and -90 <= fence.latitude <= 90
            and -180 <= fence.longitude <= 180,
            GEOFENCE_INVALID,
        )
    rotation = command.rotation_seconds or rule.rotation_seconds
    require(5 <= rotation <= command.valid_minutes * 60, ROTATION_INVALID, rotation=rotation)
    session = Session(
        len(activity.attendance.sessions) + 1,
        command.kind,
        opens,
        closes,
        command.allow_password,
        fence,
        rotation,
    )
    opened = ledger.CheckInSessionOpened(activity.id, session, base.actor.person_id, base.now)
    return Decision(activity=(opened,))


def _check_in(command: CheckIn, activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    actor, now = base.actor, base.now
    student = actor.person_id
    require(actor.has(Role.student()), UNAUTHORIZED, action="签到 check in")
    require(student in activity.roster.admitted, NOT_ADMITTED)
    session = required(activity.attendance.session(command.session), SESSION_UNKNOWN)
    if not session.opens_at <= now < session.closes_at:
        # The times' texts only when refused: formatting one in a zone costs 10-50 µs.
        raise NOT_OPEN.error(
            opens=f"{session.opens_at.astimezone(SHANGHAI):%H:%M}",
            closes=f"{session.closes_at.astimezone(SHANGHAI):%H:%M}",
        )
    secret = required(ctx.secret, SECRET_MISSING)
    require((command.token is None) != (command.password is None), ONE_METHOD)
    step, method = None, Method.PASSWORD
    if command.token is not None:
        checked = codes.check_token(
            secret, command.token, activity.id, now, session.rotation_seconds
        )
        if isinstance(checked, codes.TokenProblem):
            raise TOKEN_ERRORS[checked].error()
        require(checked.session == session.number, SESSION_UNKNOWN)
        step, method = checked.step, Method.QR
        require((session.number, student, step) not in activity.attendance.tokens, REPLAYED)
    else:
        require(session.allow_password, PASSWORD_DISABLED)
        limit = base.rulebook.checkin.password_attempts
        used = activity.attendance.wrong_guesses(session.number, student)
        locked = (session.number, student) in activity.attendance.password_locked
        # Refused before the password is compared, so a used-up student learns nothing more.
        require(not locked and used < limit, PASSWORD_LOCKED, attempts=used)
        expected = codes.session_password(secret, activity.id, session.number)
        if not codes.same_password(command.password or "", expected):
            # Before any location check: a wrong guess answers the same from anywhere.
            return _wrong_password(activity, session.number, student, used, limit, now)
    require((session.number, student) not in activity.attendance.present, ALREADY)
    distance = _distance(command.location, session, base.rulebook)
    device = codes.fingerprint(secret, "device", command.device_id) if command.device_id else None
    place = _place(secret, command.location)
    flagged = _anomalous(activity, session.number, student, device, place, now, base.rulebook)
    event = ledger.StudentCheckedIn(
        activity_id=activity.id,
        session=session.number,
        student=student,
        method=method,
        distance=codes.distance_bucket(distance),
        step=step,
        device=device,
        place=place,
        flagged=flagged,
        reason="",
        by=student,
        at=now,
    )
    return Decision(activity=(event,))


def _wrong_password(
    activity: Activity, session: int, student: str, used: int, limit: int, now: datetime
) -> Decision:
    """Record the wrong guess (and, at the limit, flag the student), then refuse."""
    attempt = used + 1
    events: list[ledger.AttendanceEvent] = [
        ledger.CheckInPasswordRejected(activity.id, session, student, attempt, now)
    ]
    if attempt >= limit:
        events.append(ledger.CheckInPasswordLocked(activity.id, session, student, attempt, now))
    refusal = WRONG_PASSWORD.error(attempts_left=max(limit - attempt, 0))
    return Decision(activity=tuple(events), refusal=refusal)


def _distance(location: Location | None, session: Session, rulebook: Rulebook) -> float | None:
    fence = session.geofence
    if fence is None:
        return None
    location = required(location, LOCATION_REQUIRED)
    # Out of range, the trigonometry still answers (latitude 500 reads as 140): refuse it
    # rather than let a wrong coordinate land inside, or outside, the circle by accident.
    require(
        -90 <= location.latitude <= 90 and -180 <= location.longitude <= 180,
        LOCATION_INVALID,
        latitude=location.latitude,
        longitude=location.longitude,
    )
    distance = codes.haversine_m(
        location.latitude, location.longitude, fence.latitude, fence.longitude
    )
    accuracy = min(max(location.accuracy_m, 0.0), rulebook.checkin.max_accuracy_m)
    require(
        codes.within(distance, fence.radius_m, accuracy),
        TOO_FAR,
        distance_m=round(distance),
        radius_m=round(fence.radius_m),
    )
    return distance


def _place(secret: bytes, location: Location | None) -> str | None:
    """Coordinates rounded to about a metre, keyed-hashed: equal only when identical."""
    if location is None:
        return None
    return codes.fingerprint(secret, "place", f"{location.latitude:.5f},{location.longitude:.5f}")


def _anomalous(
    activity: Activity,
    session: int,
    student: str,
    device: str | None,
    place: str | None,
    now: datetime,
    rulebook: Rulebook,
) -> bool:
    """Several students on one device, or at identical coordinates, within seconds."""
    if device is None and place is None:
        return False
    window = rulebook.checkin.anomaly_window_seconds
    for scan in activity.attendance.recent:
        # The shared device or place first: it is rare, and the time's arithmetic is not
        # (in a burst every recent scan is within the window). Same test, same answer.
        if not (
            (device is not None and scan.device == device)
            or (place is not None and scan.place == place)
        ):
            continue
        if scan.session != session or scan.student == student:
            continue
        if abs((now - scan.at).total_seconds()) > window:
            continue
        return True
    return False


def _require_second_person(student: str, ctx: ActivityFacts) -> None:
    """A manager's own attendance is vouched for by someone else (ours; cf. 第二十四条)."""
    rule = ctx.base.rulebook.checkin
    require(student != ctx.base.actor.person_id or rule.allow_self_makeup, SELF_DEALING)


def _make_up(command: MakeUpCheckIn, activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    student, reason, evidence = command.student, command.reason, command.evidence
    _require_second_person(student, ctx)
    require(student in activity.roster.admitted, NOT_ADMITTED)
    require(bool(reason.strip()), REASON_REQUIRED)
    starts = activity.form.starts_at
    # 第十六条 补签 is for 参加活动的同学 who could not check in: nobody has taken part yet.
    require(starts is not None and base.now >= starts, MAKEUP_BEFORE_START)
    deadline = makeup_deadline(activity, base.rulebook)
    if deadline is not None:
        days = base.rulebook.makeup_working_days(activity.form.module, activity.form.category)
        shown = f"{(deadline - timedelta(days=1)):%Y-%m-%d}"
        require(base.now < deadline, MAKEUP_CLOSED, days=days, deadline=shown)
    if activity.attendance.closed:
        return _make_up_after_close(command, activity, ctx)
    if student in activity.attendance.made_up:
        return Decision()
    event = ledger.StudentCheckedIn(
        activity_id=activity.id,
        session=0,
        student=student,
        method=Method.MAKEUP,
        distance="makeup",
        step=None,
        device=None,
        place=None,
        flagged=False,
        reason=reason,
        by=base.actor.person_id,
        at=base.now,
        evidence=evidence,
    )
    return Decision(activity=(event,))


def _make_up_after_close(
    command: MakeUpCheckIn, activity: Activity, ctx: ActivityFacts
) -> Decision:
    """发布规范 十: 如因手机网络、定位等原因导致无法签到可进行补签，活动结束后活动负责人需按照要求
    提供相关纸质材料. The closing reaction already made the student a no-show (and blacklisted
    them); the make-up reverses that default with new events — on the attendance ledger, the
    enrolment and the student's record, whose blacklist is recomputed from the defaults left."""
    base = ctx.base
    student = command.student
    outcome = activity.attendance.outcome(student)
    if outcome is AttendanceOutcome.ATTENDED:
        return Decision()  # made up (or present) already: nothing changes
    require(
        outcome is AttendanceOutcome.NO_SHOW,
        NOT_A_NO_SHOW,
        student=student,
        outcome=outcome.label if outcome else "",
    )
    require(bool(command.evidence.strip()), EVIDENCE_REQUIRED)
    by, now = base.actor.person_id, base.now
    event = ledger.NoShowMadeUp(activity.id, student, command.reason, command.evidence, by, now)
    eid = enrolment_id(activity.id, student)
    enrolments: dict[str, tuple[EnrolmentEvent, ...]] = {
        student: (
            EnrolmentOutcomeRecorded(eid, activity.id, student, AttendanceOutcome.ATTENDED, now),
        )
    }
    records: dict[str, tuple[StudentEvent, ...]] = {}
    record = ctx.records.get(student)
    entry_id = ids.derive("integrity", str(activity.id), student)
    if record is not None and record.entry(entry_id) is not None:
        after = made_up(record.integrity, entry_id)
        until = integrity.blacklisted_until(after, base.rulebook.integrity)
        records[student] = (DefaultMadeUp(record.id, entry_id, command.evidence, until, by, now),)
    return Decision(activity=(event,), enrolments=enrolments, records=records)


def _sign_off(student: str, reason: str, activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    require(student in activity.roster.admitted, NOT_ADMITTED)
    require(bool(reason.strip()), REASON_REQUIRED)
    starts, ends = activity.form.starts_at, activity.form.ends_at
    assert starts is not None
    assert ends is not None
    require(starts <= base.now < ends, NOT_DURING)
    if activity.attendance.signed_off_at(student) is not None:
        return Decision()
    event = ledger.StudentSignedOff(activity.id, student, reason, base.actor.person_id, base.now)
    # The default is final at once (no make-up undoes a sign-off), so the student's record,
    # and with it the blacklist, takes it now rather than when attendance closes.
    records = _entry(activity, student, AttendanceOutcome.SIGNED_OFF, base.now, ctx)
    return Decision(activity=(event,), records=records)


def _entry(
    activity: Activity, student: str, outcome: AttendanceOutcome, at: datetime, ctx: ActivityFacts
) -> dict[str, tuple[StudentEvent, ...]]:
    """The integrity entry for ``student``'s outcome, dated when it became final."""
    record = ctx.records.get(student)
    if record is None:
        return {}
    level = activity.form.level
    assert level is not None
    rule = ctx.base.rulebook.integrity
    entry = IntegrityEntry(
        ids.derive("integrity", str(activity.id), student),
        activity.id,
        level,
        outcome,
        at,
        integrity.citation(outcome, rule),
    )
    until = integrity.blacklisted_until((*record.integrity, entry), rule)
    return {student: (AttendanceRecorded(record.id, entry, until, ctx.base.now),)}


def _close(activity: Activity, ctx: ActivityFacts) -> Decision:
    base = ctx.base
    rulebook = base.rulebook
    when = closing_time(activity, rulebook)
    assert when is not None
    if base.now < when:  # the text only when refused
        raise NOT_ENDED.error(when=f"{when.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
    level = activity.form.level
    assert level is not None
    ends = activity.form.ends_at
    assert ends is not None
    outcomes: list[tuple[str, AttendanceOutcome]] = []
    enrolments: dict[str, tuple[EnrolmentEvent, ...]] = {}
    records: dict[str, tuple[StudentEvent, ...]] = {}
    for student in sorted(activity.roster.admitted):
        outcome = outcome_of(activity, student, ctx.enrolments.get(student), rulebook)
        outcomes.append((student, outcome))
        eid = enrolment_id(activity.id, student)
        enrolments[student] = (
            EnrolmentOutcomeRecorded(eid, activity.id, student, outcome, base.now),
        )
        if (
            outcome is not AttendanceOutcome.SIGNED_OFF
        ):  # a sign-off entered the record when it happened
            # A no-show is final when it can no longer be made up: at the closing time.
            records.update(_entry(activity, student, outcome, when, ctx))
    closed = ledger.AttendanceClosed(activity.id, tuple(outcomes), base.actor.person_id, base.now)
    return Decision(activity=(closed,), enrolments=enrolments, records=records)
