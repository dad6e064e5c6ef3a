"""second_classroom: the Second Classroom Transcript (第二课堂成绩单), event-sourced.

The public API, what an embedder imports: the facade (``SecondClassroom``), every command,
the actor and roles, errors with their codes, the rulebook, the values a command carries
(the activity form, the terms) and what the facade's reads answer. Everything else is
reached through the facade; deeper paths are the library's own layout and may move
(docs/architecture.md).
"""

import logging

from second_classroom.aggregates.activity import (
    ApproveActivity,
    CancelActivity,
    ChangeActivityDetails,
    ChangeAwardPlan,
    DraftActivity,
    EditDraft,
    Phase,
    RejectActivity,
    SubmitActivity,
    WithdrawActivity,
)
from second_classroom.aggregates.activity_feedback import (
    AddHighlight,
    EvaluateParticipant,
    RateActivity,
)
from second_classroom.aggregates.cadre import (
    AppointCadre,
    CloseCadreRound,
    EndCadreTerm,
    RateCadre,
)
from second_classroom.aggregates.certificate import (
    CertificateKind,
    IssueCertificate,
    RevokeCertificate,
)
from second_classroom.aggregates.checkin import (
    CheckIn,
    CloseAttendance,
    MakeUpCheckIn,
    OpenCheckInSession,
    ReviewFlaggedCheckIn,
    SetCheckInWindow,
    SignOff,
)
from second_classroom.aggregates.claim import (
    DecideObjection,
    FileCadreClaim,
    FileCollectiveClaim,
    FilePersonalClaim,
    ImportClaimList,
    PublishClaims,
    RaiseObjection,
    ReviewClaim,
)
from second_classroom.aggregates.growth_share import (
    GrantGrowthAccess,
    RevokeGrowthAccess,
    ViewGrowthTimeline,
)
from second_classroom.aggregates.mailbox import MarkNoticeDelivered
from second_classroom.aggregates.practice import RecordPractice
from second_classroom.aggregates.registration import (
    AdmitRegistrants,
    CancelRegistration,
    CloseReview,
    DecideLeave,
    DrawLottery,
    Register,
    RequestLeave,
)
from second_classroom.aggregates.report_submission import SubmitMonthlyReport
from second_classroom.aggregates.results import (
    FinalizeActivity,
    GrantCredits,
    IssueAward,
    RevokeCredits,
)
from second_classroom.aggregates.school_keys import (
    PublishSigningKey,
    RecordSecretFingerprint,
    RetireSigningKey,
)
from second_classroom.aggregates.student import (
    AppealDefault,
    CorrectStudentRecord,
    DecideAppeal,
    RecordPublisherExam,
    RegisterStudent,
)
from second_classroom.aggregates.transcript import IssueTranscript, RevokeTranscript
from second_classroom.aggregates.tribe import (
    AddTribeMember,
    ApplyToTribe,
    AppointTribeRole,
    ApproveTribeMember,
    CertifyTribe,
    CreateTribe,
    LeaveTribe,
    RejectTribeMember,
    RemoveTribeMember,
    RemoveTribeRole,
    RevokeTribeCertification,
)
from second_classroom.answers import CheckInCode, DrawRecord, IntegrityReport, Outcome, ReportFiles
from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import Category, DomainError, ErrorCode
from second_classroom.core.terms import (
    ActivityLevel,
    AdmissionMethod,
    AttendanceOutcome,
    CadrePosition,
    CadreRating,
    ParticipationScope,
    Program,
    ReviewStage,
    TribeKind,
    TribeLevel,
)
from second_classroom.core.version import VERSION
from second_classroom.policies.activity_form import (
    ActivityForm,
    Admission,
    AwardPlan,
    PlannedAward,
    PlannedCredit,
    Scope,
)
from second_classroom.policies.rulebook import Rulebook, preset, presets
from second_classroom.projections.notices import Notice
from second_classroom.projections.queries import Page
from second_classroom.service import SecondClassroom
from second_classroom.verification import Verification, VerificationStatus

__version__ = VERSION

# A library adds no handler of its own: the application configures logging (the command
# line does, with --log-level); without that, nothing from here reaches stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "ActivityForm",
    "ActivityLevel",
    "Actor",
    "AddHighlight",
    "AddTribeMember",
    "Admission",
    "AdmissionMethod",
    "AdmitRegistrants",
    "AppealDefault",
    "ApplyToTribe",
    "AppointCadre",
    "AppointTribeRole",
    "ApproveActivity",
    "ApproveTribeMember",
    "AttendanceOutcome",
    "AwardPlan",
    "CadrePosition",
    "CadreRating",
    "CancelActivity",
    "CancelRegistration",
    "Category",
    "CertificateKind",
    "CertifyTribe",
    "ChangeActivityDetails",
    "ChangeAwardPlan",
    "CheckIn",
    "CheckInCode",
    "CloseAttendance",
    "CloseCadreRound",
    "CloseReview",
    "CorrectStudentRecord",
    "CreateTribe",
    "DecideAppeal",
    "DecideLeave",
    "DecideObjection",
    "DomainError",
    "DraftActivity",
    "DrawLottery",
    "DrawRecord",
    "EditDraft",
    "EndCadreTerm",
    "ErrorCode",
    "EvaluateParticipant",
    "FileCadreClaim",
    "FileCollectiveClaim",
    "FilePersonalClaim",
    "FinalizeActivity",
    "GrantCredits",
    "GrantGrowthAccess",
    "ImportClaimList",
    "IntegrityReport",
    "IssueAward",
    "IssueCertificate",
    "IssueTranscript",
    "LeaveTribe",
    "MakeUpCheckIn",
    "MarkNoticeDelivered",
    "Notice",
    "OpenCheckInSession",
    "Outcome",
    "Page",
    "ParticipationScope",
    "Phase",
    "PlannedAward",
    "PlannedCredit",
    "Program",
    "PublishClaims",
    "PublishSigningKey",
    "RaiseObjection",
    "RateActivity",
    "RateCadre",
    "RecordPractice",
    "RecordPublisherExam",
    "RecordSecretFingerprint",
    "Register",
    "RegisterStudent",
    "RejectActivity",
    "RejectTribeMember",
    "RemoveTribeMember",
    "RemoveTribeRole",
    "ReportFiles",
    "RequestLeave",
    "RetireSigningKey",
    "ReviewClaim",
    "ReviewFlaggedCheckIn",
    "ReviewStage",
    "RevokeCertificate",
    "RevokeCredits",
    "RevokeGrowthAccess",
    "RevokeTranscript",
    "RevokeTribeCertification",
    "Role",
    "RoleKind",
    "Rulebook",
    "Scope",
    "SecondClassroom",
    "SetCheckInWindow",
    "SignOff",
    "SubmitActivity",
    "SubmitMonthlyReport",
    "TribeKind",
    "TribeLevel",
    "Verification",
    "VerificationStatus",
    "ViewGrowthTimeline",
    "WithdrawActivity",
    "preset",
    "presets",
]
