import { type EntityManager } from '@mikro-orm/postgresql';
import { toTextArray } from './object-keys';
import { type SealedStore } from './sealed-store';

/**
 * Object intents (table `object_intent`, m0014): the guard against orphaned objects. A writer
 * 1. names its storage keys (`newStorageKey`) and commits one intent per key (`recordObjectIntents`),
 * 2. uploads the objects under those keys,
 * 3. records the keys (`object_key`) and deletes their intents in one transaction (`releaseObjectIntents`);
 *    objects it does not keep are destroyed, then their intents deleted (`discardObjects`).
 * A writer killed between 1 and 3 leaves intents: `sweepObjectIntents` (at start-up and before each
 * ISSUE_CERTIFICATES run) destroys their objects once the intents are old enough, then deletes them.
 * Only intents are swept, never "the objects the database has no key for": a second database on the
 * same store (a restore drill on a copy; the restore empties this table) never deletes this one's objects.
 */
export type ObjectPurpose = 'certificate' | 'evidence';

/**
 * How old (domain clock) an intent must be before the sweep takes its writer for dead: more than any
 * writer of the purpose takes between the intent and its commit. A certificate batch stores 100 PDFs in
 * seconds; an evidence upload streams up to 20 GB from the proctoring side. A writer slower than this
 * loses its intent to the sweep and is refused at its commit (ObjectIntentLostError): its key is never
 * recorded for an object the sweep may have deleted.
 */
export const OBJECT_INTENT_MAX_AGE_MS: Readonly<Record<ObjectPurpose, number>> = {
  certificate: 60 * 60 * 1000,
  evidence: 24 * 60 * 60 * 1000,
};
/** Intents swept per transaction. */
export const INTENT_SWEEP_BATCH = 100;

/** The sweep took an intent of this transaction's objects (its writer was slower than the maximum age): roll back. */
export class ObjectIntentLostError extends Error {
  constructor(readonly storageKeys: string[]) {
    super(`object intents swept before their commit (${storageKeys.length}): the upload is abandoned`);
    this.name = 'ObjectIntentLostError';
  }
}

/**
 * Commits an intent per key, before anything is uploaded under it. `em` must not be in a transaction
 * (pass a fork): the intents must be committed when the first byte reaches the store.
 */
export async function recordObjectIntents(em: EntityManager, storageKeys: readonly string[], purpose: ObjectPurpose, at: Date): Promise<void> {
  if (storageKeys.length === 0) return;
  if (em.isInTransaction()) throw new Error('object intents are committed before the upload, outside the transaction that records the keys');
  await em.execute(`insert into "object_intent" ("storage_key", "purpose", "created_at") select unnest(?::text[]), ?, ?`, [toTextArray(storageKeys), purpose, at], 'run');
}

/**
 * In the transaction that records the keys (`object_key`): deletes their intents. Throws
 * ObjectIntentLostError when one is gone (swept: its object may be deleted), so nothing is recorded.
 * Waits for a sweep holding one of them, then sees it gone.
 */
export async function releaseObjectIntents(em: EntityManager, storageKeys: readonly string[]): Promise<void> {
  const unique = [...new Set(storageKeys)];
  if (unique.length === 0) return;
  const rows = await em.execute<{ storage_key: string }[]>(`delete from "object_intent" where "storage_key" = any(?::text[]) returning "storage_key"`, [toTextArray(unique)]);
  if (rows.length !== unique.length) {
    const released = new Set(rows.map((r) => r.storage_key));
    throw new ObjectIntentLostError(unique.filter((k) => !released.has(k)));
  }
}

/**
 * Best effort, after a write that will not be recorded (failed, refused, or lost a race): destroys the
 * objects whose key is not recorded, then deletes their intents. Never throws; answers how many keys it
 * left to the sweep (their intent kept: the database could not be asked, or the store refused the delete).
 * A key found recorded (a commit that succeeded although its client saw an error) keeps its object.
 */
