import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, createGunzip } from 'node:zlib';
import pg from 'pg';
import { createOrm, loadMigrator } from '../db/orm';

/**
 * The portable backup format, for servers no installed pg_dump can read (the embedded PostgreSQL 17
 * ships no client tools): the schema is the application's migrations (their names are recorded), the
 * data one gzipped COPY file per table, read in one REPEATABLE READ snapshot, plus every sequence's
 * value. Restoring migrates an empty database to the same migrations, then loads the rows with
 * triggers and foreign-key checks off (session_replication_role = replica: a superuser or the
 * database owner on PostgreSQL 15+), and sets the sequences.
 */
interface PortableManifest {
  format: 'cbo-portable/1';
  migrations: string[];
  tables: { name: string; columns: string[]; file: string }[];
  sequences: { name: string; value: string | null }[];
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function portableDump(url: string, dir: string): Promise<void> {
  const { to: copyTo } = await import('pg-copy-streams');
  mkdirSync(join(dir, 'tables'), { recursive: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const migrations = (await client.query<{ name: string }>('select name from schema_migration order by id')).rows.map((r) => r.name);
    const tables = (await client.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = current_schema() and tablename <> 'schema_migration' order by tablename`)).rows;
    const manifest: PortableManifest = { format: 'cbo-portable/1', migrations, tables: [], sequences: [] };
    for (const { name } of tables) {
      const columns = (
        await client.query<{ c: string }>(
          `select attname as c from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
          [q(name)],
        )
      ).rows.map((r) => r.c);
      const file = join('tables', `${name}.copy.gz`);
      await pipeline(client.query(copyTo(`copy ${q(name)} (${columns.map(q).join(', ')}) to stdout`)), createGzip(), createWriteStream(join(dir, file)));
      manifest.tables.push({ name, columns, file });
    }
    manifest.sequences = (await client.query<{ name: string; value: string | null }>(`select sequencename as name, last_value::text as value from pg_sequences where schemaname = current_schema()`)).rows;
    await client.query('commit');
    writeFileSync(join(dir, 'portable.json'), JSON.stringify(manifest, null, 2));
  } finally {
    await client.end();
  }
}

/** Loads a portable dump into `url`, which must be an empty database. */
export async function portableRestore(url: string, dir: string): Promise<void> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const manifest = JSON.parse(readFileSync(join(dir, 'portable.json'), 'utf8')) as PortableManifest;
  const orm = await createOrm(url);
  try {
    const last = manifest.migrations.at(-1);
    if (last) await (await loadMigrator(orm)).up({ to: last });
  } finally {
    await orm.close(true);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    // Rows a migration may have inserted are replaced by the backup's.
    for (const t of manifest.tables) await client.query(`delete from ${q(t.name)}`);
    for (const t of manifest.tables) {
      await pipeline(createReadStream(join(dir, t.file)), createGunzip(), client.query(copyFrom(`copy ${q(t.name)} (${t.columns.map(q).join(', ')}) from stdin`)));
    }
    for (const s of manifest.sequences) {
      if (s.value === null) await client.query(`select setval($1, 1, false)`, [q(s.name)]);
      else await client.query(`select setval($1, $2::bigint, true)`, [q(s.name), s.value]);
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
