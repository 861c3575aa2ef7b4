import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Learner } from '../entities';
import { audit } from './audit.service';

/** The learner's registrations: every other table reaches the learner through them. */
const REG = `(select id from registration where learner_id = ?)`;

/**
 * What a data export holds (GDPR art. 15), section by section: every row about the learner, as stored
 * (column names in camelCase). Media bytes are left out (evidence and equipment screenshots: their
 * metadata is here; the media are viewed through their own audited links while retained).
 */
const SECTIONS: [name: string, sql: string][] = [
  ['registrations', `select to_jsonb(t) as row from registration t where learner_id = ? order by created_at, id`],
  ['payments', `select to_jsonb(t) as row from payment t where registration_id in ${REG} order by paid_at, id`],
  ['refundRequests', `select to_jsonb(t) as row from refund_request t where registration_id in ${REG} order by requested_at, id`],
  ['refundEvents', `select to_jsonb(t) as row from refund_event t where refund_request_id in (select id from refund_request where registration_id in ${REG}) order by id`],
  ['appointments', `select to_jsonb(t) as row from appointment t where registration_id in ${REG} order by starts_at, id`],
  ['providerIncidents', `select to_jsonb(t) as row from provider_incident t where registration_id in ${REG} order by occurred_at, id`],
  ['equipmentChecks', `select to_jsonb(t) - 'screenshot' as row from equipment_check t where learner_id = ? order by checked_at, id`],
  ['examAttempts', `select to_jsonb(t) as row from exam_attempt t where registration_id in ${REG} order by unlocked_at, id`],
  ['examUnlockFailures', `select to_jsonb(t) as row from exam_unlock_failure t where appointment_id in (select id from appointment where registration_id in ${REG}) order by id`],
  ['examResults', `select to_jsonb(t) as row from exam_result t where attempt_id in (select id from exam_attempt where registration_id in ${REG}) order by computed_at, id`],
  ['certificates', `select to_jsonb(t) - 'storage_key' as row from certificate t where registration_id in ${REG} order by issued_at, id`],
  ['fraudCases', `select to_jsonb(t) as row from fraud_case t where registration_id in ${REG} order by opened_at, id`],
  ['fraudCaseEvents', `select to_jsonb(t) as row from fraud_case_event t where case_id in (select id from fraud_case where registration_id in ${REG}) order by id`],
  ['legalHolds', `select to_jsonb(t) as row from legal_hold t where case_id in (select id from fraud_case where registration_id in ${REG}) order by placed_at, id`],
  ['evidence', `select to_jsonb(t) - 'storage_key' as row from evidence t where registration_id in ${REG} order by captured_at, id`],
  ['evidenceTombstones', `select to_jsonb(t) as row from evidence_tombstone t where evidence_id in (select id from evidence where registration_id in ${REG}) order by purged_at`],
];

/** Ids of everything above, as audit subjects. */
const SUBJECTS = `select ?::text union all select id::text from registration where learner_id = ?
  union all select id::text from payment where registration_id in ${REG}
  union all select id::text from refund_request where registration_id in ${REG}
  union all select id::text from appointment where registration_id in ${REG}
  union all select id::text from provider_incident where registration_id in ${REG}
  union all select id::text from equipment_check where learner_id = ?
  union all select id::text from exam_attempt where registration_id in ${REG}
  union all select r.id::text from exam_result r join exam_attempt a on a.id = r.attempt_id where a.registration_id in ${REG}
  union all select id::text from certificate where registration_id in ${REG}
  union all select id::text from fraud_case where registration_id in ${REG}
  union all select id::text from evidence where registration_id in ${REG}`;
const AUDIT = `select to_jsonb(t) as row from audit_event t where subject_id in (${SUBJECTS}) or actor = 'learner:' || ? order by id`;

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const camelKeys = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, val]) => [camel(k), val]));
const bindings = (sql: string, id: string) => Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => id);

async function rows(em: EntityManager, sql: string, learnerId: string): Promise<Record<string, unknown>[]> {
  const result = await em.execute<{ row: Record<string, unknown> }[]>(sql, bindings(sql, learnerId));
  return result.map((r) => camelKeys(r.row));
}

/** The ProctorU outbox (issue 12) holds the profile sent to ProctorU until the call is made. */
async function hasOutbox(em: EntityManager): Promise<boolean> {
  const [r] = await em.execute<{ t: string | null }[]>(`select to_regclass('proctoru_outbox')::text as t`);
  return Boolean(r?.t);
}

export const erasedEmail = (learnerId: string) => `erased-${learnerId}@erased.invalid`;

/**
 * GDPR requests about one learner: the export of everything held (art. 15) and the erasure (art. 17)
 * that keeps only what accounting and certificate verification require (README "Personal data requests").
 */
