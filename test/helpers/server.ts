import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { type Role } from '../../src/domain/roles';
import { type App, createApp } from '../../src/http/app';
import { type JobDefinition } from '../../src/jobs/job';
import { loggerOptions } from '../../src/logging';
import { createTestDatabase } from './database';

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const STAFF_PASSWORD = 'staff-password-for-tests';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  headers: Headers;
}

export interface TestServer {
  url: string;
  dbUrl: string;
  orm: Orm;
  app: App;
  config: Config;
  clock: TestClock;
  /** POST /graphql as the given token (or anonymous). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  /** A token for a role: staff users are created on first use; INTEGRATION is an API token; ADMIN is the first admin. */
  tokenFor(role: Role | 'ANONYMOUS'): Promise<string | undefined>;
  /** A learner token for a new learner (created through upsertLearner). */
  newLearner(overrides?: Partial<{ externalId: string; email: string; username: string; givenName: string; familyName: string }>): Promise<{ id: string; token: string }>;
  /** Moves the domain clock through setTestClock. */
  setClock(instant: string | Date): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  jobs?: JobDefinition[];
  /** Skip migrations (for /readyz before migrations): the database starts empty. */
  emptyDatabase?: boolean;
  /** Log every line (level trace, the production redaction) to this stream instead of nowhere. */
  logStream?: { write(line: string): void };
}

/**
 * The real HTTP server on its own fresh database (a copy of the migrated template), on a free
 * loopback port, with TEST_CLOCK on and the cron schedule off. One per test file.
 */
export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase({ empty: opts.emptyDatabase });
  const dataDir = mkdtempSync(join(tmpdir(), 'cbo-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    TEST_CLOCK: '1',
    JOBS: 'off',
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const clock = new TestClock();
  const orm = await createOrm(db.url, { pool: { min: 0, max: 20 } });
  const logger = opts.logStream ? loggerOptions({ logLevel: 'trace' }, opts.logStream) : false;
  const app = await createApp({ config, orm, clientUrl: db.url, clock, jobs: opts.jobs, logger });
  if (!opts.emptyDatabase) await app.services.identity.ensureFirstAdmin(orm.em.fork());
  if (!opts.emptyDatabase) await app.scheduler.start();
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  async function gql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: GqlResult['errors'] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  const tokens = new Map<string, string>();
  async function login(email: string, password: string): Promise<string> {
    const r = await gql<{ login: { token: string | null; errors: unknown[] } }>(
      'mutation($i: LoginInput!) { login(input: $i) { token errors { code message } } }',
      { i: { email, password } },
    );
    if (!r.data?.login.token) throw new Error(`login failed for ${email}: ${JSON.stringify(r)}`);
    return r.data.login.token;
  }
  async function tokenFor(role: Role | 'ANONYMOUS'): Promise<string | undefined> {
    if (role === 'ANONYMOUS') return undefined;
    const cached = tokens.get(role);
    if (cached) return cached;
    let token: string;
    const admin = tokens.get('ADMIN') ?? (await login(ADMIN_EMAIL, ADMIN_PASSWORD));
    tokens.set('ADMIN', admin);
    if (role === 'ADMIN') return admin;
    if (role === 'INTEGRATION') {
      const r = await gql<{ createApiToken: { token: string } }>('mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token errors { code } } }', { i: { name: 'platform', roles: ['INTEGRATION'] } }, admin);
      token = r.data!.createApiToken.token;
    } else if (role === 'LEARNER') {
      token = (await newLearner()).token;
    } else {
      const email = `${role.toLowerCase()}@test.local`;
      const r = await gql('mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { staffUser { id } errors { code message } } }', { i: { email, displayName: `${role} staff`, password: STAFF_PASSWORD, roles: [role] } }, admin);
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      token = await login(email, STAFF_PASSWORD);
    }
    tokens.set(role, token);
    return token;
  }

  let learnerSeq = 0;
  async function newLearner(overrides: Partial<{ externalId: string; email: string; username: string; givenName: string; familyName: string }> = {}) {
    const integration = await tokenFor('INTEGRATION');
    const n = ++learnerSeq;
    const input = { externalId: `ext-${n}-${randomBytes(3).toString('hex')}`, email: `learner${n}@example.org`, username: `learner${n}`, givenName: 'Camille', familyName: `Martin${n}`, ...overrides };
    const r = await gql<{ upsertLearner: { learner: { id: string } } }>('mutation($i: UpsertLearnerInput!) { upsertLearner(input: $i) { learner { id } errors { code message } } }', { i: input }, integration);
    const id = r.data!.upsertLearner.learner.id;
    const t = await gql<{ issueLearnerToken: { token: string } }>('mutation($id: ID!) { issueLearnerToken(learnerId: $id) { token errors { code } } }', { id }, integration);
    return { id, token: t.data!.issueLearnerToken.token };
  }

  async function setClock(instant: string | Date) {
    const r = await gql('mutation($t: DateTime!) { setTestClock(now: $t) }', { t: new Date(instant).toISOString() }, await tokenFor('ADMIN'));
    if (r.errors) throw new Error(JSON.stringify(r.errors));
  }

  return {
    url,
    dbUrl: db.url,
    orm,
    app,
    config,
    clock,
    gql,
    tokenFor,
    newLearner,
    setClock,
    async close() {
      await app.fastify.close();
      await orm.close(true);
      await db.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
