import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createOrm } from '../../src/db/orm';
import { createApp } from '../../src/http/app';
import { createObjectStore } from '../../src/storage';
import { backup, exportTombstones, liveTombstones, restore, serverMajor } from '../../src/ops/backup';
import { findPgTool } from '../../src/ops/pg-tools';
import { portableRestore } from '../../src/ops/portable-dump';
import { certifiedLearner, type Examined } from '../helpers/certificate-factories';
import { createTestDatabase, sqlClient } from '../helpers/database';
import { examSession } from '../helpers/exam-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Issue 13, backups: restore drills into fresh databases. A backup is taken, evidence is purged
 * afterwards (tombstone written, key shredded, bytes destroyed, tombstones exported), then the older
 * backup is restored: every row is back, what depends on stored keys still decrypts, and the purged
 * evidence is purged again (R-EVI-4: a purged object never comes back).
 * Drill 1 runs on the test database server (embedded PostgreSQL 17 has no pg_dump: the portable
 * format); drill 2 in pg_dump's custom format on the machine's PostgreSQL (127.0.0.1:5432, or
 * BACKUP_DRILL_PG_URL), whose pg_dump matches it.
 */

let s: TestServer;
let learner: Examined & { certificate: { id: string; verificationCode: string; sha256: string } };
let evidence: { id: string; storageKey: string; bytes: Buffer }[];
/** Drill 1's backup, taken before the purge: drill 2 starts from it. */
let olderBackup: string;
const roots: string[] = [];
const dropLater: (() => Promise<void>)[] = [];

/** Tables whose row counts the drill compares. */
const TABLES = ['learner', 'registration', 'appointment', 'exam_attempt', 'exam_result', 'certificate', 'object_key', 'evidence', 'audit_event', 'job_run', 'staff_user'];

async function query<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = await sqlClient(url);
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function counts(url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await query<{ n: string }>(url, `select count(*) as n from "${t}"`))[0].n);
  return out;
}

/** What PURGE_EVIDENCE does to one object (R-EVI-4), done by hand on the live database. */
async function purgeByHand(url: string, ev: { id: string; storageKey: string }): Promise<void> {
  await query(url, `update evidence set status = 'PURGED', purged_at = now(), storage_key = null where id = $1`, [ev.id]);
  await query(url, `insert into evidence_tombstone (evidence_id, kind, size_bytes, sha256, purged_at) select id, kind, size_bytes, sha256, purged_at from evidence where id = $1`, [ev.id]);
  await query(url, `delete from object_key where storage_key = $1`, [ev.storageKey]);
  await s.app.objects.destroy(ev.storageKey);
}

/** Two evidence objects of the learner's attempt, stored encrypted with their keys, as ingestion does. */
async function storeEvidence(): Promise<void> {
  evidence = [];
  for (const kind of ['VIDEO', 'FACE_PHOTO']) {
    const bytes = randomBytes(3000);
    const sealed = await s.app.objects.putBuffer(bytes, { keyPrefix: 'evidence' });
    await query(s.dbUrl, `insert into object_key (storage_key, data_key) values ($1, $2)`, [sealed.storageKey, sealed.dataKey]);
    const [row] = await query<{ id: string }>(
      s.dbUrl,
      `insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until, received_at, received_by, storage_key)
       select gen_random_uuid(), a.id, a.registration_id, a.session_id, $2, 'application/octet-stream', $3, $4, a.started_at, a.started_at + interval '42 days', a.started_at, 'service:proctoru', $5
       from exam_attempt a where a.id = $1 returning id`,
      [learner.attemptId, kind, sealed.sizeBytes, sealed.sha256, sealed.storageKey],
    );
    evidence.push({ id: row.id, storageKey: sealed.storageKey, bytes });
  }
}

/** The raw object store under the server's SealedStore (the configured `fs:` directory). */
const store = () => createObjectStore(s.config);

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cbo-backups-'));
  roots.push(root);
  return root;
}

