import { type FastifyPluginAsync } from 'fastify';
import { hasRole } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Orm } from '../db/orm';
import { isDomainError } from '../domain/errors';
import { type Services } from '../services';

/** `GET /learners/:id/export.json` (SUPPORT, ADMIN; bearer token): the exportLearnerData document as a download, audited the same way. */
export const learnerExportRoute: FastifyPluginAsync<{ orm: Orm; config: Config; clock: Clock; services: Services }> = async (fastify, opts) => {
  fastify.get<{ Params: { id: string } }>('/learners/:id/export.json', async (request, reply) => {
    const em = opts.orm.em.fork();
    const viewer = await opts.services.identity.resolveViewer(em, request.headers.authorization);
    if (viewer.kind === 'ANONYMOUS' || viewer.tokenProblem) return reply.code(401).send({ error: 'authentication required' });
    if (viewer.kind !== 'STAFF' || !hasRole(viewer, 'SUPPORT')) return reply.code(403).send({ error: 'SUPPORT or ADMIN only' });
    try {
      const doc = await opts.services.learnerData.export({ em, viewer, clock: opts.clock, config: opts.config, requestId: String(request.id), log: request.log }, request.params.id);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="learner-${request.params.id}.json"`)
        .header('cache-control', 'no-store')
        .send(JSON.stringify(doc, null, 2));
    } catch (err) {
      if (isDomainError(err)) return reply.code(err.code === 'NOT_FOUND' ? 404 : 400).send({ error: err.message, code: err.code });
      throw err;
    }
  });
};
