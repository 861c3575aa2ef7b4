import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { sqlClient } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/** SECURITY.md "Production mode": what NODE_ENV=production turns off, on and closed. */

const PRODUCTION = { NODE_ENV: 'production', TEST_CLOCK: '0' };
const LEAKS = ['stacktrace', 'exception', 'node_modules', '.ts:', '.js:', 'select ', 'relation', 'does not exist', 'did you mean'];

function expectNoLeak(text: string): void {
  for (const leak of LEAKS) expect(text.toLowerCase(), `the response leaks "${leak}": ${text}`).not.toContain(leak);
}

describe('NODE_ENV=production', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: PRODUCTION });
  });
  afterAll(() => s?.close());

  it('TEST_CLOCK=1 is refused at start', () => {
    const start = () => loadConfig({ NODE_ENV: 'production', TEST_CLOCK: '1', TOKEN_SECRET: 'x'.repeat(32), PROCTORU_WEBHOOK_SECRET: 'y'.repeat(32), DATA_DIR: s.config.dataDir });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/TEST_CLOCK/);
    expect(s.config.testClock).toBe(false);
  });

  it('introspection is off', async () => {
    const r = await s.gql('{ __schema { queryType { name } } }');
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0].message).toMatch(/introspection/i);
    const typeQuery = await s.gql('{ __type(name: "Learner") { fields { name } } }');
    expect(typeQuery.status).toBe(400);
    expect(JSON.stringify(typeQuery.errors)).not.toContain('proctoringProfile');
  });

  it('no field suggestions', async () => {
    const r = await s.gql('{ viewr { kind } }');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.errors)).not.toMatch(/did you mean|"viewer"/i);
  });

  it('GraphiQL and the landing page are off', async () => {
    expect(s.config.graphiql).toBe(false);
    expect((await fetch(`${s.url}/graphiql`, { headers: { accept: 'text/html' } })).status).toBe(404);
    const landing = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(landing.headers.get('content-type') ?? '').not.toContain('text/html');
    expect((await landing.text()).toLowerCase()).not.toContain('<html');
  });

  it('security headers are set (helmet)', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('CORS is closed by default: a foreign origin gets no allow-origin, on preflight or request', async () => {
    const origin = 'https://evil.example';
    const preflight = await fetch(`${s.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ serverTime }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a business refusal and a bad input carry no stack trace', async () => {
    const bad = await s.gql('mutation($i: LoginInput!) { login(input: $i) { token errors { code message } } }', { i: { email: 'nobody@example.org', password: 123 } });
    expect(bad.status).toBe(400);
    expectNoLeak(JSON.stringify(bad.errors));
    const refused = await s.gql('{ learner(id: "not-a-uuid") { id } }', {}, await s.tokenFor('SUPPORT'));
    expectNoLeak(JSON.stringify(refused));
  });

  it('malformed bodies and unknown routes answer 4xx without a stack trace', async () => {
    const malformed = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ serverTime }"' });
    expect(malformed.status).toBe(400);
    expectNoLeak(await malformed.text());
    const missing = await fetch(`${s.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expectNoLeak(await missing.text());
  });

  it('an internal error is masked: generic message, request id, no stack or SQL', async () => {
    const admin = await s.tokenFor('ADMIN');
    const sql = await sqlClient(s.dbUrl);
    try {
      await sql.query('alter table certification_session rename to certification_session_gone');
      const r = await s.gql('{ certificationSessions(first: 5) { totalCount } }', {}, admin);
      expect(r.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expectNoLeak(JSON.stringify(r.errors));
    } finally {
      await sql.query('alter table certification_session_gone rename to certification_session');
      await sql.end();
    }
  });
});

describe('CORS_ORIGINS opens CORS to the listed origins only', () => {
  let s: TestServer;
  const allowed = 'https://admin.example.org';
  beforeAll(async () => {
    s = await startTestServer({ env: { ...PRODUCTION, CORS_ORIGINS: `${allowed}, https://other.example.org` } });
  });
  afterAll(() => s?.close());

  it('a listed origin is allowed on preflight and request; another is not', async () => {
    const preflight = (origin: string) =>
      fetch(`${s.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { origin: allowed, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ serverTime }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a malformed CORS_ORIGINS is refused at start', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'admin.example.org/path', TOKEN_SECRET: 'x'.repeat(32), PROCTORU_WEBHOOK_SECRET: 'y'.repeat(32), DATA_DIR: s.config.dataDir })).toThrow(/CORS_ORIGINS/);
  });
});
