import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateService } from '../../src/services/certificate.service';
import { issuePendingCertificates } from '../../src/services/certificate-issuing';
import { backup, restore } from '../../src/ops/backup';
import { EvidenceService } from '../../src/services/evidence.service';
import { type ByteRange, FsObjectStore, newStorageKey, type ObjectStore, SealedStore } from '../../src/storage';
import {
  OBJECT_INTENT_MAX_AGE_MS,
  ObjectIntentLostError,
  recordObjectIntents,
  releaseObjectIntents,
  sweepObjectIntents,
} from '../../src/storage/object-intents';
import { issueCertificate, passedLearner, runIssueCertificates } from '../helpers/certificate-factories';
import { createTestDatabase, sqlClient } from '../helpers/database';
import { attemptForEvidence, putEvidence } from '../helpers/evidence-factories';
import { examSession, serviceCtx } from '../helpers/exam-factories';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Object intents (SECURITY.md "Faults", issue 11): an object stored by a writer that dies before
 * recording its key is deleted by the intent sweep once the intent is old enough, and nothing else is.
 * A process kill is simulated deterministically by a store that "dies" after N uploads: later uploads
 * and every delete fail, so the writer's own clean-up cannot run, as after kill -9.
 */

let s: TestServer;
let sessionId: string;
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

/**
 * Wraps the server's filesystem store: counts deletes per key, and "dies" once `uploadsBeforeDeath`
 * uploads are complete: from then on every upload and every delete fails (a dead process cleans nothing).
 */
class DrillStore implements ObjectStore {
  readonly description = 'drill';
  readonly deletes = new Map<string, number>();
  private started = 0;
  private completed = 0;
  dead = false;
  /** Resolves a delete only once another delete has started (two sweeps overlapping), when set. */
  private latch: { waiting: number; open: () => void; opened: Promise<void> } | null = null;

  constructor(
    readonly inner: ObjectStore,
    private readonly uploadsBeforeDeath = Number.POSITIVE_INFINITY,
  ) {}

  /** The first delete waits for a second one to start (from another sweep: a sweep deletes one at a time). */
  holdFirstDeleteUntilSecond(): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.latch = { waiting: 0, open, opened };
  }

  async put(key: string, body: Readable): Promise<void> {
    this.started += 1;
    if (this.started > this.uploadsBeforeDeath) this.dead = true;
    if (this.dead) {
      body.resume();
      throw new Error('killed');
    }
    await this.inner.put(key, body);
    this.completed += 1;
    if (this.completed >= this.uploadsBeforeDeath) this.dead = true;
  }
  get(key: string, range?: ByteRange): Promise<Readable> {
    return this.inner.get(key, range);
  }
  async delete(key: string): Promise<boolean> {
    if (this.dead) throw new Error('killed');
    this.deletes.set(key, (this.deletes.get(key) ?? 0) + 1);
    if (this.latch) {
      this.latch.waiting += 1;
      if (this.latch.waiting >= 2) this.latch.open();
      await this.latch.opened;
    }
    return this.inner.delete(key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  size(key: string): Promise<number | null> {
    return this.inner.size(key);
  }
}

const fsStore = () => new FsObjectStore((s.config.storage as { dir: string }).dir);

/** Every object in the filesystem store (its staging directory aside). */
function storedKeys(): string[] {
  const dir = (s.config.storage as { dir: string }).dir;
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === '.tmp' ? [] : walk(join(d, e.name))) : [e.name]));
  try {
    return walk(dir).sort();
  } catch {
    return [];
  }
}

const recordedKeys = async () => (await sql<{ k: string }>(s, 'select storage_key as k from object_key order by storage_key')).map((r) => r.k);
const intents = async () => sql<{ storage_key: string; purpose: string }>(s, 'select storage_key, purpose from object_intent order by storage_key');
const sweep = (store: ObjectStore, opts: Parameters<typeof sweepObjectIntents>[3] = {}) => sweepObjectIntents(s.orm.em.fork(), new SealedStore(store), s.clock.now(), opts);
const plus = (base: Date, ms: number) => new Date(base.getTime() + ms);

