import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/orm';
import { type EmptyDatabaseServer, startEmptyDatabaseServer } from '../helpers/platform-empty-server';
import { startTestServer, type TestServer } from '../helpers/server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function postGraphQL(s: { url: string }, query: string, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
}

describe('health and readiness before and after migrations', () => {
  // startTestServer({ emptyDatabase: true }) cannot start (its scheduler start reads job_run): see the helper.
  let s: EmptyDatabaseServer;
  beforeAll(async () => {
    s = await startEmptyDatabaseServer();
  });
  afterAll(() => s?.close());

  it('/healthz answers 200 while the database has no schema', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('/healthz answers 200 with a query string too (probes may add one)', async () => {
    expect((await fetch(`${s.url}/healthz?probe=liveness`)).status).toBe(200);
  });

  it('/readyz answers 503 before migrations', async () => {
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('GraphQL answers 503 before migrations', async () => {
    const res = await postGraphQL(s, '{ serverTime }');
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await s.app.isReady()).toBe(false);
  });

  it('after the migrations, /readyz answers 200 and GraphQL answers', async () => {
    await migrate(s.orm);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    const res = await postGraphQL(s, '{ serverTime viewer { kind } }');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { serverTime: string; viewer: { kind: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.viewer.kind).toBe('ANONYMOUS');
    expect(Number.isNaN(Date.parse(body.data!.serverTime))).toBe(false);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // As in src/main.ts, the job schedule starts once the schema is there.
    await expect(s.app.scheduler.start()).resolves.toBeUndefined();
  });
});

describe('x-request-id', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  it('every response carries one, fresh for each request', async () => {
    const responses = [
      await fetch(`${s.url}/healthz`),
      await fetch(`${s.url}/readyz`),
      await postGraphQL(s, '{ serverTime }'),
      await postGraphQL(s, '{ notAField }'),
      await fetch(`${s.url}/no-such-route`),
    ];
    expect(responses[1].status).toBe(200);
    expect(responses[4].status).toBe(404);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a valid incoming x-request-id is echoed', async () => {
    const given = 'lb-trace_42.abc-DEF';
    expect((await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': given } })).headers.get('x-request-id')).toBe(given);
    expect((await postGraphQL(s, '{ serverTime }', { 'x-request-id': given })).headers.get('x-request-id')).toBe(given);
  });

  it('an unusable incoming x-request-id is replaced by a fresh one', async () => {
    for (const given of ['has spaces in it', 'x'.repeat(65), '<script>']) {
      const id = (await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': given } })).headers.get('x-request-id');
      expect(id).not.toBe(given);
      expect(id).toMatch(UUID);
    }
  });
});
