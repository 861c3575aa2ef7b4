import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { certifiedLearner, type Examined, openFraudCaseRow } from '../helpers/certificate-factories';
import { bookedLearner, examSession } from '../helpers/exam-factories';
import { insertIncident, key } from '../helpers/refund-factories';
import { PROFILE, registration, sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Issue 13, personal data requests: exportLearnerData (GDPR art. 15) holds every entity of the learner;
 * eraseLearner (art. 17) pseudonymises the learner and keeps the payments ledger and the certificate's
 * verification intact; PURGE_PROFILES deletes the ProctorU profile a year after the last session ends.
 * Rows another issue's mutations would write (equipment check, evidence, a decided fraud case, a
 * released hold) are inserted in SQL: their own tests cover those flows.
 */

let s: TestServer;
let sessionId: string;
let admin: string;
let support: string;
let learner: Examined & { certificate: { id: string; verificationCode: string; holderName: string } };

const EXPORT = 'query Export($id: ID!) { exportLearnerData(learnerId: $id) }';
const ERASE = 'mutation Erase($id: ID!, $r: String!) { eraseLearner(learnerId: $id, reason: $r) { learner { id email username givenName familyName externalId } errors { code message field } } }';
const AFTER_SESSION = '2017-04-01T10:00:00Z';

beforeAll(async () => {
  s = await startTestServer();
  admin = (await s.tokenFor('ADMIN'))!;
  support = (await s.tokenFor('SUPPORT'))!;
  sessionId = await examSession(s);
  learner = await certifiedLearner(s, sessionId);
  await completeTheFile(learner);
});
afterAll(async () => {
  await s?.close();
});

/** Payment, refund (rejected), incident, equipment check, unlock failure, evidence (retained and purged), decided fraud case with a released hold. */
async function completeTheFile(e: Examined): Promise<void> {
  const [pay] = await sql<{ id: string; num_trans: string }>(
    s,
    `insert into payment (id, registration_id, amount_cents, currency, card_brand, card_expiry, num_appel, num_trans, authorization_number, paid_at, source, recorded_at, recorded_by)
     values (gen_random_uuid(), ?, 6000, 'EUR', 'VISA', '0519', ?, ?, 'XXXXXX', '2017-02-01T10:00:00Z', 'API', '2017-02-01T10:00:00Z', 'test') returning id, num_trans`,
    [e.registrationId, String(randomInt(10 ** 9, 10 ** 10)), String(randomInt(10 ** 9, 10 ** 10))],
  );
  const [refund] = await sql<{ id: string }>(
    s,
    `insert into refund_request (id, registration_id, payment_id, reason, status, amount_cents, payment_ticket, learner_first_name, learner_last_name, username, email,
       requested_by, requested_at, decided_by, decided_at, decision_comment, updated_at)
     select gen_random_uuid(), ?, ?, 'WITHDRAWAL', 'REJECTED', 6000, ?, given_name, family_name, username, email, 'learner:' || id, '2017-02-10T10:00:00Z',
       'staff:payments@test.local', '2017-02-11T10:00:00Z', 'The exam took place', '2017-02-11T10:00:00Z' from learner where id = ? returning id`,
    [e.registrationId, pay.id, pay.num_trans, e.learnerId],
  );
  await sql(s, `insert into refund_event (refund_request_id, at, from_status, to_status, actor) values (?, '2017-02-10T10:00:00Z', null, 'SUBMITTED', 'learner'), (?, '2017-02-11T10:00:00Z', 'SUBMITTED', 'REJECTED', 'staff')`, [refund.id, refund.id]);
  await insertIncident(s, e.registrationId, { at: '2017-03-03T14:00:00Z', confirmed: true });
  await sql(s, `insert into equipment_check (id, learner_id, checked_at, recorded_by, operating_system, os_version, webcam_width, webcam_height, has_microphone, has_speakers,
      download_kbps, upload_kbps, port1935_open, public_place, compatible, failed_requirements, screenshot, screenshot_content_type, screenshot_sha256)
    values (gen_random_uuid(), ?, '2017-02-05T10:00:00Z', 'test', 'WINDOWS', '10', 1280, 720, true, true, 5000, 1000, true, false, true, '{}', '\\x89504e47', 'image/png', repeat('a', 64))`, [e.learnerId]);
  await sql(s, `insert into exam_unlock_failure (appointment_id, failed_at, actor) values (?, '2017-03-02T14:00:00Z', 'staff:proctor')`, [e.appointmentId]);
  const evidence = `insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until, received_at, received_by, status, storage_key, purged_at)
    select gen_random_uuid(), a.id, a.registration_id, a.session_id, ?, 'video/mp4', 1000, repeat('b', 64), a.started_at, a.started_at + interval '42 days', a.started_at, 'service:proctoru', ?, ?, ?
    from exam_attempt a where a.id = ? returning id`;
  await sql(s, evidence, ['VIDEO', 'RETAINED', `evidence/test-${key()}`, null, e.attemptId]);
  const [purged] = await sql<{ id: string }>(s, evidence, ['FACE_PHOTO', 'PURGED', null, '2017-04-20T00:00:00Z', e.attemptId]);
  await sql(s, `insert into evidence_tombstone (evidence_id, kind, size_bytes, sha256, purged_at) values (?, 'FACE_PHOTO', 1000, repeat('b', 64), '2017-04-20T00:00:00Z')`, [purged.id]);
  const caseId = await openFraudCaseRow(s, e);
  await sql(s, `insert into fraud_case_event (case_id, at, actor, action, to_status) values (?, now(), 'test', 'OPEN', 'OPEN')`, [caseId]);
  await sql(s, `insert into legal_hold (id, case_id, attempt_id, placed_by, placed_at, reason, released_by, released_at, release_reason)
    values (gen_random_uuid(), ?, ?, 'staff:admin', now(), 'Complaint', 'staff:admin', now(), 'Complaint withdrawn')`, [caseId, e.attemptId]);
  await sql(s, `update fraud_case set status = 'CLEARED', reviewer = 'staff:cert', review_started_at = now(), decided_by = 'staff:cert', decided_at = now(), decision_reason = 'Nothing found' where id = ?`, [caseId]);
}

