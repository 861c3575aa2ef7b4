import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createOrm, migrate, type Orm } from '../src/db/orm';

export interface BenchDatabase {
  orm: Orm;
  /** The URL of the fresh, migrated database. */
  url: string;
  /** A configuration for services, with a temporary data directory. */
  config: Config;
  close(): Promise<void>;
}

function serverUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '';
  u.search = '';
  return u.toString().replace(/\/$/, '');
}

async function adminQuery(serverUrl: string, adminDb: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/${adminDb}` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh migrated database for one benchmark: on DATABASE_URL's server, or on an embedded PostgreSQL
 * in a temporary directory. `close()` drops the database and stops what it started.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  let serverUrl: string;
  let adminDb = 'postgres';
  if (process.env.DATABASE_URL) {
    serverUrl = serverUrlOf(process.env.DATABASE_URL);
    adminDb = new URL(process.env.DATABASE_URL).pathname.slice(1) || 'postgres';
  } else {
    tmp = mkdtempSync(join(tmpdir(), 'cbo-bench-pg-'));
    chmodSync(tmp, 0o755);
    const embedded = await startEmbeddedPostgres(tmp);
    serverUrl = embedded.serverUrl;
    stopEmbedded = () => embedded.stop();
  }
  const dbName = `cbo_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, adminDb, `create database "${dbName}"`);
  const url = `${serverUrl}/${dbName}`;
  const orm = await createOrm(url);
  const dataDir = mkdtempSync(join(tmpdir(), 'cbo-bench-data-'));
  const close = async () => {
    await orm.close(true);
    await adminQuery(serverUrl, adminDb, `drop database if exists "${dbName}" with (force)`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    if (stopEmbedded) await stopEmbedded();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await migrate(orm);
  } catch (err) {
    await close();
    throw err;
  }
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, TOKEN_SECRET: randomBytes(32).toString('base64url'), PROCTORU_WEBHOOK_SECRET: 'bench' });
  return { orm, url, config, close };
}
