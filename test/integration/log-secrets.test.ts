import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/tokens';
import { examSession, PROCTOR_PASSWORD, bookedLearner, unlock } from '../helpers/exam-factories';
import { CREATE_API_TOKEN, CREATE_STAFF, ISSUE_LEARNER_TOKEN, LOGIN, UPSERT_LEARNER } from '../helpers/inputs-common';
import { createSession, getIpn, ipnParams, paymentInput, recordPayment, registerLearner, signedIpn } from '../helpers/payments-factories';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server';

/**
 * SECURITY.md "Secrets and logs": a full scenario runs with every log line kept (level trace, the
 * production logger configuration), then the output is searched for every secret the scenario used:
 * passwords (right and wrong), bearer tokens and their signatures, API keys, the proctor password, a
 * Paybox signature and card data. The database is searched too: tokens and API keys are stored hashed.
 */
describe('no secret reaches the logs or the database in clear', () => {
  let s: TestServer;
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string) => secrets.set(what, value);

  beforeAll(async () => {
    s = await startTestServer({ logStream: { write: (line) => void lines.push(line) } });
    keep('admin password', ADMIN_PASSWORD);
    const adminLogin = await s.gql<{ login: { token: string } }>(LOGIN, { i: { email: 'admin@test.local', password: ADMIN_PASSWORD } });
    const admin = adminLogin.data!.login.token;
    keep('staff token', admin);
    keep('staff token signature', admin.split('.').at(-1)!);

    const staffPassword = 'Staff-Pa55word-Unique-7431';
    keep('new staff password', staffPassword);
    await s.gql(CREATE_STAFF, { i: { email: 'logged@test.local', displayName: 'Logged', password: staffPassword, roles: ['SUPPORT'] } }, admin);
    const wrongPassword = 'Wrong-Guess-Unique-99127';
    keep('wrong password', wrongPassword);
    await s.gql(LOGIN, { i: { email: 'logged@test.local', password: wrongPassword } });
    const support = (await s.gql<{ login: { token: string } }>(LOGIN, { i: { email: 'logged@test.local', password: staffPassword } })).data!.login.token;
    keep('support token', support);

    const apiKey = (await s.gql<{ createApiToken: { token: string } }>(CREATE_API_TOKEN, { i: { name: 'platform', roles: ['INTEGRATION'] } }, admin)).data!.createApiToken.token;
    keep('API key', apiKey);
    const learner = await s.gql<{ upsertLearner: { learner: { id: string } } }>(
      UPSERT_LEARNER,
      { i: { externalId: 'log-1', email: 'log@example.org', username: 'log1', givenName: 'Lou', familyName: 'Log' } },
      apiKey,
    );
    const learnerToken = (await s.gql<{ issueLearnerToken: { token: string } }>(ISSUE_LEARNER_TOKEN, { id: learner.data!.upsertLearner.learner.id }, apiKey)).data!.issueLearnerToken.token;
    keep('learner token', learnerToken);
    // A bad token and a request with a token in the URL are logged as refusals / requests.
    await fetch(`${s.url}/graphql?token=${encodeURIComponent(learnerToken)}`, { headers: { authorization: `Bearer ${learnerToken}x`, 'apollo-require-preflight': '1' } });

    // Exam: the proctor password, right and wrong.
    keep('proctor password', PROCTOR_PASSWORD);
    const sessionId = await examSession(s);
    const b = await bookedLearner(s, sessionId);
    await s.setClock(b.startsAt);
    const wrongProctor = 'proctor-guess-55821';
    keep('wrong proctor password', wrongProctor);
    await unlock(s, b.appointmentId, wrongProctor);
    await unlock(s, b.appointmentId);

    // Payments: a signed Paybox notification (signature and card expiry) and a recorded payment.
    const paySession = await createSession(s);
    const { registrationId } = await registerLearner(s, paySession);
    const notification = signedIpn(s, ipnParams(registrationId, { validite: '2811' }));
    const sign = new URLSearchParams(notification).get('sign')!;
    keep('Paybox signature', sign);
    keep('Paybox signature (URL-encoded)', encodeURIComponent(sign));
    keep('card expiry in a notification', 'validite=2811');
    expect((await getIpn(s, notification)).status).toBe(200);
    const other = await registerLearner(s, paySession);
    const payment = await recordPayment(s, paymentInput(other.registrationId, { cardExpiry: '0929', authorizationNumber: 'AUTH77' }));
    expect(payment.data?.recordPayment.errors, JSON.stringify(payment)).toEqual([]);
    keep('authorization number', 'AUTH77');
  }, 60_000);
  afterAll(() => s?.close());

  it('the scenario was logged (requests, at least)', () => {
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.some((l) => l.includes('"requestId"'))).toBe(true);
  });

  it('no password, token, token signature, API key, proctor password, Paybox signature or card data in the log output', () => {
    const output = lines.join('');
    const found = [...secrets].filter(([, value]) => output.includes(value)).map(([what]) => what);
    expect(found).toEqual([]);
  });

  it('API keys are stored as their SHA-256 only; no token or password is stored in clear in any table', async () => {
    const conn = s.orm.em.fork().getConnection();
    const [row] = await conn.execute<{ token_hash: string }[]>(`select token_hash from api_token where name = 'platform'`);
    expect(row.token_hash).toBe(sha256Hex(secrets.get('API key')!));
    const tables = await conn.execute<{ table_name: string }[]>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    const leaks: string[] = [];
    for (const { table_name } of tables) {
      for (const [what, value] of secrets) {
        if (what.includes('card') || what.includes('authorization number')) continue; // card data is stored (R-PAY-4), read only by PAYMENTS
        const [{ n }] = await conn.execute<{ n: number }[]>(`select count(*)::int as n from "${table_name}" t where strpos(t::text, ?) > 0`, [value]);
        if (n > 0) leaks.push(`${what} in ${table_name}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