const SECTIONS = [
  'registrations', 'payments', 'refundRequests', 'refundEvents', 'appointments', 'providerIncidents', 'equipmentChecks', 'examAttempts', 'examUnlockFailures',
  'examResults', 'certificates', 'fraudCases', 'fraudCaseEvents', 'legalHolds', 'evidence', 'evidenceTombstones', 'auditEvents',
] as const;

describe('exportLearnerData (GDPR art. 15)', () => {
  it('holds every entity of the learner, in one JSON document, without media bytes or storage keys; the export is audited', async () => {
    const r = await s.gql<{ exportLearnerData: Record<string, unknown[]> & { learner: Record<string, unknown> } }>(EXPORT, { id: learner.learnerId }, support);
    expect(r.errors).toBeUndefined();
    const doc = r.data!.exportLearnerData;
    expect(doc.learner).toMatchObject({ id: learner.learnerId, phone: PROFILE.phone, address: PROFILE.address });
    for (const section of SECTIONS) expect(doc[section], section).not.toHaveLength(0);
    expect(doc.registrations[0]).toMatchObject({ id: learner.registrationId, learnerId: learner.learnerId });
    expect(doc.certificates[0]).toMatchObject({ id: learner.certificate.id, verificationCode: learner.certificate.verificationCode });
    expect(doc.evidence).toHaveLength(2);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('storage_key');
    expect(text).not.toMatch(/"storageKey"|"screenshot":/);
    const other = (await s.gql<{ exportLearnerData: { registrations: unknown[] } }>(EXPORT, { id: (await s.newLearner()).id }, support)).data!.exportLearnerData;
    expect(other.registrations).toEqual([]);
    const [audit] = await sql<{ n: string }>(s, `select count(*) as n from audit_event where action = 'learner.data.export' and subject_id = ?`, [learner.learnerId]);
    expect(Number(audit.n)).toBeGreaterThanOrEqual(1);
  });

  it('is downloadable at GET /learners/:id/export.json by SUPPORT and ADMIN only, and audited', async () => {
    const url = `${s.url}/learners/${learner.learnerId}/export.json`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${support}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="learner-${learner.learnerId}.json"`);
    const doc = (await res.json()) as Record<string, unknown[]>;
    for (const section of SECTIONS) expect(doc[section], section).not.toHaveLength(0);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const [audit] = await sql<{ n: string }>(s, `select count(*) as n from audit_event where action = 'learner.data.export' and request_id = ?`, [res.headers.get('x-request-id')]);
    expect(Number(audit.n)).toBe(1);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${learner.token}` } })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization: `Bearer ${await s.tokenFor('PAYMENTS')}` } })).status).toBe(403);
    expect((await fetch(`${s.url}/learners/00000000-0000-4000-8000-000000000000/export.json`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(404);
    expect((await fetch(`${s.url}/learners/not-a-uuid/export.json`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(404);
  });

  it('is refused to PAYMENTS, CERTIFICATION and learners (FORBIDDEN)', async () => {
    for (const token of [await s.tokenFor('PAYMENTS'), await s.tokenFor('CERTIFICATION'), learner.token]) {
      const r = await s.gql(EXPORT, { id: learner.learnerId }, token);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('eraseLearner (GDPR art. 17)', () => {
  it('is refused while a paid registration is under way in a running session (ERASURE_BLOCKED), and changes nothing', async () => {
    const booked = await bookedLearner(s, sessionId);
    const before = await sql(s, 'select * from learner where id = ?', [booked.learnerId]);
    const r = await s.gql<{ eraseLearner: { errors: { code: string }[] } }>(ERASE, { id: booked.learnerId, r: 'Learner request' }, admin);
    expect(r.data!.eraseLearner.errors[0]).toMatchObject({ code: 'ERASURE_BLOCKED', field: ['learnerId'] });
    expect(await sql(s, 'select * from learner where id = ?', [booked.learnerId])).toEqual(before);
  });

  it('is refused while a fraud case is open (FRAUD_REVIEW_OPEN); ADMIN only', async () => {
    await s.setClock(AFTER_SESSION);
    const caseId = await openFraudCaseRow(s, learner);
    const r = await s.gql<{ eraseLearner: { errors: { code: string }[] } }>(ERASE, { id: learner.learnerId, r: 'Learner request' }, admin);
    expect(r.data!.eraseLearner.errors[0].code).toBe('FRAUD_REVIEW_OPEN');
    await sql(s, `update fraud_case set status = 'UNDER_REVIEW', reviewer = 'x', review_started_at = now() where id = ?`, [caseId]);
    await sql(s, `update fraud_case set status = 'CLEARED', decided_by = 'x', decided_at = now(), decision_reason = 'ok' where id = ?`, [caseId]);
    expect((await s.gql(ERASE, { id: learner.learnerId, r: 'Learner request' }, support)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('pseudonymises the learner and keeps the payments ledger balanced and the certificate verifiable', async () => {
    await s.setClock(AFTER_SESSION);
    const ledger = () => sql<{ row: unknown }>(s, `select to_jsonb(p) as row from payment p order by id`);
    const refunds = () => sql(s, `select id, amount_cents, status, learner_first_name, learner_last_name from refund_request order by id`);
    const balance = () => sql<{ paid: string; refunded: string }>(s, `select sum(amount_cents) as paid, sum(refunded_cents) as refunded from payment`);
    const cert = () => sql(s, `select * from certificate where id = ?`, [learner.certificate.id]);
    const verify = async () => (await fetch(`${s.url}/verify/${learner.certificate.verificationCode}`, { headers: { accept: 'application/json' } })).json();
    const [ledgerBefore, refundsBefore, balanceBefore, certBefore, verifyBefore] = [await ledger(), await refunds(), await balance(), await cert(), await verify()];
    expect(verifyBefore).toMatchObject({ status: 'VALID', holderName: learner.certificate.holderName });

    const r = await s.gql<{ eraseLearner: { learner: Record<string, string>; errors: unknown[] } }>(ERASE, { id: learner.learnerId, r: 'Art. 17 request of 2017-03-30' }, admin);
    expect(r.data!.eraseLearner.errors).toEqual([]);
    const erased = r.data!.eraseLearner.learner;
    expect(erased.email).toBe(`erased-${learner.learnerId}@erased.invalid`);
    expect(erased.externalId).toBe(`erased:${learner.learnerId}`);
    expect(erased.givenName).toBe('Erased');

    const [row] = await sql<Record<string, unknown>>(s, 'select phone, address, city, time_zone, country, erased_at, profile_purged_at from learner where id = ?', [learner.learnerId]);
    expect(row).toMatchObject({ phone: null, address: null, city: null, time_zone: null, country: null });
    expect(new Date(row.erased_at as string)).toEqual(new Date(AFTER_SESSION));
    expect(await ledger()).toEqual(ledgerBefore);
    expect(await refunds()).toEqual(refundsBefore);
    expect(await balance()).toEqual(balanceBefore);
    const contact = await sql<{ email: string; username: string }>(s, 'select email, username from refund_request where registration_id = ?', [learner.registrationId]);
    expect(contact.every((c) => c.email === erased.email && c.username === erased.username)).toBe(true);
    const [shot] = await sql<{ screenshot: unknown }>(s, 'select screenshot from equipment_check where learner_id = ?', [learner.learnerId]);
    expect(shot.screenshot).toBeNull();
    expect(await cert()).toEqual(certBefore);
    expect(await verify()).toEqual(verifyBefore);

    const [audit] = await sql<{ details: { reason: string } }>(s, `select details from audit_event where action = 'learner.erase' and subject_id = ?`, [learner.learnerId]);
    expect(audit.details.reason).toBe('Art. 17 request of 2017-03-30');
    const again = await s.gql<{ eraseLearner: { errors: { code: string }[] } }>(ERASE, { id: learner.learnerId, r: 'again' }, admin);
    expect(again.data!.eraseLearner.errors[0].code).toBe('LEARNER_ERASED');
    // The export after erasure shows what is kept, and no contact data.
    const doc = (await s.gql<{ exportLearnerData: Record<string, unknown> }>(EXPORT, { id: learner.learnerId }, admin)).data!.exportLearnerData;
    expect(JSON.stringify(doc.learner)).not.toContain(PROFILE.phone);
    // The database keeps the erasure final, whoever writes.
    await expect(sql(s, `update learner set email = 'back@example.org' where id = ?`, [learner.learnerId])).rejects.toThrow(/erasure is final/);
  });

  it('refuses a malformed or unknown id (NOT_FOUND) and a blank reason (VALIDATION_FAILED)', async () => {
    const bad = await s.gql<{ eraseLearner: { errors: { code: string; field: string[] }[] } }>(ERASE, { id: 'nope', r: 'x' }, admin);
    expect(bad.data!.eraseLearner.errors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['learnerId'] });
    const blank = await s.gql<{ eraseLearner: { errors: { code: string; field: string[] }[] } }>(ERASE, { id: learner.learnerId, r: '  ' }, admin);
    expect(blank.data!.eraseLearner.errors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['reason'] });
    const unknown = await s.gql<{ eraseLearner: { errors: { code: string }[] } }>(ERASE, { id: '00000000-0000-4000-8000-000000000000', r: 'x' }, admin);
    expect(unknown.data!.eraseLearner.errors[0].code).toBe('NOT_FOUND');
  });
});

describe('PURGE_PROFILES', () => {
  const run = async () => {
    const r = await s.gql<{ runJob: { jobRun: { status: string; itemsProcessed: number } } }>('mutation { runJob(job: PURGE_PROFILES) { jobRun { status itemsProcessed } errors { code } } }', {}, admin);
    expect(r.data!.runJob.jobRun.status).toBe('SUCCEEDED');
    return r.data!.runJob.jobRun.itemsProcessed;
  };
  const profile = async (id: string) => (await sql<Record<string, unknown>>(s, 'select phone, address, city, time_zone, country, profile_purged_at from learner where id = ?', [id]))[0];

  it('deletes phone, address and city PROFILE_RETENTION_DAYS (365) after the certificate deadline of the learner’s last session, not a day earlier', async () => {
    const session2 = await examSession(s, { certificateDeadline: '2017-03-20T23:30:00Z' });
    const reg = await registration(s, session2);
    await s.setClock('2018-03-20T23:29:00Z');
    await run();
    expect(await profile(reg.learnerId)).toMatchObject({ phone: PROFILE.phone, address: PROFILE.address, profile_purged_at: null });
    await s.setClock('2018-03-20T23:30:00Z');
    expect(await run()).toBeGreaterThanOrEqual(1);
    const after = await profile(reg.learnerId);
    expect(after).toMatchObject({ phone: null, address: null, city: null, time_zone: PROFILE.timeZone, country: PROFILE.country });
    expect(new Date(after.profile_purged_at as string)).toEqual(new Date('2018-03-20T23:30:00Z'));
    const [audit] = await sql<{ actor: string; request_id: string }>(s, `select actor, request_id from audit_event where action = 'learner.profile.purge' and subject_id = ?`, [reg.learnerId]);
    expect(audit.actor).toBe('system:job:PURGE_PROFILES');
    expect(audit.request_id).toMatch(/^job-/);
    expect(await run()).toBe(0);
  });

  it('reads PROFILE_RETENTION_DAYS (default 365; 1 to 36500 days, else the start stops)', () => {
    expect(s.config.profileRetentionDays).toBe(365);
    expect(loadConfig({ PROFILE_RETENTION_DAYS: '30', DATA_DIR: s.config.dataDir }).profileRetentionDays).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'a year']) expect(() => loadConfig({ PROFILE_RETENTION_DAYS: bad, DATA_DIR: s.config.dataDir }), bad).toThrow(ConfigError);
  });
});