export async function discardObjects(em: EntityManager, objects: SealedStore, storageKeys: readonly string[]): Promise<number> {
  if (storageKeys.length === 0) return 0;
  let unrecorded: string[];
  try {
    const rows = await em.execute<{ k: string }[]>(`select k from unnest(?::text[]) k where not exists (select 1 from "object_key" o where o."storage_key" = k)`, [toTextArray(storageKeys)]);
    unrecorded = rows.map((r) => r.k);
  } catch {
    return storageKeys.length;
  }
  const destroyed: string[] = [];
  await Promise.all(unrecorded.map((k) => objects.destroy(k).then(() => destroyed.push(k), () => undefined)));
  try {
    await em.execute(`delete from "object_intent" where "storage_key" = any(?::text[])`, [toTextArray(destroyed)], 'run');
  } catch {
    return unrecorded.length; // destroyed, but their intents stay: the sweep deletes them (the objects are gone)
  }
  return unrecorded.length - destroyed.length;
}

export interface IntentSweepReport {
  /** Intents deleted (their writers dead). */
  intents: number;
  /** Of those, objects found in the store and deleted (the others never arrived, or were already gone). */
  objectsDeleted: number;
  /** Objects the store refused to delete: their intents stay for the next sweep. */
  failed: number;
}

/**
 * Deletes the objects of intents older than their purpose's maximum age (`now` from the clock service)
 * whose key was never recorded, then the intents; an intent whose key is recorded is only deleted.
 * Batches of INTENT_SWEEP_BATCH, each in its own transaction holding its intents
 * `for update skip locked`: concurrent sweeps (several instances) take different intents, and a writer
 * committing meanwhile waits and then finds its intent gone (ObjectIntentLostError).
 */
export async function sweepObjectIntents(
  em: EntityManager,
  objects: SealedStore,
  now: Date,
  opts: { batchSize?: number; maxAgeMs?: Partial<Record<ObjectPurpose, number>> } = {},
): Promise<IntentSweepReport> {
  const batch = opts.batchSize ?? INTENT_SWEEP_BATCH;
  const maxAge = { ...OBJECT_INTENT_MAX_AGE_MS, ...opts.maxAgeMs };
  const cutoffs = Object.fromEntries(Object.entries(maxAge).map(([purpose, ms]) => [purpose, new Date(now.getTime() - ms).toISOString()]));
  // An unknown purpose (a newer version's) waits as long as the longest known one.
  const fallback = new Date(now.getTime() - Math.max(...Object.values(maxAge))).toISOString();
  const report: IntentSweepReport = { intents: 0, objectsDeleted: 0, failed: 0 };
  for (;;) {
    const taken = await em.fork().transactional(async (tx) => {
      const rows = await tx.execute<{ storage_key: string; recorded: boolean }[]>(
        `select i."storage_key", exists (select 1 from "object_key" k where k."storage_key" = i."storage_key") as "recorded"
         from "object_intent" i
         where i."created_at" < coalesce((?::jsonb ->> i."purpose")::timestamptz, ?::timestamptz)
         order by i."created_at", i."storage_key" limit ? for update of i skip locked`,
        [JSON.stringify(cutoffs), fallback, batch],
      );
      const done: string[] = [];
      let deleted = 0;
      let failed = 0;
      for (const row of rows) {
        try {
          if (!row.recorded && (await objects.destroy(row.storage_key))) deleted += 1;
          done.push(row.storage_key);
        } catch {
          failed += 1;
        }
      }
      if (done.length) await tx.execute(`delete from "object_intent" where "storage_key" = any(?::text[])`, [toTextArray(done)], 'run');
      return { rows: rows.length, intents: done.length, deleted, failed };
    });
    report.intents += taken.intents;
    report.objectsDeleted += taken.deleted;
    report.failed += taken.failed;
    // Fewer than a batch: nothing older left (or held by another sweep); a refused delete is retried next time.
    if (taken.rows < batch || taken.failed > 0) return report;
  }
}
