import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { SEED_SESSION as SEED_SESSION_VALUES } from './inputs-common';
import { type TestServer } from './server';

/** The seed session (R-SES-1): 1–14 March 2017, 15:00–21:00 Europe/Paris, no Wednesdays, 30 min, 15 min step. */
type SessionInput = {
  [K in keyof typeof SEED_SESSION_VALUES]: K extends 'excludedWeekdays' ? string[] : (typeof SEED_SESSION_VALUES)[K] extends number ? number : string;
};
export const SEED_SESSION: SessionInput = { ...SEED_SESSION_VALUES, excludedWeekdays: [...SEED_SESSION_VALUES.excludedWeekdays] };

export const PROFILE = { phone: '+33 1 99 00 12 34', address: '6 cours Albert Thomas', city: 'Lyon', timeZone: 'Europe/Paris', country: 'FR' };

export async function createSession(s: TestServer, overrides: Partial<typeof SEED_SESSION> = {}): Promise<string> {
  const input = { ...SEED_SESSION, courseCode: `T${randomBytes(3).toString('hex')}`, ...overrides };
  const r = await s.gql<{ createCertificationSession: { session: { id: string } | null; errors: unknown[] } }>(
    'mutation($i: CreateCertificationSessionInput!) { createCertificationSession(input: $i) { session { id } errors { code message field } } }',
    { i: input },
    await s.tokenFor('ADMIN'),
  );
  expect(r.data?.createCertificationSession.errors, JSON.stringify(r)).toEqual([]);
  return r.data!.createCertificationSession.session!.id;
}

export interface TestRegistration {
  learnerId: string;
  token: string;
  registrationId: string;
}

