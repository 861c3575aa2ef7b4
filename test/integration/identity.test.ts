import { createHash, randomBytes } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords';
import { TokenSigner } from '../../src/auth/tokens';
import {
  CREATE_API_TOKEN,
  CREATE_STAFF,
  expectNoWrites,
  expectUserError,
  gqlWithAuthorization,
  ISSUE_LEARNER_TOKEN,
  LOGIN,
  payloadOf,
  topLevelCodes,
  UPSERT_LEARNER,
} from '../helpers/inputs-common';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server';

/**
 * Identity and tokens: HTTP.md "Authentication" and "Test clock", SPEC R-SEC-1.
 * argon2's verify is wrapped (still the real one) to see that a login for an unknown e-mail verifies a
 * password all the same (no user enumeration).
 */
const verifySettled: unknown[] = [];
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...actual,
    verify: vi.fn(async (...args: Parameters<typeof actual.verify>) => {
      const result = await actual.verify(...args);
      verifySettled.push(result);
      return result;
    }),
  };
});

const verifyMock = vi.mocked(argon2.verify);
const HOUR = 3600_000;
const PROTECTED = '{ certificationSessions(first: 1) { totalCount } }';
const VIEWER = '{ viewer { kind id roles } }';
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

type LoginPayload = { token: string | null; expiresAt: string | null; viewer: { kind: string; id: string; roles: string[] } | null; errors: { code: string; message: string; field: string[] | null }[] };

let s: TestServer;
let adminId: string;

beforeAll(async () => {
  s = await startTestServer();
  const r = await s.gql<{ viewer: { id: string } }>('{ viewer { id } }', {}, await s.tokenFor('ADMIN'));
  adminId = r.data!.viewer.id;
});
afterAll(() => s?.close());

async function login(email: string, password: string) {
  const r = await s.gql<{ login: LoginPayload }>(LOGIN, { i: { email, password } });
  return { r, p: payloadOf<LoginPayload>(r, 'login') };
}

function expectUnauthenticated(r: { errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown }, message?: RegExp) {
  expect(topLevelCodes(r as never)).toEqual(['UNAUTHENTICATED']);
  if (message) expect(r.errors![0].message).toMatch(message);
  expect((r.data as Record<string, unknown> | null)?.certificationSessions ?? null).toBeNull();
}

/** Replaces the character at `index` of `text` by another base64url character. */
function flip(text: string, index: number): string {
  const c = text[index];
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1);
}

