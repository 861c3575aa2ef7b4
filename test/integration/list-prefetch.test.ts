import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../bench/generate';
import { startTestServer, type TestServer } from '../helpers/server';
import { statementCounter } from '../helpers/statement-counter';

/**
 * Issue 10, read path: the list pages read the relations their query selects with the page (to-one rows
 * joined into the page's statement, to-many rows in one statement for the page) and the field resolvers
 * answer from them (resolvers/prefetch.ts). The answers must be those each row gives when read alone
 * (no prefetch on that path), the field guards must still refuse what they refused, and a refused or
 * unselected relation must not be read at all.
 */
let s: TestServer;
let counter: ReturnType<typeof statementCounter>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  await generatePopulation(s.dbUrl, { registrations: 1000, now: s.clock.now() });
  for (const role of ['ADMIN', 'SUPPORT', 'CERTIFICATION', 'PAYMENTS'] as const) tokens[role] = (await s.tokenFor(role))!;
  counter = statementCounter(s);
}, 120_000);

afterAll(async () => {
  await s?.close();
});

type Node = Record<string, unknown> & { id: string };

/** The page's nodes, its statements, and its errors. */
async function page(query: string, field: string, token: string, variables: Record<string, unknown> = {}) {
  await s.gql(query, variables, token); // caches settle (the viewer's first lookup, metadata)
  const { result, statements } = await counter.during(() => s.gql<Record<string, { edges?: { node: Node }[]; e?: { node: Node }[] }>>(query, variables, token));
  const edges = result.data?.[field]?.edges ?? result.data?.[field]?.e ?? []; // `e: edges` in the fragment test
  return { nodes: edges.map((e) => e.node), statements, errors: result.errors };
}

/** Each node as the single-object query returns it (no list, so no prefetch). */
async function alone(field: string, selection: string, ids: string[], token: string): Promise<Node[]> {
  const out: Node[] = [];
  for (const id of ids) {
    const r = await s.gql<Record<string, Node>>(`query($id: ID!) { ${field}(id: $id) { ${selection} } }`, { id }, token);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    out.push(r.data![field]);
  }
  return out;
}

const REFUND = 'id status amountCents requestedAt payment { id numTrans amountCents status } registration { id status learner { id email familyName } }';
const FRAUD = 'id status purgeDeadline evidence { id kind status sizeBytes retainUntil } registration { id learner { id email } }';
const REGISTRATION = `id status nextStep createdAt learner { id email givenName } payment { id amountCents paidAt } activeAppointment { id startsAt status }
  appointments { id status } result { id totalScore status } certificate { id status }`;

