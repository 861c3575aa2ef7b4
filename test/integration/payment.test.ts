import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { auditEvents, expectNoWrites, expectUserError, payloadOf, topLevelCodes } from '../helpers/inputs-common';
import { CARD_FIELDS, countRows, createSession, PAYMENT_FIELDS, paymentInput, readRegistration, RECORD_PAYMENT, recordPayment, registerLearner } from '../helpers/payments-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;
beforeAll(async () => {
  s = await startTestServer();
  sessionId = await createSession(s);
});
afterAll(() => s?.close());

type PaymentRow = { id: string; status: string; registration: { id: string; status: string; nextStep: string }; [k: string]: unknown };

/** Asserts a refusal with this code and field, and that nothing changed (R-SEC-3). */
async function expectRefused(input: Record<string, unknown>, code: string, field: string[], token?: string) {
  const t = token ?? (await s.tokenFor('INTEGRATION'));
  const r = await expectNoWrites(s, () => s.gql(RECORD_PAYMENT, { i: input }, t));
  return expectUserError(r, 'recordPayment', 'payment', code, [field]);
}

async function paid(input: Record<string, unknown>, token?: string): Promise<PaymentRow> {
  const p = payloadOf<{ payment: PaymentRow }>(await recordPayment(s, input, token), 'recordPayment');
  expect(p.errors).toEqual([]);
  return p.payment;
}

