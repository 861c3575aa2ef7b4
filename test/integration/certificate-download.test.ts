import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_PURPOSE } from '../../src/services/certificate.service';
import { certifiedLearner, type CertificateView, issueCertificate, passedLearner, revokeCertificate } from '../helpers/certificate-factories';
import { examSession } from '../helpers/exam-factories';
import { auditEvents, UPSERT_LEARNER } from '../helpers/inputs-common';
import { decodeQrInPdf, pdfText } from '../helpers/pdf-inspect';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

/** GET a certificate path (or a downloadUrl, whose origin is PUBLIC_URL) on the test server. */
async function get(pathOrUrl: string, token?: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const u = new URL(pathOrUrl, s.url);
  const res = await fetch(`${s.url}${u.pathname}${u.search}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const pdfPath = (c: { id: string }) => `/certificates/${c.id}.pdf`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('GET /certificates/:id.pdf (R-CER-2, R-CER-3)', () => {
  let cert: CertificateView;
  let learnerToken: string;

  beforeAll(async () => {
    const e = await certifiedLearner(s, sessionId);
    cert = e.certificate;
    learnerToken = e.token;
  });

  it('R-CER-2: the same bytes on every download, whose SHA-256 is the recorded one; a safe file name', async () => {
    const a = await get(pdfPath(cert), learnerToken);
    const b = await get(pdfPath(cert), await s.tokenFor('SUPPORT'));
    const c = await get(cert.downloadUrl);
    for (const r of [a, b, c]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/pdf');
      expect(r.body.equals(a.body)).toBe(true);
    }
    expect(a.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha256(a.body)).toBe(cert.sha256);
    expect(a.headers.get('content-disposition')).toBe(`attachment; filename="certificat-Camille-Martin-${cert.verificationCode}.pdf"`);
    expect(a.headers.get('cache-control')).toBe('private, no-store');
  });

  it('R-CER-3: the QR code of the PDF decodes to the verification URL, which is printed with the code', async () => {
    const { body } = await get(pdfPath(cert), learnerToken);
    expect(decodeQrInPdf(body)).toBe(cert.verificationUrl);
    const text = await pdfText(body);
    expect(text).toContain(cert.verificationCode);
    expect(text).toContain(cert.verificationUrl);
    expect(text).toContain('Camille Martin');
  });

  it('R-CER-3: access matrix: the learner, each staff role, INTEGRATION; another learner 404; anonymous 401; links valid, expired, tampered', async () => {
    expect((await get(pdfPath(cert), learnerToken)).status).toBe(200);
    for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN', 'INTEGRATION'] as const) {
      expect((await get(pdfPath(cert), await s.tokenFor(role))).status, role).toBe(200);
    }
    const other = await s.newLearner();
    const otherRes = await get(pdfPath(cert), other.token);
    const missing = await get('/certificates/00000000-0000-4000-8000-000000000000.pdf', other.token);
    expect([otherRes.status, missing.status]).toEqual([404, 404]);
    expect(otherRes.body.toString()).toBe(missing.body.toString()); // no existence leak
    expect((await get(pdfPath(cert))).status).toBe(401);
    expect((await get(pdfPath(cert), 'l.forged.token')).status).toBe(401);

    expect((await get(cert.downloadUrl)).status).toBe(200);
    const url = new URL(cert.downloadUrl);
    const expires = Number(url.searchParams.get('expires'));
    expect(expires - Date.now() / 1000).toBeGreaterThan(14 * 60);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(15 * 60);
    const past = Math.floor(Date.now() / 1000) - 1;
    const expired = `${pdfPath(cert)}?expires=${past}&sig=${s.app.signer.signLink(LINK_PURPOSE, cert.id, past)}`;
    expect((await get(expired)).status).toBe(403);
    const sig = url.searchParams.get('sig')!;
    expect((await get(`${pdfPath(cert)}?expires=${expires + 60}&sig=${sig}`)).status).toBe(403);
    expect((await get(`${pdfPath(cert)}?expires=${expires}&sig=${sig.slice(0, -2)}AA`)).status).toBe(403);
    const another = (await certifiedLearner(s, sessionId)).certificate;
    expect((await get(`${pdfPath(another)}?expires=${expires}&sig=${sig}`)).status).toBe(403);
    expect((await get(`${pdfPath(cert)}?expires=${expires}`)).status).toBe(403);
    // The domain clock does not move signed links (contract/HTTP.md): six weeks on, still valid.
    await s.setClock('2017-05-01T00:00:00Z');
    expect((await get(cert.downloadUrl)).status).toBe(200);
  });

  it('R-SEC-2: staff downloads are audited', async () => {
    await get(pdfPath(cert), await s.tokenFor('SUPPORT'));
    const events = await auditEvents(s, { subjectId: cert.id, action: 'certificate.download' });
    expect(events.map((e) => e.actor)).toContain('staff:support@test.local');
  });

  it('R-CER-4: a revoked certificate: staff still download it; the learner, INTEGRATION and signed links get 410', async () => {
    const e = await certifiedLearner(s, sessionId);
    const link = e.certificate.downloadUrl;
    const before = await get(pdfPath(e.certificate), e.token);
    expect((await revokeCertificate(s, e.certificate.id, 'Fraude confirmée')).errors).toEqual([]);
    for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN'] as const) {
      const r = await get(pdfPath(e.certificate), await s.tokenFor(role));
      expect(r.status, role).toBe(200);
      expect(r.body.equals(before.body)).toBe(true);
    }
    expect((await get(pdfPath(e.certificate), e.token)).status).toBe(410);
    expect((await get(pdfPath(e.certificate), await s.tokenFor('INTEGRATION'))).status).toBe(410);
    expect((await get(link)).status).toBe(410);
    expect((await get(pdfPath(e.certificate), (await s.newLearner()).token)).status).toBe(404);
  });
});

describe('the locked name is the only source (R-REG-2, R-CER-1)', () => {
  it('R-CER-1: after the account name changed, the PDF still shows the locked name', async () => {
    const e = await passedLearner(s, sessionId);
    const [learner] = await sql<{ external_id: string; email: string; username: string }>(s, 'select external_id, email, username from learner where id = ?', [e.learnerId]);
    const renamed = await s.gql<{ upsertLearner: { learner: { id: string } | null; errors: unknown[] } }>(
      UPSERT_LEARNER,
      { i: { externalId: learner.external_id, email: learner.email, username: learner.username, givenName: 'Zoé', familyName: 'Renommée' } },
      await s.tokenFor('INTEGRATION'),
    );
    expect(renamed.data!.upsertLearner.errors).toEqual([]);
    const [account] = await sql<{ given_name: string; family_name: string }>(s, 'select given_name, family_name from learner where id = ?', [e.learnerId]);
    expect(account).toEqual({ given_name: 'Zoé', family_name: 'Renommée' });

    const issued = await issueCertificate(s, e.registrationId);
    expect(issued.certificate!.holderName).toBe('Camille Martin');
    const pdf = await get(pdfPath(issued.certificate!), e.token);
    const text = await pdfText(pdf.body);
    expect(text).toContain('Camille Martin');
    expect(text).not.toContain('Renommée');
    expect(sha256(pdf.body)).toBe(issued.certificate!.sha256);
  });
});
