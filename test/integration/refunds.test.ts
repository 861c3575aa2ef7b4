import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemViewer } from '../../src/auth/viewer';
import { TestClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { type ServiceContext } from '../../src/context';
import { createOrm } from '../../src/db/orm';
import { createLogger } from '../../src/logging';
import { Appointment, AuditEvent, Payment, RefundRequest, Registration } from '../../src/entities';
import { createApp } from '../../src/http/app';
import { type PayboxSimulator } from '../../src/providers/paybox/simulator';
import { recoverRefundsAtStartup } from '../../src/services/refund-recovery';
import { expectNoWrites, topLevelCodes } from '../helpers/inputs-common';
import {
  APPROVE_REFUND,
  call,
  createSession,
  ELIGIBILITY,
  EXECUTE_REFUND,
  insertAppointment,
  insertIncident,
  key,
  numTrans,
  type PaidRegistration,
  paidRegistration,
  REFUND_FIELDS,
  type RefundPayload,
  REJECT_REFUND,
  REQUEST_REFUND,
  requestInput,
  SETTLE_REFUND,
  staffToken,
  unpaidRegistration,
} from '../helpers/refund-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Refunds (SPEC R-REF, R-PAY-3, HTTP.md "Paybox simulator") over HTTP against a real PostgreSQL and
 * the in-process Paybox simulator. Payments, appointments and incidents are inserted with the ORM
 * (test/helpers/refund-factories.ts).
 *
 * Not testable yet: R-REF-3b (no refund once a certificate is issued) needs certificates, which do
 * not exist; the domain rule is unit-tested (test/unit/refund-eligibility.test.ts).
 */

// Paid Wednesday 15 February 2017, 11:00 Paris: the withdrawal period ends 1 March 2017 23:59:59.999 Paris.
const PAID = '2017-02-15T10:00:00Z';
const DEADLINE = '2017-03-01T22:59:59.999Z';
const INSIDE = '2017-02-20T10:00:00Z';
const PAST = '2017-03-06T10:00:00Z';

let s: TestServer;
let sim: PayboxSimulator;
let sessionId: string;
let payments: string;
let payments2: string;
let support: string;

beforeAll(async () => {
  s = await startTestServer();
  sim = s.app.paybox.simulator!;
  sessionId = await createSession(s);
  payments = (await s.tokenFor('PAYMENTS'))!;
  payments2 = await staffToken(s, 'payments2@test.local', ['PAYMENTS']);
  support = (await s.tokenFor('SUPPORT'))!;
});
afterAll(() => s?.close());

const svcCtx = (): ServiceContext => ({
  em: s.orm.em.fork(),
  viewer: systemViewer('refund-recovery'),
  clock: s.clock,
  config: s.config,
  requestId: 'test-recovery',
  log: createLogger('silent'),
});

const request = (p: PaidRegistration, over: Record<string, unknown> = {}, token = p.learnerToken) => call(s, REQUEST_REFUND, 'requestRefund', requestInput(p, over), token);
const approve = (id: string, token = payments, over: Record<string, unknown> = {}) =>
  call(s, APPROVE_REFUND, 'approveRefund', { refundRequestId: id, comment: 'Checked against the Paybox back-office', idempotencyKey: key('approve'), ...over }, token);
const execute = (id: string, k = key('exec'), token = payments) => call(s, EXECUTE_REFUND, 'executeRefund', { refundRequestId: id, idempotencyKey: k }, token);

function expectError(p: RefundPayload, code: string, field?: string[]) {
  expect(p.errors.map((e) => e.code), JSON.stringify(p.errors)).toEqual([code]);
  if (field) expect(p.errors[0].field).toEqual(field);
}

/** A paid registration with a SUBMITTED then APPROVED withdrawal request (clock inside the period). */
async function approvedWithdrawal(opts: { numTrans?: string; eCarteBleue?: boolean } = {}): Promise<{ p: PaidRegistration; id: string }> {
  const p = await paidRegistration(s, sessionId, { paidAt: PAID, ...opts });
  await s.setClock(INSIDE);
  const r = await request(p);
  expect(r.errors).toEqual([]);
  const a = await approve(r.refundRequest!.id);
  expect(a.errors).toEqual([]);
  expect(a.refundRequest!.status).toBe('APPROVED');
  return { p, id: r.refundRequest!.id };
}

async function db<T>(run: (em: ReturnType<TestServer['orm']['em']['fork']>) => Promise<T>): Promise<T> {
  return run(s.orm.em.fork());
}

describe('refundEligibility', () => {
  it('R-REF-1: paid, inside the period, no appointment: eligible for WITHDRAWAL with the deadline; the learner reads their own', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    for (const token of [payments, support, p.learnerToken, await s.tokenFor('ADMIN')]) {
      const r = await s.gql(ELIGIBILITY, { id: p.registrationId }, token);
      expect(r.data).toEqual({ refundEligibility: { eligible: true, reason: 'WITHDRAWAL', withdrawalDeadline: DEADLINE, blockers: [] } });
    }
    await s.setClock(PAST);
    const past = await s.gql(ELIGIBILITY, { id: p.registrationId }, payments);
    expect(past.data).toEqual({ refundEligibility: { eligible: false, reason: null, withdrawalDeadline: DEADLINE, blockers: ['WITHDRAWAL_PERIOD_OVER', 'NO_CONFIRMED_PROVIDER_INCIDENT'] } });
  });

  it('R-SEC-1: another learner cannot read it; CERTIFICATION and INTEGRATION may not; anonymous is unauthenticated', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    const other = await s.newLearner();
    const r = await s.gql(ELIGIBILITY, { id: p.registrationId }, other.token);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'NOT_FOUND' });
    expect(topLevelCodes(await s.gql(ELIGIBILITY, { id: p.registrationId }, await s.tokenFor('CERTIFICATION')))).toEqual(['FORBIDDEN']);
    expect(topLevelCodes(await s.gql(ELIGIBILITY, { id: p.registrationId }, await s.tokenFor('INTEGRATION')))).toEqual(['FORBIDDEN']);
    expect(topLevelCodes(await s.gql(ELIGIBILITY, { id: p.registrationId }))).toEqual(['UNAUTHENTICATED']);
  });

  it('NOT_PAID: an unpaid registration has only that blocker and no deadline; requesting is refused', async () => {
    const u = await unpaidRegistration(s, sessionId, INSIDE);
    const r = await s.gql(ELIGIBILITY, { id: u.registrationId }, payments);
    expect(r.data).toEqual({ refundEligibility: { eligible: false, reason: null, withdrawalDeadline: null, blockers: ['NOT_PAID'] } });
    const req = await call(s, REQUEST_REFUND, 'requestRefund', { ...requestInput({ registrationId: u.registrationId, numTrans: '1', givenName: 'A', familyName: 'B', username: 'u', email: 'u@example.org' } as PaidRegistration) }, u.learnerToken);
    expectError(req, 'NOT_PAID', ['input', 'registrationId']);
  });
});

