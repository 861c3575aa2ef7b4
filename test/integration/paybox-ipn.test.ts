import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayboxMessage } from '../../src/providers/paybox/simulator-keys';
import { auditEvents, expectNoWrites } from '../helpers/inputs-common';
import { countRows, createSession, getIpn, ipnParams, paymentInput, postIpn, readRegistration, recordPayment, registerLearner, signedIpn } from '../helpers/payments-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;
beforeAll(async () => {
  s = await startTestServer();
  sessionId = await createSession(s);
});
afterAll(() => s?.close());

async function paymentRow(numTrans: string) {
  const rows = await s.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(
    'select registration_id, amount_cents, currency, card_brand, card_expiry, e_carte_bleue, num_appel, num_trans, authorization_number, paid_at, source, recorded_by from payment where num_trans = ?',
    [numTrans],
  );
  return rows;
}

const get = (params: [string, string][]) => Object.fromEntries(params) as Record<string, string>;

describe('R-PAY-4 Paybox IPN', () => {
  it('R-PAY-4: a GET notification with a good signature records the payment (validite YYMM stored as MMYY, Paris date and time)', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId, { validite: '1705' });
    const r = await getIpn(s, signedIpn(s, params));
    expect(r).toMatchObject({ status: 200, body: { status: 'RECORDED' } });
    const rows = await paymentRow(get(params).trans);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      registration_id: registrationId,
      amount_cents: 6000,
      currency: 'EUR',
      card_brand: 'VISA',
      card_expiry: '0517',
      e_carte_bleue: false,
      num_appel: get(params).appel,
      authorization_number: '123456',
      source: 'IPN',
      recorded_by: 'service:paybox-ipn',
    });
    // 10/02/2017 15:05:00 in Paris (UTC+1) = 14:05Z.
    expect(new Date(rows[0].paid_at as string).toISOString()).toBe('2017-02-10T14:05:00.000Z');
    expect(await readRegistration(s, registrationId)).toMatchObject({ status: 'ACTIVE', nextStep: 'DONE' });
  });

  it('R-PAY-4: a POST form notification with a good signature records the payment', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId, { carte: 'EUROCARD_MASTERCARD' });
    const r = await postIpn(s, signedIpn(s, params));
    expect(r).toMatchObject({ status: 200, body: { status: 'RECORDED' } });
    expect((await paymentRow(get(params).trans))[0]).toMatchObject({ card_brand: 'MASTERCARD', source: 'IPN' });
    // With a charset parameter too, as some HTTP clients send it.
    const other = await registerLearner(s, sessionId);
    const res = await fetch(`${s.url}/integrations/paybox/ipn`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: signedIpn(s, ipnParams(other.registrationId)),
    });
    expect(res.status).toBe(200);
    expect(await countRows(s, 'payment', 'registration_id = ?', [other.registrationId])).toBe(1);
  });

  it('R-PAY-3: an e-Carte Bleue notification (carte=E_CARD) is recorded as a flagged Visa', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId, { carte: 'E_CARD' });
    expect((await getIpn(s, signedIpn(s, params))).status).toBe(200);
    expect((await paymentRow(get(params).trans))[0]).toMatchObject({ card_brand: 'VISA', e_carte_bleue: true });
  });

  it('R-PAY-4: the same notification twice (GET then POST) is one payment, 200 both times', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const notification = signedIpn(s, ipnParams(registrationId));
    const first = await getIpn(s, notification);
    const second = await expectNoWrites(s, () => postIpn(s, notification));
    expect(first).toMatchObject({ status: 200, body: { status: 'RECORDED' } });
    expect(second).toMatchObject({ status: 200, body: { status: 'ALREADY_RECORDED', paymentId: first.body.paymentId } });
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(1);
  });

  it('R-PAY-4: 10 concurrent copies of one notification record one payment, all answered 200', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const notification = signedIpn(s, ipnParams(registrationId));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? getIpn(s, notification) : postIpn(s, notification))));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.paymentId)).size).toBe(1);
    expect(results.filter((r) => r.body.status === 'RECORDED')).toHaveLength(1);
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(1);
  });

  it('R-PAY-4: a notification for a payment already recorded through recordPayment is the same payment', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId);
    const p = get(params);
    const api = await recordPayment(s, paymentInput(registrationId, { numTrans: p.trans, numAppel: p.appel, authorizationNumber: p.auto, cardExpiry: '0919', paidAt: '2017-02-10T14:05:00Z' }));
    expect(api.data!.recordPayment.errors).toEqual([]);
    const r = await getIpn(s, signedIpn(s, params));
    expect(r).toMatchObject({ status: 200, body: { status: 'ALREADY_RECORDED', paymentId: api.data!.recordPayment.payment!.id } });
  });
});

