import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Runs one statement on the server's admin database. */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${inject('pgServerUrl')}/${inject('adminDb')}` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database: a copy of the migrated template (milliseconds), or empty with `{ empty: true }`. */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${inject('dbPrefix')}_${randomBytes(5).toString('hex')}`;
  const template = opts.empty ? 'template0' : inject('templateDb');
  // CREATE DATABASE ... TEMPLATE needs the template free of other sessions: retry briefly when two files copy at once.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`create database "${name}" template "${template}"`);
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  const url = `${inject('pgServerUrl')}/${name}`;
  return { name, url, drop: () => adminQuery(`drop database if exists "${name}" with (force)`) };
}

/** A pg client on a test database, for raw SQL checks (triggers, constraints). */
export async function sqlClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
