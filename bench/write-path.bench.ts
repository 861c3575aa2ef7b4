import 'reflect-metadata';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { meetsLeadTime, slotStarts } from '../src/domain/calendar';
import { CertificationSession } from '../src/entities';
import { type BenchDatabase, openBenchDatabase } from './bench-db';
import { type BenchServer, countStatements, isQuick, load, startBenchServer } from './bench-server';
import { generatePopulation } from './generate';

/**
 * Issue 10, write path: `saveDraft` from 32 learners at once (each on their own STARTED attempt, part 1,
 * 10 answers), over HTTP with autocannon, against a bare fastify route running the SQL a draft save
 * needs in one transaction (lock the attempt row if it is STARTED and before its deadline, read the
 * session's exam content, write the part with jsonb_set). Every response must be a success (no
 * refusal is expected here). Unit: requests/s; target 0.5.
 *
 * Then `bookAppointment` from 32 learners at once (`bookAppointment` below): every request books a
 * registration of its own (paid, ProctorU profile complete, no appointment yet: bulk-inserted in SQL)
 * into a free slot at least 72 h ahead, against a bare route running the SQL a booking needs in one
 * transaction. Runs alone: `node dist/bench/write-path.bench.js` (both entries).
 */
export const name = 'write path';

const CLIENTS = 32;
const ANSWERS = Array.from({ length: 10 }, (_, q) => [q % 4]);
const MUTATION = 'mutation($i: SaveAnswersInput!) { saveDraft(input: $i) { attempt { id } errors { code message } } }';

const BARE_SQL = `with a as (select id, session_id from exam_attempt where id = $1 and status = 'STARTED' and deadline > now() for update),
  c as (select parts from exam_content where session_id = (select session_id from a))
  update exam_attempt t set parts = jsonb_set(t.parts, '{0}', jsonb_build_object('status', 'DRAFT', 'answers', $2::jsonb, 'savedAt', now(), 'submittedAt', null))
  from a where t.id = a.id and (select jsonb_array_length(parts -> 0 -> 'questions') from c) = jsonb_array_length($2::jsonb) returning t.id`;

interface Measured {
  name: string;
  ours: number;
  baseline: number;
  unit: string;
  target: number;
}

/** One database and one server for both entries: the population, then saveDraft, then bookAppointment. */
export async function run(): Promise<Measured[]> {
  const db = await openBenchDatabase();
  const server = await startBenchServer(db).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  try {
    await generatePopulation(db.url, { registrations: 2000, now: new Date() });
    return [await saveDraft(db, server), await bookAppointment(db, server)];
  } finally {
    await server.close();
    await db.close();
  }
}