export class LearnerDataService {
  /** One JSON document; the export itself is audited (R-SEC-2: a staff view of personal data). */
  async export(ctx: ServiceContext, learnerIdInput: string): Promise<Record<string, unknown>> {
    const learnerId = v.uuid(learnerIdInput, ['learnerId']);
    return ctx.em.transactional(async (em) => {
      const [learner] = await rows(em, `select to_jsonb(t) as row from learner t where id = ?`, learnerId);
      if (!learner) throw new DomainError('NOT_FOUND', 'No learner with this id', ['learnerId']);
      const doc: Record<string, unknown> = { format: 'cbo-learner-export/1', exportedAt: ctx.clock.now().toISOString(), learner };
      for (const [name, sql] of SECTIONS) doc[name] = await rows(em, sql, learnerId);
      if (await hasOutbox(em)) doc.proctoruCalls = await rows(em, `select to_jsonb(t) as row from proctoru_outbox t where registration_id in ${REG} order by seq`, learnerId);
      doc.auditEvents = await rows(em, AUDIT, learnerId);
      audit(em, ctx, 'learner.data.export', { type: 'Learner', id: learnerId }, { sections: Object.keys(doc).length - 2 });
      return doc;
    });
  }

  /**
   * Erases a learner (ADMIN). Refused while something still needs the person: an open fraud case or an
   * active legal hold, an open refund, or a paid registration whose session has not ended without a
   * certificate (withdraw or wait). Unpaid registrations of running sessions are cancelled.
   */
  async erase(ctx: ServiceContext, learnerIdInput: string, reasonInput: string): Promise<Learner> {
    const learnerId = v.uuid(learnerIdInput, ['learnerId']);
    const reason = v.text(reasonInput, ['reason'], { max: 1000 });
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const [locked] = await em.execute<{ erased_at: Date | null }[]>(`select erased_at from learner where id = ? for update`, [learnerId]);
      if (!locked) throw new DomainError('NOT_FOUND', 'No learner with this id', ['learnerId']);
      if (locked.erased_at) throw new DomainError('LEARNER_ERASED', 'This learner was erased already', ['learnerId']);
      await this.assertErasable(em, learnerId, now);

      const cancelled = await em.execute<{ id: string }[]>(
        `update registration set status = 'CANCELLED', cancelled_at = ?, cancellation_reason = 'learner erased (GDPR art. 17)'
         where learner_id = ? and status = 'IN_PROGRESS' and paid_at is null returning id`,
        [now, learnerId],
      );
      const short = learnerId.slice(0, 8);
      await em.execute(
        `update learner set external_id = ?, email = ?, username = ?, given_name = 'Erased', family_name = ?, phone = null, address = null, city = null,
           time_zone = null, country = null, profile_purged_at = coalesce(profile_purged_at, ?), erased_at = ?, updated_at = ? where id = ?`,
        [`erased:${learnerId}`, erasedEmail(learnerId), `erased-${short}`, `Learner ${short}`, now, now, now, learnerId],
      );
      // Refund requests keep the names (the beneficiary of a refund is an accounting record), not the contact data.
      await em.execute(`update refund_request set email = ?, username = ?, updated_at = ? where registration_id in ${REG}`, [erasedEmail(learnerId), `erased-${short}`, now, learnerId]);
      // Calls not yet made to ProctorU carry the profile: only the ids stay (sent calls keep nothing else already).
      if (await hasOutbox(em)) {
        await em.execute(
          `update proctoru_outbox set payload = jsonb_build_object('reservation_id', payload->'reservation_id', 'student_id', payload->'student_id')
           where registration_id in ${REG} and status <> 'SENT'`,
          [learnerId],
        );
      }
      await em.execute(`update equipment_check set screenshot = null, screenshot_sha256 = null, screenshot_content_type = null where learner_id = ? and screenshot is not null`, [learnerId]);
      audit(em, ctx, 'learner.erase', { type: 'Learner', id: learnerId }, { reason, cancelledRegistrations: cancelled.map((r) => r.id) });
      return em.findOneOrFail(Learner, { id: learnerId }, { refresh: true });
    });
  }

  private async assertErasable(em: EntityManager, learnerId: string, now: Date): Promise<void> {
    const [b] = await em.execute<{ fraud: boolean; hold: boolean; refund: boolean; running: boolean }[]>(
      `select exists (select 1 from fraud_case where registration_id in ${REG} and status in ('OPEN', 'UNDER_REVIEW')) as fraud,
              exists (select 1 from legal_hold h join fraud_case c on c.id = h.case_id where c.registration_id in ${REG} and h.released_at is null) as hold,
              exists (select 1 from refund_request where registration_id in ${REG} and status in ('SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED')) as refund,
              exists (select 1 from registration r join certification_session s on s.id = r.session_id
                       left join payment p on p.registration_id = r.id
                       where r.learner_id = ? and r.status <> 'CANCELLED' and s.certificate_deadline > ?
                         and (r.dun_exempt or (r.paid_at is not null and coalesce(p.status, 'PAID') = 'PAID'))
                         and not exists (select 1 from certificate c where c.registration_id = r.id)) as running`,
      [learnerId, learnerId, learnerId, learnerId, now],
    );
    if (b.fraud) throw new DomainError('FRAUD_REVIEW_OPEN', 'A fraud case about this learner is under review: erase after its decision', ['learnerId']);
    if (b.hold) throw new DomainError('LEGAL_HOLD_ACTIVE', 'A legal hold covers this learner’s evidence: erase after it is lifted', ['learnerId']);
    if (b.refund) throw new DomainError('REFUND_IN_PROGRESS', 'A refund of this learner is in progress: erase after it is completed or rejected', ['learnerId']);
    if (b.running) {
      throw new DomainError('ERASURE_BLOCKED', 'A paid registration of this learner is under way in a session that has not ended: withdraw (refund) or erase after the certificate deadline', ['learnerId']);
    }
  }
}
