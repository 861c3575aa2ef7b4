import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_API_TOKEN,
  CREATE_SESSION,
  CREATE_STAFF,
  expectNoInternalError,
  expectNoWrites,
  expectUserError,
  ISSUE_LEARNER_TOKEN,
  LOGIN,
  payloadOf,
  SEED_SESSION,
  SESSION_FIELDS,
  SET_PROFILE,
  seedSession,
  topLevelCodes,
  UPSERT_LEARNER,
  validProfile,
} from '../helpers/inputs-common';
import { type GqlResult, startTestServer, type TestServer } from '../helpers/server';

/**
 * R-SEC-3: bad input gets a clear error (code, message, field) and changes nothing. Every refusal is
 * checked against the row counts of every table before and after.
 */

let s: TestServer;
let admin: string;
let certification: string;
let integration: string;
let support: string;
let learnerId: string;

beforeAll(async () => {
  s = await startTestServer();
  admin = (await s.tokenFor('ADMIN'))!;
  certification = (await s.tokenFor('CERTIFICATION'))!;
  integration = (await s.tokenFor('INTEGRATION'))!;
  support = (await s.tokenFor('SUPPORT'))!;
  learnerId = (await s.newLearner({ givenName: 'Bad', familyName: 'Inputs' })).id;
});
afterAll(() => s?.close());

const f = (name: string) => ['input', name];

/** Calls a mutation that must be refused with `code` on one of `fields`, and checks nothing was written. */
async function refused(doc: string, vars: Record<string, unknown>, token: string, mutation: string, objectKey: string, code: string, fields: string[][]) {
  const r = await expectNoWrites(s, () => s.gql(doc, vars, token));
  expectNoInternalError(r);
  return expectUserError(r, mutation, objectKey, code, fields);
}

describe('createCertificationSession (R-SES-1, R-SEC-3)', () => {
  const cases: [string, Record<string, unknown>, string[][]][] = [
    ['the exam period starts after it ends', { examPeriodStart: '2017-03-14', examPeriodEnd: '2017-03-01' }, [f('examPeriodStart'), f('examPeriodEnd')]],
    ['dailyStart "25:00"', { dailyStart: '25:00' }, [f('dailyStart')]],
    ['dailyStart "9:00" (not HH:mm)', { dailyStart: '9:00' }, [f('dailyStart')]],
    ['dailyStart after dailyEnd', { dailyStart: '21:00', dailyEnd: '15:00' }, [f('dailyStart'), f('dailyEnd')]],
    ['dailyStart equal to dailyEnd', { dailyStart: '15:00', dailyEnd: '15:00' }, [f('dailyStart'), f('dailyEnd')]],
    ['dailyEnd "24:00"', { dailyEnd: '24:00' }, [f('dailyEnd')]],
    ['an unknown IANA zone "Mars/Olympus"', { timeZone: 'Mars/Olympus' }, [f('timeZone')]],
    ['an empty time zone', { timeZone: '' }, [f('timeZone')]],
    ['examDurationMinutes 0', { examDurationMinutes: 0 }, [f('examDurationMinutes')]],
    ['examDurationMinutes negative', { examDurationMinutes: -30 }, [f('examDurationMinutes')]],
    ['slotStepMinutes 0', { slotStepMinutes: 0 }, [f('slotStepMinutes')]],
    ['priceCents 0', { priceCents: 0 }, [f('priceCents')]],
    ['priceCents negative', { priceCents: -6000 }, [f('priceCents')]],
    ['passMarkPercent -1', { passMarkPercent: -1 }, [f('passMarkPercent')]],
    ['passMarkPercent 101', { passMarkPercent: 101 }, [f('passMarkPercent')]],
    ['slotCapacity 0', { slotCapacity: 0 }, [f('slotCapacity')]],
    ['a 256-character courseTitle', { courseTitle: 'C'.repeat(256) }, [f('courseTitle')]],
    ['an empty courseTitle', { courseTitle: '   ' }, [f('courseTitle')]],
    ['every weekday excluded', { excludedWeekdays: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] }, [f('excludedWeekdays')]],
    ['currency "euro"', { currency: 'euro' }, [f('currency')]],
    ['currency "€"', { currency: '€' }, [f('currency')]],
  ];
  for (const [what, overrides, fields] of cases) {
    it(`R-SEC-3: ${what} → VALIDATION_FAILED on ${fields.map((x) => x.join('.')).join(' or ')}, nothing written`, async () => {
      await refused(CREATE_SESSION, { i: seedSession(overrides) }, certification, 'createCertificationSession', 'session', 'VALIDATION_FAILED', fields);
    });
  }

  it('R-SES-1: the seed session (60.00 EUR, 1–14 March 2017, 15:00–21:00 except Wednesday, Europe/Paris) is created and reads back identically', async () => {
    const r = await s.gql<{ createCertificationSession: { session: Record<string, unknown> & { id: string } } }>(CREATE_SESSION, { i: seedSession() }, certification);
    const p = payloadOf<{ session: Record<string, unknown> & { id: string } }>(r, 'createCertificationSession');
    expect(p.errors).toEqual([]);
    const expected = { ...SEED_SESSION, excludedWeekdays: ['WEDNESDAY'], certificateDeadline: '2017-03-14T23:30:00.000Z' };
    const { id, ...created } = p.session;
    expect(created).toEqual(expected);

    const read = await s.gql<{ certificationSession: Record<string, unknown> }>(`query($id: ID!) { certificationSession(id: $id) { id ${SESSION_FIELDS} } }`, { id }, await s.tokenFor('LEARNER'));
    expect(read.errors).toBeUndefined();
    expect(read.data!.certificationSession).toEqual({ id, ...expected });
  });

  it('R-SES-1: the boundaries are accepted (255-character title, pass mark 0 and 100, a one-day period)', async () => {
    for (const overrides of [{ courseTitle: 'T'.repeat(255) }, { passMarkPercent: 0 }, { passMarkPercent: 100 }, { examPeriodStart: '2017-03-14', examPeriodEnd: '2017-03-14' }]) {
      const p = payloadOf<{ session: { id: string } }>(await s.gql(CREATE_SESSION, { i: seedSession(overrides) }, certification), 'createCertificationSession');
      expect(p.errors, JSON.stringify(overrides)).toEqual([]);
    }
  });
});