async function saveDraft(db: BenchDatabase, server: BenchServer): Promise<Measured> {
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  const bare = Fastify({ logger: false });
  try {
    // 32 paid registrations without an appointment get one that started a minute ago and a STARTED attempt (2 h).
    const { rows } = await pool.query<{ attempt: string; learner: string }>(
      `with r as (select r.id, r.session_id, r.learner_id from registration r
                  where r.status = 'ACTIVE' and not exists (select 1 from appointment a where a.registration_id = r.id) order by r.id limit ${CLIENTS}),
       a as (insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
             select gen_random_uuid(), r.id, r.session_id, date_trunc('minute', now()) - interval '1 minute', date_trunc('minute', now()) + interval '29 minutes', 'BOOKED', now() - interval '3 days', 'bench'
             from r returning id, registration_id, session_id),
       t as (insert into exam_attempt (id, registration_id, appointment_id, session_id, status, duration_minutes, unlocked_at, unlocked_by, started_at, deadline, parts)
             select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'STARTED', 120, now() - interval '2 minutes', 'bench', now() - interval '1 minute', now() + interval '119 minutes',
                    '[{"status":"NOT_ANSWERED","answers":[],"savedAt":null,"submittedAt":null},{"status":"NOT_ANSWERED","answers":[],"savedAt":null,"submittedAt":null},{"status":"NOT_ANSWERED","answers":[],"savedAt":null,"submittedAt":null}]'
             from a returning id, registration_id)
       select t.id as attempt, r.learner_id as learner from t join r on r.id = t.registration_id`,
    );
    if (rows.length !== CLIENTS) throw new Error(`only ${rows.length} attempts prepared`);
    const iat = Math.floor(Date.now() / 1000);
    const requests = rows.map((r) => ({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.app.signer.sign({ kind: 'l', sub: r.learner, iat, exp: iat + 3600 })}` },
      body: JSON.stringify({ query: MUTATION, variables: { i: { attemptId: r.attempt, part: 1, answers: ANSWERS } } }),
    }));
    // One save through the API, checked: the draft is accepted.
    const check = await fetch(`${server.url}/graphql`, { method: 'POST', headers: requests[0].headers, body: requests[0].body });
    const checked = (await check.json()) as { data?: { saveDraft: { errors: unknown[] } }; errors?: unknown[] };
    if (checked.errors || checked.data?.saveDraft.errors.length) throw new Error(`saveDraft refused: ${JSON.stringify(checked)}`);
    const t0 = Date.now();
    for (const r of requests.slice(0, 10)) await (await fetch(`${server.url}/graphql`, { method: 'POST', headers: r.headers, body: r.body })).text();
    const perRequest = (Date.now() - t0) / 10;
    const statements = await countStatements(server, async () => (await fetch(`${server.url}/graphql`, { method: 'POST', headers: requests[1].headers, body: requests[1].body })).text());
    console.error(`  saveDraft alone: ${perRequest} ms a request, ${statements} SQL statements (bare route: begin, 1 statement, commit)`);

    bare.post('/save', async (req, reply) => {
      const { attemptId, answers } = req.body as { attemptId: string; answers: number[][] };
      const r = await inTransaction(pool, async (client) => ({ commit: true, value: await client.query(BARE_SQL, [attemptId, JSON.stringify(answers)]) }));
      return reply.send({ ok: r.rowCount === 1 });
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const address = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/save`;
    const bareRequests = rows.map((r) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attemptId: r.attempt, answers: ANSWERS }) }));

    const o = await load({ url: `${server.url}/graphql`, method: 'POST', perClient: requests, connections: CLIENTS });
    const b = await load({ url: bareUrl, method: 'POST', perClient: bareRequests, connections: CLIENTS });
    if (o.non2xx || o.errors || b.non2xx || b.errors) throw new Error(`failed requests (ours ${o.non2xx}/${o.errors}, baseline ${b.non2xx}/${b.errors})`);
    // Every draft save was applied: no refusal in the API's answers (checked on the stored rows' savedAt).
    const { rows: stale } = await pool.query(`select count(*)::int as n from exam_attempt where status = 'STARTED' and (parts -> 0 ->> 'status') is distinct from 'DRAFT'`);
    if (stale[0].n !== 0) throw new Error(`${stale[0].n} attempts were never saved`);
    console.error(`  saveDraft: ours ${o.rps.toFixed(0)} req/s (p99 ${o.p99Ms} ms), bare SQL ${b.rps.toFixed(0)} req/s (p99 ${b.p99Ms} ms)${isQuick() ? ' (quick)' : ''}`);
    return { name: 'write: saveDraft, 32 learners', ours: o.rps, baseline: b.rps, unit: 'req/s', target: 0.5 };
  } finally {
    await bare.close();
    await pool.end();
  }
}

const BOOK = 'mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id } errors { code message } } }';
/** Refusals a booking may meet here that the rules expect (none should happen: see `bookAppointment`). */
const EXPECTED_REFUSALS = new Set(['ACTIVE_APPOINTMENT_EXISTS', 'SLOT_FULL']);

/**
 * The SQL a booking needs, in one transaction: the registration locked if it may book (R-SCH-6 paid or
 * exempt and the ProctorU profile complete, R-SCH-5 no BOOKED appointment, R-EXA-1 no attempt), the
 * slot counter locked (created if absent) and compared with the capacity (R-SCH-3), the appointment
 * inserted (the `appointment_slot_count` trigger adds it to the counter, as for ours).
 */
const BARE_LOCK_REGISTRATION = `select r.id, r.learner_id from registration r join learner l on l.id = r.learner_id
  where r.id = $1 and r.session_id = $2 and r.status = 'ACTIVE' and (r.paid_at is not null or r.dun_exempt)
    and l.phone is not null and l.address is not null and l.city is not null and l.time_zone is not null and l.country is not null
    and not exists (select 1 from appointment a where a.registration_id = r.id and a.status = 'BOOKED')
    and not exists (select 1 from exam_attempt t where t.registration_id = r.id)
  for update of r`;
