import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../bench/generate';
import { startTestServer, type TestServer } from '../helpers/server';
import { statementCounter } from '../helpers/statement-counter';

/**
 * Issue 10: the staff's registrations page costs a fixed number of SQL statements whatever its size
 * (field resolvers batch through per-request DataLoaders, no N+1). Statements are counted with knex's
 * `query` event on the server's ORM (every statement MikroORM sends, transactions and raw SQL included);
 * requests run one at a time, so the statements seen between sending a request and reading its answer
 * are that request's.
 */
let s: TestServer;
let token: string;
let registrationFields: Set<string>;
let counter: ReturnType<typeof statementCounter>;

beforeAll(async () => {
  s = await startTestServer();
  await generatePopulation(s.dbUrl, { registrations: 200, now: s.clock.now() });
  token = (await s.tokenFor('SUPPORT'))!;
  counter = statementCounter(s);
  const t = await s.gql<{ __type: { fields: { name: string }[] } }>('{ __type(name: "Registration") { fields { name } } }', {}, token);
  registrationFields = new Set(t.data!.__type.fields.map((f) => f.name));
}, 120_000);

afterAll(async () => {
  await s?.close();
});

/** The page with learner, payment, activeAppointment, result and, once the schema has it, certificate. */
function pageQuery(): string {
  const certificate = registrationFields.has('certificate') ? 'certificate { id status verificationCode issuedAt }' : '';
  return `query($first: Int!) { registrations(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node {
      id status nextStep createdAt
      learner { id email givenName familyName }
      payment { id amountCents status paidAt }
      activeAppointment { id startsAt status }
      result { id totalScore passed status }
      ${certificate}
    } }
  } }`;
}

async function countStatements(first: number): Promise<{ rows: number; statements: string[] }> {
  const { result: r, statements } = await counter.during(() => s.gql<{ registrations: { edges: { node: Record<string, unknown> }[] } }>(pageQuery(), { first }, token));
  expect(r.errors).toBeUndefined();
  return { rows: r.data!.registrations.edges.length, statements };
}

describe('SQL statements per request (issue 10)', () => {
  it('the schema has the fields the staff page asks for (certificate counted when Registration.certificate exists)', () => {
    for (const f of ['learner', 'payment', 'activeAppointment', 'result']) expect(registrationFields.has(f)).toBe(true);
  });

  it('registrations(first: 10) and registrations(first: 200) cost the same number of statements, at most 4 (the viewer, the page with learner, payment and certificate, appointments, results)', async () => {
    const warm = await countStatements(10); // the viewer's token lookup and metadata caches settle
    expect(warm.rows).toBe(10);
    const small = await countStatements(10);
    const large = await countStatements(200);
    expect(small.rows).toBe(10);
    expect(large.rows).toBe(200);
    expect(large.statements.length, large.statements.join('\n')).toBe(small.statements.length);
    expect(large.statements.length, large.statements.join('\n')).toBeLessThanOrEqual(4);
  });

  it('the 200 rows carry every relation the page asks for (the population has each)', async () => {
    const r = await s.gql<{ registrations: { edges: { node: Record<string, unknown> }[] } }>(pageQuery(), { first: 200 }, token);
    const nodes = r.data!.registrations.edges.map((e) => e.node);
    expect(nodes.every((n) => n.learner)).toBe(true);
    for (const f of ['payment', 'activeAppointment', 'result', ...(registrationFields.has('certificate') ? ['certificate'] : [])]) {
      expect(nodes.some((n) => n[f]), f).toBe(true);
    }
  });
});
