import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProctorUClient, ProctorUError } from '../../src/providers/proctoru/client';
import { ProctorUSimulator } from '../../src/providers/proctoru/simulator';

const TOKEN = 'simulator-token';
let sim: ProctorUSimulator;
let client: ProctorUClient;

const ADD = {
  student_id: 'student-1',
  first_name: 'Camille',
  last_name: 'MARTIN',
  email: 'camille@example.org',
  phone1: '+33 1 99 00 12 34',
  address1: '6 cours Albert Thomas',
  city: 'Lyon',
  country: 'FR',
  time_zone_id: 'Romance Standard Time',
  description: 'CARTOPRO (CP2017)',
  duration: 30,
  start_date: '2017-03-06T14:00:00.000Z',
  reservation_id: 'a-1',
  notify: true,
};

async function failure(p: Promise<unknown>): Promise<ProctorUError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProctorUError);
  return err as ProctorUError;
}

beforeAll(async () => {
  sim = new ProctorUSimulator(TOKEN, 'webhook-secret');
  const url = await sim.start();
  client = new ProctorUClient({ url, token: TOKEN, retries: 2, backoffMs: 1 });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

describe('ProctorU client against the simulator (issue 12)', () => {
  it('speaks the protocol: POST /{method}/, Authorization-Token, time_sent on every call, { response_code, message, data }', async () => {
    const zones = await client.getTimeZoneList();
    expect(zones.map((z) => z.id)).toContain('Romance Standard Time');
    const { reservation_no } = await client.addAdHocProcess(ADD);
    expect(reservation_no).toMatch(/^\d+$/);
    expect(await client.getStudentReservationList('student-1')).toEqual([expect.objectContaining({ reservation_no, reservation_id: 'a-1', start_date: ADD.start_date, duration: 30 })]);
    expect((await client.beginReservation(reservation_no)).url).toContain(reservation_no);
    await client.removeReservation(reservation_no);
    expect(await client.getStudentReservationList('student-1')).toEqual([]);
    expect(sim.calls.map((c) => c.method)).toEqual(['getTimeZoneList', 'addAdHocProcess', 'getStudentReservationList', 'beginReservation', 'removeReservation', 'getStudentReservationList']);
    for (const c of sim.calls) expect(Number.isNaN(Date.parse(String(c.body.time_sent)))).toBe(false);
  });

  it('retries with back-off on HTTP 5xx, and succeeds when ProctorU recovers', async () => {
    sim.failNext(503, 2);
    expect(await client.getTimeZoneList()).not.toHaveLength(0);
    expect(sim.count('getTimeZoneList')).toBe(3);
  });

  it('gives up after the retries while ProctorU stays down: a transient error', async () => {
    sim.down = true;
    const err = await failure(client.getStudentReservationList('student-1'));
    expect(err.kind).toBe('http');
    expect(err.transient).toBe(true);
    expect(sim.count('getStudentReservationList')).toBe(3);
  });

  it('does not retry a 4xx: a final error', async () => {
    sim.failNext(400);
    const err = await failure(client.getTimeZoneList());
    expect(err).toMatchObject({ kind: 'http', transient: false, details: { status: 400 } });
    expect(sim.count('getTimeZoneList')).toBe(1);
  });

  it('does not retry a documented error answer (response_code 2), and names it', async () => {
    const err = await failure(client.addAdHocProcess({ ...ADD, time_zone_id: 'Mars Standard Time' }));
    expect(err).toMatchObject({ kind: 'answer', transient: false, details: { responseCode: 2 } });
    expect(err.message).toMatch(/response_code 2 \(invalid or missing parameter\): Unknown time_zone_id/);
    expect(sim.count('addAdHocProcess')).toBe(1);
  });

  it('a refused token is response_code 4, clearly named', async () => {
    const other = new ProctorUClient({ url: sim.url, token: 'wrong', retries: 2, backoffMs: 1 });
    const err = await failure(other.getTimeZoneList());
    expect(err.message).toMatch(/response_code 4 \(authorization token refused\)/);
    expect(sim.count('getTimeZoneList')).toBe(1);
  });

  it('a lost answer to addAdHocProcess is not retried blindly (the outbox looks the reservation up first)', async () => {
    sim.dropNextAnswer();
    const err = await failure(client.addAdHocProcess(ADD));
    expect(err.kind).toBe('network');
    expect(sim.count('addAdHocProcess')).toBe(1);
    expect(sim.reservationsFor('a-1')).toHaveLength(1);
  });

  it('a network error (nothing listening) is retried then reported', async () => {
    const dead = new ProctorUClient({ url: 'http://127.0.0.1:9', token: TOKEN, retries: 1, backoffMs: 1 });
    const err = await failure(dead.getTimeZoneList());
    expect(err).toMatchObject({ kind: 'network', transient: true });
  });
});
