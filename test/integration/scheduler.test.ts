import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { DomainError } from '../../src/domain/errors';
import { type JobDefinition } from '../../src/jobs/job';
import { Scheduler } from '../../src/jobs/scheduler';
import { createTestDatabase, sqlClient } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise resolved from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it returns a value (not null), or fails after `ms`. */
async function eventually<T>(check: () => Promise<T | null>, ms = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface JobRunRow {
  id: string;
  job: string;
  trigger: string;
  tick: Date | null;
  status: string;
  error: string | null;
  finished_at: Date | null;
  items_processed: number;
}

describe('R-JOB-1: the scheduler with several instances on one database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ormA: Orm;
  let ormB: Orm;
  let sql: pg.Client;
  let a: Scheduler;
  let b: Scheduler;
  let dataDir: string;
  const clock = new TestClock();

  // The counting job: how many times it ran, and a gate that can hold it (and its lock) open.
  let counted = 0;
  let gate: ReturnType<typeof deferred> | undefined;
  let started: ReturnType<typeof deferred> | undefined;
  const countingJob: JobDefinition = {
    name: 'TEST_COUNT',
    schedule: '0 0 1 1 *',
    async run() {
      counted++;
      started?.resolve();
      if (gate) await gate.promise;
      else await sleep(150);
      return 7;
    },
  };
  const failingJob: JobDefinition = {
    name: 'TEST_FAIL',
    schedule: '0 0 1 1 *',
    async run() {
      throw new Error('boom: the job failed on purpose');
    },
  };
  const jobs = [countingJob, failingJob];

  const rows = async (where = 'true', params: unknown[] = []) =>
    (await sql.query<JobRunRow>(`select id, job, trigger, tick, status, error, finished_at, items_processed from job_run where ${where} order by started_at, id`, params)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-sched-test-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: db.url, JOBS: 'off', LOG_LEVEL: 'silent' });
    ormA = await createOrm(db.url);
    ormB = await createOrm(db.url);
    sql = await sqlClient(db.url);
    a = new Scheduler({ orm: ormA, clientUrl: db.url, clock, config, log: silent, jobs });
    b = new Scheduler({ orm: ormB, clientUrl: db.url, clock, config, log: silent, jobs });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await sql?.end();
    await ormA?.close(true);
    await ormB?.close(true);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-JOB-1: the same tick on two instances at once runs the job exactly once and records one run', async () => {
    const tick = new Date('2031-05-01T10:00:00.000Z');
    const before = counted;
    const [ra, rb] = await Promise.all([a.runScheduled('TEST_COUNT', tick), b.runScheduled('TEST_COUNT', tick)]);
    expect(counted - before).toBe(1);
    const runs = [ra, rb].filter((r) => r !== null);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ job: 'TEST_COUNT', trigger: 'SCHEDULE', status: 'SUCCEEDED', itemsProcessed: 7 });
    const recorded = await rows('job = $1 and tick = $2', ['TEST_COUNT', tick]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ status: 'SUCCEEDED', trigger: 'SCHEDULE', items_processed: 7 });
    expect(recorded[0].finished_at).not.toBeNull();
  });

  it('R-JOB-1: a tick already run is not run again by another instance later', async () => {
    const tick = new Date('2031-05-01T10:00:00.000Z');
    const before = counted;
    expect(await b.runScheduled('TEST_COUNT', tick)).toBeNull();
    expect(await a.runScheduled('TEST_COUNT', tick)).toBeNull();
    expect(counted).toBe(before);
    expect(await rows('job = $1 and tick = $2', ['TEST_COUNT', tick])).toHaveLength(1);
  });

  it('R-JOB-1: a different tick runs again', async () => {
    const tick = new Date('2031-05-01T10:01:00.000Z');
    const before = counted;
    const [ra, rb] = await Promise.all([a.runScheduled('TEST_COUNT', tick), b.runScheduled('TEST_COUNT', tick)]);
    expect(counted - before).toBe(1);
    expect([ra, rb].filter((r) => r !== null)).toHaveLength(1);
    expect(await rows('job = $1 and tick = $2', ['TEST_COUNT', tick])).toHaveLength(1);
    expect(await rows(`job = 'TEST_COUNT' and trigger = 'SCHEDULE'`)).toHaveLength(2);
  });

  it('R-JOB-1: while one instance runs the job, runNow on the other fails with JOB_ALREADY_RUNNING', async () => {
    gate = deferred();
    started = deferred();
    const first = a.runNow('TEST_COUNT', 'staff:admin@test.local');
    try {
      await started.promise;
      const second = b.runNow('TEST_COUNT', 'staff:other@test.local');
      await expect(second).rejects.toBeInstanceOf(DomainError);
      await expect(second).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
      // A scheduled tick meanwhile is skipped too (the lock, not the tick, stops it).
      expect(await b.runScheduled('TEST_COUNT', new Date('2031-05-01T10:02:00.000Z'))).toBeNull();
    } finally {
      gate.resolve();
    }
    const run = await first;
    gate = undefined;
    started = undefined;
    expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 'MANUAL', requestedBy: 'staff:admin@test.local', itemsProcessed: 7 });
    // Once the run is over, the other instance may run it.
    expect(await b.runNow('TEST_COUNT', 'staff:other@test.local')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('R-JOB-1: a job that throws is recorded FAILED with its error, and the scheduler keeps working', async () => {
    const failed = await a.runNow('TEST_FAIL', 'staff:admin@test.local');
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('boom: the job failed on purpose');
    expect(failed.finishedAt).toBeInstanceOf(Date);
    const [row] = await rows('id = $1', [failed.id]);
    expect(row).toMatchObject({ status: 'FAILED', error: 'boom: the job failed on purpose' });
    expect(row.finished_at).not.toBeNull();
    // The lock was released: it can run (and fail) again, and other jobs run.
    expect((await a.runNow('TEST_FAIL', 'staff:admin@test.local')).status).toBe('FAILED');
    expect((await a.runNow('TEST_COUNT', 'staff:admin@test.local')).status).toBe('SUCCEEDED');
    const tick = new Date('2031-05-01T10:03:00.000Z');
    expect(await a.runScheduled('TEST_FAIL', tick)).toMatchObject({ status: 'FAILED', trigger: 'SCHEDULE' });
  });

  it('R-JOB-1: runNow of a job that is not registered fails with JOB_NOT_AVAILABLE', async () => {
    const r = a.runNow('PURGE_EVIDENCE', 'staff:admin@test.local');
    await expect(r).rejects.toBeInstanceOf(DomainError);
    await expect(r).rejects.toMatchObject({ code: 'JOB_NOT_AVAILABLE' });
    expect(await rows(`job = 'PURGE_EVIDENCE'`)).toHaveLength(0);
  });

  async function insertStaleRun(job: string): Promise<string> {
    const { rows: r } = await sql.query<{ id: string }>(
      `insert into job_run (id, job, trigger, tick, status, started_at, items_processed, instance)
       values (gen_random_uuid(), $1, 'MANUAL', null, 'RUNNING', now() - interval '1 hour', 0, 'crashed-host:4242') returning id`,
      [job],
    );
    return r[0].id;
  }

  it('R-JOB-1: recoverInterrupted() marks a run left RUNNING by a crashed process FAILED', async () => {
    const id = await insertStaleRun('TEST_COUNT');
    expect(await a.recoverInterrupted()).toBeGreaterThanOrEqual(1);
    const [row] = await rows('id = $1', [id]);
    expect(row.status).toBe('FAILED');
    expect(row.error).toMatch(/^interrupted/);
    expect(row.finished_at).not.toBeNull();
  });

  it('R-JOB-1: start() recovers interrupted runs too', async () => {
    const id = await insertStaleRun('TEST_FAIL');
    await b.start(); // JOBS=off: no schedule, only the recovery
    const [row] = await rows('id = $1', [id]);
    expect(row.status).toBe('FAILED');
    expect(row.error).toMatch(/^interrupted/);
  });

  it('R-JOB-1: recovery leaves a RUNNING run alone while another instance holds that job lock', async () => {
    gate = deferred();
    started = deferred();
    const live = a.runNow('TEST_COUNT', 'staff:admin@test.local');
    let staleId = '';
    try {
      await started.promise;
      staleId = await insertStaleRun('TEST_COUNT');
      const running = await rows(`job = 'TEST_COUNT' and status = 'RUNNING'`);
      expect(running).toHaveLength(2); // the live run and the stale one
      await b.recoverInterrupted();
      expect((await rows('id = $1', [staleId]))[0].status).toBe('RUNNING');
      expect(await rows(`job = 'TEST_COUNT' and status = 'RUNNING'`)).toHaveLength(2);
    } finally {
      gate.resolve();
    }
    const run = await live;
    gate = undefined;
    started = undefined;
    expect(run.status).toBe('SUCCEEDED');
    // Once the lock is free, the stale row is recovered; the finished run keeps its status.
    await b.recoverInterrupted();
    expect((await rows('id = $1', [staleId]))[0]).toMatchObject({ status: 'FAILED' });
    expect((await rows('id = $1', [run.id]))[0]).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('R-JOB-1: the cron schedule (JOBS=on)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: Orm;
  let sql: pg.Client;
  let scheduler: Scheduler | undefined;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'cbo-cron-test-'));
    orm = await createOrm(db.url);
    sql = await sqlClient(db.url);
  });
  afterAll(async () => {
    await scheduler?.stop();
    await sql?.end();
    await orm?.close(true);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-JOB-1: runs every scheduled tick once, with trigger SCHEDULE, and stop() stops it', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: db.url, JOBS: 'on', LOG_LEVEL: 'silent' });
    expect(config.jobs).toBe(true);
    let runs = 0;
    scheduler = new Scheduler({
      orm,
      clientUrl: db.url,
      clock: new TestClock(),
      config,
      log: silent,
      jobs: [{ name: 'TEST_CRON', schedule: '* * * * * *', run: async () => ++runs }],
    });
    await scheduler.start();
    const count = async () => (await sql.query<{ trigger: string; tick: Date; status: string }>(`select trigger, tick, status from job_run where job = 'TEST_CRON' order by tick`)).rows;
    const recorded = await eventually(async () => {
      const r = await count();
      return r.filter((x) => x.status !== 'RUNNING').length >= 2 ? r : null;
    }, 6_000, 'two scheduled runs');
    expect(recorded.every((r) => r.trigger === 'SCHEDULE')).toBe(true);
    const ticks = recorded.map((r) => r.tick.getTime());
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((t) => t % 1000 === 0)).toBe(true);

    await scheduler.stop();
    const afterStop = (await count()).length;
    const runsAfterStop = runs;
    await sleep(2_200); // more than two schedule ticks
    expect((await count()).length).toBe(afterStop);
    expect(runs).toBe(runsAfterStop);
    expect((await count()).every((r) => r.status !== 'RUNNING')).toBe(true);
  });
});

