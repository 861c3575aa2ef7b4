import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../bench/generate';
import { SystemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/db/embedded';
import { createOrm, migrate, type Orm, replicaOptions } from '../../src/db/orm';
import { type App, createApp } from '../../src/http/app';

/**
 * Issue 10, item 7: DATABASE_REPLICA_URLS sends exports and financeSummary to a PostgreSQL streaming
 * replica, set up here with the machine's PostgreSQL binaries (initdb a primary with wal_level=replica,
 * pg_basebackup -R, start both). Proof that a read came from the replica: WAL replay is paused on the
 * replica, payments are added on the primary, and the export and the summary still show the replica's
 * older snapshot; once replay resumes they show the new payments. Writes (the export's audit event, the
 * login) go to the primary.
 */
const execFileAsync = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? ['/usr/lib/postgresql'].filter(existsSync).flatMap((d) => readdirSync(d).map((v) => join(d, v, 'bin'))).find((b) => existsSync(join(b, 'pg_basebackup')));
const asRoot = userInfo().uid === 0;
const ADMIN_EMAIL = 'admin@replica.test';
const ADMIN_PASSWORD = 'admin-password-for-replica-test';

/** Runs a PostgreSQL binary, as the `postgres` system user when we are root (the server refuses root). */
async function pgBin(cmd: string, args: string[]): Promise<void> {
  const bin = join(PG_BIN!, cmd);
  if (asRoot) await execFileAsync('runuser', ['-u', 'postgres', '--', bin, ...args]);
  else await execFileAsync(bin, args);
}

let dir: string;
let primaryPort: number;
let replicaPort: number;
let orm: Orm;
let app: App;
let url: string;
let token: string;
const started: string[] = [];

const serverUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}`;
async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(port: number, db: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: `${serverUrl(port)}/${db}` });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** Waits until the replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const [{ lsn }] = await sql<{ lsn: string }>(primaryPort, 'postgres', 'select pg_current_wal_lsn()::text as lsn');
  for (let i = 0; i < 500; i++) {
    const [{ ok }] = await sql<{ ok: boolean }>(replicaPort, 'postgres', `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as ok`);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the replica did not catch up');
}

const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: T; errors?: unknown[] };
};
const PERIOD = { from: '2025-10-01', to: '2026-09-30' };
const exportRows = async () => {
  const res = await fetch(`${url}/reports/payments.csv?from=${PERIOD.from}&to=${PERIOD.to}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.text()).trim().split('\r\n').length - 1; // minus the header row
};
const summaryCount = async () => {
  const r = await gql<{ financeSummary: { paymentsCount: number } }>('query($f: Date!, $t: Date!) { financeSummary(from: $f, to: $t) { paymentsCount } }', { f: PERIOD.from, t: PERIOD.to });
  expect(r.errors).toBeUndefined();
  return r.data!.financeSummary.paymentsCount;
};

beforeAll(async () => {
  if (!PG_BIN) throw new Error('read-replica test: no PostgreSQL server binaries with pg_basebackup (install postgresql, or set PG_BIN)');
  dir = mkdtempSync(join(tmpdir(), 'cbo-replica-'));
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(dir, Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim()), Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim()));
  [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const replica = join(dir, 'replica');
  await pgBin('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--locale=C.UTF-8', '--encoding=UTF8']);
  appendFileSync(primary + '/postgresql.conf', `\nport = ${primaryPort}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nwal_level = replica\nmax_wal_senders = 4\nfsync = off\n`);
  appendFileSync(primary + '/pg_hba.conf', '\nhost replication postgres 127.0.0.1/32 trust\n');
  await pgBin('pg_ctl', ['-D', primary, '-l', join(dir, 'primary.log'), '-w', 'start']);
  started.push(primary);
  await pgBin('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream']);
  appendFileSync(replica + '/postgresql.conf', `\nport = ${replicaPort}\n`);
  await pgBin('pg_ctl', ['-D', replica, '-l', join(dir, 'replica.log'), '-w', 'start']);
  started.push(replica);

  await sql(primaryPort, 'postgres', 'create database cbo');
  const primaryUrl = `${serverUrl(primaryPort)}/cbo`;
  orm = await createOrm(primaryUrl, replicaOptions([`${serverUrl(replicaPort)}/cbo`]));
  await migrate(orm);
  await generatePopulation(primaryUrl, { registrations: 100, now: new Date('2026-06-01T00:00:00Z') });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: primaryUrl,
    DATABASE_REPLICA_URLS: `${serverUrl(replicaPort)}/cbo`,
    DATA_DIR: join(dir, 'data'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    JOBS: 'off',
    LOG_LEVEL: 'silent',
  });
  app = await createApp({ config, orm, clientUrl: primaryUrl, clock: new SystemClock(), logger: false });
  await app.services.identity.ensureFirstAdmin(orm.em.fork());
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const login = await gql<{ login: { token: string } }>('mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }', { i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  token = login.data!.login.token;
  await caughtUp();
}, 180_000);

