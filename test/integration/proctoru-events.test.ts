import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProctorUSimulator } from '../../src/providers/proctoru/simulator';
import { type ProctorUEvent } from '../../src/providers/proctoru/webhook';
import { examSession, plusMinutes, startedAttempt } from '../helpers/exam-factories';
import { book, createSession, registration, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sim: ProctorUSimulator;
let endpoint: string;
let appointmentId: string;
let integration: string;
const MON_1500 = '2017-03-06T14:00:00.000Z';
const DURING = '2017-03-06T14:10:00.000Z';

const event = (type: ProctorUEvent['type'], data?: Record<string, unknown>): ProctorUEvent => ({ id: `evt_${randomUUID()}`, type, reservation_id: appointmentId, occurred_at: DURING, data });
const incidents = async () => sql<{ kind: string; provider_reference: string | null; confirmed_by_provider: boolean }>(s, 'select kind, provider_reference, confirmed_by_provider from provider_incident where appointment_id = ?', [appointmentId]);

beforeAll(async () => {
  s = await startTestServer();
  sim = s.app.proctoru.simulator!;
  endpoint = `${s.url}/integrations/proctoru/events`;
  integration = (await s.tokenFor('INTEGRATION'))!;
  await s.setClock('2017-02-20T12:00:00Z');
  const session = await createSession(s);
  const r = await registration(s, session);
  appointmentId = (await book(s, r.registrationId, MON_1500, r.token)).appointment!.id;
  await s.setClock(DURING);
});
afterAll(() => s?.close());

describe('POST /integrations/proctoru/events (issue 12, R-INC-1, R-INC-2)', () => {
  it('refuses a bad signature (401, nothing recorded)', async () => {
    const res = await sim.sendEvent(endpoint, event('incident.reported', { kind: 'DISCONNECTION', description: 'x' }), { bearer: integration, secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'BAD_SIGNATURE' });
    const tampered = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${integration}`, 'x-proctoru-signature': 't=1,v1=zz' }, body: '{}' });
    expect(tampered.status).toBe(401);
    expect(await incidents()).toEqual([]);
  });

  it('refuses a replay: a signature older than 5 minutes (401)', async () => {
    const res = await sim.sendEvent(endpoint, event('session.started'), { bearer: integration, timestampSeconds: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'REPLAY' });
    expect(await sql(s, 'select 1 from provider_event')).toEqual([]);
  });

  it('needs an INTEGRATION token: none is 401, another role 403', async () => {
    expect((await sim.sendEvent(endpoint, event('session.started'))).status).toBe(401);
    expect((await sim.sendEvent(endpoint, event('session.started'), { bearer: (await s.tokenFor('SUPPORT'))! })).status).toBe(403);
  });

  it('R-INC-1/R-INC-2: a confirmed incident is recorded as reportProviderIncident does (the appointment becomes PROVIDER_FAULT); the same event again is acknowledged and ignored', async () => {
    const e = event('incident.reported', { kind: 'SOFTWARE_FAILURE', description: 'The proctoring software crashed', reference: 'PU-INC-42', confirmed: true });
    const res = await sim.sendEvent(endpoint, e, { bearer: integration });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'processed', incidentId: expect.any(String) });
    expect(await incidents()).toEqual([{ kind: 'SOFTWARE_FAILURE', provider_reference: 'PU-INC-42', confirmed_by_provider: true }]);
    const [a] = await sql<{ status: string }>(s, 'select status from appointment where id = ?', [appointmentId]);
    expect(a.status).toBe('PROVIDER_FAULT');

    const dup = await sim.sendEvent(endpoint, e, { bearer: integration });
    expect(dup.status).toBe(200);
    expect(await dup.json()).toEqual({ status: 'duplicate' });
    expect(await incidents()).toHaveLength(1);
  });

  it('session started and ended are recorded (audit) once each', async () => {
    for (const type of ['session.started', 'session.ended'] as const) {
      const res = await sim.sendEvent(endpoint, event(type), { bearer: integration });
      expect(await res.json()).toEqual({ status: 'processed' });
    }
    const audits = await sql<{ action: string }>(s, `select action from audit_event where action like 'appointment.session.%' order by action`);
    expect(audits.map((x) => x.action)).toEqual(['appointment.session.ended', 'appointment.session.started']);
  });

  it('bad input: an unknown incident kind is 400 and not recorded (ProctorU may send it again, fixed); an unknown reservation is 404', async () => {
    const e = event('incident.reported', { kind: 'COFFEE_SPILL', description: 'x' });
    const res = await sim.sendEvent(endpoint, e, { bearer: integration });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: ['event', 'data', 'kind'] });
    expect(await sql(s, 'select 1 from provider_event where event_id = ?', [e.id])).toEqual([]);
    const unknown = await sim.sendEvent(endpoint, { ...event('session.started'), reservation_id: randomUUID() }, { bearer: integration });
    expect(unknown.status).toBe(404);
    const notJson = await sim.sendEvent(endpoint, { id: 'x' } as ProctorUEvent, { bearer: integration });
    expect(notJson.status).toBe(400);
  });

  it('R-EVI-1: a recording available is downloaded by streaming into the evidence store (size, SHA-256); the same event again is a duplicate', async () => {
    const sessionId = await examSession(s);
    const b = await startedAttempt(s, sessionId);
    await s.setClock(plusMinutes(b.startsAt, 40));
    const bytes = randomBytes(300_000);
    const url = sim.publishRecording(bytes, 'video/webm');
    const e: ProctorUEvent = { id: `evt_${randomUUID()}`, type: 'recording.available', reservation_id: b.appointmentId, occurred_at: plusMinutes(b.startsAt, 35), data: { kind: 'VIDEO', url, content_type: 'video/webm', captured_at: plusMinutes(b.startsAt, 1) } };
    const res = await sim.sendEvent(endpoint, e, { bearer: integration });
    const answer = (await res.json()) as { status: string; evidenceId: string };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ status: 'processed', evidenceId: expect.any(String) });
    const [row] = await sql<{ attempt_id: string; kind: string; size_bytes: string; sha256: string; content_type: string }>(s, 'select attempt_id, kind, size_bytes, sha256, content_type from evidence where id = ?', [answer.evidenceId]);
    expect(row).toEqual({ attempt_id: b.attemptId, kind: 'VIDEO', size_bytes: expect.anything(), sha256: createHash('sha256').update(bytes).digest('hex'), content_type: 'video/webm' });
    expect(Number(row.size_bytes)).toBe(bytes.length);
    const dup = await sim.sendEvent(endpoint, e, { bearer: integration });
    expect(await dup.json()).toEqual({ status: 'duplicate' });
    // Another event for a kind already stored: 409; a download that fails: 502, nothing recorded.
    const again = await sim.sendEvent(endpoint, { ...e, id: `evt_${randomUUID()}` }, { bearer: integration });
    expect(again.status).toBe(409);
    const broken = { ...e, id: `evt_${randomUUID()}`, data: { ...e.data, kind: 'FACE_PHOTO', url: `${sim.url}/recordings/999` } };
    const failed = await sim.sendEvent(endpoint, broken, { bearer: integration });
    expect(failed.status).toBe(502);
    expect(await sql(s, 'select 1 from provider_event where event_id = ?', [broken.id])).toEqual([]);
  });
});