describe('R-PAY recordPayment', () => {
  it('R-PAY-4: a payment records the Paybox references; the registration becomes ACTIVE, next step DONE, with paidAt', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId, { cardBrand: 'MASTERCARD', cardExpiry: '0517', authorizationNumber: 'A1B2C3' });
    const payment = await paid(input);
    expect(payment).toMatchObject({
      amountCents: 6000,
      currency: 'EUR',
      cardBrand: 'MASTERCARD',
      cardExpiry: '0517',
      eCarteBleue: false,
      numAppel: input.numAppel,
      numTrans: input.numTrans,
      authorizationNumber: 'A1B2C3',
      paidAt: '2017-02-10T14:05:00.000Z',
      status: 'PAID',
      refundedCents: 0,
      registration: { id: registrationId, status: 'ACTIVE', nextStep: 'DONE' },
    });
    const reg = await readRegistration(s, registrationId);
    expect(reg.payment).toMatchObject({ id: payment.id });
    const db = await sqlClient(s.dbUrl);
    try {
      const { rows } = await db.query('select paid_at, status from registration where id = $1', [registrationId]);
      expect(rows[0]).toEqual({ paid_at: new Date('2017-02-10T14:05:00Z'), status: 'ACTIVE' });
      const { rows: pay } = await db.query('select source, recorded_by from payment where id = $1', [payment.id]);
      expect(pay[0]).toEqual({ source: 'API', recorded_by: 'service:platform' });
    } finally {
      await db.end();
    }
    const events = await auditEvents(s, { subjectId: payment.id });
    expect(events.map((e) => e.action)).toEqual(['payment.record']);
    expect(JSON.stringify(events[0].details)).not.toContain('0517');
  });

  it('R-PAY-3: an e-Carte Bleue payment is accepted and flagged', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    expect(await paid(paymentInput(registrationId, { eCarteBleue: true }))).toMatchObject({ eCarteBleue: true, cardBrand: 'VISA' });
  });

  it('R-PAY-1: AMEX, CB and other brands are CARD_BRAND_NOT_ACCEPTED; nothing is recorded', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    for (const brand of ['AMEX', 'CB', 'OTHER']) await expectRefused(paymentInput(registrationId, { cardBrand: brand }), 'CARD_BRAND_NOT_ACCEPTED', ['input', 'cardBrand']);
    expect((await readRegistration(s, registrationId)).nextStep).toBe('PAY');
  });

  it('R-PAY-2: a card expiring 04/17 is refused for a period ending 2017-03-14 (CARD_EXPIRES_TOO_SOON), 05/17 is accepted', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const err = await expectRefused(paymentInput(registrationId, { cardExpiry: '0417' }), 'CARD_EXPIRES_TOO_SOON', ['input', 'cardExpiry']);
    expect(err.message).toContain('05/17');
    expect(await paid(paymentInput(registrationId, { cardExpiry: '0517' }))).toMatchObject({ cardExpiry: '0517' });
  });

  it('R-PAY-2: across a year boundary (period ending 2017-11-17): 12/17 is refused, 01/18 accepted', async () => {
    const autumn = await createSession(s, { courseCode: '26001S04', examPeriodStart: '2017-11-06', examPeriodEnd: '2017-11-17', certificateDeadline: '2017-11-17T23:30:00Z' });
    const { registrationId } = await registerLearner(s, autumn);
    await expectRefused(paymentInput(registrationId, { cardExpiry: '1217' }), 'CARD_EXPIRES_TOO_SOON', ['input', 'cardExpiry']);
    expect(await paid(paymentInput(registrationId, { cardExpiry: '0118' }))).toMatchObject({ cardExpiry: '0118' });
  });

  it('R-PAY-1: an amount or currency other than the session price is AMOUNT_MISMATCH', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    await expectRefused(paymentInput(registrationId, { amountCents: 5999 }), 'AMOUNT_MISMATCH', ['input', 'amountCents']);
    await expectRefused(paymentInput(registrationId, { amountCents: 6001 }), 'AMOUNT_MISMATCH', ['input', 'amountCents']);
    await expectRefused(paymentInput(registrationId, { currency: 'USD' }), 'AMOUNT_MISMATCH', ['input', 'currency']);
  });

  it('R-REG-1: paying before the name lock is STEP_OUT_OF_ORDER', async () => {
    for (const stage of ['STARTED', 'TERMS_ACCEPTED'] as const) {
      const { registrationId } = await registerLearner(s, sessionId, { stage });
      await expectRefused(paymentInput(registrationId), 'STEP_OUT_OF_ORDER', ['input', 'registrationId']);
    }
  });

  it('R-REG-4: paying a DUN-exempt registration is PAYMENT_NOT_REQUIRED', async () => {
    const { registrationId } = await registerLearner(s, sessionId, { dunEnrolled: true });
    await expectRefused(paymentInput(registrationId), 'PAYMENT_NOT_REQUIRED', ['input', 'registrationId']);
  });

  it('R-PAY-4: a second payment for a paid registration (another NUMTRANS) is ALREADY_PAID', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    await paid(paymentInput(registrationId));
    await expectRefused(paymentInput(registrationId), 'ALREADY_PAID', ['input', 'registrationId']);
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(1);
  });

  it('R-PAY-4: NUMTRANS is unique: another registration citing a recorded NUMTRANS is refused (ALREADY_PAID on numTrans)', async () => {
    const a = await registerLearner(s, sessionId);
    const b = await registerLearner(s, sessionId);
    const first = paymentInput(a.registrationId);
    await paid(first);
    await expectRefused(paymentInput(b.registrationId, { numTrans: first.numTrans }), 'ALREADY_PAID', ['input', 'numTrans']);
    expect((await readRegistration(s, b.registrationId)).nextStep).toBe('PAY');
  });

  it('R-REF-8: paying a cancelled registration is REGISTRATION_CANCELLED', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const db = await sqlClient(s.dbUrl);
    try {
      await db.query(`update registration set status = 'CANCELLED', cancelled_at = now() where id = $1`, [registrationId]);
    } finally {
      await db.end();
    }
    await expectRefused(paymentInput(registrationId), 'REGISTRATION_CANCELLED', ['input', 'registrationId']);
  });

  it('R-SEC-3: bad input is VALIDATION_FAILED or NOT_FOUND with the field', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    await expectRefused(paymentInput(registrationId, { cardExpiry: '05/17' }), 'VALIDATION_FAILED', ['input', 'cardExpiry']);
    await expectRefused(paymentInput(registrationId, { cardExpiry: '1317' }), 'VALIDATION_FAILED', ['input', 'cardExpiry']);
    await expectRefused(paymentInput(registrationId, { amountCents: 0 }), 'VALIDATION_FAILED', ['input', 'amountCents']);
    await expectRefused(paymentInput(registrationId, { numTrans: '  ' }), 'VALIDATION_FAILED', ['input', 'numTrans']);
    await expectRefused(paymentInput(registrationId, { numTrans: 'T-0001' }), 'VALIDATION_FAILED', ['input', 'numTrans']);
    await expectRefused(paymentInput(registrationId, { numAppel: 'abc' }), 'VALIDATION_FAILED', ['input', 'numAppel']);
    await expectRefused(paymentInput(registrationId, { paidAt: '2099-01-01T00:00:00Z' }), 'VALIDATION_FAILED', ['input', 'paidAt']);
    await expectRefused(paymentInput(registrationId, { idempotencyKey: '' }), 'VALIDATION_FAILED', ['input', 'idempotencyKey']);
    await expectRefused(paymentInput('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND', ['input', 'registrationId']);
  });
});

