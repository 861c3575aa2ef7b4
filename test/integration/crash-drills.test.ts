import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/db/orm';
import { parsePayboxAnswer, TYPE_REFUND } from '../../src/providers/paybox/direct-client';
import { PayboxSimulator } from '../../src/providers/paybox/simulator';
import { PURGE_BATCH } from '../../src/services/evidence-purge';
import { FsObjectStore } from '../../src/storage/fs-store';
import { count, holdInside, HoldingStandIn, insertSession, jobRuns, register, RUN_JOB, type RunJob } from '../helpers/crash-drill';
import { createTestDatabase, sqlClient } from '../helpers/database';
import { APPROVE_REFUND, call, createSession, EXECUTE_REFUND, key, paidRegistration, REFUND_FIELDS, REQUEST_REFUND, requestInput } from '../helpers/refund-factories';
import { type TestServer } from '../helpers/server';
import { apiClient, type ApiClient, buildServer, installationEnv, type ServerProcess, spawnServer, until } from '../helpers/server-process';

/**
 * SECURITY.md "Faults", crash drills: real server processes (`node dist/src/main.js`) killed with
 * SIGKILL in the middle of a job or of a refund, then restarted on the same database: the work is
 * done exactly once. And three processes on one database with the schedule on: one run per
 * (job, tick).
 *
 * Where the kill lands is not left to timing: a job is held inside PostgreSQL (a statement trigger,
 * added by the test, makes the batch after the first ones wait on an advisory lock the test holds),
 * and a refund is held at a Paybox stand-in in this process (before or after the real simulator
 * processed it). The kill comes once the database shows partial progress.
 */

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(() => buildServer(), 180_000);

/**
 * `n` ended (SUBMITTED) attempts, bulk-inserted with SQL, each with its learner, paid registration
 * (name locked) and COMPLETED appointment, in a new session; `passed` of them answer everything right
 * (30/30), the others answer nothing (0/30).
 */
async function seedEndedAttempts(sql: pg.Client, n: number, passed: number, tag: string): Promise<string> {
  const sessionId = await insertSession(sql, `'2017-03-14T23:30:00Z'`, { periodStart: `'2017-03-01'`, periodEnd: `'2017-03-14'`, capacity: 4 });
  const answerKey = [0, 1, 2].map((p) => Array.from({ length: 10 }, (_, q) => (q % 3 === 0 ? [0, 2] : [(p + q) % 4])));
  const parts = [0, 1, 2].map((p) => ({ title: `Partie ${p + 1}`, questions: Array.from({ length: 10 }, (_, q) => ({ prompt: `Question ${q + 1}`, choices: ['A', 'B', 'C', 'D'] })) }));
  await sql.query(`insert into exam_content (session_id, parts, answer_key, proctor_password_hash, updated_at, updated_by) values ($1, $2, $3, '$argon2id$drill', now(), 'test:crash-drill')`, [
    sessionId,
    JSON.stringify(parts),
    JSON.stringify(answerKey),
  ]);
  await sql.query(
    `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
     select gen_random_uuid(), $1 || '-' || i, $1 || i || '@example.org', $1 || i, 'Camille', 'Drill' || i, now(), now() from generate_series(1, $2::int) i`,
    [tag, n],
  );
  await register(sql, tag, sessionId);
  await sql.query(
    `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
     select gen_random_uuid(), r.id, r.session_id, '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', 'COMPLETED', now(), 'test:crash-drill'
     from registration r where r.session_id = $1`,
    [sessionId],
  );
  const right = JSON.stringify(answerKey.map((answers) => ({ status: 'SUBMITTED', answers, savedAt: null, submittedAt: null })));
  const blank = JSON.stringify([0, 1, 2].map(() => ({ status: 'NOT_ANSWERED', answers: null, savedAt: null, submittedAt: null })));
  await sql.query(
    `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by,
                               started_at, deadline, submitted_at, parts)
     select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, '2017-03-02T13:50:00Z', 'test:crash-drill',
            '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', '2017-03-02T14:25:00Z',
            case when split_part(l.external_id, '-', 2)::int <= $2 then $3::jsonb else $4::jsonb end
     from appointment a join registration r on r.id = a.registration_id join learner l on l.id = r.learner_id
     where a.session_id = $1`,
    [sessionId, passed, right, blank],
  );
  await sql.query('analyze');
  return sessionId;
}

