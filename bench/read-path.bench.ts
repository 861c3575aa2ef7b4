import './production-env';
import 'reflect-metadata';
import { deepStrictEqual } from 'node:assert';
import Fastify from 'fastify';
import pg from 'pg';
import { OPEN_FRAUD_CASE_STATUSES } from '../src/domain/fraud-case-state';
import { OPEN_REFUND_STATUSES } from '../src/domain/refund-state';
import { openBenchDatabase } from './bench-db';
import { countStatements, isQuick, iso, load, startBenchServer } from './bench-server';
import { generatePopulation } from './generate';

/**
 * Issue 10, read path: the staff queries that matter, over HTTP with autocannon (32 connections, 20 s;
 * 3 s with --quick), each against a bare fastify route in the same process running ONE hand-written
 * SQL statement (joins, json_agg) that returns the same JSON (checked before measuring). Population:
 * bench/generate.ts, READ_BENCH_REGISTRATIONS (default 1 000 000; 5 000 with --quick).
 * Unit: requests/s; target: ours ≥ 0.5 × baseline.
 */
export const name = 'read path (GraphQL vs bare SQL route)';

const TARGET = 0.5;
const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const page = (field: string, total: string, edges: string) =>
  `select json_build_object('data', json_build_object('${field}', json_build_object('totalCount', (${total}), 'edges', coalesce((${edges}), '[]'::json))))::text as j`;

interface ReadQuery {
  label: string;
  graphql: string;
  /** $1: the instant the server reads as now. */
  sql: string;
}

const QUERIES: ReadQuery[] = [
  {
    label: 'registrations(first: 200) + learner, payment, activeAppointment, result, certificate',
    graphql: `{ registrations(first: 200) { totalCount edges { node {
      id status createdAt
      learner { id email givenName familyName }
      payment { id amountCents status paidAt }
      activeAppointment { id startsAt status }
      result { id totalScore passed status }
      certificate { id status verificationCode }
    } } } }`,
    sql: page(
      'registrations',
      'select count(*) from registration',
      `select json_agg(json_build_object('node', json_build_object(
        'id', r.id, 'status', r.status, 'createdAt', ${iso('r.created_at')},
        'learner', json_build_object('id', l.id, 'email', l.email, 'givenName', l.given_name, 'familyName', l.family_name),
        'payment', case when p.id is not null then json_build_object('id', p.id, 'amountCents', p.amount_cents, 'status', p.status, 'paidAt', ${iso('p.paid_at')}) end,
        'activeAppointment', (select json_build_object('id', a.id, 'startsAt', ${iso('a.starts_at')}, 'status', a.status) from appointment a
           where a.registration_id = r.id and a.status = 'BOOKED' and a.ends_at + interval '1 hour' > $1 order by a.booked_at limit 1),
        'result', (select json_build_object('id', e.id, 'totalScore', e.total_score, 'passed', e.passed, 'status', e.status)
           from exam_result e join exam_attempt t on t.id = e.attempt_id where t.registration_id = r.id order by e.status = 'VOIDED', e.computed_at desc, e.id desc limit 1),
        'certificate', (select json_build_object('id', c.id, 'status', c.status, 'verificationCode', c.verification_code) from certificate c where c.registration_id = r.id)
      )) order by r.created_at, r.id)
      from (select * from registration order by created_at, id limit 200) r
      join learner l on l.id = r.learner_id left join payment p on p.registration_id = r.id`,
    ),
  },
  {
    label: 'refundRequests(needsAction, first: 50) + payment, registration.learner',
    graphql: `{ refundRequests(filter: { needsAction: true }, first: 50) { totalCount edges { node {
      id status reason amountCents requestedAt
      payment { id numTrans amountCents }
      registration { id learner { id email familyName } }
    } } } }`,
    sql: page(
      'refundRequests',
      `select count(*) from refund_request where status in (${list(OPEN_REFUND_STATUSES)})`,
      `select json_agg(json_build_object('node', json_build_object(
        'id', f.id, 'status', f.status, 'reason', f.reason, 'amountCents', f.amount_cents, 'requestedAt', ${iso('f.requested_at')},
        'payment', json_build_object('id', p.id, 'numTrans', p.num_trans, 'amountCents', p.amount_cents),
        'registration', json_build_object('id', r.id, 'learner', json_build_object('id', l.id, 'email', l.email, 'familyName', l.family_name))
      )) order by f.requested_at, f.id)
      from (select * from refund_request where status in (${list(OPEN_REFUND_STATUSES)}) order by requested_at, id limit 50) f
      join payment p on p.id = f.payment_id join registration r on r.id = f.registration_id join learner l on l.id = r.learner_id`,
    ),
  },
  {
    label: 'fraudCases(open) + evidence',
    graphql: `{ fraudCases(filter: { open: true }) { totalCount edges { node {
      id status summary purgeDeadline
      evidence { id kind status sizeBytes retainUntil }
    } } } }`,
    sql: page(
      'fraudCases',
      `select count(*) from fraud_case where status in (${list(OPEN_FRAUD_CASE_STATUSES)})`,
      `select json_agg(json_build_object('node', json_build_object(
        'id', c.id, 'status', c.status, 'summary', c.summary, 'purgeDeadline', ${iso('c.purge_deadline')},
        'evidence', coalesce((select json_agg(json_build_object('id', v.id, 'kind', v.kind, 'sizeBytes', v.size_bytes, 'retainUntil', ${iso('v.retain_until')},
            'status', case when v.status = 'PURGED' then 'PURGED'
                           when exists (select 1 from legal_hold h where h.attempt_id = v.attempt_id and h.released_at is null) then 'ON_HOLD' else 'RETAINED' end)
          order by array_position(array['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'], v.kind), v.id) from evidence v where v.attempt_id = c.attempt_id), '[]'::json)
      )) order by c.purge_deadline, c.id)
      from (select * from fraud_case where status in (${list(OPEN_FRAUD_CASE_STATUSES)}) order by purge_deadline, id limit 50) c`,
    ),
  },
  {
    label: 'learners(search: "dupont") (trigram index)',
    graphql: `{ learners(search: "dupont") { totalCount edges { node { id email givenName familyName } } } }`,
    sql: (() => {
      const match = `(lower(email) || ' ' || lower(username) || ' ' || lower(given_name) || ' ' || lower(family_name) || ' ' || lower(external_id)) like '%dupont%'`;
      return page(
        'learners',
        `select count(*) from learner where ${match}`,
        `select json_agg(json_build_object('node', json_build_object('id', l.id, 'email', l.email, 'givenName', l.given_name, 'familyName', l.family_name))
           order by l.family_name, l.given_name, l.id)
         from (select * from learner where ${match} order by family_name, given_name, id limit 50) l`,
      );
    })(),
  },
];

