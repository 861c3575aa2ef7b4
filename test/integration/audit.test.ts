import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sql: pg.Client;
beforeAll(async () => {
  s = await startTestServer();
  sql = await sqlClient(s.dbUrl);
});
afterAll(async () => {
  await sql?.end();
  await s?.close();
});

const CREATE_SESSION = `mutation($i: CreateCertificationSessionInput!) {
  createCertificationSession(input: $i) { session { id courseCode } errors { code message field } }
}`;

function sessionInput(overrides: Record<string, unknown> = {}) {
  return {
    courseTitle: 'Cartographie professionnelle',
    courseCode: 'CARTOPRO-2017',
    university: 'Université de test',
    courseStartDate: '2017-01-09',
    priceCents: 6000,
    currency: 'EUR',
    examPeriodStart: '2017-03-01',
    examPeriodEnd: '2017-03-31',
    dailyStart: '08:00',
    dailyEnd: '20:00',
    excludedWeekdays: ['SUNDAY'],
    timeZone: 'Europe/Paris',
    examDurationMinutes: 90,
    slotStepMinutes: 30,
    bookingLeadHours: 48,
    slotCapacity: 10,
    certificateDeadline: '2017-06-30T22:00:00.000Z',
    evidenceRetentionDays: 90,
    passMarkPercent: 50,
    ...overrides,
  };
}

async function createSession(code: string): Promise<{ id: string; requestId: string | null }> {
  const r = await s.gql<{ createCertificationSession: { session: { id: string } | null; errors: unknown[] } }>(
    CREATE_SESSION,
    { i: sessionInput({ courseCode: code }) },
    await s.tokenFor('CERTIFICATION'),
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.createCertificationSession.errors).toEqual([]);
  return { id: r.data!.createCertificationSession.session!.id, requestId: r.headers.get('x-request-id') };
}

interface AuditNode {
  id: string;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown> | null;
  requestId: string | null;
}
interface AuditPage {
  auditEvents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: AuditNode }[] };
}
const AUDIT_EVENTS = `query($f: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id at actor action subjectType subjectId details requestId } }
  }
}`;

async function auditEvents(filter: Record<string, unknown>, page: { first?: number; after?: string } = {}) {
  const r = await s.gql<AuditPage>(AUDIT_EVENTS, { f: filter, ...page }, await s.tokenFor('ADMIN'));
  expect(r.errors).toBeUndefined();
  return r.data!.auditEvents;
}

async function countAuditRows(): Promise<number> {
  const { rows } = await sql.query<{ n: string }>('select count(*)::text as n from audit_event');
  return Number(rows[0].n);
}