describe('R-PAY-4 IPN signature', () => {
  it('R-PAY-4: a tampered parameter (amount changed after signing) is 403 and nothing is recorded', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const good = signedIpn(s, ipnParams(registrationId));
    const tampered = good.replace('montant=6000', 'montant=6001');
    expect(tampered).not.toBe(good);
    const r = await expectNoWrites(s, () => getIpn(s, tampered));
    expect(r.status).toBe(403);
    const other = await registerLearner(s, sessionId);
    const r2 = await expectNoWrites(s, () => postIpn(s, good.replace(`ref=${registrationId}`, `ref=${other.registrationId}`)));
    expect(r2.status).toBe(403);
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(0);
  });

  it('R-PAY-4: a missing signature, a signature that is not last, or one made with another key is 403', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId);
    const message = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const signed = signedIpn(s, params);
    const sign = signed.slice(signed.lastIndexOf('&sign='));
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases = [
      message,
      `${message}&sign=`,
      `${message}${sign}&extra=1`,
      `${sign.slice(1)}&${message}`,
      `${message}&sign=${encodeURIComponent(signPayboxMessage(message, otherKey))}`,
      `${message}&sign=not-base64-%%%`,
      '',
    ];
    for (const c of cases) {
      const r = await expectNoWrites(s, () => getIpn(s, c));
      expect(r.status, c.slice(-40)).toBe(403);
      expect((await expectNoWrites(s, () => postIpn(s, c))).status).toBe(403);
    }
  });
});

describe('R-PAY-4 IPN outcomes other than a payment', () => {
  it('R-PAY-4: erreur other than 00000 is acknowledged with 200, records no payment, only an audit event', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId, { erreur: '00105', auto: '' });
    const before = await countRows(s, 'audit_event');
    const r = await getIpn(s, signedIpn(s, params));
    expect(r).toMatchObject({ status: 200, body: { status: 'DECLINED', erreur: '00105' } });
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(0);
    expect(await countRows(s, 'audit_event')).toBe(before + 1);
    const events = await auditEvents(s, { subjectId: registrationId, action: 'payment.ipn.declined' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'service:paybox-ipn', details: { erreur: '00105', numTrans: get(params).trans } });
    expect((await readRegistration(s, registrationId)).nextStep).toBe('PAY');
  });

  it('R-PAY-2: a verified notification our rules refuse (card expiring 04/17) is 200 REFUSED, no payment, an audit event for the payments team', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const r = await getIpn(s, signedIpn(s, ipnParams(registrationId, { validite: '1704' })));
    expect(r).toMatchObject({ status: 200, body: { status: 'REFUSED', code: 'CARD_EXPIRES_TOO_SOON' } });
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(0);
    const events = await auditEvents(s, { subjectId: registrationId, action: 'payment.ipn.refused' });
    expect(events[0].details).toMatchObject({ code: 'CARD_EXPIRES_TOO_SOON' });
  });

  it('R-PAY-1: a notification with a CB or AMEX card is REFUSED (CARD_BRAND_NOT_ACCEPTED)', async () => {
    for (const carte of ['CB', 'AMEX']) {
      const { registrationId } = await registerLearner(s, sessionId);
      const r = await postIpn(s, signedIpn(s, ipnParams(registrationId, { carte })));
      expect(r.body).toMatchObject({ status: 'REFUSED', code: 'CARD_BRAND_NOT_ACCEPTED' });
    }
  });

  it('R-SEC-3: a verified notification missing a field is 400, no payment, an audit event', async () => {
    const { registrationId } = await registerLearner(s, sessionId);
    const params = ipnParams(registrationId).filter(([k]) => k !== 'trans');
    const r = await getIpn(s, signedIpn(s, params));
    expect(r.status).toBe(400);
    expect(await countRows(s, 'payment', 'registration_id = ?', [registrationId])).toBe(0);
    expect(await auditEvents(s, { subjectId: registrationId, action: 'payment.ipn.invalid' })).toHaveLength(1);
  });
});