/** The checks after a restore: every row back, keys still decrypt, the purged evidence purged again, the database's rules in force. */
async function expectRestored(url: string, before: Record<string, number>): Promise<void> {
  const after = await counts(url);
  expect({ ...after, object_key: after.object_key + 1 }).toEqual(before);
  const rows = await query<{ id: string; status: string; storage_key: string | null }>(url, 'select id, status, storage_key from evidence order by id');
  const [purged, kept] = evidence;
  expect(rows.find((r) => r.id === purged.id)).toMatchObject({ status: 'PURGED', storage_key: null });
  expect(rows.find((r) => r.id === kept.id)).toMatchObject({ status: 'RETAINED', storage_key: kept.storageKey });
  expect(await query(url, 'select 1 from object_key where storage_key = $1', [purged.storageKey])).toHaveLength(0);
  expect(await query(url, 'select 1 from evidence_tombstone where evidence_id = $1', [purged.id])).toHaveLength(1);
  expect(await s.app.objects.destroy(purged.storageKey)).toBe(false);
  // The retained object still decrypts with the restored key.
  const [key] = await query<{ data_key: Buffer }>(url, 'select data_key from object_key where storage_key = $1', [kept.storageKey]);
  expect(await s.app.objects.openBuffer(kept.storageKey, key.data_key, kept.bytes.length)).toEqual(kept.bytes);
  // Invariants: the audit log is still append-only, identities continue after the restored rows, the certificate verifies.
  await expect(query(url, `update audit_event set actor = 'x'`)).rejects.toThrow(/append-only/);
  const [max] = await query<{ m: string }>(url, 'select max(id) as m from audit_event');
  const [next] = await query<{ id: string }>(url, `insert into audit_event (at, actor, action, subject_type, subject_id) values (now(), 'test', 'drill', 'Test', 'x') returning id`);
  expect(Number(next.id)).toBeGreaterThan(Number(max.m));
  const config = loadConfig({ ...envOf(url), TOKEN_SECRET: randomBytes(32).toString('base64url') });
  const orm = await createOrm(url);
  const app = await createApp({ config, orm, clientUrl: url, clock: s.clock, logger: false, jobs: [], objectStore: undefined });
  try {
    const res = await app.fastify.inject({ method: 'GET', url: `/verify/${learner.certificate.verificationCode}`, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'VALID' });
  } finally {
    await app.fastify.close();
    await orm.close(true);
  }
}

function envOf(url: string): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: url, DATA_DIR: s.config.dataDir, TEST_CLOCK: '1', JOBS: 'off', LOG_LEVEL: 'silent' };
}

beforeAll(async () => {
  s = await startTestServer();
  learner = await certifiedLearner(s, await examSession(s));
});
afterAll(async () => {
  for (const drop of dropLater) await drop().catch(() => undefined);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  await s?.close();
});

describe('restore drill', () => {
  it('restores an older backup into a fresh database on the test server, and evidence purged since stays purged (tombstones re-applied)', async () => {
    await storeEvidence();
    const root = newRoot();
    const before = await counts(s.dbUrl);
    const taken = await backup({ url: s.dbUrl, root, store: store(), now: new Date('2017-05-01T00:00:00Z') });
    expect(taken.objects).toBe(before.object_key);
    expect(taken.tombstones).toBe(0);
    // pg_dump when one at least as new as the server is installed, the portable format otherwise (embedded PostgreSQL 17).
    expect(taken.format).toBe((await findPgTool('pg_dump', await serverMajor(s.dbUrl))) ? 'pg_dump' : 'portable');
    olderBackup = taken.dir;

    await purgeByHand(s.dbUrl, evidence[0]);
    const exported = await exportTombstones(s.dbUrl, root, new Date('2017-05-02T00:00:00Z'));
    expect(exported.tombstones).toBe(1);

    // The live database is lost: the restore only has the backup directory.
    const fresh = await createTestDatabase({ empty: true });
    dropLater.push(fresh.drop);
    const restored = await restore({ url: fresh.url, dir: taken.dir, root, store: store() });
    expect(restored).toMatchObject({ tombstonesKnown: 1, evidencePurgedAgain: 1, objectKeysShredded: 1 });
    await expectRestored(fresh.url, before);
  });

  it('in pg_dump custom format on a server whose pg_dump matches: the live database’s tombstones are re-applied too', async () => {
    const serverUrl = process.env.BACKUP_DRILL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
    const name = `cbo_drill_${randomBytes(4).toString('hex')}`;
    const admin = `${serverUrl}/postgres`;
    const source = `${serverUrl}/${name}`;
    const target = `${serverUrl}/${name}_r`;
    await query(admin, `create database "${name}"`);
    await query(admin, `create database "${name}_r"`);
    dropLater.push(() => query(admin, `drop database if exists "${name}" with (force)`).then(() => undefined));
    dropLater.push(() => query(admin, `drop database if exists "${name}_r" with (force)`).then(() => undefined));

    // The live database: drill 1's data before its purge, moved over with the portable format.
    if (existsSync(join(olderBackup, 'portable.json'))) await portableRestore(source, olderBackup);
    else await restore({ url: source, dir: olderBackup, root: newRoot(), store: store() });
    const root = newRoot();
    const before = await counts(source);
    const taken = await backup({ url: source, root, store: store() });
    expect(taken.format).toBe('pg_dump');
    expect(existsSync(join(taken.dir, 'database.dump'))).toBe(true);

    // Purged after the backup; no tombstone export this time: the live database still answers.
    await purgeByHand(source, evidence[0]);
    const live = await liveTombstones(source);
    const restored = await restore({ url: target, dir: taken.dir, root, store: store(), extraTombstones: live });
    expect(restored.format).toBe('pg_dump');
    expect(restored.tombstonesKnown).toBe(1);
    await expectRestored(target, { ...before, object_key: before.object_key });
  });
});
