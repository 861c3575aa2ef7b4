import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../../src/auth/tokens';
import { ConfigError, loadConfig } from '../../src/config';
import { type App, createApp } from '../../src/http/app';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Issue 13, rotating TOKEN_SECRET without logging everyone out at once (docs/operations.md): the new
 * secret signs, the previous one (TOKEN_SECRET_PREVIOUS, or listed after the first in TOKEN_SECRET)
 * still verifies until it is removed.
 */

const OLD = randomBytes(32).toString('base64url');
const NEW = randomBytes(32).toString('base64url');
let s: TestServer;
const apps: App[] = [];

beforeAll(async () => {
  s = await startTestServer({ env: { TOKEN_SECRET: OLD } });
});
afterAll(async () => {
  for (const a of apps) await a.fastify.close();
  await s?.close();
});

/** Another instance of the server on the same database, with other secrets (as after a rolling restart). */
async function instance(env: Record<string, string>): Promise<App> {
  const config = loadConfig({ ...envOf(s), ...env });
  const app = await createApp({ config, orm: s.orm, clientUrl: s.dbUrl, clock: s.clock, logger: false, jobs: [] });
  apps.push(app);
  return app;
}

function envOf(t: TestServer): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: t.dbUrl, DATA_DIR: t.config.dataDir, TEST_CLOCK: '1', JOBS: 'off', LOG_LEVEL: 'silent' };
}

async function viewerKind(app: App, token: string): Promise<{ kind: string; code?: string }> {
  const r = await app.fastify.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, payload: { query: '{ viewer { kind } }' } });
  const body = r.json() as { data?: { viewer: { kind: string } }; errors?: { extensions: { code: string } }[] };
  return { kind: body.data?.viewer.kind ?? 'none', code: body.errors?.[0]?.extensions.code };
}

describe('TOKEN_SECRET rotation', () => {
  it('a session signed with the previous secret stays valid while TOKEN_SECRET_PREVIOUS lists it; new sessions use the new secret', async () => {
    const oldSession = (await s.tokenFor('ADMIN'))!;
    const oldLearner = (await s.newLearner()).token;
    const rotated = await instance({ TOKEN_SECRET: NEW, TOKEN_SECRET_PREVIOUS: OLD });
    expect(await viewerKind(rotated, oldSession)).toEqual({ kind: 'STAFF' });
    expect((await viewerKind(rotated, oldLearner)).kind).toBe('LEARNER');

    // A login on the rotated instance is signed with the new secret: the old-only instance refuses it.
    const login = await rotated.fastify.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: { query: 'mutation($i: LoginInput!) { login(input: $i) { token } }', variables: { i: { email: 'admin@test.local', password: 'admin-password-for-tests' } } },
    });
    const newSession = (login.json() as { data: { login: { token: string } } }).data.login.token;
    expect(await viewerKind(rotated, newSession)).toEqual({ kind: 'STAFF' });
    expect(new TokenSigner(NEW).verify(newSession, Date.now()).ok).toBe(true);
    expect(new TokenSigner(OLD).verify(newSession, Date.now()).ok).toBe(false);
  });

  it('once the previous secret is removed, its sessions are refused (the caller is anonymous)', async () => {
    const oldSession = (await s.tokenFor('ADMIN'))!;
    const done = await instance({ TOKEN_SECRET: NEW });
    expect(await viewerKind(done, oldSession)).toEqual({ kind: 'ANONYMOUS' });
  });

  it('TOKEN_SECRET may list the previous secrets after the current one; signed links follow the same rule', async () => {
    const listed = await instance({ TOKEN_SECRET: `${NEW},${OLD}` });
    expect(await viewerKind(listed, (await s.tokenFor('ADMIN'))!)).toEqual({ kind: 'STAFF' });

    const expires = Math.floor(Date.now() / 1000) + 600;
    const oldLink = new TokenSigner(OLD).signLink('certificate', 'c1', expires);
    expect(new TokenSigner(NEW, [OLD]).verifyLink('certificate', 'c1', expires, oldLink, Date.now())).toBe(true);
    expect(new TokenSigner(NEW).verifyLink('certificate', 'c1', expires, oldLink, Date.now())).toBe(false);
    expect(new TokenSigner(NEW, [OLD]).signLink('certificate', 'c1', expires)).toBe(new TokenSigner(NEW).signLink('certificate', 'c1', expires));
  });

  it('a previous secret shorter than 32 characters stops the start', () => {
    expect(() => loadConfig({ TOKEN_SECRET: NEW, TOKEN_SECRET_PREVIOUS: 'short', DATA_DIR: s.config.dataDir })).toThrow(ConfigError);
    expect(() => loadConfig({ TOKEN_SECRET: `${NEW},short`, DATA_DIR: s.config.dataDir })).toThrow(ConfigError);
  });
});