describe('object intents: orphans of interrupted writes are swept, nothing else (SECURITY.md "Faults")', () => {
  it('R-CER-2: an ISSUE_CERTIFICATES batch killed after storing its PDFs leaves intents; past the maximum age the sweep deletes exactly those objects and intents, never a recorded one', async () => {
    // Recorded objects the sweep must not touch: a certificate (issueCertificate) and an evidence video.
    const a = await passedLearner(s, sessionId);
    expect((await issueCertificate(s, a.registrationId)).errors).toEqual([]);
    const att = await attemptForEvidence(s, sessionId);
    expect((await putEvidence(s, att.attemptId, 'VIDEO', randomBytes(3000), s.clock.now().toISOString())).status).toBe(201);
    const pending = [await passedLearner(s, sessionId), await passedLearner(s, sessionId), await passedLearner(s, sessionId)];
    const recorded = await recordedKeys();
    expect(storedKeys()).toEqual(recorded);
    expect(await intents()).toEqual([]);

    // The batch of 3: two PDFs stored, then the process "dies" (the third upload and every clean-up fail).
    const t0 = new Date('2017-04-03T08:00:00Z');
    s.clock.set(t0);
    const dying = new DrillStore(fsStore(), 2);
    const certificates = new CertificateService(s.app.signer, s.config, new SealedStore(dying));
    await expect(issuePendingCertificates(serviceCtx(s), certificates)).rejects.toThrow('killed');
    const left = await intents();
    expect(left.map((i) => i.purpose)).toEqual(['certificate', 'certificate', 'certificate']);
    const orphans = storedKeys().filter((k) => !recorded.includes(k));
    expect(orphans).toHaveLength(2);
    for (const k of orphans) expect(left.map((i) => i.storage_key)).toContain(k);
    expect(await recordedKeys()).toEqual(recorded);
    const [certs] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate where registration_id = any(?::uuid[])', [`{${pending.map((p) => p.registrationId).join(',')}}`]);
    expect(certs.n).toBe(0);
    // A stale intent on a recorded key (a writer's bookkeeping gone wrong): only the intent may go.
    await recordObjectIntents(s.orm.em.fork(), [recorded[0]], 'certificate', t0);

    // Younger than the maximum age (an hour for certificates): nothing is swept.
    const counting = new DrillStore(fsStore());
    s.clock.set(plus(t0, OBJECT_INTENT_MAX_AGE_MS.certificate - 60_000));
    expect(await sweep(counting)).toEqual({ intents: 0, objectsDeleted: 0, failed: 0 });
    expect(await intents()).toHaveLength(4);

    // Past it: the three intents of the killed batch go, with the two objects that arrived; the recorded object stays.
    s.clock.set(plus(t0, OBJECT_INTENT_MAX_AGE_MS.certificate + 60_000));
    expect(await sweep(counting)).toEqual({ intents: 4, objectsDeleted: 2, failed: 0 });
    expect([...counting.deletes.keys()].sort()).toEqual(left.map((i) => i.storage_key).sort());
    expect([...counting.deletes.values()]).toEqual([1, 1, 1]);
    expect(await intents()).toEqual([]);
    expect(storedKeys()).toEqual(recorded);
    expect(await sweep(counting)).toEqual({ intents: 0, objectsDeleted: 0, failed: 0 });

    // The next (normal) run issues the three; every recorded object is stored, and only those.
    const run = await runIssueCertificates(s);
    expect(run).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 3 });
    expect(await intents()).toEqual([]);
    expect(storedKeys()).toEqual(await recordedKeys());
    expect(storedKeys()).toHaveLength(recorded.length + 3);
  });

  it('R-EVI-2: an evidence upload killed before its record commits leaves an intent and its object; the sweep deletes them after a day, not after an hour', async () => {
    const att = await attemptForEvidence(s, sessionId);
    const before = storedKeys();
    // The store dies once the upload is done; the record's transaction fails (a trigger); the clean-up's delete fails.
    await sql(s, `create function object_intent_drill() returns trigger language plpgsql as $$ begin raise exception 'killed before the commit'; end $$`);
    await sql(s, `create trigger object_intent_drill before insert on evidence for each statement execute function object_intent_drill()`);
    const dying = new DrillStore(fsStore(), 1);
    const evidence = new EvidenceService(new SealedStore(dying), s.app.signer, s.config);
    const ctx = serviceCtx(s);
    const ingest = evidence.ingest(ctx, { attemptId: att.attemptId, kind: 'VIDEO', contentType: 'video/webm', capturedAt: s.clock.now(), body: Readable.from([randomBytes(5000)]) });
    await expect(ingest).rejects.toThrow(/killed before the commit/);
    expect(dying.deletes.size).toBe(0);
    await sql(s, 'drop trigger object_intent_drill on evidence');
    await sql(s, 'drop function object_intent_drill()');
    const [orphan] = storedKeys().filter((k) => !before.includes(k));
    expect(orphan).toMatch(/^evi-/);
    expect(await intents()).toEqual([{ storage_key: orphan, purpose: 'evidence' }]);
    const [rows] = await sql<{ n: number }>(s, 'select count(*)::int as n from evidence where attempt_id = ?', [att.attemptId]);
    expect(rows.n).toBe(0);

    const t0 = s.clock.now();
    s.clock.set(plus(t0, 2 * HOUR));
    expect(await sweep(new DrillStore(fsStore()))).toEqual({ intents: 0, objectsDeleted: 0, failed: 0 });
    s.clock.set(plus(t0, OBJECT_INTENT_MAX_AGE_MS.evidence + 60_000));
    expect(await sweep(new DrillStore(fsStore()))).toEqual({ intents: 1, objectsDeleted: 1, failed: 0 });
    expect(await intents()).toEqual([]);
    expect(storedKeys()).toEqual(before);
    expect(storedKeys()).toEqual(await recordedKeys());
  });

  it('R-CER-2, R-EVI-2: normal writes leave no intent: issueCertificate, its losing twin, ISSUE_CERTIFICATES, evidence stored and refused', async () => {
    const [a, b, c] = [await passedLearner(s, sessionId), await passedLearner(s, sessionId), await passedLearner(s, sessionId)];
    const codes = (await Promise.all([issueCertificate(s, a.registrationId), issueCertificate(s, a.registrationId)])).map((p) => p.errors.map((e) => e.code).join()).sort();
    expect(codes).toEqual(['', 'CERTIFICATE_ALREADY_ISSUED']);
    const [run, single] = await Promise.all([runIssueCertificates(s), issueCertificate(s, b.registrationId)]);
    expect(run.status).toBe('SUCCEEDED');
    expect(single.errors.map((e) => e.code).filter((x) => x !== 'CERTIFICATE_ALREADY_ISSUED')).toEqual([]);
    const [certs] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate where registration_id in (?, ?, ?)', [a.registrationId, b.registrationId, c.registrationId]);
    expect(certs.n).toBe(3);
    const att = await attemptForEvidence(s, sessionId);
    const at = s.clock.now().toISOString();
    expect((await putEvidence(s, att.attemptId, 'VIDEO', randomBytes(2000), at)).status).toBe(201);
    expect((await putEvidence(s, att.attemptId, 'FACE_PHOTO', Buffer.alloc(0), at, { contentType: 'image/jpeg' })).status).toBe(400);
    expect((await putEvidence(s, att.attemptId, 'VIDEO', randomBytes(2000), at)).status).toBe(409);
    expect(await intents()).toEqual([]);
    expect(storedKeys()).toEqual(await recordedKeys());
  });

  it('a writer slower than the maximum age loses its intent to the sweep and is refused at its commit (its key never recorded)', async () => {
    const objects = new SealedStore(fsStore());
    const key = newStorageKey('cert');
    const t0 = new Date('2017-05-01T08:00:00Z');
    s.clock.set(t0);
    await recordObjectIntents(s.orm.em.fork(), [key], 'certificate', t0);
    await expect(s.orm.em.fork().transactional((em) => recordObjectIntents(em, [newStorageKey('cert')], 'certificate', t0))).rejects.toThrow(/before the upload/);
    const sealed = await objects.putBuffer(Buffer.from('%PDF-1.7 slow'), { storageKey: key });
    expect(sealed.storageKey).toBe(key);
    s.clock.set(plus(t0, 2 * HOUR));
    expect(await sweep(fsStore())).toEqual({ intents: 1, objectsDeleted: 1, failed: 0 });
    const commit = s.orm.em.fork().transactional(async (em) => {
      await em.execute('insert into object_key (storage_key, data_key) values (?, ?)', [key, sealed.dataKey]);
      await releaseObjectIntents(em, [key]);
    });
    await expect(commit).rejects.toBeInstanceOf(ObjectIntentLostError);
    expect(await sql(s, 'select 1 from object_key where storage_key = ?', [key])).toEqual([]);
  });

  it('R-JOB-1: two sweeps at once (two instances) delete each orphan exactly once', async () => {
    const n = 250;
    const t0 = new Date('2017-06-01T08:00:00Z');
    s.clock.set(t0);
    const objects = new SealedStore(fsStore());
    const keys = Array.from({ length: n }, () => newStorageKey('cert'));
    await recordObjectIntents(s.orm.em.fork(), keys, 'certificate', t0);
    for (const key of keys) await objects.putBuffer(Buffer.from(key), { storageKey: key });
    const recorded = await recordedKeys();
    expect(storedKeys()).toHaveLength(recorded.length + n);

    s.clock.set(plus(t0, 2 * HOUR));
    const shared = new DrillStore(fsStore());
    // Each sweep's first delete waits for the other's: both hold a batch of intents at the same time.
    shared.holdFirstDeleteUntilSecond();
    const reports = await Promise.all([sweep(shared), sweep(shared)]);
    expect(reports.every((r) => r.intents > 0)).toBe(true);
    expect(reports.reduce((sum, r) => sum + r.intents, 0)).toBe(n);
    expect(reports.reduce((sum, r) => sum + r.objectsDeleted, 0)).toBe(n);
    expect(shared.deletes.size).toBe(n);
    expect([...shared.deletes.values()].every((times) => times === 1)).toBe(true);
    expect(await intents()).toEqual([]);
    expect(storedKeys()).toEqual(recorded);
  });

  it('a restored copy forgets the dump\'s intents: it shares the store with the database the dump came from, which may have recorded those objects since', async () => {
    const key = newStorageKey('cert');
    await recordObjectIntents(s.orm.em.fork(), [key], 'certificate', new Date('2017-07-01T08:00:00Z'));
    await new SealedStore(fsStore()).putBuffer(Buffer.from('%PDF-1.7 in flight'), { storageKey: key });
    const root = mkdtempSync(join(tmpdir(), 'cbo-intents-backup-'));
    const copy = await createTestDatabase({ empty: true });
    try {
      const taken = await backup({ url: s.dbUrl, root, store: fsStore() });
      await restore({ url: copy.url, dir: taken.dir, root, store: fsStore() });
      const c = await sqlClient(copy.url);
      try {
        expect((await c.query('select * from object_intent')).rows).toEqual([]);
        expect(Number((await c.query<{ n: string }>('select count(*) as n from object_key')).rows[0].n)).toBe((await recordedKeys()).length);
      } finally {
        await c.end();
      }
      // The source still holds its intent (its writer may yet record the key), and the object is there.
      expect(await intents()).toEqual([{ storage_key: key, purpose: 'certificate' }]);
      expect(storedKeys()).toContain(key);
    } finally {
      await copy.drop();
      rmSync(root, { recursive: true, force: true });
      await sql(s, 'delete from object_intent where storage_key = ?', [key]);
      await fsStore().delete(key);
    }
  });
});
