import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded';
import { createTestDatabase } from '../helpers/database';

const root = join(__dirname, '..', '..');

/** Starts the built server (`npm start` without the build step) and collects its output. */
function startServer(env: Record<string, string | undefined>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForReady(url: string, deadlineMs: number, server?: { exited: Promise<number | null> }): Promise<{ sawNotReady: boolean }> {
  const until = Date.now() + deadlineMs;
  let sawNotReady = false;
  let exitCode: number | null | undefined;
  void server?.exited.then((c) => (exitCode = c));
  while (Date.now() < until) {
    if (exitCode !== undefined) throw new Error(`the server exited with code ${exitCode} before being ready`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return { sawNotReady };
      if (res.status === 503) sawNotReady = true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz did not answer 200 in ${deadlineMs} ms (last: ${sawNotReady ? 503 : "no answer"})`);
}

describe('start-up with `npm start`', () => {
  const dirs: string[] = [];
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], { cwd: root, stdio: 'inherit' });
  }, 120_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('with no DATABASE_URL: starts the embedded PostgreSQL, migrates, creates the first ADMIN, is ready, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cbo-start-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter it
    dirs.push(dataDir);
    const port = await freePort();
    const server = startServer({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JOBS: 'off', LOG_LEVEL: 'warn' });
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 30_000, server).catch((e) => {
        throw new Error(`${e.message}\n${server.output()}`);
      });
      // The generated password is printed once (right after the migrations) and works.
      let password: string | undefined;
      for (let i = 0; i < 100 && !password; i++) {
        password = /Password \(shown once\): (\S+)/.exec(server.output())?.[1];
        if (!password) await new Promise((r) => setTimeout(r, 100));
      }
      expect(password).toBeTruthy();
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }', variables: { i: { email: 'admin@localhost', password } } }),
      });
      const body = (await res.json()) as { data: { login: { token: string | null } } };
      expect(body.data.login.token).toMatch(/^s\./);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    // The embedded server was stopped: its pid file is gone.
    expect(existsSync(join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'))).toBe(false);

    // A crash mid-upload leaves a temporary file in the object store's staging directory: the next start sweeps it (if an hour old).
    const staging = join(dataDir, 'objects', '.tmp');
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'crashed.part'), 'half an object');
    writeFileSync(join(staging, 'in-flight.part'), 'another instance is writing this');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(staging, 'crashed.part'), twoHoursAgo, twoHoursAgo);

    // A second start reuses the data: no new admin password, same secret.
    const port2 = await freePort();
    const again = startServer({ PORT: String(port2), HOST: '127.0.0.1', DATA_DIR: dataDir, JOBS: 'off', LOG_LEVEL: 'warn' });
    try {
      await waitForReady(`http://127.0.0.1:${port2}`, 30_000, again);
      expect(again.output()).not.toContain('shown once');
      expect(existsSync(join(staging, 'crashed.part'))).toBe(false);
      expect(existsSync(join(staging, 'in-flight.part'))).toBe(true);
    } finally {
      again.child.kill('SIGINT');
    }
    expect(await again.exited).toBe(0);
  }, 90_000);

  it('with DATABASE_URL: uses that database and applies the migrations (ADMIN_EMAIL / ADMIN_PASSWORD honoured)', async () => {
    const db = await createTestDatabase({ empty: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'cbo-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const server = startServer({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      JOBS: 'off',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'ops@example.org',
      ADMIN_PASSWORD: 'a-long-admin-password',
    });
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 30_000, server).catch((e) => {
        throw new Error(`${e.message}\n${server.output()}`);
      });
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($i: LoginInput!) { login(input: $i) { token viewer { roles } } }', variables: { i: { email: 'ops@example.org', password: 'a-long-admin-password' } } }),
      });
      const body = (await res.json()) as { data: { login: { token: string | null; viewer: { roles: string[] } } } };
      expect(body.data.login.viewer.roles).toEqual(['ADMIN']);
      expect(server.output()).not.toContain('shown once');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    await db.drop();
  }, 60_000);
});
