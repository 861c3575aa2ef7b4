import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role } from '../../src/domain/roles';
import { type JobDefinition } from '../../src/jobs/job';
import {
  auditEvents,
  CREATE_API_TOKEN,
  CREATE_SESSION,
  CREATE_STAFF,
  expectNoWrites,
  ISSUE_LEARNER_TOKEN,
  LOGIN,
  payloadOf,
  SET_PROFILE,
  seedSession,
  topLevelCodes,
  UPSERT_LEARNER,
  validProfile,
} from '../helpers/inputs-common';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type GqlResult, startTestServer, type TestServer } from '../helpers/server';

/**
 * SPEC "Actors and roles" and R-SEC-1: who may call what, written from the specification and the
 * contract (HTTP.md "Authentication"), not read off the resolvers.
 *
 * Derivation of the cells the brief leaves open:
 * - certificationSessions / certificationSession: the offer is what a learner registers to, so every
 *   authenticated caller reads it; anonymous callers only get viewer, serverTime and login.
 * - learners (search): staff search (R-SUP-1) for SUPPORT, PAYMENTS (payments belong to learners),
 *   CERTIFICATION (fraud review, certificates) and ADMIN; a learner sees only themself, and the
 *   integration accounts record things, they do not browse people.
 * - learner(id): staff, INTEGRATION (the platform acting for learners) and the learner themself.
 * - jobRuns: ADMIN ("plus ... jobs") and CERTIFICATION, whose results and certificates are produced
 *   by jobs (R-RES-1, R-CER-2). auditEvents: ADMIN only (operators).
 */

type Caller = 'ANONYMOUS' | Role;
const CALLERS: Caller[] = ['ANONYMOUS', 'LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'];
const AUTHENTICATED: Caller[] = CALLERS.filter((c) => c !== 'ANONYMOUS');

interface Fixtures {
  learnerId: string;
  sessionId: string;
  seq: () => number;
}

interface Operation {
  name: string;
  allowed: Caller[];
  doc: string;
  vars: (f: Fixtures, caller: Caller) => Record<string, unknown>;
  /** For an allowed call: the call did what it says. */
  succeeded: (value: unknown, caller: Caller, f: Fixtures, vars: Record<string, unknown>) => void;
}

const noErrors = (value: unknown) => expect((value as { errors: unknown[] }).errors).toEqual([]);

const VIEWER_KIND: Record<Caller, string> = {
  ANONYMOUS: 'ANONYMOUS',
  LEARNER: 'LEARNER',
  SUPPORT: 'STAFF',
  PAYMENTS: 'STAFF',
  CERTIFICATION: 'STAFF',
  ADMIN: 'STAFF',
  INTEGRATION: 'SERVICE',
};