describe('R-SEC-2: the database keeps audit_event append-only', () => {
  let id: string;
  beforeAll(async () => {
    const { rows } = await sql.query<{ id: string }>(
      `insert into audit_event (at, actor, action, subject_type, subject_id, details, request_id)
       values (now(), 'staff:raw@test.local', 'raw.insert', 'Thing', 'thing-1', '{"k": 1}', 'req-raw') returning id::text`,
    );
    id = rows[0].id;
  });

  it('R-SEC-2: INSERT works', async () => {
    const { rows } = await sql.query('select actor, action, subject_id from audit_event where id = $1', [id]);
    expect(rows).toEqual([{ actor: 'staff:raw@test.local', action: 'raw.insert', subject_id: 'thing-1' }]);
  });

  it('R-SEC-2: UPDATE is refused by the database', async () => {
    await expect(sql.query(`update audit_event set actor = 'someone-else' where id = $1`, [id])).rejects.toThrow(/append-only/);
    const { rows } = await sql.query('select actor from audit_event where id = $1', [id]);
    expect(rows[0].actor).toBe('staff:raw@test.local');
  });

  it('R-SEC-2: DELETE is refused by the database', async () => {
    await expect(sql.query('delete from audit_event where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(sql.query('delete from audit_event')).rejects.toThrow(/append-only/);
    const { rowCount } = await sql.query('select 1 from audit_event where id = $1', [id]);
    expect(rowCount).toBe(1);
  });

  it('R-SEC-2: TRUNCATE is refused by the database', async () => {
    const before = await countAuditRows();
    await expect(sql.query('truncate audit_event')).rejects.toThrow(/append-only/);
    expect(await countAuditRows()).toBe(before);
  });
});

describe('R-SEC-2: state changes through the API write audit events', () => {
  it('R-SEC-2: createCertificationSession writes session.create with actor, subject and request id', async () => {
    const { id, requestId } = await createSession('AUDIT-1');
    const { rows } = await sql.query(`select actor, action, subject_type, subject_id, request_id from audit_event where subject_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'staff:certification@test.local', action: 'session.create', subject_type: 'CertificationSession', subject_id: id });
    expect(rows[0].request_id).toBeTruthy();
    expect(rows[0].request_id).toBe(requestId);

    const page = await auditEvents({ subjectId: id });
    expect(page.totalCount).toBe(1);
    expect(page.edges[0].node).toMatchObject({ actor: 'staff:certification@test.local', action: 'session.create', subjectId: id, subjectType: 'CertificationSession', requestId });
    expect(page.edges[0].node.details).toMatchObject({ courseCode: 'AUDIT-1' });
  });

  it('R-SEC-2: upsertLearner (INTEGRATION) writes learner.create with a service actor', async () => {
    const learner = await s.newLearner();
    const page = await auditEvents({ subjectId: learner.id, action: 'learner.create' });
    expect(page.totalCount).toBe(1);
    expect(page.edges[0].node.actor).toMatch(/^service:/);
  });

  it('R-SEC-2: a refused mutation (UserError) writes no audit event', async () => {
    const token = await s.tokenFor('CERTIFICATION');
    const before = await countAuditRows();
    const r = await s.gql<{ createCertificationSession: { session: unknown; errors: { code: string; field: string[] }[] } }>(
      CREATE_SESSION,
      { i: sessionInput({ courseCode: 'AUDIT-REFUSED', currency: 'EURO' }) },
      token,
    );
    expect(r.data!.createCertificationSession.session).toBeNull();
    expect(r.data!.createCertificationSession.errors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'currency'] });
    expect(await countAuditRows()).toBe(before);
    const { rowCount } = await sql.query(`select 1 from audit_event where details->>'courseCode' = 'AUDIT-REFUSED'`);
    expect(rowCount).toBe(0);
  });
});

describe('R-SEC-2: auditEvents (ADMIN)', () => {
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  const CERT = 'staff:certification@test.local';
  beforeAll(async () => {
    await s.tokenFor('CERTIFICATION');
    await s.setClock('2031-01-10T10:00:00Z');
    ids.a = (await createSession('FILTER-A')).id;
    await s.setClock('2031-02-10T10:00:00Z');
    ids.b = (await createSession('FILTER-B')).id;
    await s.setClock('2031-03-10T10:00:00Z');
    ids.c = (await createSession('FILTER-C')).id;
  });

  it('R-SEC-2: is refused to other roles and to anonymous callers', async () => {
    for (const role of ['CERTIFICATION', 'SUPPORT', 'PAYMENTS', 'INTEGRATION'] as const) {
      const r = await s.gql(AUDIT_EVENTS, {}, await s.tokenFor(role));
      expect(r.errors?.[0].extensions?.code, role).toBe('FORBIDDEN');
      expect(r.data ?? null).toBeNull();
    }
    const anon = await s.gql(AUDIT_EVENTS, {});
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('R-SEC-2: filters by subjectId', async () => {
    const page = await auditEvents({ subjectId: ids.b });
    expect(page.totalCount).toBe(1);
    expect(page.edges.map((e) => e.node.subjectId)).toEqual([ids.b]);
    expect(page.edges[0].node.at).toBe('2031-02-10T10:00:00.000Z');
  });

  it('R-SEC-2: filters by action', async () => {
    const page = await auditEvents({ action: 'test-clock.set' }, { first: 200 });
    expect(page.totalCount).toBeGreaterThanOrEqual(3);
    expect(page.edges.every((e) => e.node.action === 'test-clock.set')).toBe(true);
  });

  it('R-SEC-2: filters by actor', async () => {
    const page = await auditEvents({ actor: CERT }, { first: 200 });
    expect(page.edges.every((e) => e.node.actor === CERT)).toBe(true);
    const subjects = page.edges.map((e) => e.node.subjectId);
    expect(subjects).toEqual(expect.arrayContaining([ids.a, ids.b, ids.c]));
    // The ADMIN's setTestClock events are not the CERTIFICATION user's.
    expect(page.edges.some((e) => e.node.action === 'test-clock.set')).toBe(false);
  });

  it('R-SEC-2: filters by domain instant (from/to, inclusive)', async () => {
    const feb = await auditEvents({ from: '2031-02-01T00:00:00Z', to: '2031-02-28T23:59:59Z' }, { first: 200 });
    expect(feb.edges.length).toBeGreaterThanOrEqual(2); // the clock move and the session
    expect(feb.edges.every((e) => e.node.at >= '2031-02-01T00:00:00.000Z' && e.node.at <= '2031-02-28T23:59:59.000Z')).toBe(true);
    const sessions = feb.edges.filter((e) => e.node.action === 'session.create').map((e) => e.node.subjectId);
    expect(sessions).toEqual([ids.b]);

    const fromFeb = await auditEvents({ from: '2031-02-10T10:00:00Z', action: 'session.create' }, { first: 200 });
    expect(fromFeb.edges.map((e) => e.node.subjectId)).toEqual([ids.c, ids.b]);

    const toFeb = await auditEvents({ to: '2031-02-10T10:00:00Z', actor: CERT, action: 'session.create' }, { first: 200 });
    const toSubjects = toFeb.edges.map((e) => e.node.subjectId);
    expect(toSubjects).toContain(ids.a);
    expect(toSubjects).toContain(ids.b);
    expect(toSubjects).not.toContain(ids.c);
  });

  it('R-SEC-2: lists newest first', async () => {
    const page = await auditEvents({ actor: CERT, action: 'session.create', from: '2031-01-01T00:00:00Z' });
    expect(page.edges.map((e) => e.node.subjectId)).toEqual([ids.c, ids.b, ids.a]);
    const numericIds = page.edges.map((e) => BigInt(e.node.id));
    expect([...numericIds].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(numericIds);
  });

  it('R-SEC-2: paginates with first/after', async () => {
    const filter = { actor: CERT, action: 'session.create', from: '2031-01-01T00:00:00Z' };
    const p1 = await auditEvents(filter, { first: 2 });
    expect(p1.totalCount).toBe(3);
    expect(p1.edges.map((e) => e.node.subjectId)).toEqual([ids.c, ids.b]);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(p1.pageInfo.endCursor).toBe(p1.edges[1].cursor);
    const p2 = await auditEvents(filter, { first: 2, after: p1.pageInfo.endCursor! });
    expect(p2.edges.map((e) => e.node.subjectId)).toEqual([ids.a]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    expect(p2.totalCount).toBe(3);
  });
});