describe('requestRefund', () => {
  it('R-REF-5, R-REF-6: a learner files a withdrawal request: SUBMITTED for the paid amount, with its history and audit event', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const r = await request(p, { comment: 'Je ne pourrai pas passer l’examen' });
    expect(r.errors).toEqual([]);
    expect(r.refundRequest).toMatchObject({ status: 'SUBMITTED', reason: 'WITHDRAWAL', amountCents: 6000, paymentTicket: p.numTrans, requestedBy: `learner:${p.learnerId}`, decidedBy: null });
    expect(r.refundRequest!.events).toEqual([{ at: new Date(INSIDE).toISOString(), fromStatus: null, toStatus: 'SUBMITTED', actor: `learner:${p.learnerId}`, comment: 'Je ne pourrai pas passer l’examen', providerCode: null }]);
    const audits = await db((em) => em.count(AuditEvent, { subjectId: r.refundRequest!.id, action: 'refund.submitted' }));
    expect(audits).toBe(1);
    // Registration.refundRequests and the eligibility now show it in progress.
    const reg = await s.gql<{ registration: { refundRequests: { id: string; status: string }[] } }>('query($id: ID!) { registration(id: $id) { refundRequests { id status } } }', { id: p.registrationId }, p.learnerToken);
    expect(reg.data?.registration.refundRequests).toEqual([{ id: r.refundRequest!.id, status: 'SUBMITTED' }]);
    const e = await s.gql(ELIGIBILITY, { id: p.registrationId }, payments);
    expect(e.data).toMatchObject({ refundEligibility: { eligible: false, blockers: ['REFUND_IN_PROGRESS'] } });
  });

  it('R-REF-5, R-PAY-5: TICKET_MISMATCH unless the ticket is the payment NUMTRANS; refused calls change nothing', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const r = await expectNoWrites(s, () => request(p, { paymentTicket: '0000000000' }));
    expectError(r, 'TICKET_MISMATCH', ['input', 'paymentTicket']);
    expect(r.refundRequest).toBeNull();
  });

  it('R-REF-5: identity fields are required and bounded, the e-mail must be an address (VALIDATION_FAILED)', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    await expectNoWrites(s, async () => {
      expectError(await request(p, { email: 'not-an-address' }), 'VALIDATION_FAILED', ['input', 'email']);
      expectError(await request(p, { learnerFirstName: '   ' }), 'VALIDATION_FAILED', ['input', 'learnerFirstName']);
      expectError(await request(p, { learnerLastName: '' }), 'VALIDATION_FAILED', ['input', 'learnerLastName']);
      expectError(await request(p, { username: 'x'.repeat(151) }), 'VALIDATION_FAILED', ['input', 'username']);
      expectError(await request(p, { reason: 'PROVIDER_TECHNICAL_PROBLEM' }), 'VALIDATION_FAILED', ['input', 'incidentId']);
      expectError(await request(p, { registrationId: 'nope' }), 'NOT_FOUND', ['input', 'registrationId']);
    });
  });

  it('R-SEC-1: a learner cannot file for another learner; CERTIFICATION may not file at all', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const other = await s.newLearner();
    expectError(await request(p, {}, other.token), 'NOT_FOUND', ['input', 'registrationId']);
    const r = await s.gql(REQUEST_REFUND, { i: requestInput(p) }, await s.tokenFor('CERTIFICATION'));
    expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
  });

  it('R-REF-1: WITHDRAWAL_PERIOD_OVER the day after day 14, and the last millisecond is still inside', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(new Date(new Date(DEADLINE).getTime() + 1));
    expectError(await expectNoWrites(s, () => request(p)), 'WITHDRAWAL_PERIOD_OVER', ['input', 'reason']);
    await s.setClock(DEADLINE);
    expect((await request(p)).errors).toEqual([]);
  });

  it('R-REF-2: a cancelled appointment still blocks a withdrawal refund', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await insertAppointment(s, p.registrationId, { startsAt: '2017-03-02T15:00:00Z', status: 'CANCELLED', bookedAt: '2017-02-16T10:00:00Z' });
    await s.setClock(INSIDE);
    expectError(await expectNoWrites(s, () => request(p)), 'APPOINTMENT_ALREADY_BOOKED', ['input', 'reason']);
    const e = await s.gql(ELIGIBILITY, { id: p.registrationId }, support);
    expect(e.data).toMatchObject({ refundEligibility: { eligible: false, blockers: ['APPOINTMENT_ALREADY_BOOKED', 'NO_CONFIRMED_PROVIDER_INCIDENT'] } });
  });

  it('R-REF-4: no equipment check and an incident not confirmed by the provider: no technical refund past the period', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    const incidentId = await insertIncident(s, p.registrationId, { at: '2017-03-02T15:00:00Z', confirmed: false });
    await s.setClock(PAST);
    // The learner never recorded an equipment check: that is no technical problem either (R-TEC-3).
    expect(await db((em) => em.getConnection().execute(`select count(*)::int as n from equipment_check`))).toEqual([{ n: 0 }]);
    expectError(await expectNoWrites(s, () => request(p, { reason: 'PROVIDER_TECHNICAL_PROBLEM', incidentId })), 'NO_CONFIRMED_PROVIDER_INCIDENT', ['input', 'incidentId']);
    expectError(await request(p), 'WITHDRAWAL_PERIOD_OVER');
  });

  it("R-REF-3: another registration's confirmed incident does not count", async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    const q = await paidRegistration(s, sessionId, { paidAt: PAID });
    const othersIncident = await insertIncident(s, q.registrationId, { at: '2017-03-02T15:00:00Z', confirmed: true });
    await s.setClock(PAST);
    expectError(await request(p, { reason: 'PROVIDER_TECHNICAL_PROBLEM', incidentId: othersIncident }), 'NO_CONFIRMED_PROVIDER_INCIDENT', ['input', 'incidentId']);
  });

  it('REFUND_IN_PROGRESS: one open request per payment; a rejected one lets a new request in', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const first = await request(p);
    expectError(await expectNoWrites(s, () => request(p)), 'REFUND_IN_PROGRESS', ['input', 'registrationId']);
    const rej = await call(s, REJECT_REFUND, 'rejectRefund', { refundRequestId: first.refundRequest!.id, comment: 'Duplicate of a mail request', idempotencyKey: key() }, payments);
    expect(rej.refundRequest!.status).toBe('REJECTED');
    expect((await request(p)).errors).toEqual([]);
  });

  it('REFUND_IN_PROGRESS: 10 simultaneous requests for one payment make one request', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const results = await Promise.all(Array.from({ length: 10 }, () => request(p)));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors.length > 0)) expect(r.errors.map((e) => e.code)).toEqual(['REFUND_IN_PROGRESS']);
    expect(await db((em) => em.count(RefundRequest, { registration: p.registrationId }))).toBe(1);
  });

  it('R-REF-7: same idempotency key + same input = the same request; + other input = IDEMPOTENCY_KEY_REUSED', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const k = key('same');
    const a = await request(p, { idempotencyKey: k });
    const b = await request(p, { idempotencyKey: k });
    expect(b.errors).toEqual([]);
    expect(b.refundRequest!.id).toBe(a.refundRequest!.id);
    expectError(await expectNoWrites(s, () => request(p, { idempotencyKey: k, comment: 'something else' })), 'IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']);
    expect(await db((em) => em.count(RefundRequest, { registration: p.registrationId }))).toBe(1);
  });
});