describe('list pages read their relations with the page (issue 10)', () => {
  it('refundRequests: payment, registration and learner as each request reads them alone, in 2 statements (the viewer, the page)', async () => {
    const p = await page(`{ refundRequests(first: 50) { edges { node { ${REFUND} } } } }`, 'refundRequests', tokens.PAYMENTS);
    expect(p.errors).toBeUndefined();
    expect(p.nodes.length).toBeGreaterThan(10);
    expect(p.statements, p.statements.join('\n')).toHaveLength(2);
    expect(p.nodes).toEqual(await alone('refundRequest', REFUND, p.nodes.map((n) => n.id), tokens.PAYMENTS));
  });

  it('R-EVI-2, R-EVI-4: fraudCases: evidence (ON_HOLD under an active hold) and registration as each case reads them alone, in 2 statements', async () => {
    const open = await s.gql<{ fraudCases: { edges: { node: { id: string } }[] } }>('{ fraudCases(filter: { open: true }) { edges { node { id } } } }', {}, tokens.ADMIN);
    const held = open.data!.fraudCases.edges[0].node.id;
    const hold = await s.gql<{ placeLegalHold: { errors: unknown[] | null } }>(
      'mutation($i: LegalHoldInput!) { placeLegalHold(input: $i) { errors { code } } }',
      { i: { caseId: held, reason: 'litigation (list prefetch test)' } },
      tokens.ADMIN,
    );
    expect(hold.data?.placeLegalHold.errors ?? []).toEqual([]);

    const p = await page(`{ fraudCases(first: 50) { edges { node { ${FRAUD} } } } }`, 'fraudCases', tokens.CERTIFICATION);
    expect(p.errors).toBeUndefined();
    expect(p.statements, p.statements.join('\n')).toHaveLength(2);
    expect(p.nodes).toEqual(await alone('fraudCase', FRAUD, p.nodes.map((n) => n.id), tokens.CERTIFICATION));
    const evidence = (n: Node) => n.evidence as { kind: string; status: string }[];
    expect(p.nodes.some((n) => evidence(n).length === 3)).toBe(true);
    expect(p.nodes.every((n) => evidence(n).every((e, i) => e.kind === ['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'][i]))).toBe(true);
    const onHold = p.nodes.find((n) => n.id === held);
    expect(onHold && evidence(onHold).some((e) => e.status === 'ON_HOLD')).toBe(true);
  });

  it('R-EVI-2: SUPPORT is still refused fraud cases\u2019 evidence, and the page does not read it', async () => {
    const p = await page('{ fraudCases(filter: { open: true }) { edges { node { id evidence { id } } } } }', 'fraudCases', tokens.SUPPORT);
    expect(p.errors?.length).toBeGreaterThan(0);
    expect(p.errors!.every((e) => (e.extensions as { code?: string } | undefined)?.code === 'FORBIDDEN')).toBe(true);
    expect(p.statements.join('\n')).not.toMatch(/evidence/);
    const without = await page('{ fraudCases(filter: { open: true }) { edges { node { id status } } } }', 'fraudCases', tokens.SUPPORT);
    expect(without.errors).toBeUndefined();
    expect(without.nodes.length).toBeGreaterThan(0);
  });

  it('registrations: every relation as each registration reads it alone, in 4 statements (the viewer, the page, appointments, results)', async () => {
    // The oldest 200 of the 1 000 (with results and certificates) and the newest 200 (with active appointments).
    let after: string | null = null;
    const pages: string[] = [];
    for (let i = 0; i < 5; i++) {
      pages.push(after ?? '');
      const r: { data?: { registrations: { pageInfo: { endCursor: string } } } | null } = await s.gql('query($a: String) { registrations(first: 200, after: $a) { pageInfo { endCursor } } }', { a: after }, tokens.ADMIN);
      after = r.data!.registrations.pageInfo.endCursor;
    }
    const nodes: Node[] = [];
    for (const a of [pages[0], pages[4]]) {
      const p = await page(`query($a: String) { registrations(first: 200, after: $a) { edges { node { ${REGISTRATION} } } } }`, 'registrations', tokens.ADMIN, { a: a || null });
      expect(p.errors).toBeUndefined();
      expect(p.nodes).toHaveLength(200);
      expect(p.statements, p.statements.join('\n')).toHaveLength(4);
      expect(p.nodes).toEqual(await alone('registration', REGISTRATION, p.nodes.map((n) => n.id), tokens.ADMIN));
      nodes.push(...p.nodes);
    }
    for (const f of ['payment', 'activeAppointment', 'result', 'certificate']) expect(nodes.some((n) => n[f]), f).toBe(true);
  });

  it('R-SEC-1: CERTIFICATION is still refused Registration.payment, and the page does not read payments', async () => {
    const p = await page('{ registrations(first: 5) { edges { node { id payment { id } certificate { id } } } } }', 'registrations', tokens.CERTIFICATION);
    expect(p.errors?.length).toBe(5);
    expect(p.errors!.every((e) => (e.extensions as { code?: string } | undefined)?.code === 'FORBIDDEN' && e.path?.at(-1) === 'payment')).toBe(true);
    const sql = p.statements.join('\n');
    expect(sql).not.toMatch(/"payment"/);
    expect(sql).toMatch(/"certificate"/);
  });

  it('a relation is read with the page under an alias or in fragments, and not when @skip / @include leave it out', async () => {
    const plain = await page(`{ registrations(first: 30) { edges { node { ${REGISTRATION} } } } }`, 'registrations', tokens.ADMIN);
    const fragments = await page(
      `query($with: Boolean!) { registrations(first: 30) { e: edges { ...E } } }
       fragment E on RegistrationEdge { node { ... on Registration { ...R } } }
       fragment R on Registration { ${REGISTRATION} who: learner { email } payment @include(if: $with) { id } }`,
      'registrations',
      tokens.ADMIN,
      { with: true },
    );
    expect(fragments.errors).toBeUndefined();
    expect(fragments.statements.length).toBe(plain.statements.length);
    expect(fragments.statements[1]).toBe(plain.statements[1]);
    expect(fragments.nodes.map(({ who: _w, ...n }) => n)).toEqual(plain.nodes);
    const skipped = await page(
      '{ registrations(first: 30) { edges { node { id payment @skip(if: true) { id } learner @include(if: false) { id } result { id } } } } }',
      'registrations',
      tokens.ADMIN,
    );
    expect(skipped.errors).toBeUndefined();
    expect(skipped.statements.join('\n')).not.toMatch(/"payment"|"learner"|appointment/);
    expect(skipped.statements.join('\n')).toMatch(/exam_result/);
  });
});
