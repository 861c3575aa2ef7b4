import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, createSession, registration, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';
import { statementCounter } from '../helpers/statement-counter';

/**
 * Issue 10, write path: what a booking (R-SCH-2, -3, -5, -6) costs in SQL statements, counted as in
 * statement-count.test.ts (knex's `query` event on the server's ORM, one request at a time). Counted:
 * the booking's transaction. Not counted: the request's viewer lookup before it, and the ProctorU
 * outbox worker that its commit wakes (it runs apart from the request).
 */
let s: TestServer;
let session: string;
let statementsOf: ReturnType<typeof statementCounter>;

beforeAll(async () => {
  s = await startTestServer();
  await s.setClock('2017-02-20T12:00:00Z');
  session = await createSession(s);
  statementsOf = statementCounter(s);
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('bookAppointment statements (issue 10)', () => {
  it('R-SCH-3: a booking is one transaction of 9 statements; the slot counter is created or locked in one', async () => {
    const warm = await registration(s, session);
    expect((await book(s, warm.registrationId, '2017-03-06T14:00:00.000Z', warm.token)).errors).toEqual([]);
    const r = await registration(s, session);
    const { result: booked, statements } = await statementsOf.during(() => book(s, r.registrationId, '2017-03-06T14:15:00.000Z', r.token));
    expect(booked.errors).toEqual([]);
    const begin = statements.findIndex((q) => /^begin/i.test(q));
    const transaction = statements.slice(begin + 1, statements.findIndex((q, i) => i > begin && /^commit/i.test(q)));
    // The registration (locked), its session, learner (R-SCH-6), attempts (R-EXA-1), BOOKED appointments
    // (R-SCH-5), the slot counter (R-SCH-3), then the appointment, its ProctorU outbox row and audit event.
    expect(transaction, statements.join('\n')).toHaveLength(9);
    expect(transaction.filter((q) => /"slot"/.test(q)), statements.join('\n')).toHaveLength(1);
    const [counter] = await sql<{ booked: number }>(s, 'select booked from slot where session_id = ? and starts_at = ?', [session, '2017-03-06T14:15:00.000Z']);
    expect(counter.booked).toBe(1);
  });
});
