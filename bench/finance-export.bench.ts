import 'reflect-metadata';
import { openBenchDatabase } from './bench-db';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { csvStream, ExportRun, REPORTS } from '../src/services/finance-export';
import { type FinancePeriod, parsePeriod, paymentsExportSql } from '../src/services/finance.service';

/**
 * Payments CSV export (issue 8) of N payments against PostgreSQL's own
 * `COPY (SELECT <the same columns and joins>) TO STDOUT WITH CSV` (the ceiling: no cursor round trips,
 * no formatting in JavaScript). Both are drained into a byte-counting sink in this process. N is
 * `FINANCE_BENCH_ROWS` (default 100 000; `FINANCE_BENCH_ROWS=1000000 npm run bench -- finance` for the
 * issue's million), spread evenly over 2017; the export runs twice: over a tenth of the year (~N/10
 * rows) and over the whole year (N rows), and the peak RSS above the starting RSS of each run is
 * printed: it must not grow with the row count. Unit: rows per second; ratio = ours / COPY.
 */
export const name = 'finance payments CSV export vs COPY TO STDOUT';

const ROWS = Number(process.env.FINANCE_BENCH_ROWS ?? 100_000);

function sink(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

/** Runs `fn`, sampling RSS every 10 ms: seconds and peak RSS above the RSS at the start (MB). */
async function measured(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRssMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRssMb: (peak - start) / 1024 / 1024 };
}

async function ourExport(pool: pg.Pool, period: FinancePeriod): Promise<number> {
  let rows = 0;
  const run = await ExportRun.open(pool, REPORTS.payments, period, async (f) => {
    rows = f.rows;
  });
  await pipeline(csvStream(run), sink());
  return rows;
}

/** The same query with its parameters inlined (COPY takes no bind parameters). */
function copySql(period: FinancePeriod): string {
  const q = paymentsExportSql(period);
  let i = 0;
  return q.sql.replace(/\?/g, () => {
    const v = q.params[i++];
    return `'${v instanceof Date ? v.toISOString() : String(v)}'`;
  });
}

async function copyExport(pool: pg.Pool, period: FinancePeriod): Promise<void> {
  const client = await pool.connect();
  try {
    const stream: Readable = client.query(copyTo(`copy (${copySql(period)}) to stdout with (format csv, header true, delimiter ';')`));
    await pipeline(stream, sink());
  } finally {
    client.release();
  }
}

export async function run(): Promise<{ ours: number; baseline: number; unit: string; target: number }> {
  const db = await openBenchDatabase();
  const { orm, url } = db;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    const conn = orm.em.getConnection();
    const [{ id: sessionId }] = await conn.execute<{ id: string }[]>(
      `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start,
         exam_period_end, daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours,
         slot_capacity, certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
       values (gen_random_uuid(), 'Bench', '26001S03', 'Lyon 3', '2017-01-09', 6000, 'EUR', '2017-03-01', '2017-03-14', '15:00', '21:00', '{}',
         'Europe/Paris', 30, 15, 72, 40, '2017-03-14T23:30:00Z', 42, 60, now(), 'bench') returning id`,
    );
    await conn.execute(
      `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
       select gen_random_uuid(), 'bench-' || i, 'bench' || i || '@example.org', 'bench' || i, 'Camille', 'Bench; "' || i || '"', now(), now()
       from generate_series(1, ${ROWS}) i`,
    );
    await conn.execute(
      `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
         locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       select gen_random_uuid(), ?, id, 'ACTIVE', now(), '2017-01', now(), given_name, family_name, now(), now(), now(), 'bench' from learner`,
      [sessionId],
    );
    // Spread evenly over 2017 (Paris): paid_at = 2016-12-31T23:00Z + i × (one year / N).
    await conn.execute(
      `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, e_carte_bleue, num_appel, num_trans,
         authorization_number, paid_at, status, refunded_cents, source, recorded_at, recorded_by)
       select gen_random_uuid(), r.id, 6000, 'EUR', (array['VISA','MASTERCARD','CB','AMEX'])[1 + r.rn % 4], '0519', r.rn % 50 = 0,
         (1000000000 + r.rn)::text, (2000000000 + r.rn)::text, 'XXXXXX',
         timestamptz '2016-12-31T23:00:00Z' + (r.rn * (interval '365 days' / ${ROWS})), 'PAID', 0, 'API', now(), 'bench'
       from (select id, row_number() over (order by id) - 1 as rn from registration) r`,
    );
    await conn.execute('vacuum analyze');

    const year = parsePeriod({ from: '2017-01-01', to: '2017-12-31' });
    const tenth = parsePeriod({ from: '2017-01-01', to: '2017-02-06' });
    const small = await measured(() => ourExport(pool, tenth));
    let rows = 0;
    const large = await measured(async () => (rows = await ourExport(pool, year)));
    if (rows !== ROWS) throw new Error(`expected ${ROWS} exported rows, got ${rows}`);
    const copy = await measured(() => copyExport(pool, year));
    console.error(
      `  finance export: ${ROWS} rows in ${large.seconds.toFixed(2)} s (COPY ${copy.seconds.toFixed(2)} s); ` +
        `peak RSS above start: ${small.peakRssMb.toFixed(1)} MB for ~${Math.round(ROWS / 10)} rows, ${large.peakRssMb.toFixed(1)} MB for ${ROWS} rows`,
    );
    return { ours: ROWS / large.seconds, baseline: ROWS / copy.seconds, unit: 'rows/s', target: 0.25 };
  } finally {
    await pool.end();
    await db.close();
  }
}
