import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, bookPriority, confirmIncident, createSession, registration, registrationSchedule, reportIncident, reschedule, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
const BEFORE = '2017-02-20T12:00:00Z';

beforeAll(async () => {
  s = await startTestServer();
  await s.setClock(BEFORE);
});
afterAll(() => s?.close());

describe('provider incidents (R-INC)', () => {
  it('R-INC-1/R-INC-2: support reports an incident; the provider confirms it; the appointment becomes PROVIDER_FAULT', async () => {
    const sid = await createSession(s);
    const r = await registration(s, sid);
    const a = (await book(s, r.registrationId, '2017-03-06T14:00:00Z', r.token)).appointment!;
    await s.setClock('2017-03-06T14:20:00Z');
    const reported = await reportIncident(s, { appointmentId: a.id, occurredAt: '2017-03-06T14:10:00Z' });
    expect(reported.errors).toEqual([]);
    expect(reported.incident).toMatchObject({ confirmedByProvider: false, confirmedAt: null, priorityRebookingAvailable: false, appointment: { id: a.id, status: 'BOOKED' } });
    const id = reported.incident!.id;
    expect((await bookPriority(s, r.registrationId, id, '2017-03-07T14:00:00Z')).errors.map((e) => e.code)).toEqual(['INCIDENT_NOT_ELIGIBLE']);

    const confirmed = await confirmIncident(s, id, 'PU-123');
    expect(confirmed.errors).toEqual([]);
    expect(confirmed.incident).toMatchObject({ confirmedByProvider: true, confirmedAt: '2017-03-06T14:20:00.000Z', providerReference: 'PU-123', priorityRebookingAvailable: true, appointment: { status: 'PROVIDER_FAULT' } });
    // A repeated callback is idempotent; another reference conflicts.
    expect((await confirmIncident(s, id, 'PU-123')).errors).toEqual([]);
    expect((await confirmIncident(s, id, 'PU-999')).errors.map((e) => e.code)).toEqual(['INCIDENT_NOT_ELIGIBLE']);

    const reg = await registrationSchedule(s, r.registrationId);
    expect(reg.incidents).toEqual([{ id, confirmedByProvider: true, priorityRebookingAvailable: true }]);
    const [row] = await sql<{ confirmed_by_provider: boolean }>(s, 'select confirmed_by_provider from provider_incident where registration_id = ?', [r.registrationId]);
    expect(row.confirmed_by_provider).toBe(true);
    await s.setClock(BEFORE);
  });

  it('R-INC-1: an incident on a cancelled appointment is APPOINTMENT_NOT_ACTIVE; learners may not report (FORBIDDEN); occurredAt must fall in the appointment', async () => {
    const sid = await createSession(s);
    const r = await registration(s, sid);
    const a = (await book(s, r.registrationId, '2017-03-06T14:00:00Z', r.token)).appointment!;
    await s.setClock('2017-03-06T15:00:00Z');
    expect((await reportIncident(s, { appointmentId: a.id, occurredAt: '2017-03-06T16:00:00Z' })).errors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'occurredAt'] });
    expect((await reportIncident(s, { appointmentId: a.id, occurredAt: '2017-03-06T10:00:00Z' })).errors[0].code).toBe('VALIDATION_FAILED');
    const asLearner = await s.gql('mutation($i: ReportProviderIncidentInput!) { reportProviderIncident(input: $i) { errors { code } } }', { i: { appointmentId: a.id, kind: 'OTHER', description: 'x', occurredAt: '2017-03-06T14:05:00Z' } }, r.token);
    expect(asLearner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await s.setClock(BEFORE);
    const r2 = await registration(s, sid);
    const b = (await book(s, r2.registrationId, '2017-03-07T14:00:00Z', r2.token)).appointment!;
    await s.gql('mutation($i: CancelAppointmentInput!) { cancelAppointment(input: $i) { errors { code } } }', { i: { appointmentId: b.id } }, r2.token);
    await s.setClock('2017-03-07T15:00:00Z');
    expect((await reportIncident(s, { appointmentId: b.id, occurredAt: '2017-03-07T14:05:00Z' })).errors.map((e) => e.code)).toEqual(['APPOINTMENT_NOT_ACTIVE']);
    await s.setClock(BEFORE);
  });

  it('R-SEC-1: providerIncidents lists all for staff, filtered by confirmed; a learner sees only their own', async () => {
    const sid = await createSession(s);
    const r = await registration(s, sid);
    const other = await registration(s, sid);
    const a = (await book(s, r.registrationId, '2017-03-09T14:00:00Z', r.token)).appointment!;
    const b = (await book(s, other.registrationId, '2017-03-09T14:00:00Z', other.token)).appointment!;
    await s.setClock('2017-03-09T14:30:00Z');
    await reportIncident(s, { appointmentId: a.id, occurredAt: '2017-03-09T14:05:00Z', confirmedByProvider: true, providerReference: 'PU-A' }, await s.tokenFor('INTEGRATION'));
    await reportIncident(s, { appointmentId: b.id, occurredAt: '2017-03-09T14:05:00Z' });
    const q = 'query($reg: ID, $c: Boolean) { providerIncidents(registrationId: $reg, confirmed: $c) { totalCount edges { node { registration { id } confirmedByProvider } } } }';
    type Conn = { providerIncidents: { totalCount: number; edges: { node: { registration: { id: string }; confirmedByProvider: boolean } }[] } };
    const support = await s.tokenFor('SUPPORT');
    expect((await s.gql<Conn>(q, { reg: r.registrationId }, support)).data?.providerIncidents.totalCount).toBe(1);
    const confirmedOnly = (await s.gql<Conn>(q, { c: true }, support)).data!.providerIncidents;
    expect(confirmedOnly.edges.every((e) => e.node.confirmedByProvider)).toBe(true);
    const mine = (await s.gql<Conn>(q, {}, r.token)).data!.providerIncidents;
    expect(mine.edges.map((e) => e.node.registration.id)).toEqual([r.registrationId]);
    expect((await s.gql<Conn>(q, { reg: other.registrationId }, r.token)).data!.providerIncidents.totalCount).toBe(0);
    await s.setClock(BEFORE);
  });
});

