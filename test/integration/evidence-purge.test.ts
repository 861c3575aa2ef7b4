import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeEvidenceJob } from '../../src/jobs/purge-evidence.job';
import { purgeExpiredEvidence } from '../../src/services/evidence-purge';
import { putEvidence } from '../helpers/evidence-factories';
import { examSession, serviceCtx, unlockedAttempt } from '../helpers/exam-factories';
import { bulkAttempts, heldCase, objectPath, releaseHold, runPurge, type StoredEvidence, storeEvidence } from '../helpers/fraud-factories';
import { auditEvents } from '../helpers/inputs-common';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

const SECOND = 1000;
const at = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

interface Row {
  status: string;
  storage_key: string | null;
  purged_at: string | null;
  purge_job_run_id: string | null;
}

async function rowOf(e: StoredEvidence): Promise<Row> {
  const [row] = await sql<Row>(s, 'select status, storage_key, purged_at, purge_job_run_id from evidence where id = ?', [e.id]);
  return row;
}

async function tombstonesOf(ids: string[]) {
  return sql<{ evidence_id: string; kind: string; size_bytes: string; sha256: string; purged_at: string; job_run_id: string | null; storage_was_missing: boolean }>(
    s,
    'select * from evidence_tombstone where evidence_id = any(?::uuid[]) order by evidence_id',
    [`{${ids.join(',')}}`],
  );
}

async function keyExists(e: StoredEvidence): Promise<boolean> {
  const rows = await sql(s, 'select 1 from object_key where storage_key = ?', [e.storageKey]);
  return rows.length > 0;
}

/** Retained, its key kept and its bytes still readable as stored. */
async function expectIntact(e: StoredEvidence): Promise<void> {
  expect((await rowOf(e)).status).toBe('RETAINED');
  expect(existsSync(objectPath(s, e.storageKey))).toBe(true);
  const [key] = await sql<{ data_key: Buffer }>(s, 'select data_key from object_key where storage_key = ?', [e.storageKey]);
  expect((await s.app.objects.openBuffer(e.storageKey, key.data_key, e.bytes.length)).equals(e.bytes)).toBe(true);
}

/** Purged: row PURGED without a key, key shredded, file gone from disk, one tombstone. */
async function expectPurged(e: StoredEvidence): Promise<void> {
  const row = await rowOf(e);
  expect(row.status).toBe('PURGED');
  expect(row.storage_key).toBeNull();
  expect(await keyExists(e)).toBe(false);
  expect(existsSync(objectPath(s, e.storageKey))).toBe(false);
  expect(await tombstonesOf([e.id])).toHaveLength(1);
}