describe('approveRefund / rejectRefund', () => {
  it('R-REF-6: FOUR_EYES_REQUIRED when the decider filed the request; another person of the payments team may decide', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const r = await request(p, {}, payments); // filed by payments staff on the learner's behalf (mail request)
    const id = r.refundRequest!.id;
    expectError(await expectNoWrites(s, () => approve(id, payments)), 'FOUR_EYES_REQUIRED', ['input', 'refundRequestId']);
    expectError(await call(s, REJECT_REFUND, 'rejectRefund', { refundRequestId: id, comment: 'no', idempotencyKey: key() }, payments), 'FOUR_EYES_REQUIRED');
    const ok = await approve(id, payments2);
    expect(ok.refundRequest).toMatchObject({ status: 'APPROVED', decidedBy: 'staff:payments2@test.local', decisionComment: 'Checked against the Paybox back-office' });
    expect(ok.refundRequest!.events.map((e) => `${e.fromStatus}->${e.toStatus}`)).toEqual(['null->SUBMITTED', 'SUBMITTED->APPROVED']);
  });

  it('R-REF-7: the database refuses a decision by the requester even if the service did not (refund_four_eyes)', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const r = await request(p);
    await expect(db((em) => em.getConnection().execute(`update refund_request set decided_by = requested_by where id = ?`, [r.refundRequest!.id]))).rejects.toThrow(/refund_four_eyes/);
  });

  it('R-REF-6: COMMENT_REQUIRED to approve or reject', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    expectError(await expectNoWrites(s, () => approve(id, payments, { comment: '   ' })), 'COMMENT_REQUIRED', ['input', 'comment']);
    expectError(await call(s, REJECT_REFUND, 'rejectRefund', { refundRequestId: id, comment: '', idempotencyKey: key() }, payments), 'COMMENT_REQUIRED', ['input', 'comment']);
  });

  it('R-REF-6: INVALID_TRANSITION: a rejected request cannot be approved; a submitted one cannot be executed or settled', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    expectError(await expectNoWrites(s, () => execute(id)), 'INVALID_TRANSITION', ['input', 'refundRequestId']);
    expectError(await call(s, SETTLE_REFUND, 'settleRefundManually', { refundRequestId: id, method: 'BANK_TRANSFER', reference: 'VIR-1', comment: 'x' }, payments), 'INVALID_TRANSITION');
    const rej = await call(s, REJECT_REFUND, 'rejectRefund', { refundRequestId: id, comment: 'Not a withdrawal', idempotencyKey: key() }, payments);
    expect(rej.refundRequest).toMatchObject({ status: 'REJECTED', decisionComment: 'Not a withdrawal' });
    const again = await approve(id);
    expectError(again, 'INVALID_TRANSITION');
    expect(again.refundRequest?.status).toBe('REJECTED');
  });

  it('R-REF-7: approve is idempotent on its key; the same key with another comment is IDEMPOTENCY_KEY_REUSED', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    const k = key('approve');
    const a = await approve(id, payments, { idempotencyKey: k });
    const b = await approve(id, payments, { idempotencyKey: k });
    expect(b.errors).toEqual([]);
    expect(b.refundRequest).toMatchObject({ id, status: 'APPROVED' });
    expect(b.refundRequest!.events).toHaveLength(a.refundRequest!.events.length);
    expectError(await approve(id, payments, { idempotencyKey: k, comment: 'other' }), 'IDEMPOTENCY_KEY_REUSED');
  });

  it('R-REF-6: eligibility is evaluated again at approval: an appointment booked since the request blocks it', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    await insertAppointment(s, p.registrationId, { startsAt: '2017-03-03T15:00:00Z', bookedAt: '2017-02-21T10:00:00Z' });
    expectError(await expectNoWrites(s, () => approve(id)), 'APPOINTMENT_ALREADY_BOOKED', ['input', 'refundRequestId']);
  });

  it('R-REF-6 (design): a request filed inside the period may be approved after the period ended', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    await s.setClock(PAST);
    expect((await approve(id)).refundRequest?.status).toBe('APPROVED');
  });

  it('R-SEC-1: only PAYMENTS (and ADMIN) decide', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    for (const token of [support, p.learnerToken, await s.tokenFor('INTEGRATION')]) {
      expect(topLevelCodes(await s.gql(APPROVE_REFUND, { i: { refundRequestId: id, comment: 'x', idempotencyKey: key() } }, token))).toEqual(['FORBIDDEN']);
    }
  });
});