describe('kill -9 in the middle of a job, then restart: every item is done exactly once (R-JOB-1)', () => {
  const N = 3000;
  const PASSED = 105; // certificates: a first batch of 100, then a second of 5
  let db: Db;
  let sql: pg.Client;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let api: ApiClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await sqlClient(db.url);
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-crash-jobs-'));
    env = installationEnv(db.url, dataDir, { JOBS: 'off' });
    await seedEndedAttempts(sql, N, PASSED, 'drill');
    server = await spawnServer(env);
    api = apiClient(server.url);
  }, 120_000);
  afterAll(async () => {
    await server?.kill9();
    await sql?.end();
    await db?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts `job` through runJob (ADMIN), waits until `progress` shows partial progress and a batch is held, then kill -9. */
  async function killMidJob(job: string, gate: Awaited<ReturnType<typeof holdInside>>, progress: () => Promise<boolean>): Promise<number> {
    const admin = (await api.tokenFor('ADMIN'))!;
    const call = api.gql<RunJob>(RUN_JOB, { job }, admin).catch((err: unknown) => err);
    await until(`${job}: partial progress and a batch held`, async () => (await progress()) && (await gate.waiting()), 60_000);
    const killed = server!;
    await killed.kill9();
    server = undefined;
    expect(await call).toBeInstanceOf(Error); // the runJob request died with the process
    return killed.pid;
  }

  it('R-JOB-1, R-RES-1: COMPUTE_RESULTS killed mid-batch: the restart marks the run interrupted, the next run grades the rest; one result and one audit event per attempt', async () => {
    // Batches of 500: the first two commit, the third waits inside its transaction when the process dies.
    const gate = await holdInside(sql, 'exam_result', 1000);
    const pid = await killMidJob('COMPUTE_RESULTS', gate, async () => (await count(sql, 'select count(*) as n from exam_result')) === 1000);
    await gate.release();
    // The held batch rolled back: 1000 results, and no attempt marked graded without its result.
    expect(await count(sql, 'select count(*) as n from exam_result')).toBe(1000);
    expect(await count(sql, `select count(*) as n from exam_attempt a where graded_at is not null and not exists (select 1 from exam_result r where r.attempt_id = a.id)`)).toBe(0);
    expect((await jobRuns(sql, 'COMPUTE_RESULTS')).map((r) => r.status)).toEqual(['RUNNING']);

    server = await spawnServer(env);
    api.url = server.url;
    const [interrupted] = await jobRuns(sql, 'COMPUTE_RESULTS');
    expect(interrupted).toMatchObject({ status: 'FAILED', trigger: 'MANUAL', items_processed: 0 });
    expect(interrupted.error).toMatch(/^interrupted/);
    expect(interrupted.instance).toMatch(new RegExp(`:${pid}$`));

    const admin = (await api.tokenFor('ADMIN'))!;
    const again = await api.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, admin);
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: N - 1000, error: null });

    expect(await count(sql, 'select count(*) as n from exam_result')).toBe(N);
    expect(await count(sql, 'select count(distinct attempt_id) as n from exam_result')).toBe(N);
    expect(await count(sql, `select count(*) as n from exam_attempt a where a.graded_at is null or not exists (select 1 from exam_result r where r.attempt_id = a.id)`)).toBe(0);
    expect(await count(sql, `select count(*) as n from exam_result where passed and status = 'PUBLISHED'`)).toBe(PASSED);
    // R-SEC-2: one result.compute event per result, none for the rolled-back batch.
    expect(await count(sql, `select count(*) as n from audit_event where action = 'result.compute'`)).toBe(N);
    expect(await count(sql, `select count(*) as n from exam_result r where (select count(*) from audit_event e where e.action = 'result.compute' and e.subject_id = r.id::text) <> 1`)).toBe(0);
    // Idempotent: a third run finds nothing to do.
    expect((await api.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, admin)).data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect((await jobRuns(sql, 'COMPUTE_RESULTS')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  }, 120_000);

  it('R-JOB-1, R-CER-2: ISSUE_CERTIFICATES killed mid-batch: after the restart every passed registration has exactly one certificate whose PDF is stored and readable', async () => {
    // Batches of 100: the first commits, the second waits (its PDFs already stored) when the process dies.
    const gate = await holdInside(sql, 'certificate', 100);
    const pid = await killMidJob('ISSUE_CERTIFICATES', gate, async () => (await count(sql, 'select count(*) as n from certificate')) === 100);
    await gate.release();
    expect(await count(sql, 'select count(*) as n from certificate')).toBe(100);
    expect((await jobRuns(sql, 'ISSUE_CERTIFICATES')).map((r) => r.status)).toEqual(['RUNNING']);

    server = await spawnServer(env);
    api.url = server.url;
    const [interrupted] = await jobRuns(sql, 'ISSUE_CERTIFICATES');
    expect(interrupted).toMatchObject({ status: 'FAILED', items_processed: 0 });
    expect(interrupted.error).toMatch(/^interrupted/);
    expect(interrupted.instance).toMatch(new RegExp(`:${pid}$`));

    const admin = (await api.tokenFor('ADMIN'))!;
    const again = await api.gql<RunJob>(RUN_JOB, { job: 'ISSUE_CERTIFICATES' }, admin);
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: PASSED - 100, error: null });

    // One certificate per passed registration, none for the others.
    expect(await count(sql, 'select count(*) as n from certificate')).toBe(PASSED);
    expect(await count(sql, 'select count(distinct registration_id) as n from certificate')).toBe(PASSED);
    expect(
      await count(
        sql,
        `select count(*) as n from registration g join exam_attempt a on a.registration_id = g.id join exam_result r on r.attempt_id = a.id
         where r.passed <> exists (select 1 from certificate c where c.registration_id = g.id)`,
      ),
    ).toBe(0);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'certificate.issue'`)).toBe(PASSED);
    expect(await count(sql, `select count(*) as n from certificate c where (select count(*) from audit_event e where e.action = 'certificate.issue' and e.subject_id = c.id::text) <> 1`)).toBe(0);
    // Every certificate's PDF: its key recorded, its object on disk.
    const certs = (await sql.query<{ id: string; storage_key: string; sha256: string }>(`select id, storage_key, sha256 from certificate order by issued_at, id`)).rows;
    expect(await count(sql, `select count(*) as n from certificate c where not exists (select 1 from object_key k where k.storage_key = c.storage_key)`)).toBe(0);
    expect(certs.filter((c) => !existsSync(join(dataDir, 'objects', c.storage_key.slice(0, 2), c.storage_key)))).toEqual([]);
    // A sample, from before the kill and after: served, decrypted, and matching the recorded SHA-256.
    const support = (await api.tokenFor('SUPPORT'))!;
    for (const c of [certs[0], certs[99], certs[100], certs[certs.length - 1]]) {
      const res = await fetch(`${api.url}/certificates/${c.id}.pdf`, { headers: { authorization: `Bearer ${support}` } });
      expect(res.status, c.id).toBe(200);
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(createHash('sha256').update(pdf).digest('hex')).toBe(c.sha256);
    }
    expect((await jobRuns(sql, 'ISSUE_CERTIFICATES')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED']);
    // The killed batch's PDFs, stored and never recorded, are held by their object intents (committed
    // before the upload). Once these are past their maximum age (aged here by SQL: this drill runs on the
    // system clock), the sweep before the next run deletes exactly them: the store keeps the recorded PDFs.
    const orphans = (await sql.query<{ k: string }>(`select storage_key as k from object_intent where not exists (select 1 from object_key o where o.storage_key = object_intent.storage_key)`)).rows.map((r) => r.k);
    expect(orphans).toHaveLength(PASSED - 100);
    expect(await count(sql, 'select count(*) as n from object_intent')).toBe(PASSED - 100);
    const onDisk = (k: string) => existsSync(join(dataDir, 'objects', k.slice(0, 2), k));
    expect(orphans.filter(onDisk)).toEqual(orphans);
    await sql.query(`update object_intent set created_at = created_at - interval '2 hours'`);
    expect((await api.gql<RunJob>(RUN_JOB, { job: 'ISSUE_CERTIFICATES' }, admin)).data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect(await count(sql, 'select count(*) as n from object_intent')).toBe(0);
    expect(orphans.filter(onDisk)).toEqual([]);
    expect(certs.filter((c) => !onDisk(c.storage_key))).toEqual([]);
  }, 120_000);

  it('R-JOB-1, R-EVI-4: PURGE_EVIDENCE killed mid-batch (its objects already deleted, its records not): after the restart every expired object is purged exactly once, the held batch recorded as missing from storage', async () => {
    // One expired VIDEO per attempt (retention over since 2017), its key recorded and its object on disk.
    // Two and a half batches: one commits, the second is held, the last half is never reached.
    const B = PURGE_BATCH;
    const M = B * 2.5;
    const { rows: evidence } = await sql.query<{ storage_key: string }>(
      `with e as (
         insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until, received_at, received_by, storage_key)
         select gen_random_uuid(), a.id, a.registration_id, a.session_id, 'VIDEO', 'video/webm', 64, md5(a.id::text) || md5(a.id::text || 'v'),
                '2017-03-02T14:00:00Z', '2017-04-13T14:00:00Z', '2017-03-02T14:40:00Z', 'test:crash-drill', 'evi-' || gen_random_uuid()
         from exam_attempt a order by a.id limit $1
         returning storage_key
       ), k as (insert into object_key (storage_key, data_key) select storage_key, decode(md5(storage_key) || md5(storage_key || 'k'), 'hex') from e)
       select storage_key from e`,
      [M],
    );
    const store = new FsObjectStore(join(dataDir, 'objects'));
    for (const e of evidence) {
      mkdirSync(dirname(store.path(e.storage_key)), { recursive: true });
      writeFileSync(store.path(e.storage_key), Buffer.alloc(64, 7));
    }
    const onDisk = () => evidence.filter((e) => existsSync(store.path(e.storage_key))).length;
    const keys = () => count(sql, `select count(*) as n from object_key where storage_key like 'evi-%'`);

    // The first batch commits, the second has deleted its objects and waits before its commit when the process dies.
    const gate = await holdInside(sql, 'evidence_tombstone', B);
    const pid = await killMidJob('PURGE_EVIDENCE', gate, async () => (await count(sql, 'select count(*) as n from evidence_tombstone')) === B);
    await gate.release();
    // The held batch rolled back: its rows still RETAINED with their keys, but their objects are gone.
    expect(await count(sql, `select count(*) as n from evidence where status = 'PURGED'`)).toBe(B);
    expect(await count(sql, 'select count(*) as n from evidence_tombstone')).toBe(B);
    expect(await keys()).toBe(M - B);
    expect(onDisk()).toBe(M - 2 * B);

    server = await spawnServer(env);
    api.url = server.url;
    const [interrupted] = await jobRuns(sql, 'PURGE_EVIDENCE');
    expect(interrupted).toMatchObject({ status: 'FAILED', items_processed: 0 });
    expect(interrupted.error).toMatch(/^interrupted/);
    expect(interrupted.instance).toMatch(new RegExp(`:${pid}$`));

    const admin = (await api.tokenFor('ADMIN'))!;
    const again = await api.gql<RunJob>(RUN_JOB, { job: 'PURGE_EVIDENCE' }, admin);
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: M - B, error: null });

    // Exactly once: every row PURGED with one tombstone and one audit event; no key, no byte left.
    expect(await count(sql, `select count(*) as n from evidence where status <> 'PURGED' or storage_key is not null`)).toBe(0);
    expect(await count(sql, 'select count(*) as n from evidence_tombstone')).toBe(M);
    expect(await count(sql, 'select count(distinct evidence_id) as n from evidence_tombstone')).toBe(M);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'evidence.purge'`)).toBe(M);
    expect(await keys()).toBe(0);
    expect(onDisk()).toBe(0);
    // The held batch's objects were deleted before the kill: the second run found them missing and said so.
    expect(await count(sql, 'select count(*) as n from evidence_tombstone where storage_was_missing')).toBe(B);
    expect((await jobRuns(sql, 'PURGE_EVIDENCE')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED']);
  }, 120_000);
});