const BARE_LOCK_SLOT = `insert into slot (session_id, starts_at, booked) values ($1, $2, 0)
  on conflict (session_id, starts_at) do update set booked = slot.booked returning booked, (select slot_capacity from certification_session where id = $1) as capacity`;
const BARE_INSERT = `insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, priority, booked_at, booked_by)
  values (gen_random_uuid(), $1, $2, $3, $3::timestamptz + interval '30 minutes', 'BOOKED', false, now(), 'learner:' || $4) returning id`;

/**
 * Two sessions like the generator's (one for ours, one for the baseline: their counters stay apart),
 * exam period from 5 days ahead for 14 days, capacity 60, each with `count` learners (ProctorU profile
 * complete) and paid ACTIVE registrations without an appointment, all in SQL.
 */
async function prepareBookings(pool: pg.Pool, count: number): Promise<{ ours: string; bare: string }> {
  const ids = { ours: '', bare: '' };
  for (const side of ['ours', 'bare'] as const) {
    const { rows } = await pool.query<{ id: string }>(
      `insert into certification_session (id, course_title, course_code, university, course_start_date, price_cents, currency, exam_period_start, exam_period_end,
         daily_start, daily_end, excluded_weekdays, time_zone, exam_duration_minutes, slot_step_minutes, booking_lead_hours, slot_capacity,
         certificate_deadline, evidence_retention_days, pass_mark_percent, created_at, created_by)
       select md5('book-' || $1)::uuid, 'Cours réservation ' || $1, 'BOOK-' || upper($1), 'Université bench', current_date - 30, 6000, 'EUR', current_date + 5, current_date + 18,
         '15:00', '21:00', '{}', 'Europe/Paris', 30, 30, 72, 60, (current_date + 40)::timestamptz, 42, 60, now() - interval '60 days', 'bench'
       returning id`,
      [side],
    );
    ids[side] = rows[0].id;
    await pool.query(
      `with l as (
         insert into learner (id, external_id, email, username, given_name, family_name, phone, address, city, time_zone, country, created_at, updated_at)
         select md5('book-l-' || $1 || i)::uuid, 'book-' || $1 || '-' || i, 'book.' || $1 || i || '@example.org', 'book.' || $1 || i, 'Camille', 'Réservation' || i,
           '+33 1 23 45 67 89', '1 rue de la Paix', 'Paris', 'Europe/Paris', 'FR', now() - interval '60 days', now() - interval '60 days'
         from generate_series(1, $3::int) i returning id, given_name, family_name
       )
       insert into registration (id, session_id, learner_id, status, dun_exempt, requirements_acknowledged_at, terms_version, terms_accepted_at,
         locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       select gen_random_uuid(), $2, l.id, 'ACTIVE', false, now() - interval '50 days', '2026-01', now() - interval '50 days',
         l.given_name, l.family_name, now() - interval '50 days', now() - interval '49 days', now() - interval '50 days', 'bench'
       from l`,
      [side, ids[side], count],
    );
  }
  await pool.query('analyze learner; analyze registration; analyze certification_session');
  return ids;
}

/**
 * autocannon where request k (over all clients) books registration k into slot k mod S, S the number
 * of bookable starts: 32 requests in flight never share a slot, and no slot takes more than its
 * capacity. Past the last registration, requests book again ones already booked: the refusal
 * (ACTIVE_APPOINTMENT_EXISTS) is counted and expected. Every answer is checked.
 */