describe('executeRefund', () => {
  it('R-REF-7, R-REF-8: Paybox refunds once; SUCCEEDED with its references; payment REFUNDED; registration CANCELLED', async () => {
    const { p, id } = await approvedWithdrawal();
    const before = sim.count('00014');
    const first = key('first');
    // The payload already shows the effects (no stale entity from the first transaction).
    const x = await s.gql<{ executeRefund: { refundRequest: { payment: { status: string; refundedCents: number }; registration: { status: string } } } }>(
      `mutation($i: ExecuteRefundInput!) { executeRefund(input: $i) { refundRequest { payment { status refundedCents } registration { status } } errors { code } } }`,
      { i: { refundRequestId: id, idempotencyKey: first } },
      payments,
    );
    expect(x.data?.executeRefund.refundRequest).toEqual({ payment: { status: 'REFUNDED', refundedCents: 6000 }, registration: { status: 'CANCELLED' } });
    // The same key replays the same result, with the history.
    const r = await execute(id, first);
    expect(r.errors).toEqual([]);
    expect(r.refundRequest).toMatchObject({ status: 'SUCCEEDED', providerResponseCode: '00000', completedAt: new Date(INSIDE).toISOString() });
    expect(r.refundRequest!.providerRequestNumber).toMatch(/^\d{10}$/);
    expect(r.refundRequest!.providerReference).toMatch(/^\d{10}$/);
    expect(r.refundRequest!.events.map((e) => e.toStatus)).toEqual(['SUBMITTED', 'APPROVED', 'PROCESSING', 'SUCCEEDED']);
    expect(sim.count('00014')).toBe(before + 1);
    const made = sim.refunds.get(r.refundRequest!.providerRequestNumber!)!;
    expect(made).toMatchObject({ amountCents: 6000, originalNumTrans: p.numTrans, reference: id, numTrans: r.refundRequest!.providerReference });

    const q = await s.gql<{ refundRequest: { payment: { status: string; refundedCents: number }; registration: { status: string; cancelledAt: string } } }>(
      'query($id: ID!) { refundRequest(id: $id) { payment { status refundedCents } registration { status cancelledAt } } }',
      { id },
      payments,
    );
    expect(q.data?.refundRequest).toEqual({ payment: { status: 'REFUNDED', refundedCents: 6000 }, registration: { status: 'CANCELLED', cancelledAt: new Date(INSIDE).toISOString() } });
    const actions = await db((em) => em.find(AuditEvent, { action: { $in: ['refund.processing', 'refund.succeeded', 'payment.refunded', 'registration.cancel'] }, subjectId: { $in: [id, p.paymentId, p.registrationId] } }));
    expect(actions.map((a) => a.action).sort()).toEqual(['payment.refunded', 'refund.processing', 'refund.succeeded', 'registration.cancel']);

    // ALREADY_REFUNDED afterwards, and nothing more reaches Paybox.
    expectError(await execute(id), 'INVALID_TRANSITION');
    const e = await s.gql(ELIGIBILITY, { id: p.registrationId }, payments);
    expect(e.data).toMatchObject({ refundEligibility: { eligible: false, blockers: ['ALREADY_REFUNDED'] } });
    expectError(await request(p, {}, payments), 'ALREADY_REFUNDED', ['input', 'registrationId']);
    expect(sim.count('00014')).toBe(before + 1);
  });

  it('R-REF-3, R-REF-8: past the period with a confirmed provider incident: refunded, and the future BOOKED appointment is cancelled', async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    const incidentId = await insertIncident(s, p.registrationId, { at: '2017-03-02T15:00:00Z', confirmed: true });
    const future = await insertAppointment(s, p.registrationId, { startsAt: '2017-03-13T16:00:00Z', bookedAt: '2017-03-03T10:00:00Z' });
    await s.setClock(PAST);
    const e = await s.gql(ELIGIBILITY, { id: p.registrationId }, payments);
    expect(e.data).toEqual({ refundEligibility: { eligible: true, reason: 'PROVIDER_TECHNICAL_PROBLEM', withdrawalDeadline: DEADLINE, blockers: [] } });
    const r = await request(p, { reason: 'PROVIDER_TECHNICAL_PROBLEM', incidentId }, support);
    expect(r.errors).toEqual([]);
    const inc = await s.gql<{ refundRequest: { incident: { id: string; confirmedByProvider: boolean } } }>('query($id: ID!) { refundRequest(id: $id) { incident { id confirmedByProvider } } }', { id: r.refundRequest!.id }, payments);
    expect(inc.data?.refundRequest.incident).toEqual({ id: incidentId, confirmedByProvider: true });
    await approve(r.refundRequest!.id);
    const x = await execute(r.refundRequest!.id);
    expect(x.refundRequest?.status).toBe('SUCCEEDED');
    const [appointments, registration] = await db(async (em) => [await em.find(Appointment, { registration: p.registrationId }, { orderBy: { startsAt: 'asc' } }), await em.findOneOrFail(Registration, { id: p.registrationId })] as const);
    expect(appointments.map((a) => [a.id === future, a.status])).toEqual([
      [false, 'PROVIDER_FAULT'],
      [true, 'CANCELLED'],
    ]);
    expect(appointments[1].cancellationReason).toBe('refund');
    expect(registration).toMatchObject({ status: 'CANCELLED', cancellationReason: 'refund' });
  });

  it('R-REF-7: 20 concurrent executeRefund with the same key: one Paybox call, one SUCCEEDED, the same result for all', async () => {
    const { id } = await approvedWithdrawal();
    const before = sim.count('00014');
    sim.delayMs = 150;
    try {
      const k = key('same-exec');
      const results = await Promise.all(Array.from({ length: 20 }, () => execute(id, k)));
      expect(sim.count('00014')).toBe(before + 1);
      for (const r of results) {
        expect(r.errors).toEqual([]);
        expect(r.refundRequest).toMatchObject({ id, status: 'SUCCEEDED', providerReference: results[0].refundRequest!.providerReference });
      }
    } finally {
      sim.delayMs = 0;
    }
    const rows = await db((em) => em.getConnection().execute<{ to_status: string }[]>(`select to_status from refund_event where refund_request_id = ? order by id`, [id]));
    expect(rows.map((r) => r.to_status)).toEqual(['SUBMITTED', 'APPROVED', 'PROCESSING', 'SUCCEEDED']);
  });

  it('R-REF-7: 20 concurrent executeRefund with different keys: one Paybox call, one SUCCEEDED, the others refused', async () => {
    const { p, id } = await approvedWithdrawal();
    const before = sim.count('00014');
    sim.delayMs = 150;
    let results: RefundPayload[];
    try {
      results = await Promise.all(Array.from({ length: 20 }, (_, i) => execute(id, key(`exec-${i}`))));
    } finally {
      sim.delayMs = 0;
    }
    expect(sim.count('00014')).toBe(before + 1);
    const succeeded = results.filter((r) => r.errors.length === 0);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0].refundRequest!.status).toBe('SUCCEEDED');
    for (const r of results.filter((x) => x.errors.length > 0)) expect(['REFUND_IN_PROGRESS', 'INVALID_TRANSITION']).toContain(r.errors[0].code);
    const payment = await db((em) => em.findOneOrFail(Payment, { id: p.paymentId }));
    expect(payment).toMatchObject({ refundedCents: 6000, status: 'REFUNDED' });
  });

  it('HTTP.md simulator: an original NUMTRANS 9999… fails (FAILED, PROVIDER_ERROR, CODEREPONSE 00001); retries fail again; settled through the Paybox back-office', async () => {
    const { p, id } = await approvedWithdrawal({ numTrans: numTrans('9999') });
    const k = key('fail');
    const r = await execute(id, k);
    expectError(r, 'PROVIDER_ERROR', ['input', 'refundRequestId']);
    expect(r.refundRequest).toMatchObject({ id, status: 'FAILED', providerResponseCode: '00001', providerReference: null });
    expect(r.refundRequest!.events.at(-1)).toMatchObject({ fromStatus: 'PROCESSING', toStatus: 'FAILED', providerCode: '00001' });
    // The same key gives the same result without calling Paybox again.
    const calls = sim.count('00014');
    const again = await execute(id, k);
    expectError(again, 'PROVIDER_ERROR');
    expect(again.refundRequest?.status).toBe('FAILED');
    expect(sim.count('00014')).toBe(calls);
    // A retry (new key) goes to PROCESSING again with a new NUMQUESTION, and fails again here.
    const retry = await execute(id, key('retry'));
    expectError(retry, 'PROVIDER_ERROR');
    expect(retry.refundRequest!.providerRequestNumber).not.toBe(r.refundRequest!.providerRequestNumber);
    expect(sim.count('00014')).toBe(calls + 1);
    // FAILED → SETTLED_MANUALLY.
    const settled = await call(s, SETTLE_REFUND, 'settleRefundManually', { refundRequestId: id, method: 'PAYBOX_BACK_OFFICE', reference: 'BO-2017-0042', comment: 'Refunded from the Paybox back-office' }, payments);
    expect(settled.errors).toEqual([]);
    expect(settled.refundRequest).toMatchObject({ status: 'SETTLED_MANUALLY', settlementMethod: 'PAYBOX_BACK_OFFICE', settlementReference: 'BO-2017-0042' });
    expect(await db((em) => em.findOneOrFail(Payment, { id: p.paymentId }))).toMatchObject({ status: 'REFUNDED', refundedCents: 6000 });
  });

  it('R-REF-6: FAILED → PROCESSING (retry with a new key) → SUCCEEDED', async () => {
    const { id } = await approvedWithdrawal();
    sim.failNext('00001');
    const r = await execute(id);
    expectError(r, 'PROVIDER_ERROR');
    expect(r.refundRequest?.status).toBe('FAILED');
    const retry = await execute(id);
    expect(retry.errors).toEqual([]);
    expect(retry.refundRequest!.events.map((e) => e.toStatus)).toEqual(['SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED', 'PROCESSING', 'SUCCEEDED']);
  });

  it('R-PAY-3: e-Carte Bleue → E_CARTE_BLEUE_NOT_REFUNDABLE (nothing changes, Paybox not called); settled by bank transfer', async () => {
    const { p, id } = await approvedWithdrawal({ eCarteBleue: true });
    const calls = sim.calls.length;
    expectError(await expectNoWrites(s, () => execute(id)), 'E_CARTE_BLEUE_NOT_REFUNDABLE', ['input', 'refundRequestId']);
    expect(sim.calls.length).toBe(calls);
    expectError(await call(s, SETTLE_REFUND, 'settleRefundManually', { refundRequestId: id, method: 'BANK_TRANSFER', reference: 'VIR-1', comment: '  ' }, payments), 'COMMENT_REQUIRED');
    const settled = await call(s, SETTLE_REFUND, 'settleRefundManually', { refundRequestId: id, method: 'BANK_TRANSFER', reference: 'VIR-2017-03-001', comment: 'Virement SEPA au titulaire' }, payments);
    expect(settled.refundRequest).toMatchObject({ status: 'SETTLED_MANUALLY', settlementMethod: 'BANK_TRANSFER', settlementReference: 'VIR-2017-03-001', providerRequestNumber: null });
    expect(settled.refundRequest!.events.at(-1)).toMatchObject({ fromStatus: 'APPROVED', toStatus: 'SETTLED_MANUALLY', comment: 'Virement SEPA au titulaire' });
    expect(await db((em) => em.findOneOrFail(Registration, { id: p.registrationId }))).toMatchObject({ status: 'CANCELLED' });
    expectError(await call(s, SETTLE_REFUND, 'settleRefundManually', { refundRequestId: id, method: 'BANK_TRANSFER', reference: 'VIR-2', comment: 'again' }, payments), 'INVALID_TRANSITION');
    expect(sim.calls.length).toBe(calls);
  });

  it('R-REF-7: an executeRefund key used for another request is IDEMPOTENCY_KEY_REUSED; unknown ids are NOT_FOUND', async () => {
    const a = await approvedWithdrawal({ eCarteBleue: true });
    const b = await approvedWithdrawal({ eCarteBleue: true });
    const k = key('one-key');
    const calls = sim.calls.length;
    // A refusal rolls its key back: the key is still free afterwards.
    expectError(await execute(a.id, k), 'E_CARTE_BLEUE_NOT_REFUNDABLE');
    const { id } = await approvedWithdrawal();
    expect((await execute(id, k)).refundRequest?.status).toBe('SUCCEEDED');
    expectError(await expectNoWrites(s, () => execute(b.id, k)), 'IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']);
    expect(sim.calls.length).toBe(calls + 1);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectError(await execute(unknown), 'NOT_FOUND', ['input', 'refundRequestId']);
    expectError(await approve(unknown), 'NOT_FOUND', ['input', 'refundRequestId']);
    expectError(await approve('not-an-id'), 'NOT_FOUND', ['input', 'refundRequestId']);
  });

  it('R-REF-6: eligibility is evaluated again at execution', async () => {
    const { p, id } = await approvedWithdrawal();
    await insertAppointment(s, p.registrationId, { startsAt: '2017-03-03T15:00:00Z', bookedAt: '2017-02-21T10:00:00Z' });
    const calls = sim.calls.length;
    expectError(await expectNoWrites(s, () => execute(id)), 'APPOINTMENT_ALREADY_BOOKED', ['input', 'refundRequestId']);
    expect(sim.calls.length).toBe(calls);
  });
});