/**
 * Paybox as the killed server sees it: a stand-in in this process in front of the real simulator.
 * Consultations (TYPE 00017) pass through. A refund (TYPE 00014) passes through in mode `pass`; in
 * `answer-then-hold` it is forwarded (the money moves) and its answer held back; in `hold` it is held
 * without being forwarded (Paybox never processes it).
 */
class PayboxStandIn extends HoldingStandIn<string> {
  mode: 'pass' | 'answer-then-hold' | 'hold' = 'pass';

  constructor(private readonly paybox: PayboxSimulator) {
    super();
  }

  override start(): Promise<void> {
    return super.start('/PPPS.php');
  }

  /** Resolves with the NUMQUESTION of the next refund held. */
  nextHeld(): Promise<string> {
    return new Promise((resolve) => (this.onHeld = resolve));
  }

  protected async handle(_req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const fields = parsePayboxAnswer(body);
    const forward = async () => {
      const answer = await fetch(this.paybox.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      return answer.text();
    };
    if (fields.TYPE !== TYPE_REFUND || this.mode === 'pass') {
      const text = await forward();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
      return;
    }
    if (this.mode === 'answer-then-hold') await forward();
    this.hold(res, fields.NUMQUESTION);
  }
}

describe('kill -9 in the middle of a refund, then restart: refunded exactly once (R-REF-7)', () => {
  // Paid Wednesday 15 February 2017: inside the withdrawal period on the 20th.
  const PAID = '2017-02-15T10:00:00Z';
  const INSIDE = '2017-02-20T10:00:00Z';
  let db: Db;
  let sql: pg.Client;
  let orm: Orm;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let api: ApiClient;
  let s: TestServer;
  let sessionId: string;
  const paybox = new PayboxSimulator();
  const standIn = new PayboxStandIn(paybox);

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await sqlClient(db.url);
    orm = await createOrm(db.url, { pool: { min: 0, max: 3 } });
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-crash-refund-'));
    await paybox.start();
    await standIn.start();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    env = installationEnv(db.url, dataDir, {
      JOBS: 'off',
      TEST_CLOCK: '1',
      PAYBOX_MODE: 'live',
      PAYBOX_URL: standIn.url,
      PAYBOX_SITE: '1999888',
      PAYBOX_RANG: '32',
      PAYBOX_KEY: '1999888I',
      PAYBOX_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    server = await spawnServer(env);
    api = apiClient(server.url);
    // The refund factories' TestServer calls, over HTTP to whichever process runs; the payment row through an ORM of this process.
    s = { gql: api.gql, tokenFor: api.tokenFor, newLearner: api.newLearner, setClock: api.setClock, orm, dbUrl: db.url } as unknown as TestServer;
    sessionId = await createSession(s);
  }, 120_000);
  afterAll(async () => {
    await server?.kill9();
    await standIn.stop();
    await paybox.stop();
    await orm?.close(true);
    await sql?.end();
    await db?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A paid registration with an APPROVED withdrawal request (the learner asked, PAYMENTS approved). */
  async function approvedRefund() {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await api.setClock(INSIDE);
    const r = await call(s, REQUEST_REFUND, 'requestRefund', requestInput(p), p.learnerToken);
    expect(r.errors).toEqual([]);
    const a = await call(s, APPROVE_REFUND, 'approveRefund', { refundRequestId: r.refundRequest!.id, comment: 'Checked against the Paybox back-office', idempotencyKey: key('approve') }, await api.tokenFor('PAYMENTS'));
    expect(a.refundRequest?.status).toBe('APPROVED');
    return { p, id: r.refundRequest!.id };
  }

  /** executeRefund (PAYMENTS), held at the stand-in; kill -9 once it is held; the connection is dropped. */
  async function killDuringExecute(id: string, idempotencyKey: string): Promise<string> {
    const held = standIn.nextHeld();
    const pending = call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey }, await api.tokenFor('PAYMENTS')).catch((err: unknown) => err);
    const numQuestion = await held;
    await server!.kill9();
    server = undefined;
    standIn.dropHeld();
    expect(await pending).toBeInstanceOf(Error);
    return numQuestion;
  }

  async function restart(): Promise<void> {
    server = await spawnServer(env);
    api.url = server.url;
  }

  /** What Paybox did for this refund request (REFERENCE = its id): refund calls received, refunds made. */
  const atPaybox = (id: string) => ({
    refundCalls: paybox.calls.filter((c) => c.type === TYPE_REFUND && c.fields.REFERENCE === id).length,
    refundsMade: [...paybox.refunds.values()].filter((r) => r.reference === id),
  });

  /** The ledger of one payment: its refund requests, refunded amount, and payment.refunded audit events. */
  async function ledger(paymentId: string) {
    const payment = (await sql.query<{ status: string; refunded_cents: number }>('select status, refunded_cents from payment where id = $1', [paymentId])).rows[0];
    const requests = (await sql.query<{ id: string; status: string }>('select id, status from refund_request where payment_id = $1', [paymentId])).rows;
    const refundedEvents = await count(sql, `select count(*) as n from audit_event where action = 'payment.refunded' and subject_id = $1`, [paymentId]);
    return { payment, requests, refundedEvents };
  }

  const read = async (id: string) =>
    (await api.gql<{ refundRequest: { status: string; providerRequestNumber: string; providerReference: string | null; events: { toStatus: string; actor: string }[] } }>(`query($id: ID!) { refundRequest(id: $id) { ${REFUND_FIELDS} } }`, { id }, await api.tokenFor('PAYMENTS'))).data!
      .refundRequest;

  it('R-REF-7: killed after Paybox refunded and before the answer was recorded: the restart finds the refund at Paybox (SUCCEEDED); one refund at Paybox and in the ledger; staff retries change nothing', async () => {
    const { p, id } = await approvedRefund();
    standIn.mode = 'answer-then-hold';
    const first = key('exec');
    const numQuestion = await killDuringExecute(id, first);
    standIn.mode = 'pass';
    // The money moved; the database still says PROCESSING with that NUMQUESTION.
    expect(atPaybox(id).refundsMade).toHaveLength(1);
    expect((await sql.query('select status, provider_request_number from refund_request where id = $1', [id])).rows[0]).toEqual({ status: 'PROCESSING', provider_request_number: numQuestion });

    // Start-up recovery (main.ts) consults Paybox about the NUMQUESTION before the server is ready.
    await restart();
    const done = await read(id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', providerRequestNumber: numQuestion, providerReference: atPaybox(id).refundsMade[0].numTrans });
    expect(done.events.map((e) => e.toStatus)).toEqual(['SUBMITTED', 'APPROVED', 'PROCESSING', 'SUCCEEDED']);
    expect(done.events.at(-1)!.actor).toBe('system:refund-recovery');
    expect(paybox.calls.filter((c) => c.type === '00017' && c.fields.NUMQUESTION === numQuestion)).toHaveLength(1);

    // The staff retries: the same key answers the recorded outcome, a new key is refused; Paybox is not called again.
    const payments = await api.tokenFor('PAYMENTS');
    expect(await call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: first }, payments)).toMatchObject({ errors: [], refundRequest: { status: 'SUCCEEDED' } });
    expect((await call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: key('retry') }, payments)).errors.map((e) => e.code)).toEqual(['INVALID_TRANSITION']);

    expect(atPaybox(id)).toMatchObject({ refundCalls: 1, refundsMade: [{ amountCents: 6000, originalNumTrans: p.numTrans }] });
    expect(await ledger(p.paymentId)).toEqual({ payment: { status: 'REFUNDED', refunded_cents: 6000 }, requests: [{ id, status: 'SUCCEEDED' }], refundedEvents: 1 });
  }, 120_000);

  it('R-REF-7: killed while the refund call was on its way (Paybox never processed it): the restart records FAILED, and the staff retry refunds once', async () => {
    const { p, id } = await approvedRefund();
    standIn.mode = 'hold';
    const numQuestion = await killDuringExecute(id, key('exec'));
    standIn.mode = 'pass';
    expect(atPaybox(id).refundsMade).toHaveLength(0);
    expect((await sql.query('select status from refund_request where id = $1', [id])).rows[0]).toEqual({ status: 'PROCESSING' });

    await restart();
    const failed = await read(id);
    expect(failed).toMatchObject({ status: 'FAILED', providerRequestNumber: numQuestion });
    expect(failed.events.at(-1)).toMatchObject({ toStatus: 'FAILED', actor: 'system:refund-recovery' });
    expect(await ledger(p.paymentId)).toEqual({ payment: { status: 'PAID', refunded_cents: 0 }, requests: [{ id, status: 'FAILED' }], refundedEvents: 0 });

    // R-REF-6: FAILED may be retried (a new key, a new NUMQUESTION): refunded once; the same key replays it.
    await api.setClock(INSIDE);
    const retryKey = key('retry');
    const payments = await api.tokenFor('PAYMENTS');
    const retry = await call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: retryKey }, payments);
    expect(retry.errors).toEqual([]);
    expect(retry.refundRequest).toMatchObject({ status: 'SUCCEEDED' });
    expect(retry.refundRequest!.providerRequestNumber).not.toBe(numQuestion);
    expect(await call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: retryKey }, payments)).toMatchObject({ errors: [], refundRequest: { status: 'SUCCEEDED' } });
    expect((await call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: key('again') }, payments)).errors.map((e) => e.code)).toEqual(['INVALID_TRANSITION']);

    // Two calls reached the stand-in (the held one and the retry); one reached Paybox and moved money.
    expect(atPaybox(id)).toMatchObject({ refundCalls: 1, refundsMade: [{ amountCents: 6000, numQuestion: retry.refundRequest!.providerRequestNumber }] });
    expect(await ledger(p.paymentId)).toEqual({ payment: { status: 'REFUNDED', refunded_cents: 6000 }, requests: [{ id, status: 'SUCCEEDED' }], refundedEvents: 1 });
  }, 120_000);
});