describe('PURGE_EVIDENCE (R-EVI-4)', () => {
  it('R-EVI-4: is registered, hourly', () => {
    expect(purgeEvidenceJob.name).toBe('PURGE_EVIDENCE');
    expect(purgeEvidenceJob.schedule).toBe('7 * * * *');
  });

  it('R-EVI-4: evidence one second before retainUntil stays; at retainUntil it is destroyed, with a tombstone and no copy', async () => {
    const T = '2017-05-01T10:00:00.000Z';
    const [attemptId] = await bulkAttempts(s, sessionId, 1);
    const e = await storeEvidence(s, attemptId, 'VIDEO', at(T));
    await s.setClock(at(T, -SECOND));
    const before = await runPurge(s);
    expect(before).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    await expectIntact(e);

    await s.setClock(T);
    const run = await runPurge(s);
    expect(run).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 1 });
    await expectPurged(e);
    const row = await rowOf(e);
    expect(new Date(row.purged_at!).toISOString()).toBe(T);
    expect(row.purge_job_run_id).toBe(run.id);
    const [t] = await tombstonesOf([e.id]);
    expect(t).toMatchObject({ kind: 'VIDEO', job_run_id: run.id, storage_was_missing: false });
    expect(Number(t.size_bytes)).toBe(e.bytes.length);
    expect(new Date(t.purged_at).toISOString()).toBe(T);
    const [{ sha256 }] = await sql<{ sha256: string }>(s, 'select sha256 from evidence where id = ?', [e.id]);
    expect(t.sha256).toBe(sha256);
    expect((await auditEvents(s, { subjectId: e.id })).map((a) => a.action)).toEqual(['evidence.purge']);
    // Idempotent: nothing left to do.
    expect(await runPurge(s)).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect(await tombstonesOf([e.id])).toHaveLength(1);
  });

  it('R-EVI-4: evidence under a legal hold is ON_HOLD and not purged; released, it goes at the next run', async () => {
    const T = '2017-06-01T10:00:00.000Z';
    const [heldAttempt, freeAttempt] = await bulkAttempts(s, sessionId, 2);
    const held = [await storeEvidence(s, heldAttempt, 'VIDEO', at(T)), await storeEvidence(s, heldAttempt, 'ID_DOCUMENT', at(T, 3600 * SECOND))];
    const free = await storeEvidence(s, freeAttempt, 'FACE_PHOTO', at(T));
    const c = await heldCase(s, heldAttempt);
    await s.setClock(at(T, 2 * 3600 * SECOND));
    await runPurge(s);
    await expectPurged(free);
    for (const e of held) await expectIntact(e);
    const q = await s.gql<{ fraudCase: { evidence: { id: string; status: string }[] } }>('query($id: ID!) { fraudCase(id: $id) { evidence { id status } } }', { id: c.id }, await s.tokenFor('CERTIFICATION'));
    expect(q.errors).toBeUndefined();
    expect(q.data!.fraudCase.evidence.map((x) => x.status)).toEqual(['ON_HOLD', 'ON_HOLD']);

    expect((await releaseHold(s, c.id)).errors).toEqual([]);
    const run = await runPurge(s);
    expect(run.itemsProcessed).toBe(2);
    for (const e of held) await expectPurged(e);
    const after = await s.gql<{ fraudCase: { evidence: { status: string; purgedAt: string | null }[] } }>('query($id: ID!) { fraudCase(id: $id) { evidence { status purgedAt } } }', { id: c.id }, await s.tokenFor('CERTIFICATION'));
    expect(after.data!.fraudCase.evidence.map((x) => x.status)).toEqual(['PURGED', 'PURGED']);
  });

  it('R-EVI-4: evidence ingested through PUT /evidence is destroyed at its retainUntil: file gone from disk, viewUrl null', async () => {
    const a = await unlockedAttempt(s, sessionId);
    const bytes = Buffer.from('a webm recording, for the test');
    const put = await putEvidence(s, a.attemptId, 'VIDEO', bytes, a.startsAt);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const [row] = await sql<{ id: string; storage_key: string; retain_until: string }>(s, 'select id, storage_key, retain_until from evidence where id = ?', [put.body.id]);
    const retainUntil = new Date(row.retain_until);
    const path = objectPath(s, row.storage_key);
    expect(existsSync(path)).toBe(true);
    await s.setClock(new Date(retainUntil.getTime() - SECOND));
    await runPurge(s);
    expect(existsSync(path)).toBe(true);
    await s.setClock(retainUntil);
    expect((await runPurge(s)).itemsProcessed).toBeGreaterThanOrEqual(1);
    expect(existsSync(path)).toBe(false);
    const q = await s.gql<{ attempt: { evidence: { id: string; status: string; viewUrl: string | null }[] } }>(
      'query($id: ID!) { attempt(id: $id) { evidence { id status viewUrl } } }',
      { id: a.attemptId },
      await s.tokenFor('CERTIFICATION'),
    );
    expect(q.errors).toBeUndefined();
    expect(q.data!.attempt.evidence).toEqual([{ id: row.id, status: 'PURGED', viewUrl: null }]);
  });

  it('R-EVI-4: a purge interrupted half-way (a batch committed, another cut after deleting bytes) is finished by the next run, each object purged once', async () => {
    const T = '2017-07-01T10:00:00.000Z';
    const attempts = await bulkAttempts(s, sessionId, 3);
    const all: StoredEvidence[] = [];
    for (const a of attempts) for (const kind of ['VIDEO', 'ID_DOCUMENT'] as const) all.push(await storeEvidence(s, a, kind, at(T, all.length * SECOND)));
    await s.setClock(at(T, 60 * SECOND));
    const ctx = serviceCtx(s, 'purge-test');
    // A run stopped after its first batch of 2.
    const first = await purgeExpiredEvidence(ctx, s.app.objects, { runId: null, batchSize: 2, maxBatches: 1 });
    expect(first).toEqual({ purged: 2, missing: 0, batches: 1 });
    // A run that dies after deleting its batch's bytes, before the commit.
    let cut: string[] = [];
    const crash = purgeExpiredEvidence(ctx, s.app.objects, {
      runId: null,
      batchSize: 2,
      afterDestroy: async (ids) => {
        cut = ids;
        throw new Error('process killed');
      },
    });
    await expect(crash).rejects.toThrow('process killed');
    expect(cut).toHaveLength(2);
    for (const e of all.filter((x) => cut.includes(x.id))) {
      expect((await rowOf(e)).status).toBe('RETAINED');
      expect(existsSync(objectPath(s, e.storageKey))).toBe(false);
    }
    const run = await runPurge(s);
    expect(run).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 4 });
    for (const e of all) await expectPurged(e);
    const tombstones = await tombstonesOf(all.map((e) => e.id));
    expect(tombstones).toHaveLength(6);
    expect(tombstones.filter((t) => t.storage_was_missing).map((t) => t.evidence_id).sort()).toEqual([...cut].sort());
  });

  it('R-EVI-4: an object already missing from storage is logged and its record purged all the same', async () => {
    const T = '2017-08-01T10:00:00.000Z';
    const [attemptId] = await bulkAttempts(s, sessionId, 1);
    const e = await storeEvidence(s, attemptId, 'FACE_PHOTO', at(T));
    expect(await s.app.objects.destroy(e.storageKey)).toBe(true);
    await s.setClock(T);
    expect(await runPurge(s)).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 1 });
    await expectPurged(e);
    expect((await tombstonesOf([e.id]))[0].storage_was_missing).toBe(true);
  });

  it('R-JOB-1: two instances purging at once share the work: every object purged exactly once', async () => {
    const T = '2017-09-01T10:00:00.000Z';
    const attempts = await bulkAttempts(s, sessionId, 6);
    const all: StoredEvidence[] = [];
    for (const a of attempts) for (const kind of ['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'] as const) all.push(await storeEvidence(s, a, kind, at(T)));
    await s.setClock(T);
    const [a, b] = await Promise.all([
      purgeExpiredEvidence(serviceCtx(s, 'instance-a'), s.app.objects, { runId: null, batchSize: 3 }),
      purgeExpiredEvidence(serviceCtx(s, 'instance-b'), s.app.objects, { runId: null, batchSize: 3 }),
    ]);
    expect(a.purged + b.purged).toBe(18);
    expect(a.missing + b.missing).toBe(0);
    for (const e of all) await expectPurged(e);
    expect(await tombstonesOf(all.map((e) => e.id))).toHaveLength(18);
  });
});
