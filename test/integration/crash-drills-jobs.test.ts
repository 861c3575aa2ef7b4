import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProctorUClient } from '../../src/providers/proctoru/client';
import { ProctorUSimulator } from '../../src/providers/proctoru/simulator';
import { count, type Gate, holdInside, HoldingStandIn, insertSession, jobRuns, register, RUN_JOB, type RunJob, sessionsGone } from '../helpers/crash-drill';
import { createTestDatabase, sqlClient } from '../helpers/database';
import { apiClient, type ApiClient, buildServer, installationEnv, type ServerProcess, spawnServer, until } from '../helpers/server-process';

/**
 * SECURITY.md "Faults", crash drills (continued from crash-drills.test.ts): END_EXPIRED_ATTEMPTS,
 * PURGE_PROFILES and PROCTORU_OUTBOX, each killed with SIGKILL in a real server process
 * (`node dist/src/main.js`) in the middle of a batch, then restarted on the same database: the work
 * is done exactly once.
 *
 * Where the kill lands is not left to timing: END_EXPIRED_ATTEMPTS and PURGE_PROFILES are held inside
 * PostgreSQL (a statement trigger on audit_event, added by the test, makes the second batch wait
 * before its commit on an advisory lock the test holds); PROCTORU_OUTBOX is held at a ProctorU
 * stand-in in this process, in front of a ProctorU simulator that outlives the killed server.
 */

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(() => buildServer(), 180_000);

/** One installation (database, data directory, secrets) and the server process currently running it. */
class Installation {
  server: ServerProcess | undefined;
  api: ApiClient | undefined;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.server = await spawnServer(this.env);
    if (this.api) this.api.url = this.server.url;
    else this.api = apiClient(this.server.url);
  }

  async runJob(job: string) {
    return this.api!.gql<RunJob>(RUN_JOB, { job }, await this.api!.tokenFor('ADMIN'));
  }

  /** Starts `job` through runJob (ADMIN), waits until `held` says the run is where the kill should land, then kill -9; answers the dead pid. */
  async killDuring(job: string, held: () => Promise<boolean>): Promise<number> {
    await this.api!.tokenFor('ADMIN');
    const call = this.runJob(job).catch((err: unknown) => err);
    await until(`${job}: partial progress and a batch held`, held, 60_000);
    const killed = this.server!;
    await killed.kill9();
    this.server = undefined;
    expect(await call).toBeInstanceOf(Error); // the runJob request died with the process
    return killed.pid;
  }

  async stop(): Promise<void> {
    await this.server?.kill9();
    this.server = undefined;
  }
}

/** After the restart: the run the dead process left RUNNING is FAILED `interrupted…` (R-JOB-1), and it was that process's. */
async function expectInterrupted(sql: pg.Client, job: string, pid: number): Promise<void> {
  const runs = await jobRuns(sql, job);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: 'FAILED', trigger: 'MANUAL', items_processed: 0 });
  expect(runs[0].error).toMatch(/^interrupted/);
  expect(runs[0].instance).toMatch(new RegExp(`:${pid}$`));
}

/** `n` learners `<tag>-1..n` with a ProctorU profile (or none), bulk-inserted. */
async function insertLearners(sql: pg.Client, tag: string, n: number, opts: { profile: boolean; updatedAt?: string } = { profile: true }): Promise<void> {
  await sql.query(
    `insert into learner (id, external_id, email, username, given_name, family_name, phone, address, city, time_zone, country, created_at, updated_at)
     select gen_random_uuid(), $1 || '-' || i, $1 || i || '@example.org', $1 || i, 'Camille', 'Drill' || i,
            case when $3 then '+33 4 78 00 ' || lpad(i::text, 4, '0') end, case when $3 then i || ' rue de la République' end, case when $3 then 'Lyon' end,
            'Europe/Paris', 'FR', now(), coalesce($4::timestamptz, now())
     from generate_series(1, $2::int) i`,
    [tag, n, opts.profile, opts.updatedAt ?? null],
  );
}

const ids = async (sql: pg.Client, query: string, params: unknown[] = []) => (await sql.query<{ id: string }>(query, params)).rows.map((r) => r.id);

