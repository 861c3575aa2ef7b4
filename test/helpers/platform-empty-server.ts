import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { type App, createApp } from '../../src/http/app';
import { createTestDatabase } from './database';

export interface EmptyDatabaseServer {
  url: string;
  dbUrl: string;
  orm: Orm;
  app: App;
  close(): Promise<void>;
}

/**
 * The real HTTP server on an empty database (no migrations applied), started in the order of
 * src/main.ts: listen first, so /healthz answers and /readyz says 503 until migrations are applied.
 * The scheduler is not started (main.ts starts it after migrating; its start-up recovery reads job_run).
 *
 * Exists because `startTestServer({ emptyDatabase: true })` (test/helpers/server.ts) calls
 * `app.scheduler.start()` before any migration, which fails with `relation "job_run" does not exist`.
 */
export async function startEmptyDatabaseServer(env: Record<string, string> = {}): Promise<EmptyDatabaseServer> {
  const db = await createTestDatabase({ empty: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'cbo-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    TEST_CLOCK: '1',
    JOBS: 'off',
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const orm = await createOrm(db.url, { pool: { min: 0, max: 10 } });
  const app = await createApp({ config, orm, clientUrl: db.url, clock: new TestClock(), jobs: [], logger: false });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    dbUrl: db.url,
    orm,
    app,
    async close() {
      await app.fastify.close();
      await orm.close(true);
      await db.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
