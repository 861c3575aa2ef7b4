import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasRole } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { type Orm } from '../db/orm';
import { capturedAt } from '../domain/evidence';
import { isDomainError } from '../domain/errors';
import { type Services } from '../services';

export interface EvidenceRouteDeps {
  orm: Orm;
  config: Config;
  clock: Clock;
  services: Services;
}

const STATUS_OF: Record<string, number> = { VALIDATION_FAILED: 400, NOT_FOUND: 404, EVIDENCE_ALREADY_STORED: 409 };

/** An early refusal leaves the upload unread: close the connection rather than drain gigabytes. */
function refuse(reply: FastifyReply, status: number, code: string, error: string, field?: string[] | null) {
  return reply.code(status).header('connection', 'close').send({ error, code, field: field ?? null });
}

/**
 * Evidence over HTTP (contract/HTTP.md):
 * - `PUT /evidence/:attemptId/:kind` (INTEGRATION): the body streams into the encrypted store (no body
 *   limit and no buffering: this plugin's content-type parser hands the raw request stream over);
 *   201 `{ id, sha256, sizeBytes, retainUntil }`; 400 bad kind / X-Captured-At / empty body; 404 unknown
 *   attempt; 409 a second object of the kind; 401 / 403 without an INTEGRATION token.
 * - `GET /evidence/:id?expires=&sig=` (the signed link of `Evidence.viewUrl`): streams the plaintext with
 *   its content type and HTTP Range support (206, `Content-Range`, 416); 403 for a tampered or expired
 *   link, 410 once purged.
 */
export async function evidenceRoute(fastify: FastifyInstance, deps: EvidenceRouteDeps): Promise<void> {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));

  fastify.put('/evidence/:attemptId/:kind', async (request: FastifyRequest<{ Params: { attemptId: string; kind: string } }>, reply) => {
    const em = deps.orm.em.fork();
    const viewer = await deps.services.identity.resolveViewer(em, request.headers.authorization);
    if (viewer.kind === 'ANONYMOUS' || viewer.tokenProblem) {
      reply.header('www-authenticate', 'Bearer');
      return refuse(reply, 401, 'UNAUTHENTICATED', 'An INTEGRATION token is required');
    }
    if (!hasRole(viewer, 'INTEGRATION')) return refuse(reply, 403, 'FORBIDDEN', 'Only an INTEGRATION token may store evidence');
    const ctx: ServiceContext = { em, viewer, clock: deps.clock, config: deps.config, requestId: String(request.id), log: request.log };
    try {
      const header = request.headers['x-captured-at'];
      const evidence = await deps.services.evidence.ingest(ctx, {
        attemptId: request.params.attemptId,
        kind: request.params.kind,
        contentType: request.headers['content-type'],
        capturedAt: capturedAt(typeof header === 'string' ? header : undefined, deps.clock.now()),
        body: request.raw,
      });
      return reply.code(201).send({ id: evidence.id, sha256: evidence.sha256, sizeBytes: evidence.sizeBytes, retainUntil: evidence.retainUntil.toISOString() });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return refuse(reply, STATUS_OF[err.code] ?? 422, err.code, err.message, err.field);
    }
  });

  fastify.get('/evidence/:id', async (request: FastifyRequest<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>, reply) => {
    const q = request.query;
    const opened = await deps.services.evidence.open({ em: deps.orm.em.fork(), clock: deps.clock }, request.params.id, { expires: String(q.expires ?? ''), sig: String(q.sig ?? '') }, request.headers.range);
    reply.header('cache-control', 'no-store');
    switch (opened.kind) {
      case 'forbidden':
        return reply.code(403).send({ error: 'This link is not valid or has expired: ask for a new one (Evidence.viewUrl)', code: 'FORBIDDEN' });
      case 'not-found':
        return reply.code(404).send({ error: 'No evidence with this id', code: 'NOT_FOUND' });
      case 'purged':
        return reply.code(410).send({ error: 'This evidence was destroyed at the end of its retention (R-EVI-4)', code: 'EVIDENCE_PURGED' });
      case 'unsatisfiable':
        return reply.code(416).header('content-range', `bytes */${opened.size}`).header('accept-ranges', 'bytes').send({ error: 'The range is outside the object', code: 'RANGE_NOT_SATISFIABLE' });
    }
    const { range, size } = opened;
    reply
      .header('content-type', opened.contentType)
      .header('accept-ranges', 'bytes')
      .header('content-length', String(range ? range.end - range.start + 1 : size))
      .header('content-disposition', 'inline')
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${opened.sha256}"`);
    if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    return reply.send(opened.body);
  });
}
