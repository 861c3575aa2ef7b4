import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { createOrm, migrate } from '../../src/db/orm';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
    dbPrefix: string;
    adminDb: string;
  }
}

/** The server part of a PostgreSQL URL (no database), for creating test databases. */
export function serverUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '';
  u.search = '';
  return u.toString().replace(/\/$/, '');
}

/**
 * Once per `npm test`: a PostgreSQL server (DATABASE_URL's, or an embedded one in a temporary
 * directory), and a template database with every migration applied. Each test file then creates its
 * own database from the template in milliseconds (test/helpers/server.ts).
 */
export default async function setup(project: TestProject) {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  let serverUrl: string;
  let adminDb = 'postgres';
  if (process.env.DATABASE_URL) {
    serverUrl = serverUrlOf(process.env.DATABASE_URL);
    adminDb = new URL(process.env.DATABASE_URL).pathname.slice(1) || 'postgres';
  } else {
    tmp = mkdtempSync(join(tmpdir(), 'cbo-test-pg-'));
    const embedded = await startEmbeddedPostgres(tmp);
    serverUrl = embedded.serverUrl;
    stopEmbedded = () => embedded.stop();
  }
  const dbPrefix = `cbo_t${randomBytes(4).toString('hex')}`;
  const templateDb = `${dbPrefix}_tpl`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/${adminDb}` });
  await admin.connect();
  await admin.query(`create database "${templateDb}"`);
  const orm = await createOrm(`${serverUrl}/${templateDb}`);
  await migrate(orm);
  await orm.close(true);

  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', dbPrefix);
  project.provide('adminDb', adminDb);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${dbPrefix}%`]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    await admin.end();
    if (stopEmbedded) await stopEmbedded();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
}
