import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, Registration } from '../../src/entities';
import { ResultService } from '../../src/services/result.service';
import {
  type CertificatePayloadView,
  type CertificateView,
  CERTIFICATE_FIELDS,
  certifiedLearner,
  examinedLearner,
  issueCertificate,
  openFraudCaseRow,
  passedLearner,
  revokeCertificate,
  runIssueCertificates,
} from '../helpers/certificate-factories';
import { examSession, serviceCtx } from '../helpers/exam-factories';
import { auditEvents, expectNoWrites, topLevelCodes } from '../helpers/inputs-common';
import { ELIGIBILITY, insertIncident, REQUEST_REFUND } from '../helpers/refund-factories';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

/** Stored certificate objects (the fs store's files whose key starts with `cert-`). */
function storedCertificateObjects(): number {
  const dir = (s.config.storage as { dir: string }).dir;
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${d}/${e.name}`) : [e.name]));
  try {
    return walk(dir).filter((n) => n.startsWith('cert-')).length;
  } catch {
    return 0;
  }
}

async function certificateCount(): Promise<number> {
  const [row] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate');
  return row.n;
}

/** Makes a registration look as if its name had never been locked (triggers off for this one statement). */
async function unlockNameBehindTheBack(registrationId: string): Promise<void> {
  await s.orm.em.fork().transactional(async (em) => {
    await em.execute(`set local session_replication_role = replica`);
    await em.execute(
      `update registration set status = 'IN_PROGRESS', paid_at = null, locked_given_name = null, locked_family_name = null, name_locked_at = null where id = ?`,
      [registrationId],
    );
  });
}

function expectRefusal(p: CertificatePayloadView, code: string) {
  expect(p.certificate).toBeNull();
  expect(p.errors).toEqual([expect.objectContaining({ code, field: ['registrationId'] })]);
}

describe('issueCertificate (R-CER-1, R-CER-2)', () => {
  it('R-CER-1: issues for a published passed result, with the locked name, the course, the university and the domain clock', async () => {
    const e = await passedLearner(s, sessionId);
    await s.setClock('2017-03-20T09:30:00Z');
    const objectsBefore = storedCertificateObjects();
    const p = await issueCertificate(s, e.registrationId);
    expect(p.errors).toEqual([]);
    const c = p.certificate!;
    expect(c).toMatchObject({
      holderName: 'Camille Martin',
      courseTitle: expect.any(String),
      university: expect.any(String),
      issuedAt: '2017-03-20T09:30:00.000Z',
      status: 'VALID',
      revokedAt: null,
      registration: { id: e.registrationId },
    });
    expect(c.verificationCode).toMatch(/^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
    expect(c.verificationUrl).toBe(`${s.config.publicUrl}/verify/${c.verificationCode}`);
    expect(c.downloadUrl).toMatch(new RegExp(`/certificates/${c.id}\\.pdf\\?expires=\\d+&sig=[\\w-]+$`));
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
    const [row] = await sql<{ result_id: string; issued_by: string; storage_key: string }>(s, 'select result_id, issued_by, storage_key from certificate where id = ?', [c.id]);
    expect(row).toMatchObject({ result_id: e.resultId, issued_by: 'staff:certification@test.local' });
    expect(row.storage_key).toMatch(/^cert-/);
    const [key] = await sql<{ n: number }>(s, 'select count(*)::int as n from object_key where storage_key = ?', [row.storage_key]);
    expect(key.n).toBe(1);
    expect(storedCertificateObjects()).toBe(objectsBefore + 1);
    const events = await auditEvents(s, { subjectId: c.id });
    expect(events.map((x) => [x.action, x.actor])).toEqual([['certificate.issue', 'staff:certification@test.local']]);
  });

  it('R-CER-2: CERTIFICATE_ALREADY_ISSUED returns the existing certificate; nothing is written', async () => {
    const e = await certifiedLearner(s, sessionId);
    const again = await expectNoWrites(s, () => issueCertificate(s, e.registrationId));
    expect(again.errors).toEqual([expect.objectContaining({ code: 'CERTIFICATE_ALREADY_ISSUED', field: ['registrationId'] })]);
    expect(again.certificate).toMatchObject({ id: e.certificate.id, verificationCode: e.certificate.verificationCode, sha256: e.certificate.sha256 });
  });

  it('R-CER-1: RESULT_NOT_PASSED for a failed result', async () => {
    const e = await examinedLearner(s, sessionId, { right: 3 });
    const objects = storedCertificateObjects();
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, e.registrationId)), 'RESULT_NOT_PASSED');
    expect(storedCertificateObjects()).toBe(objects);
  });

  it('R-CER-1: RESULT_NOT_PUBLISHED with no result, a pending result, or a voided one', async () => {
    const e = await examinedLearner(s, sessionId, { compute: false });
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, e.registrationId)), 'RESULT_NOT_PUBLISHED');
    await new ResultService().computeAll(serviceCtx(s), { publish: false });
    const [pending] = await sql<{ status: string }>(s, 'select r.status from exam_result r where r.attempt_id = ?', [e.attemptId]);
    expect(pending.status).toBe('PENDING');
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, e.registrationId)), 'RESULT_NOT_PUBLISHED');

    const v = await passedLearner(s, sessionId);
    await sql(s, `update exam_result set status = 'VOIDED', voided_at = now(), void_reason = 'provider fault' where id = ?`, [v.resultId]);
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, v.registrationId)), 'RESULT_NOT_PUBLISHED');
  });

  it('R-CER-1: FRAUD_REVIEW_OPEN while a fraud case is open on the attempt', async () => {
    const e = await passedLearner(s, sessionId);
    await openFraudCaseRow(s, e);
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, e.registrationId)), 'FRAUD_REVIEW_OPEN');
  });

  it('R-CER-1: NAME_NOT_LOCKED when the registration has no locked name to print', async () => {
    const e = await passedLearner(s, sessionId);
    await unlockNameBehindTheBack(e.registrationId);
    expectRefusal(await expectNoWrites(s, () => issueCertificate(s, e.registrationId)), 'NAME_NOT_LOCKED');
  });

  it('unknown or malformed registration ids, and roles other than CERTIFICATION, change nothing', async () => {
    const e = await passedLearner(s, sessionId);
    const unknown = await issueCertificate(s, '00000000-0000-4000-8000-000000000000');
    expect(unknown.errors.map((x) => x.code)).toEqual(['NOT_FOUND']);
    const bad = await issueCertificate(s, 'not-a-uuid');
    expect(bad.errors.map((x) => x.code)).toEqual(['NOT_FOUND']); // the project's convention for a malformed id (domain/validate.ts)
    for (const role of ['SUPPORT', 'PAYMENTS', 'INTEGRATION', 'LEARNER'] as const) {
      const r = await s.gql(`mutation($id: ID!) { issueCertificate(registrationId: $id) { certificate { id } errors { code } } }`, { id: e.registrationId }, await s.tokenFor(role));
      expect(topLevelCodes(r), role).toEqual(['FORBIDDEN']);
    }
    expect(topLevelCodes(await s.gql(`mutation($id: ID!) { issueCertificate(registrationId: $id) { certificate { id } } }`, { id: e.registrationId }))).toEqual(['UNAUTHENTICATED']);
    expect((await issueCertificate(s, e.registrationId, await s.tokenFor('ADMIN'))).errors).toEqual([]);
  });

  it('R-CER-2: two simultaneous issues make one certificate; the loser gets CERTIFICATE_ALREADY_ISSUED and its PDF is destroyed', async () => {
    const e = await passedLearner(s, sessionId);
    const objects = storedCertificateObjects();
    const [a, b] = await Promise.all([issueCertificate(s, e.registrationId), issueCertificate(s, e.registrationId)]);
    const codes = [a, b].map((p) => p.errors.map((x) => x.code).join()).sort();
    expect(codes).toEqual(['', 'CERTIFICATE_ALREADY_ISSUED']);
    const [row] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate where registration_id = ?', [e.registrationId]);
    expect(row.n).toBe(1);
    expect(a.certificate!.id).toBe(b.certificate!.id);
    expect(storedCertificateObjects()).toBe(objects + 1);
  });
});

describe('ISSUE_CERTIFICATES (R-CER-2, R-JOB-1)', () => {
  it('R-CER-2: the job issues for newly published passed results only, skips unlocked names, and is idempotent', async () => {
    const sid = await examSession(s);
    const passed = [await passedLearner(s, sid), await passedLearner(s, sid), await passedLearner(s, sid)];
    const failed = await examinedLearner(s, sid, { right: 2 });
    const underReview = await passedLearner(s, sid);
    await openFraudCaseRow(s, underReview);
    const unlocked = await passedLearner(s, sid);
    await unlockNameBehindTheBack(unlocked.registrationId);
    await s.setClock('2017-03-21T02:00:00Z');

    const run = await runIssueCertificates(s);
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(run.itemsProcessed).toBeGreaterThanOrEqual(3);
    const rows = await sql<{ registration_id: string; holder_name: string; issued_at: Date; issued_by: string }>(
      s,
      'select registration_id, holder_name, issued_at, issued_by from certificate where session_id = ?',
      [sid],
    );
    expect(rows.map((r) => r.registration_id).sort()).toEqual(passed.map((p) => p.registrationId).sort());
    for (const r of rows) {
      expect(r).toMatchObject({ holder_name: 'Camille Martin', issued_by: 'system:job:ISSUE_CERTIFICATES' });
      expect(new Date(r.issued_at).toISOString()).toBe('2017-03-21T02:00:00.000Z');
    }
    for (const x of [failed, underReview, unlocked]) expect(rows.map((r) => r.registration_id)).not.toContain(x.registrationId);
    const [keys] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate c join object_key k using (storage_key) where c.session_id = ?', [sid]);
    expect(keys.n).toBe(3);
    const events = await sql<{ n: number }>(s, `select count(*)::int as n from audit_event where action = 'certificate.issue' and subject_id in (select id::text from certificate where session_id = ?)`, [sid]);
    expect(events[0].n).toBe(3);

    const objects = storedCertificateObjects();
    expect((await runIssueCertificates(s)).itemsProcessed).toBe(0);
    expect(storedCertificateObjects()).toBe(objects);
    expect(storedCertificateObjects()).toBe(await certificateCount());
  });

  it('R-CER-2: the job and issueCertificate racing for one registration make one certificate', async () => {
    const e = await passedLearner(s, sessionId);
    const [run, p] = await Promise.all([runIssueCertificates(s), issueCertificate(s, e.registrationId)]);
    expect(run.status).toBe('SUCCEEDED');
    expect(['', 'CERTIFICATE_ALREADY_ISSUED']).toContain(p.errors.map((x) => x.code).join());
    const [row] = await sql<{ n: number }>(s, 'select count(*)::int as n from certificate where registration_id = ?', [e.registrationId]);
    expect(row.n).toBe(1);
    expect(storedCertificateObjects()).toBe(await certificateCount());
  });
});

describe('reading certificates (R-CER-3, R-SEC-1)', () => {
  const REGISTRATION_CERT = `query($id: ID!) { registration(id: $id) { certificate { ${CERTIFICATE_FIELDS} } } }`;
  const CERT = `query($id: ID!) { certificate(id: $id) { id holderName } }`;

  it('R-SEC-1: a learner reads their own certificate (Registration.certificate, certificate(id)), never another one', async () => {
    const e = await certifiedLearner(s, sessionId);
    const other = await s.newLearner();
    const own = await s.gql<{ registration: { certificate: CertificateView } }>(REGISTRATION_CERT, { id: e.registrationId }, e.token);
    expect(own.data!.registration.certificate).toMatchObject({ id: e.certificate.id, holderName: 'Camille Martin' });
    expect((await s.gql(CERT, { id: e.certificate.id }, e.token)).data).toEqual({ certificate: { id: e.certificate.id, holderName: 'Camille Martin' } });
    expect((await s.gql(CERT, { id: e.certificate.id }, other.token)).data).toEqual({ certificate: null });
    expect((await s.gql(REGISTRATION_CERT, { id: e.registrationId }, other.token)).data).toEqual({ registration: null });
    expect(topLevelCodes(await s.gql('{ certificates { totalCount } }', {}, e.token))).toEqual(['FORBIDDEN']);
    expect(topLevelCodes(await s.gql(CERT, { id: e.certificate.id }))).toEqual(['UNAUTHENTICATED']);
  });

  it('staff list certificates by session and status, newest first', async () => {
    const sid = await examSession(s);
    const a = await certifiedLearner(s, sid);
    await s.setClock('2017-03-22T10:00:00Z');
    const b = await certifiedLearner(s, sid);
    expect((await revokeCertificate(s, a.certificate.id, 'identity fraud confirmed')).errors).toEqual([]);
    const q = `query($sid: ID, $st: CertificateStatus) { certificates(sessionId: $sid, status: $st) { totalCount edges { node { id status registration { id certificate { id } } } } } }`;
    const all = await s.gql<{ certificates: { totalCount: number; edges: { node: { id: string; registration: { id: string; certificate: { id: string } } } }[] } }>(q, { sid }, await s.tokenFor('SUPPORT'));
    expect(all.data!.certificates.totalCount).toBe(2);
    expect(all.data!.certificates.edges.map((x) => x.node.id)).toEqual([b.certificate.id, a.certificate.id]);
    expect(all.data!.certificates.edges[0].node.registration).toEqual({ id: b.registrationId, certificate: { id: b.certificate.id } });
    const revoked = await s.gql<{ certificates: { totalCount: number } }>(q, { sid, st: 'REVOKED' }, await s.tokenFor('CERTIFICATION'));
    expect(revoked.data!.certificates.totalCount).toBe(1);
  });
});

describe('revokeCertificate (R-CER-4)', () => {
  it('R-CER-4: CERTIFICATION revokes with a reason; the revocation is final and audited', async () => {
    const e = await certifiedLearner(s, sessionId);
    await s.setClock('2017-04-02T08:00:00Z');
    const noReason = await expectNoWrites(s, () => revokeCertificate(s, e.certificate.id, '  '));
    expect(noReason.errors).toEqual([expect.objectContaining({ code: 'COMMENT_REQUIRED', field: ['input', 'reason'] })]);
    expect(topLevelCodes(await s.gql(`mutation($i: RevokeCertificateInput!) { revokeCertificate(input: $i) { errors { code } } }`, { i: { certificateId: e.certificate.id, reason: 'x' } }, await s.tokenFor('SUPPORT')))).toEqual(['FORBIDDEN']);
    const r = await revokeCertificate(s, e.certificate.id, 'Fraude avérée : substitution de personne');
    expect(r.errors).toEqual([]);
    expect(r.certificate).toMatchObject({ status: 'REVOKED', revokedAt: '2017-04-02T08:00:00.000Z', revocationReason: 'Fraude avérée : substitution de personne', sha256: e.certificate.sha256 });
    const again = await expectNoWrites(s, () => revokeCertificate(s, e.certificate.id, 'again'));
    expect(again.errors.map((x) => x.code)).toEqual(['CERTIFICATE_REVOKED']);
    expect(again.certificate).toMatchObject({ status: 'REVOKED', revocationReason: 'Fraude avérée : substitution de personne' });
    const events = await auditEvents(s, { subjectId: e.certificate.id });
    expect(events.map((x) => x.action)).toContain('certificate.revoked');
    // R-CER-2: never re-issued, with this name or another.
    expect((await issueCertificate(s, e.registrationId)).errors.map((x) => x.code)).toEqual(['CERTIFICATE_ALREADY_ISSUED']);
    const unknown = await revokeCertificate(s, '00000000-0000-4000-8000-000000000000', 'reason');
    expect(unknown.errors.map((x) => x.code)).toEqual(['NOT_FOUND']);
  });
});

describe('refunds after a certificate (R-REF-3b)', () => {
  it('R-REF-3b: an issued certificate blocks every refund, even with a confirmed provider incident', async () => {
    const e = await passedLearner(s, sessionId);
    // A payment row (the exam factories mark registrations paid without one) and a confirmed incident.
    const em = s.orm.em.fork();
    const registration = await em.findOneOrFail(Registration, { id: e.registrationId });
    const paidAt = new Date('2017-02-01T10:00:00Z');
    const payment = em.create(Payment, {
      registration,
      amountCents: 6000,
      currency: 'EUR',
      cardBrand: 'VISA',
      cardExpiry: '0519',
      eCarteBleue: false,
      numAppel: String(randomInt(10 ** 9, 10 ** 10)),
      numTrans: String(randomInt(10 ** 9, 10 ** 10)),
      authorizationNumber: 'XXXXXX',
      paidAt,
      source: 'API',
      recordedAt: paidAt,
      recordedBy: 'test:factory',
    });
    await em.flush();
    const incidentId = await insertIncident(s, e.registrationId, { at: '2017-03-10T14:00:00Z', confirmed: true });
    const payments = await s.tokenFor('PAYMENTS');
    const before = await s.gql<{ refundEligibility: { eligible: boolean; reason: string | null; blockers: string[] } }>(ELIGIBILITY, { id: e.registrationId }, payments);
    expect(before.data!.refundEligibility).toMatchObject({ eligible: true, reason: 'PROVIDER_TECHNICAL_PROBLEM', blockers: [] });

    expect((await issueCertificate(s, e.registrationId)).errors).toEqual([]);
    const after = await s.gql<{ refundEligibility: { eligible: boolean; reason: string | null; blockers: string[] } }>(ELIGIBILITY, { id: e.registrationId }, payments);
    expect(after.data!.refundEligibility).toMatchObject({ eligible: false, reason: null });
    expect(after.data!.refundEligibility.blockers).toContain('CERTIFICATE_ALREADY_ISSUED');
    const request = await s.gql<{ requestRefund: { refundRequest: unknown; errors: { code: string }[] } }>(
      REQUEST_REFUND,
      {
        i: {
          registrationId: e.registrationId,
          reason: 'PROVIDER_TECHNICAL_PROBLEM',
          incidentId,
          paymentTicket: payment.numTrans,
          learnerFirstName: 'Camille',
          learnerLastName: 'Martin',
          username: 'camille',
          email: 'camille@example.org',
          idempotencyKey: `cert-${payment.id}`,
        },
      },
      payments,
    );
    expect(request.data!.requestRefund.errors.map((x) => x.code)).toEqual(['CERTIFICATE_ALREADY_ISSUED']);
  });
});
