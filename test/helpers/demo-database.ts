import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { createTestDatabase } from './database';

/** A fresh migrated database with an ORM and a configuration, for running `seedDemo` steps in a test. */
export async function openDemoDatabase(): Promise<{ orm: Orm; config: Config; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'cbo-demo-'));
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, DATA_DIR: dataDir, TOKEN_SECRET: randomBytes(32).toString('base64url'), PROCTORU_WEBHOOK_SECRET: 'demo-test-webhook-secret' });
  const orm = await createOrm(db.url);
  return {
    orm,
    config,
    async close() {
      await orm.close(true);
      await db.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
