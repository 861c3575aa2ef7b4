import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * A realistic population, in bulk (never through the API): learners by COPY (names from JS), every other
 * table by set-based `insert … select` over `generate_series`, with ids derived from the row number
 * (`md5('r' || i)::uuid` is registration i) so tables join without lookups. For registration i, with
 * k = i % 100:
 *
 * | k | registration | payment | refund | appointment / attempt / result / evidence / certificate |
 * |---|---|---|---|---|
 * | 0–9 | IN_PROGRESS at each step (nothing, requirements, terms, name locked) | — | — | — |
 * | 10–14 | CANCELLED (paid) | PAID; REFUNDED for 10–11 | SUCCEEDED for 10–11 | — |
 * | 15–17 | ACTIVE, dun-exempt | — | — | — |
 * | 18–19 | ACTIVE, paid | PAID | SUBMITTED (needs action) | — |
 * | 20 | ACTIVE, paid | PAID | REJECTED | as below |
 * | 21–99 | ACTIVE, paid | PAID | — | one appointment in the session's 14-day period (14:00–20:00 UTC, 30-minute slots): BOOKED if in the future, else MISSED (k % 10 = 3) or COMPLETED with a SUBMITTED attempt, a result (published, or pending while a fraud review is open), 3 evidence rows (purged once past retention unless under review) and a certificate when passed |
 *
 * Fraud cases: two attempts in 250 (OPEN, UNDER_REVIEW, CLEARED, FRAUD_CONFIRMED in turn; a confirmed
 * fraud voids the result). Sessions: one per 2 000 registrations (at least 4), exam periods spread over the
 * 52 weeks from 26 weeks before `now` (session s starts (29 s mod 52) weeks after that). Family names: 50 common French ones (so `dupont` matches 2 %).
 */
export interface GenerateOptions {
  registrations: number;
  /** The instant that splits past (completed) from future (booked) appointments. */
  now: Date;
  log?: (message: string) => void;
}

export interface GeneratedCounts {
  sessions: number;
  learners: number;
  registrations: number;
  payments: number;
  refundRequests: number;
  appointments: number;
  attempts: number;
  results: number;
  evidence: number;
  certificates: number;
  fraudCases: number;
}

export const REGISTRATIONS_PER_SESSION = 2000;

const GIVEN = ['Camille', 'Léa', 'Manon', 'Chloé', 'Inès', 'Sarah', 'Jade', 'Louise', 'Emma', 'Alice', 'Lucas', 'Hugo', 'Louis', 'Nathan', 'Gabriel', 'Jules', 'Adam', 'Arthur', 'Raphaël', 'Théo', 'Nicolas', 'Julien', 'Maxime', 'Thomas', 'Antoine', 'Claire', 'Julie', 'Marie', 'Anne', 'Sophie'];
const FAMILY = ['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefèvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson'];

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Learner i's names: also used by benchmarks that need to know what a search should find. */
export function learnerName(i: number): { givenName: string; familyName: string } {
  return { givenName: GIVEN[i % GIVEN.length], familyName: FAMILY[(i * 7) % FAMILY.length] };
}

function* learnerRows(count: number, createdAt: string): Generator<string> {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const { givenName, familyName } = learnerName(i);
    const username = `${ascii(givenName)}.${ascii(familyName)}${i}`;
    lines.push(`${i}\tgen-${i}\t${username}@example.org\t${username}\t${givenName}\t${familyName}\t${createdAt}\n`);
    if (lines.length === 5000) {
      yield lines.join('');
      lines.length = 0;
    }
  }
  if (lines.length) yield lines.join('');
}