describe('login (HTTP.md Authentication)', () => {
  it('R-SEC-1: login returns a token, expiresAt ≈ now + 12 h and the viewer with its roles', async () => {
    const before = Date.now();
    const { p } = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const after = Date.now();
    expect(p.errors).toEqual([]);
    expect(p.token).toMatch(/\S{20,}/);
    expect(p.viewer).toEqual({ kind: 'STAFF', id: adminId, roles: ['ADMIN'], displayName: expect.any(String) });
    const exp = Date.parse(p.expiresAt!);
    expect(exp).toBeGreaterThanOrEqual(before + 12 * HOUR - 1000);
    expect(exp).toBeLessThanOrEqual(after + 12 * HOUR + 1000);
    const v = await s.gql(VIEWER, {}, p.token!);
    expect(v.data).toEqual({ viewer: { kind: 'STAFF', id: adminId, roles: ['ADMIN'] } });
  });

  it('R-SEC-1: the login e-mail is not case-sensitive', async () => {
    const { p } = await login(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    expect(p.errors).toEqual([]);
    expect(p.viewer?.id).toBe(adminId);
  });

  it('R-SEC-1: a wrong password and an unknown e-mail get the same INVALID_CREDENTIALS payload, and write nothing', async () => {
    const wrong = await expectNoWrites(s, () => login(ADMIN_EMAIL, 'not-the-admin-password'));
    const unknown = await expectNoWrites(s, () => login('nobody-here@test.local', 'not-the-admin-password'));
    expect(wrong.p.errors).toHaveLength(1);
    expect(wrong.p.errors[0].code).toBe('INVALID_CREDENTIALS');
    expect(wrong.p).toEqual({ token: null, expiresAt: null, viewer: null, errors: [wrong.p.errors[0]] });
    // Same shape, same code, same message, same field: nothing tells whether the account exists.
    expect(unknown.p).toEqual(wrong.p);
    expect(unknown.r.status).toBe(wrong.r.status);
    expect(wrong.p.errors[0].message).not.toMatch(/unknown|exist|no such|not found/i);
  });

  it('R-SEC-1: a login for an unknown e-mail still verifies a password with argon2 (server side)', async () => {
    verifyMock.mockClear();
    const { p } = await login('ghost@test.local', 'some password of a ghost');
    expect(p.errors[0]?.code).toBe('INVALID_CREDENTIALS');
    expect(verifyMock).toHaveBeenCalledTimes(1);
    expect(verifyMock).toHaveBeenCalledWith(expect.stringMatching(/^\$argon2id\$/), 'some password of a ghost');
  });

  it('R-SEC-1: an over-long password and an empty one are INVALID_CREDENTIALS, not an error', async () => {
    for (const password of ['', 'x'.repeat(10_000)]) {
      const { r, p } = await login(ADMIN_EMAIL, password);
      expect(r.errors).toBeUndefined();
      expect(p.errors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
    }
  });
});

describe('verifyPassword (src/auth/passwords.ts)', () => {
  beforeEach(() => {
    verifyMock.mockClear();
    verifySettled.length = 0;
  });

  it('R-SEC-1: with no stored hash it returns false after awaiting a real argon2id verify', async () => {
    const ok = await verifyPassword(undefined, 'a password');
    expect(ok).toBe(false);
    expect(verifyMock).toHaveBeenCalledTimes(1);
    const [hash, password] = verifyMock.mock.calls[0];
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(password).toBe('a password');
    // The real verify ran to its end before verifyPassword answered (it was awaited, not fired and forgotten).
    expect(verifySettled).toEqual([false]);
  });

  it('R-SEC-1: an empty stored hash takes the same path', async () => {
    expect(await verifyPassword('', 'a password')).toBe(false);
    expect(verifySettled).toEqual([false]);
  });

  it('R-SEC-1: a stored hash verifies the right password only; a garbage hash is false', async () => {
    const hash = await argon2.hash('right password', { algorithm: argon2.Algorithm.Argon2id });
    expect(await verifyPassword(hash, 'right password')).toBe(true);
    expect(await verifyPassword(hash, 'wrong password')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'right password')).toBe(false);
  });
});

describe('session tokens (HTTP.md Authentication)', () => {
  it('R-SEC-1: no token on a protected query → UNAUTHENTICATED; viewer answers ANONYMOUS', async () => {
    expectUnauthenticated(await s.gql(PROTECTED));
    const v = await s.gql(VIEWER);
    expect(v.errors).toBeUndefined();
    expect(v.data).toEqual({ viewer: { kind: 'ANONYMOUS', id: null, roles: [] } });
  });

  it('R-SEC-1: a tampered payload or signature → UNAUTHENTICATED, while viewer answers ANONYMOUS', async () => {
    const token = (await login(ADMIN_EMAIL, ADMIN_PASSWORD)).p.token!;
    expect(topLevelCodes(await s.gql(PROTECTED, {}, token))).toEqual([]);
    const [kind, payload, sig] = token.split('.');
    expect(kind && payload && sig).toBeTruthy();
    const tampered = [
      `${kind}.${flip(payload, Math.floor(payload.length / 2))}.${sig}`,
      `${kind}.${payload}.${flip(sig, 5)}`,
      `${kind}.${payload}.${flip(sig, Math.floor(sig.length / 2))}`,
      // A payload rewritten to live longer, with the old signature.
      `${kind}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: Math.floor(Date.now() / 1000) + 86400 * 365 })).toString('base64url')}.${sig}`,
      // The staff token presented as a learner token.
      `l.${payload}.${sig}`,
      `${kind}.${payload}`,
      `${token}.extra`,
      'not-a-token',
    ];
    for (const t of tampered) {
      expect(t).not.toBe(token);
      expectUnauthenticated(await s.gql(PROTECTED, {}, t));
      const v = await s.gql(VIEWER, {}, t);
      expect(v.errors, t).toBeUndefined();
      expect(v.data).toEqual({ viewer: { kind: 'ANONYMOUS', id: null, roles: [] } });
    }
  });

  it('R-SEC-1: an Authorization header that is not "Bearer <token>" → UNAUTHENTICATED', async () => {
    const token = (await s.tokenFor('ADMIN'))!;
    for (const header of [`Basic ${token}`, token, 'Bearer', `Bearer ${token} ${token}`]) {
      expectUnauthenticated(await gqlWithAuthorization(s, PROTECTED, header));
    }
  });

  it('R-SEC-1: an expired staff token → UNAUTHENTICATED with an "expired" message', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = new TokenSigner(s.config.tokenSecret).sign({ kind: 's', sub: adminId, iat: now - 13 * 3600, exp: now - 60 });
    const fresh = new TokenSigner(s.config.tokenSecret).sign({ kind: 's', sub: adminId, iat: now, exp: now + 600 });
    // The same signer with a live expiry works: only the expiry differs.
    expect(topLevelCodes(await s.gql(PROTECTED, {}, fresh))).toEqual([]);
    expectUnauthenticated(await s.gql(PROTECTED, {}, expired), /expired/i);
  });

  it('R-SEC-1: an expired learner token → UNAUTHENTICATED with an "expired" message', async () => {
    const learner = await s.newLearner();
    const now = Math.floor(Date.now() / 1000);
    const expired = new TokenSigner(s.config.tokenSecret).sign({ kind: 'l', sub: learner.id, iat: now - 7200, exp: now - 1 });
    const r = await s.gql('query($id: ID!) { learner(id: $id) { id } }', { id: learner.id }, expired);
    expect(topLevelCodes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.errors![0].message).toMatch(/expired/i);
  });

  it('R-SEC-1: a token signed with another secret is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = new TokenSigner(randomBytes(32).toString('base64url')).sign({ kind: 's', sub: adminId, iat: now, exp: now + 3600 });
    expectUnauthenticated(await s.gql(PROTECTED, {}, forged));
    const v = await s.gql(VIEWER, {}, forged);
    expect(v.data).toEqual({ viewer: { kind: 'ANONYMOUS', id: null, roles: [] } });
  });

  it('R-SEC-1: a well-signed token for a staff user or learner that does not exist is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signer = new TokenSigner(s.config.tokenSecret);
    for (const kind of ['s', 'l'] as const) {
      expectUnauthenticated(await s.gql(PROTECTED, {}, signer.sign({ kind, sub: '00000000-0000-4000-8000-000000000000', iat: now, exp: now + 600 })));
    }
    // The admin's id in a learner token does not make a learner.
    expectUnauthenticated(await s.gql(PROTECTED, {}, signer.sign({ kind: 'l', sub: adminId, iat: now, exp: now + 600 })));
  });

  it('R-SEC-1: a disabled staff account can neither log in nor use its token', async () => {
    const admin = await s.tokenFor('ADMIN');
    const email = 'to-disable@test.local';
    const password = 'a password to disable';
    payloadOf(await s.gql(CREATE_STAFF, { i: { email, displayName: 'Soon disabled', password, roles: ['SUPPORT'] } }, admin), 'createStaffUser');
    const token = (await login(email, password)).p.token!;
    expect(topLevelCodes(await s.gql(PROTECTED, {}, token))).toEqual([]);
    await s.orm.em.fork().getConnection().execute(`update staff_user set disabled_at = now() where email = ?`, [email]);
    expectUnauthenticated(await s.gql(PROTECTED, {}, token));
    expect((await login(email, password)).p.errors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
  });
});

