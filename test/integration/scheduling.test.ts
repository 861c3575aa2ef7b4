import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemViewer } from '../../src/auth/viewer';
import { type ServiceContext } from '../../src/context';
import { createLogger } from '../../src/logging';
import { cancelFutureAppointments } from '../../src/services/scheduling-hooks';
import {
  book,
  cancel,
  createSession,
  registration,
  registrationSchedule,
  reschedule,
  slots,
  sql,
} from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let session: string;
const BEFORE = '2017-02-20T12:00:00Z';
// Monday 6 March 2017, 15:00 and 15:15 in Paris.
const MON_1500 = '2017-03-06T14:00:00.000Z';
const MON_1515 = '2017-03-06T14:15:00.000Z';

beforeAll(async () => {
  s = await startTestServer();
  await s.setClock(BEFORE);
  session = await createSession(s);
});
afterAll(() => s?.close());

describe('availableSlots (R-SCH-1, R-SCH-3, R-SCH-4)', () => {
  it('R-SCH-1/R-SCH-4: the whole seed period offers 276 slots, the first 2017-03-02T14:00:00Z shown 16:00+01:00 for a 16:00 start', async () => {
    const sid = await createSession(s);
    const all = await slots(s, sid);
    expect(all).toHaveLength(276);
    expect(all[0]).toEqual({ startsAt: '2017-03-02T14:00:00.000Z', endsAt: '2017-03-02T14:30:00.000Z', localStart: '2017-03-02T15:00:00.000+01:00', remainingCapacity: 4 });
    expect(all.find((x) => x.startsAt === '2017-03-02T15:00:00.000Z')?.localStart).toBe('2017-03-02T16:00:00.000+01:00');
  });

  it('R-SCH-4: in America/New_York the 16:00 Paris slot shows 10:00-05:00 on 10 March and 11:00-04:00 on 13 March', async () => {
    const ny = await slots(s, session, { timeZone: 'America/New_York' });
    expect(ny.find((x) => x.startsAt === '2017-03-10T15:00:00.000Z')?.localStart).toBe('2017-03-10T10:00:00.000-05:00');
    expect(ny.find((x) => x.startsAt === '2017-03-13T15:00:00.000Z')?.localStart).toBe('2017-03-13T11:00:00.000-04:00');
    const r = await s.gql('query($id: ID!) { availableSlots(sessionId: $id, timeZone: "Mars/Olympus") { startsAt } }', { id: session }, await s.tokenFor('SUPPORT'));
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'VALIDATION_FAILED' });
    const anonymous = await s.gql('query($id: ID!) { availableSlots(sessionId: $id) { startsAt } }', { id: session });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const learner = await s.newLearner();
    expect((await slots(s, session, { from: '2017-03-02T00:00:00Z', to: '2017-03-02T23:59:59Z' }, learner.token))).toHaveLength(23);
  });

  it('R-SCH-2/R-SCH-3: only slots at least 72 h ahead, in [from, to], with free capacity are offered', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const r = await registration(s, sid);
    expect((await book(s, r.registrationId, MON_1500, r.token)).errors).toEqual([]);
    const monday = await slots(s, sid, { from: '2017-03-06T00:00:00Z', to: '2017-03-06T23:59:59Z' });
    expect(monday).toHaveLength(22);
    expect(monday.map((x) => x.startsAt)).not.toContain(MON_1500);
    await s.setClock('2017-03-03T14:00:01Z');
    const later = await slots(s, sid, { from: '2017-03-06T00:00:00Z', to: '2017-03-06T23:59:59Z' });
    expect(later[0].startsAt).toBe('2017-03-06T14:15:00.000Z');
    await s.setClock(BEFORE);
  });
});