const STEPS: [string, string][] = [
  ['sessions', `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
      daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
      certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
    select md5('s' || s)::uuid, 'Cours ' || s, 'GEN' || lpad(s::text, 5, '0'), 'Université ' || (s % 12), p.start - 60, 6000, 'EUR', p.start, p.start + 13,
      '15:00', '21:00', '{}', 'Europe/Paris', 30, 30, 72, 40, (p.start + 28)::timestamptz, 42, 60, $1::timestamptz - interval '400 days', 'generator'
    from generate_series(0, $3 - 1) s, lateral (select (date_trunc('day', $1::timestamptz) - interval '182 days' + ((s * 29) % 52) * interval '7 days')::date as start) p`],
  ['exam contents', `insert into exam_content (session_id, parts, answer_key, proctor_password_hash, updated_at, updated_by)
    select id, (select jsonb_agg(jsonb_build_object('title', 'Partie ' || p, 'questions', (select jsonb_agg(jsonb_build_object('prompt', 'Question ' || q, 'choices', '["A","B","C","D"]'::jsonb)) from generate_series(1, 10) q))) from generate_series(1, 3) p),
      (select jsonb_agg((select jsonb_agg(jsonb_build_array((p + q) % 4)) from generate_series(1, 10) q)) from generate_series(1, 3) p),
      '$argon2id$generated', $1, 'generator'
    from certification_session where created_by = 'generator'`],
  ['registrations', `insert into registration (id, session_id, learner_id, status, dun_exempt, requirements_acknowledged_at, terms_version, terms_accepted_at,
      locked_given_name, locked_family_name, name_locked_at, paid_at, cancelled_at, cancellation_reason, created_at, created_by)
    select md5('r' || i)::uuid, md5('s' || (i % $3))::uuid, l.id,
      case when k < 10 then 'IN_PROGRESS' when k < 15 then 'CANCELLED' else 'ACTIVE' end, k between 15 and 17,
      case when k >= 3 then c end, case when k >= 6 then '2026-01' end, case when k >= 6 then c + interval '1 minute' end,
      case when k >= 8 then l.given_name end, case when k >= 8 then l.family_name end, case when k >= 8 then c + interval '2 minutes' end,
      case when k >= 10 and k not between 15 and 17 then c + interval '1 hour' end,
      case when k between 10 and 14 then c + interval '3 days' end, case when k between 10 and 14 then 'WITHDRAWAL' end,
      c, 'generator'
    from generate_series(1, $2) i
    join learner l on l.id = md5('l' || i)::uuid
    cross join lateral (select i % 100 as k, (date_trunc('day', $1::timestamptz) - interval '212 days' + (((i % $3) * 29) % 52) * interval '7 days' + (i % 20) * interval '1 day') as c) x`],
  ['payments', `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, e_carte_bleue, num_appel, num_trans, authorization_number,
      paid_at, status, refunded_cents, source, recorded_at, recorded_by)
    select md5('p' || i)::uuid, r.id, 6000, 'EUR', (array['VISA','MASTERCARD','CB','AMEX'])[1 + i % 4], '12' || lpad(((i % 5) + 27)::text, 2, '0'), i % 9 = 0,
      'A' || i, 'T' || i, 'AUT' || i, r.paid_at, case when i % 100 < 12 then 'REFUNDED' else 'PAID' end, case when i % 100 < 12 then 6000 else 0 end,
      'IPN', r.paid_at, 'paybox'
    from generate_series(1, $2) i join registration r on r.id = md5('r' || i)::uuid where r.paid_at is not null`],
  ['refund requests', `insert into refund_request (id, registration_id, payment_id, reason, status, amount_cents, payment_ticket, learner_first_name, learner_last_name,
      username, email, requested_by, requested_at, decided_by, decided_at, decision_comment, provider_request_number, provider_reference, provider_response_code,
      completed_at, updated_at)
    select md5('f' || i)::uuid, r.id, p.id, 'WITHDRAWAL', st, 6000, p.num_trans, l.given_name, l.family_name, l.username, l.email,
      'learner:' || l.id, r.paid_at + interval '2 days',
      case when st <> 'SUBMITTED' then 'staff:payments' end, case when st <> 'SUBMITTED' then r.paid_at + interval '3 days' end,
      case when st = 'REJECTED' then 'Outside the withdrawal period' end,
      case when st = 'SUCCEEDED' then i::text end, case when st = 'SUCCEEDED' then 'REF' || i end, case when st = 'SUCCEEDED' then '00000' end,
      case when st = 'SUCCEEDED' then r.paid_at + interval '3 days' end, r.paid_at + interval '3 days'
    from generate_series(1, $2) i
    join registration r on r.id = md5('r' || i)::uuid join payment p on p.registration_id = r.id join learner l on l.id = r.learner_id
    cross join lateral (select case when i % 100 < 12 then 'SUCCEEDED' when i % 100 < 20 then 'SUBMITTED' else 'REJECTED' end as st) x
    where i % 100 between 10 and 11 or i % 100 between 18 and 20`],
  ['appointments', `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
    select md5('a' || i)::uuid, r.id, r.session_id, t.starts_at, t.starts_at + interval '30 minutes',
      case when t.starts_at >= $1 then 'BOOKED' when i % 10 = 3 then 'MISSED' else 'COMPLETED' end, r.paid_at + interval '1 hour', 'learner:' || r.learner_id
    from generate_series(1, $2) i join registration r on r.id = md5('r' || i)::uuid join certification_session s on s.id = r.session_id
    cross join lateral (select s.exam_period_start + ((i / $3) % 14) * interval '1 day' + interval '14 hours' + ((i / ($3 * 14)) % 12) * interval '30 minutes' as starts_at) t
    where i % 100 >= 20`],
  ['slot counters', `insert into slot (session_id, starts_at, booked) select session_id, starts_at, count(*) from appointment where status = 'BOOKED' and booked_by like 'learner:%' group by 1, 2
    on conflict (session_id, starts_at) do update set booked = slot.booked + excluded.booked`],
  ['attempts', `insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by, started_at, deadline, submitted_at, parts, graded_at)
    select md5('t' || i)::uuid, a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, a.starts_at - interval '5 minutes', 'proctor',
      a.starts_at, a.starts_at + interval '30 minutes', a.starts_at + interval '25 minutes',
      '[{"status":"SUBMITTED","answers":[],"savedAt":null,"submittedAt":null},{"status":"SUBMITTED","answers":[],"savedAt":null,"submittedAt":null},{"status":"SUBMITTED","answers":[],"savedAt":null,"submittedAt":null}]',
      a.starts_at + interval '1 hour'
    from generate_series(1, $2) i join appointment a on a.id = md5('a' || i)::uuid where a.status = 'COMPLETED'`],
  ['fraud cases', `insert into fraud_case (id, attempt_id, registration_id, session_id, status, source, summary, opened_by, opened_at, purge_deadline, reviewer, review_started_at,
      decided_by, decided_at, decision_reason)
    select md5('c' || i)::uuid, t.id, t.registration_id, t.session_id, st, 'PROCTOR_REPORT', 'Proctor report: second person in the room', 'integration:proctoru',
      t.submitted_at + interval '1 hour', t.submitted_at + interval '43 days',
      case when st <> 'OPEN' then 'staff:certification' end, case when st <> 'OPEN' then t.submitted_at + interval '1 day' end,
      case when st in ('CLEARED', 'FRAUD_CONFIRMED') then 'staff:certification' end, case when st in ('CLEARED', 'FRAUD_CONFIRMED') then t.submitted_at + interval '2 days' end,
      case when st in ('CLEARED', 'FRAUD_CONFIRMED') then 'Reviewed the recording' end
    from generate_series(1, $2) i join exam_attempt t on t.id = md5('t' || i)::uuid
    cross join lateral (select (array['OPEN','UNDER_REVIEW','CLEARED','FRAUD_CONFIRMED'])[1 + (i / 250) % 4] as st) x
    where i % 250 in (21, 22)`],
  ['results', `insert into exam_result (id, attempt_id, part_scores, total_score, max_score, percent, passed, status, computed_at, published_at, voided_at, void_reason)
    select md5('e' || i)::uuid, t.id, array[p1, p2, p3], p1 + p2 + p3, 30, round((p1 + p2 + p3) * 100.0 / 30, 2)::float8, (p1 + p2 + p3) >= 18,
      case when f.status in ('OPEN', 'UNDER_REVIEW') then 'PENDING' when f.status = 'FRAUD_CONFIRMED' then 'VOIDED' else 'PUBLISHED' end,
      t.graded_at, case when f.status is null or f.status not in ('OPEN', 'UNDER_REVIEW') then t.graded_at + interval '1 day' end,
      case when f.status = 'FRAUD_CONFIRMED' then f.decided_at end, case when f.status = 'FRAUD_CONFIRMED' then 'Fraud confirmed' end
    from generate_series(1, $2) i join exam_attempt t on t.id = md5('t' || i)::uuid
    left join fraud_case f on f.attempt_id = t.id
    cross join lateral (select 4 + (i * 7) % 7 as p1, 3 + (i * 3) % 8 as p2, 2 + (i * 5) % 9 as p3) x`],
  ['evidence', `insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until, received_at, received_by,
      status, storage_key, purged_at)
    select md5('v' || i || kind)::uuid, t.id, t.registration_id, t.session_id, kind, ct, sz, md5('v' || i || kind) || md5(kind || i), t.started_at, ru, t.submitted_at + interval '10 minutes', 'integration:proctoru',
      case when gone then 'PURGED' else 'RETAINED' end, case when not gone then 'gen/evidence/' || i || '/' || kind end, case when gone then ru + interval '1 hour' end
    from generate_series(1, $2) i join exam_attempt t on t.id = md5('t' || i)::uuid
    cross join (values ('VIDEO', 'video/webm', 180000000), ('ID_DOCUMENT', 'image/jpeg', 900000), ('FACE_PHOTO', 'image/jpeg', 300000)) k(kind, ct, sz)
    cross join lateral (select t.started_at + interval '42 days' as ru) r
    cross join lateral (select ru < $1 and not exists (select 1 from fraud_case f where f.attempt_id = t.id and f.status in ('OPEN', 'UNDER_REVIEW')) as gone) g`],
  ['certificates', `insert into certificate (id, registration_id, result_id, session_id, holder_name, course_title, university, issued_at, issued_by, verification_code,
      storage_key, sha256, size_bytes)
    select md5('z' || i)::uuid, r.id, e.id, r.session_id, r.locked_given_name || ' ' || r.locked_family_name, s.course_title, s.university,
      e.published_at + interval '1 hour', 'job:ISSUE_CERTIFICATES', upper(substr(md5('z' || i), 1, 12)), 'gen/certificate/' || i, md5('z' || i) || md5('y' || i), 48000
    from generate_series(1, $2) i join exam_result e on e.id = md5('e' || i)::uuid join registration r on r.id = md5('r' || i)::uuid
    join certification_session s on s.id = r.session_id
    where e.status = 'PUBLISHED' and e.passed`],
];