async function ok(s: TestServer, query: string, variables: Record<string, unknown>, token: string | undefined): Promise<void> {
  const r = await s.gql<Record<string, { errors: unknown[] }>>(query, variables, token);
  const first = r.data ? Object.values(r.data)[0] : undefined;
  if (r.errors || (first && first.errors.length)) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(r.errors ?? first)}`);
}

/**
 * A learner with a registration through the API steps (R-REG-1), then marked paid directly in the
 * database (recordPayment belongs to the payments issue): `paidAt` set and status ACTIVE.
 * `{ paid: false }` stops after the name lock; `{ profile: false }` leaves the ProctorU profile empty;
 * `{ dun: true }` registers as DUN exempt (ACTIVE at the name lock, R-REG-4).
 */
export async function registration(s: TestServer, sessionId: string, opts: { paid?: boolean; profile?: boolean; dun?: boolean } = {}): Promise<TestRegistration> {
  const learner = await s.newLearner();
  const t = learner.token;
  if (opts.profile !== false) {
    await ok(s, 'mutation($i: SetProctoringProfileInput!) { setProctoringProfile(input: $i) { errors { code message } } }', { i: { learnerId: learner.id, ...PROFILE } }, t);
  }
  const startToken = opts.dun ? await s.tokenFor('INTEGRATION') : t;
  const r = await s.gql<{ startRegistration: { registration: { id: string } } }>(
    'mutation($i: StartRegistrationInput!) { startRegistration(input: $i) { registration { id } errors { code message } } }',
    { i: { sessionId, learnerId: learner.id, dunEnrolled: Boolean(opts.dun) } },
    startToken,
  );
  const registrationId = r.data!.startRegistration.registration.id;
  await ok(s, 'mutation($id: ID!) { acknowledgeRequirements(registrationId: $id) { errors { code message } } }', { id: registrationId }, t);
  await ok(s, 'mutation($i: AcceptTermsInput!) { acceptTerms(input: $i) { errors { code message } } }', { i: { registrationId, termsVersion: '2017-01' } }, t);
  await ok(s, 'mutation($i: LockNameInput!) { lockName(input: $i) { errors { code message } } }', { i: { registrationId, givenName: 'Camille', familyName: 'Martin' } }, t);
  if (opts.paid !== false && !opts.dun) await markPaid(s, registrationId);
  return { learnerId: learner.id, token: t, registrationId };
}

export async function markPaid(s: TestServer, registrationId: string): Promise<void> {
  await s.orm.em.getConnection().execute(`update registration set paid_at = '2017-02-01T10:00:00Z', status = 'ACTIVE' where id = ?`, [registrationId]);
}

export async function sql<T = Record<string, unknown>>(s: TestServer, query: string, params: unknown[] = []): Promise<T[]> {
  return (await s.orm.em.getConnection().execute(query, params)) as T[];
}

export const APPOINTMENT_FIELDS = 'id startsAt endsAt plannedUntil localStart status priority bookedBy cancelledAt replacedBy { id startsAt }';

export interface AppointmentResult {
  appointment: { id: string; startsAt: string; endsAt: string; plannedUntil: string; localStart: string; status: string; priority: boolean; bookedBy: string; cancelledAt: string | null; replacedBy: { id: string; startsAt: string } | null } | null;
  errors: { code: string; message: string; field: string[] | null }[];
}

export async function book(s: TestServer, registrationId: string, startsAt: string, token: string | undefined) {
  const r = await s.gql<{ bookAppointment: AppointmentResult }>(
    `mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { ${APPOINTMENT_FIELDS} } errors { code message field } } }`,
    { i: { registrationId, startsAt } },
    token,
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.bookAppointment;
}

export async function reschedule(s: TestServer, appointmentId: string, startsAt: string, token: string | undefined) {
  const r = await s.gql<{ rescheduleAppointment: AppointmentResult }>(
    `mutation($i: RescheduleAppointmentInput!) { rescheduleAppointment(input: $i) { appointment { ${APPOINTMENT_FIELDS} } errors { code message field } } }`,
    { i: { appointmentId, startsAt } },
    token,
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.rescheduleAppointment;
}

export async function cancel(s: TestServer, appointmentId: string, token: string | undefined, reason?: string) {
  const r = await s.gql<{ cancelAppointment: AppointmentResult }>(
    `mutation($i: CancelAppointmentInput!) { cancelAppointment(input: $i) { appointment { ${APPOINTMENT_FIELDS} cancellationReason } errors { code message field } } }`,
    { i: { appointmentId, reason } },
    token,
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.cancelAppointment;
}

export async function bookPriority(s: TestServer, registrationId: string, incidentId: string, startsAt: string) {
  const r = await s.gql<{ bookPriorityAppointment: AppointmentResult }>(
    `mutation($i: BookPriorityAppointmentInput!) { bookPriorityAppointment(input: $i) { appointment { ${APPOINTMENT_FIELDS} } errors { code message field } } }`,
    { i: { registrationId, incidentId, startsAt } },
    await s.tokenFor('SUPPORT'),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.bookPriorityAppointment;
}

export interface IncidentResult {
  incident: { id: string; confirmedByProvider: boolean; confirmedAt: string | null; providerReference: string | null; priorityRebookingAvailable: boolean; appointment: { id: string; status: string } } | null;
  errors: { code: string; message: string; field: string[] | null }[];
}
const INCIDENT_FIELDS = 'id confirmedByProvider confirmedAt providerReference priorityRebookingAvailable appointment { id status }';

export async function reportIncident(
  s: TestServer,
  input: { appointmentId: string; occurredAt: string; kind?: string; description?: string; providerReference?: string; confirmedByProvider?: boolean },
  token?: string,
) {
  const r = await s.gql<{ reportProviderIncident: IncidentResult }>(
    `mutation($i: ReportProviderIncidentInput!) { reportProviderIncident(input: $i) { incident { ${INCIDENT_FIELDS} } errors { code message field } } }`,
    { i: { kind: 'DISCONNECTION', description: 'The webcam stream dropped for 10 minutes', ...input } },
    token ?? (await s.tokenFor('SUPPORT')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.reportProviderIncident;
}

export async function confirmIncident(s: TestServer, incidentId: string, providerReference = 'PU-2017-0001', token?: string) {
  const r = await s.gql<{ confirmProviderIncident: IncidentResult }>(
    `mutation($i: ConfirmProviderIncidentInput!) { confirmProviderIncident(input: $i) { incident { ${INCIDENT_FIELDS} } errors { code message field } } }`,
    { i: { incidentId, providerReference } },
    token ?? (await s.tokenFor('INTEGRATION')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.confirmProviderIncident;
}

/** A registration's scheduling fields, as a staff reader sees them. */
export async function registrationSchedule(s: TestServer, registrationId: string, token?: string) {
  const r = await s.gql<{
    registration: {
      appointments: { id: string; status: string; startsAt: string; replacedBy: { id: string } | null; priority: boolean }[];
      activeAppointment: { id: string; startsAt: string } | null;
      incidents: { id: string; confirmedByProvider: boolean; priorityRebookingAvailable: boolean }[];
    };
  }>(
    `query($id: ID!) { registration(id: $id) { appointments { id status startsAt priority replacedBy { id } } activeAppointment { id startsAt } incidents { id confirmedByProvider priorityRebookingAvailable } } }`,
    { id: registrationId },
    token ?? (await s.tokenFor('SUPPORT')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.registration;
}

export async function slots(s: TestServer, sessionId: string, args: { from?: string; to?: string; timeZone?: string } = {}, token?: string) {
  const r = await s.gql<{ availableSlots: { startsAt: string; endsAt: string; localStart: string; remainingCapacity: number }[] }>(
    'query($id: ID!, $from: DateTime, $to: DateTime, $tz: String) { availableSlots(sessionId: $id, from: $from, to: $to, timeZone: $tz) { startsAt endsAt localStart remainingCapacity } }',
    { id: sessionId, from: args.from, to: args.to, tz: args.timeZone },
    token ?? (await s.tokenFor('SUPPORT')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.availableSlots;
}
