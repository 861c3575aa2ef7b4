import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { Appointment, Payment, ProviderIncident, Registration } from '../../src/entities';
import { CREATE_SESSION, seedSession } from './inputs-common';
import { type GqlResult, STAFF_PASSWORD, type TestServer } from './server';

/**
 * Refund test fixtures. Registration steps go through the API; the payment, appointments and
 * incidents are inserted with the ORM, so refund tests do not depend on recordPayment, the IPN or the
 * scheduling mutations.
 */

export const REFUND_FIELDS = `id reason status amountCents paymentTicket requestedBy requestedAt decidedBy decidedAt decisionComment
  providerRequestNumber providerReference providerResponseCode settlementMethod settlementReference completedAt
  events { at fromStatus toStatus actor comment providerCode }`;
const PAYLOAD = `refundRequest { ${REFUND_FIELDS} } errors { code message field }`;

export const REQUEST_REFUND = `mutation($i: RequestRefundInput!) { requestRefund(input: $i) { ${PAYLOAD} } }`;
export const APPROVE_REFUND = `mutation($i: DecideRefundInput!) { approveRefund(input: $i) { ${PAYLOAD} } }`;
export const REJECT_REFUND = `mutation($i: DecideRefundInput!) { rejectRefund(input: $i) { ${PAYLOAD} } }`;
export const EXECUTE_REFUND = `mutation($i: ExecuteRefundInput!) { executeRefund(input: $i) { ${PAYLOAD} } }`;
export const SETTLE_REFUND = `mutation($i: SettleRefundManuallyInput!) { settleRefundManually(input: $i) { ${PAYLOAD} } }`;
export const ELIGIBILITY = `query($id: ID!) { refundEligibility(registrationId: $id) { eligible reason withdrawalDeadline blockers } }`;

export interface RefundRow {
  id: string;
  reason: string;
  status: string;
  amountCents: number;
  paymentTicket: string;
  requestedBy: string;
  decidedBy: string | null;
  decisionComment: string | null;
  providerRequestNumber: string | null;
  providerReference: string | null;
  providerResponseCode: string | null;
  settlementMethod: string | null;
  settlementReference: string | null;
  completedAt: string | null;
  events: { at: string; fromStatus: string | null; toStatus: string; actor: string; comment: string | null; providerCode: string | null }[];
}
export interface RefundPayload {
  refundRequest: RefundRow | null;
  errors: { code: string; message: string; field: string[] | null }[];
}

export const key = (prefix = 'k') => `${prefix}-${randomBytes(6).toString('hex')}`;

/** A fresh 10-digit NUMTRANS (never starting with 9999 unless asked). */
export const numTrans = (prefix = '1') => prefix + String(randomInt(0, 10 ** (10 - prefix.length))).padStart(10 - prefix.length, '0');

/** The seed session (R-SES-1, Europe/Paris), created by CERTIFICATION. */
export async function createSession(s: TestServer): Promise<string> {
  const r = await s.gql<{ createCertificationSession: { session: { id: string } | null; errors: unknown[] } }>(CREATE_SESSION, { i: seedSession() }, await s.tokenFor('CERTIFICATION'));
  expect(r.data?.createCertificationSession.errors).toEqual([]);
  return r.data!.createCertificationSession.session!.id;
}

export interface PaidRegistration {
  registrationId: string;
  learnerId: string;
  learnerToken: string;
  paymentId: string;
  numTrans: string;
  numAppel: string;
  username: string;
  email: string;
  givenName: string;
  familyName: string;
}

async function ok(r: GqlResult, name: string): Promise<Record<string, unknown>> {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const p = (r.data as Record<string, { errors: unknown[] } & Record<string, unknown>>)[name];
  expect(p.errors, JSON.stringify(p.errors)).toEqual([]);
  return p;
}

/**
 * A learner registered through the API (steps 0-3 at `paidAt`), then paid at `paidAt` (inserted with
 * the ORM as recordPayment would: payment row, registration ACTIVE with paidAt).
 */