describe('the test clock never moves token expiry (HTTP.md "Test clock")', () => {
  it('R-SEC-1: six weeks ahead and two years back, staff and learner tokens still work and serverTime is the set instant', async () => {
    const staff = (await s.tokenFor('SUPPORT'))!;
    const learner = await s.newLearner();
    const ownLearner = 'query($id: ID!) { learner(id: $id) { id } }';
    const realNow = Date.now();
    for (const instant of [new Date(realNow + 42 * 24 * HOUR), new Date(realNow - 2 * 365 * 24 * HOUR)]) {
      await s.setClock(instant);
      const t = await s.gql<{ serverTime: string }>('{ serverTime }');
      expect(t.data!.serverTime).toBe(instant.toISOString());

      const staffCall = await s.gql(PROTECTED, {}, staff);
      expect(staffCall.errors, JSON.stringify(staffCall.errors)).toBeUndefined();
      const learnerCall = await s.gql(ownLearner, { id: learner.id }, learner.token);
      expect(learnerCall.errors, JSON.stringify(learnerCall.errors)).toBeUndefined();
      expect(learnerCall.data).toEqual({ learner: { id: learner.id } });

      // Lifetimes of new tokens are counted on the real clock too.
      const before = Date.now();
      const { p } = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(Date.parse(p.expiresAt!)).toBeGreaterThanOrEqual(before + 12 * HOUR - 1000);
      expect(Date.parse(p.expiresAt!)).toBeLessThanOrEqual(Date.now() + 12 * HOUR + 1000);
      const issued = payloadOf<{ token: string; expiresAt: string }>(await s.gql(ISSUE_LEARNER_TOKEN, { id: learner.id }, await s.tokenFor('INTEGRATION')), 'issueLearnerToken');
      expect(Date.parse(issued.expiresAt)).toBeGreaterThan(before);
      expect(Date.parse(issued.expiresAt)).toBeLessThanOrEqual(Date.now() + 24 * HOUR);
      expect(topLevelCodes(await s.gql(ownLearner, { id: learner.id }, issued.token))).toEqual([]);
    }
    await s.setClock(new Date());
  });

  it('R-SEC-1: a token that expired in real time stays refused when the test clock goes back before its expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = new TokenSigner(s.config.tokenSecret).sign({ kind: 's', sub: adminId, iat: now - 7200, exp: now - 3600 });
    await s.setClock(new Date((now - 5 * 3600) * 1000));
    expectUnauthenticated(await s.gql(PROTECTED, {}, expired), /expired/i);
    await s.setClock(new Date());
  });
});

