import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { TokenSigner } from '../auth/tokens';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type Context } from '../context';
import { type Orm, pendingMigrations } from '../db/orm';
import { type JobDefinition } from '../jobs/job';
import { defaultJobs } from '../jobs/registry';
import { Scheduler } from '../jobs/scheduler';
import { createPayboxDirect, type PayboxDirectProvider } from '../providers/paybox/direct-provider';
import { createProctorU, type ProctorUProvider } from '../providers/proctoru/provider';
import { createLoaders } from '../resolvers/loaders';
import { buildSchema } from '../schema/build-schema';
import { createServices, type Services } from '../services';
import { createObjectStore, type ObjectStore, SealedStore } from '../storage';
import { loggerOptions, REQUEST_ID_LOG_LABEL } from '../logging';
import { certificateRoute } from './certificate.route';
import { registerAdmin } from './admin.route';
import { registerGraphQL } from './graphql';
import { lazySchemaCompilers } from './lazy-schema-compilers';
import { evidenceRoute } from './evidence.route';
import { learnerExportRoute } from './learner-export.route';
import { registerMetrics } from './metrics';
import { payboxIpnRoute } from './paybox-ipn.route';
import { proctoruEventsRoute } from './proctoru-events.route';
import { reportsRoute } from './reports.route';
import { registerHttpSecurity } from './security';

export interface AppDeps {
  config: Config;
  orm: Orm;
  /** The URL the ORM connects to (the scheduler opens its lock connections on it). */
  clientUrl: string;
  clock: Clock;
  /** Jobs to schedule; default: the registry. Tests pass their own. */
  jobs?: JobDefinition[];
  logger?: FastifyServerOptions['logger'];
  /** Readiness also waits for `startupComplete()` (main.ts: after migrations and the first ADMIN). */
  awaitStartup?: boolean;
  /** The object store; default: the configured one (`STORAGE`). */
  objectStore?: ObjectStore;
}

export interface App {
  fastify: FastifyInstance;
  scheduler: Scheduler;
  services: Services;
  signer: TokenSigner;
  /** Paybox Direct (refunds): the live client, or the in-process simulator (`paybox.simulator`). */
  paybox: PayboxDirectProvider;
  /** ProctorU: the live client, or the in-process simulator (`proctoru.simulator`). */
  proctoru: ProctorUProvider;
  /** The encrypted object store (evidence media, certificate PDFs). */
  objects: SealedStore;
  /** Whether the database answers and every migration is applied (cached once true). */
  isReady(): Promise<boolean>;
  /** Start-up tasks are done (see `awaitStartup`). */
  startupComplete(): void;
}

/** The HTTP server: /graphql, health and readiness; later issues add their routes here. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, orm, clock } = deps;
  const fastify = Fastify({
    logger: deps.logger ?? loggerOptions(config),
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_LABEL }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // The client address (per-address limits, logs): the TCP peer, unless it is a trusted proxy (TRUST_PROXY).
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    return503OnClosing: true,
    schemaController: lazySchemaCompilers(),
  });
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerMetrics(fastify, { orm, isPublic: config.metricsPublic });
  await registerHttpSecurity(fastify, config);

  const signer = new TokenSigner(config.tokenSecret, config.tokenSecretsPrevious);
  const scheduler = new Scheduler({ orm, clientUrl: deps.clientUrl, clock, config, log: fastify.log, jobs: deps.jobs ?? defaultJobs() });
  const paybox = await createPayboxDirect(config.paybox);
  const proctoru = await createProctorU(config.proctoru);
  const objects = new SealedStore(deps.objectStore ?? createObjectStore(config));
  const services = createServices({ signer, config, clock, scheduler, paybox: paybox.direct, proctoru: proctoru.client, objects });
  scheduler.attachServices(services);

  let ready = false;
  let started = !deps.awaitStartup;
  const isReady = async (): Promise<boolean> => {
    if (!started) return false;
    try {
      await orm.em.getConnection().execute('select 1');
      if (!ready) ready = (await pendingMigrations(orm)) === 0;
      return ready;
    } catch {
      return false;
    }
  };

  services.proctoru.start(orm, fastify.log, isReady);

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ok = await isReady();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });

  // Until migrations are applied the API answers 503, like /readyz.
  fastify.addHook('preHandler', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (ready || path === '/healthz' || path === '/readyz') return;
    if (!(await isReady())) return reply.code(503).send({ error: 'not ready: the database is starting or migrating' });
  });

  // Before /graphql: its hook serves GraphiQL to browsers (GET, Accept: text/html, no query).
  registerAdmin(fastify, { graphiql: config.graphiql });
  const schema = await buildSchema({ testClock: config.testClock });
  await registerGraphQL(fastify, schema, {
    production: config.production,
    buildContext: async (request): Promise<Context> => {
      const em = orm.em.fork();
      const viewer = await services.identity.resolveViewer(em, request.headers.authorization);
      return { em, viewer, clock, config, requestId: String(request.id), clientAddress: request.ip, log: request.log, services, loaders: createLoaders(em) };
    },
  });
  await fastify.register(payboxIpnRoute, { orm, config, clock, services });
  await fastify.register(proctoruEventsRoute, { orm, config, clock, services });
  await fastify.register(reportsRoute, { orm, clientUrl: deps.clientUrl, replicaUrls: config.databaseReplicaUrls, clock, services });
  await fastify.register(evidenceRoute, { orm, config, clock, services });
  await fastify.register(certificateRoute, { orm, clock, services });
  await fastify.register(learnerExportRoute, { orm, config, clock, services });

  fastify.addHook('onClose', async () => {
    await scheduler.stop();
    await paybox.close();
    await services.proctoru.stop();
    await proctoru.close();
  });

  return { fastify, scheduler, services, signer, paybox, proctoru, objects, isReady, startupComplete: () => void (started = true) };
}
