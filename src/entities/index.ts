import { Certificate } from './certificate.entity';
import { Evidence } from './evidence.entity';
import { EvidenceTombstone } from './evidence-tombstone.entity';
import { FraudCase } from './fraud-case.entity';
import { FraudCaseEvent } from './fraud-case-event.entity';
import { LegalHold } from './legal-hold.entity';
import { ObjectKey } from './object-key.entity';
import { ApiToken } from './api-token.entity';
import { Appointment } from './appointment.entity';
import { AuditEvent } from './audit-event.entity';
import { CertificationSession } from './certification-session.entity';
import { EquipmentCheck } from './equipment-check.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { ExamContent } from './exam-content.entity';
import { ExamResult } from './exam-result.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { JobRun } from './job-run.entity';
import { Learner } from './learner.entity';
import { Payment } from './payment.entity';
import { ProctorUOutbox } from './proctoru-outbox.entity';
import { ProviderIncident } from './provider-incident.entity';
import { RefundEvent } from './refund-event.entity';
import { RefundRequest } from './refund-request.entity';
import { Registration } from './registration.entity';
import { StaffUser } from './staff-user.entity';

/** Every entity, listed explicitly (no folder scan: works the same from src/ and dist/). */
export const ENTITIES = [StaffUser, ApiToken, Learner, CertificationSession, AuditEvent, JobRun, Registration, Appointment, ProviderIncident, EquipmentCheck, Payment, RefundRequest, RefundEvent, IdempotencyRecord, ExamContent, ExamAttempt, ExamResult, ObjectKey, Evidence, EvidenceTombstone, FraudCase, FraudCaseEvent, LegalHold, Certificate, ProctorUOutbox];

export { ProctorUOutbox };
export { Certificate, Evidence, EvidenceTombstone, FraudCase, FraudCaseEvent, LegalHold, ObjectKey };
export { ApiToken, Appointment, AuditEvent, CertificationSession, EquipmentCheck, ExamAttempt, ExamContent, ExamResult, IdempotencyRecord, JobRun, Learner, Payment, ProviderIncident, RefundEvent, RefundRequest, Registration, StaffUser };
