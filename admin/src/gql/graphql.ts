/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AppointmentStatus =
  | 'BOOKED'
  | 'CANCELLED'
  | 'COMPLETED'
  | 'MISSED'
  | 'PROVIDER_FAULT'
  | 'RESCHEDULED';

export type AttemptStatus =
  | 'READY'
  | 'STARTED'
  | 'SUBMITTED'
  | 'VOIDED';

export type AuditEventFilter = {
  action?: string | null | undefined;
  actor?: string | null | undefined;
  from?: string | null | undefined;
  subjectId?: string | null | undefined;
  to?: string | null | undefined;
};

export type BookPriorityAppointmentInput = {
  incidentId: string | number;
  registrationId: string | number;
  startsAt: string;
};

export type CardBrand =
  | 'AMEX'
  | 'CB'
  | 'MASTERCARD'
  | 'OTHER'
  | 'VISA';

export type CertificateStatus =
  | 'REVOKED'
  | 'VALID';

export type ConfirmProviderIncidentInput = {
  incidentId: string | number;
  providerReference: string;
};

export type DecideFraudCaseInput = {
  caseId: string | number;
  /** CLEARED or FRAUD_CONFIRMED. */
  outcome: FraudCaseStatus;
  reason: string;
};

export type DecideRefundInput = {
  comment: string;
  idempotencyKey: string;
  refundRequestId: string | number;
};

export type EquipmentRequirement =
  | 'DOWNLOAD_BANDWIDTH'
  | 'MICROPHONE'
  | 'OPERATING_SYSTEM'
  | 'PORT_1935'
  | 'PRIVATE_PLACE'
  | 'SPEAKERS'
  | 'UPLOAD_BANDWIDTH'
  | 'WEBCAM';

export type ErrorCode =
  | 'ACTIVE_APPOINTMENT_EXISTS'
  | 'ALREADY_PAID'
  | 'ALREADY_REFUNDED'
  | 'ALREADY_REGISTERED'
  | 'AMOUNT_MISMATCH'
  | 'APPOINTMENT_ALREADY_BOOKED'
  | 'APPOINTMENT_NOT_ACTIVE'
  | 'ATTEMPT_ALREADY_USED'
  | 'ATTEMPT_ENDED'
  | 'ATTEMPT_NOT_STARTED'
  | 'ATTEMPT_VOIDED'
  | 'CARD_BRAND_NOT_ACCEPTED'
  | 'CARD_EXPIRES_TOO_SOON'
  | 'CERTIFICATE_ALREADY_ISSUED'
  | 'CERTIFICATE_REVOKED'
  | 'COMMENT_REQUIRED'
  | 'ERASURE_BLOCKED'
  | 'EVIDENCE_ALREADY_STORED'
  | 'EXAM_CONTENT_INVALID'
  | 'E_CARTE_BLEUE_NOT_REFUNDABLE'
  | 'FOUR_EYES_REQUIRED'
  | 'FRAUD_REVIEW_OPEN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INCIDENT_NOT_ELIGIBLE'
  | 'INVALID_ANSWER'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TRANSITION'
  | 'JOB_ALREADY_RUNNING'
  | 'JOB_NOT_AVAILABLE'
  | 'LEAD_TIME_TOO_SHORT'
  | 'LEARNER_ERASED'
  | 'LEGAL_HOLD_ACTIVE'
  | 'NAME_LOCKED'
  | 'NAME_NOT_LOCKED'
  | 'NOT_APPOINTMENT_TIME'
  | 'NOT_FOUND'
  | 'NOT_PAID'
  | 'NO_CONFIRMED_PROVIDER_INCIDENT'
  | 'NO_LEGAL_HOLD'
  | 'NO_TIME_LEFT_IN_PERIOD'
  | 'OUTSIDE_EXAM_PERIOD'
  | 'PART_ALREADY_SUBMITTED'
  | 'PAYMENT_NOT_REQUIRED'
  | 'PROFILE_INCOMPLETE'
  | 'PROVIDER_ERROR'
  | 'PROVIDER_SYNC_NOT_FAILED'
  | 'REFUND_IN_PROGRESS'
  | 'REGISTRATION_CANCELLED'
  | 'RESULT_NOT_PASSED'
  | 'RESULT_NOT_PUBLISHED'
  | 'SLOT_FULL'
  | 'SLOT_NOT_OFFERED'
  | 'STEP_OUT_OF_ORDER'
  | 'TEST_CLOCK_DISABLED'
  | 'TICKET_MISMATCH'
  | 'TIME_ZONE_NOT_SUPPORTED_BY_PROCTORU'
  | 'VALIDATION_FAILED'
  | 'WITHDRAWAL_PERIOD_OVER'
  | 'WRONG_PROCTOR_PASSWORD';

