import autocannon from 'autocannon';
import { type Clock, SystemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { createOrm, type Orm } from '../src/db/orm';
import { type App, createApp } from '../src/http/app';
import { type BenchDatabase } from './bench-db';

export const BENCH_ADMIN_EMAIL = 'admin@bench.local';
const BENCH_ADMIN_PASSWORD = 'admin-password-for-benchmarks';

/** `npm run bench -- --quick` (or BENCH_QUICK=1): CI-sized populations and 2-second load runs. */
export function isQuick(): boolean {
  return process.env.BENCH_QUICK === '1';
}

export interface BenchServer {
  url: string;
  app: App;
  orm: Orm;
  /** An ADMIN token (ADMIN may read everything staff reads). */
  token: string;
  gql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: unknown[] }>;
  close(): Promise<void>;
}

/**
 * The real application (fastify + Apollo + services + its own ORM pool), in this process, on a free
 * loopback port, over the benchmark database; jobs off, logs silent. `env` adds settings.
 */
export async function startBenchServer(db: BenchDatabase, opts: { clock?: Clock; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: db.config.dataDir,
    TOKEN_SECRET: db.config.tokenSecret,
    PROCTORU_WEBHOOK_SECRET: 'bench',
    ADMIN_EMAIL: BENCH_ADMIN_EMAIL,
    ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    JOBS: 'off',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const orm = await createOrm(db.url);
  const app = await createApp({ config, orm, clientUrl: db.url, clock: opts.clock ?? new SystemClock(), logger: false });
  await app.services.identity.ensureFirstAdmin(orm.em.fork());
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let token = '';
  const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: T; errors?: unknown[] };
  };
  const login = await gql<{ login: { token: string | null } }>('mutation($i: LoginInput!) { login(input: $i) { token errors { code message } } }', {
    i: { email: BENCH_ADMIN_EMAIL, password: BENCH_ADMIN_PASSWORD },
  });
  if (!login.data?.login.token) throw new Error(`bench login failed: ${JSON.stringify(login)}`);
  token = login.data.login.token;
  return {
    url,
    app,
    orm,
    token,
    gql,
    async close() {
      await app.fastify.close();
      await orm.close(true);
    },
  };
}

/** Runs `fn` (one request at a time) and returns how many SQL statements the server's ORM sent meanwhile. */
export async function countStatements(server: BenchServer, fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const knex = server.orm.em.getConnection().getKnex();
  const listener = () => void n++;
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.removeListener('query', listener);
  }
  return n;
}

export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon against one request (`connections` clients, `seconds` long) after a warm-up of 2 requests a client;
 * `perClient` gives each client its own request.
 */
export async function load(opts: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** One request per client (client i sends perClient[i % length] again and again), e.g. one learner each. */
  perClient?: { body: string; headers: Record<string, string> }[];
  connections?: number;
  seconds?: number;
}): Promise<LoadResult> {
  let next = 0;
  const perClient = opts.perClient;
  const setupClient = perClient
    ? (client: autocannon.Client) => {
        const r = perClient[next++ % perClient.length];
        client.setHeadersAndBody(r.headers, r.body);
      }
    : undefined;
  const base = { url: opts.url, method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, connections: opts.connections ?? 32, setupClient };
  await autocannon({ ...base, amount: base.connections * 2 }); // warm-up: completes, leaves no request in flight
  const r = await autocannon({ ...base, duration: opts.seconds ?? (isQuick() ? 2 : 20) });
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** SQL: an instant as GraphQL's DateTime serialises it (`toISOString()`: milliseconds, Z). */
export const iso = (expr: string) => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