/**
 * Inserts the population into the (migrated) database at `url`. Slot counters are rebuilt in one
 * statement (the per-row trigger is off during the load), then the tables are analysed.
 */
export async function generatePopulation(url: string, opts: GenerateOptions): Promise<GeneratedCounts> {
  const n = opts.registrations;
  const sessions = Math.max(Math.min(4, n), Math.ceil(n / REGISTRATIONS_PER_SESSION));
  const log = opts.log ?? (() => undefined);
  const now = opts.now.toISOString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = Date.now();
    // Ids are derived server-side: COPY into a staging table, then one insert with md5('l' || i)::uuid.
    await client.query(`create temporary table gen_learner (i int, external_id text, email text, username text, given_name text, family_name text, created_at timestamptz)`);
    const createdAt = new Date(opts.now.getTime() - 400 * 86400_000).toISOString();
    await pipeline(Readable.from(learnerRows(n, createdAt)), client.query(copyFrom('copy gen_learner from stdin')));
    await client.query(`insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
      select md5('l' || i)::uuid, external_id, email, username, given_name, family_name, created_at, created_at from gen_learner`);
    await client.query('drop table gen_learner');
    log(`  learners: ${n} in ${Date.now() - started} ms`);
    await client.query('alter table appointment disable trigger appointment_slot_count');
    try {
      for (const [label, sql] of STEPS) {
        const t = Date.now();
        // $1 now, $2 registrations, $3 sessions: inlined (numbers and an ISO instant), so unused ones need no type.
        const r = await client.query(sql.replace(/\$1/g, `'${now}'::timestamptz`).replace(/\$2/g, String(n)).replace(/\$3/g, String(sessions)));
        log(`  ${label}: ${r.rowCount} in ${Date.now() - t} ms`);
      }
    } finally {
      await client.query('alter table appointment enable trigger appointment_slot_count');
    }
    await client.query('analyze');
    const count = async (table: string, where = 'true') => Number((await client.query<{ n: string }>(`select count(*) as n from ${table} where ${where}`)).rows[0].n);
    const counts: GeneratedCounts = {
      sessions,
      learners: n,
      registrations: n,
      payments: await count('payment'),
      refundRequests: await count('refund_request'),
      appointments: await count('appointment'),
      attempts: await count('exam_attempt'),
      results: await count('exam_result'),
      evidence: await count('evidence'),
      certificates: await count('certificate'),
      fraudCases: await count('fraud_case'),
    };
    log(`  generated ${n} registrations in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
    return counts;
  } finally {
    await client.end();
  }
}

/** `node dist/bench/generate.js <database url> <registrations>`: fills a migrated database. */
if (require.main === module) {
  const [url, count] = process.argv.slice(2);
  if (!url || !Number(count)) {
    console.error('usage: node dist/bench/generate.js <database url> <registrations>');
    process.exit(2);
  }
  generatePopulation(url, { registrations: Number(count), now: new Date(), log: console.error }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
