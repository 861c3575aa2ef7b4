import { type ApolloServerPlugin } from '@apollo/server';
import { type FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type Orm } from '../db/orm';

/**
 * Prometheus metrics (issue 13), one registry per process. Counters and histograms count as things
 * happen (HTTP and GraphQL requests, UserErrors, job runs); gauges about stored data (refunds by
 * status, evidence bytes, outbox backlog, database pool) are read on each scrape, so they are right
 * whichever instance did the work. docs/operations.md explains each one.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'cbo_' });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpDuration = new Histogram({
  name: 'cbo_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'cbo_graphql_operation_duration_seconds',
  help: 'GraphQL operations by operation name and outcome (ok, user_error, error)',
  labelNames: ['operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const userErrors = new Counter({ name: 'cbo_user_errors_total', help: 'UserErrors returned in mutation payloads, by code', labelNames: ['code'] as const, registers: [registry] });

export const jobRuns = new Counter({ name: 'cbo_job_runs_total', help: 'Job runs by job and status', labelNames: ['job', 'status'] as const, registers: [registry] });
export const jobDuration = new Histogram({
  name: 'cbo_job_run_duration_seconds',
  help: 'Job run durations by job',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
  registers: [registry],
});
export const jobItems = new Counter({ name: 'cbo_job_items_processed_total', help: 'Items processed by job runs', labelNames: ['job'] as const, registers: [registry] });

/** Records one finished job run (the scheduler calls it). */
export function recordJobRun(job: string, status: 'SUCCEEDED' | 'FAILED', seconds: number, items: number): void {
  jobRuns.inc({ job, status });
  jobDuration.observe({ job }, seconds);
  if (items > 0) jobItems.inc({ job }, items);
}

/** Records the codes of a payload's UserErrors (resolvers/payload.ts calls it). */
export function recordUserError(code: string): void {
  userErrors.inc({ code });
}

const refunds = new Gauge({ name: 'cbo_refund_requests', help: 'Refund requests by status (refund outcomes: SUCCEEDED, FAILED, REJECTED, SETTLED_MANUALLY)', labelNames: ['status'] as const, registers: [registry] });
const evidenceBytes = new Gauge({ name: 'cbo_evidence_bytes', help: 'Evidence bytes by status: RETAINED (stored) or PURGED (destroyed)', labelNames: ['status'] as const, registers: [registry] });
const outboxBacklog = new Gauge({ name: 'cbo_outbox_backlog', help: 'Provider calls waiting in the outbox (0 when there is no outbox table)', registers: [registry] });
const pool = new Gauge({ name: 'cbo_db_pool_connections', help: 'Database pool connections of this instance: used, free, pending (waiting callers)', labelNames: ['state'] as const, registers: [registry] });

/** Operation names are client-chosen: at most this many distinct labels, the rest count as "other". */
const MAX_OPERATION_LABELS = 300;
const seenOperations = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name || !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'anonymous';
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_LABELS) return 'other';
  seenOperations.add(name);
  return name;
}

const hasPayloadErrors = (v: unknown) => Array.isArray((v as { errors?: unknown } | null)?.errors) && (v as { errors: unknown[] }).errors.length > 0;

/** GraphQL latency per operation and outcome: `user_error` when a mutation payload carries errors or a query refuses. */
export const graphqlMetricsPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    const end = graphqlDuration.startTimer();
    return {
      async willSendResponse({ response, operationName, request }) {
        let outcome = 'ok';
        if (response.body.kind === 'single') {
          const { errors, data } = response.body.singleResult;
          // A query's business refusal (payload refusals are counted by resolvers/payload.ts).
          for (const e of errors ?? []) if (typeof e.extensions?.errorCode === 'string') recordUserError(e.extensions.errorCode);
          if (errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) outcome = 'error';
          else if (errors?.length || (data && Object.values(data).some(hasPayloadErrors))) outcome = 'user_error';
        }
        end({ operation: operationLabel(operationName ?? request.operationName), outcome });
      },
    };
  },
};

async function readDatabaseGauges(orm: Orm): Promise<void> {
  const conn = orm.em.getConnection();
  refunds.reset();
  for (const r of await conn.execute<{ status: string; n: string }[]>('select status, count(*) as n from refund_request group by status')) refunds.set({ status: r.status }, Number(r.n));
  evidenceBytes.set({ status: 'RETAINED' }, 0);
  evidenceBytes.set({ status: 'PURGED' }, 0);
  for (const r of await conn.execute<{ status: string; bytes: string }[]>('select status, coalesce(sum(size_bytes), 0) as bytes from evidence group by status')) evidenceBytes.set({ status: r.status }, Number(r.bytes));
  outboxBacklog.set(await outboxCount(orm));
}

/** ProctorU calls waiting to be made (issue 12's outbox); 0 on a database without the table. */
async function outboxCount(orm: Orm): Promise<number> {
  const conn = orm.em.getConnection();
  const [t] = await conn.execute<{ name: string | null }[]>(`select to_regclass('proctoru_outbox')::text as name`);
  if (!t?.name) return 0;
  const [row] = await conn.execute<{ n: string }[]>(`select count(*) as n from proctoru_outbox where status = 'PENDING'`);
  return Number(row?.n ?? 0);
}

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function readPoolGauges(orm: Orm): void {
  const p = (orm.em.getConnection().getKnex().client as { pool?: KnexPool }).pool;
  if (!p) return;
  pool.set({ state: 'used' }, p.numUsed());
  pool.set({ state: 'free' }, p.numFree());
  pool.set({ state: 'pending' }, p.numPendingAcquires());
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * `GET /metrics`: loopback callers only unless METRICS_PUBLIC=1 (contract/HTTP.md); and the HTTP histogram for every
 * route (registered on the root instance, before the routes, so the hook sees them all).
 */
export function registerMetrics(fastify: FastifyInstance, opts: { orm: Orm; isPublic: boolean }): void {
  fastify.addHook('onResponse', async (request, reply) => {
    httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  fastify.get('/metrics', async (request, reply) => {
    if (!opts.isPublic && !isLoopback(request.socket.remoteAddress)) return reply.code(404).send({ error: 'not found' });
    readPoolGauges(opts.orm);
    await readDatabaseGauges(opts.orm).catch((err: unknown) => request.log.warn({ err }, 'metrics: database gauges not read'));
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
