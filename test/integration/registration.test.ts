import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { expectNoWrites, expectUserError, payloadOf, topLevelCodes, UPSERT_LEARNER } from '../helpers/inputs-common';
import { ACK, countRows, createSession, LOCK, readRegistration, registerLearner, type RegistrationRow, START, TERMS } from '../helpers/payments-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;
beforeAll(async () => {
  s = await startTestServer();
  sessionId = await createSession(s);
});
afterAll(() => s?.close());

type RegPayload = { registration: RegistrationRow | null };
const reg = (r: Awaited<ReturnType<TestServer['gql']>>, name: string) => {
  const p = payloadOf<RegPayload>(r, name);
  expect(p.errors).toEqual([]);
  return p.registration!;
};

describe('R-REG-1 registration steps in order', () => {
  it('R-REG-1: the learner themself activates, acknowledges, accepts the terms (version and instant) and locks the name, in order', async () => {
    const learner = await s.newLearner();
    await s.setClock('2017-02-01T10:00:00Z');
    const started = reg(await s.gql(START, { i: { sessionId, learnerId: learner.id } }, learner.token), 'startRegistration');
    expect(started).toMatchObject({ status: 'IN_PROGRESS', nextStep: 'ACKNOWLEDGE_REQUIREMENTS', dunExempt: false, session: { id: sessionId }, learner: { id: learner.id }, createdAt: '2017-02-01T10:00:00.000Z' });

    await s.setClock('2017-02-01T10:05:00Z');
    const acked = reg(await s.gql(ACK, { id: started.id }, learner.token), 'acknowledgeRequirements');
    expect(acked).toMatchObject({ nextStep: 'ACCEPT_TERMS', requirementsAcknowledgedAt: '2017-02-01T10:05:00.000Z' });

    await s.setClock('2017-02-01T10:06:00Z');
    const terms = reg(await s.gql(TERMS, { i: { registrationId: started.id, termsVersion: 'FUN-2017-01' } }, learner.token), 'acceptTerms');
    expect(terms).toMatchObject({ nextStep: 'LOCK_NAME', termsVersion: 'FUN-2017-01', termsAcceptedAt: '2017-02-01T10:06:00.000Z' });

    await s.setClock('2017-02-01T10:07:00Z');
    const locked = reg(await s.gql(LOCK, { i: { registrationId: started.id, givenName: 'Camille', familyName: 'MARTIN' } }, learner.token), 'lockName');
    expect(locked).toMatchObject({ status: 'IN_PROGRESS', nextStep: 'PAY', lockedGivenName: 'Camille', lockedFamilyName: 'MARTIN', nameLockedAt: '2017-02-01T10:07:00.000Z' });
  });

  it('R-REG-1: accepting the terms before acknowledging the requirements is STEP_OUT_OF_ORDER and changes nothing', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { stage: 'STARTED' });
    const r = await expectNoWrites(s, async () => s.gql(TERMS, { i: { registrationId, termsVersion: 'v1' } }, await s.tokenFor('INTEGRATION')));
    expectUserError(r, 'acceptTerms', 'registration', 'STEP_OUT_OF_ORDER', [['input', 'registrationId']]);
  });

  it('R-REG-1: locking the name before the terms (or before the acknowledgement) is STEP_OUT_OF_ORDER', async () => {
    for (const stage of ['STARTED', 'ACKNOWLEDGED'] as const) {
      const { registrationId } = await registerLearner(s, sessionId, { stage });
      const r = await expectNoWrites(s, async () => s.gql(LOCK, { i: { registrationId, givenName: 'A', familyName: 'B' } }, await s.tokenFor('INTEGRATION')));
      expectUserError(r, 'lockName', 'registration', 'STEP_OUT_OF_ORDER', [['input', 'registrationId']]);
      expect((await readRegistration(s, registrationId)).nameLockedAt).toBeNull();
    }
  });

  it('R-REG-1: a done step repeated (acknowledge twice, terms twice) is STEP_OUT_OF_ORDER and keeps the first instant and version', async () => {
    const { registrationId, registration } = await registerLearner(s, sessionId, { stage: 'TERMS_ACCEPTED' });
    const integration = await s.tokenFor('INTEGRATION');
    const ack = await expectNoWrites(s, () => s.gql(ACK, { id: registrationId }, integration));
    expect(expectUserError(ack, 'acknowledgeRequirements', 'registration', 'STEP_OUT_OF_ORDER', [['registrationId']]).message).toMatch(/done already/);
    const terms = await expectNoWrites(s, () => s.gql(TERMS, { i: { registrationId, termsVersion: 'another' } }, integration));
    expectUserError(terms, 'acceptTerms', 'registration', 'STEP_OUT_OF_ORDER', [['input', 'registrationId']]);
    const now = await readRegistration(s, registrationId);
    expect(now.termsVersion).toBe(registration.termsVersion);
    expect(now.requirementsAcknowledgedAt).toBe(registration.requirementsAcknowledgedAt);
  });

  it('R-REG-1: a step of a cancelled registration is REGISTRATION_CANCELLED', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { stage: 'STARTED' });
    const db = await sqlClient(s.dbUrl);
    try {
      await db.query(`update registration set status = 'CANCELLED', cancelled_at = now() where id = $1`, [registrationId]);
    } finally {
      await db.end();
    }
    const r = await expectNoWrites(s, async () => s.gql(ACK, { id: registrationId }, await s.tokenFor('INTEGRATION')));
    expectUserError(r, 'acknowledgeRequirements', 'registration', 'REGISTRATION_CANCELLED', [['registrationId']]);
  });
});

