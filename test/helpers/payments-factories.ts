import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { signedNotification } from '../../src/providers/paybox/simulator-keys';
import { CREATE_SESSION, payloadOf, seedSession } from './inputs-common';
import { type GqlResult, type TestServer } from './server';

/**
 * Factories for registration, equipment and payment tests: a session, a learner registered up to a
 * given step, payment inputs and signed Paybox notifications (the simulator's key of the server's
 * DATA_DIR).
 */

export const REGISTRATION_FIELDS = `id status nextStep dunExempt requirementsAcknowledgedAt termsVersion termsAcceptedAt
  lockedGivenName lockedFamilyName nameLockedAt createdAt session { id } learner { id }`;
export const PAYMENT_FIELDS = 'id amountCents currency cardBrand numAppel numTrans paidAt status refundedCents registration { id status nextStep }';
export const CARD_FIELDS = 'cardExpiry eCarteBleue authorizationNumber';

export const START = `mutation($i: StartRegistrationInput!) { startRegistration(input: $i) { registration { ${REGISTRATION_FIELDS} } errors { code message field } } }`;
export const ACK = `mutation($id: ID!) { acknowledgeRequirements(registrationId: $id) { registration { ${REGISTRATION_FIELDS} } errors { code message field } } }`;
export const TERMS = `mutation($i: AcceptTermsInput!) { acceptTerms(input: $i) { registration { ${REGISTRATION_FIELDS} } errors { code message field } } }`;
export const LOCK = `mutation($i: LockNameInput!) { lockName(input: $i) { registration { ${REGISTRATION_FIELDS} } errors { code message field } } }`;
export const RECORD_PAYMENT = `mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { ${PAYMENT_FIELDS} ${CARD_FIELDS} } errors { code message field } } }`;

export interface RegistrationRow {
  id: string;
  status: string;
  nextStep: string;
  dunExempt: boolean;
  lockedGivenName: string | null;
  lockedFamilyName: string | null;
  nameLockedAt: string | null;
  [k: string]: unknown;
}

/** A certification session (R-SES-1 seed values unless overridden), created by CERTIFICATION. */
export async function createSession(s: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const r = await s.gql<{ createCertificationSession: { session: { id: string } } }>(CREATE_SESSION, { i: seedSession(overrides) }, await s.tokenFor('CERTIFICATION'));
  const p = payloadOf<{ session: { id: string } }>(r, 'createCertificationSession');
  expect(p.errors).toEqual([]);
  return p.session.id;
}

export type Stage = 'STARTED' | 'ACKNOWLEDGED' | 'TERMS_ACCEPTED' | 'NAME_LOCKED';

export interface Registered {
  registrationId: string;
  learnerId: string;
  learnerToken: string;
  registration: RegistrationRow;
}

async function ok(r: Promise<GqlResult>, name: string): Promise<RegistrationRow> {
  const p = payloadOf<{ registration: RegistrationRow }>(await r, name);
  expect(p.errors).toEqual([]);
  return p.registration;
}

/** A new learner registered to the session up to `stage` (default: name locked, i.e. at step PAY), by INTEGRATION. */
export async function registerLearner(
  s: TestServer,
  sessionId: string,
  opts: { stage?: Stage; dunEnrolled?: boolean; givenName?: string; familyName?: string } = {},
): Promise<Registered> {
  const stage = opts.stage ?? 'NAME_LOCKED';
  const integration = await s.tokenFor('INTEGRATION');
  const learner = await s.newLearner({ ...(opts.givenName ? { givenName: opts.givenName } : {}), ...(opts.familyName ? { familyName: opts.familyName } : {}) });
  let registration = await ok(s.gql(START, { i: { sessionId, learnerId: learner.id, dunEnrolled: opts.dunEnrolled ?? false } }, integration), 'startRegistration');
  const id = registration.id;
  if (stage !== 'STARTED') registration = await ok(s.gql(ACK, { id }, integration), 'acknowledgeRequirements');
  if (stage === 'TERMS_ACCEPTED' || stage === 'NAME_LOCKED') registration = await ok(s.gql(TERMS, { i: { registrationId: id, termsVersion: 'FUN-2017-01+PU-2017-01' } }, integration), 'acceptTerms');
  if (stage === 'NAME_LOCKED') {
    registration = await ok(s.gql(LOCK, { i: { registrationId: id, givenName: opts.givenName ?? 'Camille', familyName: opts.familyName ?? 'MARTIN' } }, integration), 'lockName');
  }
  return { registrationId: id, learnerId: learner.id, learnerToken: learner.token, registration };
}

const unique = () => randomBytes(4).toString('hex');

/** A valid `recordPayment` input for the seed session (60.00 EUR, period ending 2017-03-14). */
export function paymentInput(registrationId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = String(parseInt(unique(), 16)).padStart(10, '0').slice(0, 10);
  return {
    registrationId,
    amountCents: 6000,
    currency: 'EUR',
    cardBrand: 'VISA',
    cardExpiry: '0919',
    eCarteBleue: false,
    numAppel: `7${n.slice(0, 9)}`,
    numTrans: `4${n.slice(0, 9)}`,
    authorizationNumber: 'XXXXXX',
    paidAt: '2017-02-10T14:05:00.000Z',
    idempotencyKey: `pay-${unique()}`,
    ...overrides,
  };
}

export async function recordPayment(s: TestServer, input: Record<string, unknown>, token?: string) {
  return s.gql<{ recordPayment: { payment: Record<string, unknown> | null; errors: { code: string; message: string; field: string[] | null }[] } }>(
    RECORD_PAYMENT,
    { i: input },
    token ?? (await s.tokenFor('INTEGRATION')),
  );
}

/** The parameters of an accepted Paybox notification for a registration, in PBX_RETOUR order. */
export function ipnParams(registrationId: string, overrides: Record<string, string> = {}): [string, string][] {
  const n = String(parseInt(unique(), 16)).padStart(10, '0').slice(0, 10);
  const base: [string, string][] = [
    ['montant', '6000'],
    ['ref', registrationId],
    ['auto', '123456'],
    ['trans', `5${n.slice(0, 9)}`],
    ['appel', `8${n.slice(0, 9)}`],
    ['carte', 'VISA'],
    ['validite', '1909'],
    ['erreur', '00000'],
    ['date', '10022017'],
    ['heure', '150500'],
  ];
  const keys = new Set(base.map(([k]) => k));
  return [...base.map(([k, val]) => [k, overrides[k] ?? val] as [string, string]), ...Object.entries(overrides).filter(([k]) => !keys.has(k))];
}

/** A notification signed with the simulator key of this server's data directory. */
export function signedIpn(s: TestServer, params: [string, string][]): string {
  return signedNotification(params, s.config.dataDir);
}

export async function getIpn(s: TestServer, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/integrations/paybox/ipn?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function postIpn(s: TestServer, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/integrations/paybox/ipn`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Rows of one table (raw count, whoever may read it). */
export async function countRows(s: TestServer, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = await s.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from "${table}" where ${where}`, params);
  return row.n;
}

/** The registration as INTEGRATION sees it. */
export async function readRegistration(s: TestServer, id: string): Promise<RegistrationRow & { payment: Record<string, unknown> | null }> {
  const r = await s.gql<{ registration: RegistrationRow & { payment: Record<string, unknown> | null } }>(
    `query($id: ID!) { registration(id: $id) { ${REGISTRATION_FIELDS} payment { ${PAYMENT_FIELDS} } } }`,
    { id },
    await s.tokenFor('INTEGRATION'),
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.registration;
}