/** Whole rows (as JSON), by id: what "untouched" is compared against. */
const snapshot = async (sql: pg.Client, table: 'learner' | 'exam_attempt' | 'appointment', rowIds: string[]) =>
  (await sql.query<{ row: unknown }>(`select to_jsonb(t) as row from ${table} t where t.id = any($1::uuid[]) order by t.id`, [rowIds])).rows.map((r) => r.row);

describe('kill -9 in the middle of END_EXPIRED_ATTEMPTS and of PURGE_PROFILES, then restart: every item done exactly once (R-JOB-1)', () => {
  let db: Db;
  let sql: pg.Client;
  let dataDir: string;
  let site: Installation;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await sqlClient(db.url);
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-crash-jobs2-'));
    site = new Installation(installationEnv(db.url, dataDir, { JOBS: 'off' }));
    await site.start();
  }, 120_000);
  afterAll(async () => {
    await site?.stop();
    await sql?.end();
    await db?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Once `action` has more than `after` audit events, the statement inserting more waits before its transaction commits. */
  const holdAtAudit = (action: string, after: number): Promise<Gate> => holdInside(sql, 'audit_event', after, `select count(*) from audit_event where action = '${action}'`);

  it('R-JOB-1, R-EXA-4: END_EXPIRED_ATTEMPTS killed mid-batch: after the restart every expired attempt is ended once (SUBMITTED by TIMEOUT at its deadline, appointment COMPLETED, one event each); running and submitted attempts untouched', async () => {
    // 800 expired STARTED attempts (two batches of 500: the first commits, the second of 300 waits
    // before its commit when the process dies), 200 still running, 100 submitted by their learner.
    const EXPIRED = 800;
    const RUNNING = 200;
    const SUBMITTED = 100;
    const sessionId = await insertSession(sql, `now() + interval '30 days'`);
    const groups = { exp: EXPIRED, run: RUNNING, sub: SUBMITTED };
    for (const [tag, n] of Object.entries(groups)) {
      await insertLearners(sql, `att-${tag}`, n, { profile: false });
      await register(sql, `att-${tag}`, sessionId);
    }
    // One appointment per registration (BOOKED while its attempt runs), one attempt per appointment.
    await sql.query(
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), r.id, r.session_id, date_trunc('minute', now()) - interval '45 minutes', date_trunc('minute', now()) - interval '15 minutes',
              case when l.external_id like 'att-sub-%' then 'COMPLETED' else 'BOOKED' end, now() - interval '10 days', 'test:crash-drill'
       from registration r join learner l on l.id = r.learner_id where r.session_id = $1`,
      [sessionId],
    );
    const blank = JSON.stringify([0, 1, 2].map(() => ({ status: 'NOT_ANSWERED', answers: null, savedAt: null, submittedAt: null })));
    await sql.query(
      `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by, started_at, deadline, submitted_at, parts)
       select gen_random_uuid(), a.registration_id, a.id, a.session_id, g.status, g.ended_by, 30, g.started_at - interval '5 minutes', 'test:crash-drill',
              g.started_at, g.started_at + make_interval(mins => 30), case when g.ended_by is not null then g.started_at + interval '20 minutes' end, $2::jsonb
       from appointment a join registration r on r.id = a.registration_id join learner l on l.id = r.learner_id
       cross join lateral (select
         case when l.external_id like 'att-sub-%' then 'SUBMITTED' else 'STARTED' end as status,
         case when l.external_id like 'att-sub-%' then 'LEARNER' end as ended_by,
         date_trunc('second', now()) - case when l.external_id like 'att-run-%' then interval '5 minutes' else interval '40 minutes' end as started_at) g
       where a.session_id = $1`,
      [sessionId, blank],
    );
    await sql.query('analyze');
    const expired = await ids(sql, `select id from exam_attempt where status = 'STARTED' and deadline <= now() order by id`);
    const running = await ids(sql, `select id from exam_attempt where status = 'STARTED' and deadline > now() order by id`);
    const submitted = await ids(sql, `select id from exam_attempt where status = 'SUBMITTED' order by id`);
    expect([expired.length, running.length, submitted.length]).toEqual([EXPIRED, RUNNING, SUBMITTED]);
    const appointmentsOf = (attemptIds: string[]) => ids(sql, `select appointment_id as id from exam_attempt where id = any($1::uuid[]) order by appointment_id`, [attemptIds]);
    const untouched = [...running, ...submitted];
    const before = { attempts: await snapshot(sql, 'exam_attempt', untouched), appointments: await snapshot(sql, 'appointment', await appointmentsOf(untouched)) };
    const timedOut = () => count(sql, `select count(*) as n from exam_attempt where ended_by = 'TIMEOUT'`);

    const gate = await holdAtAudit('attempt.timeout', 500);
    const pid = await site.killDuring('END_EXPIRED_ATTEMPTS', async () => (await timedOut()) === 500 && (await gate.waiting()));
    await gate.release();
    // The held batch rolled back: 500 ended with their events, 300 expired ones still STARTED.
    expect(await timedOut()).toBe(500);
    expect(await count(sql, `select count(*) as n from exam_attempt where status = 'STARTED' and deadline <= now()`)).toBe(EXPIRED - 500);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'attempt.timeout'`)).toBe(500);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'appointment.complete'`)).toBe(500);
    expect((await jobRuns(sql, 'END_EXPIRED_ATTEMPTS')).map((r) => r.status)).toEqual(['RUNNING']);

    await site.start();
    await expectInterrupted(sql, 'END_EXPIRED_ATTEMPTS', pid);
    const again = await site.runJob('END_EXPIRED_ATTEMPTS');
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: EXPIRED - 500, error: null });

    // R-EXA-4: every expired attempt SUBMITTED by TIMEOUT at its deadline (not when it was noticed), its appointment COMPLETED.
    expect(await count(sql, `select count(*) as n from exam_attempt where id = any($1::uuid[]) and status = 'SUBMITTED' and ended_by = 'TIMEOUT' and submitted_at = deadline`, [expired])).toBe(EXPIRED);
    expect(await count(sql, `select count(*) as n from appointment a join exam_attempt t on t.appointment_id = a.id where t.id = any($1::uuid[]) and a.status = 'COMPLETED'`, [expired])).toBe(EXPIRED);
    // R-SEC-2: exactly one attempt.timeout event per expired attempt and one appointment.complete per its appointment, by the job; none for the others.
    const eventsPer = (action: string, subjectIds: string[], n: number) =>
      count(sql, `select count(*) as n from unnest($1::text[]) s(id) where (select count(*) from audit_event e where e.action = $2 and e.subject_id = s.id) <> $3`, [subjectIds, action, n]);
    expect(await eventsPer('attempt.timeout', expired, 1)).toBe(0);
    expect(await eventsPer('appointment.complete', await appointmentsOf(expired), 1)).toBe(0);
    expect(await eventsPer('attempt.timeout', untouched, 0)).toBe(0);
    expect(await eventsPer('appointment.complete', await appointmentsOf(untouched), 0)).toBe(0);
    expect(await count(sql, `select count(*) as n from audit_event where action in ('attempt.timeout', 'appointment.complete')`)).toBe(2 * EXPIRED);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'attempt.timeout' and actor <> 'system:job:END_EXPIRED_ATTEMPTS'`)).toBe(0);
    // The running and the learner-submitted attempts, and their appointments, are exactly as they were.
    expect({ attempts: await snapshot(sql, 'exam_attempt', untouched), appointments: await snapshot(sql, 'appointment', await appointmentsOf(untouched)) }).toEqual(before);

    // Idempotent: a third run finds nothing to do.
    expect((await site.runJob('END_EXPIRED_ATTEMPTS')).data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect((await jobRuns(sql, 'END_EXPIRED_ATTEMPTS')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  }, 120_000);

  it('R-JOB-1, R-REG-5: PURGE_PROFILES killed mid-batch: after the restart every due ProctorU profile is purged once (phone, address, city gone, one event each); profiles not due untouched', async () => {
    // Due (PROFILE_RETENTION_DAYS = 365 after the last session's end): 650 learners whose only session
    // ended in 2017, 50 registered nowhere and unchanged since 2018. Two batches of 500: the first
    // commits, the second (200) waits before its commit when the process dies.
    const old = await insertSession(sql, `'2017-03-14T23:30:00Z'::timestamptz`);
    const recent = await insertSession(sql, `now() - interval '30 days'`);
    const future = await insertSession(sql, `now() + interval '30 days'`);
    await insertLearners(sql, 'pp-old', 650);
    await register(sql, 'pp-old', old);
    await insertLearners(sql, 'pp-idle', 50, { profile: true, updatedAt: '2018-01-01T00:00:00Z' });
    // Not due: also registered in a session that ended a month ago; in a session still to come; registered nowhere but changed now.
    await insertLearners(sql, 'pp-recent', 100);
    await register(sql, 'pp-recent', old);
    await register(sql, 'pp-recent', recent);
    await insertLearners(sql, 'pp-future', 50);
    await register(sql, 'pp-future', future);
    await insertLearners(sql, 'pp-fresh', 50);
    // No profile to purge (never entered): out of the job's queue.
    await insertLearners(sql, 'pp-none', 50, { profile: false });
    await register(sql, 'pp-none', old);
    await sql.query('analyze');
    const DUE = 700;
    const due = await ids(sql, `select id from learner where external_id like 'pp-old-%' or external_id like 'pp-idle-%' order by id`);
    const kept = await ids(sql, `select id from learner where external_id like any('{pp-recent-%,pp-future-%,pp-fresh-%,pp-none-%}') order by id`);
    expect([due.length, kept.length]).toEqual([DUE, 250]);
    const before = await snapshot(sql, 'learner', kept);
    const purged = () => count(sql, `select count(*) as n from learner where profile_purged_at is not null`);

    const gate = await holdAtAudit('learner.profile.purge', 500);
    const pid = await site.killDuring('PURGE_PROFILES', async () => (await purged()) === 500 && (await gate.waiting()));
    await gate.release();
    // The held batch rolled back: 500 purged with their events, 200 due profiles still held.
    expect(await purged()).toBe(500);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'learner.profile.purge'`)).toBe(500);
    expect(await count(sql, `select count(*) as n from learner where id = any($1::uuid[]) and phone is not null and address is not null and city is not null and profile_purged_at is null`, [due])).toBe(DUE - 500);
    expect((await jobRuns(sql, 'PURGE_PROFILES')).map((r) => r.status)).toEqual(['RUNNING']);

    await site.start();
    await expectInterrupted(sql, 'PURGE_PROFILES', pid);
    const again = await site.runJob('PURGE_PROFILES');
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: DUE - 500, error: null });

    // Every due profile purged: phone, address and city gone, the purge recorded; time zone and country kept (they place the slots).
    expect(
      await count(sql, `select count(*) as n from learner where id = any($1::uuid[]) and phone is null and address is null and city is null and profile_purged_at is not null and time_zone = 'Europe/Paris' and country = 'FR'`, [due]),
    ).toBe(DUE);
    // R-SEC-2: exactly one learner.profile.purge event per due learner, none for the others.
    expect(
      await count(sql, `select count(*) as n from unnest($1::text[]) s(id) where (select count(*) from audit_event e where e.action = 'learner.profile.purge' and e.subject_id = s.id) <> 1`, [due]),
    ).toBe(0);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'learner.profile.purge'`)).toBe(DUE);
    expect(await count(sql, `select count(*) as n from audit_event where action = 'learner.profile.purge' and (details->>'retentionDays')::int <> 365`)).toBe(0);
    // Profiles not due (and learners without one) are exactly as they were.
    expect(await snapshot(sql, 'learner', kept)).toEqual(before);

    expect((await site.runJob('PURGE_PROFILES')).data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect((await jobRuns(sql, 'PURGE_PROFILES')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  }, 120_000);
});

