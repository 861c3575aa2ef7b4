import { type EntityManager } from '@mikro-orm/postgresql';
import { type FastifyBaseLogger } from 'fastify';
import { type Viewer } from './auth/viewer';
import { type Clock } from './clock';
import { type Config } from './config';
import { type Loaders } from './resolvers/loaders';
import { type Services } from './services';

/** Built once per request: `{ em, viewer, clock, loaders, services }` (STYLE.md, "How a request flows"). */
export interface Context {
  em: EntityManager;
  viewer: Viewer;
  clock: Clock;
  config: Config;
  requestId: string;
  /** The caller's address (per-address rate limits); absent outside HTTP requests. */
  clientAddress?: string;
  log: FastifyBaseLogger;
  services: Services;
  loaders: Loaders;
}

/** What services need of a context: jobs and scripts build one without an HTTP request. */
export type ServiceContext = Pick<Context, 'em' | 'viewer' | 'clock' | 'config' | 'requestId' | 'log'>;
