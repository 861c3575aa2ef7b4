import 'reflect-metadata';
import { openBenchDatabase } from './bench-db';
import { systemViewer } from '../src/auth/viewer';
import { TestClock } from '../src/clock';
import { type ServiceContext } from '../src/context';
import { type Orm } from '../src/db/orm';
import { createLogger } from '../src/logging';
import { ResultService } from '../src/services/result.service';

/**
 * COMPUTE_RESULTS (R-RES-1) over 100 000 ended attempts, bulk-inserted with SQL (random parts:
 * ~70 % finally checked, the rest drafts or untouched; ~60 % of answers right), against the least the
 * database can do for the same scores: ONE `create table ... as select` that grades every attempt in
 * SQL (jsonb answers against the jsonb answer key). Ours also writes one audit event per result and
 * runs in batches of 500 per transaction. The two are checked to give the same scores.
 * Unit: attempts graded per second; ratio = ours / baseline (higher is better).
 *
 * Memory: the run is first measured at 10 000 attempts, then at 100 000 (results deleted between);
 * the peak RSS sampled during each run is printed: batching keeps it flat.
 *
 * Runs with `npm run bench` (bench/run.ts) or alone: `node dist/bench/compute-results.bench.js`.
 */
export const name = `COMPUTE_RESULTS, ${process.env.BENCH_QUICK === '1' ? '10 000' : '100 000'} ended attempts`;

// --quick (BENCH_QUICK=1): a tenth of the sizes.
const SMALL = process.env.BENCH_QUICK === '1' ? 1_000 : 10_000;
const LARGE = process.env.BENCH_QUICK === '1' ? 10_000 : 100_000;

/** Adds `count` SUBMITTED attempts (with their learners, paid registrations and COMPLETED appointments). */
async function insertAttempts(orm: Orm, sessionId: string, from: number, count: number): Promise<void> {
  const conn = orm.em.getConnection();
  const range = `generate_series(${from + 1}, ${from + count})`;
  await conn.execute(
    `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
     select gen_random_uuid(), 'bench-' || i, 'bench' || i || '@example.org', 'bench' || i, 'Camille', 'Bench' || i, now(), now() from ${range} i`,
  );
  await conn.execute(
    `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                               locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
     select gen_random_uuid(), ?, l.id, 'ACTIVE', now(), '2017-01', now(), l.given_name, l.family_name, now(), now(), now(), 'bench'
     from learner l where l.external_id like 'bench-%' and not exists (select 1 from registration r where r.learner_id = l.id)`,
    [sessionId],
  );
  // COMPLETED appointments do not count against slot capacity (only BOOKED ones do).
  await conn.execute(
    `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
     select gen_random_uuid(), r.id, r.session_id, '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', 'COMPLETED', now(), 'bench'
     from registration r where not exists (select 1 from appointment a where a.registration_id = r.id)`,
  );
  await conn.execute(
    `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by,
                               started_at, deadline, submitted_at, parts)
     select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, '2017-03-02T13:50:00Z', 'bench',
            '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', '2017-03-02T14:25:00Z',
            (select jsonb_agg(jsonb_build_object(
                      'status', case when r.x < 0.7 then 'SUBMITTED' when r.x < 0.9 then 'DRAFT' else 'NOT_ANSWERED' end,
                      'answers', (select jsonb_agg(case when random() < 0.6 then c.answer_key -> p -> q else jsonb_build_array(floor(random() * 4)::int) end order by q)
                                  from generate_series(0, 9) q where a.id is not null),
                      'savedAt', null, 'submittedAt', null) order by p)
             from generate_series(0, 2) p, lateral (select random() as x where a.id is not null) r)
     from appointment a join exam_content c on c.session_id = a.session_id
     where not exists (select 1 from exam_attempt t where t.appointment_id = a.id)`,
  );
  await conn.execute('analyze');
}

/** Runs `fn`, sampling this process's RSS every 20 ms; returns seconds and the peak RSS in MB. */
async function measured(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRssMb: number; peakHeapMb: number }> {
  let peak = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    console.error(`  heap after the run and a full GC: ${Math.round(process.memoryUsage().heapUsed / 1024 / 1024)} MB`);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMb: Math.round(peak / 1024 / 1024), peakHeapMb: Math.round(heap / 1024 / 1024) };
}