describe('R-REF-7 idempotency of recordPayment', () => {
  it('R-REF-7: the same idempotency key with the same input returns the same payment, once', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId);
    const a = await paid(input);
    const before = await countRows(s, 'audit_event');
    const b = await paid(input);
    expect(b.id).toBe(a.id);
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(1);
    expect(await countRows(s, 'audit_event')).toBe(before);
  });

  it('R-REF-7: the same idempotency key with another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId);
    await paid(input);
    await expectRefused({ ...input, authorizationNumber: 'OTHER1' }, 'IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']);
  });

  it('R-REF-7: a refused call does not burn its key: after the fix the same key records', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId, { cardBrand: 'AMEX' });
    await expectRefused(input, 'CARD_BRAND_NOT_ACCEPTED', ['input', 'cardBrand']);
    await expectRefused(input, 'CARD_BRAND_NOT_ACCEPTED', ['input', 'cardBrand']);
    await paid({ ...input, cardBrand: 'VISA', idempotencyKey: input.idempotencyKey });
  });

  it('R-PAY-4: 10 concurrent recordPayment with one NUMTRANS and one key record exactly one payment', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId);
    const token = await s.tokenFor('INTEGRATION');
    const results = await Promise.all(Array.from({ length: 10 }, () => recordPayment(s, input, token)));
    const ids = results.map((r) => payloadOf<{ payment: PaymentRow }>(r, 'recordPayment')).map((p) => (p.errors.length ? p.errors[0].code : p.payment.id));
    expect(new Set(ids).size).toBe(1);
    expect(await countRows(s, 'payment', 'num_trans = ?', [input.numTrans])).toBe(1);
    expect(await countRows(s, 'audit_event', `action = 'payment.record' and details->>'numTrans' = ?`, [input.numTrans])).toBe(1);
  });

  it('R-PAY-4: 10 concurrent recordPayment with one NUMTRANS and different keys record exactly one payment', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const input = paymentInput(registrationId);
    const token = await s.tokenFor('INTEGRATION');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => recordPayment(s, { ...input, idempotencyKey: `${input.idempotencyKey}-${i}` }, token)));
    const payloads = results.map((r) => payloadOf<{ payment: PaymentRow }>(r, 'recordPayment'));
    // The same Paybox transaction is one payment (R-PAY-4): every call answers with it.
    expect(payloads.every((p) => p.errors.length === 0)).toBe(true);
    expect(new Set(payloads.map((p) => p.payment.id)).size).toBe(1);
    expect(await countRows(s, 'payment', 'num_trans = ?', [input.numTrans])).toBe(1);
  });

  it('R-PAY-4: 10 concurrent recordPayment with one NUMTRANS on 10 registrations record exactly one payment', async () => {
    const regs = await Promise.all(Array.from({ length: 10 }, () => registerLearner(s, sessionId)));
    const numTrans = paymentInput(regs[0].registrationId).numTrans;
    const token = await s.tokenFor('INTEGRATION');
    const results = await Promise.all(regs.map((r) => recordPayment(s, paymentInput(r.registrationId, { numTrans }), token)));
    const payloads = results.map((r) => payloadOf<{ payment: PaymentRow }>(r, 'recordPayment'));
    expect(payloads.filter((p) => p.errors.length === 0)).toHaveLength(1);
    expect(payloads.filter((p) => p.errors[0]?.code === 'ALREADY_PAID')).toHaveLength(9);
    expect(await countRows(s, 'payment', 'num_trans = ?', [numTrans])).toBe(1);
  });
});

