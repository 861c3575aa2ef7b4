import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { createOrm } from '../../src/db/orm';
import { createApp } from '../../src/http/app';
import { bruteForceRules } from '../../src/services/rate-limit';
import { bookedLearner, examSession, PROCTOR_PASSWORD, unlock } from '../helpers/exam-factories';
import { LOGIN } from '../helpers/inputs-common';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, STAFF_PASSWORD, type TestServer } from '../helpers/server';

/**
 * SECURITY.md "Brute force": failures are limited per e-mail and per client address (login) and per
 * client address (unlockExam, on top of R-EXA-2's per-appointment lock). Past a limit the answer is the
 * usual refusal whatever the password. Counters live in PostgreSQL: a second server instance on the same
 * database sees them. The client address is the TCP peer: tests speak from 127.0.0.1 and 127.0.0.2.
 */

interface LoginAnswer {
  token: string | null;
  errors: { code: string; message: string }[];
}

/** POST /graphql from a given local address (no TRUST_PROXY: the peer address is the client address). */
function gqlFrom(url: string, localAddress: string, query: string, variables: Record<string, unknown>): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The defaults (10 per e-mail, 30 and 50 per address) lowered where a test must reach them: each failure costs an argon2 check.
const ENV = { LOGIN_FAILURES_PER_ADDRESS: '14', UNLOCK_FAILURES_PER_ADDRESS: '12' };
const { loginPerEmail: LOGIN_PER_EMAIL, loginPerAddress: LOGIN_PER_ADDRESS, unlockPerAddress: UNLOCK_PER_ADDRESS } = bruteForceRules({
  bruteForce: { loginPerEmail: 10, loginPerAddress: Number(ENV.LOGIN_FAILURES_PER_ADDRESS), unlockPerAddress: Number(ENV.UNLOCK_FAILURES_PER_ADDRESS) },
});