async function bookingLoad(opts: { url: string; amount?: number; seconds?: number; next: () => { headers: Record<string, string>; body: string }; check: (status: number, body: string) => void }) {
  const r = await autocannon({
    url: opts.url,
    method: 'POST',
    connections: 32,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 20 }),
    requests: [
      {
        method: 'POST',
        setupRequest: (req: autocannon.Request) => ({ ...req, ...opts.next() }),
        onResponse: (status: number, body: string) => opts.check(status, body),
      },
    ],
  });
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function bookAppointment(db: BenchDatabase, server: BenchServer): Promise<Measured> {
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  const bare = Fastify({ logger: false });
  try {
    // Enough registrations for the run at a few hundred bookings a second; each side has its own session.
    const count = isQuick() ? 2500 : 9000;
    const sessions = await prepareBookings(pool, count);
    const now = new Date();
    const startsOf = async (sessionId: string) => {
      const session = await db.orm.em.fork().findOneOrFail(CertificationSession, { id: sessionId });
      const starts = slotStarts(session).filter((t) => meetsLeadTime(t, now, session.bookingLeadHours));
      if (starts.length * session.slotCapacity < count) throw new Error(`${starts.length} starts of capacity ${session.slotCapacity} for ${count} bookings`);
      return starts.map((t) => t.toISOString());
    };
    const regsOf = async (sessionId: string) =>
      (await pool.query<{ id: string; learner_id: string }>('select id, learner_id from registration where session_id = $1 order by learner_id', [sessionId])).rows;
    const iat = Math.floor(Date.now() / 1000);
    const oursRegs = await regsOf(sessions.ours);
    const oursStarts = await startsOf(sessions.ours);
    const oursRequests = oursRegs.map((r, k) => ({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.app.signer.sign({ kind: 'l', sub: r.learner_id, iat, exp: iat + 3600 })}` },
      body: JSON.stringify({ query: BOOK, variables: { i: { registrationId: r.id, startsAt: oursStarts[k % oursStarts.length] } } }),
    }));
    // booked: stored in the end (answered or not); ids: the bookings answered.
    const outcomes = { ours: { booked: 0, ids: [] as string[], refused: new Map<string, number>() }, bare: { booked: 0, ids: [] as string[], refused: new Map<string, number>() } };
    const checkOurs = (status: number, body: string) => {
      const r = JSON.parse(body) as { data?: { bookAppointment: { appointment: { id: string } | null; errors: { code: string; message: string }[] } }; errors?: unknown[] };
      const p = r.data?.bookAppointment;
      if (status !== 200 || r.errors || !p) throw new Error(`bookAppointment failed: ${status} ${body}`);
      if (p.appointment) outcomes.ours.ids.push(p.appointment.id);
      else if (p.errors.length === 1 && EXPECTED_REFUSALS.has(p.errors[0].code)) outcomes.ours.refused.set(p.errors[0].code, (outcomes.ours.refused.get(p.errors[0].code) ?? 0) + 1);
      else throw new Error(`bookAppointment refused unexpectedly: ${body}`);
    };

    // One booking through the API, checked, then 10 alone (timed), and the statements of one.
    let k = 0;
    const send = async (i: number) => {
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: oursRequests[i].headers, body: oursRequests[i].body });
      checkOurs(res.status, await res.text());
    };
    await send(k++);
    if (outcomes.ours.ids.length !== 1) throw new Error('the first booking was refused');
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await send(k++);
    const perRequest = (Date.now() - t0) / 10;
    const statements = await countStatements(server, () => send(k++));
    console.error(`  bookAppointment alone: ${perRequest} ms a request, ${statements} SQL statements (bare route: begin, 3 statements, commit)`);

    const nextOurs = () => oursRequests[k++ % oursRequests.length];
    await bookingLoad({ url: `${server.url}/graphql`, amount: 64, next: nextOurs, check: checkOurs }); // warm-up
    const ours = await bookingLoad({ url: `${server.url}/graphql`, seconds: isQuick() ? 3 : 20, next: nextOurs, check: checkOurs });

    // The baseline: same shape of data in its own session, its own pool of 10 (as the server's ORM).
    const bareRegs = await regsOf(sessions.bare);
    const bareStarts = await startsOf(sessions.bare);
    bare.post('/book', async (req, reply) => {
      const { registrationId, startsAt } = req.body as { registrationId: string; startsAt: string };
      const answer = await inTransaction<{ refused: string } | { id: string }>(pool, async (client) => {
        const reg = await client.query<{ learner_id: string }>(BARE_LOCK_REGISTRATION, [registrationId, sessions.bare]);
        if (reg.rowCount !== 1) return { commit: false, value: { refused: 'ACTIVE_APPOINTMENT_EXISTS' } };
        const slot = await client.query<{ booked: number; capacity: number }>(BARE_LOCK_SLOT, [sessions.bare, startsAt]);
        if (slot.rows[0].booked >= slot.rows[0].capacity) return { commit: false, value: { refused: 'SLOT_FULL' } };
        const a = await client.query<{ id: string }>(BARE_INSERT, [registrationId, sessions.bare, startsAt, reg.rows[0].learner_id]);
        return { commit: true, value: { id: a.rows[0].id } };
      });
      return reply.send(answer);
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const address = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/book`;
    const bareRequests = bareRegs.map((r, i) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registrationId: r.id, startsAt: bareStarts[i % bareStarts.length] }) }));
    let j = 0;
    const nextBare = () => bareRequests[j++ % bareRequests.length];
    const checkBare = (status: number, body: string) => {
      const r = JSON.parse(body) as { id?: string; refused?: string };
      if (status !== 200) throw new Error(`bare booking failed: ${status} ${body}`);
      if (r.id) outcomes.bare.ids.push(r.id);
      else if (r.refused && EXPECTED_REFUSALS.has(r.refused)) outcomes.bare.refused.set(r.refused, (outcomes.bare.refused.get(r.refused) ?? 0) + 1);
      else throw new Error(`bare booking: ${body}`);
    };
    await bookingLoad({ url: bareUrl, amount: 64, next: nextBare, check: checkBare }); // warm-up
    const b = await bookingLoad({ url: bareUrl, seconds: isQuick() ? 3 : 20, next: nextBare, check: checkBare });
    if (ours.non2xx || ours.errors || b.non2xx || b.errors) throw new Error(`failed requests (ours ${ours.non2xx}/${ours.errors}, baseline ${b.non2xx}/${b.errors})`);

    // Afterwards: every booking answered is stored, each registration holds one BOOKED appointment at
    // most, and the slot counters equal the BOOKED appointments. Requests still in flight when a timed
    // run stops are answered to nobody: up to 32 more bookings than answers may be stored.
    for (const [side, sessionId] of [['ours', sessions.ours], ['bare', sessions.bare]] as const) {
      const answered = outcomes[side].ids;
      const { rows } = await pool.query<{ n: number; registrations: number; answered: number }>(
        `select count(*)::int as n, count(distinct registration_id)::int as registrations, count(*) filter (where id = any($2::uuid[]))::int as answered
         from appointment where session_id = $1 and status = 'BOOKED'`,
        [sessionId, answered],
      );
      const st = rows[0];
      if (st.answered !== answered.length || st.registrations !== st.n || st.n - answered.length > 32) {
        throw new Error(`${side}: ${answered.length} bookings answered; stored ${JSON.stringify(st)}`);
      }
      outcomes[side].booked = st.n;
    }
    const { rows: drift } = await pool.query<{ n: number }>(
      `select count(*)::int as n from slot s full join (select session_id, starts_at, count(*)::int as n from appointment where status = 'BOOKED' group by 1, 2) a
         on a.session_id = s.session_id and a.starts_at = s.starts_at
       where coalesce(s.booked, 0) <> coalesce(a.n, 0)`,
    );
    if (drift[0].n !== 0) throw new Error(`${drift[0].n} slot counters differ from their BOOKED appointments`);
    const { rows: outbox } = await pool.query<{ n: number }>(`select count(*)::int as n from proctoru_outbox o join appointment a on a.id = o.appointment_id where a.session_id = $1 and o.op = 'ADD'`, [sessions.ours]);
    if (outbox[0].n !== outcomes.ours.booked) throw new Error(`${outbox[0].n} ProctorU ADD calls queued for ${outcomes.ours.booked} bookings`);
    const refusals = (m: Map<string, number>) => [...m].map(([c, n]) => `${n} ${c}`).join(', ') || 'none';
    console.error(
      `  bookAppointment: ours ${ours.rps.toFixed(0)} req/s (p99 ${ours.p99Ms} ms; ${outcomes.ours.booked} booked, refused: ${refusals(outcomes.ours.refused)}), ` +
        `bare SQL ${b.rps.toFixed(0)} req/s (p99 ${b.p99Ms} ms; ${outcomes.bare.booked} booked, refused: ${refusals(outcomes.bare.refused)})${isQuick() ? ' (quick)' : ''}`,
    );
    return { name: 'write: bookAppointment, 32 learners', ours: ours.rps, baseline: b.rps, unit: 'req/s', target: 0.5 };
  } finally {
    await bare.close();
    await pool.end();
  }
}

if (require.main === module) {
  run().then((r) => console.log(r), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** The bare routes' transaction: committed when `fn` says so, rolled back when it refuses or throws; the client released. */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<{ commit: boolean; value: T }>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { commit, value } = await fn(client);
    await client.query(commit ? 'commit' : 'rollback');
    return value;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}
