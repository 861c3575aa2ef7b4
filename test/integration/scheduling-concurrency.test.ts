import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, createSession, registration, type TestRegistration, slots, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.setClock('2017-02-20T12:00:00Z');
});
afterAll(() => s?.close());

describe('capacity under concurrency (R-SCH-3)', () => {
  it('R-SCH-3: 20 learners booking one slot of capacity 4 at once → exactly 4 BOOKED, 16 SLOT_FULL', async () => {
    const sid = await createSession(s, { slotCapacity: 4 });
    const regs: TestRegistration[] = [];
    for (let i = 0; i < 20; i++) regs.push(await registration(s, sid));
    const at = '2017-03-06T14:00:00.000Z';
    const results = await Promise.all(regs.map((r) => book(s, r.registrationId, at, r.token)));
    const codes = results.map((r) => (r.errors.length ? r.errors[0].code : 'BOOKED'));
    expect(codes.filter((c) => c === 'BOOKED')).toHaveLength(4);
    expect(codes.filter((c) => c === 'SLOT_FULL')).toHaveLength(16);
    const [count] = await sql<{ n: string }>(s, `select count(*) as n from appointment where session_id = ? and starts_at = ? and status = 'BOOKED'`, [sid, at]);
    expect(Number(count.n)).toBe(4);
    const [slot] = await sql<{ booked: number }>(s, 'select booked from slot where session_id = ? and starts_at = ?', [sid, at]);
    expect(slot.booked).toBe(4);
    expect((await slots(s, sid, { from: at, to: at }))).toEqual([]);
  });

  it('R-SCH-5: one registration booking two slots at once gets one appointment (ACTIVE_APPOINTMENT_EXISTS for the other)', async () => {
    const sid = await createSession(s);
    const r = await registration(s, sid);
    const starts = ['2017-03-06T14:00:00Z', '2017-03-06T14:15:00Z', '2017-03-06T14:30:00Z'];
    const results = await Promise.all(starts.map((at) => book(s, r.registrationId, at, r.token)));
    expect(results.filter((x) => x.errors.length === 0)).toHaveLength(1);
    expect(results.filter((x) => x.errors[0]?.code === 'ACTIVE_APPOINTMENT_EXISTS')).toHaveLength(2);
  });

  it('R-SCH-3: the database refuses, as a last line, a BOOKED row beyond capacity + 1 written behind the service', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const a = await registration(s, sid);
    const b = await registration(s, sid);
    const at = '2017-03-07T14:00:00Z';
    expect((await book(s, a.registrationId, at, a.token)).errors).toEqual([]);
    await expect(
      sql(s, `insert into appointment (id, registration_id, session_id, starts_at, ends_at, booked_at, booked_by) values (gen_random_uuid(), ?, ?, ?, ?, now(), 'test')`, [b.registrationId, sid, at, '2017-03-07T14:30:00Z']),
    ).rejects.toThrow(/full/);
  });
});