describe('API tokens and staff accounts (HTTP.md Authentication)', () => {
  it('R-SEC-1: an unknown API token (cbo_ + random) is refused', async () => {
    const unknown = `cbo_${randomBytes(32).toString('base64url')}`;
    expectUnauthenticated(await s.gql(PROTECTED, {}, unknown));
    const v = await s.gql(VIEWER, {}, unknown);
    expect(v.data).toEqual({ viewer: { kind: 'ANONYMOUS', id: null, roles: [] } });
  });

  it('R-SEC-1: a revoked API token is refused', async () => {
    const p = payloadOf<{ token: string }>(await s.gql(CREATE_API_TOKEN, { i: { name: 'to-revoke', roles: ['INTEGRATION'] } }, await s.tokenFor('ADMIN')), 'createApiToken');
    expect(topLevelCodes(await s.gql(PROTECTED, {}, p.token))).toEqual([]);
    await s.orm.em.fork().getConnection().execute(`update api_token set revoked_at = now() where token_hash = ?`, [sha256(p.token)]);
    expectUnauthenticated(await s.gql(PROTECTED, {}, p.token), /revoked/i);
  });

  it('R-SEC-1: createStaffUser, then the new account logs in with its roles', async () => {
    const admin = await s.tokenFor('ADMIN');
    const input = { email: 'New.Person@Test.Local', displayName: 'New Person', password: 'correct horse battery', roles: ['PAYMENTS', 'SUPPORT'] };
    const p = payloadOf<{ staffUser: { id: string; email: string; displayName: string; roles: string[] } }>(await s.gql(CREATE_STAFF, { i: input }, admin), 'createStaffUser');
    expect(p.errors).toEqual([]);
    expect(p.staffUser).toMatchObject({ email: 'new.person@test.local', displayName: 'New Person' });
    expect([...p.staffUser.roles].sort()).toEqual(['PAYMENTS', 'SUPPORT']);

    const { p: logged } = await login('new.person@test.local', 'correct horse battery');
    expect(logged.errors).toEqual([]);
    expect(logged.viewer).toMatchObject({ kind: 'STAFF', id: p.staffUser.id });
    expect([...logged.viewer!.roles].sort()).toEqual(['PAYMENTS', 'SUPPORT']);
    // The password is stored hashed (argon2id), never as given.
    const [row] = await s.orm.em.fork().getConnection().execute<{ password_hash: string }[]>(`select password_hash from staff_user where id = ?`, [p.staffUser.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('correct horse battery');
  });

  it('R-SEC-3: a duplicate staff e-mail (any case) → VALIDATION_FAILED on input.email, nothing written', async () => {
    const admin = await s.tokenFor('ADMIN');
    const input = { email: 'twice@test.local', displayName: 'Twice', password: 'a long enough password', roles: ['SUPPORT'] };
    expect(payloadOf(await s.gql(CREATE_STAFF, { i: input }, admin), 'createStaffUser').errors).toEqual([]);
    for (const email of ['twice@test.local', 'TWICE@test.local', ' twice@test.local ']) {
      const r = await expectNoWrites(s, () => s.gql(CREATE_STAFF, { i: { ...input, email } }, admin));
      expectUserError(r, 'createStaffUser', 'staffUser', 'VALIDATION_FAILED', [['input', 'email']]);
    }
  });

  it('R-SEC-1: createApiToken returns the token once; the database keeps only its SHA-256', async () => {
    const name = `hashed-${randomBytes(3).toString('hex')}`;
    const p = payloadOf<{ token: string }>(await s.gql(CREATE_API_TOKEN, { i: { name, roles: ['INTEGRATION', 'SUPPORT'] } }, await s.tokenFor('ADMIN')), 'createApiToken');
    expect(p.errors).toEqual([]);
    expect(p.token).toMatch(/^cbo_[A-Za-z0-9_-]{40,}$/);

    const conn = s.orm.em.fork().getConnection();
    const rows = await conn.execute<Record<string, unknown>[]>(`select * from api_token where name = ?`, [name]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(p.token));
    const secretPart = p.token.slice(4);
    for (const [column, value] of Object.entries(rows[0])) {
      expect(JSON.stringify(value) ?? '', column).not.toContain(secretPart);
    }
    // Nor is it in the audit log.
    const audit = await conn.execute<{ text: string }[]>(`select row_to_json(a)::text as text from audit_event a`);
    for (const { text } of audit) expect(text).not.toContain(secretPart);

    const v = await s.gql<{ viewer: { kind: string; roles: string[] } }>('{ viewer { kind roles } }', {}, p.token);
    expect(v.data!.viewer.kind).toBe('SERVICE');
    expect([...v.data!.viewer.roles].sort()).toEqual(['INTEGRATION', 'SUPPORT']);
  });

  it('R-SEC-1: issueLearnerToken for an unknown learner id → NOT_FOUND, no token', async () => {
    const integration = await s.tokenFor('INTEGRATION');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await expectNoWrites(s, () => s.gql(ISSUE_LEARNER_TOKEN, { id }, integration));
      expectUserError(r, 'issueLearnerToken', 'token', 'NOT_FOUND', [['learnerId']]);
    }
  });

  it("R-SEC-1: a learner token's viewer is kind LEARNER with roles [LEARNER], and it lives about an hour", async () => {
    const integration = await s.tokenFor('INTEGRATION');
    const up = payloadOf<{ learner: { id: string } }>(
      await s.gql(UPSERT_LEARNER, { i: { externalId: 'fun-42', email: 'alix@example.org', username: 'alix', givenName: 'Alix', familyName: 'Dupont' } }, integration),
      'upsertLearner',
    );
    const before = Date.now();
    const issued = payloadOf<{ token: string; expiresAt: string }>(await s.gql(ISSUE_LEARNER_TOKEN, { id: up.learner.id }, integration), 'issueLearnerToken');
    expect(issued.errors).toEqual([]);
    expect(Date.parse(issued.expiresAt)).toBeGreaterThanOrEqual(before + HOUR - 1000);
    expect(Date.parse(issued.expiresAt)).toBeLessThanOrEqual(Date.now() + HOUR + 1000);
    const v = await s.gql('{ viewer { kind id roles displayName learner { id givenName } } }', {}, issued.token);
    expect(v.errors).toBeUndefined();
    expect(v.data).toEqual({ viewer: { kind: 'LEARNER', id: up.learner.id, roles: ['LEARNER'], displayName: 'Alix Dupont', learner: { id: up.learner.id, givenName: 'Alix' } } });
    // A learner token is no staff token.
    expect(topLevelCodes(await s.gql('{ learners { totalCount } }', {}, issued.token))).toEqual(['FORBIDDEN']);
  });
});