export type EvidenceKind =
  | 'FACE_PHOTO'
  | 'ID_DOCUMENT'
  | 'VIDEO';

export type EvidenceStatus =
  | 'ON_HOLD'
  | 'PURGED'
  | 'RETAINED';

export type ExamPartInput = {
  questions: Array<ExamQuestionInput>;
  title: string;
};

export type ExamQuestionInput = {
  choices: Array<string>;
  /** Indexes into choices; a question is right when exactly this set is chosen. */
  correctChoices: Array<number>;
  prompt: string;
};

export type ExecuteRefundInput = {
  idempotencyKey: string;
  refundRequestId: string | number;
};

export type FraudCaseSource =
  | 'CERTIFICATION_TEAM'
  | 'PROCTOR_REPORT';

export type FraudCaseStatus =
  | 'CLEARED'
  | 'FRAUD_CONFIRMED'
  | 'OPEN'
  | 'UNDER_REVIEW';

export type IncidentKind =
  | 'DISCONNECTION'
  | 'OTHER'
  | 'PROCTOR_UNAVAILABLE'
  | 'SOFTWARE_FAILURE';

export type JobName =
  | 'COMPUTE_RESULTS'
  | 'END_EXPIRED_ATTEMPTS'
  | 'ISSUE_CERTIFICATES'
  | 'PROCTORU_OUTBOX'
  | 'PURGE_EVIDENCE'
  | 'PURGE_PROFILES';

export type JobRunStatus =
  | 'FAILED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type JobTrigger =
  | 'MANUAL'
  | 'SCHEDULE';

export type LegalHoldInput = {
  caseId: string | number;
  reason: string;
};

export type LoginInput = {
  email: string;
  password: string;
};

export type OperatingSystem =
  | 'LINUX'
  | 'MACOS'
  | 'OTHER'
  | 'WINDOWS';

export type PaymentStatus =
  | 'PAID'
  | 'REFUNDED';

export type RefundBlocker =
  | 'ALREADY_REFUNDED'
  | 'APPOINTMENT_ALREADY_BOOKED'
  | 'CERTIFICATE_ALREADY_ISSUED'
  | 'NOT_PAID'
  | 'NO_CONFIRMED_PROVIDER_INCIDENT'
  | 'REFUND_IN_PROGRESS'
  | 'WITHDRAWAL_PERIOD_OVER';

export type RefundReason =
  | 'PROVIDER_TECHNICAL_PROBLEM'
  | 'WITHDRAWAL';

export type RefundStatus =
  | 'APPROVED'
  | 'FAILED'
  | 'PROCESSING'
  | 'REJECTED'
  | 'SETTLED_MANUALLY'
  | 'SUBMITTED'
  | 'SUCCEEDED';

export type RegistrationStatus =
  | 'ACTIVE'
  | 'CANCELLED'
  | 'IN_PROGRESS';

export type RegistrationStep =
  | 'ACCEPT_TERMS'
  | 'ACKNOWLEDGE_REQUIREMENTS'
  | 'DONE'
  | 'LOCK_NAME'
  | 'PAY';

export type ReportProviderIncidentInput = {
  appointmentId: string | number;
  confirmedByProvider?: boolean | null | undefined;
  description: string;
  kind: IncidentKind;
  occurredAt: string;
  providerReference?: string | null | undefined;
};

export type RequestRefundInput = {
  comment?: string | null | undefined;
  email: string;
  idempotencyKey: string;
  incidentId?: string | number | null | undefined;
  learnerFirstName: string;
  learnerLastName: string;
  /** The Paybox transaction ticket (NUMTRANS) the learner kept (R-REF-5). */
  paymentTicket: string;
  reason: RefundReason;
  registrationId: string | number;
  username: string;
};

