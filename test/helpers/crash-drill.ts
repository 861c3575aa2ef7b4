import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import type pg from 'pg';
import { until } from './server-process';

/**
 * Shared by the crash drills (crash-drills.test.ts, crash-drills-jobs.test.ts): a job held inside
 * PostgreSQL so that a kill -9 lands at a known point, and the queries that check the outcome.
 */

const GATE_KEY = 73_901;

export const RUN_JOB = `mutation($job: JobName!) { runJob(job: $job) { jobRun { id job status itemsProcessed error instance } errors { code message } } }`;
export type RunJob = { runJob: { jobRun: { id: string; job: string; status: string; itemsProcessed: number; error: string | null; instance: string } | null; errors: { code: string }[] } };

export async function count(sql: pg.Client, query: string, params: unknown[] = []): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(query, params);
  return Number(rows[0].n);
}

/** Waits until no other session is connected to the test database (a killed process's sessions have ended, its advisory locks are free). */
export async function sessionsGone(sql: pg.Client): Promise<void> {
  await until(
    "the killed process's database sessions end",
    async () => (await count(sql, `select count(*) as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`)) === 0,
    20_000,
  );
}

export type Gate = Awaited<ReturnType<typeof holdInside>>;

/**
 * Makes the job wait inside the database: once `counted` (by default the number of rows of `table`)
 * is more than `after`, the statement inserting into `table` waits (in its transaction) on an
 * advisory lock the test holds. `release()` lets it go.
 */
export async function holdInside(sql: pg.Client, table: string, after: number, counted = `select count(*) from ${table}`) {
  await sql.query(`create or replace function crash_drill_gate() returns trigger language plpgsql as $$
    begin
      if (${counted}) > ${after} then perform pg_advisory_xact_lock_shared(${GATE_KEY}); end if;
      return null;
    end $$`);
  await sql.query(`create trigger crash_drill_gate after insert on ${table} for each statement execute function crash_drill_gate()`);
  await sql.query('select pg_advisory_lock($1)', [GATE_KEY]);
  return {
    /** A batch is waiting at the gate (its transaction open, its rows not committed). */
    waiting: async () =>
      (await count(sql, `select count(*) as n from pg_locks where locktype = 'advisory' and objid = $1 and not granted and database = (select oid from pg_database where datname = current_database())`, [GATE_KEY])) > 0,
    /**
     * After the kill: lets the held statement finish (its client is gone, so its transaction can only
     * roll back), waits for the dead process's sessions to end, and removes the trigger.
     */
    async release() {
      await sql.query('select pg_advisory_unlock($1)', [GATE_KEY]);
      await sessionsGone(sql);
      await sql.query(`drop trigger crash_drill_gate on ${table}`);
      await sql.query('drop function crash_drill_gate()');
    },
  };
}

export interface JobRunRow {
  job: string;
  trigger: string;
  tick: Date | null;
  status: string;
  error: string | null;
  items_processed: number;
  instance: string;
}

export const jobRuns = async (sql: pg.Client, job: string) =>
  (await sql.query<JobRunRow>(`select job, trigger, tick, status, error, items_processed, instance from job_run where job = $1 order by started_at, id`, [job])).rows;

/**
 * A provider as the killed server sees it: an HTTP stand-in in the test process, in front of the real
 * simulator (which outlives the server). A subclass's `handle` forwards calls, or holds an answer back
 * (`hold`) as if the process died before reading it; `T` is what a hold reports (`onHeld`).
 */
export abstract class HoldingStandIn<T> {
  url = '';
  private server: Server | undefined;
  private held: ServerResponse[] = [];
  protected onHeld: ((what: T) => void) | undefined;

  /** Listens on a free loopback port; `path` is appended to `url`. */
  async start(path = ''): Promise<void> {
    this.server = createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Drops held connections (the server that made them is dead). */
  dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held = [];
  }

  async stop(): Promise<void> {
    this.dropHeld();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps the call's response open, unanswered, and reports it. */
  protected hold(res: ServerResponse, what: T): void {
    this.held.push(res);
    this.onHeld?.(what);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void>;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
  }
}

/**
 * A session for rows seeded in SQL. Each option is an SQL expression; by default the exam period is
 * the two weeks before the certificate deadline.
 */
export async function insertSession(
  sql: pg.Client,
  deadline: string,
  opts: { periodStart?: string; periodEnd?: string; capacity?: number } = {},
): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
       daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
       certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
     values (gen_random_uuid(), 'Introduction à la cartographie des processus métiers', '26001S03', 'Université Jean Moulin Lyon 3', '2017-01-09', 6000, 'EUR',
       ${opts.periodStart ?? `(${deadline})::date - 14`}, ${opts.periodEnd ?? `(${deadline})::date - 1`}, '15:00', '21:00', '{WEDNESDAY}', 'Europe/Paris', 30, 15, 72,
       ${opts.capacity ?? 1000}, ${deadline}, 42, 60, now(), 'test:crash-drill')
     returning id`,
  );
  return rows[0].id;
}

/** A paid, ACTIVE registration (name locked) in `sessionId` for each learner `<tag>-*`. */
export async function register(sql: pg.Client, tag: string, sessionId: string): Promise<void> {
  await sql.query(
    `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                               locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
     select gen_random_uuid(), $1, l.id, 'ACTIVE', now(), '2017-01', now(), l.given_name, l.family_name, now(), now(), now(), 'test:crash-drill'
     from learner l where l.external_id like $2 || '-%'`,
    [sessionId, tag],
  );
}
