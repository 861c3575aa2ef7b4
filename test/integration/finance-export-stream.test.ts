import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../helpers/database';
import { auditEvents } from '../helpers/inputs-common';
import { createSession } from '../helpers/refund-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Finance exports stream from one snapshot through a cursor (issue 8): a payment recorded while an
 * export is being read is not in it, and a client that goes away ends the query and its transaction.
 */
const ROWS = 30_000;
const QUERY = 'from=2017-01-01&to=2017-12-31';

let s: TestServer;
let db: pg.Client;
let token: string;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  db = await sqlClient(s.dbUrl);
  token = (await s.tokenFor('PAYMENTS'))!;
  sessionId = await createSession(s);
  await db.query(
    `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
     select gen_random_uuid(), 'bulk-' || i, 'bulk' || i || '@example.org', 'bulk' || i, 'Camille', 'Bulk' || i, now(), now() from generate_series(1, ${ROWS}) i`,
  );
  await db.query(
    `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
       locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
     select gen_random_uuid(), $1, id, 'ACTIVE', now(), '2017-01', now(), given_name, family_name, now(), now(), now(), 'test' from learner where external_id like 'bulk-%'`,
    [sessionId],
  );
  await db.query(
    `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, e_carte_bleue, num_appel, num_trans,
       authorization_number, paid_at, status, refunded_cents, source, recorded_at, recorded_by)
     select gen_random_uuid(), r.id, 6000, 'EUR', 'VISA', '0519', false, (1000000000 + r.rn)::text, (2000000000 + r.rn)::text, 'XXXXXX',
       timestamptz '2017-01-01T00:00:00Z' + r.rn * interval '10 minutes', 'PAID', 0, 'API', now(), 'test'
     from (select id, row_number() over (order by id) as rn from registration where created_by = 'test') r`,
  );
}, 120_000);

afterAll(async () => {
  await db?.end();
  await s?.close();
});

/** Backends of the export pool still inside a transaction or running a query (not the test's own client). */
async function busyExportBackends(): Promise<number> {
  const r = await db.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
       and (state in ('active', 'idle in transaction') or xact_start is not null) and query ilike '%from "payment" p%'`,
  );
  return Number(r.rows[0].n);
}

describe('finance export streaming', () => {
  it('R-PAY: one REPEATABLE READ snapshot: a payment recorded during the export is not in it, the rows add up', async () => {
    const res = await fetch(`${s.url}/reports/payments.csv?${QUERY}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    const first = await reader.read();
    chunks.push(first.value!);
    // Paid late in the period: it would be the last row if the export were not one snapshot.
    const late = await db.query<{ id: string }>(
      `insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
       values (gen_random_uuid(), 'late', 'late@example.org', 'late', 'Late', 'Comer', now(), now()) returning id`,
    );
    const reg = await db.query<{ id: string }>(
      `insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
         locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       values (gen_random_uuid(), $1, $2, 'ACTIVE', now(), '2017-01', now(), 'Late', 'Comer', now(), now(), now(), 'late') returning id`,
      [sessionId, late.rows[0].id],
    );
    await db.query(
      `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, num_appel, num_trans, authorization_number, paid_at, source, recorded_at, recorded_by)
       values (gen_random_uuid(), $1, 6000, 'EUR', 'VISA', '0519', '1', '3999999999', 'XXXXXX', '2017-12-31T12:00:00Z', 'API', now(), 'late')`,
      [reg.rows[0].id],
    );
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(next.value);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + ROWS);
    expect(text).not.toContain('3999999999');
    // A fresh export sees it.
    const again = await (await fetch(`${s.url}/reports/payments.csv?${QUERY}`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(again.trimEnd().split('\r\n')).toHaveLength(2 + ROWS);
    expect(again).toContain('3999999999');
  });

  it('a client that disconnects stops the query: the transaction ends and the audit event says completed: false', async () => {
    const controller = new AbortController();
    const res = await fetch(`${s.url}/reports/payments.csv?${QUERY}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    expect(await busyExportBackends()).toBe(1);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    let busy = 1;
    for (let i = 0; i < 100 && busy > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      busy = await busyExportBackends();
    }
    expect(busy).toBe(0);
    let event: { details: unknown } | undefined;
    for (let i = 0; i < 100 && !event; i++) {
      event = (await auditEvents(s, { action: 'finance.report.exported' })).find((e) => (e.details as { completed: boolean }).completed === false);
      if (!event) await new Promise((r) => setTimeout(r, 50));
    }
    expect(event?.details).toMatchObject({ report: 'payments', format: 'csv', completed: false });
    expect((event!.details as { rows: number }).rows).toBeLessThan(ROWS);
  });
});
