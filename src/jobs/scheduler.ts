import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import pg from 'pg';
import { type FastifyBaseLogger } from 'fastify';
import { systemViewer, type Viewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Orm } from '../db/orm';
import { DomainError } from '../domain/errors';
import { JobRun } from '../entities';
import { recordJobRun } from '../http/metrics';
import { type Services } from '../services';
import { type JobDefinition } from './job';

/** Namespace of this service's advisory locks (first key of pg_try_advisory_lock(int, int)). */
const LOCK_CLASS = 40_417;

export interface SchedulerDeps {
  orm: Orm;
  clientUrl: string;
  clock: Clock;
  config: Config;
  log: FastifyBaseLogger;
  jobs: JobDefinition[];
}

/**
 * Runs registered jobs on their node-cron schedules and on demand (R-JOB-1). Safe with several server
 * instances on one database: a PostgreSQL advisory lock per job means one run of a job at a time, and
 * the unique index on `job_run (job, tick)` means one run per schedule tick.
 */
export class Scheduler {
  readonly instance = `${hostname()}:${process.pid}`;
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private lockPool: pg.Pool | undefined;
  private services: Services | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** The use cases jobs call (created after the scheduler, which they need for `runJob`). */
  attachServices(services: Services): void {
    this.services = services;
  }

  get jobNames(): string[] {
    return this.deps.jobs.map((j) => j.name);
  }

  private pool(): pg.Pool {
    this.lockPool ??= new pg.Pool({ connectionString: this.deps.clientUrl, max: Math.max(2, this.deps.jobs.length + 1), idleTimeoutMillis: 30_000 });
    return this.lockPool;
  }

  /** Starts the cron schedule (unless JOBS=off) after marking runs interrupted by a crash as failed. */
  async start(): Promise<void> {
    await this.recoverInterrupted();
    if (!this.deps.config.jobs) return;
    const overrides = this.deps.config.jobSchedules;
    const unknown = Object.keys(overrides).filter((name) => !this.jobNames.includes(name));
    if (unknown.length) throw new Error(`JOB_SCHEDULES names jobs this server does not run: ${unknown.join(', ')}`);
    for (const job of this.deps.jobs) {
      const task = cron.schedule(
        overrides[job.name] ?? job.schedule,
        (tc) => {
          const tick = new Date(Math.floor(tc.date.getTime() / 1000) * 1000);
          this.track(this.runScheduled(job.name, tick)).catch((err) => this.deps.log.error({ err, job: job.name }, 'scheduled job failed to run'));
        },
        { name: `job:${job.name}`, timezone: 'Etc/UTC', noOverlap: false },
      );
      this.tasks.push(task);
    }
  }

  /** Stops the schedule and waits for runs in progress (they stop between batches). */
  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks.length = 0;
    this.abort.abort();
    await Promise.allSettled([...this.running]);
    await this.lockPool?.end();
    this.lockPool = undefined;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  /** A run for this schedule tick, unless another instance took the tick or is running the job. */
  runScheduled(name: string, tick: Date): Promise<JobRun | null> {
    return this.track(this.execute(name, { trigger: 'SCHEDULE', tick }));
  }

  /** `runJob` (ADMIN): runs now and resolves with the finished run. */
  async runNow(name: string, requestedBy: string): Promise<JobRun> {
    if (!this.jobNames.includes(name)) throw new DomainError('JOB_NOT_AVAILABLE', `Job ${name} is not available in this version of the server`, ['job']);
    const run = await this.track(this.execute(name, { trigger: 'MANUAL', requestedBy }));
    if (!run) throw new DomainError('JOB_ALREADY_RUNNING', `Job ${name} is running already; try again when it has finished`, ['job']);
    return run;
  }