describe('R-REG-2 name lock', () => {
  it('R-REG-2: locking again after the lock is NAME_LOCKED and the locked name stays', async () => {
    const { registrationId, learnerToken } = await registerLearner(s, sessionId, { givenName: 'Léa', familyName: 'DURAND' });
    for (const token of [learnerToken, await s.tokenFor('INTEGRATION'), await s.tokenFor('ADMIN')]) {
      const r = await expectNoWrites(s, () => s.gql(LOCK, { i: { registrationId, givenName: 'Other', familyName: 'NAME' } }, token));
      expectUserError(r, 'lockName', 'registration', 'NAME_LOCKED', [['input', 'givenName']]);
    }
    expect(await readRegistration(s, registrationId)).toMatchObject({ lockedGivenName: 'Léa', lockedFamilyName: 'DURAND' });
  });

  it('R-REG-2: the database trigger rejects a raw SQL update of a locked name (given, family and lock instant)', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { givenName: 'Hugo', familyName: 'PETIT' });
    const db = await sqlClient(s.dbUrl);
    try {
      await expect(db.query(`update registration set locked_given_name = 'Victor' where id = $1`, [registrationId])).rejects.toThrow(/locked/);
      await expect(db.query(`update registration set locked_family_name = 'GRAND' where id = $1`, [registrationId])).rejects.toThrow(/locked/);
      await expect(db.query(`update registration set locked_given_name = null, locked_family_name = null, name_locked_at = null where id = $1`, [registrationId])).rejects.toThrow(/locked/);
      // Other columns of a locked registration may still change.
      await db.query(`update registration set terms_version = terms_version where id = $1`, [registrationId]);
      const { rows } = await db.query(`select locked_given_name, locked_family_name from registration where id = $1`, [registrationId]);
      expect(rows[0]).toEqual({ locked_given_name: 'Hugo', locked_family_name: 'PETIT' });
    } finally {
      await db.end();
    }
  });

  it('R-REG-2: upsertLearner changing the account name never touches a locked registration', async () => {
    const externalId = `ext-rename-${Date.now()}`;
    const learner = await s.newLearner({ externalId, givenName: 'Zoé', familyName: 'Roux' });
    const integration = await s.tokenFor('INTEGRATION');
    const start = reg(await s.gql(START, { i: { sessionId, learnerId: learner.id } }, integration), 'startRegistration');
    await s.gql(ACK, { id: start.id }, integration);
    await s.gql(TERMS, { i: { registrationId: start.id, termsVersion: 'v1' } }, integration);
    reg(await s.gql(LOCK, { i: { registrationId: start.id, givenName: 'Zoé', familyName: 'ROUX' } }, integration), 'lockName');

    const up = payloadOf<{ learner: { givenName: string; familyName: string } }>(
      await s.gql(UPSERT_LEARNER, { i: { externalId, email: 'zoe.roux@example.org', username: 'zroux', givenName: 'Zoé-Marie', familyName: 'Roux-Lefèvre' } }, integration),
      'upsertLearner',
    );
    expect(up.learner).toMatchObject({ givenName: 'Zoé-Marie', familyName: 'Roux-Lefèvre' });
    expect(await readRegistration(s, start.id)).toMatchObject({ lockedGivenName: 'Zoé', lockedFamilyName: 'ROUX' });
  });
});