describe('crash recovery (R-REF-7)', () => {
  it('R-REF-7: a crash after Paybox refunded and before the commit: after restart recovery the request is SUCCEEDED with exactly one Paybox refund', async () => {
    const { p, id } = await approvedWithdrawal();
    const refundsBefore = sim.count('00014');
    s.app.services.refunds.testHooks.afterProviderAnswer = () => {
      throw new Error('simulated crash between the Paybox answer and the commit');
    };
    try {
      const r = await s.gql(EXECUTE_REFUND, { i: { refundRequestId: id, idempotencyKey: key('crash') } }, payments);
      expect(topLevelCodes(r)).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      s.app.services.refunds.testHooks.afterProviderAnswer = undefined;
    }
    const stuck = await db((em) => em.findOneOrFail(RefundRequest, { id }));
    expect(stuck.status).toBe('PROCESSING');
    expect(sim.refunds.has(stuck.providerRequestNumber!)).toBe(true); // the money did move

    // Nothing may retry it meanwhile.
    expectError(await execute(id), 'REFUND_IN_PROGRESS');
    // "Restart" a little later: the start-up step of main.ts asks Paybox about the NUMQUESTION.
    await s.setClock(new Date(new Date(INSIDE).getTime() + 2 * 60_000));
    const report = await recoverRefundsAtStartup({ orm: s.orm, clock: s.clock, config: s.config, log: createLogger('silent'), refunds: s.app.services.refunds });
    expect(report).toMatchObject({ succeeded: 1, failed: 0, unknown: 0, skipped: 0 });
    const done = await s.gql<{ refundRequest: { status: string; providerReference: string; events: { toStatus: string; actor: string }[] } }>(`query($id: ID!) { refundRequest(id: $id) { ${REFUND_FIELDS} } }`, { id }, payments);
    expect(done.data?.refundRequest).toMatchObject({ status: 'SUCCEEDED', providerReference: sim.refunds.get(stuck.providerRequestNumber!)!.numTrans });
    expect(done.data?.refundRequest.events.at(-1)).toMatchObject({ toStatus: 'SUCCEEDED', actor: 'system:refund-recovery' });
    expect(sim.count('00014')).toBe(refundsBefore + 1);
    expect(await db((em) => em.findOneOrFail(Payment, { id: p.paymentId }))).toMatchObject({ status: 'REFUNDED', refundedCents: 6000 });
    // A second pass finds nothing to do.
    expect(await s.app.services.refunds.recoverInterrupted(svcCtx())).toEqual({ succeeded: 0, failed: 0, unknown: 0, skipped: 0 });
  });

  it('R-REF-7: restart for real: a second server on the same database and the same Paybox resolves the interrupted refund at start-up', async () => {
    const { id } = await approvedWithdrawal();
    s.app.services.refunds.testHooks.afterProviderAnswer = () => {
      throw new Error('simulated crash between the Paybox answer and the commit');
    };
    try {
      expect(topLevelCodes(await s.gql(EXECUTE_REFUND, { i: { refundRequestId: id, idempotencyKey: key() } }, payments))).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      s.app.services.refunds.testHooks.afterProviderAnswer = undefined;
    }
    const refundsMade = sim.refunds.size;
    // The second server talks to the same "Paybox" (the first server's simulator) as a live client.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dataDir = mkdtempSync(join(tmpdir(), 'cbo-refund-restart-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: s.dbUrl,
      DATA_DIR: dataDir,
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'silent',
      JOBS: 'off',
      PAYBOX_MODE: 'live',
      PAYBOX_URL: sim.url,
      PAYBOX_SITE: '1999888',
      PAYBOX_RANG: '32',
      PAYBOX_KEY: '1999888I',
      PAYBOX_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const clock = new TestClock(new Date(new Date(INSIDE).getTime() + 5 * 60_000));
    const orm = await createOrm(s.dbUrl);
    const app = await createApp({ config, orm, clientUrl: s.dbUrl, clock, logger: false });
    try {
      expect(app.paybox.simulator).toBeUndefined();
      const report = await recoverRefundsAtStartup({ orm, clock, config, log: app.fastify.log, refunds: app.services.refunds });
      expect(report).toEqual({ succeeded: 1, failed: 0, unknown: 0, skipped: 0 });
    } finally {
      await app.fastify.close();
      await orm.close(true);
      rmSync(dataDir, { recursive: true, force: true });
    }
    const done = await db((em) => em.findOneOrFail(RefundRequest, { id }));
    expect(done).toMatchObject({ status: 'SUCCEEDED', providerReference: sim.refunds.get(done.providerRequestNumber!)!.numTrans });
    expect(sim.refunds.size).toBe(refundsMade);
  });

  it('R-REF-7: a crash before the Paybox call: recovery finds nothing at Paybox → FAILED, then a retry succeeds once', async () => {
    const { id } = await approvedWithdrawal();
    const refundsBefore = sim.refunds.size;
    s.app.services.refunds.testHooks.beforeProviderCall = () => {
      throw new Error('simulated crash before the call');
    };
    try {
      expect(topLevelCodes(await s.gql(EXECUTE_REFUND, { i: { refundRequestId: id, idempotencyKey: key() } }, payments))).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      s.app.services.refunds.testHooks.beforeProviderCall = undefined;
    }
    // A request PROCESSING for less than olderThanMs may be in flight elsewhere: left alone.
    expect(await s.app.services.refunds.recoverInterrupted(svcCtx(), { olderThanMs: 60_000 })).toMatchObject({ skipped: 1, failed: 0 });
    expect(await s.app.services.refunds.recoverInterrupted(svcCtx())).toMatchObject({ failed: 1, succeeded: 0 });
    const failed = await db((em) => em.findOneOrFail(RefundRequest, { id }));
    expect(failed.status).toBe('FAILED');
    expect(sim.refunds.size).toBe(refundsBefore);
    const retry = await execute(id);
    expect(retry.refundRequest?.status).toBe('SUCCEEDED');
    expect(sim.refunds.size).toBe(refundsBefore + 1);
  });

  it('R-REF-7: Paybox unreachable during recovery: the request stays PROCESSING', async () => {
    const { id } = await approvedWithdrawal();
    sim.dropNextAnswer(); // the refund is made, its answer lost: outcome unknown
    const k = key('lost');
    const r = await execute(id, k);
    expectError(r, 'PROVIDER_ERROR');
    expect(r.refundRequest?.status).toBe('PROCESSING');
    // The same key answers the same at once, without a second call.
    const calls = sim.count('00014');
    const again = await execute(id, k);
    expectError(again, 'PROVIDER_ERROR');
    expect(again.refundRequest?.status).toBe('PROCESSING');
    expect(sim.count('00014')).toBe(calls);
    sim.failNext('00001');
    expect(await s.app.services.refunds.recoverInterrupted(svcCtx())).toMatchObject({ unknown: 1 });
    expect((await db((em) => em.findOneOrFail(RefundRequest, { id }))).status).toBe('PROCESSING');
    expect(await s.app.services.refunds.recoverInterrupted(svcCtx())).toMatchObject({ succeeded: 1 });
  });
});