describe('upsertLearner (R-SEC-3)', () => {
  const learnerInput = (overrides: Record<string, unknown> = {}) => {
    const n = randomBytes(4).toString('hex');
    return { externalId: `fun-${n}`, email: `l${n}@example.org`, username: `user${n}`, givenName: 'Camille', familyName: 'Bernard', ...overrides };
  };
  const cases: [string, Record<string, unknown>, string][] = [
    ['an e-mail without @', { email: 'camille.example.org' }, 'email'],
    ['an e-mail without domain', { email: 'camille@' }, 'email'],
    ['an e-mail with a space', { email: 'cam ille@example.org' }, 'email'],
    ['an empty given name', { givenName: '' }, 'givenName'],
    ['a blank family name', { familyName: '   ' }, 'familyName'],
    ['a 256-character given name', { givenName: 'G'.repeat(256) }, 'givenName'],
    ['a 256-character family name', { familyName: 'F'.repeat(256) }, 'familyName'],
    ['a control character in the given name', { givenName: 'Cam\u0007ille' }, 'givenName'],
    ['a NUL character in the family name', { familyName: 'Ber\u0000nard' }, 'familyName'],
    ['an escape character in the user name', { username: 'user\u001b[31m' }, 'username'],
    ['an empty external id', { externalId: '' }, 'externalId'],
  ];
  for (const [what, overrides, field] of cases) {
    it(`R-SEC-3: ${what} → VALIDATION_FAILED on input.${field}, nothing written`, async () => {
      await refused(UPSERT_LEARNER, { i: learnerInput(overrides) }, integration, 'upsertLearner', 'learner', 'VALIDATION_FAILED', [f(field)]);
    });
  }

  it('R-SEC-3: a 255-character name is accepted', async () => {
    const p = payloadOf<{ learner: { givenName: string } }>(await s.gql(UPSERT_LEARNER, { i: learnerInput({ givenName: 'G'.repeat(255) }) }, integration), 'upsertLearner');
    expect(p.errors).toEqual([]);
    expect(p.learner.givenName).toBe('G'.repeat(255));
  });

  it('R-SEC-3: the same externalId twice updates the one learner; a changed name is applied', async () => {
    const input = learnerInput();
    const first = payloadOf<{ learner: { id: string } }>(await s.gql(UPSERT_LEARNER, { i: input }, integration), 'upsertLearner');
    expect(first.errors).toEqual([]);
    const countOf = async () =>
      (await s.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from learner where external_id = ?', [input.externalId]))[0].n;
    expect(await countOf()).toBe(1);

    const again = payloadOf<{ learner: { id: string } }>(await s.gql(UPSERT_LEARNER, { i: input }, integration), 'upsertLearner');
    expect(again.errors).toEqual([]);
    expect(again.learner.id).toBe(first.learner.id);

    const renamed = payloadOf<{ learner: Record<string, string> }>(await s.gql(UPSERT_LEARNER, { i: { ...input, givenName: 'Camila', familyName: 'Bernardi' } }, integration), 'upsertLearner');
    expect(renamed.errors).toEqual([]);
    expect(renamed.learner).toMatchObject({ id: first.learner.id, givenName: 'Camila', familyName: 'Bernardi' });
    expect(await countOf()).toBe(1);
    const read = await s.gql('query($id: ID!) { learner(id: $id) { id givenName familyName externalId } }', { id: first.learner.id }, support);
    expect(read.data).toEqual({ learner: { id: first.learner.id, givenName: 'Camila', familyName: 'Bernardi', externalId: input.externalId } });
  });
});

describe('setProctoringProfile (R-REG-5, R-SEC-3)', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unassigned country "XX"', { country: 'XX' }, 'country'],
    ['a country name "France"', { country: 'France' }, 'country'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['a time zone that is no zone', { timeZone: 'Paris' }, 'timeZone'],
    ['a phone with letters', { phone: 'call me maybe' }, 'phone'],
    ['a too short phone', { phone: '12' }, 'phone'],
    ['a 501-character address', { address: 'A'.repeat(501) }, 'address'],
    ['an empty address', { address: '' }, 'address'],
  ];
  for (const [what, overrides, field] of cases) {
    it(`R-SEC-3: ${what} → VALIDATION_FAILED on input.${field}, nothing written`, async () => {
      await refused(SET_PROFILE, { i: validProfile(learnerId, overrides) }, support, 'setProctoringProfile', 'learner', 'VALIDATION_FAILED', [f(field)]);
    });
  }

  it('R-SEC-3: an unknown learner id → NOT_FOUND on input.learnerId, nothing written', async () => {
    await refused(SET_PROFILE, { i: validProfile('00000000-0000-4000-8000-000000000000') }, support, 'setProctoringProfile', 'learner', 'NOT_FOUND', [f('learnerId')]);
  });

  it('R-SEC-3: a learner id that is not a UUID → a UserError on input.learnerId, not a database error', async () => {
    const r = await expectNoWrites(s, () => s.gql(SET_PROFILE, { i: validProfile('42; drop table learner') }, support));
    expectNoInternalError(r);
    const p = payloadOf<{ learner: unknown }>(r, 'setProctoringProfile');
    expect(p.errors).toHaveLength(1);
    expect(['NOT_FOUND', 'VALIDATION_FAILED']).toContain(p.errors[0].code);
    expect(p.errors[0].field).toEqual(f('learnerId'));
  });

  it('R-REG-5: a valid profile with a 500-character address is stored', async () => {
    const p = payloadOf<{ learner: { proctoringProfile: Record<string, unknown> } }>(
      await s.gql(SET_PROFILE, { i: validProfile(learnerId, { address: 'A'.repeat(500), country: 'fr' }) }, support),
      'setProctoringProfile',
    );
    expect(p.errors).toEqual([]);
    expect(p.learner.proctoringProfile).toMatchObject({ country: 'FR', timeZone: 'Europe/Paris', complete: true });
  });
});