describe('R-REG-3 name normalisation', () => {
  it('R-REG-3: trims, collapses inner spaces, composes to NFC (e + U+0301 → é) and keeps the case as typed', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { stage: 'TERMS_ACCEPTED' });
    const locked = reg(
      await s.gql(LOCK, { i: { registrationId, givenName: '  Ame\u0301lie \t  Jose\u0301phine ', familyName: ' de   la Tour  DUPONT ' } }, await s.tokenFor('INTEGRATION')),
      'lockName',
    );
    expect(locked.lockedGivenName).toBe('Am\u00e9lie Jos\u00e9phine');
    expect(locked.lockedGivenName).toBe(locked.lockedGivenName!.normalize('NFC'));
    expect(locked.lockedFamilyName).toBe('de la Tour DUPONT');
    const db = await sqlClient(s.dbUrl);
    try {
      const { rows } = await db.query(`select locked_given_name from registration where id = $1`, [registrationId]);
      expect([...rows[0].locked_given_name as string].length).toBe('Amélie Joséphine'.length);
    } finally {
      await db.end();
    }
  });

  it('R-REG-3: a family name in capitals stays in capitals, a lower-case particle stays lower-case', async () => {
    const { registration } = await registerLearner(s, sessionId, { givenName: 'MARTIN', familyName: 'de la Tour' });
    expect(registration).toMatchObject({ lockedGivenName: 'MARTIN', lockedFamilyName: 'de la Tour' });
  });

  it('R-REG-3: an empty name after trimming is VALIDATION_FAILED', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { stage: 'TERMS_ACCEPTED' });
    const r = await expectNoWrites(s, async () => s.gql(LOCK, { i: { registrationId, givenName: '   ', familyName: 'X' } }, await s.tokenFor('INTEGRATION')));
    expectUserError(r, 'lockName', 'registration', 'VALIDATION_FAILED', [['input', 'givenName']]);
  });
});

describe('R-REG-4 DUN exemption', () => {
  it('R-REG-4: a DUN-exempt registration is ACTIVE after the name lock, next step DONE, with no payment', async () => {
    const { registrationId, registration } = await registerLearner(s, sessionId, { dunEnrolled: true });
    expect(registration).toMatchObject({ dunExempt: true, status: 'ACTIVE', nextStep: 'DONE' });
    const read = await readRegistration(s, registrationId);
    expect(read.payment).toBeNull();
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(0);
  });

  it('R-REG-4: a DUN-exempt registration is IN_PROGRESS until the lock', async () => {
    const { registration } = await registerLearner(s, sessionId, { dunEnrolled: true, stage: 'TERMS_ACCEPTED' });
    expect(registration).toMatchObject({ dunExempt: true, status: 'IN_PROGRESS', nextStep: 'LOCK_NAME' });
  });

  it('R-REG-4: a LEARNER cannot self-declare dunEnrolled (VALIDATION_FAILED, nothing created); SUPPORT can', async () => {
    const learner = await s.newLearner();
    const r = await expectNoWrites(s, () => s.gql(START, { i: { sessionId, learnerId: learner.id, dunEnrolled: true } }, learner.token));
    expectUserError(r, 'startRegistration', 'registration', 'VALIDATION_FAILED', [['input', 'dunEnrolled']]);
    const bySupport = reg(await s.gql(START, { i: { sessionId, learnerId: learner.id, dunEnrolled: true } }, await s.tokenFor('SUPPORT')), 'startRegistration');
    expect(bySupport.dunExempt).toBe(true);
  });
});

describe('R-REG-6 one registration per learner and session', () => {
  it('R-REG-6: a second startRegistration is ALREADY_REGISTERED and changes nothing', async () => {
    const { learnerId } = await registerLearner(s, sessionId, { stage: 'STARTED' });
    const r = await expectNoWrites(s, async () => s.gql(START, { i: { sessionId, learnerId } }, await s.tokenFor('SUPPORT')));
    expectUserError(r, 'startRegistration', 'registration', 'ALREADY_REGISTERED', [['input', 'learnerId']]);
  });

  it('R-REG-6: 10 concurrent startRegistration calls create exactly one registration', async () => {
    const learner = await s.newLearner();
    const integration = await s.tokenFor('INTEGRATION');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.gql(START, { i: { sessionId, learnerId: learner.id } }, i % 2 ? integration : learner.token)),
    );
    const payloads = results.map((r) => payloadOf<RegPayload>(r, 'startRegistration'));
    expect(payloads.filter((p) => p.errors.length === 0)).toHaveLength(1);
    expect(payloads.filter((p) => p.errors[0]?.code === 'ALREADY_REGISTERED')).toHaveLength(9);
    expect(await countRows(s, 'registration', 'learner_id = ? and session_id = ?', [learner.id, sessionId])).toBe(1);
    expect(await countRows(s, 'audit_event', `action = 'registration.start' and details->>'learnerId' = ?`, [learner.id])).toBe(1);
  });

  it('R-REG-6: the same learner may register to another session', async () => {
    const other = await createSession(s, { courseCode: '26001S04', examPeriodStart: '2017-11-06', examPeriodEnd: '2017-11-17', certificateDeadline: '2017-11-17T23:30:00Z' });
    const { learnerId } = await registerLearner(s, sessionId, { stage: 'STARTED' });
    reg(await s.gql(START, { i: { sessionId: other, learnerId } }, await s.tokenFor('INTEGRATION')), 'startRegistration');
  });
});

