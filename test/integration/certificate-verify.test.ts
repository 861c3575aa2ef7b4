import { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/http/app';
import { certifiedLearner, type CertificateView, issueCertificate, passedLearner, revokeCertificate } from '../helpers/certificate-factories';
import { examSession } from '../helpers/exam-factories';
import { topLevelCodes } from '../helpers/inputs-common';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let cert: CertificateView;

beforeAll(async () => {
  s = await startTestServer();
  const sessionId = await examSession(s);
  const e = await passedLearner(s, sessionId);
  await s.setClock('2017-03-20T09:30:00Z');
  cert = (await issueCertificate(s, e.registrationId)).certificate!;
});
afterAll(() => s?.close());

const VERIFY = `query($c: String!) { verifyCertificate(code: $c) { status holderName courseTitle university issuedAt revokedAt } }`;
let address = 0;
/** A client address of its own, so the rate limit of one test does not touch another. */
const newAddress = () => `203.0.113.${++address}`;

function verify(app: FastifyInstance, code: string, opts: { json?: boolean; ip?: string } = {}) {
  return app.inject({
    method: 'GET',
    url: `/verify/${encodeURIComponent(code)}`,
    headers: opts.json ? { accept: 'application/json' } : { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    remoteAddress: opts.ip ?? newAddress(),
  });
}

describe('GET /verify/:code (R-CER-3)', () => {
  it('R-CER-3: JSON for programs, without logging in: status, name, course, university, dates', async () => {
    const r = await verify(s.app.fastify, cert.verificationCode, { json: true });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json()).toEqual({ status: 'VALID', holderName: 'Camille Martin', courseTitle: cert.courseTitle, university: cert.university, issuedAt: '2017-03-20T09:30:00.000Z', revokedAt: null });
  });

  it('R-CER-3: an HTML page for people, in French, with the fields escaped', async () => {
    const r = await verify(s.app.fastify, cert.verificationCode);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<html lang="fr">');
    expect(r.body).toContain('Statut : <span class="valid">Valide</span>');
    expect(r.body).toContain('<dt>Titulaire</dt><dd>Camille Martin</dd>');
    expect(r.body).toContain('<dt>Délivré le</dt><dd>20 mars 2017</dd>');
    expect(r.body).toContain(`<dd>${cert.courseTitle.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}</dd>`);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('R-CER-3: lowercase and missing dashes are accepted; an unknown or malformed code is 404', async () => {
    const loose = cert.verificationCode.toLowerCase().replace(/-/g, '');
    expect((await verify(s.app.fastify, loose, { json: true })).json()).toMatchObject({ holderName: 'Camille Martin' });
    expect((await verify(s.app.fastify, ` ${cert.verificationCode.toLowerCase()} `, { json: true })).statusCode).toBe(200);
    const unknown = await verify(s.app.fastify, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', { json: true });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
    const html = await verify(s.app.fastify, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('Certificat introuvable');
    for (const bad of ['O000-1111-IIII-0000', 'short', '<script>alert(1)</script>', 'A'.repeat(100)]) {
      const r = await verify(s.app.fastify, bad);
      expect(r.statusCode, bad).toBe(404);
      expect(r.body).not.toContain('<script>');
    }
  });

  it('R-CER-3: verifyCertificate answers anonymous callers; null for an unknown code', async () => {
    const r = await s.gql<{ verifyCertificate: unknown }>(VERIFY, { c: cert.verificationCode });
    expect(r.errors).toBeUndefined();
    expect(r.data!.verifyCertificate).toEqual({ status: 'VALID', holderName: 'Camille Martin', courseTitle: cert.courseTitle, university: cert.university, issuedAt: '2017-03-20T09:30:00.000Z', revokedAt: null });
    expect((await s.gql(VERIFY, { c: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' })).data).toEqual({ verifyCertificate: null });
    expect((await s.gql(VERIFY, { c: 'nonsense' }, await s.tokenFor('SUPPORT'))).data).toEqual({ verifyCertificate: null });
  });
});

/** Starts a burst early in a one-minute window (real clock), so it cannot straddle two windows. */
describe('rate limit (R-CER-3)', () => {
  let second: App;
  beforeAll(async () => {
    // A second server instance on the same database: the counters live in PostgreSQL.
    second = await createApp({ config: s.config, orm: s.orm, clientUrl: s.dbUrl, clock: s.clock, jobs: [], logger: false });
    await second.fastify.ready();
  });
  afterAll(() => second?.fastify.close());

  it('R-CER-3: 30 lookups per minute per address across instances, then 429 with Retry-After; other addresses unaffected', async () => {
    const ip = newAddress();
    // Unknown codes count too (no guessing), on either instance.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await verify(i % 2 ? second.fastify : s.app.fastify, i % 3 ? cert.verificationCode : 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', { json: true, ip })).statusCode);
    expect(statuses.filter((x) => x === 429)).toEqual([]);
    for (const app of [s.app.fastify, second.fastify]) {
      const limited = await verify(app, cert.verificationCode, { json: true, ip });
      expect(limited.statusCode).toBe(429);
      const retry = Number(limited.headers['retry-after']);
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    }
    expect((await verify(s.app.fastify, cert.verificationCode, { ip })).body).toContain('Trop de vérifications');
    expect((await verify(second.fastify, cert.verificationCode, { json: true })).statusCode).toBe(200);
  });

  it('R-CER-3: the window slides: once the oldest lookups are a minute old, the address may look up again, one per lookup that left', async () => {
    const ip = newAddress();
    for (let i = 0; i < 30; i++) expect((await verify(s.app.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(200);
    expect((await verify(s.app.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(429);
    // The shared limiter's rows (rate_limit_event, scope verify:address): age the two oldest past the window.
    const em = s.orm.em.fork();
    const [{ n }] = await em.execute<{ n: string }[]>(`select count(*) as n from rate_limit_event where scope = 'verify:address'`);
    expect(Number(n)).toBeGreaterThanOrEqual(30);
    await em.execute(
      `update rate_limit_event set at = at - interval '61 seconds' where id in (
         select id from rate_limit_event where scope = 'verify:address' and at > now() - interval '60 seconds' order by at desc limit 2 offset 28)`,
    );
    expect((await verify(s.app.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(200);
    expect((await verify(second.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(200);
    expect((await verify(s.app.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(429);
  });

  it('R-CER-3: the GraphQL verifyCertificate shares the limit of its address', async () => {
    const ip = newAddress();
    for (let i = 0; i < 30; i++) expect((await verify(s.app.fastify, cert.verificationCode, { json: true, ip })).statusCode).toBe(200);
    const r = await s.app.fastify.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: VERIFY, variables: { c: cert.verificationCode } }, remoteAddress: ip });
    const body = r.json() as { data: unknown; errors: { extensions: { code: string; retryAfter: number } }[] };
    expect(topLevelCodes({ status: r.statusCode, errors: body.errors as never, headers: new Headers() })).toEqual(['RATE_LIMITED']);
    expect(body.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
  });
});

describe('revocation at /verify (R-CER-4)', () => {
  it('R-CER-4: a revoked certificate verifies as REVOKED with its revocation date', async () => {
    const sessionId = await examSession(s);
    const other = (await certifiedLearner(s, sessionId)).certificate;
    await s.setClock('2017-04-02T08:00:00Z'); // after the exam flow moved the clock
    expect((await revokeCertificate(s, other.id, 'Fraude confirmée')).errors).toEqual([]);
    const json = await verify(s.app.fastify, other.verificationCode, { json: true });
    expect(json.json()).toMatchObject({ status: 'REVOKED', holderName: 'Camille Martin', revokedAt: '2017-04-02T08:00:00.000Z' });
    const html = await verify(s.app.fastify, other.verificationCode);
    expect(html.body).toContain('<span class="revoked">Révoqué</span>');
    expect(html.body).toContain('<dt>Révoqué le</dt><dd>2 avril 2017</dd>');
    expect((await s.gql<{ verifyCertificate: { status: string } }>(VERIFY, { c: other.verificationCode })).data!.verifyCertificate.status).toBe('REVOKED');
  });
});