describe('bookAppointment refusals (R-SCH-2, -3, -5, -6)', () => {
  it('R-SCH-6: NOT_PAID when the registration is neither paid nor DUN exempt; a DUN-exempt one may book', async () => {
    const unpaid = await registration(s, session, { paid: false });
    const r = await book(s, unpaid.registrationId, MON_1500, unpaid.token);
    expect(r.errors.map((e) => e.code)).toEqual(['NOT_PAID']);
    expect(r.appointment).toBeNull();
    const dun = await registration(s, session, { dun: true });
    expect((await book(s, dun.registrationId, MON_1500, dun.token)).errors).toEqual([]);
  });

  it('R-SCH-6: PROFILE_INCOMPLETE without the ProctorU profile', async () => {
    const r = await registration(s, session, { profile: false });
    expect((await book(s, r.registrationId, MON_1500, r.token)).errors.map((e) => e.code)).toEqual(['PROFILE_INCOMPLETE']);
  });

  it('R-SCH-1: OUTSIDE_EXAM_PERIOD for 15 March, SLOT_NOT_OFFERED for a Wednesday and for 15:10', async () => {
    const r = await registration(s, session);
    expect((await book(s, r.registrationId, '2017-03-15T14:00:00Z', r.token)).errors[0]).toMatchObject({ code: 'OUTSIDE_EXAM_PERIOD', field: ['input', 'startsAt'] });
    expect((await book(s, r.registrationId, '2017-03-08T14:00:00Z', r.token)).errors[0].code).toBe('SLOT_NOT_OFFERED');
    expect((await book(s, r.registrationId, '2017-03-02T14:10:00Z', r.token)).errors[0].code).toBe('SLOT_NOT_OFFERED');
    expect((await book(s, r.registrationId, '2017-03-02T19:45:00Z', r.token)).errors[0].code).toBe('SLOT_NOT_OFFERED');
  });

  it('R-SCH-2: a booking exactly 72 h ahead is accepted, one second less is refused', async () => {
    const a = await registration(s, session);
    const b = await registration(s, session);
    await s.setClock('2017-03-03T14:00:01Z');
    expect((await book(s, b.registrationId, MON_1500, b.token)).errors.map((e) => e.code)).toEqual(['LEAD_TIME_TOO_SHORT']);
    await s.setClock('2017-03-03T14:00:00Z');
    const ok = await book(s, a.registrationId, MON_1500, a.token);
    expect(ok.errors).toEqual([]);
    expect(ok.appointment).toMatchObject({ startsAt: MON_1500, status: 'BOOKED', priority: false, localStart: '2017-03-06T15:00:00.000+01:00' });
    await s.setClock(BEFORE);
  });

  it('R-SCH-3: SLOT_FULL once the slot holds slotCapacity appointments', async () => {
    const sid = await createSession(s, { slotCapacity: 2 });
    const regs = [await registration(s, sid), await registration(s, sid), await registration(s, sid)];
    expect((await book(s, regs[0].registrationId, MON_1500, regs[0].token)).errors).toEqual([]);
    expect((await book(s, regs[1].registrationId, MON_1500, regs[1].token)).errors).toEqual([]);
    expect((await book(s, regs[2].registrationId, MON_1500, regs[2].token)).errors.map((e) => e.code)).toEqual(['SLOT_FULL']);
    const [row] = await sql<{ booked: number }>(s, 'select booked from slot where session_id = ? and starts_at = ?', [sid, MON_1500]);
    expect(row.booked).toBe(2);
  });

  it('R-SCH-5: ACTIVE_APPOINTMENT_EXISTS for a second booking of one registration', async () => {
    const r = await registration(s, session);
    expect((await book(s, r.registrationId, MON_1500, r.token)).errors).toEqual([]);
    expect((await book(s, r.registrationId, MON_1515, r.token)).errors.map((e) => e.code)).toEqual(['ACTIVE_APPOINTMENT_EXISTS']);
  });

  it('R-REF-8: REGISTRATION_CANCELLED once the registration is cancelled', async () => {
    const r = await registration(s, session);
    await sql(s, `update registration set status = 'CANCELLED', cancelled_at = now() where id = ?`, [r.registrationId]);
    expect((await book(s, r.registrationId, MON_1500, r.token)).errors.map((e) => e.code)).toEqual(['REGISTRATION_CANCELLED']);
  });

  it('R-SEC-1: a learner cannot book on another learner registration (NOT_FOUND); PAYMENTS may not book (FORBIDDEN); SUPPORT and INTEGRATION may', async () => {
    const mine = await registration(s, session);
    const other = await registration(s, session);
    const at = '2017-03-06T14:30:00Z';
    expect((await book(s, other.registrationId, at, mine.token)).errors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    const forbidden = await s.gql('mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { errors { code } } }', { i: { registrationId: other.registrationId, startsAt: at } }, await s.tokenFor('PAYMENTS'));
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bySupport = await book(s, other.registrationId, at, await s.tokenFor('SUPPORT'));
    expect(bySupport.appointment?.bookedBy).toBe('staff:support@test.local');
    expect((await book(s, mine.registrationId, at, await s.tokenFor('INTEGRATION'))).errors).toEqual([]);
  });
});

describe('rescheduling and cancelling (R-SCH-5)', () => {
  it('R-SCH-5: a reschedule keeps history: the old appointment is RESCHEDULED with replacedBy, the new one active, capacity moves', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const r = await registration(s, sid);
    const first = (await book(s, r.registrationId, MON_1500, r.token)).appointment!;
    const moved = await reschedule(s, first.id, MON_1515, r.token);
    expect(moved.errors).toEqual([]);
    expect(moved.appointment).toMatchObject({ startsAt: MON_1515, status: 'BOOKED' });
    const reg = await registrationSchedule(s, r.registrationId);
    expect(reg.appointments.map((a) => [a.id, a.status, a.replacedBy?.id ?? null])).toEqual([
      [first.id, 'RESCHEDULED', moved.appointment!.id],
      [moved.appointment!.id, 'BOOKED', null],
    ]);
    expect(reg.activeAppointment?.id).toBe(moved.appointment!.id);
    // The freed 15:00 place can be taken by another learner; 15:15 is full.
    const other = await registration(s, sid);
    expect((await book(s, other.registrationId, MON_1515, other.token)).errors.map((e) => e.code)).toEqual(['SLOT_FULL']);
    expect((await book(s, other.registrationId, MON_1500, other.token)).errors).toEqual([]);
    // The old one cannot be changed any more.
    expect((await reschedule(s, first.id, '2017-03-06T14:30:00Z', r.token)).errors.map((e) => e.code)).toEqual(['APPOINTMENT_NOT_ACTIVE']);
    expect((await cancel(s, first.id, r.token)).errors.map((e) => e.code)).toEqual(['APPOINTMENT_NOT_ACTIVE']);
  });

  it('R-SCH-5: rescheduling to a full slot is SLOT_FULL and changes nothing; to a start under 72 h is LEAD_TIME_TOO_SHORT', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const a = await registration(s, sid);
    const b = await registration(s, sid);
    const aa = (await book(s, a.registrationId, MON_1500, a.token)).appointment!;
    expect((await book(s, b.registrationId, MON_1515, b.token)).errors).toEqual([]);
    expect((await reschedule(s, aa.id, MON_1515, a.token)).errors.map((e) => e.code)).toEqual(['SLOT_FULL']);
    await s.setClock('2017-03-02T12:00:00Z');
    expect((await reschedule(s, aa.id, '2017-03-03T14:00:00Z', a.token)).errors.map((e) => e.code)).toEqual(['LEAD_TIME_TOO_SHORT']);
    await s.setClock(BEFORE);
    const reg = await registrationSchedule(s, a.registrationId);
    expect(reg.appointments.map((x) => x.status)).toEqual(['BOOKED']);
  });

  it('R-SCH-5: changing or cancelling is refused less than 72 h before the appointment (LEAD_TIME_TOO_SHORT)', async () => {
    const r = await registration(s, session);
    const a = (await book(s, r.registrationId, '2017-03-07T14:00:00Z', r.token)).appointment!;
    await s.setClock('2017-03-04T14:00:01Z');
    expect((await cancel(s, a.id, r.token)).errors.map((e) => e.code)).toEqual(['LEAD_TIME_TOO_SHORT']);
    expect((await reschedule(s, a.id, '2017-03-10T14:00:00Z', r.token)).errors[0]).toMatchObject({ code: 'LEAD_TIME_TOO_SHORT', field: ['input', 'appointmentId'] });
    await s.setClock('2017-03-04T14:00:00Z');
    const c = await cancel(s, a.id, r.token, 'Not ready yet');
    expect(c.errors).toEqual([]);
    expect(c.appointment).toMatchObject({ status: 'CANCELLED', cancelledAt: '2017-03-04T14:00:00.000Z' });
    await s.setClock(BEFORE);
  });

  it('R-SCH-5/R-REF-2: a cancelled appointment stays in the history and frees its place; the learner may book again', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const r = await registration(s, sid);
    const a = (await book(s, r.registrationId, MON_1500, r.token)).appointment!;
    expect((await cancel(s, a.id, r.token, 'changed my mind')).errors).toEqual([]);
    const other = await registration(s, sid);
    expect((await book(s, other.registrationId, MON_1500, other.token)).errors).toEqual([]);
    expect((await book(s, r.registrationId, MON_1515, r.token)).errors).toEqual([]);
    const reg = await registrationSchedule(s, r.registrationId);
    expect(reg.appointments.map((x) => x.status)).toEqual(['CANCELLED', 'BOOKED']);
  });
});