describe('priority rebooking (R-SCH-7)', () => {
  it('R-SCH-7: lead time 1 h (exactly 1 h accepted, one second less refused), capacity + 1 but not + 2, one per incident', async () => {
    const sid = await createSession(s, { slotCapacity: 1 });
    const a = await registration(s, sid);
    const c = await registration(s, sid);
    const filler = await registration(s, sid);
    const aa = (await book(s, a.registrationId, '2017-03-06T14:00:00Z', a.token)).appointment!;
    const ca = (await book(s, c.registrationId, '2017-03-06T14:15:00Z', c.token)).appointment!;
    // 16:15 Paris (15:15Z) is full with capacity 1.
    expect((await book(s, filler.registrationId, '2017-03-06T15:15:00Z', filler.token)).errors).toEqual([]);
    await s.setClock('2017-03-06T14:10:00Z');
    const ia = (await reportIncident(s, { appointmentId: aa.id, occurredAt: '2017-03-06T14:05:00Z', confirmedByProvider: true, providerReference: 'PU-A', kind: 'PROCTOR_UNAVAILABLE' })).incident!;
    await s.setClock('2017-03-06T14:20:00Z');
    const ic = (await reportIncident(s, { appointmentId: ca.id, occurredAt: '2017-03-06T14:18:00Z', confirmedByProvider: true, providerReference: 'PU-C' })).incident!;

    await s.setClock('2017-03-06T14:15:01Z');
    expect((await bookPriority(s, a.registrationId, ia.id, '2017-03-06T15:15:00Z')).errors.map((e) => e.code)).toEqual(['LEAD_TIME_TOO_SHORT']);
    await s.setClock('2017-03-06T14:15:00Z');
    const p = await bookPriority(s, a.registrationId, ia.id, '2017-03-06T15:15:00Z');
    expect(p.errors).toEqual([]);
    expect(p.appointment).toMatchObject({ priority: true, status: 'BOOKED', startsAt: '2017-03-06T15:15:00.000Z', bookedBy: 'staff:support@test.local' });
    const [slot] = await sql<{ booked: number }>(s, 'select booked from slot where session_id = ? and starts_at = ?', [sid, '2017-03-06T15:15:00Z']);
    expect(slot.booked).toBe(2); // capacity 1 + 1

    // capacity + 2 is refused, even for priority.
    expect((await bookPriority(s, c.registrationId, ic.id, '2017-03-06T15:15:00Z')).errors.map((e) => e.code)).toEqual(['SLOT_FULL']);
    expect((await bookPriority(s, c.registrationId, ic.id, '2017-03-06T15:30:00Z')).errors).toEqual([]);
    // One per incident: a second priority booking for the same incident is refused.
    const again = await bookPriority(s, c.registrationId, ic.id, '2017-03-06T16:00:00Z');
    expect(again.errors.map((e) => e.code)).toEqual(['INCIDENT_NOT_ELIGIBLE']);
    // A priority booking needs a confirmed incident of this registration.
    expect((await bookPriority(s, filler.registrationId, ia.id, '2017-03-06T16:00:00Z')).errors.map((e) => e.code)).toEqual(['INCIDENT_NOT_ELIGIBLE']);

    // A priority appointment moved by support keeps the priority rules (1 h) and its incident.
    // (the clock is still 14:15: the priority appointment is exactly 1 h away)
    const moved = await reschedule(s, p.appointment!.id, '2017-03-06T15:45:00Z', await s.tokenFor('SUPPORT'));
    expect(moved.errors).toEqual([]);
    expect(moved.appointment).toMatchObject({ priority: true, startsAt: '2017-03-06T15:45:00.000Z' });
    const [{ incident_id }] = await sql<{ incident_id: string }>(s, 'select incident_id from appointment where id = ?', [moved.appointment!.id]);
    expect(incident_id).toBe(ia.id);

    const reg = await registrationSchedule(s, a.registrationId);
    expect(reg.appointments.map((x) => [x.status, x.priority])).toEqual([
      ['PROVIDER_FAULT', false],
      ['RESCHEDULED', true],
      ['BOOKED', true],
    ]);
    expect(reg.incidents[0].priorityRebookingAvailable).toBe(false);
    // Only SUPPORT (and ADMIN) book priority appointments.
    const asLearner = await s.gql('mutation($i: BookPriorityAppointmentInput!) { bookPriorityAppointment(input: $i) { errors { code } } }', { i: { registrationId: a.registrationId, incidentId: ia.id, startsAt: '2017-03-07T14:00:00Z' } }, a.token);
    expect(asLearner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await s.setClock(BEFORE);
  });

  it('R-SCH-7: a priority slot must be inside the period and end before the certificate deadline; NO_TIME_LEFT_IN_PERIOD when no start remains', async () => {
    // Deadline 20:45 Paris on the last day: the 20:15 start (ends 20:45) is too late, 20:00 fits.
    const sid = await createSession(s, { certificateDeadline: '2017-03-14T19:45:00Z' });
    const d = await registration(s, sid);
    const e = await registration(s, sid);
    const da = (await book(s, d.registrationId, '2017-03-14T14:00:00Z', d.token)).appointment!;
    const ea = (await book(s, e.registrationId, '2017-03-14T14:15:00Z', e.token)).appointment!;
    await s.setClock('2017-03-14T14:30:00Z');
    const id = (await reportIncident(s, { appointmentId: da.id, occurredAt: '2017-03-14T14:10:00Z', confirmedByProvider: true, providerReference: 'PU-D' })).incident!;
    const ie = (await reportIncident(s, { appointmentId: ea.id, occurredAt: '2017-03-14T14:20:00Z', confirmedByProvider: true, providerReference: 'PU-E' })).incident!;
    expect(ie.priorityRebookingAvailable).toBe(true);
    expect((await bookPriority(s, d.registrationId, id.id, '2017-03-15T14:00:00Z')).errors.map((x) => x.code)).toEqual(['OUTSIDE_EXAM_PERIOD']);
    expect((await bookPriority(s, d.registrationId, id.id, '2017-03-14T19:15:00Z')).errors.map((x) => x.code)).toEqual(['OUTSIDE_EXAM_PERIOD']);
    expect((await bookPriority(s, d.registrationId, id.id, '2017-03-14T19:10:00Z')).errors.map((x) => x.code)).toEqual(['SLOT_NOT_OFFERED']);
    expect((await bookPriority(s, d.registrationId, id.id, '2017-03-14T19:00:00Z')).errors).toEqual([]);

    await s.setClock('2017-03-14T18:00:01Z');
    expect((await registrationSchedule(s, e.registrationId)).incidents[0].priorityRebookingAvailable).toBe(false);
    expect((await bookPriority(s, e.registrationId, ie.id, '2017-03-14T19:00:00Z')).errors.map((x) => x.code)).toEqual(['NO_TIME_LEFT_IN_PERIOD']);
    await s.setClock(BEFORE);
  });
});
