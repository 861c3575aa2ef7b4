import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { type SealedStore } from '../storage';

/**
 * Rows per batch (one transaction each). 1 000: a batch's database work (a locking read, one
 * statement for keys and rows, one for tombstones and audit events) costs about the same for 200 or
 * 1 000 rows, so larger batches spend the purge's time on the deletions (bench/README.md, PURGE_EVIDENCE).
 */
export const PURGE_BATCH = 1000;
/** Deletions in flight at once within a batch (file unlinks, S3 DeleteObject calls). */
const DESTROY_CONCURRENCY = 64;

export interface PurgeOptions {
  /** The PURGE_EVIDENCE run, written on each purged row and tombstone (null when run outside the scheduler). */
  runId: string | null;
  batchSize?: number;
  /** Stops between batches (the job's abort signal). */
  signal?: AbortSignal;
  /** Stops after this many batches (tests: an interrupted run). */
  maxBatches?: number;
  /** Tests: called after a batch's bytes are deleted, before its commit (throw to simulate a crash there). */
  afterDestroy?: (evidenceIds: string[]) => Promise<void>;
}

export interface PurgeReport {
  purged: number;
  /** Objects whose bytes were already gone from storage (logged; purged all the same). */
  missing: number;
  batches: number;
}

interface Due {
  id: string;
  attempt_id: string;
  kind: string;
  size_bytes: string;
  sha256: string;
  storage_key: string;
}

/**
 * R-EVI-4, the PURGE_EVIDENCE job: destroys every evidence object whose `retainUntil` has come (at
 * `retainUntil` exactly: one second before it stays) and whose attempt has no active legal hold.
 *
 * Batches of 200, each one transaction:
 *   1. lock the oldest due rows (`for update skip locked`: two instances share the queue, never a row);
 *   2. re-read active holds with a fresh statement and leave held rows alone (a hold placed while the
 *      batch was being picked waits on these locks, see LegalHoldService.place);
 *   3. delete the bytes from the store, 64 at a time (a missing object is logged and purged all the
 *      same) while, in the same transaction, one statement shreds the object keys (crypto-shredding:
 *      any copy of the bytes left anywhere, backups included, is unreadable) and marks the rows PURGED
 *      (key cleared, purged-at, run id): the database works while the store does;
 *   4. once every deletion has answered, one statement inserts the tombstones (kind, size, SHA-256,
 *      purged-at, run, whether the bytes were already missing: no personal data) and one audit event
 *      per object; commit.
 * Interrupted anywhere, nothing is half-done for good: before the commit nothing in the database
 * changed, so the next run takes the same rows again and finds their bytes gone (`storageWasMissing`);
 * after it, the rows have left the queue. Idempotent: a purged row is no longer RETAINED.
 */
export async function purgeExpiredEvidence(ctx: ServiceContext, objects: SealedStore, opts: PurgeOptions): Promise<PurgeReport> {
  const report: PurgeReport = { purged: 0, missing: 0, batches: 0 };
  const size = opts.batchSize ?? PURGE_BATCH;
  for (;;) {
    if (opts.signal?.aborted || (opts.maxBatches != null && report.batches >= opts.maxBatches)) return report;
    const step = await ctx.em.fork().transactional((em) => purgeBatch(em, ctx, objects, size, opts));
    report.batches += 1;
    report.purged += step.purged;
    report.missing += step.missing;
    if (step.picked < size) return report;
  }
}

async function purgeBatch(em: EntityManager, ctx: ServiceContext, objects: SealedStore, size: number, opts: PurgeOptions) {
  const now = ctx.clock.now();
  const picked = await em.execute<Due[]>(
    `select e.id, e.attempt_id, e.kind, e.size_bytes, e.sha256, e.storage_key from evidence e
     where e.status = 'RETAINED' and e.retain_until <= ? -- isPastRetention: due at retainUntil exactly
       and not exists (select 1 from legal_hold h where h.attempt_id = e.attempt_id and h.released_at is null)
     order by e.retain_until, e.id limit ? for update of e skip locked`,
    [now, size],
  );
  if (picked.length === 0) return { picked: 0, purged: 0, missing: 0 };
  const held = await em.execute<{ attempt_id: string }[]>(`select distinct attempt_id from legal_hold where attempt_id = any(?::uuid[]) and released_at is null`, [
    `{${[...new Set(picked.map((r) => r.attempt_id))].join(',')}}`,
  ]);
  const heldAttempts = new Set(held.map((h) => h.attempt_id));
  const due = picked.filter((r) => !heldAttempts.has(r.attempt_id));
  if (due.length === 0) return { picked: picked.length, purged: 0, missing: 0 };
  // The rows are marked (keys shredded, status PURGED) while their bytes are deleted: both inside this
  // transaction, so nothing is visible, and nothing is final, before the commit below, whichever ends first.
  const marking = em.execute<{ id: string }[]>(
    `with shredded as (
       delete from object_key k where k.storage_key = any(?::text[])
     )
     update evidence e set status = 'PURGED', storage_key = null, purged_at = ?, purge_job_run_id = ?
     where e.id = any(?::uuid[]) and e.status = 'RETAINED' returning e.id`,
    [textArray(due.map((r) => r.storage_key)), now, opts.runId, textArray(due.map((r) => r.id))],
  );
  marking.catch(() => undefined); // awaited below, after the deletions (whose error, if any, comes first)
  const missing = new Set<string>();
  await forEachLimited(due, DESTROY_CONCURRENCY, async (r) => {
    if (!(await objects.destroy(r.storage_key))) missing.add(r.id);
  });
  const marked = new Set((await marking).map((r) => r.id));
  for (const r of due.filter((x) => missing.has(x.id))) {
    ctx.log.warn({ evidenceId: r.id, storageKey: r.storage_key }, 'evidence object already missing from storage; purging its record');
  }
  if (opts.afterDestroy) await opts.afterDestroy(due.map((r) => r.id));
  // Tombstones and audit events once the deletions are known (`storageWasMissing`): both tables are append-only.
  const rows = due.filter((r) => marked.has(r.id)).map((r) => ({ id: r.id, kind: r.kind, size_bytes: Number(r.size_bytes), sha256: r.sha256, missing: missing.has(r.id) }));
  await em.execute(
    `with batch as (
       select * from jsonb_to_recordset(?::jsonb) as x(id uuid, kind text, size_bytes bigint, sha256 text, missing boolean)
     ), tombstones as (
       insert into evidence_tombstone (evidence_id, kind, size_bytes, sha256, purged_at, job_run_id, storage_was_missing)
       select b.id, b.kind, b.size_bytes, b.sha256, ?, ?, b.missing from batch b
     )
     insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
     select ?, ?, 'evidence.purge', 'Evidence', b.id::text,
            jsonb_build_object('kind', b.kind, 'sizeBytes', b.size_bytes, 'jobRunId', ?::text, 'storageWasMissing', b.missing), ?
     from batch b`,
    [JSON.stringify(rows), now, opts.runId, now, actorOf(ctx.viewer), opts.runId, ctx.requestId],
  );
  return { picked: picked.length, purged: due.length, missing: missing.size };
}

/** A PostgreSQL array literal of strings, each quoted (`{"a","b"}`). */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** Runs `fn` over the items, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