export type ResultStatus =
  | 'PENDING'
  | 'PUBLISHED'
  | 'VOIDED';

export type RevokeCertificateInput = {
  certificateId: string | number;
  reason: string;
};

export type Role =
  | 'ADMIN'
  | 'CERTIFICATION'
  | 'INTEGRATION'
  | 'LEARNER'
  | 'PAYMENTS'
  | 'SUPPORT';

export type SetExamContentInput = {
  /** Exactly 3 parts of 10 questions (R-EXA-1). */
  parts: Array<ExamPartInput>;
  /** Known only to proctors; stored hashed (R-EXA-2). */
  proctorPassword: string;
  sessionId: string | number;
};

export type SettleRefundManuallyInput = {
  comment: string;
  method: SettlementMethod;
  reference: string;
  refundRequestId: string | number;
};

export type SettlementMethod =
  | 'BANK_TRANSFER'
  | 'PAYBOX_BACK_OFFICE';

export type ViewerKind =
  | 'ANONYMOUS'
  | 'LEARNER'
  | 'SERVICE'
  | 'STAFF';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { kind: ViewerKind, id: string | null, displayName: string | null, roles: Array<Role> } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { token: string | null, viewer: { kind: ViewerKind, displayName: string | null, roles: Array<Role> } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type CertificatesQueryVariables = Exact<{
  status?: CertificateStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CertificatesQuery = { certificates: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, holderName: string, courseTitle: string, issuedAt: string, status: CertificateStatus, revokedAt: string | null, revocationReason: string | null, verificationCode: string, downloadUrl: string, registration: { id: string } } }> } };

export type IssueCertificateMutationVariables = Exact<{
  registrationId: string | number;
}>;


