import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

async function post(s: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('an unexpected error in a resolver is masked', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await s.tokenFor('ADMIN');
    // Make the database fail the query the resolver needs.
    const sql = await sqlClient(s.dbUrl);
    try {
      await sql.query('drop table certification_session cascade');
    } finally {
      await sql.end();
    }
  });
  afterAll(() => s?.close());

  it('top-level INTERNAL_SERVER_ERROR with a generic message and the request id, no stack or SQL', async () => {
    const admin = await s.tokenFor('ADMIN');
    const res = await post(s, { query: '{ certificationSessions(first: 5) { totalCount edges { node { id courseCode } } } }' }, { authorization: `Bearer ${admin}` });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const body = JSON.parse(res.text) as GqlBody;
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    const [err] = body.errors!;
    expect(err.message).toBe('Internal server error');
    expect(err.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(err.extensions?.requestId).toBe(requestId);
    expect(err.path).toEqual(['certificationSessions']);
    expect(Object.keys(err.extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    const text = res.text.toLowerCase();
    for (const leak of ['stacktrace', 'stack', 'certification_session', 'select ', 'relation', 'does not exist', 'tablenotfound', 'node_modules', '.ts:', 'exception']) {
      expect(text, `the response leaks "${leak}": ${res.text}`).not.toContain(leak);
    }
  });

  it('an incoming request id is the one given in the masked error', async () => {
    const admin = await s.tokenFor('ADMIN');
    const res = await post(s, { query: '{ certificationSessions { totalCount } }' }, { authorization: `Bearer ${admin}`, 'x-request-id': 'trace-errors-1' });
    const body = JSON.parse(res.text) as GqlBody;
    expect(res.headers.get('x-request-id')).toBe('trace-errors-1');
    expect(body.errors?.[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-errors-1' });
  });

  it('the rest of the API keeps working', async () => {
    const r = await s.gql<{ viewer: { kind: string } }>('{ viewer { kind } }', {}, await s.tokenFor('ADMIN'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.viewer.kind).toBe('STAFF');
  });
});

describe('client errors', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  it('R-SEC-3: a business refusal inside a query is BAD_USER_INPUT with errorCode and field', async () => {
    const r = await s.gql('query($q: String) { learners(search: $q) { totalCount } }', { q: 'a'.repeat(256) }, await s.tokenFor('SUPPORT'));
    expect(r.data ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'VALIDATION_FAILED', field: ['search'] });
    expect(r.errors![0].message).toMatch(/255/);
    expect(r.errors![0].extensions).not.toHaveProperty('stacktrace');
  });

  it('R-SEC-3: a search of 255 characters is accepted', async () => {
    const r = await s.gql<{ learners: { totalCount: number } }>('query($q: String) { learners(search: $q) { totalCount } }', { q: 'a'.repeat(255) }, await s.tokenFor('SUPPORT'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.learners.totalCount).toBe(0);
  });

  it('a GraphQL validation error keeps its message and has no stack trace', async () => {
    const r = await post(s, { query: '{ noSuchField }' });
    const body = JSON.parse(r.text) as GqlBody;
    expect(r.status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0].message).toMatch(/noSuchField/);
    expect(r.text).not.toMatch(/stacktrace/i);
  });

  it('batched requests (a JSON array body) are refused', async () => {
    const r = await post(s, [{ query: '{ serverTime }' }, { query: '{ viewer { kind } }' }]);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain('"serverTime"');
  });

  it('CSRF prevention: a GET without a preflight-forcing header is refused', async () => {
    const res = await fetch(`${s.url}/graphql?query=${encodeURIComponent('{ serverTime }')}`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/CSRF/i);
    expect(text).not.toContain('"serverTime"');
  });

  it('CSRF prevention: a POST with a "simple" content type (text/plain) is refused', async () => {
    const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ serverTime }' }) });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('"serverTime"');
  });

  it('CSRF prevention: a GET with apollo-require-preflight answers', async () => {
    const res = await fetch(`${s.url}/graphql?query=${encodeURIComponent('{ serverTime }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as GqlBody;
    expect(body.errors).toBeUndefined();
    expect(typeof body.data?.serverTime).toBe('string');
  });

  it('a POST with content-type application/json answers', async () => {
    const r = await post(s, { query: '{ serverTime }' });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as GqlBody;
    expect(body.errors).toBeUndefined();
    expect(typeof body.data?.serverTime).toBe('string');
  });
});