export async function paidRegistration(
  s: TestServer,
  sessionId: string,
  opts: { paidAt: string; numTrans?: string; eCarteBleue?: boolean; amountCents?: number },
): Promise<PaidRegistration> {
  await s.setClock(opts.paidAt);
  const n = randomBytes(3).toString('hex');
  const who = { username: `refund-${n}`, email: `refund-${n}@example.org`, givenName: 'Camille', familyName: `Durand-${n}` };
  const learner = await s.newLearner(who);
  const t = learner.token;
  const start = await ok(await s.gql('mutation($i: StartRegistrationInput!) { startRegistration(input: $i) { registration { id } errors { code message } } }', { i: { sessionId, learnerId: learner.id } }, t), 'startRegistration');
  const registrationId = (start.registration as { id: string }).id;
  await ok(await s.gql('mutation($id: ID!) { acknowledgeRequirements(registrationId: $id) { registration { id } errors { code message } } }', { id: registrationId }, t), 'acknowledgeRequirements');
  await ok(await s.gql('mutation($i: AcceptTermsInput!) { acceptTerms(input: $i) { registration { id } errors { code message } } }', { i: { registrationId, termsVersion: '2017-01' } }, t), 'acceptTerms');
  await ok(await s.gql('mutation($i: LockNameInput!) { lockName(input: $i) { registration { id } errors { code message } } }', { i: { registrationId, givenName: who.givenName, familyName: who.familyName } }, t), 'lockName');

  const em = s.orm.em.fork();
  const registration = await em.findOneOrFail(Registration, { id: registrationId });
  const paidAt = new Date(opts.paidAt);
  const trans = opts.numTrans ?? numTrans();
  const payment = em.create(Payment, {
    registration,
    amountCents: opts.amountCents ?? 6000,
    currency: 'EUR',
    cardBrand: 'VISA',
    cardExpiry: '0519',
    eCarteBleue: opts.eCarteBleue ?? false,
    numAppel: String(randomInt(10 ** 9, 10 ** 10)),
    numTrans: trans,
    authorizationNumber: 'XXXXXX',
    paidAt,
    source: 'API',
    recordedAt: paidAt,
    recordedBy: 'test:factory',
  });
  registration.paidAt = paidAt;
  registration.status = 'ACTIVE';
  await em.flush();
  return { registrationId, learnerId: learner.id, learnerToken: t, paymentId: payment.id, numTrans: trans, numAppel: payment.numAppel, ...who };
}

/** A registration through step 3 only (not paid). */
export async function unpaidRegistration(s: TestServer, sessionId: string, at: string): Promise<{ registrationId: string; learnerToken: string }> {
  await s.setClock(at);
  const learner = await s.newLearner();
  const r = await ok(await s.gql('mutation($i: StartRegistrationInput!) { startRegistration(input: $i) { registration { id } errors { code message } } }', { i: { sessionId, learnerId: learner.id } }, learner.token), 'startRegistration');
  return { registrationId: (r.registration as { id: string }).id, learnerToken: learner.token };
}

/** An appointment inserted with the ORM (the scheduling rules are not under test here). */
export async function insertAppointment(
  s: TestServer,
  registrationId: string,
  opts: { startsAt: string; status?: Appointment['status']; bookedAt?: string },
): Promise<string> {
  const em = s.orm.em.fork();
  const registration = await em.findOneOrFail(Registration, { id: registrationId });
  const startsAt = new Date(opts.startsAt);
  const a = em.create(Appointment, {
    registration,
    sessionId: registration.session.id,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 30 * 60_000),
    status: opts.status ?? 'BOOKED',
    bookedAt: new Date(opts.bookedAt ?? startsAt.getTime() - 7 * 24 * 3600_000),
    bookedBy: 'test:factory',
    cancelledAt: opts.status === 'CANCELLED' ? new Date(startsAt.getTime() - 5 * 24 * 3600_000) : null,
  });
  await em.flush();
  return a.id;
}

/** A provider incident during an appointment (status PROVIDER_FAULT), confirmed or not. */
export async function insertIncident(s: TestServer, registrationId: string, opts: { at: string; confirmed: boolean }): Promise<string> {
  const appointmentId = await insertAppointment(s, registrationId, { startsAt: opts.at, status: 'PROVIDER_FAULT' });
  const em = s.orm.em.fork();
  const registration = await em.findOneOrFail(Registration, { id: registrationId });
  const at = new Date(opts.at);
  const incident = em.create(ProviderIncident, {
    registration,
    appointment: await em.findOneOrFail(Appointment, { id: appointmentId }),
    kind: 'DISCONNECTION',
    description: 'The proctor lost the connection during part 2',
    providerReference: opts.confirmed ? 'PU-12345' : null,
    occurredAt: new Date(at.getTime() + 10 * 60_000),
    confirmedByProvider: opts.confirmed,
    confirmedAt: opts.confirmed ? new Date(at.getTime() + 3600_000) : null,
    reportedBy: 'test:factory',
    reportedAt: new Date(at.getTime() + 20 * 60_000),
  });
  await em.flush();
  return incident.id;
}

/** A second staff account with a role (four eyes needs two people of the PAYMENTS team). */
export async function staffToken(s: TestServer, email: string, roles: string[]): Promise<string> {
  const admin = await s.tokenFor('ADMIN');
  const c = await s.gql('mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { staffUser { id } errors { code message } } }', { i: { email, displayName: email, password: STAFF_PASSWORD, roles } }, admin);
  expect(c.errors).toBeUndefined();
  const r = await s.gql<{ login: { token: string } }>('mutation($i: LoginInput!) { login(input: $i) { token errors { code } } }', { i: { email, password: STAFF_PASSWORD } });
  return r.data!.login.token;
}

/** The request input of a paid registration, valid as is. */
export function requestInput(p: PaidRegistration, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    registrationId: p.registrationId,
    reason: 'WITHDRAWAL',
    paymentTicket: p.numTrans,
    learnerFirstName: p.givenName,
    learnerLastName: p.familyName,
    username: p.username,
    email: p.email,
    idempotencyKey: key('req'),
    ...over,
  };
}

export async function call(s: TestServer, doc: string, name: string, input: Record<string, unknown>, token: string | undefined): Promise<RefundPayload> {
  const r = await s.gql<Record<string, RefundPayload>>(doc, { i: input }, token);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data![name];
}
