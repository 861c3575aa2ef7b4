import 'reflect-metadata';
import Fastify from 'fastify';
import pg from 'pg';
import { openBenchDatabase } from './bench-db';
import { countStatements, isQuick, load, startBenchServer } from './bench-server';
import { generatePopulation } from './generate';

/**
 * Issue 10, write path: `saveDraft` from 32 learners at once (each on their own STARTED attempt, part 1,
 * 10 answers), over HTTP with autocannon, against a bare fastify route running the SQL a draft save
 * needs in one transaction (lock the attempt row if it is STARTED and before its deadline, read the
 * session's exam content, write the part with jsonb_set). Every response must be a success (no
 * refusal is expected here). Unit: requests/s; target 0.5.
 * bookAppointment is not measured yet (see bench/README.md).
 */
export const name = 'write path: saveDraft';

const CLIENTS = 32;
const ANSWERS = Array.from({ length: 10 }, (_, q) => [q % 4]);
const MUTATION = 'mutation($i: SaveAnswersInput!) { saveDraft(input: $i) { attempt { id } errors { code message } } }';

const BARE_SQL = `with a as (select id, session_id from exam_attempt where id = $1 and status = 'STARTED' and deadline > now() for update),
  c as (select parts from exam_content where session_id = (select session_id from a))
  update exam_attempt t set parts = jsonb_set(t.parts, '{0}', jsonb_build_object('status', 'DRAFT', 'answers', $2::jsonb, 'savedAt', now(), 'submittedAt', null))
  from a where t.id = a.id and (select jsonb_array_length(parts -> 0 -> 'questions') from c) = jsonb_array_length($2::jsonb) returning t.id`;

export async function run() {
  const db = await openBenchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  const bare = Fastify({ logger: false });
  const server = await startBenchServer(db).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  try {
    await generatePopulation(db.url, { registrations: 2000, now: new Date() });
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
      const client = await pool.connect();
      try {
        await client.query('begin');
        const r = await client.query(BARE_SQL, [attemptId, JSON.stringify(answers)]);
        await client.query('commit');
        return reply.send({ ok: r.rowCount === 1 });
      } catch (err) {
        await client.query('rollback');
        throw err;
      } finally {
        client.release();
      }
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
    return { ours: o.rps, baseline: b.rps, unit: 'req/s', target: 0.5 };
  } finally {
    await bare.close();
    await pool.end();
    await server.close();
    await db.close();
  }
}

if (require.main === module) {
  run().then((r) => console.log(r), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
