import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/db/orm';
import { type App, createApp } from '../../src/http/app';
import { loggerOptions, maskUrl, redactPaths } from '../../src/logging';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server';
import { createSession, PROFILE, registration, sql } from '../helpers/scheduling-factories';

/**
 * Issue 13, logs: a second server instance on the test database whose JSON log lines are captured.
 * A full scenario (log in, create a learner, enter the ProctorU profile, export the learner's data,
 * run a job) leaves one request id on every line of each request, the job's own id on the job's lines,
 * and none of the secrets or personal data that travelled.
 */

let s: TestServer;
let app: App;
let orm: Orm;
let url: string;
const lines: string[] = [];

beforeAll(async () => {
  s = await startTestServer();
  const config = { ...s.config, logLevel: 'debug' };
  // Its own ORM: the commits of this instance kick this instance's ProctorU worker only (whose lines are captured).
  orm = await createOrm(s.dbUrl);
  app = await createApp({ config, orm, clientUrl: s.dbUrl, clock: s.clock, logger: loggerOptions(config, { write: (l: string) => void lines.push(l) }) });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app?.fastify.close();
  await orm?.close(true);
  await s?.close();
});

async function gql<T>(requestId: string, query: string, variables: Record<string, unknown>, token?: string): Promise<{ data: T; headers: Headers }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return { data: body.data, headers: res.headers };
}

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('structured request logs', () => {
  it('carry the request id on every line of a full scenario and hold none of the redacted values', async () => {
    const login = await gql<{ login: { token: string } }>('scenario-login', 'mutation($i: LoginInput!) { login(input: $i) { token } }', { i: { email: 'admin@test.local', password: ADMIN_PASSWORD } });
    expect(login.headers.get('x-request-id')).toBe('scenario-login');
    const admin = login.data.login.token;
    const integration = (await s.tokenFor('INTEGRATION'))!;
    const upsert = await gql<{ upsertLearner: { learner: { id: string } } }>(
      'scenario-upsert',
      'mutation($i: UpsertLearnerInput!) { upsertLearner(input: $i) { learner { id } errors { code } } }',
      { i: { externalId: 'ext-logs-1', email: 'camille.logs@example.org', username: 'camille.logs', givenName: 'Camille', familyName: 'Logs' } },
      integration,
    );
    const learnerId = upsert.data.upsertLearner.learner.id;
    const issued = await gql<{ issueLearnerToken: { token: string } }>('scenario-token', 'mutation($id: ID!) { issueLearnerToken(learnerId: $id) { token } }', { id: learnerId }, integration);
    const learnerToken = issued.data.issueLearnerToken.token;
    await gql('scenario-profile', 'mutation($i: SetProctoringProfileInput!) { setProctoringProfile(input: $i) { errors { code } } }', { i: { learnerId, ...PROFILE } }, learnerToken);
    await gql('scenario-export', 'query($id: ID!) { exportLearnerData(learnerId: $id) }', { id: learnerId }, admin);
    await gql('scenario-clock', 'mutation { setTestClock(now: "2030-01-01T00:00:00Z") }', {}, admin);
    const job = await gql<{ runJob: { jobRun: { id: string; itemsProcessed: number } } }>('scenario-job', 'mutation { runJob(job: PURGE_PROFILES) { jobRun { id itemsProcessed } errors { code } } }', {}, admin);
    expect(job.data.runJob.jobRun.itemsProcessed).toBeGreaterThanOrEqual(1);
    const badId = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'has spaces and ; semicolons' } });
    expect(badId.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Every logger derives from the one configuration: a child logger redacts as fastify's does.
    app.fastify.log.child({ requestId: 'scenario-child' }).warn(
      { authorization: `Bearer ${admin}`, user: { phone: PROFILE.phone, address: PROFILE.address }, body: { input: { password: ADMIN_PASSWORD, cardNumber: '4970100000000154' } }, sig: 'abc' },
      'a careless log line',
    );

    const all = parsed();
    const ids = ['scenario-login', 'scenario-upsert', 'scenario-token', 'scenario-profile', 'scenario-export', 'scenario-clock', 'scenario-job'];
    for (const id of ids) {
      const mine = all.filter((l) => l.requestId === id);
      expect(mine.map((l) => l.msg), id).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    }
    // Request lines (incoming/completed) always carry an id; none is anonymous.
    for (const l of all.filter((x) => x.req || x.res)) expect(l.requestId, JSON.stringify(l)).toEqual(expect.any(String));
    const jobLines = all.filter((l) => l.job === 'PURGE_PROFILES');
    expect(jobLines.length).toBeGreaterThanOrEqual(1);
    for (const l of jobLines) expect(l.requestId).toBe(`job-${job.data.runJob.jobRun.id}`);
    expect(all.find((l) => l.requestId === 'scenario-child')).toMatchObject({ authorization: '[redacted]', user: { phone: '[redacted]', address: '[redacted]' }, body: { input: { password: '[redacted]', cardNumber: '[redacted]' } } });

    const text = lines.join('\n');
    for (const secret of [ADMIN_PASSWORD, admin, integration, learnerToken, PROFILE.phone, PROFILE.address, 'camille.logs@example.org', '4970100000000154']) {
      expect(text, secret.slice(0, 12)).not.toContain(secret);
    }
  });

  it('a ProctorU call sent later by the outbox worker is logged under the request id of the booking that wrote it', async () => {
    await s.setClock('2017-02-20T12:00:00Z');
    const sessionId = await createSession(s);
    const reg = await registration(s, sessionId);
    const booked = await gql<{ bookAppointment: { appointment: { id: string } | null; errors: unknown[] } }>(
      'scenario-book',
      'mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id } errors { code } } }',
      { i: { registrationId: reg.registrationId, startsAt: '2017-03-06T14:00:00.000Z' } },
      reg.token,
    );
    expect(booked.data.bookAppointment.errors).toEqual([]);
    const appointmentId = booked.data.bookAppointment.appointment!.id;
    expect(await sql(s, 'select request_id from proctoru_outbox where appointment_id = ?', [appointmentId])).toEqual([{ request_id: 'scenario-book' }]);
    // Kicked after the commit, in the background: wait for its line (the call is made to the simulator).
    const deadline = Date.now() + 15_000;
    let sent: Record<string, unknown> | undefined;
    while (!sent && Date.now() < deadline) {
      sent = parsed().find((l) => l.msg === 'ProctorU outbox: call sent' && l.appointmentId === appointmentId);
      if (!sent) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sent).toMatchObject({ requestId: 'scenario-book', op: 'ADD' });
    expect(lines.join('\n')).not.toContain(PROFILE.phone);
  });

  it('masks secrets in logged URLs and covers nested keys', () => {
    expect(maskUrl('/certificates/1/download?expires=9&sig=abcdef&x=1')).toBe('/certificates/1/download?expires=9&sig=[redacted]&x=1');
    expect(maskUrl('/evidence/2?token=zzz')).toBe('/evidence/2?token=[redacted]');
    expect(redactPaths(['phone'])).toEqual(['phone', '*.phone', '*.*.phone', '*.*.*.phone']);
    expect(redactPaths(['set-cookie'])[1]).toBe('*["set-cookie"]');
  });
});