export type IssueCertificateMutation = { issueCertificate: { certificate: { id: string } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type RevokeCertificateMutationVariables = Exact<{
  input: RevokeCertificateInput;
}>;


export type RevokeCertificateMutation = { revokeCertificate: { certificate: { id: string, status: CertificateStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type FraudCaseEvidenceQueryVariables = Exact<{
  id: string | number;
}>;


export type FraudCaseEvidenceQuery = { fraudCase: { id: string, evidence: Array<{ id: string, kind: EvidenceKind, contentType: string, sizeBytes: number, sha256: string, capturedAt: string, retainUntil: string, status: EvidenceStatus, purgedAt: string | null }> } | null };

export type FraudCaseEvidenceLinksQueryVariables = Exact<{
  id: string | number;
}>;


export type FraudCaseEvidenceLinksQuery = { fraudCase: { id: string, evidence: Array<{ id: string, viewUrl: string | null }> } | null };

export type FinanceSummaryQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type FinanceSummaryQuery = { financeSummary: { from: string, to: string, currency: string, grossCents: number, refundedCents: number, netCents: number, paymentsCount: number, refundsCount: number, pendingRefundsCount: number, byBrand: Array<{ brand: CardBrand, count: number, grossCents: number }> } };

export type FinanceDayQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type FinanceDayQuery = { financeSummary: { grossCents: number, refundedCents: number } };

export type FraudQueueQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FraudQueueQuery = { serverTime: string, fraudCases: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, status: FraudCaseStatus, source: FraudCaseSource, summary: string, openedAt: string, purgeDeadline: string, legalHold: { placedAt: string, releasedAt: string | null } | null, registration: { learner: { givenName: string, familyName: string } } } }> } };

export type FraudCaseQueryVariables = Exact<{
  id: string | number;
}>;


export type FraudCaseQuery = { serverTime: string, fraudCase: { id: string, status: FraudCaseStatus, source: FraudCaseSource, summary: string, openedBy: string, openedAt: string, reviewer: string | null, decidedAt: string | null, decidedBy: string | null, decisionReason: string | null, purgeDeadline: string, registration: { id: string, learner: { givenName: string, familyName: string, email: string }, session: { courseTitle: string } }, attempt: { id: string, status: AttemptStatus, startedAt: string | null, submittedAt: string | null }, legalHold: { placedBy: string, placedAt: string, reason: string, releasedAt: string | null, releasedBy: string | null, releaseReason: string | null } | null, history: Array<{ at: string, actor: string, action: string, fromStatus: FraudCaseStatus | null, toStatus: FraudCaseStatus | null, reason: string | null }> } | null };

export type StartFraudReviewMutationVariables = Exact<{
  caseId: string | number;
}>;


export type StartFraudReviewMutation = { startFraudReview: { fraudCase: { id: string, status: FraudCaseStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type DecideFraudCaseMutationVariables = Exact<{
  input: DecideFraudCaseInput;
}>;


export type DecideFraudCaseMutation = { decideFraudCase: { fraudCase: { id: string, status: FraudCaseStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type PlaceLegalHoldMutationVariables = Exact<{
  input: LegalHoldInput;
}>;


export type PlaceLegalHoldMutation = { placeLegalHold: { fraudCase: { id: string } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type ReleaseLegalHoldMutationVariables = Exact<{
  input: LegalHoldInput;
}>;


export type ReleaseLegalHoldMutation = { releaseLegalHold: { fraudCase: { id: string } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type LearnersQueryVariables = Exact<{
  search?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type LearnersQuery = { learners: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, email: string, username: string, givenName: string, familyName: string, externalId: string } }> } };

export type Learner360QueryVariables = Exact<{
  id: string | number;
}>;


export type Learner360Query = { learner: { id: string, email: string, username: string, givenName: string, familyName: string, externalId: string, proctoringProfile: { complete: boolean, timeZone: string | null, city: string | null, country: string | null }, equipmentChecks: Array<{ id: string, checkedAt: string, compatible: boolean, failedRequirements: Array<EquipmentRequirement>, operatingSystem: OperatingSystem, osVersion: string }>, registrations: Array<{ id: string, status: RegistrationStatus, nextStep: RegistrationStep, createdAt: string, termsAcceptedAt: string | null, requirementsAcknowledgedAt: string | null, nameLockedAt: string | null, cancelledAt: string | null, session: { id: string, courseTitle: string, timeZone: string }, payment: { id: string, amountCents: number, currency: string, paidAt: string, status: PaymentStatus, numTrans: string, refundedCents: number } | null, refundRequests: Array<{ id: string, status: RefundStatus, reason: RefundReason, amountCents: number, requestedAt: string }>, appointments: Array<{ id: string, startsAt: string, status: AppointmentStatus, priority: boolean, bookedBy: string, cancellationReason: string | null }>, incidents: Array<{ id: string, kind: IncidentKind, occurredAt: string, confirmedByProvider: boolean, priorityRebookingAvailable: boolean, providerReference: string | null }>, attempts: Array<{ id: string, status: AttemptStatus, startedAt: string | null, submittedAt: string | null, voidReason: string | null }>, result: { id: string, status: ResultStatus, percent: number, passed: boolean, publishedAt: string | null } | null, certificate: { id: string, status: CertificateStatus, issuedAt: string, verificationCode: string } | null, fraudCases: Array<{ id: string, status: FraudCaseStatus, openedAt: string, decidedAt: string | null, summary: string }> }> } | null };

export type SessionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SessionsQuery = { certificationSessions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, courseCode: string, courseTitle: string, university: string, examPeriodStart: string, examPeriodEnd: string, timeZone: string, hasExamContent: boolean, priceCents: number } }> } };

export type SetExamContentMutationVariables = Exact<{
  input: SetExamContentInput;
}>;


export type SetExamContentMutation = { setExamContent: { session: { id: string, hasExamContent: boolean } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type JobRunsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type JobRunsQuery = { jobRuns: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, job: JobName, status: JobRunStatus, trigger: JobTrigger, startedAt: string, finishedAt: string | null, itemsProcessed: number, error: string | null } }> } };

export type RunJobMutationVariables = Exact<{
  job: JobName;
}>;


export type RunJobMutation = { runJob: { jobRun: { id: string, status: JobRunStatus, itemsProcessed: number } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type AuditEventsQueryVariables = Exact<{
  filter?: AuditEventFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, at: string, actor: string, action: string, subjectType: string, subjectId: string, requestId: string | null, details: unknown } }> } };

export type RequestRefundMutationVariables = Exact<{
  input: RequestRefundInput;
}>;


export type RequestRefundMutation = { requestRefund: { refundRequest: { id: string, status: RefundStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type RefundQueueQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RefundQueueQuery = { refundRequests: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, status: RefundStatus, reason: RefundReason, amountCents: number, requestedAt: string, requestedBy: string, learnerFirstName: string, learnerLastName: string, email: string } }> } };

export type RefundRequestQueryVariables = Exact<{
  id: string | number;
}>;


export type RefundRequestQuery = { refundRequest: { id: string, status: RefundStatus, reason: RefundReason, amountCents: number, comment: string | null, requestedAt: string, requestedBy: string, decidedBy: string | null, decidedAt: string | null, decisionComment: string | null, learnerFirstName: string, learnerLastName: string, email: string, username: string, paymentTicket: string, providerReference: string | null, providerResponseCode: string | null, settlementMethod: SettlementMethod | null, settlementReference: string | null, completedAt: string | null, payment: { id: string, numTrans: string, paidAt: string, eCarteBleue: boolean, currency: string }, registration: { id: string, session: { courseTitle: string } }, incident: { id: string, kind: IncidentKind, occurredAt: string, providerReference: string | null } | null, events: Array<{ at: string, fromStatus: RefundStatus | null, toStatus: RefundStatus, actor: string, comment: string | null, providerCode: string | null }> } | null };

export type RefundEligibilityQueryVariables = Exact<{
  registrationId: string | number;
}>;


export type RefundEligibilityQuery = { refundEligibility: { eligible: boolean, reason: RefundReason | null, withdrawalDeadline: string | null, blockers: Array<RefundBlocker> } };

export type ApproveRefundMutationVariables = Exact<{
  input: DecideRefundInput;
}>;


export type ApproveRefundMutation = { approveRefund: { refundRequest: { id: string, status: RefundStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type RejectRefundMutationVariables = Exact<{
  input: DecideRefundInput;
}>;


export type RejectRefundMutation = { rejectRefund: { refundRequest: { id: string, status: RefundStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type ExecuteRefundMutationVariables = Exact<{
  input: ExecuteRefundInput;
}>;


export type ExecuteRefundMutation = { executeRefund: { refundRequest: { id: string, status: RefundStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type SettleRefundMutationVariables = Exact<{
  input: SettleRefundManuallyInput;
}>;


export type SettleRefundMutation = { settleRefundManually: { refundRequest: { id: string, status: RefundStatus } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type RescheduleRegistrationQueryVariables = Exact<{
  id: string | number;
}>;


export type RescheduleRegistrationQuery = { registration: { id: string, learner: { givenName: string, familyName: string, proctoringProfile: { timeZone: string | null } }, session: { id: string, courseTitle: string, timeZone: string }, appointments: Array<{ id: string, startsAt: string, status: AppointmentStatus, priority: boolean }>, incidents: Array<{ id: string, kind: IncidentKind, occurredAt: string, confirmedByProvider: boolean, priorityRebookingAvailable: boolean, providerReference: string | null, appointment: { id: string, startsAt: string } }> } | null };

export type PrioritySlotsQueryVariables = Exact<{
  sessionId: string | number;
  timeZone?: string | null | undefined;
}>;


export type PrioritySlotsQuery = { availableSlots: Array<{ startsAt: string, localStart: string, remainingCapacity: number }> };

export type ReportIncidentMutationVariables = Exact<{
  input: ReportProviderIncidentInput;
}>;


export type ReportIncidentMutation = { reportProviderIncident: { incident: { id: string } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type ConfirmIncidentMutationVariables = Exact<{
  input: ConfirmProviderIncidentInput;
}>;


export type ConfirmIncidentMutation = { confirmProviderIncident: { incident: { id: string, priorityRebookingAvailable: boolean } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export type BookPriorityMutationVariables = Exact<{
  input: BookPriorityAppointmentInput;
}>;


export type BookPriorityMutation = { bookPriorityAppointment: { appointment: { id: string, startsAt: string, priority: boolean } | null, errors: Array<{ code: ErrorCode, message: string, field: Array<string> | null }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    kind
    id
    displayName
    roles
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($input: LoginInput!) {
  login(input: $input) {
    token
    viewer {
      kind
      displayName
      roles
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const CertificatesDocument = new TypedDocumentString(`
    query Certificates($status: CertificateStatus, $first: Int, $after: String) {
  certificates(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        holderName
        courseTitle
        issuedAt
        status
        revokedAt
        revocationReason
        verificationCode
        downloadUrl
        registration {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CertificatesQuery, CertificatesQueryVariables>;
export const IssueCertificateDocument = new TypedDocumentString(`
    mutation IssueCertificate($registrationId: ID!) {
  issueCertificate(registrationId: $registrationId) {
    certificate {
      id
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<IssueCertificateMutation, IssueCertificateMutationVariables>;
export const RevokeCertificateDocument = new TypedDocumentString(`
    mutation RevokeCertificate($input: RevokeCertificateInput!) {
  revokeCertificate(input: $input) {
    certificate {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<RevokeCertificateMutation, RevokeCertificateMutationVariables>;
export const FraudCaseEvidenceDocument = new TypedDocumentString(`
    query FraudCaseEvidence($id: ID!) {
  fraudCase(id: $id) {
    id
    evidence {
      id
      kind
      contentType
      sizeBytes
      sha256
      capturedAt
      retainUntil
      status
      purgedAt
    }
  }
}
    `) as unknown as TypedDocumentString<FraudCaseEvidenceQuery, FraudCaseEvidenceQueryVariables>;
export const FraudCaseEvidenceLinksDocument = new TypedDocumentString(`
    query FraudCaseEvidenceLinks($id: ID!) {
  fraudCase(id: $id) {
    id
    evidence {
      id
      viewUrl
    }
  }
}
    `) as unknown as TypedDocumentString<FraudCaseEvidenceLinksQuery, FraudCaseEvidenceLinksQueryVariables>;
export const FinanceSummaryDocument = new TypedDocumentString(`
    query FinanceSummary($from: Date!, $to: Date!) {
  financeSummary(from: $from, to: $to) {
    from
    to
    currency
    grossCents
    refundedCents
    netCents
    paymentsCount
    refundsCount
    pendingRefundsCount
    byBrand {
      brand
      count
      grossCents
    }
  }
}
    `) as unknown as TypedDocumentString<FinanceSummaryQuery, FinanceSummaryQueryVariables>;
export const FinanceDayDocument = new TypedDocumentString(`
    query FinanceDay($from: Date!, $to: Date!) {
  financeSummary(from: $from, to: $to) {
    grossCents
    refundedCents
  }
}
    `) as unknown as TypedDocumentString<FinanceDayQuery, FinanceDayQueryVariables>;
export const FraudQueueDocument = new TypedDocumentString(`
    query FraudQueue($first: Int, $after: String) {
  serverTime
  fraudCases(filter: {open: true}, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        status
        source
        summary
        openedAt
        purgeDeadline
        legalHold {
          placedAt
          releasedAt
        }
        registration {
          learner {
            givenName
            familyName
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FraudQueueQuery, FraudQueueQueryVariables>;
export const FraudCaseDocument = new TypedDocumentString(`
    query FraudCase($id: ID!) {
  serverTime
  fraudCase(id: $id) {
    id
    status
    source
    summary
    openedBy
    openedAt
    reviewer
    decidedAt
    decidedBy
    decisionReason
    purgeDeadline
    registration {
      id
      learner {
        givenName
        familyName
        email
      }
      session {
        courseTitle
      }
    }
    attempt {
      id
      status
      startedAt
      submittedAt
    }
    legalHold {
      placedBy
      placedAt
      reason
      releasedAt
      releasedBy
      releaseReason
    }
    history {
      at
      actor
      action
      fromStatus
      toStatus
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<FraudCaseQuery, FraudCaseQueryVariables>;
export const StartFraudReviewDocument = new TypedDocumentString(`
    mutation StartFraudReview($caseId: ID!) {
  startFraudReview(caseId: $caseId) {
    fraudCase {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<StartFraudReviewMutation, StartFraudReviewMutationVariables>;
export const DecideFraudCaseDocument = new TypedDocumentString(`
    mutation DecideFraudCase($input: DecideFraudCaseInput!) {
  decideFraudCase(input: $input) {
    fraudCase {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<DecideFraudCaseMutation, DecideFraudCaseMutationVariables>;
export const PlaceLegalHoldDocument = new TypedDocumentString(`
    mutation PlaceLegalHold($input: LegalHoldInput!) {
  placeLegalHold(input: $input) {
    fraudCase {
      id
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<PlaceLegalHoldMutation, PlaceLegalHoldMutationVariables>;
export const ReleaseLegalHoldDocument = new TypedDocumentString(`
    mutation ReleaseLegalHold($input: LegalHoldInput!) {
  releaseLegalHold(input: $input) {
    fraudCase {
      id
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ReleaseLegalHoldMutation, ReleaseLegalHoldMutationVariables>;
export const LearnersDocument = new TypedDocumentString(`
    query Learners($search: String, $first: Int, $after: String) {
  learners(search: $search, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        email
        username
        givenName
        familyName
        externalId
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LearnersQuery, LearnersQueryVariables>;
export const Learner360Document = new TypedDocumentString(`
    query Learner360($id: ID!) {
  learner(id: $id) {
    id
    email
    username
    givenName
    familyName
    externalId
    proctoringProfile {
      complete
      timeZone
      city
      country
    }
    equipmentChecks {
      id
      checkedAt
      compatible
      failedRequirements
      operatingSystem
      osVersion
    }
    registrations {
      id
      status
      nextStep
      createdAt
      termsAcceptedAt
      requirementsAcknowledgedAt
      nameLockedAt
      cancelledAt
      session {
        id
        courseTitle
        timeZone
      }
      payment {
        id
        amountCents
        currency
        paidAt
        status
        numTrans
        refundedCents
      }
      refundRequests {
        id
        status
        reason
        amountCents
        requestedAt
      }
      appointments {
        id
        startsAt
        status
        priority
        bookedBy
        cancellationReason
      }
      incidents {
        id
        kind
        occurredAt
        confirmedByProvider
        priorityRebookingAvailable
        providerReference
      }
      attempts {
        id
        status
        startedAt
        submittedAt
        voidReason
      }
      result {
        id
        status
        percent
        passed
        publishedAt
      }
      certificate {
        id
        status
        issuedAt
        verificationCode
      }
      fraudCases {
        id
        status
        openedAt
        decidedAt
        summary
      }
    }
  }
}
    `) as unknown as TypedDocumentString<Learner360Query, Learner360QueryVariables>;
export const SessionsDocument = new TypedDocumentString(`
    query Sessions($first: Int, $after: String) {
  certificationSessions(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        courseCode
        courseTitle
        university
        examPeriodStart
        examPeriodEnd
        timeZone
        hasExamContent
        priceCents
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SessionsQuery, SessionsQueryVariables>;
export const SetExamContentDocument = new TypedDocumentString(`
    mutation SetExamContent($input: SetExamContentInput!) {
  setExamContent(input: $input) {
    session {
      id
      hasExamContent
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<SetExamContentMutation, SetExamContentMutationVariables>;
export const JobRunsDocument = new TypedDocumentString(`
    query JobRuns($first: Int, $after: String) {
  jobRuns(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        job
        status
        trigger
        startedAt
        finishedAt
        itemsProcessed
        error
      }
    }
  }
}
    `) as unknown as TypedDocumentString<JobRunsQuery, JobRunsQueryVariables>;
export const RunJobDocument = new TypedDocumentString(`
    mutation RunJob($job: JobName!) {
  runJob(job: $job) {
    jobRun {
      id
      status
      itemsProcessed
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<RunJobMutation, RunJobMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        at
        actor
        action
        subjectType
        subjectId
        requestId
        details
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const RequestRefundDocument = new TypedDocumentString(`
    mutation RequestRefund($input: RequestRefundInput!) {
  requestRefund(input: $input) {
    refundRequest {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<RequestRefundMutation, RequestRefundMutationVariables>;
export const RefundQueueDocument = new TypedDocumentString(`
    query RefundQueue($first: Int, $after: String) {
  refundRequests(filter: {needsAction: true}, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        status
        reason
        amountCents
        requestedAt
        requestedBy
        learnerFirstName
        learnerLastName
        email
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RefundQueueQuery, RefundQueueQueryVariables>;
export const RefundRequestDocument = new TypedDocumentString(`
    query RefundRequest($id: ID!) {
  refundRequest(id: $id) {
    id
    status
    reason
    amountCents
    comment
    requestedAt
    requestedBy
    decidedBy
    decidedAt
    decisionComment
    learnerFirstName
    learnerLastName
    email
    username
    paymentTicket
    providerReference
    providerResponseCode
    settlementMethod
    settlementReference
    completedAt
    payment {
      id
      numTrans
      paidAt
      eCarteBleue
      currency
    }
    registration {
      id
      session {
        courseTitle
      }
    }
    incident {
      id
      kind
      occurredAt
      providerReference
    }
    events {
      at
      fromStatus
      toStatus
      actor
      comment
      providerCode
    }
  }
}
    `) as unknown as TypedDocumentString<RefundRequestQuery, RefundRequestQueryVariables>;
export const RefundEligibilityDocument = new TypedDocumentString(`
    query RefundEligibility($registrationId: ID!) {
  refundEligibility(registrationId: $registrationId) {
    eligible
    reason
    withdrawalDeadline
    blockers
  }
}
    `) as unknown as TypedDocumentString<RefundEligibilityQuery, RefundEligibilityQueryVariables>;
export const ApproveRefundDocument = new TypedDocumentString(`
    mutation ApproveRefund($input: DecideRefundInput!) {
  approveRefund(input: $input) {
    refundRequest {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ApproveRefundMutation, ApproveRefundMutationVariables>;
export const RejectRefundDocument = new TypedDocumentString(`
    mutation RejectRefund($input: DecideRefundInput!) {
  rejectRefund(input: $input) {
    refundRequest {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<RejectRefundMutation, RejectRefundMutationVariables>;
export const ExecuteRefundDocument = new TypedDocumentString(`
    mutation ExecuteRefund($input: ExecuteRefundInput!) {
  executeRefund(input: $input) {
    refundRequest {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ExecuteRefundMutation, ExecuteRefundMutationVariables>;
export const SettleRefundDocument = new TypedDocumentString(`
    mutation SettleRefund($input: SettleRefundManuallyInput!) {
  settleRefundManually(input: $input) {
    refundRequest {
      id
      status
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<SettleRefundMutation, SettleRefundMutationVariables>;
export const RescheduleRegistrationDocument = new TypedDocumentString(`
    query RescheduleRegistration($id: ID!) {
  registration(id: $id) {
    id
    learner {
      givenName
      familyName
      proctoringProfile {
        timeZone
      }
    }
    session {
      id
      courseTitle
      timeZone
    }
    appointments {
      id
      startsAt
      status
      priority
    }
    incidents {
      id
      kind
      occurredAt
      confirmedByProvider
      priorityRebookingAvailable
      providerReference
      appointment {
        id
        startsAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RescheduleRegistrationQuery, RescheduleRegistrationQueryVariables>;
export const PrioritySlotsDocument = new TypedDocumentString(`
    query PrioritySlots($sessionId: ID!, $timeZone: String) {
  availableSlots(sessionId: $sessionId, timeZone: $timeZone) {
    startsAt
    localStart
    remainingCapacity
  }
}
    `) as unknown as TypedDocumentString<PrioritySlotsQuery, PrioritySlotsQueryVariables>;
export const ReportIncidentDocument = new TypedDocumentString(`
    mutation ReportIncident($input: ReportProviderIncidentInput!) {
  reportProviderIncident(input: $input) {
    incident {
      id
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ReportIncidentMutation, ReportIncidentMutationVariables>;
export const ConfirmIncidentDocument = new TypedDocumentString(`
    mutation ConfirmIncident($input: ConfirmProviderIncidentInput!) {
  confirmProviderIncident(input: $input) {
    incident {
      id
      priorityRebookingAvailable
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ConfirmIncidentMutation, ConfirmIncidentMutationVariables>;
export const BookPriorityDocument = new TypedDocumentString(`
    mutation BookPriority($input: BookPriorityAppointmentInput!) {
  bookPriorityAppointment(input: $input) {
    appointment {
      id
      startsAt
      priority
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<BookPriorityMutation, BookPriorityMutationVariables>;