describe('createStaffUser and createApiToken (R-SEC-3)', () => {
  const staff = (overrides: Record<string, unknown>) => ({ email: `staff-${randomBytes(3).toString('hex')}@test.local`, displayName: 'Someone', password: 'a long enough password', roles: ['SUPPORT'], ...overrides });
  const staffCases: [string, Record<string, unknown>, string][] = [
    ['an 11-character password', { password: 'short-passw' }, 'password'],
    ['the LEARNER role', { roles: ['LEARNER'] }, 'roles'],
    ['LEARNER among other roles', { roles: ['SUPPORT', 'LEARNER'] }, 'roles'],
    ['no role', { roles: [] }, 'roles'],
    ['a bad e-mail', { email: 'not an e-mail' }, 'email'],
    ['an empty display name', { displayName: '' }, 'displayName'],
    ['a lone surrogate in the display name', { displayName: 'Some\ud83done' }, 'displayName'],
  ];
  for (const [what, overrides, field] of staffCases) {
    it(`R-SEC-3: createStaffUser with ${what} → VALIDATION_FAILED on input.${field}, nothing written`, async () => {
      await refused(CREATE_STAFF, { i: staff(overrides) }, admin, 'createStaffUser', 'staffUser', 'VALIDATION_FAILED', [f(field)]);
    });
  }

  const tokenCases: [string, Record<string, unknown>, string][] = [
    ['the LEARNER role', { roles: ['LEARNER'] }, 'roles'],
    ['no role', { roles: [] }, 'roles'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '  ' }, 'name'],
    // Found by fuzz-mutations.test.ts: a lone surrogate reached the audit event's jsonb, which refused it (an internal error).
    ['a lone UTF-16 surrogate in the name', { name: 'service \ud800' }, 'name'],
    ['a lone low surrogate in the name', { name: '\udc00 service' }, 'name'],
  ];
  for (const [what, overrides, field] of tokenCases) {
    it(`R-SEC-3: createApiToken with ${what} → VALIDATION_FAILED on input.${field}, nothing written`, async () => {
      const r = await expectNoWrites(s, () => s.gql(CREATE_API_TOKEN, { i: { name: 'a service', roles: ['INTEGRATION'], ...overrides } }, admin));
      expectUserError(r, 'createApiToken', 'token', 'VALIDATION_FAILED', [f(field)]);
    });
  }
});