describe('R-JOB-1: runJob and jobRuns through GraphQL', () => {
  let s: TestServer;
  let computed = 0;
  let hold: { gate: ReturnType<typeof deferred>; started: ReturnType<typeof deferred> } | undefined;
  beforeAll(async () => {
    s = await startTestServer({
      jobs: [
        {
          name: 'COMPUTE_RESULTS',
          schedule: '0 3 * * *',
          run: async () => {
            if (hold) {
              hold.started.resolve();
              await hold.gate.promise;
            }
            computed += 3;
            return 3;
          },
        },
        { name: 'END_EXPIRED_ATTEMPTS', schedule: '*/5 * * * *', run: async () => 0 },
      ],
    });
  });
  afterAll(() => s?.close());

  const RUN_JOB = `mutation($job: JobName!) { runJob(job: $job) {
    jobRun { id job trigger status itemsProcessed startedAt finishedAt error tick instance }
    errors { code message field }
  } }`;
  const JOB_RUNS = `query($job: JobName, $first: Int) { jobRuns(job: $job, first: $first) {
    totalCount edges { node { id job trigger status itemsProcessed startedAt } }
  } }`;
  type RunJob = { runJob: { jobRun: { id: string; job: string; trigger: string; status: string; itemsProcessed: number; startedAt: string; finishedAt: string | null; tick: string | null } | null; errors: { code: string; field: string[] | null }[] } };
  type JobRuns = { jobRuns: { totalCount: number; edges: { node: { id: string; job: string; status: string; startedAt: string } }[] } };

  it('R-JOB-1: runJob as ADMIN runs the job now and returns a SUCCEEDED run', async () => {
    await s.setClock('2031-06-01T03:00:00Z');
    const before = computed;
    const r = await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, await s.tokenFor('ADMIN'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.runJob.errors).toEqual([]);
    expect(r.data!.runJob.jobRun).toMatchObject({ job: 'COMPUTE_RESULTS', trigger: 'MANUAL', status: 'SUCCEEDED', itemsProcessed: 3, error: null, tick: null, startedAt: '2031-06-01T03:00:00.000Z' });
    expect(r.data!.runJob.jobRun!.finishedAt).not.toBeNull();
    expect(computed - before).toBe(3);
  });

  it('R-JOB-1: jobRuns lists runs newest first and filters by job', async () => {
    const admin = await s.tokenFor('ADMIN');
    await s.setClock('2031-06-02T03:00:00Z');
    const second = (await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, admin)).data!.runJob.jobRun!;
    await s.setClock('2031-06-03T03:00:00Z');
    const other = (await s.gql<RunJob>(RUN_JOB, { job: 'END_EXPIRED_ATTEMPTS' }, admin)).data!.runJob.jobRun!;
    expect(other.status).toBe('SUCCEEDED');

    const filtered = await s.gql<JobRuns>(JOB_RUNS, { job: 'COMPUTE_RESULTS' }, admin);
    expect(filtered.errors).toBeUndefined();
    const nodes = filtered.data!.jobRuns.edges.map((e) => e.node);
    expect(filtered.data!.jobRuns.totalCount).toBe(2);
    expect(nodes.every((n) => n.job === 'COMPUTE_RESULTS')).toBe(true);
    expect(nodes[0].id).toBe(second.id);
    expect(nodes.map((n) => n.startedAt)).toEqual(['2031-06-02T03:00:00.000Z', '2031-06-01T03:00:00.000Z']);

    const all = await s.gql<JobRuns>(JOB_RUNS, {}, admin);
    expect(all.data!.jobRuns.totalCount).toBe(3);
    expect(all.data!.jobRuns.edges[0].node.id).toBe(other.id);

    // CERTIFICATION may read the runs too.
    const cert = await s.gql<JobRuns>(JOB_RUNS, {}, await s.tokenFor('CERTIFICATION'));
    expect(cert.errors).toBeUndefined();
    expect(cert.data!.jobRuns.totalCount).toBe(3);
  });

  it('R-JOB-1: runJob writes an audit event job.run', async () => {
    const admin = await s.tokenFor('ADMIN');
    const run = (await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, admin)).data!.runJob.jobRun!;
    const r = await s.gql<{ auditEvents: { totalCount: number; edges: { node: { actor: string; action: string; subjectType: string; details: Record<string, unknown> } }[] } }>(
      `query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount edges { node { actor action subjectType details } } } }`,
      { f: { subjectId: run.id, action: 'job.run' } },
      admin,
    );
    expect(r.data!.auditEvents.totalCount).toBe(1);
    expect(r.data!.auditEvents.edges[0].node).toMatchObject({ actor: 'staff:admin@test.local', action: 'job.run', subjectType: 'JobRun' });
    expect(r.data!.auditEvents.edges[0].node.details).toMatchObject({ job: 'COMPUTE_RESULTS', status: 'SUCCEEDED', itemsProcessed: 3 });
  });

  it('R-JOB-1: runJob of a job not registered in this version → UserError JOB_NOT_AVAILABLE', async () => {
    const r = await s.gql<RunJob>(RUN_JOB, { job: 'PURGE_EVIDENCE' }, await s.tokenFor('ADMIN'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.runJob.jobRun).toBeNull();
    expect(r.data!.runJob.errors).toHaveLength(1);
    expect(r.data!.runJob.errors[0]).toMatchObject({ code: 'JOB_NOT_AVAILABLE', field: ['job'] });
  });

  it('R-JOB-1: runJob while the job is running → UserError JOB_ALREADY_RUNNING', async () => {
    hold = { gate: deferred(), started: deferred() };
    const running = s.app.scheduler.runScheduled('COMPUTE_RESULTS', new Date('2031-06-04T03:00:00.000Z'));
    try {
      await hold.started.promise;
      const r = await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, await s.tokenFor('ADMIN'));
      expect(r.errors).toBeUndefined();
      expect(r.data!.runJob.jobRun).toBeNull();
      expect(r.data!.runJob.errors[0]).toMatchObject({ code: 'JOB_ALREADY_RUNNING', field: ['job'] });
    } finally {
      hold.gate.resolve();
    }
    expect(await running).toMatchObject({ status: 'SUCCEEDED', trigger: 'SCHEDULE' });
    hold = undefined;
  });

  it('R-JOB-1: runJob is ADMIN only', async () => {
    const before = computed;
    const admin = await s.tokenFor('ADMIN');
    const runsBefore = (await s.gql<JobRuns>(JOB_RUNS, {}, admin)).data!.jobRuns.totalCount;
    for (const role of ['CERTIFICATION', 'SUPPORT', 'PAYMENTS', 'INTEGRATION', 'LEARNER'] as const) {
      const r = await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' }, await s.tokenFor(role));
      expect(r.errors?.[0].extensions?.code, role).toBe('FORBIDDEN');
      expect(r.data ?? null, role).toBeNull();
    }
    const anon = await s.gql<RunJob>(RUN_JOB, { job: 'COMPUTE_RESULTS' });
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The refused calls ran nothing and recorded nothing.
    expect(computed).toBe(before);
    expect((await s.gql<JobRuns>(JOB_RUNS, {}, admin)).data!.jobRuns.totalCount).toBe(runsBefore);
  });
});