describe('lifecycle (R-SCH-8, MISSED)', () => {
  it('R-SCH-8: plannedUntil is start + 30 min + 1 h; the appointment reads MISSED once that has passed, and the learner may book again', async () => {
    const r = await registration(s, session);
    const a = (await book(s, r.registrationId, '2017-03-02T14:00:00Z', r.token)).appointment!;
    expect(a.plannedUntil).toBe('2017-03-02T15:30:00.000Z');
    await s.setClock('2017-03-02T15:29:59Z');
    expect((await registrationSchedule(s, r.registrationId)).activeAppointment?.id).toBe(a.id);
    await s.setClock('2017-03-02T15:30:00Z');
    const reg = await registrationSchedule(s, r.registrationId);
    expect(reg.appointments.map((x) => x.status)).toEqual(['MISSED']);
    expect(reg.activeAppointment).toBeNull();
    const again = await book(s, r.registrationId, '2017-03-06T15:00:00Z', r.token);
    expect(again.errors).toEqual([]);
    const [row] = await sql<{ status: string }>(s, 'select status from appointment where id = ?', [a.id]);
    expect(row.status).toBe('MISSED'); // stored by the booking (lazy write)
    await s.setClock(BEFORE);
  });

  it('R-SEC-1: a learner reads their own appointment, not another one', async () => {
    const a = await registration(s, session);
    const b = await registration(s, session);
    const appt = (await book(s, a.registrationId, '2017-03-09T14:00:00Z', a.token)).appointment!;
    const q = 'query($id: ID!) { appointment(id: $id) { id localStart(timeZone: "America/New_York") registration { id } } }';
    expect((await s.gql<{ appointment: unknown }>(q, { id: appt.id }, a.token)).data?.appointment).toEqual({ id: appt.id, localStart: '2017-03-09T09:00:00.000-05:00', registration: { id: a.registrationId } });
    expect((await s.gql<{ appointment: unknown }>(q, { id: appt.id }, b.token)).data?.appointment).toBeNull();
  });
});

describe('refund link (R-REF-8)', () => {
  it('R-REF-8: cancelFutureAppointments keeps capacity consistent: the freed place can be booked again', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const refunded = await registration(s, sid);
    const a = (await book(s, refunded.registrationId, MON_1500, refunded.token)).appointment!;
    const other = await registration(s, sid);
    expect((await book(s, other.registrationId, MON_1500, other.token)).errors.map((e) => e.code)).toEqual(['SLOT_FULL']);

    const ctx: ServiceContext = { em: s.orm.em.fork(), viewer: systemViewer('refund'), clock: s.clock, config: s.config, requestId: 'test', log: createLogger('silent') };
    const n = await ctx.em.transactional((em) => cancelFutureAppointments(em, ctx, refunded.registrationId, 'refund'));
    expect(n).toBe(1);
    const [row] = await sql<{ status: string; booked: number }>(s, 'select a.status, sl.booked from appointment a join slot sl on sl.session_id = a.session_id and sl.starts_at = a.starts_at where a.id = ?', [a.id]);
    expect(row).toEqual({ status: 'CANCELLED', booked: 0 });
    expect((await book(s, other.registrationId, MON_1500, other.token)).errors).toEqual([]);
  });
});