describe('consultation on executeRefund (R-REF-7)', () => {
  it('R-REF-7: a request left PROCESSING over a minute is resolved by consulting Paybox, not by a second refund', async () => {
    const { id } = await approvedWithdrawal();
    sim.dropNextAnswer(); // Paybox refunds, the answer is lost
    const r = await execute(id);
    expectError(r, 'PROVIDER_ERROR');
    expect(r.refundRequest?.status).toBe('PROCESSING');
    const refundCalls = sim.count('00014');
    // Within the minute it may still be in flight somewhere: REFUND_IN_PROGRESS, Paybox not asked.
    const inquiries = sim.count('00017');
    expectError(await execute(id), 'REFUND_IN_PROGRESS', ['input', 'refundRequestId']);
    expect(sim.count('00017')).toBe(inquiries);
    // Past the minute: the operator's executeRefund consults Paybox, which knows the refund.
    await s.setClock(new Date(new Date(INSIDE).getTime() + 61_000));
    const k = key('consult');
    const done = await execute(id, k);
    expect(done.errors).toEqual([]);
    expect(done.refundRequest).toMatchObject({ status: 'SUCCEEDED', providerResponseCode: '00000' });
    expect(sim.count('00017')).toBe(inquiries + 1);
    expect(sim.count('00014')).toBe(refundCalls);
    expect((await execute(id, k)).refundRequest?.status).toBe('SUCCEEDED');
  });
});

