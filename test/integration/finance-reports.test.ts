import ExcelJS from 'exceljs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { auditEvents } from '../helpers/inputs-common';
import { createSession, type PaidRegistration, paidRegistration } from '../helpers/refund-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Finance reports (issue 8): financeSummary, GET /reports/:name.:format (CSV and XLSX), and that the
 * three agree on the same data. Period 2017-02-01..2017-02-07 in Europe/Paris (UTC+1 then).
 */
const FROM = '2017-02-01';
const TO = '2017-02-07';
const BOM = '\uFEFF';
const TRICKY_GIVEN = '=1+2;"Jo"';
const TRICKY_FAMILY = 'Le\nGrand';

let s: TestServer;
let db: pg.Client;
let sessionId: string;
let payments: string;
const p: Record<string, PaidRegistration> = {};

/** Minimal RFC 4180 parser for `;`-separated CSV (quotes doubled, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function report(path: string, token?: string): Promise<Response> {
  return fetch(`${s.url}/reports/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function csv(name: string, query = `from=${FROM}&to=${TO}`): Promise<{ raw: string; header: string[]; rows: Record<string, string>[] }> {
  const res = await report(`${name}.csv?${query}`, payments);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const raw = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  const [header, ...lines] = parseCsv(raw.slice(BOM.length));
  return { raw, header, rows: lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]]))) };
}

async function xlsx(name: string): Promise<ExcelJS.Worksheet> {
  const res = await report(`${name}.xlsx?from=${FROM}&to=${TO}`, payments);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
  return wb.worksheets[0];
}

const SUMMARY = `query($from: Date!, $to: Date!, $sessionId: ID) { financeSummary(from: $from, to: $to, sessionId: $sessionId) {
  from to currency paymentsCount grossCents refundsCount refundedCents netCents pendingRefundsCount byBrand { brand count grossCents } } }`;

async function summary(vars: Record<string, unknown> = { from: FROM, to: TO }, token: string | undefined = payments) {
  return s.gql<{ financeSummary: Record<string, unknown> & { grossCents: number; refundedCents: number; netCents: number; paymentsCount: number; refundsCount: number } }>(SUMMARY, vars, token);
}

async function insertRefund(pay: PaidRegistration, r: { status: string; amountCents: number; requestedAt: string; completedAt?: string; decidedAt?: string; manual?: boolean }) {
  await db.query(
    `insert into refund_request (id, registration_id, payment_id, reason, status, amount_cents, payment_ticket, learner_first_name, learner_last_name,
       username, email, requested_by, requested_at, decided_by, decided_at, provider_request_number, provider_reference, settlement_method, settlement_reference, completed_at, updated_at)
     values (gen_random_uuid(), $1, $2, 'WITHDRAWAL', $3, $4, $5, $6, $7, $8, $9, 'staff:payments@test.local', $10, $11, $12, $13, $14, $15, $16, $17, now())`,
    [
      pay.registrationId, pay.paymentId, r.status, r.amountCents, pay.numTrans, pay.givenName, pay.familyName, pay.username, pay.email, r.requestedAt,
      r.decidedAt ? 'staff:second@test.local' : null, r.decidedAt ?? null,
      r.status === 'SUCCEEDED' ? `Q${pay.numTrans}` : null, r.status === 'SUCCEEDED' ? `R${pay.numTrans}` : null,
      r.manual ? 'BANK_TRANSFER' : null, r.manual ? 'VIR-2017-42' : null, r.completedAt ?? null,
    ],
  );
  if (r.completedAt) await db.query(`update payment set refunded_cents = $2, status = 'REFUNDED' where id = $1`, [pay.paymentId, r.amountCents]);
}

beforeAll(async () => {
  s = await startTestServer();
  db = await sqlClient(s.dbUrl);
  payments = (await s.tokenFor('PAYMENTS'))!;
  sessionId = await createSession(s);
  p.A = await paidRegistration(s, sessionId, { paidAt: '2017-02-01T23:30:00Z' }); // Paris 02-02 00:30
  p.B = await paidRegistration(s, sessionId, { paidAt: '2017-02-02T10:00:00Z', eCarteBleue: true });
  p.C = await paidRegistration(s, sessionId, { paidAt: '2017-02-04T10:00:00Z', amountCents: 4550 });
  p.D = await paidRegistration(s, sessionId, { paidAt: '2017-01-31T22:59:00Z' }); // Paris 01-31 23:59: outside
  p.E = await paidRegistration(s, sessionId, { paidAt: '2017-02-07T22:59:00Z' }); // Paris 02-07 23:59: inside
  p.F = await paidRegistration(s, sessionId, { paidAt: '2017-02-07T23:00:00Z' }); // Paris 02-08 00:00: outside
  await db.query(`update payment set card_brand = 'MASTERCARD' where id = $1`, [p.B.paymentId]);
  // A locked name with `;`, quotes, a newline and a leading `=` (the freeze trigger is bypassed for the fixture).
  await db.query(`set session_replication_role = replica`);
  await db.query(`update registration set locked_given_name = $2, locked_family_name = $3 where id = $1`, [p.E.registrationId, TRICKY_GIVEN, TRICKY_FAMILY]);
  await db.query(`set session_replication_role = origin`);
  await insertRefund(p.A, { status: 'SUCCEEDED', amountCents: 6000, requestedAt: '2017-02-04T10:00:00Z', decidedAt: '2017-02-04T11:00:00Z', completedAt: '2017-02-05T10:00:00Z' });
  await insertRefund(p.B, { status: 'SETTLED_MANUALLY', amountCents: 6000, requestedAt: '2017-02-05T10:00:00Z', decidedAt: '2017-02-05T11:00:00Z', completedAt: '2017-02-06T10:00:00Z', manual: true });
  await insertRefund(p.C, { status: 'SUBMITTED', amountCents: 4550, requestedAt: '2017-02-05T09:00:00Z' });
  await insertRefund(p.D, { status: 'SUCCEEDED', amountCents: 6000, requestedAt: '2017-02-02T10:00:00Z', decidedAt: '2017-02-02T11:00:00Z', completedAt: '2017-02-03T10:00:00Z' });
  await insertRefund(p.E, { status: 'REJECTED', amountCents: 6000, requestedAt: '2017-02-07T12:00:00Z', decidedAt: '2017-02-07T12:30:00Z' });
}, 120_000);

afterAll(async () => {
  await db?.end();
  await s?.close();
});

describe('financeSummary (R-PAY, R-REF)', () => {
  it('R-PAY: counts payments by Paris paid day, per brand; R-REF: refunds by completion day (SUCCEEDED or SETTLED_MANUALLY), pending = not final', async () => {
    const r = await summary();
    expect(r.errors).toBeUndefined();
    expect(r.data!.financeSummary).toEqual({
      from: FROM,
      to: TO,
      currency: 'EUR',
      paymentsCount: 4,
      grossCents: 22550,
      refundsCount: 3,
      refundedCents: 18000,
      netCents: 4550,
      pendingRefundsCount: 1,
      byBrand: [
        { brand: 'MASTERCARD', count: 1, grossCents: 6000 },
        { brand: 'VISA', count: 3, grossCents: 16550 },
      ],
    });
  });

  it('filters by session; ADMIN may read it; other roles are refused; bad periods are VALIDATION', async () => {
    const same = await summary({ from: FROM, to: TO, sessionId });
    expect(same.data!.financeSummary.grossCents).toBe(22550);
    const other = await summary({ from: FROM, to: TO, sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(other.data!.financeSummary).toMatchObject({ paymentsCount: 0, grossCents: 0, refundsCount: 0, netCents: 0, byBrand: [] });
    const admin = await summary({ from: FROM, to: TO }, await s.tokenFor('ADMIN'));
    expect(admin.data!.financeSummary.netCents).toBe(4550);
    for (const role of ['SUPPORT', 'CERTIFICATION', 'LEARNER'] as const) {
      const r = await summary({ from: FROM, to: TO }, await s.tokenFor(role));
      expect(r.data?.financeSummary ?? null).toBeNull();
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const reversed = await summary({ from: TO, to: FROM });
    expect(reversed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'VALIDATION', field: ['to'] });
    const tooLong = await summary({ from: '2016-01-01', to: '2017-01-01' });
    expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'VALIDATION', field: ['to'] });
  });
});

describe('GET /reports/:name.csv (contract CSV conventions)', () => {
  it('payments: UTF-8 BOM, `;`, French header, decimal comma, Paris instants with offset, formula escaping of a name with `;`, quotes and a newline', async () => {
    const { raw, header, rows } = await csv('payments');
    expect(raw.startsWith(BOM)).toBe(true);
    expect(header).toEqual([
      'Payé le', 'Inscription', 'Identifiant apprenant', 'Nom certifié', 'Code session', 'Montant (€)', 'Montant (centimes)', 'Devise', 'Réseau carte',
      'e-Carte Bleue', 'NUMAPPEL', 'NUMTRANS', 'Autorisation', 'Statut', 'Remboursé (€)', 'Remboursé (centimes)',
    ]);
    expect(rows.map((r) => r['Inscription'])).toEqual([p.A, p.B, p.C, p.E].map((x) => x.registrationId));
    const [a, b, c, e] = rows;
    expect(a).toMatchObject({ 'Payé le': '2017-02-02T00:30:00+01:00', 'Montant (€)': '60,00', 'Montant (centimes)': '6000', 'Devise': 'EUR', 'Réseau carte': 'VISA', 'Statut': 'REFUNDED', 'Remboursé (€)': '60,00', 'e-Carte Bleue': 'non' });
    expect(b).toMatchObject({ 'Réseau carte': 'MASTERCARD', 'e-Carte Bleue': 'oui', 'NUMTRANS': p.B.numTrans, 'NUMAPPEL': p.B.numAppel, 'Code session': '26001S03' });
    expect(c).toMatchObject({ 'Montant (€)': '45,50', 'Montant (centimes)': '4550', 'Remboursé (€)': '0,00', 'Statut': 'PAID' });
    expect(e['Payé le']).toBe('2017-02-07T23:59:00+01:00');
    // The cell is quoted (it holds `;`, `"` and a newline) and neutralised (leading `'`): no formula runs.
    expect(e['Nom certifié']).toBe(`'${TRICKY_GIVEN} ${TRICKY_FAMILY}`);
    expect(raw).toContain(`"'=1+2;""Jo"" Le\nGrand"`);
    expect(e['Identifiant apprenant']).toBe(p.E.username);
  });

  it('R-PAY: the sum of the payments export equals financeSummary.grossCents; R-REF: reconciliation has one row per day (empty days too), a running balance and totals equal to financeSummary', async () => {
    const pay = await csv('payments');
    const gross = pay.rows.reduce((sum, r) => sum + Number(r['Montant (centimes)']), 0);
    const rec = await csv('reconciliation');
    const sum = (await summary()).data!.financeSummary;
    expect(gross).toBe(sum.grossCents);
    expect(rec.rows.map((r) => r['Jour'])).toEqual(['2017-02-01', '2017-02-02', '2017-02-03', '2017-02-04', '2017-02-05', '2017-02-06', '2017-02-07', 'TOTAL']);
    expect(rec.rows[0]).toMatchObject({ 'Paiements (nombre)': '0', 'Encaissé (€)': '0,00', 'Remboursements (nombre)': '0', 'Solde cumulé (€)': '0,00' });
    expect(rec.rows.map((r) => r['Solde cumulé (centimes)'])).toEqual(['0', '12000', '6000', '10550', '4550', '-1450', '4550', '4550']);
    // A negative amount is a number, not a formula: no `'` prefix.
    expect(rec.rows[5]['Solde cumulé (€)']).toBe('-14,50');
    expect(rec.rows[5]['Net (€)']).toBe('-60,00');
    const total = rec.rows[7];
    expect({
      paymentsCount: Number(total['Paiements (nombre)']),
      grossCents: Number(total['Encaissé (centimes)']),
      refundsCount: Number(total['Remboursements (nombre)']),
      refundedCents: Number(total['Remboursé (centimes)']),
      netCents: Number(total['Net (centimes)']),
    }).toEqual({ paymentsCount: sum.paymentsCount, grossCents: sum.grossCents, refundsCount: sum.refundsCount, refundedCents: sum.refundedCents, netCents: sum.netCents });
    expect(total['Encaissé (€)']).toBe('225,50');
  });

  it('R-REF: refunds lists requests asked for or completed in the period, with references, requester and approver', async () => {
    const { rows } = await csv('refunds');
    expect(rows.map((r) => r['Statut'])).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUBMITTED', 'SETTLED_MANUALLY', 'REJECTED']);
    const [d, a, c, b] = rows;
    expect(d).toMatchObject({ 'Demandé le': '2017-02-02T11:00:00+01:00', 'Exécuté ou réglé le': '2017-02-03T11:00:00+01:00', 'NUMTRANS paiement': p.D.numTrans, 'NUMTRANS remboursement ou référence manuelle': `R${p.D.numTrans}` });
    expect(a['Montant (€)']).toBe('60,00');
    expect(b).toMatchObject({ 'NUMTRANS remboursement ou référence manuelle': 'VIR-2017-42', 'Règlement manuel': 'BANK_TRANSFER', 'Demandeur': 'staff:payments@test.local', 'Approbateur': 'staff:second@test.local' });
    expect(c).toMatchObject({ 'Décidé le': '', 'Exécuté ou réglé le': '', 'Motif': 'WITHDRAWAL' });
  });

  it('sessionId narrows the export to one session', async () => {
    const none = await csv('payments', `from=${FROM}&to=${TO}&sessionId=00000000-0000-4000-8000-000000000000`);
    expect(none.rows).toEqual([]);
    const mine = await csv('payments', `from=${FROM}&to=${TO}&sessionId=${sessionId}`);
    expect(mine.rows).toHaveLength(4);
  });
});

describe('GET /reports/:name.xlsx', () => {
  it('payments: number and date cells, frozen header row, widths, totals row equal to financeSummary', async () => {
    const ws = await xlsx('payments');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).getCell(1).value).toBe('Payé le');
    expect(ws.getColumn(2).width).toBe(38);
    expect(ws.rowCount).toBe(1 + 4 + 1);
    const first = ws.getRow(2);
    expect(first.getCell(1).type).toBe(ExcelJS.ValueType.Date);
    // Paris wall-clock time (02-02 00:30) as the cell's date.
    expect((first.getCell(1).value as Date).toISOString()).toBe('2017-02-02T00:30:00.000Z');
    expect(first.getCell(6).type).toBe(ExcelJS.ValueType.Number);
    expect(first.getCell(6).value).toBe(60);
    expect(first.getCell(6).numFmt).toContain('0.00');
    expect(first.getCell(7).value).toBe(6000);
    expect(ws.getRow(5).getCell(4).value).toBe(`${TRICKY_GIVEN} ${TRICKY_FAMILY}`);
    const totals = ws.getRow(6);
    expect(totals.getCell(1).value).toBe('TOTAL');
    expect(totals.getCell(6).value).toBe(225.5);
    expect(totals.getCell(7).value).toBe((await summary()).data!.financeSummary.grossCents);
  });

  it('reconciliation: one date cell per day and a totals row equal to financeSummary', async () => {
    const ws = await xlsx('reconciliation');
    expect(ws.rowCount).toBe(1 + 7 + 1);
    expect(ws.getRow(2).getCell(1).type).toBe(ExcelJS.ValueType.Date);
    expect((ws.getRow(2).getCell(1).value as Date).toISOString()).toBe('2017-02-01T00:00:00.000Z');
    const totals = ws.getRow(9);
    const sum = (await summary()).data!.financeSummary;
    expect(totals.getCell(1).value).toBe('TOTAL');
    expect([totals.getCell(2).value, totals.getCell(4).value, totals.getCell(5).value, totals.getCell(7).value, totals.getCell(9).value]).toEqual([
      sum.paymentsCount, sum.grossCents, sum.refundsCount, sum.refundedCents, sum.netCents,
    ]);
    expect(totals.getCell(8).value).toBe(45.5);
  });

  it('refunds opens as a workbook too', async () => {
    const ws = await xlsx('refunds');
    expect(ws.rowCount).toBe(1 + 5 + 1);
    expect(ws.getRow(2).getCell(6).type).toBe(ExcelJS.ValueType.Number);
  });
});

describe('GET /reports: access and parameters', () => {
  it('no token or a refused token is 401; roles other than PAYMENTS and ADMIN are 403; ADMIN may export', async () => {
    expect((await report(`payments.csv?from=${FROM}&to=${TO}`)).status).toBe(401);
    expect((await report(`payments.csv?from=${FROM}&to=${TO}`, 'not-a-token')).status).toBe(401);
    for (const role of ['SUPPORT', 'CERTIFICATION', 'INTEGRATION', 'LEARNER'] as const) {
      const res = await report(`payments.csv?from=${FROM}&to=${TO}`, await s.tokenFor(role));
      expect(res.status, role).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
    }
    const admin = await report(`reconciliation.csv?from=${FROM}&to=${TO}`, await s.tokenFor('ADMIN'));
    expect(admin.status).toBe(200);
    await admin.arrayBuffer();
  });

  it.each([
    ['payments.csv', 'field', 'from'],
    [`payments.csv?from=${FROM}`, 'field', 'to'],
    [`payments.csv?from=${TO}&to=${FROM}`, 'reversed', 'to'],
    ['payments.csv?from=2017-02-30&to=2017-03-01', 'not a day', 'from'],
    ['payments.csv?from=2016-01-01&to=2017-01-01', '367 days', 'to'],
    [`invoices.csv?from=${FROM}&to=${TO}`, 'unknown name', 'name'],
    [`payments.pdf?from=${FROM}&to=${TO}`, 'unknown format', 'format'],
    [`payments?from=${FROM}&to=${TO}`, 'no format', 'format'],
    [`payments.csv?from=${FROM}&to=${TO}&sessionId=nope`, 'bad sessionId', 'sessionId'],
  ])('400 with a JSON error: %s (%s)', async (path, _why, field) => {
    const res = await report(path, payments);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; code: string; field: string[] };
    expect(body.code).toBe('VALIDATION');
    expect(body.field).toEqual([field]);
    expect(body.error.length).toBeGreaterThan(5);
  });

  it('a full leap year (366 days) is accepted', async () => {
    const res = await report('reconciliation.csv?from=2016-01-01&to=2016-12-31', payments);
    expect(res.status).toBe(200);
    const rows = parseCsv((await res.text()).replace(BOM, ''));
    expect(rows).toHaveLength(1 + 366 + 1);
  });
});

describe('audit (R-SEC-2)', () => {
  it('each export writes one audit event: who, which report, period, row count', async () => {
    const before = (await auditEvents(s, { action: 'finance.report.exported' })).length;
    await (await report(`payments.csv?from=${FROM}&to=${TO}`, payments)).arrayBuffer();
    await (await report(`refunds.xlsx?from=${FROM}&to=${TO}&sessionId=${sessionId}`, payments)).arrayBuffer();
    const events = await auditEvents(s, { action: 'finance.report.exported' });
    expect(events.length).toBe(before + 2);
    const [xl, cs] = events;
    expect(cs).toMatchObject({ actor: 'staff:payments@test.local', subjectType: 'FinanceReport', subjectId: 'payments' });
    expect(cs.details).toEqual({ report: 'payments', format: 'csv', from: FROM, to: TO, sessionId: null, rows: 4, completed: true });
    expect(xl.details).toEqual({ report: 'refunds', format: 'xlsx', from: FROM, to: TO, sessionId, rows: 5, completed: true });
  });
});
