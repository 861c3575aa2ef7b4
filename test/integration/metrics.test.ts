import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, operationLabel, registerMetrics } from '../../src/http/metrics';
import { call, createSession, key, paidRegistration, REJECT_REFUND, REQUEST_REFUND, requestInput } from '../helpers/refund-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Issue 13, metrics: GET /metrics (Prometheus text, prom-client) after a scenario of GraphQL
 * operations (ok and refused), a job run and a refund outcome; loopback only unless METRICS_PUBLIC=1.
 */

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const body = line.slice(name.length).match(/^\{(.*)\}\s+(\S+)$/);
    if (body && want.every((w) => body[1].split(',').includes(w))) return Number(body[2]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('GET /metrics', () => {
  it('counts GraphQL operations by name and outcome, UserErrors by code, job runs, refunds and HTTP requests after a scenario', async () => {
    const admin = await s.tokenFor('ADMIN');
    const before = await scrape();
    const okBefore = sample(before, 'cbo_graphql_operation_duration_seconds_count', { operation: 'FindLearners', outcome: 'ok' }) ?? 0;
    const notFoundBefore = sample(before, 'cbo_user_errors_total', { code: 'NOT_FOUND' }) ?? 0;

    for (let i = 0; i < 2; i++) expect((await s.gql('query FindLearners { learners(first: 5) { totalCount } }', {}, admin)).errors).toBeUndefined();
    const refused = await s.gql<{ eraseLearner: { errors: { code: string }[] } }>(
      'mutation EraseUnknown($id: ID!) { eraseLearner(learnerId: $id, reason: "test") { errors { code } } }',
      { id: '00000000-0000-4000-8000-000000000000' },
      admin,
    );
    expect(refused.data?.eraseLearner.errors[0].code).toBe('NOT_FOUND');
    const job = await s.gql<{ runJob: { jobRun: { status: string } } }>('mutation PurgeProfiles { runJob(job: PURGE_PROFILES) { jobRun { status } errors { code } } }', {}, admin);
    expect(job.data?.runJob.jobRun.status).toBe('SUCCEEDED');

    // A refund outcome: requested by the learner, rejected by the payments team.
    const sessionId = await createSession(s);
    const paid = await paidRegistration(s, sessionId, { paidAt: '2017-02-15T10:00:00Z' });
    const req = await call(s, REQUEST_REFUND, 'requestRefund', requestInput(paid), paid.learnerToken);
    await call(s, REJECT_REFUND, 'rejectRefund', { refundRequestId: req.refundRequest!.id, comment: 'Not eligible', idempotencyKey: key() }, await s.tokenFor('PAYMENTS'));

    const text = await scrape();
    expect(sample(text, 'cbo_graphql_operation_duration_seconds_count', { operation: 'FindLearners', outcome: 'ok' })).toBe(okBefore + 2);
    expect(sample(text, 'cbo_graphql_operation_duration_seconds_count', { operation: 'EraseUnknown', outcome: 'user_error' })).toBe(1);
    expect(sample(text, 'cbo_graphql_operation_duration_seconds_bucket', { operation: 'FindLearners', outcome: 'ok', le: '+Inf' })).toBe(okBefore + 2);
    expect(sample(text, 'cbo_user_errors_total', { code: 'NOT_FOUND' })).toBe(notFoundBefore + 1);
    expect(sample(text, 'cbo_job_runs_total', { job: 'PURGE_PROFILES', status: 'SUCCEEDED' })).toBe(1);
    expect(sample(text, 'cbo_job_run_duration_seconds_count', { job: 'PURGE_PROFILES' })).toBe(1);
    expect(sample(text, 'cbo_refund_requests', { status: 'REJECTED' })).toBe(1);
    expect(sample(text, 'cbo_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status_code: '200' })).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'cbo_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cbo_evidence_bytes', { status: 'RETAINED' })).toBe(0);
    expect(text).toMatch(/^cbo_outbox_backlog 0$/m);
    for (const state of ['used', 'free', 'pending']) expect(sample(text, 'cbo_db_pool_connections', { state })).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^cbo_process_resident_memory_bytes \d/m);
  });

  it('answers loopback callers only, unless METRICS_PUBLIC=1', async () => {
    const fromLan = await s.app.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(fromLan.statusCode).toBe(404);
    const fromLoopback = await s.app.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(fromLoopback.statusCode).toBe(200);

    const open = Fastify();
    registerMetrics(open, { orm: s.orm, isPublic: true });
    try {
      const r = await open.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('cbo_graphql_operation_duration_seconds');
    } finally {
      await open.close();
    }
  });

  it('knows loopback addresses and bounds operation labels', () => {
    for (const a of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '', undefined]) expect(isLoopback(a)).toBe(false);
    expect(operationLabel('Bad name!')).toBe('anonymous');
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('x'.repeat(65))).toBe('anonymous');
  });
});