const BASELINE = `create table baseline_result as
  select a.id as attempt_id, s.part_scores, s.total_score,
         round(s.total_score * 100.0 / 30, 2)::float8 as percent, s.total_score * 100 >= cs.pass_mark_percent * 30 as passed
  from exam_attempt a
  join exam_content c on c.session_id = a.session_id
  join certification_session cs on cs.id = a.session_id
  cross join lateral (
    select array_agg(ps order by p) as part_scores, sum(ps)::int as total_score from (
      select p, case when a.parts -> p ->> 'status' = 'SUBMITTED'
                     then (select count(*)::int from generate_series(0, 9) q where a.parts -> p -> 'answers' -> q = c.answer_key -> p -> q)
                     else 0 end as ps
      from generate_series(0, 2) p) t
  ) s
  where a.status = 'SUBMITTED'`;

export async function run(): Promise<{ ours: number; baseline: number; unit: string; target: number }> {
  const db = await openBenchDatabase();
  const { orm } = db;
  try {
    const conn = orm.em.getConnection();
    const [{ id: sessionId }] = await conn.execute<{ id: string }[]>(
      `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
         daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
         certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
       values (gen_random_uuid(), 'Introduction à la cartographie des processus métiers', '26001S03', 'Université Jean Moulin Lyon 3', '2017-01-09', 6000, 'EUR',
         '2017-03-01', '2017-03-14', '15:00', '21:00', '{WEDNESDAY}', 'Europe/Paris', 30, 15, 72, 4, '2017-03-14T23:30:00Z', 42, 60, now(), 'bench')
       returning id`,
    );
    const key = [0, 1, 2].map((p) => Array.from({ length: 10 }, (_, q) => (q % 3 === 0 ? [0, 2] : [(p + q) % 4])));
    const parts = [0, 1, 2].map((p) => ({ title: `Partie ${p + 1}`, questions: Array.from({ length: 10 }, (_, q) => ({ prompt: `Question ${q + 1}`, choices: ['A', 'B', 'C', 'D'] })) }));
    await conn.execute(`insert into exam_content (session_id, parts, answer_key, proctor_password_hash, updated_at, updated_by) values (?, ?, ?, '$argon2id$bench', now(), 'bench')`, [
      sessionId,
      JSON.stringify(parts),
      JSON.stringify(key),
    ]);

    const clock = new TestClock(new Date('2017-03-03T12:00:00Z'));
    const { config } = db;
    const log = createLogger('silent', () => undefined);
    const ctx = (): ServiceContext => ({ em: orm.em.fork(), viewer: systemViewer('job:COMPUTE_RESULTS'), clock, config, requestId: 'bench', log });
    const service = new ResultService();
    const count = async (sql: string) => Number((await conn.execute<{ n: string }[]>(sql))[0].n);

    await insertAttempts(orm, sessionId, 0, SMALL);
    const small = await measured(() => service.computeAll(ctx()));
    if ((await count('select count(*) as n from exam_result')) !== SMALL) throw new Error(`${SMALL}: not every attempt was graded`);
    await conn.execute('delete from exam_result');
    await conn.execute('update exam_attempt set graded_at = null');

    await insertAttempts(orm, sessionId, SMALL, LARGE - SMALL);
    const large = await measured(() => service.computeAll(ctx()));
    if ((await count('select count(*) as n from exam_result')) !== LARGE) throw new Error(`${LARGE}: not every attempt was graded`);
    const again = await service.computeAll(ctx());
    if (again !== 0) throw new Error(`a second run processed ${again} items (not idempotent)`);

    const baseline = await measured(() => conn.execute(BASELINE));
    const mismatches = await count(
      `select count(*) as n from baseline_result b full join exam_result r using (attempt_id)
        where r.id is null or b.attempt_id is null or r.part_scores <> b.part_scores or r.total_score <> b.total_score or r.percent <> b.percent or r.passed <> b.passed`,
    );
    if (mismatches !== 0) throw new Error(`${mismatches} results differ from the SQL baseline`);

    console.error(
      `compute-results: ${SMALL} attempts in ${small.seconds.toFixed(2)} s, peak RSS ${small.peakRssMb} MB (heap ${small.peakHeapMb} MB); ` +
        `${LARGE} attempts in ${large.seconds.toFixed(2)} s, peak RSS ${large.peakRssMb} MB (heap ${large.peakHeapMb} MB); ` +
        `SQL baseline (${LARGE}) ${baseline.seconds.toFixed(2)} s; scores identical`,
    );
    return { ours: LARGE / large.seconds, baseline: LARGE / baseline.seconds, unit: 'attempts/s', target: 0.2 };
  } finally {
    await db.close();
  }
}

// Alone: node dist/bench/compute-results.bench.js
if (require.main === module) {
  run()
    .then((m) => console.log(JSON.stringify({ name, ...m, ratio: Math.round((m.ours / m.baseline) * 1000) / 1000 })))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
