/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer { kind id displayName roles }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      viewer { kind displayName roles }\n      errors { code message field }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Certificates($status: CertificateStatus, $first: Int, $after: String) {\n    certificates(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id holderName courseTitle issuedAt status revokedAt revocationReason verificationCode downloadUrl registration { id } } }\n    }\n  }\n": typeof types.CertificatesDocument,
    "mutation IssueCertificate($registrationId: ID!) { issueCertificate(registrationId: $registrationId) { certificate { id } errors { code message field } } }": typeof types.IssueCertificateDocument,
    "mutation RevokeCertificate($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { certificate { id status } errors { code message field } } }": typeof types.RevokeCertificateDocument,
    "\n  query FraudCaseEvidence($id: ID!) {\n    fraudCase(id: $id) { id evidence { id kind contentType sizeBytes sha256 capturedAt retainUntil status purgedAt } }\n  }\n": typeof types.FraudCaseEvidenceDocument,
    "\n  query FraudCaseEvidenceLinks($id: ID!) {\n    fraudCase(id: $id) { id evidence { id viewUrl } }\n  }\n": typeof types.FraudCaseEvidenceLinksDocument,
    "\n  query FinanceSummary($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) {\n      from to currency grossCents refundedCents netCents paymentsCount refundsCount pendingRefundsCount\n      byBrand { brand count grossCents }\n    }\n  }\n": typeof types.FinanceSummaryDocument,
    "\n  query FinanceDay($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) { grossCents refundedCents }\n  }\n": typeof types.FinanceDayDocument,
    "\n  query FraudQueue($first: Int, $after: String) {\n    serverTime\n    fraudCases(filter: { open: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status source summary openedAt purgeDeadline legalHold { placedAt releasedAt } registration { learner { givenName familyName } } } }\n    }\n  }\n": typeof types.FraudQueueDocument,
    "\n  query FraudCase($id: ID!) {\n    serverTime\n    fraudCase(id: $id) {\n      id status source summary openedBy openedAt reviewer decidedAt decidedBy decisionReason purgeDeadline\n      registration { id learner { givenName familyName email } session { courseTitle } }\n      attempt { id status startedAt submittedAt }\n      legalHold { placedBy placedAt reason releasedAt releasedBy releaseReason }\n      history { at actor action fromStatus toStatus reason }\n    }\n  }\n": typeof types.FraudCaseDocument,
    "mutation StartFraudReview($caseId: ID!) { startFraudReview(caseId: $caseId) { fraudCase { id status } errors { code message field } } }": typeof types.StartFraudReviewDocument,
    "mutation DecideFraudCase($input: DecideFraudCaseInput!) { decideFraudCase(input: $input) { fraudCase { id status } errors { code message field } } }": typeof types.DecideFraudCaseDocument,
    "mutation PlaceLegalHold($input: LegalHoldInput!) { placeLegalHold(input: $input) { fraudCase { id } errors { code message field } } }": typeof types.PlaceLegalHoldDocument,
    "mutation ReleaseLegalHold($input: LegalHoldInput!) { releaseLegalHold(input: $input) { fraudCase { id } errors { code message field } } }": typeof types.ReleaseLegalHoldDocument,
    "\n  query Learners($search: String, $first: Int, $after: String) {\n    learners(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email username givenName familyName externalId } }\n    }\n  }\n": typeof types.LearnersDocument,
    "\n  query Learner360($id: ID!) {\n    learner(id: $id) {\n      id email username givenName familyName externalId\n      proctoringProfile { complete timeZone city country }\n      equipmentChecks { id checkedAt compatible failedRequirements operatingSystem osVersion }\n      registrations {\n        id status nextStep createdAt termsAcceptedAt requirementsAcknowledgedAt nameLockedAt cancelledAt\n        session { id courseTitle timeZone }\n        payment { id amountCents currency paidAt status numTrans refundedCents }\n        refundRequests { id status reason amountCents requestedAt }\n        appointments { id startsAt status priority bookedBy cancellationReason }\n        incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference }\n        attempts { id status startedAt submittedAt voidReason }\n        result { id status percent passed publishedAt }\n        certificate { id status issuedAt verificationCode }\n        fraudCases { id status openedAt decidedAt summary }\n      }\n    }\n  }\n": typeof types.Learner360Document,
    "\n  query Sessions($first: Int, $after: String) {\n    certificationSessions(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id courseCode courseTitle university examPeriodStart examPeriodEnd timeZone hasExamContent priceCents } }\n    }\n  }\n": typeof types.SessionsDocument,
    "\n  mutation SetExamContent($input: SetExamContentInput!) {\n    setExamContent(input: $input) { session { id hasExamContent } errors { code message field } }\n  }\n": typeof types.SetExamContentDocument,
    "\n  query JobRuns($first: Int, $after: String) {\n    jobRuns(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id job status trigger startedAt finishedAt itemsProcessed error } }\n    }\n  }\n": typeof types.JobRunsDocument,
    "\n  mutation RunJob($job: JobName!) {\n    runJob(job: $job) { jobRun { id status itemsProcessed } errors { code message field } }\n  }\n": typeof types.RunJobDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action subjectType subjectId requestId details } }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) { refundRequest { id status } errors { code message field } }\n  }\n": typeof types.RequestRefundDocument,
    "\n  query RefundQueue($first: Int, $after: String) {\n    refundRequests(filter: { needsAction: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status reason amountCents requestedAt requestedBy learnerFirstName learnerLastName email } }\n    }\n  }\n": typeof types.RefundQueueDocument,
    "\n  query RefundRequest($id: ID!) {\n    refundRequest(id: $id) {\n      id status reason amountCents comment requestedAt requestedBy decidedBy decidedAt decisionComment\n      learnerFirstName learnerLastName email username paymentTicket\n      providerReference providerResponseCode settlementMethod settlementReference completedAt\n      payment { id numTrans paidAt eCarteBleue currency }\n      registration { id session { courseTitle } }\n      incident { id kind occurredAt providerReference }\n      events { at fromStatus toStatus actor comment providerCode }\n    }\n  }\n": typeof types.RefundRequestDocument,
    "\n  query RefundEligibility($registrationId: ID!) {\n    refundEligibility(registrationId: $registrationId) { eligible reason withdrawalDeadline blockers }\n  }\n": typeof types.RefundEligibilityDocument,
    "mutation ApproveRefund($input: DecideRefundInput!) { approveRefund(input: $input) { refundRequest { id status } errors { code message field } } }": typeof types.ApproveRefundDocument,
    "mutation RejectRefund($input: DecideRefundInput!) { rejectRefund(input: $input) { refundRequest { id status } errors { code message field } } }": typeof types.RejectRefundDocument,
    "mutation ExecuteRefund($input: ExecuteRefundInput!) { executeRefund(input: $input) { refundRequest { id status } errors { code message field } } }": typeof types.ExecuteRefundDocument,
    "mutation SettleRefund($input: SettleRefundManuallyInput!) { settleRefundManually(input: $input) { refundRequest { id status } errors { code message field } } }": typeof types.SettleRefundDocument,
    "\n  query RescheduleRegistration($id: ID!) {\n    registration(id: $id) {\n      id\n      learner { givenName familyName proctoringProfile { timeZone } }\n      session { id courseTitle timeZone }\n      appointments { id startsAt status priority }\n      incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference appointment { id startsAt } }\n    }\n  }\n": typeof types.RescheduleRegistrationDocument,
    "\n  query PrioritySlots($sessionId: ID!, $timeZone: String) {\n    availableSlots(sessionId: $sessionId, timeZone: $timeZone) { startsAt localStart remainingCapacity }\n  }\n": typeof types.PrioritySlotsDocument,
    "\n  mutation ReportIncident($input: ReportProviderIncidentInput!) {\n    reportProviderIncident(input: $input) { incident { id } errors { code message field } }\n  }\n": typeof types.ReportIncidentDocument,
    "\n  mutation ConfirmIncident($input: ConfirmProviderIncidentInput!) {\n    confirmProviderIncident(input: $input) { incident { id priorityRebookingAvailable } errors { code message field } }\n  }\n": typeof types.ConfirmIncidentDocument,
    "\n  mutation BookPriority($input: BookPriorityAppointmentInput!) {\n    bookPriorityAppointment(input: $input) { appointment { id startsAt priority } errors { code message field } }\n  }\n": typeof types.BookPriorityDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer { kind id displayName roles }\n  }\n": types.ViewerDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      viewer { kind displayName roles }\n      errors { code message field }\n    }\n  }\n": types.LoginDocument,
    "\n  query Certificates($status: CertificateStatus, $first: Int, $after: String) {\n    certificates(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id holderName courseTitle issuedAt status revokedAt revocationReason verificationCode downloadUrl registration { id } } }\n    }\n  }\n": types.CertificatesDocument,
    "mutation IssueCertificate($registrationId: ID!) { issueCertificate(registrationId: $registrationId) { certificate { id } errors { code message field } } }": types.IssueCertificateDocument,
    "mutation RevokeCertificate($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { certificate { id status } errors { code message field } } }": types.RevokeCertificateDocument,
    "\n  query FraudCaseEvidence($id: ID!) {\n    fraudCase(id: $id) { id evidence { id kind contentType sizeBytes sha256 capturedAt retainUntil status purgedAt } }\n  }\n": types.FraudCaseEvidenceDocument,
    "\n  query FraudCaseEvidenceLinks($id: ID!) {\n    fraudCase(id: $id) { id evidence { id viewUrl } }\n  }\n": types.FraudCaseEvidenceLinksDocument,
    "\n  query FinanceSummary($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) {\n      from to currency grossCents refundedCents netCents paymentsCount refundsCount pendingRefundsCount\n      byBrand { brand count grossCents }\n    }\n  }\n": types.FinanceSummaryDocument,
    "\n  query FinanceDay($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) { grossCents refundedCents }\n  }\n": types.FinanceDayDocument,
    "\n  query FraudQueue($first: Int, $after: String) {\n    serverTime\n    fraudCases(filter: { open: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status source summary openedAt purgeDeadline legalHold { placedAt releasedAt } registration { learner { givenName familyName } } } }\n    }\n  }\n": types.FraudQueueDocument,
    "\n  query FraudCase($id: ID!) {\n    serverTime\n    fraudCase(id: $id) {\n      id status source summary openedBy openedAt reviewer decidedAt decidedBy decisionReason purgeDeadline\n      registration { id learner { givenName familyName email } session { courseTitle } }\n      attempt { id status startedAt submittedAt }\n      legalHold { placedBy placedAt reason releasedAt releasedBy releaseReason }\n      history { at actor action fromStatus toStatus reason }\n    }\n  }\n": types.FraudCaseDocument,
    "mutation StartFraudReview($caseId: ID!) { startFraudReview(caseId: $caseId) { fraudCase { id status } errors { code message field } } }": types.StartFraudReviewDocument,
    "mutation DecideFraudCase($input: DecideFraudCaseInput!) { decideFraudCase(input: $input) { fraudCase { id status } errors { code message field } } }": types.DecideFraudCaseDocument,
    "mutation PlaceLegalHold($input: LegalHoldInput!) { placeLegalHold(input: $input) { fraudCase { id } errors { code message field } } }": types.PlaceLegalHoldDocument,
    "mutation ReleaseLegalHold($input: LegalHoldInput!) { releaseLegalHold(input: $input) { fraudCase { id } errors { code message field } } }": types.ReleaseLegalHoldDocument,
    "\n  query Learners($search: String, $first: Int, $after: String) {\n    learners(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email username givenName familyName externalId } }\n    }\n  }\n": types.LearnersDocument,
    "\n  query Learner360($id: ID!) {\n    learner(id: $id) {\n      id email username givenName familyName externalId\n      proctoringProfile { complete timeZone city country }\n      equipmentChecks { id checkedAt compatible failedRequirements operatingSystem osVersion }\n      registrations {\n        id status nextStep createdAt termsAcceptedAt requirementsAcknowledgedAt nameLockedAt cancelledAt\n        session { id courseTitle timeZone }\n        payment { id amountCents currency paidAt status numTrans refundedCents }\n        refundRequests { id status reason amountCents requestedAt }\n        appointments { id startsAt status priority bookedBy cancellationReason }\n        incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference }\n        attempts { id status startedAt submittedAt voidReason }\n        result { id status percent passed publishedAt }\n        certificate { id status issuedAt verificationCode }\n        fraudCases { id status openedAt decidedAt summary }\n      }\n    }\n  }\n": types.Learner360Document,
    "\n  query Sessions($first: Int, $after: String) {\n    certificationSessions(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id courseCode courseTitle university examPeriodStart examPeriodEnd timeZone hasExamContent priceCents } }\n    }\n  }\n": types.SessionsDocument,
    "\n  mutation SetExamContent($input: SetExamContentInput!) {\n    setExamContent(input: $input) { session { id hasExamContent } errors { code message field } }\n  }\n": types.SetExamContentDocument,
    "\n  query JobRuns($first: Int, $after: String) {\n    jobRuns(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id job status trigger startedAt finishedAt itemsProcessed error } }\n    }\n  }\n": types.JobRunsDocument,
    "\n  mutation RunJob($job: JobName!) {\n    runJob(job: $job) { jobRun { id status itemsProcessed } errors { code message field } }\n  }\n": types.RunJobDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action subjectType subjectId requestId details } }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) { refundRequest { id status } errors { code message field } }\n  }\n": types.RequestRefundDocument,
    "\n  query RefundQueue($first: Int, $after: String) {\n    refundRequests(filter: { needsAction: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status reason amountCents requestedAt requestedBy learnerFirstName learnerLastName email } }\n    }\n  }\n": types.RefundQueueDocument,
    "\n  query RefundRequest($id: ID!) {\n    refundRequest(id: $id) {\n      id status reason amountCents comment requestedAt requestedBy decidedBy decidedAt decisionComment\n      learnerFirstName learnerLastName email username paymentTicket\n      providerReference providerResponseCode settlementMethod settlementReference completedAt\n      payment { id numTrans paidAt eCarteBleue currency }\n      registration { id session { courseTitle } }\n      incident { id kind occurredAt providerReference }\n      events { at fromStatus toStatus actor comment providerCode }\n    }\n  }\n": types.RefundRequestDocument,
    "\n  query RefundEligibility($registrationId: ID!) {\n    refundEligibility(registrationId: $registrationId) { eligible reason withdrawalDeadline blockers }\n  }\n": types.RefundEligibilityDocument,
    "mutation ApproveRefund($input: DecideRefundInput!) { approveRefund(input: $input) { refundRequest { id status } errors { code message field } } }": types.ApproveRefundDocument,
    "mutation RejectRefund($input: DecideRefundInput!) { rejectRefund(input: $input) { refundRequest { id status } errors { code message field } } }": types.RejectRefundDocument,
    "mutation ExecuteRefund($input: ExecuteRefundInput!) { executeRefund(input: $input) { refundRequest { id status } errors { code message field } } }": types.ExecuteRefundDocument,
    "mutation SettleRefund($input: SettleRefundManuallyInput!) { settleRefundManually(input: $input) { refundRequest { id status } errors { code message field } } }": types.SettleRefundDocument,
    "\n  query RescheduleRegistration($id: ID!) {\n    registration(id: $id) {\n      id\n      learner { givenName familyName proctoringProfile { timeZone } }\n      session { id courseTitle timeZone }\n      appointments { id startsAt status priority }\n      incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference appointment { id startsAt } }\n    }\n  }\n": types.RescheduleRegistrationDocument,
    "\n  query PrioritySlots($sessionId: ID!, $timeZone: String) {\n    availableSlots(sessionId: $sessionId, timeZone: $timeZone) { startsAt localStart remainingCapacity }\n  }\n": types.PrioritySlotsDocument,
    "\n  mutation ReportIncident($input: ReportProviderIncidentInput!) {\n    reportProviderIncident(input: $input) { incident { id } errors { code message field } }\n  }\n": types.ReportIncidentDocument,
    "\n  mutation ConfirmIncident($input: ConfirmProviderIncidentInput!) {\n    confirmProviderIncident(input: $input) { incident { id priorityRebookingAvailable } errors { code message field } }\n  }\n": types.ConfirmIncidentDocument,
    "\n  mutation BookPriority($input: BookPriorityAppointmentInput!) {\n    bookPriorityAppointment(input: $input) { appointment { id startsAt priority } errors { code message field } }\n  }\n": types.BookPriorityDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { kind id displayName roles }\n  }\n"): typeof import('./graphql').ViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      viewer { kind displayName roles }\n      errors { code message field }\n    }\n  }\n"): typeof import('./graphql').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Certificates($status: CertificateStatus, $first: Int, $after: String) {\n    certificates(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id holderName courseTitle issuedAt status revokedAt revocationReason verificationCode downloadUrl registration { id } } }\n    }\n  }\n"): typeof import('./graphql').CertificatesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation IssueCertificate($registrationId: ID!) { issueCertificate(registrationId: $registrationId) { certificate { id } errors { code message field } } }"): typeof import('./graphql').IssueCertificateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RevokeCertificate($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { certificate { id status } errors { code message field } } }"): typeof import('./graphql').RevokeCertificateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FraudCaseEvidence($id: ID!) {\n    fraudCase(id: $id) { id evidence { id kind contentType sizeBytes sha256 capturedAt retainUntil status purgedAt } }\n  }\n"): typeof import('./graphql').FraudCaseEvidenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FraudCaseEvidenceLinks($id: ID!) {\n    fraudCase(id: $id) { id evidence { id viewUrl } }\n  }\n"): typeof import('./graphql').FraudCaseEvidenceLinksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FinanceSummary($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) {\n      from to currency grossCents refundedCents netCents paymentsCount refundsCount pendingRefundsCount\n      byBrand { brand count grossCents }\n    }\n  }\n"): typeof import('./graphql').FinanceSummaryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FinanceDay($from: Date!, $to: Date!) {\n    financeSummary(from: $from, to: $to) { grossCents refundedCents }\n  }\n"): typeof import('./graphql').FinanceDayDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FraudQueue($first: Int, $after: String) {\n    serverTime\n    fraudCases(filter: { open: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status source summary openedAt purgeDeadline legalHold { placedAt releasedAt } registration { learner { givenName familyName } } } }\n    }\n  }\n"): typeof import('./graphql').FraudQueueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FraudCase($id: ID!) {\n    serverTime\n    fraudCase(id: $id) {\n      id status source summary openedBy openedAt reviewer decidedAt decidedBy decisionReason purgeDeadline\n      registration { id learner { givenName familyName email } session { courseTitle } }\n      attempt { id status startedAt submittedAt }\n      legalHold { placedBy placedAt reason releasedAt releasedBy releaseReason }\n      history { at actor action fromStatus toStatus reason }\n    }\n  }\n"): typeof import('./graphql').FraudCaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation StartFraudReview($caseId: ID!) { startFraudReview(caseId: $caseId) { fraudCase { id status } errors { code message field } } }"): typeof import('./graphql').StartFraudReviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DecideFraudCase($input: DecideFraudCaseInput!) { decideFraudCase(input: $input) { fraudCase { id status } errors { code message field } } }"): typeof import('./graphql').DecideFraudCaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PlaceLegalHold($input: LegalHoldInput!) { placeLegalHold(input: $input) { fraudCase { id } errors { code message field } } }"): typeof import('./graphql').PlaceLegalHoldDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReleaseLegalHold($input: LegalHoldInput!) { releaseLegalHold(input: $input) { fraudCase { id } errors { code message field } } }"): typeof import('./graphql').ReleaseLegalHoldDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Learners($search: String, $first: Int, $after: String) {\n    learners(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email username givenName familyName externalId } }\n    }\n  }\n"): typeof import('./graphql').LearnersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Learner360($id: ID!) {\n    learner(id: $id) {\n      id email username givenName familyName externalId\n      proctoringProfile { complete timeZone city country }\n      equipmentChecks { id checkedAt compatible failedRequirements operatingSystem osVersion }\n      registrations {\n        id status nextStep createdAt termsAcceptedAt requirementsAcknowledgedAt nameLockedAt cancelledAt\n        session { id courseTitle timeZone }\n        payment { id amountCents currency paidAt status numTrans refundedCents }\n        refundRequests { id status reason amountCents requestedAt }\n        appointments { id startsAt status priority bookedBy cancellationReason }\n        incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference }\n        attempts { id status startedAt submittedAt voidReason }\n        result { id status percent passed publishedAt }\n        certificate { id status issuedAt verificationCode }\n        fraudCases { id status openedAt decidedAt summary }\n      }\n    }\n  }\n"): typeof import('./graphql').Learner360Document;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions($first: Int, $after: String) {\n    certificationSessions(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id courseCode courseTitle university examPeriodStart examPeriodEnd timeZone hasExamContent priceCents } }\n    }\n  }\n"): typeof import('./graphql').SessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetExamContent($input: SetExamContentInput!) {\n    setExamContent(input: $input) { session { id hasExamContent } errors { code message field } }\n  }\n"): typeof import('./graphql').SetExamContentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobRuns($first: Int, $after: String) {\n    jobRuns(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id job status trigger startedAt finishedAt itemsProcessed error } }\n    }\n  }\n"): typeof import('./graphql').JobRunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunJob($job: JobName!) {\n    runJob(job: $job) { jobRun { id status itemsProcessed } errors { code message field } }\n  }\n"): typeof import('./graphql').RunJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action subjectType subjectId requestId details } }\n    }\n  }\n"): typeof import('./graphql').AuditEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) { refundRequest { id status } errors { code message field } }\n  }\n"): typeof import('./graphql').RequestRefundDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefundQueue($first: Int, $after: String) {\n    refundRequests(filter: { needsAction: true }, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id status reason amountCents requestedAt requestedBy learnerFirstName learnerLastName email } }\n    }\n  }\n"): typeof import('./graphql').RefundQueueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefundRequest($id: ID!) {\n    refundRequest(id: $id) {\n      id status reason amountCents comment requestedAt requestedBy decidedBy decidedAt decisionComment\n      learnerFirstName learnerLastName email username paymentTicket\n      providerReference providerResponseCode settlementMethod settlementReference completedAt\n      payment { id numTrans paidAt eCarteBleue currency }\n      registration { id session { courseTitle } }\n      incident { id kind occurredAt providerReference }\n      events { at fromStatus toStatus actor comment providerCode }\n    }\n  }\n"): typeof import('./graphql').RefundRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefundEligibility($registrationId: ID!) {\n    refundEligibility(registrationId: $registrationId) { eligible reason withdrawalDeadline blockers }\n  }\n"): typeof import('./graphql').RefundEligibilityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ApproveRefund($input: DecideRefundInput!) { approveRefund(input: $input) { refundRequest { id status } errors { code message field } } }"): typeof import('./graphql').ApproveRefundDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RejectRefund($input: DecideRefundInput!) { rejectRefund(input: $input) { refundRequest { id status } errors { code message field } } }"): typeof import('./graphql').RejectRefundDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ExecuteRefund($input: ExecuteRefundInput!) { executeRefund(input: $input) { refundRequest { id status } errors { code message field } } }"): typeof import('./graphql').ExecuteRefundDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SettleRefund($input: SettleRefundManuallyInput!) { settleRefundManually(input: $input) { refundRequest { id status } errors { code message field } } }"): typeof import('./graphql').SettleRefundDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RescheduleRegistration($id: ID!) {\n    registration(id: $id) {\n      id\n      learner { givenName familyName proctoringProfile { timeZone } }\n      session { id courseTitle timeZone }\n      appointments { id startsAt status priority }\n      incidents { id kind occurredAt confirmedByProvider priorityRebookingAvailable providerReference appointment { id startsAt } }\n    }\n  }\n"): typeof import('./graphql').RescheduleRegistrationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PrioritySlots($sessionId: ID!, $timeZone: String) {\n    availableSlots(sessionId: $sessionId, timeZone: $timeZone) { startsAt localStart remainingCapacity }\n  }\n"): typeof import('./graphql').PrioritySlotsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportIncident($input: ReportProviderIncidentInput!) {\n    reportProviderIncident(input: $input) { incident { id } errors { code message field } }\n  }\n"): typeof import('./graphql').ReportIncidentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmIncident($input: ConfirmProviderIncidentInput!) {\n    confirmProviderIncident(input: $input) { incident { id priorityRebookingAvailable } errors { code message field } }\n  }\n"): typeof import('./graphql').ConfirmIncidentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BookPriority($input: BookPriorityAppointmentInput!) {\n    bookPriorityAppointment(input: $input) { appointment { id startsAt priority } errors { code message field } }\n  }\n"): typeof import('./graphql').BookPriorityDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
