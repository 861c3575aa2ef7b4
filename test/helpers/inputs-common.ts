import { expect } from 'vitest';
import { type GqlResult, type TestServer } from './server';

/**
 * Shared pieces of the access-matrix, identity and bad-input tests: the seed session of SPEC R-SES-1,
 * row counts of every table (to prove "changes nothing", R-SEC-3) and error assertions.
 */

/** R-SES-1 seed values (CARTOPRO'S 2017, the guide's session). */
export const SEED_SESSION = {
  courseTitle: 'Introduction à la cartographie des processus métiers',
  courseCode: '26001S03',
  university: 'Université Jean Moulin Lyon 3',
  courseStartDate: '2017-01-09',
  priceCents: 6000,
  currency: 'EUR',
  examPeriodStart: '2017-03-01',
  examPeriodEnd: '2017-03-14',
  dailyStart: '15:00',
  dailyEnd: '21:00',
  excludedWeekdays: ['WEDNESDAY'],
  timeZone: 'Europe/Paris',
  examDurationMinutes: 30,
  slotStepMinutes: 15,
  bookingLeadHours: 72,
  slotCapacity: 4,
  certificateDeadline: '2017-03-14T23:30:00Z',
  evidenceRetentionDays: 42,
  passMarkPercent: 60,
} as const;

export const seedSession = (overrides: Partial<Record<keyof typeof SEED_SESSION, unknown>> = {}): Record<string, unknown> => ({
  ...SEED_SESSION,
  excludedWeekdays: [...SEED_SESSION.excludedWeekdays],
  ...overrides,
});

export const SESSION_FIELDS = Object.keys(SEED_SESSION).join(' ');

export const CREATE_SESSION = `mutation($i: CreateCertificationSessionInput!) {
  createCertificationSession(input: $i) { session { id ${SESSION_FIELDS} } errors { code message field } }
}`;
export const UPSERT_LEARNER = `mutation($i: UpsertLearnerInput!) {
  upsertLearner(input: $i) { learner { id externalId email username givenName familyName } errors { code message field } }
}`;
export const SET_PROFILE = `mutation($i: SetProctoringProfileInput!) {
  setProctoringProfile(input: $i) { learner { id proctoringProfile { city timeZone country complete } } errors { code message field } }
}`;
export const CREATE_STAFF = `mutation($i: CreateStaffUserInput!) {
  createStaffUser(input: $i) { staffUser { id email displayName roles createdAt } errors { code message field } }
}`;
export const CREATE_API_TOKEN = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token errors { code message field } } }`;
export const ISSUE_LEARNER_TOKEN = `mutation($id: ID!) { issueLearnerToken(learnerId: $id) { token expiresAt errors { code message field } } }`;
export const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { token expiresAt viewer { kind id displayName roles } errors { code message field } } }`;

/** A valid proctoring profile (R-REG-5) for a learner. */
export const validProfile = (learnerId: string, overrides: Record<string, unknown> = {}) => ({
  learnerId,
  phone: '+33 4 78 78 70 70',
  address: '6 cours Albert Thomas',
  city: 'Lyon',
  timeZone: 'Europe/Paris',
  country: 'FR',
  ...overrides,
});

/** Bookkeeping that a refused call rightly writes: migrations, and the brute-force counters (a failure is what they count). */
const BOOKKEEPING_TABLES = ['schema_migration', 'rate_limit_event'];

/** Row count of every table of the public schema (bookkeeping aside). */
export async function rowCounts(s: TestServer): Promise<Record<string, number>> {
  const conn = s.orm.em.fork().getConnection();
  const tables = await conn.execute<{ table_name: string }[]>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in (${BOOKKEEPING_TABLES.map(() => '?').join(', ')})
      order by table_name`,
    BOOKKEEPING_TABLES,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await conn.execute<{ n: number }[]>(`select count(*)::int as n from "${table_name}"`);
    counts[table_name] = row.n;
  }
  return counts;
}

/** Runs `call` and asserts that no table gained or lost a row. Returns what `call` returned. */
export async function expectNoWrites<T>(s: TestServer, call: () => Promise<T>): Promise<T> {
  const before = await rowCounts(s);
  for (const t of ['staff_user', 'api_token', 'learner', 'certification_session', 'audit_event']) expect(before).toHaveProperty(t);
  const result = await call();
  expect(await rowCounts(s)).toEqual(before);
  return result;
}

/** The extension codes of the top-level errors. */
export function topLevelCodes(r: GqlResult<unknown>): string[] {
  return (r.errors ?? []).map((e) => String(e.extensions?.code));
}

export interface UserErrorShape {
  code: string;
  message: string;
  field: string[] | null;
}

/** The payload of mutation `name`, after checking there is no top-level error. */
export function payloadOf<T = Record<string, unknown>>(r: GqlResult<unknown>, name: string): T & { errors: UserErrorShape[] } {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const data = r.data as Record<string, unknown> | null | undefined;
  expect(data?.[name]).toBeTruthy();
  return data![name] as T & { errors: UserErrorShape[] };
}

/** Asserts a single UserError with this code and one of the accepted field paths; the payload's object is null. */
export function expectUserError(r: GqlResult<unknown>, name: string, objectKey: string | null, code: string, fields: string[][]): UserErrorShape {
  const p = payloadOf<Record<string, unknown>>(r, name);
  expect(p.errors, JSON.stringify(p.errors)).toHaveLength(1);
  const [err] = p.errors;
  expect(err.code).toBe(code);
  expect(err.message.length).toBeGreaterThan(0);
  expect(fields, `field ${JSON.stringify(err.field)} (${err.message})`).toContainEqual(err.field);
  if (objectKey) expect(p[objectKey] ?? null).toBeNull();
  return err;
}

/** Asserts that a response carries no internal error and no stack trace. */
export function expectNoInternalError(r: GqlResult<unknown>): void {
  expect(topLevelCodes(r)).not.toContain('INTERNAL_SERVER_ERROR');
  const text = JSON.stringify({ data: r.data, errors: r.errors });
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toMatch(/node_modules|\/src\//);
}

/** POST /graphql with a raw Authorization header (or none). */
export async function gqlWithAuthorization(s: TestServer, query: string, authorization: string | undefined, variables?: Record<string, unknown>): Promise<GqlResult> {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: GqlResult['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

/** Audit events as ADMIN, newest first. */
export async function auditEvents(s: TestServer, filter: Record<string, unknown>): Promise<{ action: string; actor: string; subjectType: string; subjectId: string; details: unknown }[]> {
  const r = await s.gql<{ auditEvents: { edges: { node: { action: string; actor: string; subjectType: string; subjectId: string; details: unknown } }[] } }>(
    'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 200) { edges { node { action actor subjectType subjectId details } } } }',
    { f: filter },
    await s.tokenFor('ADMIN'),
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.auditEvents.edges.map((e) => e.node);
}
