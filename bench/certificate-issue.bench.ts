import 'reflect-metadata';
import { TokenSigner } from '../src/auth/tokens';
import { systemViewer } from '../src/auth/viewer';
import { TestClock } from '../src/clock';
import { type JobContext } from '../src/jobs/job';
import { createLogger } from '../src/logging';
import { newVerificationCode, sessionLabel } from '../src/domain/certificate';
import { renderCertificatePdf } from '../src/reports/certificate.pdf';
import { CertificateService } from '../src/services/certificate.service';
import { createObjectStore, SealedStore } from '../src/storage';
import { openBenchDatabase } from './bench-db';

/**
 * ISSUE_CERTIFICATES (R-CER-2) over 10 000 published passed results (50 with --quick), bulk-inserted
 * with SQL, against the ceiling: pdfkit rendering the same document in a bare loop (no database, no
 * encryption, no storage; 2 000 renders, half before and half after the job). Ours renders each PDF, encrypts and stores it (filesystem
 * store), and inserts certificates, object keys and audit events in batches of 100 per transaction.
 * Unit: certificates per second; ratio = ours / bare rendering (higher is better, 1 is the ceiling).
 * The peak RSS sampled during the job is printed: batching keeps it flat.
 *
 * Runs with `npm run bench` (bench/run.ts) or alone: `node dist/bench/certificate-issue.bench.js`;
 * `CERT_BENCH_N=2000` sets another count.
 */
const N = Number(process.env.CERT_BENCH_N) || (process.env.BENCH_QUICK === '1' ? 50 : 10_000);
export const name = `ISSUE_CERTIFICATES, ${N.toLocaleString('en').replace(/,/g, ' ')} certificates`;

async function sampled(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) };
}

export async function run() {
  const db = await openBenchDatabase();
  const { orm, config } = db;
  try {
    const conn = orm.em.getConnection();
    const [session] = await conn.execute<{ id: string; course_title: string; course_code: string; university: string }[]>(
      `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
         daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
         certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
       values (gen_random_uuid(), 'Introduction à la cartographie des processus métiers', '26001S03', 'Université Jean Moulin Lyon 3', '2017-01-09', 6000, 'EUR',
         '2017-03-01', '2017-03-14', '15:00', '21:00', '{WEDNESDAY}', 'Europe/Paris', 30, 15, 72, 4, '2017-03-14T23:30:00Z', 42, 60, now(), 'bench')
       returning id, course_title, course_code, university`,
    );
    const range = `generate_series(1, ${N}) i`;
    await conn.execute(
      `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
       select gen_random_uuid(), 'bench-' || i, 'bench' || i || '@example.org', 'bench' || i, 'Éloïse', 'Dupont-Müller ' || i, now(), now() from ${range}`,
    );
    await conn.execute(
      `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                                 locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       select gen_random_uuid(), ?, l.id, 'ACTIVE', now(), '2017-01', now(), l.given_name, l.family_name, now(), now(), now(), 'bench' from learner l`,
      [session.id],
    );
    await conn.execute(
      `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), r.id, r.session_id, '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', 'COMPLETED', now(), 'bench' from registration r`,
    );
    const parts = JSON.stringify([0, 1, 2].map(() => ({ status: 'SUBMITTED', answers: [], savedAt: null, submittedAt: null })));
    await conn.execute(
      `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by,
                                 started_at, deadline, submitted_at, parts, graded_at)
       select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, '2017-03-02T13:50:00Z', 'bench',
              '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', '2017-03-02T14:25:00Z', ?::jsonb, '2017-03-02T14:30:00Z' from appointment a`,
      [parts],
    );
    await conn.execute(
      `insert into exam_result (id, attempt_id, part_scores, total_score, max_score, percent, passed, status, computed_at, published_at)
       select gen_random_uuid(), t.id, '{9,9,9}', 27, 30, 90, true, 'PUBLISHED', '2017-03-02T14:35:00Z', '2017-03-02T14:35:00Z' from exam_attempt t`,
    );
    await conn.execute('analyze');

    const clock = new TestClock(new Date('2017-03-03T02:00:00Z'));
    const objects = new SealedStore(createObjectStore(config));
    const certificates = new CertificateService(new TokenSigner(config.tokenSecret), config, objects);
    const ctx = {
      em: orm.em.fork(),
      viewer: systemViewer('job:ISSUE_CERTIFICATES'),
      clock,
      config,
      requestId: 'bench',
      log: createLogger('silent', () => undefined),
    } as unknown as JobContext;

    // The ceiling: the same document rendered in a bare loop, half before and half after the job so a
    // change in machine load weighs on both sides; at most 2 000 renders (a steady rate, half the wait).
    const half = Math.min(N, 2_000) / 2;
    const bareLoop = (from: number) =>
      sampled(async () => {
        for (let i = from; i < from + half; i++) {
          const code = newVerificationCode();
          await renderCertificatePdf({
            holderName: `Éloïse Dupont-Müller ${i + 1}`,
            courseTitle: session.course_title,
            courseCode: session.course_code,
            university: session.university,
            sessionLabel: sessionLabel('2017-03-01'),
            issuedAt: clock.now(),
            verificationCode: code,
            verificationUrl: `${config.publicUrl}/verify/${code}`,
          });
        }
      });
    // Warm-up (not timed): the first renders compile pdfkit's and fontkit's code paths and parse the fonts.
    for (let i = 0; i < 5; i++) {
      await renderCertificatePdf({
        holderName: 'Éloïse Dupont-Müller',
        courseTitle: session.course_title,
        courseCode: session.course_code,
        university: session.university,
        sessionLabel: sessionLabel('2017-03-01'),
        issuedAt: clock.now(),
        verificationCode: 'WARMUP',
        verificationUrl: `${config.publicUrl}/verify/WARMUP`,
      });
    }
    const bareBefore = await bareLoop(0);
    const ours = await sampled(async () => {
      const report = await certificates.issuePending(ctx);
      if (report.issued !== N) throw new Error(`issued ${report.issued} of ${N}`);
    });
    const bareAfter = await bareLoop(half);
    const bare = { seconds: bareBefore.seconds + bareAfter.seconds, peakRssMb: Math.max(bareBefore.peakRssMb, bareAfter.peakRssMb) };
    const again = await certificates.issuePending(ctx);
    if (again.issued !== 0) throw new Error(`a second run issued ${again.issued} (not idempotent)`);
    const [check] = await conn.execute<{ n: string; keys: string }[]>(`select count(*) as n, count(k.storage_key) as keys from certificate c left join object_key k using (storage_key)`);
    if (Number(check.n) !== N || Number(check.keys) !== N) throw new Error(`expected ${N} certificates with keys, found ${check.n} / ${check.keys}`);

    console.error(
      `certificate-issue: ${N} issued in ${ours.seconds.toFixed(1)} s (peak RSS ${ours.peakRssMb} MB); ` +
        `bare pdfkit loop ${2 * half} renders in ${bare.seconds.toFixed(1)} s (peak RSS ${bare.peakRssMb} MB); second run issued 0`,
    );
    return { ours: N / ours.seconds, baseline: (2 * half) / bare.seconds, unit: 'certificates/s', target: 0.7, peakRssMb: ours.peakRssMb };
  } finally {
    await db.close();
  }
}

// Alone: node dist/bench/certificate-issue.bench.js
if (require.main === module) {
  run()
    .then((m) => console.log(JSON.stringify({ name, ...m, ratio: Math.round((m.ours / m.baseline) * 1000) / 1000 })))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
