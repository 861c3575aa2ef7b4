import { type EntityClass } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { type EvidenceType } from '../schema/evidence.type';
import { loadEvidenceViews } from '../services/evidence-views';
import { type Row, selectKeyedRows, selectRows, uuidList } from '../services/plain-rows';
import { Appointment, Certificate, CertificationSession, EquipmentCheck, ExamAttempt, ExamContent, ExamResult, FraudCase, FraudCaseEvent, Learner, LegalHold, Payment, ProviderIncident, RefundEvent, RefundRequest, Registration } from '../entities';

/**
 * Per-request DataLoaders: a page of rows costs one query per relation, not one per row. They feed
 * GraphQL output only (no service reads them), so the hot ones return plain rows (`Row<T>`, services/
 * plain-rows.ts: the entity's columns, relations as `{ id }`) instead of managed entities: hydrating
 * a page's thousand entities cost more than its SQL (bench/README.md, "Read path").
 */
export interface Loaders {
  learner: RowLoader<Row<Learner> | null>;
  session: RowLoader<CertificationSession | null>;
  registrationsByLearner: RowLoader<Row<Registration>[]>;
  registration: RowLoader<Row<Registration> | null>;
  /** By registration id: at most one payment per registration. */
  paymentByRegistration: RowLoader<Row<Payment> | null>;
  /** Newest first. */
  equipmentChecksByLearner: RowLoader<EquipmentCheck[]>;
  appointment: RowLoader<Row<Appointment> | null>;
  /** By registration id, oldest booking first (scheduling). */
  appointmentsByRegistration: RowLoader<Row<Appointment>[]>;
  /** By registration id, oldest first (scheduling). */
  incidentsByRegistration: RowLoader<ProviderIncident[]>;
  /** Refunds: payment and incident by id; requests by registration (oldest first); history by request (in order). */
  payment: RowLoader<Row<Payment> | null>;
  incident: RowLoader<ProviderIncident | null>;
  refundRequestsByRegistration: RowLoader<Row<RefundRequest>[]>;
  refundEventsByRequest: RowLoader<RefundEvent[]>;
  /** Exam: attempts by id and by registration (oldest unlock first), results by registration (newest first), content by session id. */
  attempt: RowLoader<ExamAttempt | null>;
  attemptsByRegistration: RowLoader<ExamAttempt[]>;
  resultsByRegistration: RowLoader<Row<ExamResult>[]>;
  examContentBySession: RowLoader<ExamContent | null>;
  /** By registration id: at most one certificate per registration (R-CER-2). */
  certificateByRegistration: RowLoader<Row<Certificate> | null>;
  /** Evidence by attempt id (kind order), status ON_HOLD derived from an active legal hold (R-EVI-2). */
  evidenceByAttempt: RowLoader<EvidenceType[]>;
  /** Fraud review: cases by registration (oldest first), history by case (in order), legal holds by case (oldest first). */
  fraudCasesByRegistration: RowLoader<Row<FraudCase>[]>;
  fraudCaseEventsByCase: RowLoader<FraudCaseEvent[]>;
  legalHoldsByCase: RowLoader<LegalHold[]>;
}

/**
 * A per-request DataLoader that also answers synchronously what it already holds: rows a list resolver
 * primed (resolvers/prefetch.ts) or a batch already loaded. `get` then returns the value itself, so a
 * field resolver over a page's rows completes without a promise per row (graphql-js then completes the
 * page synchronously); otherwise it is `load`. Same values, same batching, as the DataLoader alone.
 */
export class RowLoader<V> {
  private readonly known = new Map<string, V>();
  /** Keys asked of the DataLoader (loading or loaded): priming them changes nothing. */
  private readonly asked = new Set<string>();
  private readonly loader: DataLoader<string, V>;

  constructor(private readonly batch: (keys: readonly string[]) => Promise<V[]>) {
    this.loader = new DataLoader<string, V>(async (keys) => {
      const values = await batch(keys);
      keys.forEach((k, i) => this.known.set(k, values[i]));
      return values;
    });
  }

  load(key: string): Promise<V> {
    this.asked.add(key);
    return this.loader.load(key);
  }

  /** The value if held, else a promise of it. */
  get(key: string): V | Promise<V> {
    return this.known.has(key) ? (this.known.get(key) as V) : this.load(key);
  }

  /**
   * Loads the keys not yet held or asked for in one batch (the statement `load` would send for them) and
   * holds the values: a list resolver's prefetch for its page, without a promise per key.
   */
  async prefetch(keys: readonly string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.known.has(k) && !this.asked.has(k));
    if (!missing.length) return;
    const values = await this.batch(missing);
    missing.forEach((k, i) => this.prime(k, values[i]));
  }

  /** Holds `value` for `key` unless the key was already held or asked for (the first answer wins, as with DataLoader's `prime`). */
  prime(key: string, value: V): this {
    if (!this.known.has(key) && !this.asked.has(key)) {
      this.loader.prime(key, value);
      this.known.set(key, value);
    }
    return this;
  }
}

