import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../src/db/embedded';
import { openBenchDatabase } from './bench-db';
import { isQuick } from './bench-server';
import { generatePopulation } from './generate';

/**
 * Issue 10, scale-out: two server processes on one database against one, under the same load.
 * Both are real `node dist/src/main.js` processes (JOBS=off, the same DATABASE_URL and TOKEN_SECRET,
 * so one ADMIN token works on either), on a population from bench/generate.ts (20 000 registrations;
 * 2 000 with --quick). The load: autocannon, 32 connections, each alternating a light staff query
 * (`certificationSessions(first: 10)`) and `learners(search: "dupont", first: 20)`. One instance: the
 * 32 connections on instance A. Two instances: 16 on A and 16 on B at the same time (two autocannon
 * runs in this process), requests/s summed. After a warm-up of both, 5 rounds of 5 s per side (3 of
 * 2 s with --quick), alternated (one, two; two, one; …) so a drift in machine load weighs on both
 * sides; every response must be a 2xx. Unit: requests/s (mean of the rounds); ratio = two / one
 * (1 = no gain, no loss).
 *
 * What bounds it here: the machine's cores are shared by both Node processes, PostgreSQL and the load
 * generator, so a second instance can only use CPU the first one left idle. The figure says whether
 * running two costs anything, not what a second machine would add.
 */
export const name = 'scale-out: two server processes vs one (same database, same load)';

const root = resolve(__dirname, '..', '..');
const CONNECTIONS = 32;
const LIGHT = '{ certificationSessions(first: 10) { totalCount edges { node { id courseTitle examPeriodStart } } } }';
const SEARCH = '{ learners(search: "dupont", first: 20) { totalCount edges { node { id email givenName familyName } } } }';
const ADMIN_EMAIL = 'admin@bench.local';
const ADMIN_PASSWORD = 'admin-password-for-benchmarks';

interface Instance {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'warn', JOBS: 'off', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8192)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
    if (await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false)) return { url, child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`not ready within 120 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function gql<T>(url: string, query: string, token?: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: unknown[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: unknown[] };
}

/** `connections` clients on `url`, each alternating the two queries. */
function cannon(url: string, token: string, connections: number, opts: { seconds?: number; amount?: number }) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  return autocannon({
    url: `${url}/graphql`,
    connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    requests: [LIGHT, SEARCH].map((query) => ({ method: 'POST' as const, headers, body: JSON.stringify({ query }) })),
  });
}

function checked(r: autocannon.Result, what: string): number {
  if (r.errors || r.non2xx || r.timeouts) throw new Error(`${what}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
  return r.requests.total / (r.duration || 1);
}

export async function run() {
  const db = await openBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'cbo-bench-scale-'));
  chmodSync(dataDir, 0o755);
  const instances: Instance[] = [];
  try {
    await generatePopulation(db.url, { registrations: isQuick() ? 2_000 : 20_000, now: new Date() });
    const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, TOKEN_SECRET: randomBytes(32).toString('base64url'), ADMIN_PASSWORD };
    // Started together; each creates its own first ADMIN (two e-mails: the two creations do not race on one).
    const starting = [startInstance({ ...env, ADMIN_EMAIL }), startInstance({ ...env, ADMIN_EMAIL: `b-${ADMIN_EMAIL}` })];
    for (const s of await Promise.allSettled(starting)) if (s.status === 'fulfilled') instances.push(s.value);
    for (const s of await Promise.allSettled(starting)) if (s.status === 'rejected') throw s.reason;
    const [a, b] = instances;
    const login = await gql<{ login: { token: string | null } }>(a.url, 'mutation($i: LoginInput!) { login(input: $i) { token } }', undefined, {
      i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const token = login.data?.login.token;
    if (!token) throw new Error(`login failed: ${JSON.stringify(login)}`);
    // Both instances answer the same, with the same token (stateless servers, one database).
    for (const query of [LIGHT, SEARCH]) {
      const [ra, rb] = await Promise.all([gql(a.url, query, token), gql(b.url, query, token)]);
      if (ra.errors || rb.errors || JSON.stringify(ra) !== JSON.stringify(rb)) throw new Error(`the instances disagree: ${JSON.stringify(ra)} / ${JSON.stringify(rb)}`);
    }
    const seconds = isQuick() ? 2 : 5;
    const rounds = isQuick() ? 3 : 5;
    // Warm-up of both at once (JIT, pools, PostgreSQL's cache), as long as a measured run.
    await Promise.all(instances.map((i) => cannon(i.url, token, CONNECTIONS / 2, { seconds })));
    const measureOne = async () => checked(await cannon(a.url, token, CONNECTIONS, { seconds }), 'one instance');
    const measureTwo = async () => {
      const both = await Promise.all([cannon(a.url, token, CONNECTIONS / 2, { seconds }), cannon(b.url, token, CONNECTIONS / 2, { seconds })]);
      return checked(both[0], 'two instances (A)') + checked(both[1], 'two instances (B)');
    };
    // Short runs, alternated (one then two, then two then one, …): a change in the machine's load weighs on both sides.
    const ones: number[] = [];
    const twos: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        ones.push(await measureOne());
        twos.push(await measureTwo());
      } else {
        twos.push(await measureTwo());
        ones.push(await measureOne());
      }
    }
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const one = mean(ones);
    const two = mean(twos);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.error(
      `  scale-out (${cpus().length} cores, ${rounds} × ${seconds} s each side): one instance ${fmt(ones)} req/s; ` +
        `two instances ${fmt(twos)} req/s; ratio of the means ${(two / one).toFixed(2)}`,
    );
    return { ours: two, baseline: one, unit: 'req/s', target: 1 };
  } finally {
    for (const i of instances) await i.stop();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    (m) => console.log(JSON.stringify({ name, ...m, ratio: Math.round((m.ours / m.baseline) * 1000) / 1000 })),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
