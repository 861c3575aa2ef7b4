import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { holderName } from '../domain/certificate';
import { CertificationSession } from '../entities';
import { newStorageKey } from '../storage';
import { recordObjectIntents, releaseObjectIntents } from '../storage/object-intents';
import { type CertificateService, type RenderedCertificate } from './certificate.service';

export const ISSUE_BATCH = 100;

export interface IssueAllOptions {
  batchSize?: number;
  /** Stops between batches (the job's abort signal). */
  signal?: AbortSignal;
}

export interface IssueAllReport {
  issued: number;
  /** Published passed results left alone because the registration's name is not locked. */
  skippedNameNotLocked: number;
}

interface QueueRow {
  result_id: string;
  registration_id: string;
  session_id: string;
  locked_given_name: string;
  locked_family_name: string;
}

/**
 * ISSUE_CERTIFICATES (R-CER-2, R-JOB-1): a certificate for every published, passed, not voided result
 * whose registration has its name locked, no certificate, no fraud case under way or confirmed, and is
 * not cancelled. Batches of 100, each its own transaction: the registrations are locked
 * `for update skip locked` (another instance takes the next ones; issueCertificate waits), every PDF is
 * rendered and stored, then certificates, their object keys and audit events are inserted in one
 * statement. `on conflict do nothing` makes it idempotent: a registration certified meanwhile (or a
 * code collision) inserts nothing, and its stored object is destroyed after the commit.
 * Before the first PDF is stored, the batch commits an object intent per storage key (its own
 * statement, outside the batch's transaction); the batch's commit deletes the intents of the keys it
 * records, the objects it does not keep are destroyed and their intents deleted after it. A process
 * killed in between leaves intents, and the intent sweep deletes their objects (object-intents.ts).
 */
export async function issuePendingCertificates(ctx: ServiceContext, certificates: CertificateService, opts: IssueAllOptions = {}): Promise<IssueAllReport> {
  const batch = opts.batchSize ?? ISSUE_BATCH;
  const sessions = new Map<string, CertificationSession>();
  const report: IssueAllReport = { issued: 0, skippedNameNotLocked: await countNameNotLocked(ctx.em.fork()) };
  if (report.skippedNameNotLocked > 0) ctx.log.warn({ count: report.skippedNameNotLocked }, 'ISSUE_CERTIFICATES: passed results skipped, the registration name is not locked');
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    if (opts.signal?.aborted) break;
    /** Keys with a committed intent: their objects may be stored. */
    const intended: string[] = [];
    let step: { issued: number; last: string | null; orphans: string[] };
    try {
      step = await ctx.em.fork().transactional((em) => issueBatch(em, ctx, certificates, sessions, after, batch, intended));
    } catch (err) {
      await certificates.discard(ctx.em.fork(), intended);
      throw err;
    }
    await certificates.discard(ctx.em.fork(), step.orphans);
    report.issued += step.issued;
    if (step.last === null) break;
    after = step.last;
  }
  return report;
}

const QUEUE = `
  from exam_result r
  join exam_attempt a on a.id = r.attempt_id
  join registration g on g.id = a.registration_id
  where r.status = 'PUBLISHED' and r.passed and g.status <> 'CANCELLED'
    and not exists (select 1 from certificate c where c.registration_id = g.id)
    and not exists (select 1 from fraud_case f where f.registration_id = g.id and f.status in ('OPEN', 'UNDER_REVIEW', 'FRAUD_CONFIRMED'))`;

async function countNameNotLocked(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(`select count(*)::int as n ${QUEUE} and g.name_locked_at is null`);
  return row.n;
}