/** `f` of a value that may still be a promise (a `RowLoader.get`), without a promise when it is not. */
export function mapMaybe<T, U>(value: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): RowLoader<T | null> {
  return new RowLoader<T | null>(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Groups rows by a key (e.g. all registrations of each learner), in the order the query returned them. */
export function groupLoader<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): RowLoader<T[]> {
  return new RowLoader<T[]>(async (keys) => {
    const rows = await load(keys);
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

/** At most one row per key (e.g. the payment of each registration). */
function oneByKeyLoader<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): RowLoader<T | null> {
  return new RowLoader<T | null>(async (keys) => {
    const map = new Map((await load(keys)).map((r) => [keyOf(r), r]));
    return keys.map((k) => map.get(k) ?? null);
  });
}

/** Like `groupLoader`, for rows that come with their key (`selectKeyedRows`). */
function keyedGroupLoader<T>(load: (keys: readonly string[]) => Promise<{ key: string; row: T }[]>): RowLoader<T[]> {
  return new RowLoader<T[]>(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const { key, row } of await load(keys)) groups.get(key)?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  const rowsWhere = async <T extends object>(entity: EntityClass<T>, column: string, keys: readonly string[], orderBy?: string) => {
    const list = uuidList(keys);
    return list ? selectRows(em, entity, { where: `e."${column}" in (${list})`, orderBy }) : [];
  };
  return {
    learner: byIdLoader((ids) => rowsWhere(Learner, 'id', ids)),
    session: byIdLoader((ids) => em.find(CertificationSession, { id: { $in: [...ids] } })),
    registrationsByLearner: groupLoader((ids) => rowsWhere(Registration, 'learner_id', ids, 'e.created_at, e.id'), (r) => r.learner.id),
    registration: byIdLoader((ids) => rowsWhere(Registration, 'id', ids)),
    paymentByRegistration: oneByKeyLoader((ids) => rowsWhere(Payment, 'registration_id', ids), (p) => p.registration.id),
    equipmentChecksByLearner: groupLoader(
      (ids) => em.find(EquipmentCheck, { learner: { $in: [...ids] } }, { orderBy: { checkedAt: 'desc', id: 'desc' } }),
      (c) => c.learner.id,
    ),
    appointment: byIdLoader((ids) => rowsWhere(Appointment, 'id', ids)),
    appointmentsByRegistration: groupLoader((ids) => rowsWhere(Appointment, 'registration_id', ids, 'e.booked_at, e.id'), (a) => a.registration.id),
    incidentsByRegistration: groupLoader(
      (ids) => em.find(ProviderIncident, { registration: { $in: [...ids] } }, { orderBy: { occurredAt: 'asc', id: 'asc' } }),
      (i) => i.registration.id,
    ),
    payment: byIdLoader((ids) => rowsWhere(Payment, 'id', ids)),
    incident: byIdLoader((ids) => em.find(ProviderIncident, { id: { $in: [...ids] } })),
    refundRequestsByRegistration: groupLoader((ids) => rowsWhere(RefundRequest, 'registration_id', ids, 'e.requested_at, e.id'), (r) => r.registration.id),
    refundEventsByRequest: groupLoader(
      (ids) => em.find(RefundEvent, { refundRequest: { $in: [...ids] } }, { orderBy: { id: 'asc' } }),
      (e) => e.refundRequest.id,
    ),
    attempt: byIdLoader((ids) => em.find(ExamAttempt, { id: { $in: [...ids] } })),
    attemptsByRegistration: groupLoader(
      (ids) => em.find(ExamAttempt, { registration: { $in: [...ids] } }, { orderBy: { unlockedAt: 'asc', id: 'asc' } }),
      (a) => a.registration.id,
    ),
    // Newest first; the attempt's registration comes from a join, not from loading the attempts.
    resultsByRegistration: keyedGroupLoader(async (ids) => {
      const list = uuidList(ids);
      if (!list) return [];
      return selectKeyedRows<ExamResult, string>(em, ExamResult, {
        from: 'exam_result e join exam_attempt t on t.id = e.attempt_id',
        where: `t.registration_id in (${list})`,
        orderBy: 'e.computed_at desc, e.id desc',
        key: 't.registration_id',
      });
    }),
    certificateByRegistration: oneByKeyLoader((ids) => rowsWhere(Certificate, 'registration_id', ids), (c) => c.registration.id),
    examContentBySession: new RowLoader<ExamContent | null>(async (ids) => {
      const rows = await em.find(ExamContent, { sessionId: { $in: [...ids] } });
      const map = new Map(rows.map((c) => [c.sessionId, c]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    evidenceByAttempt: groupLoader((ids) => loadEvidenceViews(em, ids), (e) => e.attemptId),
    fraudCasesByRegistration: groupLoader((ids) => rowsWhere(FraudCase, 'registration_id', ids, 'e.opened_at, e.id'), (c) => c.registration.id),
    fraudCaseEventsByCase: groupLoader((ids) => em.find(FraudCaseEvent, { caseId: { $in: [...ids] } }, { orderBy: { id: 'asc' } }), (e) => e.caseId),
    legalHoldsByCase: groupLoader((ids) => em.find(LegalHold, { fraudCase: { $in: [...ids] } }, { orderBy: { placedAt: 'asc', id: 'asc' } }), (h) => h.fraudCase.id),
  };
}
