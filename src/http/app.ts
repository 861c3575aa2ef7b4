import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { TokenSigner } from '../auth/tokens';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Context } from '../context';
import { type Orm, pendingMigrations } from '../db/orm';
import { type JobDefinition } from '../jobs/job';
import { defaultJobs } from '../jobs/registry';
import { Scheduler } from '../jobs/scheduler';
import { createLoaders } from '../resolvers/loaders';
import { buildSchema } from '../schema/build-schema';
import { createServices, type Services } from '../services';
import { registerGraphQL } from './graphql';

export interface AppDeps {
  config: Config;
  orm: Orm;
  /** The URL the ORM connects to (the scheduler opens its lock connections on it). */
  clientUrl: string;
  clock: Clock;
  /** Jobs to schedule; default: the registry. Tests pass their own. */
  jobs?: JobDefinition[];
  logger?: FastifyServerOptions['logger'];
}

export interface App {
  fastify: FastifyInstance;
  scheduler: Scheduler;
  services: Services;
  signer: TokenSigner;
  /** Whether the database answers and every migration is applied (cached once true). */
  isReady(): Promise<boolean>;
}

/** The HTTP server: /graphql, health and readiness; later issues add their routes here. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, orm, clock } = deps;
  const fastify = Fastify({
    logger: deps.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    return503OnClosing: true,
  });
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const signer = new TokenSigner(config.tokenSecret);
  const scheduler = new Scheduler({ orm, clientUrl: deps.clientUrl, clock, config, log: fastify.log, jobs: deps.jobs ?? defaultJobs() });
  const services = createServices({ signer, config, clock, scheduler });

  let ready = false;
  const isReady = async (): Promise<boolean> => {
    try {
      await orm.em.getConnection().execute('select 1');
      if (!ready) ready = (await pendingMigrations(orm)) === 0;
      return ready;
    } catch {
      return false;
    }
  };

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ok = await isReady();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });

  // Until migrations are applied the API answers 503, like /readyz.
  fastify.addHook('preHandler', async (request, reply) => {
    if (ready || request.url === '/healthz' || request.url === '/readyz') return;
    if (!(await isReady())) return reply.code(503).send({ error: 'not ready: the database is starting or migrating' });
  });

  const schema = await buildSchema({ testClock: config.testClock });
  await registerGraphQL(fastify, schema, {
    production: config.production,
    buildContext: async (request): Promise<Context> => {
      const em = orm.em.fork();
      const viewer = await services.identity.resolveViewer(em, request.headers.authorization);
      return { em, viewer, clock, config, requestId: String(request.id), log: request.log, services, loaders: createLoaders(em) };
    },
  });

  fastify.addHook('onClose', async () => {
    await scheduler.stop();
  });

  return { fastify, scheduler, services, signer, isReady };
}