describe('refundRequests and refundRequest', () => {
  it('lists with needsAction, status, reason and sessionId filters; PAYMENTS and SUPPORT only', async () => {
    const LIST = `query($f: RefundRequestFilter, $first: Int) { refundRequests(filter: $f, first: $first) { totalCount edges { node { id status reason } } pageInfo { hasNextPage } } }`;
    type L = { refundRequests: { totalCount: number; edges: { node: { id: string; status: string; reason: string } }[] } };
    const all = await s.gql<L>(LIST, { first: 200 }, payments);
    const nodes = all.data!.refundRequests.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(5);
    const open = await s.gql<L>(LIST, { f: { needsAction: true }, first: 200 }, support);
    expect(open.data!.refundRequests.edges.map((e) => e.node.status).every((st) => ['SUBMITTED', 'APPROVED', 'PROCESSING', 'FAILED'].includes(st))).toBe(true);
    const final = await s.gql<L>(LIST, { f: { needsAction: false }, first: 200 }, payments);
    expect(open.data!.refundRequests.totalCount + final.data!.refundRequests.totalCount).toBe(all.data!.refundRequests.totalCount);
    const succeeded = await s.gql<L>(LIST, { f: { status: 'SUCCEEDED', reason: 'WITHDRAWAL', sessionId } }, payments);
    expect(succeeded.data!.refundRequests.totalCount).toBe(nodes.filter((n) => n.status === 'SUCCEEDED' && n.reason === 'WITHDRAWAL').length);
    const otherSession = await s.gql<L>(LIST, { f: { sessionId: '00000000-0000-4000-8000-000000000000' } }, payments);
    expect(otherSession.data!.refundRequests.totalCount).toBe(0);
    expect(topLevelCodes(await s.gql(LIST, {}, await s.tokenFor('LEARNER')))).toEqual(['FORBIDDEN']);
    expect(topLevelCodes(await s.gql(LIST, {}, await s.tokenFor('CERTIFICATION')))).toEqual(['FORBIDDEN']);
  });

  it("R-SEC-1: refundRequest(id): a learner sees their own, not another learner's", async () => {
    const p = await paidRegistration(s, sessionId, { paidAt: PAID });
    await s.setClock(INSIDE);
    const id = (await request(p)).refundRequest!.id;
    const Q = 'query($id: ID!) { refundRequest(id: $id) { id registration { id } payment { id numTrans } } }';
    expect((await s.gql(Q, { id }, p.learnerToken)).data).toEqual({ refundRequest: { id, registration: { id: p.registrationId }, payment: { id: p.paymentId, numTrans: p.numTrans } } });
    expect((await s.gql(Q, { id }, (await s.newLearner()).token)).data).toEqual({ refundRequest: null });
  });
});
