import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openBenchDatabase } from './bench-db';
import { systemViewer } from '../src/auth/viewer';
import { TestClock } from '../src/clock';
import { createLogger } from '../src/logging';
import { forEachLimited, purgeExpiredEvidence } from '../src/services/evidence-purge';
import { FsObjectStore, SealedStore } from '../src/storage';

/**
 * PURGE_EVIDENCE (R-EVI-4) over 100 000 expired evidence objects on the filesystem store: rows (with
 * their attempts, registrations, learners and object keys) bulk-inserted in SQL, one small file per object
 * written at the FsObjectStore's own path for its key. Measured: the real purge use case (batches of 200,
 * each one transaction: lock, unlink the files, shred the keys, mark PURGED, tombstones, audit events),
 * against the baseline, the least that can be done: the same number of same-size files deleted with a
 * plain loop of `fs.unlink`. Unit: objects destroyed per second; ratio = ours / baseline.
 *
 * `--quick` (or BENCH_QUICK=1): 5 000 objects. Alone: `node dist/bench/evidence-purge.bench.js [--quick]`.
 */
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const N = QUICK ? 5_000 : 100_000;
const FILE_BYTES = 512;
export const name = `PURGE_EVIDENCE, ${N.toLocaleString('en').replace(/,/g, ' ')} expired objects (fs store)`;

async function writeFiles(paths: readonly string[]): Promise<void> {
  const body = randomBytes(FILE_BYTES);
  for (const d of new Set(paths.map((p) => dirname(p)))) await fsp.mkdir(d, { recursive: true });
  await forEachLimited(paths, 32, (p) => fsp.writeFile(p, body));
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += 1;
  return n;
}

export async function run(): Promise<{ ours: number; baseline: number; unit: string; target: number }> {
  const db = await openBenchDatabase();
  const storeDir = mkdtempSync(join(tmpdir(), 'cbo-bench-purge-'));
  const plainDir = mkdtempSync(join(tmpdir(), 'cbo-bench-unlink-'));
  try {
    const conn = db.orm.em.getConnection();
    const [{ id: sessionId }] = await conn.execute<{ id: string }[]>(
      `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
         daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
         certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
       values (gen_random_uuid(), 'Introduction à la cartographie des processus métiers', '26001S03', 'Université Jean Moulin Lyon 3', '2017-01-09', 6000, 'EUR',
         '2017-03-01', '2017-03-14', '15:00', '21:00', '{WEDNESDAY}', 'Europe/Paris', 30, 15, 72, 4, '2017-03-14T23:30:00Z', 42, 60, now(), 'bench')
       returning id`,
    );
    const attempts = Math.ceil(N / 3);
    await conn.execute(
      `with l as (
         insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
         select gen_random_uuid(), 'bench-' || i, 'bench' || i || '@example.org', 'bench' || i, 'Camille', 'Bench' || i, now(), now()
         from generate_series(1, ?) i returning id, given_name, family_name
       ), r as (
         insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                                   locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
         select gen_random_uuid(), ?, l.id, 'ACTIVE', now(), '2017-01', now(), l.given_name, l.family_name, now(), now(), now(), 'bench' from l
         returning id, session_id
       ), a as (
         insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
         select gen_random_uuid(), r.id, r.session_id, '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', 'COMPLETED', now(), 'bench' from r
         returning id, registration_id, session_id
       )
       insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by,
                                 started_at, deadline, submitted_at, parts)
       select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, '2017-03-02T13:55:00Z', 'bench',
              '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', '2017-03-02T14:25:00Z',
              (select jsonb_agg(jsonb_build_object('status', 'NOT_ANSWERED', 'answers', null, 'savedAt', null, 'submittedAt', null)) from generate_series(1, 3))
       from a`,
      [attempts, sessionId],
    );
    const keys = await conn.execute<{ storage_key: string }[]>(
      `with e as (
         insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until,
                               received_at, received_by, storage_key)
         select gen_random_uuid(), a.id, a.registration_id, a.session_id, k.kind, 'application/octet-stream', ?, md5(a.id::text) || md5(k.kind),
                '2017-03-02T14:00:00Z', '2017-04-13T14:00:00Z'::timestamptz + (random() * interval '10 days'), '2017-03-02T14:40:00Z', 'bench',
                'evi-' || gen_random_uuid()
         from exam_attempt a cross join (values ('VIDEO'), ('ID_DOCUMENT'), ('FACE_PHOTO')) k(kind)
         order by a.id, k.kind limit ?
         returning storage_key
       ), k as (
         insert into object_key (storage_key, data_key) select storage_key, decode(md5(storage_key) || md5(storage_key || 'x'), 'hex') from e
       )
       select storage_key from e`,
      [FILE_BYTES, N],
    );
    await conn.execute('analyze');
    const store = new FsObjectStore(storeDir);
    const plain = new FsObjectStore(plainDir);
    await writeFiles(keys.map((k) => store.path(k.storage_key)));
    const plainPaths = keys.map((k) => plain.path(`bench-${k.storage_key}`));
    await writeFiles(plainPaths);

    const clock = new TestClock(new Date('2017-05-01T00:00:00Z'));
    const ctx = { em: db.orm.em.fork(), viewer: systemViewer('job:PURGE_EVIDENCE'), clock, config: db.config, requestId: 'bench', log: createLogger('silent', () => undefined) };
    let started = process.hrtime.bigint();
    const report = await purgeExpiredEvidence(ctx, new SealedStore(store), { runId: null });
    const oursSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    started = process.hrtime.bigint();
    for (const p of plainPaths) await fsp.unlink(p);
    const baselineSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const count = async (sql: string) => Number((await conn.execute<{ n: string }[]>(sql))[0].n);
    if (report.purged !== N || report.missing !== 0) throw new Error(`purged ${report.purged} (missing ${report.missing}) of ${N}`);
    if ((await count(`select count(*) as n from evidence where status = 'PURGED'`)) !== N) throw new Error('not every row is PURGED');
    if ((await count('select count(*) as n from evidence_tombstone')) !== N) throw new Error('not one tombstone per object');
    if ((await count('select count(*) as n from object_key')) !== 0) throw new Error('keys left');
    const left = (await countFiles(storeDir)) + (await countFiles(plainDir));
    if (left !== 0) throw new Error(`${left} files left on disk`);
    console.error(`evidence-purge: ${N} objects purged in ${oursSeconds.toFixed(2)} s (${report.batches} batches); plain unlink loop ${baselineSeconds.toFixed(2)} s`);
    return { ours: N / oursSeconds, baseline: N / baselineSeconds, unit: 'objects/s', target: 0.5 };
  } finally {
    await db.close();
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(plainDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run()
    .then((m) => console.log(JSON.stringify({ name, ...m, ratio: Math.round((m.ours / m.baseline) * 1000) / 1000 })))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