async function issueBatch(
  em: EntityManager,
  ctx: ServiceContext,
  certificates: CertificateService,
  sessions: Map<string, CertificationSession>,
  after: string,
  limit: number,
  intended: string[],
): Promise<{ issued: number; last: string | null; orphans: string[] }> {
  const rows = await em.execute<QueueRow[]>(
    `select r.id as result_id, g.id as registration_id, g.session_id, g.locked_given_name, g.locked_family_name
     ${QUEUE} and g.name_locked_at is not null and r.id > ?
     order by r.id limit ? for update of g skip locked`,
    [after, limit],
  );
  if (rows.length === 0) return { issued: 0, last: null, orphans: [] };
  const missing = [...new Set(rows.map((r) => r.session_id))].filter((id) => !sessions.has(id));
  if (missing.length) for (const s of await em.find(CertificationSession, { id: { $in: missing } })) sessions.set(s.id, s);

  const issuedAt = ctx.clock.now();
  // The intents are committed (another connection) before anything is stored under their keys.
  const keys = rows.map(() => newStorageKey('cert'));
  await recordObjectIntents(ctx.em.fork(), keys, 'certificate', issuedAt);
  intended.push(...keys);
  // Rendering is CPU, storing is I/O: each PDF is stored while the next one renders.
  const puts: Promise<RenderedCertificate & { row: QueueRow }>[] = [];
  for (const [i, row] of rows.entries()) {
    const holder = holderName({ lockedGivenName: row.locked_given_name, lockedFamilyName: row.locked_family_name })!;
    const { verificationCode, pdf } = await certificates.renderPdf(sessions.get(row.session_id)!, holder, issuedAt);
    puts.push(certificates.objects.putBuffer(pdf, { storageKey: keys[i] }).then((sealed) => ({ verificationCode, holderName: holder, sealed, row })));
  }
  const settled = await Promise.allSettled(puts);
  const rendered: (RenderedCertificate & { row: QueueRow })[] = [];
  for (const p of settled) if (p.status === 'fulfilled') rendered.push(p.value);
  const failed = settled.find((p) => p.status === 'rejected');
  if (failed) throw failed.reason;
  const items = rendered.map((r) => {
    const session = sessions.get(r.row.session_id)!;
    return {
      registration_id: r.row.registration_id,
      result_id: r.row.result_id,
      session_id: r.row.session_id,
      holder_name: r.holderName,
      course_title: session.courseTitle,
      university: session.university,
      verification_code: r.verificationCode,
      storage_key: r.sealed.storageKey,
      data_key: r.sealed.dataKey.toString('base64'),
      sha256: r.sealed.sha256,
      size_bytes: r.sealed.sizeBytes,
    };
  });
  // Certificates, the keys of their PDFs and their audit events (R-SEC-2), for the rows inserted only.
  const inserted = await em.execute<{ storage_key: string }[]>(
    `with x as (
       select * from jsonb_to_recordset(?::jsonb) as x(registration_id uuid, result_id uuid, session_id uuid, holder_name text, course_title text,
         university text, verification_code text, storage_key text, data_key text, sha256 text, size_bytes int)
     ), inserted as (
       insert into certificate (id, registration_id, result_id, session_id, holder_name, course_title, university, issued_at, issued_by,
         verification_code, storage_key, sha256, size_bytes)
       select gen_random_uuid(), registration_id, result_id, session_id, holder_name, course_title, university, ?::timestamptz, ?,
         verification_code, storage_key, sha256, size_bytes from x
       on conflict do nothing
       returning id, registration_id, storage_key, verification_code, sha256
     ), keys as (
       insert into object_key (storage_key, data_key) select x.storage_key, decode(x.data_key, 'base64') from x join inserted i using (storage_key)
     ), audited as (
       insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
       select ?::timestamptz, ?, 'certificate.issue', 'Certificate', i.id::text,
         jsonb_build_object('registrationId', i.registration_id, 'verificationCode', i.verification_code, 'sha256', i.sha256), ?
       from inserted i
     )
     select storage_key from inserted`,
    [JSON.stringify(items), issuedAt, actorOf(ctx.viewer), issuedAt, actorOf(ctx.viewer), ctx.requestId],
  );
  const kept = new Set(inserted.map((i) => i.storage_key));
  // The recorded keys' intents go in this transaction; the others' after their objects (discard).
  await releaseObjectIntents(em, [...kept]);
  return { issued: kept.size, last: rows[rows.length - 1].result_id, orphans: keys.filter((k) => !kept.has(k)) };
}