  private async execute(name: string, how: { trigger: 'SCHEDULE'; tick: Date } | { trigger: 'MANUAL'; requestedBy: string }): Promise<JobRun | null> {
    const job = this.deps.jobs.find((j) => j.name === name);
    if (!job) return null;
    const lock = await this.pool().connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as locked', [LOCK_CLASS, name]);
      if (!rows[0].locked) {
        if (how.trigger === 'SCHEDULE') this.deps.log.debug({ job: name, tick: how.tick, skipped: 'running' }, 'scheduled tick skipped: the job is running (here or in another instance)');
        return null;
      }
      try {
        return await this.runLocked(job, how);
      } finally {
        await lock.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, name]);
      }
    } finally {
      lock.release();
    }
  }

  private async runLocked(job: JobDefinition, how: { trigger: 'SCHEDULE'; tick: Date } | { trigger: 'MANUAL'; requestedBy: string }): Promise<JobRun | null> {
    const { orm, clock, config, log } = this.deps;
    const em = orm.em.fork();
    const startedAt = clock.now();
    const realStart = clock.realNow().getTime();
    const inserted = await em.getConnection().execute<{ id: string }[]>(
      `insert into job_run (id, job, trigger, tick, status, started_at, items_processed, instance, requested_by)
       values (gen_random_uuid(), ?, ?, ?, 'RUNNING', ?, 0, ?, ?)
       on conflict (job, tick) where tick is not null do nothing returning id`,
      [job.name, how.trigger, how.trigger === 'SCHEDULE' ? how.tick : null, startedAt, this.instance, how.trigger === 'MANUAL' ? how.requestedBy : null],
    );
    if (inserted.length === 0) {
      // Another instance ran this tick (the unique index job_run_one_per_tick).
      log.debug({ job: job.name, tick: how.trigger === 'SCHEDULE' ? how.tick : null, skipped: 'taken' }, 'scheduled tick skipped: run by another instance');
      return null;
    }
    const runId = inserted[0].id;
    const viewer: Viewer = systemViewer(`job:${job.name}`);
    const jobLog = log.child({ job: job.name, runId, requestId: `job-${runId}` });
    let items = 0;
    let error: string | null = null;
    try {
      const attached = (): Services => {
          if (!this.services) throw new Error('Scheduler.attachServices was not called');
          return this.services;
        };
        items = await job.run({
          em: orm.em.fork(), viewer, clock, config, log: jobLog, requestId: `job-${runId}`, runId, signal: this.abort.signal,
          get services() {
            return attached();
          },
        });
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      jobLog.error({ err }, 'job run failed');
    }
    await em.getConnection().execute(`update job_run set status = ?, finished_at = ?, items_processed = ?, error = ? where id = ?`, [
      error ? 'FAILED' : 'SUCCEEDED',
      clock.now(),
      Math.max(0, Math.trunc(items || 0)),
      error,
      runId,
    ]);
    recordJobRun(job.name, error ? 'FAILED' : 'SUCCEEDED', (clock.realNow().getTime() - realStart) / 1000, Math.max(0, Math.trunc(items || 0)));
    return em.findOneOrFail(JobRun, { id: runId });
  }

  /** Runs left RUNNING by a process that died: failed, unless their job is running elsewhere right now. */
  async recoverInterrupted(): Promise<number> {
    const em = this.deps.orm.em.fork();
    const stale = await em.find(JobRun, { status: 'RUNNING' });
    let fixed = 0;
    for (const run of stale) {
      const lock = await this.pool().connect();
      try {
        const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as locked', [LOCK_CLASS, run.job]);
        if (!rows[0].locked) continue;
        try {
          await em.getConnection().execute(`update job_run set status = 'FAILED', finished_at = ?, error = ? where id = ? and status = 'RUNNING'`, [
            this.deps.clock.now(),
            'interrupted: the server stopped during the run',
            run.id,
          ]);
          fixed++;
        } finally {
          await lock.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, run.job]);
        }
      } finally {
        lock.release();
      }
    }
    return fixed;
  }
}
