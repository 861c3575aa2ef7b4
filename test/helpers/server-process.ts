import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded';
import { type Role } from '../../src/domain/roles';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type GqlResult, STAFF_PASSWORD } from './server';

/**
 * The real server as an OS process (`node dist/src/main.js`), for tests that kill it (crash drills)
 * or run several on one database. `buildServer()` first (compiles only when a source is newer).
 */

const root = join(__dirname, '..', '..');

export function buildServer(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], { cwd: root, stdio: 'inherit' });
}

/** Polls `check` every `everyMs` until it is true (errors count as false), or fails after `deadlineMs`. */
export async function until(what: string, check: () => Promise<boolean>, deadlineMs = 30_000, everyMs = 50): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not within ${deadlineMs} ms`);
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** What the process printed (the last 256 kB), for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9, and waits for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful drain), and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/src/main.js` on a free loopback port with `env` (DATABASE_URL, DATA_DIR and
 * TOKEN_SECRET at least) and waits until /readyz answers 200 (migrations, the first ADMIN, refund
 * recovery and the scheduler's start are done by then).
 */
export async function spawnServer(env: Record<string, string>, readyWithinMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', ADMIN_EMAIL, ADMIN_PASSWORD, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-256 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));
  const proc: ServerProcess = {
    url,
    pid: child.pid!,
    output: () => out,
    exited,
    async kill9() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await until(
      `server ${url} ready`,
      async () => {
        if (gone) throw new Error('exited');
        return (await fetch(`${url}/readyz`)).status === 200;
      },
      readyWithinMs,
      100,
    );
  } catch (err) {
    await proc.kill9();
    throw new Error(`${String(err)}\n--- server output ---\n${out}`);
  }
  return proc;
}

/** The environment shared by every process of one installation (same database, data directory, secrets). */
export function installationEnv(dbUrl: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    DATA_DIR: dataDir,
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    PROCTORU_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
    ...extra,
  };
}

export interface ApiClient {
  /** The server the client talks to (changes when the process is restarted). */
  url: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  /** As TestServer.tokenFor: staff users are created on first use (tokens survive restarts: same TOKEN_SECRET). */
  tokenFor(role: Role | 'ANONYMOUS'): Promise<string | undefined>;
  newLearner(overrides?: Partial<{ externalId: string; email: string; username: string; givenName: string; familyName: string }>): Promise<{ id: string; token: string }>;
  setClock(instant: string | Date): Promise<void>;
}

/** GraphQL over HTTP to whichever process `client.url` names: the TestServer calls the factories use. */
export function apiClient(url: string): ApiClient {
  const tokens = new Map<string, string>();
  let learnerSeq = 0;
  const client: ApiClient = {
    url,
    async gql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>> {
      const res = await fetch(`${client.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: GqlResult['errors'] };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    },
    async tokenFor(role) {
      if (role === 'ANONYMOUS') return undefined;
      const cached = tokens.get(role);
      if (cached) return cached;
      const admin = tokens.get('ADMIN') ?? (await login(ADMIN_EMAIL, ADMIN_PASSWORD));
      tokens.set('ADMIN', admin);
      if (role === 'ADMIN') return admin;
      let token: string;
      if (role === 'INTEGRATION') {
        const r = await client.gql<{ createApiToken: { token: string } }>('mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token errors { code } } }', { i: { name: 'platform', roles: ['INTEGRATION'] } }, admin);
        token = r.data!.createApiToken.token;
      } else if (role === 'LEARNER') {
        token = (await client.newLearner()).token;
      } else {
        const email = `${role.toLowerCase()}@test.local`;
        const r = await client.gql('mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { staffUser { id } errors { code message } } }', { i: { email, displayName: `${role} staff`, password: STAFF_PASSWORD, roles: [role] } }, admin);
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        token = await login(email, STAFF_PASSWORD);
      }
      tokens.set(role, token);
      return token;
    },
    async newLearner(overrides = {}) {
      const integration = await client.tokenFor('INTEGRATION');
      const n = ++learnerSeq;
      const input = { externalId: `ext-${n}-${randomBytes(3).toString('hex')}`, email: `learner${n}@example.org`, username: `learner${n}`, givenName: 'Camille', familyName: `Martin${n}`, ...overrides };
      const r = await client.gql<{ upsertLearner: { learner: { id: string } } }>('mutation($i: UpsertLearnerInput!) { upsertLearner(input: $i) { learner { id } errors { code message } } }', { i: input }, integration);
      const id = r.data!.upsertLearner.learner.id;
      const t = await client.gql<{ issueLearnerToken: { token: string } }>('mutation($id: ID!) { issueLearnerToken(learnerId: $id) { token errors { code } } }', { id }, integration);
      return { id, token: t.data!.issueLearnerToken.token };
    },
    async setClock(instant) {
      const r = await client.gql('mutation($t: DateTime!) { setTestClock(now: $t) }', { t: new Date(instant).toISOString() }, await client.tokenFor('ADMIN'));
      if (r.errors) throw new Error(JSON.stringify(r.errors));
    },
  };
  async function login(email: string, password: string): Promise<string> {
    const r = await client.gql<{ login: { token: string | null } }>('mutation($i: LoginInput!) { login(input: $i) { token errors { code message } } }', { i: { email, password } });
    if (!r.data?.login.token) throw new Error(`login failed for ${email}: ${JSON.stringify(r)}`);
    return r.data.login.token;
  }
  return client;
}