export async function run() {
  const quick = isQuick();
  const registrations = Number(process.env.READ_BENCH_REGISTRATIONS ?? (quick ? 5_000 : 1_000_000));
  const db = await openBenchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  const bare = Fastify({ logger: false });
  // As the Docker image runs it (NODE_ENV=production; see production-env.ts for the libraries).
  const server = await startBenchServer(db, { env: { NODE_ENV: 'production' } }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  try {
    const started = Date.now();
    await generatePopulation(db.url, { registrations, now: new Date(), log: (m) => console.error(m) });
    console.error(`  population of ${registrations} registrations generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    QUERIES.forEach((q, i) => {
      bare.get(`/q${i}`, async (_req, reply) => {
        const r = await pool.query<{ j: string }>(q.sql, q.sql.includes('$1') ? [new Date()] : []);
        return reply.type('application/json').send(r.rows[0].j);
      });
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const address = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const results = [];
    for (const [i, q] of QUERIES.entries()) {
      const body = JSON.stringify({ query: q.graphql });
      const ours = await server.gql(q.graphql);
      if (ours.errors) throw new Error(`${q.label}: ${JSON.stringify(ours.errors)}`);
      const baseline = (await (await fetch(`${bareUrl}/q${i}`)).json()) as unknown;
      deepStrictEqual(ours, baseline, `${q.label}: the baseline does not return the same JSON`);
      const t0 = Date.now();
      for (let k = 0; k < 5; k++) await server.gql(q.graphql);
      const t1 = Date.now();
      for (let k = 0; k < 5; k++) await (await fetch(`${bareUrl}/q${i}`)).text();
      const statements = await countStatements(server, () => server.gql(q.graphql));
      console.error(`  ${q.label}: one request alone: ours ${(t1 - t0) / 5} ms (${statements} SQL statements), baseline ${(Date.now() - t1) / 5} ms (1 statement)`);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.token}` };
      const o = await load({ url: `${server.url}/graphql`, method: 'POST', headers, body });
      const b = await load({ url: `${bareUrl}/q${i}` });
      console.error(`  ${q.label}: ours ${o.rps.toFixed(0)} req/s (p99 ${o.p99Ms} ms), baseline ${b.rps.toFixed(0)} req/s (p99 ${b.p99Ms} ms)`);
      if (o.non2xx || o.errors || b.non2xx || b.errors) throw new Error(`${q.label}: failed requests (ours ${o.non2xx}/${o.errors}, baseline ${b.non2xx}/${b.errors})`);
      results.push({ name: `read: ${q.label}, ${registrations} registrations`, ours: o.rps, baseline: b.rps, unit: 'req/s', target: TARGET });
    }
    return results;
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