describe('brute-force limits', () => {
  let s: TestServer;
  const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) => s.orm.em.fork().getConnection().execute<T[]>(q, params);
  const events = async (scope: string) => Number((await sql<{ n: string }>('select count(*) as n from rate_limit_event where scope = ?', [scope]))[0].n);
  const loginFrom = async (address: string, email: string, password: string, url = s.url): Promise<LoginAnswer> => {
    const r = await gqlFrom(url, address, LOGIN, { i: { email, password } });
    expect(r.status).toBe(200);
    return r.body.data!.login as LoginAnswer;
  };
  const codes = (a: LoginAnswer) => a.errors.map((e) => e.code);

  beforeAll(async () => {
    s = await startTestServer({ env: ENV });
    expect(s.config.bruteForce.loginPerEmail).toBe(LOGIN_PER_EMAIL.max); // the default
    await s.tokenFor('SUPPORT'); // support@test.local
    await s.tokenFor('PAYMENTS'); // payments@test.local
  });
  afterAll(() => s?.close());

  it(`login: ${LOGIN_PER_EMAIL.max} failures on one e-mail, then even the right password is INVALID_CREDENTIALS (same answer)`, async () => {
    const email = 'support@test.local';
    const wrong: LoginAnswer[] = [];
    for (let i = 0; i < LOGIN_PER_EMAIL.max; i++) wrong.push(await loginFrom('127.0.0.1', email, `wrong-password-${i}`));
    expect(wrong.every((a) => a.token === null && codes(a).join() === 'INVALID_CREDENTIALS')).toBe(true);
    const blocked = await loginFrom('127.0.0.1', email, STAFF_PASSWORD);
    expect(blocked).toEqual(wrong[0]);
    // Other accounts, and the same account's e-mail in other letter case, are judged by their own counter / the same one.
    expect(codes(await loginFrom('127.0.0.1', email.toUpperCase(), STAFF_PASSWORD))).toEqual(['INVALID_CREDENTIALS']);
    expect((await loginFrom('127.0.0.1', 'payments@test.local', STAFF_PASSWORD)).token).toBeTruthy();
    // E-mails are not stored in clear.
    expect(JSON.stringify(await sql('select * from rate_limit_event'))).not.toMatch(/support|127\.0/);
  });

  it(`login: failures older than ${LOGIN_PER_EMAIL.windowSeconds / 60} minutes (real clock) no longer count`, async () => {
    const email = 'support@test.local';
    expect(codes(await loginFrom('127.0.0.1', email, STAFF_PASSWORD))).toEqual(['INVALID_CREDENTIALS']);
    await sql(`update rate_limit_event set at = at - make_interval(secs => ?) where scope = ?`, [LOGIN_PER_EMAIL.windowSeconds + 1, LOGIN_PER_EMAIL.scope]);
    expect((await loginFrom('127.0.0.1', email, STAFF_PASSWORD)).token).toBeTruthy();
  });

  it('login: a successful login does not count as a failure', async () => {
    const before = await events(LOGIN_PER_EMAIL.scope);
    for (let i = 0; i < LOGIN_PER_EMAIL.max + 2; i++) expect((await loginFrom('127.0.0.1', 'payments@test.local', STAFF_PASSWORD)).token).toBeTruthy();
    expect(await events(LOGIN_PER_EMAIL.scope)).toBe(before);
  });

  it(`login: concurrent guesses on one e-mail never get more than ${LOGIN_PER_EMAIL.max} password checks`, async () => {
    const email = 'concurrent-victim@test.local';
    const answers = await Promise.all(Array.from({ length: LOGIN_PER_EMAIL.max * 2 }, (_, i) => loginFrom('127.0.0.2', email, `guess-${i}-password`)));
    expect(answers.every((a) => codes(a).join() === 'INVALID_CREDENTIALS')).toBe(true);
    const [{ n }] = await sql<{ n: string }>(`select count(*) as n from rate_limit_event where scope = ? and at > now() - interval '1 minute'`, [LOGIN_PER_EMAIL.scope]);
    expect(Number(n)).toBe(LOGIN_PER_EMAIL.max);
  });

  it(`login: ${LOGIN_PER_ADDRESS.max} failures from one address over many e-mails block that address, not others`, async () => {
    await sql('delete from rate_limit_event');
    for (let i = 0; i < LOGIN_PER_ADDRESS.max; i++) {
      expect(codes(await loginFrom('127.0.0.1', `sprayed-${i}@test.local`, 'a-common-password'))).toEqual(['INVALID_CREDENTIALS']);
    }
    // The admin's right password, from the blocked address: refused; from another address: accepted.
    expect(codes(await loginFrom('127.0.0.1', ADMIN_EMAIL, ADMIN_PASSWORD))).toEqual(['INVALID_CREDENTIALS']);
    expect((await loginFrom('127.0.0.2', ADMIN_EMAIL, ADMIN_PASSWORD)).token).toBeTruthy();
  });

  it('login: the limits hold across server instances (a second instance on the same database)', async () => {
    const orm = await createOrm(s.dbUrl, { pool: { min: 0, max: 4 } });
    const second = await createApp({ config: s.config, orm, clientUrl: s.dbUrl, clock: new TestClock(), logger: false });
    try {
      await second.fastify.listen({ port: 0, host: '127.0.0.1' });
      const address = second.fastify.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      // 127.0.0.1 is blocked by the previous test's failures, recorded by the first instance.
      expect(codes(await loginFrom('127.0.0.1', ADMIN_EMAIL, ADMIN_PASSWORD, url))).toEqual(['INVALID_CREDENTIALS']);
      expect((await loginFrom('127.0.0.2', ADMIN_EMAIL, ADMIN_PASSWORD, url)).token).toBeTruthy();
    } finally {
      await second.fastify.close();
      await orm.close(true);
    }
  });

  it(`unlockExam: ${UNLOCK_PER_ADDRESS.max} wrong proctor passwords from one address (over appointments) block it; R-EXA-2 per appointment still holds`, async () => {
    await sql('delete from rate_limit_event');
    const sessionId = await examSession(s);
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    let wrong = 0;
    while (wrong < UNLOCK_PER_ADDRESS.max) {
      // R-EXA-2 locks an appointment after 5 wrong passwords: age them, as an attacker spreading guesses over appointments would.
      await sql(`update exam_unlock_failure set failed_at = failed_at - interval '30 minutes'`);
      for (let i = 0; i < 5 && wrong < UNLOCK_PER_ADDRESS.max; i++, wrong++) {
        expect((await unlock(s, b.appointmentId, `guess-${wrong}-pass`)).errors.map((e) => e.code)).toEqual(['WRONG_PROCTOR_PASSWORD']);
      }
    }
    await sql(`update exam_unlock_failure set failed_at = failed_at - interval '30 minutes'`);
    const blocked = await unlock(s, b.appointmentId, PROCTOR_PASSWORD);
    expect(blocked.errors.map((e) => e.code)).toEqual(['WRONG_PROCTOR_PASSWORD']);
    expect(blocked.attempt).toBeNull();
    expect(await sql('select 1 from exam_attempt where appointment_id = ?', [b.appointmentId])).toHaveLength(0);
    // The window passes (real clock): the right password opens the exam.
    await sql(`update rate_limit_event set at = at - make_interval(secs => ?)`, [UNLOCK_PER_ADDRESS.windowSeconds + 1]);
    const ok = await unlock(s, b.appointmentId, PROCTOR_PASSWORD);
    expect(ok.errors).toEqual([]);
    expect(ok.attempt?.status).toBe('READY');
  });
});