describe('R-SEC-1 registration access', () => {
  it('R-SEC-1: startRegistration by the learner themself, SUPPORT, INTEGRATION and ADMIN; PAYMENTS and CERTIFICATION are FORBIDDEN', async () => {
    for (const role of ['SUPPORT', 'INTEGRATION', 'ADMIN'] as const) {
      const learner = await s.newLearner();
      reg(await s.gql(START, { i: { sessionId, learnerId: learner.id } }, await s.tokenFor(role)), 'startRegistration');
    }
    for (const role of ['PAYMENTS', 'CERTIFICATION'] as const) {
      const learner = await s.newLearner();
      const token = await s.tokenFor(role);
      const r = await expectNoWrites(s, () => s.gql(START, { i: { sessionId, learnerId: learner.id } }, token));
      expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    }
    const anon = await s.gql(START, { i: { sessionId, learnerId: (await s.newLearner()).id } });
    expect(topLevelCodes(anon)).toEqual(['UNAUTHENTICATED']);
  });

  it('R-SEC-1: another learner gets NOT_FOUND when starting for, or stepping on, someone else', async () => {
    const victim = await registerLearner(s, sessionId, { stage: 'STARTED' });
    const intruder = await s.newLearner();
    const start = await expectNoWrites(s, () => s.gql(START, { i: { sessionId, learnerId: victim.learnerId } }, intruder.token));
    expectUserError(start, 'startRegistration', 'registration', 'NOT_FOUND', [['input', 'learnerId']]);
    const ack = await expectNoWrites(s, () => s.gql(ACK, { id: victim.registrationId }, intruder.token));
    expectUserError(ack, 'acknowledgeRequirements', 'registration', 'NOT_FOUND', [['registrationId']]);
    const read = await s.gql<{ registration: unknown }>('query($id: ID!) { registration(id: $id) { id } }', { id: victim.registrationId }, intruder.token);
    expect(read.data?.registration).toBeNull();
  });

  it('R-SEC-1: the steps are done by the learner themself or INTEGRATION (and ADMIN); SUPPORT is FORBIDDEN', async () => {
    const { registrationId, learnerToken } = await registerLearner(s, sessionId, { stage: 'STARTED' });
    const r = await expectNoWrites(s, async () => s.gql(ACK, { id: registrationId }, await s.tokenFor('SUPPORT')));
    expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    reg(await s.gql(ACK, { id: registrationId }, learnerToken), 'acknowledgeRequirements');
    reg(await s.gql(TERMS, { i: { registrationId, termsVersion: 'v1' } }, await s.tokenFor('ADMIN')), 'acceptTerms');
  });

  it('R-REG-1: an unknown or malformed registration id is NOT_FOUND', async () => {
    const integration = await s.tokenFor('INTEGRATION');
    expectUserError(await s.gql(ACK, { id: 'nope' }, integration), 'acknowledgeRequirements', 'registration', 'NOT_FOUND', [['registrationId']]);
    expectUserError(await s.gql(ACK, { id: '00000000-0000-4000-8000-000000000000' }, integration), 'acknowledgeRequirements', 'registration', 'NOT_FOUND', [['registrationId']]);
    const r = await s.gql(START, { i: { sessionId: '00000000-0000-4000-8000-000000000000', learnerId: (await s.newLearner()).id } }, integration);
    expectUserError(r, 'startRegistration', 'registration', 'NOT_FOUND', [['input', 'sessionId']]);
  });
});

