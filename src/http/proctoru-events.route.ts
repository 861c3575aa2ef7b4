import { type FastifyInstance } from 'fastify';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { type Orm } from '../db/orm';
import { isDomainError } from '../domain/errors';
import { SIGNATURE_HEADER, verifyEventSignature } from '../providers/proctoru/webhook';
import { type Services } from '../services';

export interface ProctorUEventsDeps {
  orm: Orm;
  config: Config;
  clock: Clock;
  services: Services;
}

const STATUS_OF: Record<string, number> = { VALIDATION_FAILED: 400, NOT_FOUND: 404, EVIDENCE_ALREADY_STORED: 409, PROVIDER_UNAVAILABLE: 502 };

/**
 * `POST /integrations/proctoru/events` (README "ProctorU integration"): an INTEGRATION token, and the
 * `X-ProctorU-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
 * PROCTORU_WEBHOOK_SECRET) checked on the raw body before anything is parsed. A bad signature, or one
 * older than 5 minutes (a replay; real clock), is 401 and nothing is recorded. Answers 200
 * `{ status: 'processed' | 'duplicate' }`, or an error `{ code, message }` (ProctorU sends it again later).
 */
export async function proctoruEventsRoute(fastify: FastifyInstance, deps: ProctorUEventsDeps): Promise<void> {
  // The signature covers the body as received: keep the bytes (this plugin's scope only).
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  fastify.post('/integrations/proctoru/events', async (request, reply) => {
    const em = deps.orm.em.fork();
    const viewer = await deps.services.identity.resolveViewer(em, request.headers.authorization);
    if (viewer.kind === 'ANONYMOUS' || viewer.tokenProblem) return reply.code(401).send({ code: 'UNAUTHENTICATED', message: 'An INTEGRATION token is required' });
    if (!viewer.roles.includes('INTEGRATION')) return reply.code(403).send({ code: 'FORBIDDEN', message: 'Only an INTEGRATION token may post ProctorU events' });
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers[SIGNATURE_HEADER];
    const check = verifyEventSignature(deps.config.proctoru.webhookSecret, raw, typeof header === 'string' ? header : undefined, Math.floor(deps.clock.realNow().getTime() / 1000));
    if (!check.valid) {
      request.log.warn({ reason: check.reason }, 'ProctorU event refused: signature');
      return reply.code(401).send({ code: check.reason === 'replay' ? 'REPLAY' : 'BAD_SIGNATURE', message: check.reason === 'replay' ? 'The event is older than 5 minutes' : `Signature ${check.reason}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ code: 'VALIDATION_FAILED', message: 'The body is not JSON' });
    }
    const ctx: ServiceContext = { em, viewer, clock: deps.clock, config: deps.config, requestId: String(request.id), log: request.log };
    try {
      return reply.code(200).send(await deps.services.proctoruEvents.handle(ctx, body, deps.services.evidence));
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return reply.code(STATUS_OF[err.code] ?? 422).send({ code: err.code, message: err.message, field: err.field ?? null });
    }
  });
}
