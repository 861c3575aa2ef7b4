import { createHash } from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasRole, type Viewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Orm } from '../db/orm';
import { frenchIssueDate } from '../reports/french-date';
import { certificateFileName } from '../domain/certificate';
import { Certificate } from '../entities';
import { type Services } from '../services';
import { audit } from '../services/audit.service';
import { type CertificateVerification } from '../services/certificate.service';
import { RateLimitedError } from '../services/certificate-verification';

export interface CertificateRouteDeps {
  orm: Orm;
  clock: Clock;
  services: Services;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who is asking for a PDF: a signed link, or a bearer token's viewer. */
type Access = { kind: 'link' } | { kind: 'viewer'; viewer: Viewer };

/**
 * R-CER-3 over HTTP.
 *
 * `GET /certificates/:id.pdf`: the stored bytes, exactly as issued (R-CER-2), for
 *  - the learner themself (learner token); another learner gets 404, as for a certificate that does
 *    not exist (no existence leak);
 *  - staff (SUPPORT, PAYMENTS, CERTIFICATION, ADMIN) and the platform (INTEGRATION); staff downloads
 *    are audited (R-SEC-2);
 *  - a signed link from `Certificate.downloadUrl` (15 minutes, real clock); an expired or altered
 *    link is 403.
 * No credentials: 401. A REVOKED certificate stays downloadable by staff only: the learner, the
 * platform and signed links get 410 Gone (it existed, and it is no longer valid to hand out).
 *
 * `GET /verify/:code`: public; HTML for people (French), JSON with `Accept: application/json`;
 * rate-limited per client address (429 with Retry-After); unknown code 404.
 */
export async function certificateRoute(fastify: FastifyInstance, deps: CertificateRouteDeps): Promise<void> {
  const { orm, clock, services } = deps;

  fastify.get('/certificates/:file', async (request: FastifyRequest<{ Params: { file: string }; Querystring: Record<string, unknown> }>, reply) => {
    const match = /^(.+)\.pdf$/.exec(request.params.file);
    const id = match?.[1] ?? '';
    const q = request.query;
    let access: Access;
    const em = orm.em.fork();
    if (q.sig !== undefined || q.expires !== undefined) {
      if (!UUID.test(id) || !services.certificates.verifyDownloadLink(id, q.expires, q.sig, clock.realNow())) {
        return reply.code(403).send({ error: 'this download link is not valid or has expired', code: 'FORBIDDEN' });
      }
      access = { kind: 'link' };
    } else {
      const viewer = await services.identity.resolveViewer(em, request.headers.authorization);
      if (viewer.kind === 'ANONYMOUS') return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'authentication required', code: 'UNAUTHENTICATED' });
      if (viewer.kind !== 'LEARNER' && !hasRole(viewer, 'SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION')) {
        return reply.code(403).send({ error: 'your roles do not allow certificate downloads', code: 'FORBIDDEN' });
      }
      access = { kind: 'viewer', viewer };
    }
    const notFound = () => reply.code(404).send({ error: 'no certificate with this id', code: 'NOT_FOUND' });
    if (!UUID.test(id)) return notFound();
    const cert = await em.findOne(Certificate, { id }, { populate: ['registration'] });
    if (!cert) return notFound();
    const viewer = access.kind === 'viewer' ? access.viewer : null;
    if (viewer?.kind === 'LEARNER' && cert.registration.learner.id !== viewer.learnerId) return notFound();
    const staff = viewer !== null && viewer.kind !== 'LEARNER' && hasRole(viewer, 'SUPPORT', 'PAYMENTS', 'CERTIFICATION');
    if (cert.status === 'REVOKED' && !staff) return reply.code(410).send({ error: 'this certificate has been revoked', code: 'CERTIFICATE_REVOKED' });

    const pdf = await services.certificates.readPdf(em, cert);
    if (createHash('sha256').update(pdf).digest('hex') !== cert.sha256) throw new Error(`certificate ${cert.id}: stored bytes do not match the recorded SHA-256`);
    if (staff) {
      audit(em, { viewer: viewer!, clock, requestId: String(request.id) }, 'certificate.download', { type: 'Certificate', id: cert.id }, { registrationId: cert.registration.id });
      await em.flush();
    }
    return reply
      .code(200)
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${certificateFileName(cert.holderName, cert.verificationCode)}"`)
      .header('content-length', String(pdf.length))
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(pdf);
  });

  fastify.get('/verify/:code', async (request: FastifyRequest<{ Params: { code: string } }>, reply) => {
    const json = wantsJson(request.headers.accept);
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    let found: CertificateVerification | null;
    try {
      found = await services.certificates.verify(orm.em.fork(), clock, request.params.code, request.ip);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      reply.code(429).header('retry-after', String(err.retryAfterSeconds));
      return json ? reply.send({ error: err.message, code: 'RATE_LIMITED', retryAfter: err.retryAfterSeconds }) : html(reply, page('Trop de vérifications', `<p>Trop de vérifications depuis cette adresse. Réessayez dans ${err.retryAfterSeconds} secondes.</p>`));
    }
    if (!found) {
      reply.code(404);
      return json ? reply.send({ error: 'no certificate with this verification code', code: 'NOT_FOUND' }) : html(reply, page('Certificat introuvable', '<p>Aucun certificat ne porte ce code de vérification. Vérifiez le code saisi.</p>'));
    }
    if (json) {
      return reply.send({ status: found.status, holderName: found.holderName, courseTitle: found.courseTitle, university: found.university, issuedAt: found.issuedAt.toISOString(), revokedAt: found.revokedAt?.toISOString() ?? null });
    }
    return html(reply, verificationPage(found));
  });
}

/** JSON when the client asks for it over HTML (programs send `Accept: application/json`). */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  const j = types.indexOf('application/json');
  const h = types.indexOf('text/html');
  return j >= 0 && (h < 0 || j < h);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function html(reply: FastifyReply, body: string) {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(body);
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{color:#1f3a68;font-size:1.6rem}dt{font-weight:600;margin-top:.8rem}dd{margin:0}
.valid{color:#1b6e2a;font-weight:700}.revoked{color:#a11;font-weight:700}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${content}
</body></html>
`;
}

function verificationPage(v: CertificateVerification): string {
  const status = v.status === 'VALID' ? '<span class="valid">Valide</span>' : '<span class="revoked">Révoqué</span>';
  const rows: [string, string][] = [
    ['Titulaire', escapeHtml(v.holderName)],
    ['Formation', escapeHtml(v.courseTitle)],
    ['Université', escapeHtml(v.university)],
    ['Délivré le', escapeHtml(frenchIssueDate(v.issuedAt))],
  ];
  if (v.revokedAt) rows.push(['Révoqué le', escapeHtml(frenchIssueDate(v.revokedAt))]);
  const list = rows.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join('\n');
  return page('Vérification de certificat', `<p>Statut : ${status}</p>\n<dl>\n${list}\n</dl>`);
}