const OPERATIONS: Operation[] = [
  {
    name: 'viewer',
    allowed: CALLERS,
    doc: '{ viewer { kind roles } }',
    vars: () => ({}),
    succeeded: (v, caller) => {
      expect(v).toMatchObject({ kind: VIEWER_KIND[caller], roles: caller === 'ANONYMOUS' ? [] : [caller] });
    },
  },
  {
    name: 'serverTime',
    allowed: CALLERS,
    doc: '{ serverTime }',
    vars: () => ({}),
    succeeded: (v) => expect(Number.isNaN(Date.parse(String(v)))).toBe(false),
  },
  {
    name: 'login',
    allowed: CALLERS,
    doc: LOGIN,
    vars: () => ({ i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
    succeeded: (v) => {
      noErrors(v);
      expect((v as { token: string }).token).toMatch(/\S{20,}/);
    },
  },
  {
    name: 'certificationSessions',
    allowed: AUTHENTICATED,
    doc: '{ certificationSessions(first: 10) { totalCount edges { node { id } } } }',
    vars: () => ({}),
    succeeded: (v, _c, f) => {
      const conn = v as { totalCount: number; edges: { node: { id: string } }[] };
      expect(conn.edges.map((e) => e.node.id)).toContain(f.sessionId);
    },
  },
  {
    name: 'certificationSession',
    allowed: AUTHENTICATED,
    doc: 'query($id: ID!) { certificationSession(id: $id) { id courseCode } }',
    vars: (f) => ({ id: f.sessionId }),
    succeeded: (v, _c, f) => expect(v).toEqual({ id: f.sessionId, courseCode: '26001S03' }),
  },
  {
    name: 'learners',
    allowed: ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN'],
    doc: '{ learners(first: 200) { totalCount edges { node { id } } } }',
    vars: () => ({}),
    succeeded: (v, _c, f) => {
      const conn = v as { totalCount: number; edges: { node: { id: string } }[] };
      expect(conn.edges.map((e) => e.node.id)).toContain(f.learnerId);
    },
  },
  {
    name: 'learner',
    allowed: ['LEARNER', 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'],
    doc: 'query($id: ID!) { learner(id: $id) { id } }',
    vars: (f) => ({ id: f.learnerId }),
    succeeded: (v, _c, f) => expect(v).toEqual({ id: f.learnerId }),
  },
  {
    name: 'jobRuns',
    allowed: ['ADMIN', 'CERTIFICATION'],
    doc: '{ jobRuns(first: 10) { totalCount edges { node { id job status } } } }',
    vars: () => ({}),
    succeeded: (v) => expect((v as { totalCount: number }).totalCount).toBeGreaterThanOrEqual(0),
  },
  {
    name: 'auditEvents',
    allowed: ['ADMIN'],
    doc: '{ auditEvents(first: 5) { totalCount edges { node { id action } } } }',
    vars: () => ({}),
    succeeded: (v) => expect((v as { totalCount: number }).totalCount).toBeGreaterThan(0),
  },
  {
    name: 'createStaffUser',
    allowed: ['ADMIN'],
    doc: CREATE_STAFF,
    vars: (f) => ({ i: { email: `matrix-staff-${f.seq()}@test.local`, displayName: 'Matrix staff', password: 'a long enough password', roles: ['SUPPORT'] } }),
    succeeded: (v, _c, _f, vars) => {
      noErrors(v);
      expect((v as { staffUser: { email: string; roles: string[] } }).staffUser).toMatchObject({ email: (vars.i as { email: string }).email, roles: ['SUPPORT'] });
    },
  },
  {
    name: 'createApiToken',
    allowed: ['ADMIN'],
    doc: CREATE_API_TOKEN,
    vars: (f) => ({ i: { name: `matrix-token-${f.seq()}`, roles: ['INTEGRATION'] } }),
    succeeded: (v) => {
      noErrors(v);
      expect((v as { token: string }).token).toMatch(/^cbo_/);
    },
  },
  {
    name: 'issueLearnerToken',
    allowed: ['INTEGRATION', 'ADMIN'],
    doc: ISSUE_LEARNER_TOKEN,
    vars: (f) => ({ id: f.learnerId }),
    succeeded: (v) => {
      noErrors(v);
      expect((v as { token: string }).token).toMatch(/\S{20,}/);
    },
  },
  {
    name: 'createCertificationSession',
    allowed: ['CERTIFICATION', 'ADMIN'],
    doc: CREATE_SESSION,
    vars: (f) => ({ i: seedSession({ courseCode: `MATRIX-${f.seq()}` }) }),
    succeeded: (v, _c, _f, vars) => {
      noErrors(v);
      expect((v as { session: { courseCode: string } }).session.courseCode).toBe((vars.i as { courseCode: string }).courseCode);
    },
  },
  {
    name: 'upsertLearner',
    allowed: ['INTEGRATION', 'ADMIN'],
    doc: UPSERT_LEARNER,
    vars: (f) => {
      const n = f.seq();
      return { i: { externalId: `matrix-${n}`, email: `matrix${n}@example.org`, username: `matrix${n}`, givenName: 'Matrix', familyName: `Learner${n}` } };
    },
    succeeded: (v, _c, _f, vars) => {
      noErrors(v);
      expect((v as { learner: { externalId: string } }).learner.externalId).toBe((vars.i as { externalId: string }).externalId);
    },
  },
  {
    name: 'setProctoringProfile',
    allowed: ['LEARNER', 'SUPPORT', 'INTEGRATION', 'ADMIN'],
    doc: SET_PROFILE,
    vars: (f) => ({ i: validProfile(f.learnerId, { city: `Lyon ${f.seq()}` }) }),
    succeeded: (v, _c, f, vars) => {
      noErrors(v);
      expect((v as { learner: { id: string; proctoringProfile: { city: string } } }).learner).toMatchObject({
        id: f.learnerId,
        proctoringProfile: { city: (vars.i as { city: string }).city, complete: true },
      });
    },
  },
  {
    name: 'runJob',
    allowed: ['ADMIN'],
    doc: 'mutation { runJob(job: PURGE_EVIDENCE) { jobRun { id job status trigger } errors { code message field } } }',
    vars: () => ({}),
    succeeded: (v) => {
      noErrors(v);
      expect((v as { jobRun: unknown }).jobRun).toMatchObject({ job: 'PURGE_EVIDENCE', status: 'SUCCEEDED', trigger: 'MANUAL' });
    },
  },
  {
    name: 'setTestClock',
    allowed: ['ADMIN'],
    doc: 'mutation($t: DateTime!) { setTestClock(now: $t) }',
    vars: () => ({ t: new Date().toISOString() }),
    succeeded: (v, _c, _f, vars) => expect(v).toBe(vars.t),
  },
];

/** A job that does nothing, so runJob can succeed before the real jobs exist. */
const NOOP_JOBS: JobDefinition[] = [{ name: 'PURGE_EVIDENCE', schedule: '0 3 * * *', run: async () => 0 }];

let s: TestServer;
const tokens = new Map<Caller, string | undefined>();
let f: Fixtures;
let other: { id: string; token: string };

beforeAll(async () => {
  s = await startTestServer({ jobs: NOOP_JOBS });
  let n = 0;
  const learner = await s.newLearner({ givenName: 'Léa', familyName: 'Matrice' });
  other = await s.newLearner({ givenName: 'Hugo', familyName: 'Autre' });
  tokens.set('ANONYMOUS', undefined);
  tokens.set('LEARNER', learner.token);
  for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'] as const) tokens.set(role, await s.tokenFor(role));
  const created = await s.gql<{ createCertificationSession: { session: { id: string } } }>(CREATE_SESSION, { i: seedSession() }, tokens.get('ADMIN'));
  f = { learnerId: learner.id, sessionId: created.data!.createCertificationSession.session.id, seq: () => ++n };
  // Both learners have a complete profile, so personal fields have values to hide or show.
  for (const l of [learner, other]) {
    const r = await s.gql(SET_PROFILE, { i: validProfile(l.id, { phone: '+33 6 12 34 56 78', address: `${l.id.slice(0, 4)} rue de la Paix` }) }, tokens.get('INTEGRATION'));
    expect(payloadOf(r, 'setProctoringProfile').errors).toEqual([]);
  }
});
afterAll(() => s?.close());

describe('access matrix: every operation × every role (SPEC "Actors and roles", R-SEC-1)', () => {
  it('the matrix covers every operation of the schema built so far', async () => {
    const r = await s.gql<{ q: { fields: { name: string }[] }; m: { fields: { name: string }[] } }>('{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }');
    const inSchema = [...r.data!.q.fields, ...r.data!.m.fields].map((x) => x.name);
    for (const op of OPERATIONS) expect(inSchema).toContain(op.name);
  });

  for (const op of OPERATIONS) {
    describe(op.name, () => {
      for (const caller of CALLERS) {
        const allowed = op.allowed.includes(caller);
        const expected = allowed ? 'allow' : caller === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        it(`R-SEC-1: ${op.name} as ${caller} → ${expected}`, async () => {
          const vars = op.vars(f, caller);
          const call = () => s.gql(op.doc, vars, tokens.get(caller));
          if (allowed) {
            const r = await call();
            expect(topLevelCodes(r)).not.toContain('UNAUTHENTICATED');
            expect(topLevelCodes(r)).not.toContain('FORBIDDEN');
            expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
            op.succeeded((r.data as Record<string, unknown>)[op.name], caller, f, vars);
          } else {
            // A refused call changes nothing (not even an audit row).
            const r: GqlResult = await expectNoWrites(s, call);
            expect(topLevelCodes(r)).toEqual([expected]);
            expect(r.errors![0].path).toEqual([op.name]);
            expect((r.data as Record<string, unknown> | null)?.[op.name] ?? null).toBeNull();
          }
        });
      }
    });
  }
});

describe('learner isolation (R-SEC-1: a learner only ever sees their own data)', () => {
  it("R-SEC-1: a learner reading another learner's id gets null", async () => {
    const r = await s.gql<{ learner: unknown }>('query($id: ID!) { learner(id: $id) { id email } }', { id: other.id }, tokens.get('LEARNER'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.learner).toBeNull();
    // Upper-case spelling of the same UUID is no way around it.
    const upper = await s.gql<{ learner: unknown }>('query($id: ID!) { learner(id: $id) { id } }', { id: other.id.toUpperCase() }, tokens.get('LEARNER'));
    expect(upper.errors).toBeUndefined();
    expect(upper.data!.learner).toBeNull();
  });

  it('R-SEC-1: a learner reads their own learner by id', async () => {
    const r = await s.gql<{ learner: { id: string } }>('query($id: ID!) { learner(id: $id) { id } }', { id: f.learnerId }, tokens.get('LEARNER'));
    expect(r.errors).toBeUndefined();
    expect(r.data!.learner).toEqual({ id: f.learnerId });
  });

  it("R-SEC-1: setProctoringProfile on another learner gets NOT_FOUND and changes nothing", async () => {
    const read = () =>
      s.gql<{ learner: { proctoringProfile: unknown } }>('query($id: ID!) { learner(id: $id) { proctoringProfile { phone address city timeZone country complete } } }', { id: other.id }, tokens.get('ADMIN'));
    const before = (await read()).data!.learner.proctoringProfile;
    const r = await expectNoWrites(s, () => s.gql(SET_PROFILE, { i: validProfile(other.id, { city: 'Grenoble', phone: '+33 1 00 00 00 00' }) }, tokens.get('LEARNER')));
    const p = payloadOf<{ learner: unknown }>(r, 'setProctoringProfile');
    expect(p.errors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), field: ['input', 'learnerId'] }]);
    expect(p.learner).toBeNull();
    expect((await read()).data!.learner.proctoringProfile).toEqual(before);
  });

  it('R-SEC-1: viewer { learner } of a learner token is their own learner, kind LEARNER', async () => {
    const r = await s.gql('{ viewer { kind roles learner { id } } }', {}, tokens.get('LEARNER'));
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ viewer: { kind: 'LEARNER', roles: ['LEARNER'], learner: { id: f.learnerId } } });
    const otherViewer = await s.gql('{ viewer { learner { id } } }', {}, other.token);
    expect(otherViewer.data).toEqual({ viewer: { learner: { id: other.id } } });
  });

  it('R-SEC-1: a staff viewer has no learner', async () => {
    const r = await s.gql('{ viewer { kind learner { id } } }', {}, tokens.get('SUPPORT'));
    expect(r.data).toEqual({ viewer: { kind: 'STAFF', learner: null } });
  });
});