/**
 * ProctorU as the killed server sees it (PROCTORU_MODE=live, PROCTORU_URL): a stand-in in this process
 * in front of the real simulator, which outlives the server. Every call passes through, except the
 * `holdAdd`-th addAdHocProcess (counted from when it is set): forwarded (ProctorU makes the
 * reservation), then its answer held back, as if the process died before reading it.
 */
class ProctorUStandIn extends HoldingStandIn<string> {
  private holdAdd: number | undefined;
  private adds = 0;

  constructor(private readonly proctoru: ProctorUSimulator) {
    super();
  }

  /** Holds the answer of the `n`-th addAdHocProcess from now; resolves with its reservation_id when it is held. */
  holdAddCall(n: number): Promise<string> {
    this.adds = 0;
    this.holdAdd = n;
    return new Promise((resolve) => (this.onHeld = resolve));
  }

  override dropHeld(): void {
    super.dropHeld();
    this.holdAdd = undefined;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const answer = await fetch(`${this.proctoru.url}${req.url ?? '/'}`, {
      method: req.method,
      headers: { 'content-type': 'application/json', 'authorization-token': String(req.headers['authorization-token'] ?? '') },
      body,
    });
    const text = await answer.text();
    const method = (req.url ?? '').replace(/^\/+|\/+$/g, '');
    if (method === 'addAdHocProcess' && this.holdAdd !== undefined && ++this.adds === this.holdAdd) {
      this.hold(res, (JSON.parse(body) as { reservation_id: string }).reservation_id);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
  }
}

describe('kill -9 while PROCTORU_OUTBOX has a batch of ProctorU calls in flight, then restart: each call reaches ProctorU effectively once (R-JOB-1)', () => {
  const ADDS = 50; // bookings to send (ADD)
  const REMOVES = 10; // cancellations to send (REMOVE), their reservations already at ProctorU
  const BATCH = 20; // rows claimed at a time (proctoru-sync.service.ts); the first two batches are ADDs
  let db: Db;
  let sql: pg.Client;
  let dataDir: string;
  let site: Installation;
  const proctoru = new ProctorUSimulator(randomBytes(16).toString('hex'), randomBytes(32).toString('base64url'));
  const standIn = new ProctorUStandIn(proctoru);

  /**
   * Every UPDATE statement on proctoru_outbox records how many rows it changed. The worker's claim is
   * the only one that can change none: an empty claim after a start means the start-up kick is over
   * (JOBS=off and no API call writes an outbox row here, so nothing else runs the worker).
   */
  const updatesMark = () => count(sql, 'select coalesce(max(id), 0) as n from crash_drill_outbox_updates');
  const workerIdleSince = (mark: number) =>
    until('the outbox worker has claimed nothing (the start-up kick is over)', async () => (await count(sql, 'select count(*) as n from crash_drill_outbox_updates where id > $1 and rows = 0', [mark])) > 0, 30_000);
  async function startAndSettle(): Promise<void> {
    const mark = await updatesMark();
    await site.start();
    await workerIdleSince(mark);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = await sqlClient(db.url);
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-crash-outbox-'));
    await proctoru.start();
    await standIn.start();
    await sql.query(`create table crash_drill_outbox_updates (id bigint generated always as identity primary key, rows int not null)`);
    await sql.query(`create function crash_drill_outbox_update() returns trigger language plpgsql as $$
      begin insert into crash_drill_outbox_updates (rows) select count(*) from changed; return null; end $$`);
    await sql.query(`create trigger crash_drill_outbox_update after update on proctoru_outbox referencing new table as changed for each statement execute function crash_drill_outbox_update()`);
    site = new Installation(installationEnv(db.url, dataDir, { JOBS: 'off', PROCTORU_MODE: 'live', PROCTORU_URL: standIn.url, PROCTORU_TOKEN: proctoru.token }));
    await startAndSettle();
  }, 120_000);
  afterAll(async () => {
    await site?.stop();
    await standIn.stop();
    await proctoru.stop();
    await sql?.end();
    await db?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-JOB-1 (ProctorU outbox, issue 12): killed with a batch claimed and one booking made at ProctorU but unanswered: the dead batch is retried once its lease runs out, the booking found by its reservation_id, not made twice; every row SENT, one reservation per booking, each cancellation removed once', async () => {
    const sessionId = await insertSession(sql, `now() + interval '30 days'`);
    await insertLearners(sql, 'pu', ADDS + REMOVES);
    await register(sql, 'pu', sessionId);
    // Learners 1..50 booked (their ADD to send); 51..60 cancelled (their REMOVE to send).
    await sql.query(
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by, cancelled_at, cancellation_reason, provider_sync)
       select gen_random_uuid(), r.id, r.session_id, date_trunc('day', now()) + interval '20 days 14 hours', date_trunc('day', now()) + interval '20 days 14 hours 30 minutes',
              case when g.cancelled then 'CANCELLED' else 'BOOKED' end, now(), 'test:crash-drill', case when g.cancelled then now() end, case when g.cancelled then 'learner' end, 'PENDING'
       from registration r join learner l on l.id = r.learner_id cross join lateral (select split_part(l.external_id, '-', 2)::int > $2 as cancelled) g
       where r.session_id = $1`,
      [sessionId, ADDS],
    );
    const appointments = (
      await sql.query<{ id: string; learner_id: string; status: string; n: number; given_name: string; family_name: string; email: string; starts_at: Date }>(
        `select a.id, l.id as learner_id, a.status, split_part(l.external_id, '-', 2)::int as n, r.locked_given_name as given_name, r.locked_family_name as family_name, l.email, a.starts_at
         from appointment a join registration r on r.id = a.registration_id join learner l on l.id = r.learner_id where a.session_id = $1 order by n`,
        [sessionId],
      )
    ).rows;
    const adds = appointments.filter((a) => a.status === 'BOOKED');
    const removes = appointments.filter((a) => a.status === 'CANCELLED');
    // The cancelled appointments were booked at ProctorU before (the calls of an earlier day).
    const direct = new ProctorUClient({ url: proctoru.url, token: proctoru.token });
    const addParams = (a: (typeof appointments)[number]) => ({
      student_id: a.learner_id,
      first_name: a.given_name,
      last_name: a.family_name,
      email: a.email,
      phone1: '',
      address1: '',
      city: 'Lyon',
      country: 'FR',
      time_zone_id: 'Romance Standard Time',
      description: 'Introduction à la cartographie des processus métiers (26001S03)',
      duration: 30,
      start_date: a.starts_at.toISOString(),
      reservation_id: a.id,
      notify: true,
    });
    const removedNos = new Map<string, string>();
    for (const a of removes) removedNos.set(a.id, (await direct.addAdHocProcess(addParams(a))).reservation_no);
    proctoru.reset(); // counts the calls of the drill only
    // The outbox rows, in seq order: the 50 ADDs, then the 10 REMOVEs (one row per registration).
    for (const a of adds) {
      await sql.query(`insert into proctoru_outbox (id, appointment_id, registration_id, op, payload, next_attempt_at, created_at) select gen_random_uuid(), $1, registration_id, 'ADD', $2, now(), now() from appointment where id = $1`, [
        a.id,
        JSON.stringify(addParams(a)),
      ]);
    }
    for (const a of removes) {
      await sql.query(`insert into proctoru_outbox (id, appointment_id, registration_id, op, payload, next_attempt_at, created_at) select gen_random_uuid(), $1, registration_id, 'REMOVE', $2, now(), now() from appointment where id = $1`, [
        a.id,
        JSON.stringify({ reservation_id: a.id, student_id: a.learner_id }),
      ]);
    }
    const rows = (await sql.query<{ appointment_id: string; op: string }>(`select appointment_id, op from proctoru_outbox order by seq`)).rows;
    expect(rows.map((r) => r.op)).toEqual([...Array<string>(ADDS).fill('ADD'), ...Array<string>(REMOVES).fill('REMOVE')]);
    const statuses = async () =>
      Object.fromEntries((await sql.query<{ k: string; n: number }>(`select status || ':' || attempts as k, count(*)::int as n from proctoru_outbox group by 1 order by 1`)).rows.map((r) => [r.k, r.n]));
    const addCalls = (reservationId?: string) => proctoru.calls.filter((c) => c.method === 'addAdHocProcess' && (!reservationId || c.body.reservation_id === reservationId)).length;

    // Batches of 20, one call after another: the first batch is SENT; the second is claimed (leased for
    // 5 minutes) and its first call, made at ProctorU, unanswered when the process dies; the third is unclaimed.
    let heldId: string | undefined;
    void standIn.holdAddCall(BATCH + 1).then((id) => (heldId = id));
    const pid = await site.killDuring('PROCTORU_OUTBOX', async () => heldId !== undefined);
    standIn.dropHeld();
    await sessionsGone(sql);
    if (!heldId) throw new Error('no call held');
    expect(rows.findIndex((r) => r.appointment_id === heldId)).toBeGreaterThanOrEqual(BATCH);
    expect(await statuses()).toEqual({ 'SENT:1': BATCH, 'PENDING:1': BATCH, 'PENDING:0': ADDS + REMOVES - 2 * BATCH });
    expect(addCalls()).toBe(BATCH + 1);
    expect(proctoru.reservationsFor(heldId)).toHaveLength(1);
    expect((await sql.query(`select provider_sync, provider_reservation_no from appointment where id = $1`, [heldId])).rows[0]).toEqual({ provider_sync: 'PENDING', provider_reservation_no: null });
    expect((await jobRuns(sql, 'PROCTORU_OUTBOX')).map((r) => r.status)).toEqual(['RUNNING']);

    // The restart: the start-up kick sends the unclaimed third batch; the rows the dead process
    // claimed stay leased (it might still have been talking to ProctorU), so none is sent twice at once.
    await startAndSettle();
    await expectInterrupted(sql, 'PROCTORU_OUTBOX', pid);
    expect(await statuses()).toEqual({ 'SENT:1': ADDS + REMOVES - BATCH, 'PENDING:1': BATCH });
    expect(addCalls()).toBe(BATCH + 1 + ADDS - 2 * BATCH);
    expect(addCalls(heldId)).toBe(1);

    // Five minutes later (LEASE_MS, wall time, which the test clock does not move) the lease runs out:
    // the test moves next_attempt_at back instead of waiting. The next run sends the dead batch's rest.
    expect((await sql.query(`update proctoru_outbox set next_attempt_at = now() where status = 'PENDING' and next_attempt_at > now()`)).rowCount).toBe(BATCH);
    const again = await site.runJob('PROCTORU_OUTBOX');
    expect(again.errors).toBeUndefined();
    expect(again.data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: BATCH, error: null });

    // Every row SENT, its personal data dropped (R-SEC); the held one and the unsent rest of its batch were tried twice.
    expect(await statuses()).toEqual({ 'SENT:1': ADDS + REMOVES - BATCH, 'SENT:2': BATCH });
    expect(await count(sql, `select count(*) as n from proctoru_outbox where payload ? 'email' or payload ? 'phone1'`)).toBe(0);
    // At ProctorU: one addAdHocProcess per booking, the held one included (its resend looked it up by
    // reservation_id and found it), so exactly one live reservation per booked appointment, recorded on it.
    expect(addCalls()).toBe(ADDS);
    for (const a of adds) expect(addCalls(a.id), a.id).toBe(1);
    const recorded = new Map((await sql.query<{ id: string; no: string | null; sync: string }>(`select id, provider_reservation_no as no, provider_sync as sync from appointment where session_id = $1`, [sessionId])).rows.map((r) => [r.id, r]));
    for (const a of adds) {
      const live = proctoru.reservationsFor(a.id);
      expect(live, a.id).toHaveLength(1);
      expect(recorded.get(a.id), a.id).toEqual({ id: a.id, no: live[0].reservation_no, sync: 'SYNCED' });
    }
    expect(proctoru.calls.filter((c) => c.method === 'getStudentReservationList' && c.body.student_id === adds.find((a) => a.id === heldId)!.learner_id)).toHaveLength(2);
    // Each cancellation: its reservation removed once, none left.
    expect(proctoru.count('removeReservation')).toBe(REMOVES);
    expect([...proctoru.removed].sort()).toEqual([...removedNos.values()].sort());
    for (const a of removes) {
      expect(proctoru.reservationsFor(a.id), a.id).toHaveLength(0);
      expect(recorded.get(a.id)!.sync, a.id).toBe('SYNCED');
    }
    expect(proctoru.reservations.size).toBe(ADDS);

    // Idempotent: a third run finds nothing to send, and ProctorU hears nothing more.
    const calls = proctoru.calls.length;
    expect((await site.runJob('PROCTORU_OUTBOX')).data!.runJob.jobRun).toMatchObject({ status: 'SUCCEEDED', itemsProcessed: 0 });
    expect(proctoru.calls.length).toBe(calls);
    expect((await jobRuns(sql, 'PROCTORU_OUTBOX')).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  }, 120_000);
});
