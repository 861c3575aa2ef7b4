import { type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { type EvidenceType } from '../schema/evidence.type';
import { loadEvidenceViews } from '../services/evidence-views';
import { Appointment, Certificate, CertificationSession, EquipmentCheck, ExamAttempt, ExamContent, ExamResult, FraudCase, FraudCaseEvent, Learner, LegalHold, Payment, ProviderIncident, RefundEvent, RefundRequest, Registration } from '../entities';

/** Per-request DataLoaders: a page of rows costs one query per relation, not one per row. */
export interface Loaders {
  learner: DataLoader<string, Learner | null>;
  session: DataLoader<string, CertificationSession | null>;
  registrationsByLearner: DataLoader<string, Registration[]>;
  registration: DataLoader<string, Registration | null>;
  /** By registration id: at most one payment per registration. */
  paymentByRegistration: DataLoader<string, Payment | null>;
  /** Newest first. */
  equipmentChecksByLearner: DataLoader<string, EquipmentCheck[]>;
  appointment: DataLoader<string, Appointment | null>;
  /** By registration id, oldest booking first (scheduling). */
  appointmentsByRegistration: DataLoader<string, Appointment[]>;
  /** By registration id, oldest first (scheduling). */
  incidentsByRegistration: DataLoader<string, ProviderIncident[]>;
  /** Refunds: payment and incident by id; requests by registration (oldest first); history by request (in order). */
  payment: DataLoader<string, Payment | null>;
  incident: DataLoader<string, ProviderIncident | null>;
  refundRequestsByRegistration: DataLoader<string, RefundRequest[]>;
  refundEventsByRequest: DataLoader<string, RefundEvent[]>;
  /** Exam: attempts by id and by registration (oldest unlock first), results by registration (newest first), content by session id. */
  attempt: DataLoader<string, ExamAttempt | null>;
  attemptsByRegistration: DataLoader<string, ExamAttempt[]>;
  resultsByRegistration: DataLoader<string, ExamResult[]>;
  examContentBySession: DataLoader<string, ExamContent | null>;
  /** By registration id: at most one certificate per registration (R-CER-2). */
  certificateByRegistration: DataLoader<string, Certificate | null>;
  /** Evidence by attempt id (kind order), status ON_HOLD derived from an active legal hold (R-EVI-2). */
  evidenceByAttempt: DataLoader<string, EvidenceType[]>;
  /** Fraud review: cases by registration (oldest first), history by case (in order), legal holds by case (oldest first). */
  fraudCasesByRegistration: DataLoader<string, FraudCase[]>;
  fraudCaseEventsByCase: DataLoader<string, FraudCaseEvent[]>;
  legalHoldsByCase: DataLoader<string, LegalHold[]>;
}

export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Groups rows by a key (e.g. all registrations of each learner), in the order the query returned them. */
export function groupLoader<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await load(keys);
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    learner: byIdLoader((ids) => em.find(Learner, { id: { $in: [...ids] } })),
    session: byIdLoader((ids) => em.find(CertificationSession, { id: { $in: [...ids] } })),
    registrationsByLearner: groupLoader(
      (ids) => em.find(Registration, { learner: { $in: [...ids] } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      (r) => r.learner.id,
    ),
    registration: byIdLoader((ids) => em.find(Registration, { id: { $in: [...ids] } })),
    paymentByRegistration: new DataLoader<string, Payment | null>(async (ids) => {
      const rows = await em.find(Payment, { registration: { $in: [...ids] } });
      const map = new Map(rows.map((p) => [p.registration.id, p]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    equipmentChecksByLearner: groupLoader(
      (ids) => em.find(EquipmentCheck, { learner: { $in: [...ids] } }, { orderBy: { checkedAt: 'desc', id: 'desc' } }),
      (c) => c.learner.id,
    ),
    appointment: byIdLoader((ids) => em.find(Appointment, { id: { $in: [...ids] } })),
    appointmentsByRegistration: groupLoader(
      (ids) => em.find(Appointment, { registration: { $in: [...ids] } }, { orderBy: { bookedAt: 'asc', id: 'asc' } }),
      (a) => a.registration.id,
    ),
    incidentsByRegistration: groupLoader(
      (ids) => em.find(ProviderIncident, { registration: { $in: [...ids] } }, { orderBy: { occurredAt: 'asc', id: 'asc' } }),
      (i) => i.registration.id,
    ),
    payment: byIdLoader((ids) => em.find(Payment, { id: { $in: [...ids] } })),
    incident: byIdLoader((ids) => em.find(ProviderIncident, { id: { $in: [...ids] } })),
    refundRequestsByRegistration: groupLoader(
      (ids) => em.find(RefundRequest, { registration: { $in: [...ids] } }, { orderBy: { requestedAt: 'asc', id: 'asc' } }),
      (r) => r.registration.id,
    ),
    refundEventsByRequest: groupLoader(
      (ids) => em.find(RefundEvent, { refundRequest: { $in: [...ids] } }, { orderBy: { id: 'asc' } }),
      (e) => e.refundRequest.id,
    ),
    attempt: byIdLoader((ids) => em.find(ExamAttempt, { id: { $in: [...ids] } })),
    attemptsByRegistration: groupLoader(
      (ids) => em.find(ExamAttempt, { registration: { $in: [...ids] } }, { orderBy: { unlockedAt: 'asc', id: 'asc' } }),
      (a) => a.registration.id,
    ),
    resultsByRegistration: groupLoader(
      (ids) => em.find(ExamResult, { attempt: { registration: { $in: [...ids] } } }, { populate: ['attempt'], orderBy: { computedAt: 'desc', id: 'desc' } }),
      (r) => r.attempt.registration.id,
    ),
    certificateByRegistration: new DataLoader<string, Certificate | null>(async (ids) => {
      const rows = await em.find(Certificate, { registration: { $in: [...ids] } });
      const map = new Map(rows.map((c) => [c.registration.id, c]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    examContentBySession: new DataLoader<string, ExamContent | null>(async (ids) => {
      const rows = await em.find(ExamContent, { sessionId: { $in: [...ids] } });
      const map = new Map(rows.map((c) => [c.sessionId, c]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    evidenceByAttempt: groupLoader((ids) => loadEvidenceViews(em, ids), (e) => e.attemptId),
    fraudCasesByRegistration: groupLoader(
      (ids) => em.find(FraudCase, { registration: { $in: [...ids] } }, { orderBy: { openedAt: 'asc', id: 'asc' } }),
      (c) => c.registration.id,
    ),
    fraudCaseEventsByCase: groupLoader((ids) => em.find(FraudCaseEvent, { caseId: { $in: [...ids] } }, { orderBy: { id: 'asc' } }), (e) => e.caseId),
    legalHoldsByCase: groupLoader((ids) => em.find(LegalHold, { fraudCase: { $in: [...ids] } }, { orderBy: { placedAt: 'asc', id: 'asc' } }), (h) => h.fraudCase.id),
  };
}