describe('personal fields of the proctoring profile (R-SEC-1, R-SEC-2)', () => {
  const PERSONAL = 'query($id: ID!) { learner(id: $id) { id proctoringProfile { phone address city country } } }';
  type PersonalResult = { learner: { id: string; proctoringProfile: { phone: string | null; address: string | null; city: string | null; country: string | null } } };

  for (const role of ['PAYMENTS', 'CERTIFICATION'] as const) {
    it(`R-SEC-1: proctoringProfile.phone and .address are FORBIDDEN for ${role}, the rest of the learner still answers`, async () => {
      const r = await s.gql<PersonalResult>(PERSONAL, { id: other.id }, tokens.get(role));
      expect(r.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]).sort()).toEqual([
        ['FORBIDDEN', 'learner.proctoringProfile.address'],
        ['FORBIDDEN', 'learner.proctoringProfile.phone'],
      ]);
      expect(r.data!.learner).toEqual({ id: other.id, proctoringProfile: { phone: null, address: null, city: 'Lyon', country: 'FR' } });
    });

    it(`R-SEC-1: phone is FORBIDDEN for ${role} through the learners list too`, async () => {
      const r = await s.gql<{ learners: { edges: { node: { proctoringProfile: { phone: string | null } } }[] } }>(
        'query($q: String) { learners(search: $q) { edges { node { id proctoringProfile { phone } } } } }',
        { q: 'Autre' },
        tokens.get(role),
      );
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(new Set(topLevelCodes(r))).toEqual(new Set(['FORBIDDEN']));
      expect(r.data!.learners.edges.length).toBeGreaterThan(0);
      for (const e of r.data!.learners.edges) expect(e.node.proctoringProfile.phone).toBeNull();
    });

    it(`R-SEC-2: a refused read of personal data by ${role} is not logged as a view`, async () => {
      await s.gql(PERSONAL, { id: other.id }, tokens.get(role));
      const events = await auditEvents(s, { action: 'learner.personal-data.view', actor: `staff:${role.toLowerCase()}@test.local` });
      expect(events).toEqual([]);
    });
  }

  for (const role of ['SUPPORT', 'ADMIN', 'INTEGRATION'] as const) {
    it(`R-SEC-1: proctoringProfile.phone and .address are readable by ${role}`, async () => {
      const r = await s.gql<PersonalResult>(PERSONAL, { id: other.id }, tokens.get(role));
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect(r.data!.learner.proctoringProfile).toEqual({ phone: '+33 6 12 34 56 78', address: `${other.id.slice(0, 4)} rue de la Paix`, city: 'Lyon', country: 'FR' });
    });
  }

  it('R-SEC-1: the learner themself reads their phone and address (by id and through viewer)', async () => {
    const set = await s.gql(SET_PROFILE, { i: validProfile(f.learnerId, { phone: '+33 7 11 22 33 44', address: '1 place Bellecour' }) }, tokens.get('LEARNER'));
    expect(payloadOf(set, 'setProctoringProfile').errors).toEqual([]);
    const r = await s.gql<PersonalResult>(PERSONAL, { id: f.learnerId }, tokens.get('LEARNER'));
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data!.learner.proctoringProfile).toMatchObject({ phone: '+33 7 11 22 33 44', address: '1 place Bellecour' });
    const v = await s.gql<{ viewer: { learner: { proctoringProfile: { phone: string; address: string } } } }>('{ viewer { learner { proctoringProfile { phone address } } } }', {}, tokens.get('LEARNER'));
    expect(v.errors).toBeUndefined();
    expect(v.data!.viewer.learner.proctoringProfile).toEqual({ phone: '+33 7 11 22 33 44', address: '1 place Bellecour' });
  });

  it('R-SEC-2: a staff read of phone/address writes a learner.personal-data.view audit event (actor, subject)', async () => {
    const fresh = await s.newLearner({ givenName: 'Inès', familyName: 'Auditée' });
    await s.gql(SET_PROFILE, { i: validProfile(fresh.id) }, tokens.get('INTEGRATION'));
    expect(await auditEvents(s, { action: 'learner.personal-data.view', subjectId: fresh.id })).toEqual([]);

    // Reading fields that are not personal is not a view of personal data.
    await s.gql('query($id: ID!) { learner(id: $id) { id proctoringProfile { city country complete } } }', { id: fresh.id }, tokens.get('SUPPORT'));
    expect(await auditEvents(s, { action: 'learner.personal-data.view', subjectId: fresh.id })).toEqual([]);

    const r = await s.gql(PERSONAL, { id: fresh.id }, tokens.get('SUPPORT'));
    expect(r.errors).toBeUndefined();
    const events = await auditEvents(s, { action: 'learner.personal-data.view', subjectId: fresh.id });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.every((e) => e.actor === 'staff:support@test.local')).toBe(true);
    expect(events[0]).toMatchObject({ action: 'learner.personal-data.view', subjectId: fresh.id });

    await s.gql('query($id: ID!) { learner(id: $id) { proctoringProfile { address } } }', { id: fresh.id }, tokens.get('ADMIN'));
    const afterAdmin = await auditEvents(s, { action: 'learner.personal-data.view', subjectId: fresh.id, actor: `staff:${ADMIN_EMAIL}` });
    expect(afterAdmin.length).toBeGreaterThanOrEqual(1);
  });
});