describe('R-SEC-1 payment access and card data', () => {
  let payment: PaymentRow;
  let learnerToken: string;
  let ownSession: string;
  beforeAll(async () => {
    ownSession = await createSession(s, { courseCode: 'PAY-QUERY' });
    const r = await registerLearner(s, ownSession);
    learnerToken = r.learnerToken;
    payment = await paid(paymentInput(r.registrationId, { paidAt: '2017-02-11T09:00:00Z' }));
  });

  it('R-SEC-1: recordPayment is INTEGRATION and ADMIN only', async () => {
    const { registrationId, learnerToken: own } = await registerLearner(s, sessionId);
    for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION'] as const) {
      const token = await s.tokenFor(role);
      const r = await expectNoWrites(s, () => s.gql(RECORD_PAYMENT, { i: paymentInput(registrationId) }, token));
      expect(topLevelCodes(r), role).toEqual(['FORBIDDEN']);
    }
    const r = await expectNoWrites(s, () => s.gql(RECORD_PAYMENT, { i: paymentInput(registrationId) }, own));
    expect(topLevelCodes(r)).toEqual(['FORBIDDEN']);
    await paid(paymentInput(registrationId), await s.tokenFor('ADMIN'));
  });

  const LIST = `query($f: PaymentFilter) { payments(filter: $f) { totalCount edges { node { ${PAYMENT_FIELDS} } } } }`;
  const LIST_CARD = `query($f: PaymentFilter) { payments(filter: $f) { totalCount edges { node { id ${CARD_FIELDS} } } } }`;
  type List = { payments: { totalCount: number; edges: { node: PaymentRow }[] } };

  it('payments(filter): PAYMENTS, SUPPORT and ADMIN list payments by session, status and paid-at range', async () => {
    for (const role of ['PAYMENTS', 'SUPPORT', 'ADMIN'] as const) {
      const r = await s.gql<List>(LIST, { f: { sessionId: ownSession } }, await s.tokenFor(role));
      expect(r.errors, role).toBeUndefined();
      expect(r.data!.payments.edges.map((e) => e.node.id)).toEqual([payment.id]);
    }
    const t = await s.tokenFor('PAYMENTS');
    const range = async (f: Record<string, unknown>) => (await s.gql<List>(LIST, { f: { sessionId: ownSession, ...f } }, t)).data!.payments.totalCount;
    expect(await range({ paidFrom: '2017-02-11T09:00:00Z', paidTo: '2017-02-11T09:00:00Z' })).toBe(1);
    expect(await range({ paidFrom: '2017-02-11T09:00:01Z' })).toBe(0);
    expect(await range({ paidTo: '2017-02-11T08:59:59Z' })).toBe(0);
    expect(await range({ status: 'PAID' })).toBe(1);
    expect(await range({ status: 'REFUNDED' })).toBe(0);
    for (const role of ['CERTIFICATION', 'INTEGRATION', 'LEARNER'] as const) {
      expect(topLevelCodes(await s.gql(LIST, {}, await s.tokenFor(role))), role).toEqual(['FORBIDDEN']);
    }
  });

  it('R-SEC-1: card data (cardExpiry, eCarteBleue, authorizationNumber) is for PAYMENTS, ADMIN and INTEGRATION; SUPPORT is FORBIDDEN', async () => {
    for (const role of ['PAYMENTS', 'ADMIN'] as const) {
      const r = await s.gql<List>(LIST_CARD, { f: { sessionId: ownSession } }, await s.tokenFor(role));
      expect(r.errors, role).toBeUndefined();
      expect(r.data!.payments.edges[0].node).toMatchObject({ cardExpiry: '0919', eCarteBleue: false, authorizationNumber: 'XXXXXX' });
    }
    const integ = await s.gql<{ payment: Record<string, unknown> }>(`query($id: ID!) { payment(id: $id) { ${CARD_FIELDS} } }`, { id: payment.id }, await s.tokenFor('INTEGRATION'));
    expect(integ.data!.payment).toEqual({ cardExpiry: '0919', eCarteBleue: false, authorizationNumber: 'XXXXXX' });
    for (const field of ['cardExpiry', 'eCarteBleue', 'authorizationNumber']) {
      const r = await s.gql(`query($id: ID!) { payment(id: $id) { id ${field} } }`, { id: payment.id }, await s.tokenFor('SUPPORT'));
      expect(topLevelCodes(r), field).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(r.data)).not.toContain('0919');
    }
  });

  it('payment(id) and Registration.payment: the learner reads their own payment (without card data); another learner gets null', async () => {
    const own = await s.gql<{ payment: PaymentRow }>(`query($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`, { id: payment.id }, learnerToken);
    expect(own.data!.payment).toMatchObject({ id: payment.id, numTrans: payment.numTrans });
    const other = await s.newLearner();
    const r = await s.gql<{ payment: unknown }>('query($id: ID!) { payment(id: $id) { id } }', { id: payment.id }, other.token);
    expect(r.data!.payment).toBeNull();
    const reg = await s.gql<{ registration: { payment: { id: string } } }>('query($id: ID!) { registration(id: $id) { payment { id numTrans } } }', { id: payment.registration.id }, learnerToken);
    expect(reg.data!.registration.payment.id).toBe(payment.id);
    const card = await s.gql('query($id: ID!) { payment(id: $id) { cardExpiry } }', { id: payment.id }, learnerToken);
    expect(topLevelCodes(card)).toEqual(['FORBIDDEN']);
    // CERTIFICATION reads registrations, not payments.
    const cert = await s.gql<{ registration: { id: string; payment: unknown } }>('query($id: ID!) { registration(id: $id) { id payment { id } } }', { id: payment.registration.id }, await s.tokenFor('CERTIFICATION'));
    expect(topLevelCodes(cert)).toEqual(['FORBIDDEN']);
    expect(cert.data!.registration).toEqual({ id: payment.registration.id, payment: null });
  });

  it('R-REF-7: refundedCents and status come from the payment row', async () => {
    const db = await sqlClient(s.dbUrl);
    try {
      await db.query(`update payment set refunded_cents = 6000, status = 'REFUNDED' where id = $1`, [payment.id]);
    } finally {
      await db.end();
    }
    const r = await s.gql<{ payment: PaymentRow }>('query($id: ID!) { payment(id: $id) { status refundedCents } }', { id: payment.id }, await s.tokenFor('PAYMENTS'));
    expect(r.data!.payment).toEqual({ status: 'REFUNDED', refundedCents: 6000 });
    const list = await s.gql<List>(LIST, { f: { sessionId: ownSession, status: 'REFUNDED' } }, await s.tokenFor('PAYMENTS'));
    expect(list.data!.payments.totalCount).toBe(1);
  });
});
