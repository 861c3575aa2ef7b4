import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS } from '../../src/http/security';
import { type GqlResult, startTestServer, type TestServer } from '../helpers/server';

/**
 * SECURITY.md "GraphQL abuse": every over-limit document is refused at parse or validation time, so no
 * resolver runs: the answer is a 400 without `data`, and a mutation carrying the abuse writes nothing.
 * (Batched requests and CSRF prevention are proven in errors.test.ts.)
 */

/** `learner { registrations { learner { registrations … } } }` nested to the given depth (fields only). */
function nested(depth: number, leaf = 'id'): string {
  let sel = leaf;
  for (let d = depth; d >= 1; d--) sel = d % 2 === 1 ? `registrations { id ${sel} }` : `learner { id ${sel} }`;
  return sel;
}
const VIEWER_DEPTH_OFFSET = 2; // viewer { learner { … } }
const deepViewer = (depth: number) => `{ viewer { learner { ${nested(depth - VIEWER_DEPTH_OFFSET - 1)} } } }`;

function expectRefused(r: GqlResult, pattern: RegExp): void {
  expect(r.status, JSON.stringify(r.errors)).toBe(400);
  expect(r.data).toBeUndefined();
  expect(r.errors?.[0]?.message).toMatch(pattern);
  expect(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']).toContain(r.errors?.[0]?.extensions?.code);
  expect(JSON.stringify(r.errors)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
}

describe('GraphQL abuse limits', () => {
  let s: TestServer;
  let integration: string;
  let learner: string;
  const learnerCount = async () => Number((await s.orm.em.fork().execute<{ n: string }[]>('select count(*) as n from learner'))[0].n);
  /** An upsertLearner mutation whose selection carries `selection` (abuse) inside the payload's learner. */
  const upsert = (selection: string, extra = '') =>
    `mutation($i: UpsertLearnerInput!) { upsertLearner(input: $i) { learner { ${selection} } errors { code } } ${extra} }`;
  const newLearnerInput = (n: string) => ({ i: { externalId: `limits-${n}`, email: `limits-${n}@example.org`, username: `limits${n}`, givenName: 'Ada', familyName: 'Lovelace' } });

  beforeAll(async () => {
    s = await startTestServer();
    integration = (await s.tokenFor('INTEGRATION'))!;
    learner = (await s.newLearner()).token;
  });
  afterAll(async () => s?.close());

  it('a query at the depth limit answers', async () => {
    const r = await s.gql(deepViewer(GRAPHQL_LIMITS.maxDepth), {}, learner);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.status).toBe(200);
  });

  it(`depth ${GRAPHQL_LIMITS.maxDepth + 1} is refused before any resolver runs (query and mutation)`, async () => {
    expectRefused(await s.gql(deepViewer(GRAPHQL_LIMITS.maxDepth + 1), {}, learner), /depth/i);
    const before = await learnerCount();
    expectRefused(await s.gql(upsert(nested(GRAPHQL_LIMITS.maxDepth)), newLearnerInput('deep'), integration), /depth/i);
    expect(await learnerCount()).toBe(before);
  });

  it('depth hidden in named fragments is counted', async () => {
    const doc = `query { viewer { learner { ...A } } }
      fragment A on Learner { registrations { learner { ...B } } }
      fragment B on Learner { registrations { learner { ...C } } }
      fragment C on Learner { registrations { learner { registrations { learner { id } } } } }`;
    expectRefused(await s.gql(doc, {}, learner), /depth/i);
  });

  it('recursive fragments are refused (and do not hang the server)', async () => {
    const doc = `query { viewer { learner { ...A } } } fragment A on Learner { registrations { learner { ...A } } }`;
    expectRefused(await s.gql(doc, {}, learner), /cycle|depth|recurs|itself/i);
    const mutual = `query { viewer { learner { ...A } } } fragment A on Learner { registrations { learner { ...B } } } fragment B on Learner { registrations { learner { ...A } } }`;
    expectRefused(await s.gql(mutual, {}, learner), /cycle|depth|recurs|itself/i);
  });

  it('an operation named __schema, or a field aliased __schema, is not exempt from the depth limit', async () => {
    expectRefused(await s.gql(`query __schema ${deepViewer(GRAPHQL_LIMITS.maxDepth + 1)}`, {}, learner), /depth/i);
    const aliased = `{ __schema: viewer { learner { ${nested(GRAPHQL_LIMITS.maxDepth - 1)} } } }`;
    expectRefused(await s.gql(aliased, {}, learner), /depth/i);
  });

  it(`${GRAPHQL_LIMITS.maxAliases} aliases answer; ${GRAPHQL_LIMITS.maxAliases + 1} are refused before any write`, async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, k) => `t${k}: serverTime`).join(' ');
    const ok = await s.gql(`{ ${aliases(GRAPHQL_LIMITS.maxAliases)} }`, {}, learner);
    expect(ok.errors).toBeUndefined();
    expectRefused(await s.gql(`{ ${aliases(GRAPHQL_LIMITS.maxAliases + 1)} }`, {}, learner), /alias/i);
    const before = await learnerCount();
    const many = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, k) => `u${k}: upsertLearner(input: $i) { learner { id } }`).join(' ');
    expectRefused(await s.gql(`mutation($i: UpsertLearnerInput!) { ${many} }`, newLearnerInput('alias'), integration), /alias/i);
    expect(await learnerCount()).toBe(before);
  });

  it('aliases hidden in a fragment are counted', async () => {
    const fields = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, k) => `x${k}: id`).join(' ');
    expectRefused(await s.gql(`{ viewer { learner { ...F } } } fragment F on Learner { ${fields} }`, {}, learner), /alias/i);
  });

  it(`more than ${GRAPHQL_LIMITS.maxTokens} tokens are refused before any write`, async () => {
    const before = await learnerCount();
    const filler = Array.from({ length: GRAPHQL_LIMITS.maxTokens }, () => 'id').join(' ');
    expectRefused(await s.gql(upsert(filler), newLearnerInput('tokens'), integration), /token/i);
    expect(await learnerCount()).toBe(before);
  });

  it(`more than ${GRAPHQL_LIMITS.maxDirectives} directives are refused`, async () => {
    const spreads = (n: number) => Array.from({ length: n }, () => '...F @include(if: true)').join(' ');
    const doc = (n: number) => `{ viewer { ${spreads(n)} } } fragment F on Viewer { kind }`;
    const ok = await s.gql(doc(GRAPHQL_LIMITS.maxDirectives), {}, learner);
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    expectRefused(await s.gql(doc(GRAPHQL_LIMITS.maxDirectives + 1), {}, learner), /directive/i);
  });

  it('a query over the cost limit (but within depth, aliases and tokens) is refused before any write', async () => {
    // 2000 scalars at depth 10: each weighs 1.5^9 (the cost of depth), about 77 000 in all.
    const heavy = nested(7, Array.from({ length: 2000 }, () => 'id').join(' '));
    expectRefused(await s.gql(`{ viewer { learner { ${heavy} } } }`, {}, learner), /cost/i);
    const before = await learnerCount();
    expectRefused(await s.gql(upsert(heavy), newLearnerInput('cost'), integration), /cost/i);
    expect(await learnerCount()).toBe(before);
  });

  it('a list page of 200 rich nodes stays under the cost limit', async () => {
    const r = await s.gql('{ auditEvents(first: 200) { edges { node { action actor subjectType subjectId details at } } } }', {}, await s.tokenFor('ADMIN'));
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  });

  it('a body over 1 MiB is refused with 413; just under it is read', async () => {
    const post = (bytes: number) =>
      fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ serverTime }', variables: { unused: 'x'.repeat(bytes) } }) });
    const big = await post(1024 * 1024 + 10);
    expect(big.status).toBe(413);
    expect(await big.text()).not.toMatch(/at .*\.(ts|js):\d+/);
    const ok = await post(1000 * 1000);
    expect(ok.status).toBe(200);
  });
});
