import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../bench/generate';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Issue 10: the staff list pages (registrations, refundRequests, fraudCases) read plain rows in SQL
 * (services/plain-rows.ts) instead of entities. Walking a list page by page with `after` must give
 * every row once, in the list's order, even where many rows share the first sort key (the generated
 * population creates registrations by the day), with the same relations as one large page.
 */
let s: TestServer;
let token: string;

beforeAll(async () => {
  s = await startTestServer();
  await generatePopulation(s.dbUrl, { registrations: 1000, now: s.clock.now() });
  token = (await s.tokenFor('ADMIN'))!;
}, 120_000);

afterAll(async () => {
  await s?.close();
});

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Record<string, unknown> & { id: string } }[];
}

async function page(field: string, args: string, selection: string, first: number, after?: string | null): Promise<Page> {
  const r = await s.gql<Record<string, Page>>(
    `query($first: Int!, $after: String) { ${field}(${args ? `${args}, ` : ''}first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${selection} } } } }`,
    { first, after },
    token,
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data![field];
}

/** Every page of the list, `size` rows at a time. */
async function walk(field: string, args: string, selection: string, size: number): Promise<{ total: number; nodes: Page['edges'][number]['node'][] }> {
  const nodes: Page['edges'][number]['node'][] = [];
  let after: string | null = null;
  let total = -1;
  for (let i = 0; i < 1000; i++) {
    const p: Page = await page(field, args, selection, size, after);
    total = p.totalCount;
    nodes.push(...p.edges.map((e) => e.node));
    if (p.edges.length) expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
    if (!p.pageInfo.hasNextPage) break;
    expect(p.edges).toHaveLength(size);
    after = p.pageInfo.endCursor;
  }
  return { total, nodes };
}

/** (key, id) ascending: the instants are ISO strings and the ids lower-case uuids, so string order is the database's. */
function expectOrdered(nodes: Record<string, unknown>[], key: string) {
  for (let i = 1; i < nodes.length; i++) {
    const a = [String(nodes[i - 1][key]), String(nodes[i - 1].id)];
    const b = [String(nodes[i][key]), String(nodes[i].id)];
    expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `${a.join(' ')} before ${b.join(' ')}`).toBe(true);
  }
}

const REGISTRATION = `id status createdAt nextStep learner { id familyName proctoringProfile { complete } }
  payment { id amountCents paidAt } activeAppointment { id startsAt status } result { id totalScore status } certificate { id status }`;

describe('staff list pages read as plain rows (issue 10)', () => {
  it('registrations: pages of 50 give all 1 000 once, oldest first (ties on createdAt broken by id), with their relations', async () => {
    const { total, nodes } = await walk('registrations', '', REGISTRATION, 50);
    expect(total).toBe(1000);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(1000);
    expectOrdered(nodes, 'createdAt');
    expect(new Set(nodes.map((n) => n.createdAt)).size).toBeLessThan(200);
    // The same rows and relations as one page of 200 (a batch of 200 keys, not of 50).
    const big = await page('registrations', '', REGISTRATION, 200);
    expect(big.edges.map((e) => e.node)).toEqual(nodes.slice(0, 200));
    expect(nodes.some((n) => n.payment) && nodes.some((n) => n.activeAppointment) && nodes.some((n) => n.result) && nodes.some((n) => n.certificate)).toBe(true);
  });

  it('refundRequests: all, needsAction and the rest, walked 7 at a time, oldest request first', async () => {
    const selection = 'id status requestedAt payment { id numTrans } registration { id learner { id email } }';
    const all = await walk('refundRequests', '', selection, 7);
    const open = await walk('refundRequests', 'filter: { needsAction: true }', selection, 7);
    const closed = await walk('refundRequests', 'filter: { needsAction: false }', selection, 7);
    expect(all.nodes).toHaveLength(all.total);
    expect(open.nodes).toHaveLength(open.total);
    expect(open.total).toBeGreaterThan(0);
    expect(open.total + closed.total).toBe(all.total);
    expect(open.nodes.every((n) => n.status === 'SUBMITTED')).toBe(true);
    expect(closed.nodes.every((n) => n.status !== 'SUBMITTED')).toBe(true);
    for (const l of [all, open, closed]) expectOrdered(l.nodes, 'requestedAt');
    expect(all.nodes.every((n) => (n.payment as { id: string }).id && (n.registration as { learner: { email: string } }).learner.email)).toBe(true);
  });

  it('R-EVI-5: fraudCases: the open queue by purge deadline, the others by opening, walked 1 at a time, with their evidence', async () => {
    const selection = 'id status openedAt purgeDeadline evidence { id kind status }';
    const open = await walk('fraudCases', 'filter: { open: true }', selection, 1);
    const closed = await walk('fraudCases', 'filter: { open: false }', selection, 1);
    const all = await walk('fraudCases', '', selection, 1);
    expect(open.total).toBeGreaterThan(0);
    expect(open.nodes).toHaveLength(open.total);
    expect(open.total + closed.total).toBe(all.total);
    expectOrdered(open.nodes, 'purgeDeadline');
    expectOrdered(all.nodes, 'openedAt');
    expect(open.nodes.every((n) => ['OPEN', 'UNDER_REVIEW'].includes(n.status as string))).toBe(true);
    expect(all.nodes.some((n) => (n.evidence as unknown[]).length > 0)).toBe(true);
  });

  it('first: 0 tells the total only; a cursor of another list or a forged one is BAD_USER_INPUT', async () => {
    const zero = await page('registrations', '', 'id', 0);
    expect(zero).toMatchObject({ totalCount: 1000, edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
    const regs = await page('registrations', '', 'id', 1);
    for (const after of [regs.pageInfo.endCursor, 'not-a-cursor', Buffer.from(JSON.stringify({ l: 'RefundRequest:requestedAt,id', v: [{ $gt: 1 }, 'x'] })).toString('base64url')]) {
      const r = await s.gql('query($a: String) { refundRequests(first: 1, after: $a) { totalCount } }', { a: after }, token);
      expect(r.errors?.[0]?.extensions?.code, String(after)).toBe('BAD_USER_INPUT');
    }
  });
});