describe('issueLearnerToken, login, runJob, setTestClock (R-SEC-3)', () => {
  it('R-SEC-3: issueLearnerToken for a learner that does not exist → NOT_FOUND, nothing written', async () => {
    await refused(ISSUE_LEARNER_TOKEN, { id: '00000000-0000-4000-8000-000000000000' }, integration, 'issueLearnerToken', 'token', 'NOT_FOUND', [['learnerId']]);
  });

  it('R-SEC-3: login with an empty or odd e-mail is INVALID_CREDENTIALS, never an internal error, nothing written', async () => {
    for (const email of ['', 'x'.repeat(300), 'admin\u0000@test.local', "' or 1=1 --"]) {
      const r = await expectNoWrites(s, () => s.gql(LOGIN, { i: { email, password: 'whatever password' } }));
      expectNoInternalError(r);
      expectUserError(r, 'login', 'token', 'INVALID_CREDENTIALS', [['input'], f('email'), f('password')]);
    }
  });
});

describe('GraphQL-level bad input (R-SEC-3): a client error, never INTERNAL_SERVER_ERROR, no stack trace', () => {
  const CLIENT = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];
  const expectClientError = (r: GqlResult<unknown>) => {
    expectNoInternalError(r);
    const codes = topLevelCodes(r);
    expect(codes.length, JSON.stringify(r)).toBeGreaterThan(0);
    for (const c of codes) expect(CLIENT).toContain(c);
    expect(r.status).toBeLessThan(500);
  };
  const inlineSession = (overrides: Record<string, string>) => {
    const fields = Object.entries(seedSession()).map(([k, v]) => `${k}: ${k in overrides ? overrides[k] : k === 'excludedWeekdays' ? '[WEDNESDAY]' : JSON.stringify(v)}`);
    return `mutation { createCertificationSession(input: { ${fields.join(', ')} }) { session { id } errors { code } } }`;
  };

  const cases: [string, string, Record<string, unknown>][] = [
    ['a string for an Int (variables)', CREATE_SESSION, { i: seedSession({ priceCents: '6000' }) }],
    ['a float for an Int (variables)', CREATE_SESSION, { i: seedSession({ priceCents: 60.5 }) }],
    ['an Int beyond 32 bits (variables)', CREATE_SESSION, { i: seedSession({ priceCents: 2 ** 31 }) }],
    ['a string for an Int (literal)', inlineSession({ priceCents: '"6000"' }), {}],
    ['an unknown weekday', CREATE_SESSION, { i: seedSession({ excludedWeekdays: ['MERCREDI'] }) }],
    ['a missing required input field', CREATE_SESSION, { i: { ...seedSession(), courseTitle: undefined } }],
    ['an unknown input field', CREATE_SESSION, { i: { ...seedSession(), price: 60 } }],
    ['a missing required argument', '{ certificationSession { id } }', {}],
    ['a missing required variable', CREATE_SESSION, {}],
    ['a bad DateTime "2017-13-45" (variables)', CREATE_SESSION, { i: seedSession({ certificateDeadline: '2017-13-45' }) }],
    ['a bad DateTime "2017-13-45T10:00:00Z" (variables)', CREATE_SESSION, { i: seedSession({ certificateDeadline: '2017-13-45T10:00:00Z' }) }],
    ['a DateTime without zone (variables)', CREATE_SESSION, { i: seedSession({ certificateDeadline: '2017-03-14T23:30:00' }) }],
    ['a bad DateTime literal', inlineSession({ certificateDeadline: '"2017-13-45"' }), {}],
    ['a bad Date "2017-02-30" (variables)', CREATE_SESSION, { i: seedSession({ examPeriodStart: '2017-02-30' }) }],
    ['a bad Date "2017-02-30" (literal)', inlineSession({ examPeriodStart: '"2017-02-30"' }), {}],
    ['a number for a Date', CREATE_SESSION, { i: seedSession({ courseStartDate: 20170109 }) }],
    ['a bad DateTime for setTestClock', 'mutation { setTestClock(now: "2017-13-45") }', {}],
    ['a bad DateTime in the audit filter', 'query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount } }', { f: { from: 'yesterday' } }],
    ['an unknown job name', 'mutation { runJob(job: EVERYTHING) { errors { code } } }', {}],
    ['an unknown field', '{ learners { totalCount secret } }', {}],
    ['a syntax error', '{ learners { totalCount }', {}],
  ];
  for (const [what, doc, vars] of cases) {
    it(`R-SEC-3: ${what} → BAD_USER_INPUT or GRAPHQL_VALIDATION_FAILED, nothing written`, async () => {
      const r = await expectNoWrites(s, () => s.gql(doc, vars, admin));
      if (what === 'a syntax error') {
        expectNoInternalError(r);
        expect(topLevelCodes(r)).toEqual(['GRAPHQL_PARSE_FAILED']);
      } else {
        expectClientError(r);
      }
    });
  }

  it('R-SEC-3: the messages say what is wrong', async () => {
    const r = await s.gql(CREATE_SESSION, { i: seedSession({ examPeriodStart: '2017-02-30' }) }, admin);
    expect(r.errors![0].message).toMatch(/Date|YYYY-MM-DD/);
  });
});