afterAll(async () => {
  await app?.fastify.close();
  await orm?.close(true);
  for (const d of started.reverse()) await pgBin('pg_ctl', ['-D', d, '-m', 'immediate', 'stop']).catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('read replicas (DATABASE_REPLICA_URLS, issue 10)', () => {
  it('exports and financeSummary read the replica; writes go to the primary', async () => {
    const before = await exportRows();
    expect(before).toBeGreaterThan(0);
    expect(await summaryCount()).toBe(before);

    // Freeze the replica, then add payments on the primary: the replica's answers do not move.
    await sql(replicaPort, 'postgres', 'select pg_wal_replay_pause()');
    const primaryUrl = `${serverUrl(primaryPort)}/cbo`;
    const pg2 = new pg.Client({ connectionString: primaryUrl });
    await pg2.connect();
    const added = await pg2.query(
      `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, num_appel, num_trans, authorization_number, paid_at, source, recorded_at, recorded_by)
       select gen_random_uuid(), r.id, 6000, 'EUR', 'VISA', '1229', 'X' || r.id, 'X' || r.id, 'X', '2026-06-15T10:00:00Z', 'IPN', now(), 'test'
       from registration r where not exists (select 1 from payment p where p.registration_id = r.id) and r.status = 'IN_PROGRESS' and r.name_locked_at is not null`,
    );
    await pg2.end();
    expect(added.rowCount).toBeGreaterThan(0);
    expect(await exportRows()).toBe(before);
    expect(await summaryCount()).toBe(before);
    // The export's audit event was written on the primary, while the replica is frozen.
    const audits = await sql<{ n: string }>(primaryPort, 'cbo', `select count(*) as n from audit_event where action = 'finance.report.exported'`);
    expect(Number(audits[0].n)).toBe(2);

    await sql(replicaPort, 'postgres', 'select pg_wal_replay_resume()');
    await caughtUp();
    expect(await exportRows()).toBe(before + added.rowCount!);
    expect(await summaryCount()).toBe(before + added.rowCount!);
  });

  it('entity reads (GraphQL lists) stay on the primary: a request reads what was just written', async () => {
    await sql(replicaPort, 'postgres', 'select pg_wal_replay_pause()');
    try {
      await sql(primaryPort, 'cbo', `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
        values (gen_random_uuid(), 'fresh-replica-check', 'fresh@example.org', 'fresh', 'Fresh', 'Learner', now(), now())`);
      const r = await gql<{ learners: { totalCount: number } }>('{ learners(search: "fresh-replica-check") { totalCount } }');
      expect(r.errors).toBeUndefined();
      expect(r.data!.learners.totalCount).toBe(1);
      const onReplica = await sql(replicaPort, 'cbo', `select id from learner where external_id = 'fresh-replica-check'`);
      expect(onReplica).toHaveLength(0);
    } finally {
      await sql(replicaPort, 'postgres', 'select pg_wal_replay_resume()');
    }
  });
});