describe('registration queries', () => {
  let ownSession: string;
  let a: Awaited<ReturnType<typeof registerLearner>>;
  let b: Awaited<ReturnType<typeof registerLearner>>;
  beforeAll(async () => {
    ownSession = await createSession(s, { courseCode: 'QUERY-1' });
    // The test clock is frozen: distinct creation instants make "oldest first" deterministic.
    await s.setClock('2017-02-02T09:00:00Z');
    a = await registerLearner(s, ownSession, { familyName: 'Vandenberghe' });
    await s.setClock('2017-02-02T09:01:00Z');
    b = await registerLearner(s, ownSession, { stage: 'ACKNOWLEDGED', dunEnrolled: true });
  });

  const LIST = `query($f: RegistrationFilter, $first: Int, $after: String) { registrations(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status learner { id familyName } session { id } } } } }`;
  type List = { registrations: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string; status: string } }[] } };

  it('registrations(filter): by session, by status, by search on the learner (R-SUP-1), paginated', async () => {
    const support = await s.tokenFor('SUPPORT');
    const bySession = await s.gql<List>(LIST, { f: { sessionId: ownSession } }, support);
    expect(bySession.data!.registrations.totalCount).toBe(2);
    expect(bySession.data!.registrations.edges.map((e) => e.node.id)).toEqual([a.registrationId, b.registrationId]);
    const page1 = await s.gql<List>(LIST, { f: { sessionId: ownSession }, first: 1 }, support);
    expect(page1.data!.registrations.pageInfo.hasNextPage).toBe(true);
    const page2 = await s.gql<List>(LIST, { f: { sessionId: ownSession }, first: 1, after: page1.data!.registrations.pageInfo.endCursor }, support);
    expect(page2.data!.registrations.edges.map((e) => e.node.id)).toEqual([b.registrationId]);

    const inProgress = await s.gql<List>(LIST, { f: { sessionId: ownSession, status: 'IN_PROGRESS' } }, support);
    expect(inProgress.data!.registrations.edges.map((e) => e.node.id)).toEqual([a.registrationId, b.registrationId]);
    const active = await s.gql<List>(LIST, { f: { sessionId: ownSession, status: 'ACTIVE' } }, support);
    expect(active.data!.registrations.totalCount).toBe(0);

    const search = await s.gql<List>(LIST, { f: { sessionId: ownSession, search: 'VANDENBERG' } }, support);
    expect(search.data!.registrations.edges.map((e) => e.node.id)).toEqual([a.registrationId]);
    const none = await s.gql<List>(LIST, { f: { search: '%' } }, support);
    expect(none.data!.registrations.totalCount).toBe(0);
  });

  it('R-SEC-1: a learner listing registrations sees only their own', async () => {
    const r = await s.gql<List>(LIST, {}, a.learnerToken);
    expect(r.data!.registrations.edges.map((e) => e.node.id)).toEqual([a.registrationId]);
  });

  it('registration(id): staff read any, a learner their own', async () => {
    for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION', 'ADMIN'] as const) {
      const r = await s.gql<{ registration: { id: string } }>('query($id: ID!) { registration(id: $id) { id nextStep } }', { id: a.registrationId }, await s.tokenFor(role));
      expect(r.data?.registration?.id, role).toBe(a.registrationId);
    }
    const own = await s.gql<{ registration: { id: string } }>('query($id: ID!) { registration(id: $id) { id } }', { id: b.registrationId }, b.learnerToken);
    expect(own.data!.registration.id).toBe(b.registrationId);
  });

  it('CertificationSession.registrations(status) and Learner.registrations', async () => {
    const r = await s.gql<{ certificationSession: { registrations: { totalCount: number; edges: { node: { id: string } }[] } } }>(
      'query($id: ID!) { certificationSession(id: $id) { registrations(status: IN_PROGRESS) { totalCount edges { node { id } } } } }',
      { id: ownSession },
      await s.tokenFor('SUPPORT'),
    );
    expect(r.data!.certificationSession.registrations.totalCount).toBe(2);
    const l = await s.gql<{ learner: { registrations: { id: string; nextStep: string; session: { id: string } }[] } }>(
      'query($id: ID!) { learner(id: $id) { registrations { id nextStep session { id } } } }',
      { id: a.learnerId },
      a.learnerToken,
    );
    expect(l.data!.learner.registrations).toEqual([{ id: a.registrationId, nextStep: 'PAY', session: { id: ownSession } }]);
    const forbidden = await s.gql('query($id: ID!) { certificationSession(id: $id) { registrations { totalCount } } }', { id: ownSession }, a.learnerToken);
    expect(topLevelCodes(forbidden)).toEqual(['FORBIDDEN']);
  });
});