describe('pagination and search (R-SUP-1, R-SEC-3)', () => {
  const LIST = `query($q: String, $first: Int, $after: String) {
    learners(search: $q, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id externalId familyName givenName } }
    }
  }`;
  type Page = { learners: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: { id: string; externalId: string; familyName: string; givenName: string } }[] } };

  const upsert = async (input: Record<string, string>) => {
    const p = payloadOf<{ learner: { id: string } }>(await s.gql(UPSERT_LEARNER, { i: input }, integration), 'upsertLearner');
    expect(p.errors).toEqual([]);
    return p.learner.id;
  };

  it('R-SEC-3: learners(first: 201) and first: -1 → BAD_USER_INPUT', async () => {
    for (const first of [201, -1]) {
      const r = await s.gql(LIST, { first }, support);
      expectNoInternalError(r);
      expect(topLevelCodes(r)).toEqual(['BAD_USER_INPUT']);
    }
    const ok = await s.gql<Page>(LIST, { first: 200 }, support);
    expect(ok.errors).toBeUndefined();
  });

  it('R-SEC-3: learners(after: "garbage") → BAD_USER_INPUT on after', async () => {
    const r = await s.gql(LIST, { after: 'garbage', first: 5 }, support);
    expectNoInternalError(r);
    expect(topLevelCodes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0].extensions?.field).toEqual(['after']);
  });

  it('R-SEC-3: a cursor that does not fit this list (another list\'s, wrong length, non-scalar values) → BAD_USER_INPUT, not silently accepted', async () => {
    await s.gql(CREATE_SESSION, { i: seedSession({ courseCode: 'CURSOR-1' }) }, certification);
    const otherList = (await s.gql<{ certificationSessions: { edges: { cursor: string }[] } }>('{ certificationSessions(first: 1) { edges { cursor } } }', {}, support)).data!
      .certificationSessions.edges[0].cursor;
    const forged = {
      'empty array': Buffer.from('[]').toString('base64url'),
      'six values': Buffer.from('[1,2,3,4,5,6]').toString('base64url'),
      'an operator object': Buffer.from('[{"$gt":""},{"$gt":""},{"$ne":null}]').toString('base64url'),
      "a certificationSessions cursor": otherList,
    };
    const outcomes: Record<string, string[]> = {};
    for (const [what, after] of Object.entries(forged)) {
      outcomes[what] = topLevelCodes(await s.gql(LIST, { after, first: 5 }, support));
    }
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(forged).map((k) => [k, ['BAD_USER_INPUT']])));
  });

  it('R-SUP-1: paging through 7 learners with first: 3 gives 3 + 3 + 1, hasNextPage true, true, false, totalCount 7, no duplicates', async () => {
    const tag = `pg${randomBytes(3).toString('hex')}`;
    const ids: string[] = [];
    // Two share a family name, so the order needs its tie-breakers.
    const families = ['Zola', 'Abel', 'Martin', 'Martin', 'Dupont', 'Moreau', 'Leroy'];
    for (const [i, family] of families.entries()) {
      ids.push(await upsert({ externalId: `${tag}-${i}`, email: `${tag}.${i}@example.org`, username: `${tag}_${i}`, givenName: `Prénom${i}`, familyName: family }));
    }
    const pages: Page['learners'][] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r: GqlResult<Page> = await s.gql<Page>(LIST, { q: tag, first: 3, after }, support);
      expect(r.errors).toBeUndefined();
      pages.push(r.data!.learners);
      if (!r.data!.learners.pageInfo.hasNextPage) break;
      after = r.data!.learners.pageInfo.endCursor;
    }
    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.totalCount)).toEqual([7, 7, 7]);
    const seen = pages.flatMap((p) => p.edges.map((e) => e.node.id));
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...ids].sort());
    // Each page ends at its last edge's cursor.
    for (const p of pages) expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
    // Ordered by family name, then given name.
    const names = pages.flatMap((p) => p.edges.map((e) => `${e.node.familyName} ${e.node.givenName}`));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // first: 0 still counts.
    const zero = await s.gql<Page>(LIST, { q: tag, first: 0 }, support);
    expect(zero.data!.learners).toMatchObject({ totalCount: 7, edges: [] });
  });

  describe('search', () => {
    const tag = `s${randomBytes(3).toString('hex')}`;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      ids.quartz = await upsert({ externalId: `FUN-${tag}-XQ1001`, email: `zoe.quartz.${tag}@Example.org`, username: `zquartz${tag}`, givenName: 'Zoé', familyName: `Quartzenberg${tag}` });
      ids.under = await upsert({ externalId: `${tag}-u1`, email: `u1.${tag}@example.org`, username: `under_score${tag}`, givenName: 'Anne', familyName: 'Soulignée' });
      ids.underX = await upsert({ externalId: `${tag}-u2`, email: `u2.${tag}@example.org`, username: `underXscore${tag}`, givenName: 'Anne', familyName: 'Pasbarrée' });
      ids.pct = await upsert({ externalId: `${tag}-100%-lit`, email: `p1.${tag}@example.org`, username: `pct1${tag}`, givenName: 'Paul', familyName: 'Pourcent' });
      ids.pctX = await upsert({ externalId: `${tag}-100x-lit`, email: `p2.${tag}@example.org`, username: `pct2${tag}`, givenName: 'Paula', familyName: 'Sanspourcent' });
      ids.accent = await upsert({ externalId: `${tag}-acc`, email: `e.${tag}@example.org`, username: `elodie${tag}`, givenName: `Élodie${tag}`, familyName: 'Bérénice' });
    });

    const found = async (q: string) => {
      const r = await s.gql<Page>(LIST, { q, first: 200 }, support);
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      return r.data!.learners.edges.map((e) => e.node.id).sort();
    };

    it('R-SUP-1: finds a learner by e-mail fragment, user name, given name, family name and external id', async () => {
      expect(await found(`quartz.${tag}@example`)).toEqual([ids.quartz]);
      expect(await found(`zquartz${tag}`)).toEqual([ids.quartz]);
      expect(await found(`Quartzenberg${tag}`)).toEqual([ids.quartz]);
      expect(await found(`FUN-${tag}-XQ1001`)).toEqual([ids.quartz]);
      expect(await found(`Élodie${tag}`)).toEqual([ids.accent]);
    });

    it('R-SUP-1: the search is case-insensitive (accented letters too)', async () => {
      expect(await found(`ZOE.QUARTZ.${tag.toUpperCase()}@EXAMPLE.ORG`)).toEqual([ids.quartz]);
      expect(await found(`quartzenberg${tag}`)).toEqual([ids.quartz]);
      expect(await found(`fun-${tag}-xq1001`)).toEqual([ids.quartz]);
      expect(await found(`  ZQUARTZ${tag.toUpperCase()}  `)).toEqual([ids.quartz]);
      expect(await found(`élodie${tag}`)).toEqual([ids.accent]);
      expect(await found(`ÉLODIE${tag.toUpperCase()}`)).toEqual([ids.accent]);
    });

    it('R-SUP-1: "%" and "_" in the search are literal characters, not wildcards', async () => {
      expect(await found(`under_score${tag}`)).toEqual([ids.under]);
      expect(await found(`${tag}-100%-`)).toEqual([ids.pct]);
      expect(await found(`${tag}-100x-`)).toEqual([ids.pctX]);
      expect(await found('%')).toEqual([ids.pct]);
      // A backslash is literal too.
      expect(await found(`${tag}\\`)).toEqual([]);
    });

    it('R-SEC-3: a NUL character or a 256-character search is a client error, never an internal one', async () => {
      for (const q of ['abc\u0000def', 'q'.repeat(256)]) {
        const r = await s.gql<Page>(LIST, { q }, support);
        expectNoInternalError(r);
        if (r.errors) expect(topLevelCodes(r)).toEqual(['BAD_USER_INPUT']);
        else expect(r.data!.learners.totalCount).toBe(0);
      }
    });
  });
});

describe('strings that reach the database (R-SEC-3)', () => {
  it('R-SEC-3: a NUL character in the auditEvents filter is a client error or no match, never an internal error', async () => {
    const outcomes: Record<string, string[]> = {};
    for (const key of ['action', 'actor', 'subjectId']) {
      const r = await s.gql<{ auditEvents: { totalCount: number } }>('query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount } }', { f: { [key]: 'staff\u0000.login' } }, admin);
      outcomes[key] = r.errors ? topLevelCodes(r) : [`totalCount ${r.data!.auditEvents.totalCount}`];
    }
    for (const [key, codes] of Object.entries(outcomes)) {
      expect(codes, `filter.${key}: ${JSON.stringify(outcomes)}`).not.toContain('INTERNAL_SERVER_ERROR');
      expect([['BAD_USER_INPUT'], ['totalCount 0']]).toContainEqual(codes);
    }
  });
});
