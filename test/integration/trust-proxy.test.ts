import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/http/app';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * SECURITY.md "Brute force": per-address limits count the client's address. Behind a reverse proxy
 * (TRUST_PROXY names it) that is the address the proxy forwards; from anyone else X-Forwarded-For is
 * ignored, so a client cannot pick a fresh address per request. Shown on the /verify limit (R-CER-3).
 */

let s: TestServer;
const apps: App[] = [];
const LIMIT = 5;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const a of apps) await a.fastify.close();
  await s?.close();
});

async function instance(trustProxy: string | undefined): Promise<App> {
  const config = { ...s.config, verifyRateLimitPerMinute: LIMIT, trustProxy: trustProxy ? [trustProxy] : [] };
  const app = await createApp({ config, orm: s.orm, clientUrl: s.dbUrl, clock: s.clock, jobs: [], logger: false });
  await app.fastify.ready();
  apps.push(app);
  return app;
}

let peer = 0;
/** A loopback peer address of its own for each test (the limit of one test does not touch another). */
const newPeer = () => `127.0.${Math.floor(++peer / 250) + 50}.${(peer % 250) + 1}`;

function verify(app: App, peerAddress: string, forwardedFor?: string) {
  return app.fastify.inject({
    method: 'GET',
    url: '/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ',
    headers: { accept: 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    remoteAddress: peerAddress,
  });
}

describe('TRUST_PROXY and per-address limits', () => {
  it('R-CER-3: behind a trusted proxy, each forwarded client has its own limit', async () => {
    const app = await instance('127.0.0.0/8');
    const proxy = newPeer();
    for (let i = 0; i < LIMIT; i++) expect((await verify(app, proxy, '203.0.113.7')).statusCode).toBe(404);
    expect((await verify(app, proxy, '203.0.113.7')).statusCode).toBe(429);
    // Another client behind the same proxy is not blocked by the first one's lookups.
    expect((await verify(app, proxy, '203.0.113.8')).statusCode).toBe(404);
  });

  it('R-CER-3: without TRUST_PROXY, X-Forwarded-For is ignored: a client cannot escape its limit by changing the header', async () => {
    const app = await instance(undefined);
    const client = newPeer();
    for (let i = 0; i < LIMIT; i++) expect((await verify(app, client, `198.51.100.${i + 1}`)).statusCode).toBe(404);
    expect((await verify(app, client, '198.51.100.99')).statusCode).toBe(429);
  });

  it('R-CER-3: a peer that is not the trusted proxy cannot forge X-Forwarded-For', async () => {
    const app = await instance('10.0.0.0/8');
    const client = newPeer();
    for (let i = 0; i < LIMIT; i++) expect((await verify(app, client, `198.51.100.${i + 1}`)).statusCode).toBe(404);
    expect((await verify(app, client, '198.51.100.99')).statusCode).toBe(429);
  });
});
