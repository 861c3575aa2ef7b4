import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemViewer } from '../../src/auth/viewer';
import { TestClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { createOrm } from '../../src/db/orm';
import { createApp } from '../../src/http/app';
import { type ProctorUSimulator } from '../../src/providers/proctoru/simulator';
import { AppointmentService } from '../../src/services/appointment.service';
import { cancelFutureAppointments } from '../../src/services/scheduling-hooks';
import { book, cancel, createSession, PROFILE, registration, reschedule, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sim: ProctorUSimulator;
let session: string;
// Monday 6 and Tuesday 7 March 2017, 15:00 Paris.
const MON_1500 = '2017-03-06T14:00:00.000Z';
const TUE_1500 = '2017-03-07T14:00:00.000Z';

interface SyncView {
  id: string;
  status: string;
  providerSync: string | null;
  providerReservationNo: string | null;
  providerError: string | null;
}
const SYNC_FIELDS = 'id status providerSync providerReservationNo providerError';

async function appointment(id: string): Promise<SyncView> {
  const r = await s.gql<{ appointment: SyncView }>(`query($id: ID!) { appointment(id: $id) { ${SYNC_FIELDS} } }`, { id }, await s.tokenFor('SUPPORT'));
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.appointment;
}

/** The worker runs right after the commit, in the background: wait until it has settled this appointment. */
async function settled(id: string): Promise<SyncView> {
  for (let i = 0; i < 400; i++) {
    const a = await appointment(id);
    if (a.providerSync !== 'PENDING') return a;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`appointment ${id} still PENDING`);
}

async function retry(id: string, token?: string) {
  const r = await s.gql<{ retryProviderSync: { appointment: SyncView | null; errors: { code: string }[] } }>(
    `mutation($id: ID!) { retryProviderSync(appointmentId: $id) { appointment { ${SYNC_FIELDS} } errors { code message } } }`,
    { id },
    token ?? (await s.tokenFor('SUPPORT')),
  );
  return r;
}

beforeAll(async () => {
  s = await startTestServer();
  sim = s.app.proctoru.simulator!;
  await s.setClock('2017-02-20T12:00:00Z');
  session = await createSession(s, { courseTitle: 'Cartographie des processus', slotCapacity: 50 });
});
afterAll(() => s?.close());
beforeEach(() => sim.reset());

describe('ProctorU outbox (issue 12, R-SCH, R-REG-2, R-REG-5)', () => {
  it('R-SCH-5: a booking ends SYNCED with ProctorU reservation number; ProctorU received the profile, course, start and our reservation_id', async () => {
    const r = await registration(s, session);
    const booked = await book(s, r.registrationId, MON_1500, r.token);
    expect(booked.errors).toEqual([]);
    const a = await settled(booked.appointment!.id);
    expect(a).toMatchObject({ providerSync: 'SYNCED', providerError: null });
    const [reservation] = sim.reservationsFor(a.id);
    expect(reservation.reservation_no).toBe(a.providerReservationNo);
    expect(reservation).toMatchObject({ student_id: r.learnerId, start_date: MON_1500, duration: 30, time_zone_id: 'Romance Standard Time' });
    expect(reservation.description).toMatch(/^Cartographie des processus \(T[0-9a-f]+\)$/);
    const add = sim.calls.find((c) => c.method === 'addAdHocProcess')!;
    expect(add.body).toMatchObject({ phone1: PROFILE.phone, address1: PROFILE.address, city: PROFILE.city, country: 'FR', reservation_id: a.id, notify: true });
    // Personal data is not kept in the outbox once sent.
    const [row] = await sql<{ status: string; payload: Record<string, unknown> }>(s, 'select status, payload from proctoru_outbox where appointment_id = ?', [a.id]);
    expect(row).toEqual({ status: 'SENT', payload: { reservation_id: a.id, student_id: r.learnerId } });
  });

  it('R-REG-2: ProctorU receives the locked name, not the account name after the account was renamed', async () => {
    const r = await registration(s, session);
    const [{ external_id }] = await sql<{ external_id: string }>(s, 'select external_id from learner where id = ?', [r.learnerId]);
    const renamed = await s.gql(
      'mutation($i: UpsertLearnerInput!) { upsertLearner(input: $i) { errors { code } } }',
      { i: { externalId: external_id, email: 'renamed@example.org', username: 'renamed', givenName: 'Dominique', familyName: 'Durand' } },
      await s.tokenFor('INTEGRATION'),
    );
    expect(renamed.errors).toBeUndefined();
    const booked = await book(s, r.registrationId, MON_1500, r.token);
    const a = await settled(booked.appointment!.id);
    expect(sim.reservationsFor(a.id)[0]).toMatchObject({ first_name: 'Camille', last_name: 'Martin' });
    expect(sim.calls.find((c) => c.method === 'addAdHocProcess')!.body).toMatchObject({ email: 'renamed@example.org' });
  });

  it('R-SCH-5: a reschedule removes the old reservation, then adds the new one', async () => {
    const r = await registration(s, session);
    const first = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    sim.reset();
    const moved = await reschedule(s, first.id, TUE_1500, r.token);
    expect(moved.errors).toEqual([]);
    const next = await settled(moved.appointment!.id);
    const old = await settled(first.id);
    expect(old).toMatchObject({ status: 'RESCHEDULED', providerSync: 'SYNCED' });
    expect(next).toMatchObject({ status: 'BOOKED', providerSync: 'SYNCED' });
    expect(sim.removed).toContain(first.providerReservationNo);
    expect(sim.reservationsFor(first.id)).toEqual([]);
    expect(sim.reservationsFor(next.id)).toEqual([expect.objectContaining({ reservation_no: next.providerReservationNo, start_date: TUE_1500 })]);
    const methods = sim.calls.map((c) => c.method).filter((m) => m === 'removeReservation' || m === 'addAdHocProcess');
    expect(methods).toEqual(['removeReservation', 'addAdHocProcess']);
  });

  it('R-SCH-5: a cancellation removes the reservation', async () => {
    const r = await registration(s, session);
    const a = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    expect(sim.reservationsFor(a.id)).toHaveLength(1);
    expect((await cancel(s, a.id, r.token, 'not available')).errors).toEqual([]);
    expect(await settled(a.id)).toMatchObject({ status: 'CANCELLED', providerSync: 'SYNCED', providerReservationNo: a.providerReservationNo });
    expect(sim.reservationsFor(a.id)).toEqual([]);
    expect(sim.removed).toContain(a.providerReservationNo);
  });

  it('R-REF-8: a refund cancelling the future appointment removes its reservation too', async () => {
    const r = await registration(s, session);
    const a = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    const ctx = { em: s.orm.em.fork(), viewer: systemViewer('refund'), clock: s.clock, config: s.config, requestId: 'test', log: createLogger('silent') };
    // Called inside a nested transaction (a savepoint): the kick still follows the outer commit.
    expect(await ctx.em.transactional((outer) => outer.transactional((em) => cancelFutureAppointments(em, ctx, r.registrationId, 'refund')))).toBe(1);
    expect(await settled(a.id)).toMatchObject({ status: 'CANCELLED', providerSync: 'SYNCED' });
    expect(sim.reservationsFor(a.id)).toEqual([]);
  });

  it('booked then cancelled before the worker ran: the ADD is skipped, nothing is left at ProctorU', async () => {
    const r = await registration(s, session);
    sim.down = true;
    const a = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    expect(a.providerSync).toBe('FAILED');
    expect((await cancel(s, a.id, r.token)).errors).toEqual([]);
    expect(await appointment(a.id)).toMatchObject({ status: 'CANCELLED', providerSync: 'FAILED' });
    sim.down = false;
    expect((await retry(a.id)).data!.retryProviderSync.appointment).toMatchObject({ status: 'CANCELLED', providerSync: 'SYNCED' });
    expect(sim.count('addAdHocProcess')).toBe(0);
    expect(sim.reservationsFor(a.id)).toEqual([]);
  });

  it('ProctorU down for a while: the booking succeeds, the appointment is FAILED, listed for SUPPORT, then SYNCED after recovery with exactly one reservation', async () => {
    const r = await registration(s, session);
    sim.down = true;
    const booked = await book(s, r.registrationId, MON_1500, r.token);
    expect(booked.errors).toEqual([]);
    const failed = await settled(booked.appointment!.id);
    expect(failed).toMatchObject({ status: 'BOOKED', providerSync: 'FAILED', providerReservationNo: null });
    expect(failed.providerError).toMatch(/HTTP 503/);

    const list = await s.gql<{ providerSyncFailures: { totalCount: number; edges: { node: SyncView }[] } }>(
      `{ providerSyncFailures(first: 50) { totalCount edges { node { ${SYNC_FIELDS} } } } }`,
      {},
      await s.tokenFor('SUPPORT'),
    );
    expect(list.data!.providerSyncFailures.edges.map((e) => e.node.id)).toContain(failed.id);
    const learnerList = await s.gql('{ providerSyncFailures { totalCount } }', {}, r.token);
    expect(learnerList.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await retry(failed.id, r.token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // Still down: the retry is made, and fails again.
    expect((await retry(failed.id)).data!.retryProviderSync.appointment).toMatchObject({ providerSync: 'FAILED' });
    sim.down = false;
    const again = await retry(failed.id);
    expect(again.data!.retryProviderSync.errors).toEqual([]);
    expect(again.data!.retryProviderSync.appointment).toMatchObject({ providerSync: 'SYNCED', providerError: null });
    expect(sim.reservationsFor(failed.id)).toHaveLength(1);
    const after = await s.gql<{ providerSyncFailures: { edges: { node: { id: string } }[] } }>('{ providerSyncFailures { edges { node { id } } } }', {}, await s.tokenFor('SUPPORT'));
    expect(after.data!.providerSyncFailures.edges.map((e) => e.node.id)).not.toContain(failed.id);
    // A synced appointment has nothing to retry.
    expect((await retry(failed.id)).data!.retryProviderSync.errors).toEqual([expect.objectContaining({ code: 'PROVIDER_SYNC_NOT_FAILED' })]);
  });

  it('at least once, exactly one reservation: a lost answer leaves FAILED, and the retry finds the reservation instead of adding another', async () => {
    const r = await registration(s, session);
    sim.dropNextAnswer();
    const failed = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    expect(failed.providerSync).toBe('FAILED');
    expect(sim.reservationsFor(failed.id)).toHaveLength(1);
    const synced = (await retry(failed.id)).data!.retryProviderSync.appointment!;
    expect(synced.providerSync).toBe('SYNCED');
    expect(sim.reservationsFor(failed.id)).toEqual([expect.objectContaining({ reservation_no: synced.providerReservationNo })]);
    expect(sim.count('addAdHocProcess')).toBe(1);
  });

  it('R-SCH-5: a worker whose lease ran out mid-batch leaves the row to the worker that took it since: one ProctorU booking, not two', async () => {
    const r = await registration(s, session);
    sim.down = true;
    const failed = await settled((await book(s, r.registrationId, MON_1500, r.token)).appointment!.id);
    expect(failed.providerSync).toBe('FAILED');
    sim.down = false;
    sim.reset();
    const svc = s.app.services.proctoru;
    type Claimed = { id: string; appointment_id: string; attempts: number };
    const worker = svc as unknown as { claim(em: unknown): Promise<Claimed[]>; send(em: unknown, row: Claimed): Promise<void> };
    const due = () => sql(s, `update proctoru_outbox set next_attempt_at = now() - interval '1 second' where appointment_id = ?`, [failed.id]);
    // Worker A claims the row (due again after its back-off), then stalls past its lease.
    await due();
    const stale = (await worker.claim(s.orm.em.fork())).find((row) => row.appointment_id === failed.id)!;
    expect(stale).toBeDefined();
    await due();
    // Worker B claims it since and books it.
    const fresh = (await worker.claim(s.orm.em.fork())).find((row) => row.appointment_id === failed.id)!;
    expect(fresh.attempts).toBe(stale.attempts + 1);
    await worker.send(s.orm.em.fork(), fresh);
    expect(sim.count('addAdHocProcess')).toBe(1);
    // Worker A wakes up: its lease is gone, so it calls ProctorU no more (not even the look-up).
    await worker.send(s.orm.em.fork(), stale);
    expect(sim.calls).toHaveLength(2); // B's look-up and booking
    expect(sim.reservationsFor(failed.id)).toHaveLength(1);
    expect(await appointment(failed.id)).toMatchObject({ providerSync: 'SYNCED', providerReservationNo: sim.reservationsFor(failed.id)[0].reservation_no });
  });

  it('the PROCTORU_OUTBOX job (every minute) sends what is due; ADMIN can run it', async () => {
    const r = await s.gql<{ runJob: { jobRun: { status: string } | null; errors: unknown[] } }>(
      'mutation { runJob(job: PROCTORU_OUTBOX) { jobRun { status } errors { code message } } }',
      {},
      await s.tokenFor('ADMIN'),
    );
    expect(r.data!.runJob).toEqual({ jobRun: { status: 'SUCCEEDED' }, errors: [] });
  });
});

describe('rows written without a server (npm run seed:demo) are sent when the server starts', () => {
  it('a booking made by a script is PENDING, then SYNCED by the next server start, with one reservation at its ProctorU', async () => {
    const r = await registration(s, session);
    // The seed writes through the services on its own ORM: no server, no kick.
    const orm = await createOrm(s.dbUrl);
    const clock = new TestClock(new Date('2017-02-20T12:00:00Z'));
    let id: string;
    try {
      const ctx = { em: orm.em.fork(), viewer: systemViewer('seed:demo'), clock, config: s.config, requestId: 'seed', log: createLogger('silent') };
      id = (await new AppointmentService().book(ctx, { registrationId: r.registrationId, startsAt: new Date(MON_1500) })).id;
    } finally {
      await orm.close(true);
    }
    expect(await appointment(id)).toMatchObject({ providerSync: 'PENDING' });

    const dataDir = mkdtempSync(join(tmpdir(), 'cbo-proctoru-'));
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', DATABASE_URL: s.dbUrl, DATA_DIR: dataDir, TOKEN_SECRET: randomBytes(32).toString('base64url'), LOG_LEVEL: 'silent', JOBS: 'off' });
    const orm2 = await createOrm(s.dbUrl);
    const app = await createApp({ config, orm: orm2, clientUrl: s.dbUrl, clock, logger: false });
    try {
      const a = await settled(id);
      expect(a.providerSync).toBe('SYNCED');
      expect(app.proctoru.simulator!.reservationsFor(id)).toEqual([expect.objectContaining({ reservation_no: a.providerReservationNo })]);
    } finally {
      await app.fastify.close();
      await orm2.close(true);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('ProctorU time zone at profile time (R-REG-5)', () => {
  const setProfile = async (learnerId: string, token: string, timeZone: string) =>
    s.gql<{ setProctoringProfile: { errors: { code: string; field: string[] }[] } }>(
      'mutation($i: SetProctoringProfileInput!) { setProctoringProfile(input: $i) { errors { code message field } } }',
      { i: { learnerId, ...PROFILE, timeZone } },
      token,
    );

  it('R-REG-5: a zone ProctorU cannot receive is refused with TIME_ZONE_NOT_SUPPORTED_BY_PROCTORU, nothing stored', async () => {
    const l = await s.newLearner();
    const r = await setProfile(l.id, l.token, 'Antarctica/Troll');
    expect(r.data!.setProctoringProfile.errors).toEqual([expect.objectContaining({ code: 'TIME_ZONE_NOT_SUPPORTED_BY_PROCTORU', field: ['input', 'timeZone'] })]);
    const [row] = await sql<{ time_zone: string | null }>(s, 'select time_zone from learner where id = ?', [l.id]);
    expect(row.time_zone).toBeNull();
  });

  it.each(['Europe/Paris', 'America/New_York', 'Pacific/Tahiti', 'Pacific/Noumea', 'Indian/Reunion'])('R-REG-5: %s is accepted', async (zone) => {
    const l = await s.newLearner();
    expect((await setProfile(l.id, l.token, zone)).data!.setProctoringProfile.errors).toEqual([]);
  });
});