describe('three server processes on one database with the schedule on (R-JOB-1)', () => {
  const JOBS = ['END_EXPIRED_ATTEMPTS', 'COMPUTE_RESULTS', 'ISSUE_CERTIFICATES'];
  const TICKS = 5;
  const ATTEMPTS = 40;
  let db: Db;
  let sql: pg.Client;
  let dataDir: string;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    sql = await sqlClient(db.url);
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-crash-three-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((p) => p.kill9()));
    await sql?.end();
    await db?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-JOB-1: started at once on an empty database, they all start; every second for several ticks, each (job, tick) has exactly one run, the work is done once, and the unique index job_run_one_per_tick refuses a second row', async () => {
    // Every second instead of every minute/5/15 minutes, so that several ticks pass in a few seconds.
    // LOG_LEVEL=debug: each process logs the ticks it skipped (taken by another instance, or the job running).
    const env = installationEnv(db.url, dataDir, { JOBS: 'on', JOB_SCHEDULES: JOBS.map((j) => `${j}=* * * * * *`).join(';'), LOG_LEVEL: 'debug' });
    // All three migrate the empty database at once (one applies the migrations, the others wait) and create the first ADMIN once.
    servers = await Promise.all([spawnServer(env), spawnServer(env), spawnServer(env)]);
    expect(await count(sql, `select count(*) as n from staff_user`)).toBe(1);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'staff.create'`)).toBe(1);
    const allUp = new Date(Math.ceil(Date.now() / 1000) * 1000);
    // Work arriving while they run: 40 ended attempts, half of them passed.
    await seedEndedAttempts(sql, ATTEMPTS, ATTEMPTS / 2, 'three');
    const ticksSince = async (job: string) => count(sql, `select count(*) as n from job_run where job = $1 and tick > $2 and status <> 'RUNNING'`, [job, allUp]);
    const enoughTicks = async () => {
      for (const job of JOBS) if ((await ticksSince(job)) < TICKS) return false;
      return true;
    };
    await until(
      `${TICKS} ticks of each job with the three processes up, and the certificates issued`,
      async () => (await enoughTicks()) && (await count(sql, 'select count(*) as n from certificate')) === ATTEMPTS / 2,
      60_000,
      200,
    );
    const three = servers;
    const exits = await Promise.all(
      servers.map(async (p) => {
        await p.stop();
        return p.exited;
      }),
    );
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
    servers = [];

    // One row per (job, tick), every run finished.
    expect((await sql.query(`select job, tick, count(*) as n from job_run where tick is not null group by job, tick having count(*) > 1`)).rows).toEqual([]);
    expect((await sql.query(`select status, count(*)::int as n from job_run group by status`)).rows).toEqual([{ status: 'SUCCEEDED', n: expect.any(Number) }]);
    for (const job of JOBS) expect(await ticksSince(job)).toBeGreaterThanOrEqual(TICKS);
    // All three took part: each ran or skipped ticks of every job, and each tick it skipped as taken had been run by another process.
    const runs = (await sql.query<{ job: string; tick: Date; instance: string }>(`select job, tick, instance from job_run where tick > $1`, [allUp])).rows;
    for (const p of three) {
      const me = (instance: string) => instance.endsWith(`:${p.pid}`);
      const skipped = p
        .output()
        .split('\n')
        .filter((line) => line.includes('scheduled tick skipped'))
        .map((line) => JSON.parse(line) as { job: string; tick: string; skipped: 'taken' | 'running' })
        .filter((x) => new Date(x.tick) > allUp);
      for (const job of JOBS) {
        const tried = runs.filter((r) => r.job === job && me(r.instance)).length + skipped.filter((x) => x.job === job).length;
        expect(tried, `process ${p.pid}, ${job}`).toBeGreaterThan(0);
      }
      for (const x of skipped.filter((k) => k.skipped === 'taken')) {
        expect(runs.filter((r) => r.job === x.job && r.tick.getTime() === new Date(x.tick).getTime()).map((r) => me(r.instance)), `${x.job} ${x.tick}`).toEqual([false]);
      }
    }
    // The work itself was done once: one result (and one audit event) per ended attempt, one certificate per passed one.
    expect(await count(sql, 'select count(*) as n from exam_result')).toBe(ATTEMPTS);
    expect(await count(sql, 'select count(distinct attempt_id) as n from exam_result')).toBe(ATTEMPTS);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'result.compute'`)).toBe(ATTEMPTS);
    expect(await count(sql, 'select count(*) as n from certificate')).toBe(ATTEMPTS / 2);
    expect(await count(sql, 'select count(distinct registration_id) as n from certificate')).toBe(ATTEMPTS / 2);
    expect(await count(sql, `select sum(items_processed) as n from job_run where job = 'COMPUTE_RESULTS'`)).toBe(ATTEMPTS);
    expect(await count(sql, `select sum(items_processed) as n from job_run where job = 'ISSUE_CERTIFICATES'`)).toBe(ATTEMPTS / 2);

    // The database is what enforces it: a second row for a (job, tick) already run is refused...
    const { rows: [taken] } = await sql.query<{ job: string; tick: Date }>(`select job, tick from job_run where job = 'COMPUTE_RESULTS' and tick is not null order by tick limit 1`);
    const duplicate = sql.query(`insert into job_run (id, job, trigger, tick, status, started_at, items_processed, instance) values (gen_random_uuid(), $1, 'SCHEDULE', $2, 'RUNNING', now(), 0, 'rogue:1')`, [taken.job, taken.tick]);
    await expect(duplicate).rejects.toMatchObject({ code: '23505', constraint: 'job_run_one_per_tick' });
    // ...and the scheduler's own insert (on conflict do nothing) gets no row, so it does not run the job.
    const { rowCount } = await sql.query(
      `insert into job_run (id, job, trigger, tick, status, started_at, items_processed, instance) values (gen_random_uuid(), $1, 'SCHEDULE', $2, 'RUNNING', now(), 0, 'rogue:1')
       on conflict (job, tick) where tick is not null do nothing returning id`,
      [taken.job, taken.tick],
    );
    expect(rowCount).toBe(0);
    expect(await count(sql, `select count(*) as n from job_run where job = $1 and tick = $2`, [taken.job, taken.tick])).toBe(1);
  }, 120_000);
});
