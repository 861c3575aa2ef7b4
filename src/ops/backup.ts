import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type ObjectStore } from '../storage';
import { findPgTool, pgDump, pgRestore } from './pg-tools';
import { portableDump, portableRestore } from './portable-dump';

/**
 * `npm run backup` / `npm run restore` (docs/operations.md, "Backups"). A backup is a directory
 * `<root>/<UTC timestamp>/` holding:
 * - `database.dump` (pg_dump custom format) or, when no installed pg_dump can read the server,
 *   the portable format (`portable.json` + `tables/`);
 * - `objects.json`: the manifest of the object store (every stored object the database has a key for,
 *   with its size in the store, or null when missing); object bytes are backed up by the store itself
 *   (bucket versioning, or a copy of the `fs:` directory), encrypted, and useless without the keys;
 * - `tombstones.jsonl`: every evidence tombstone at backup time (R-EVI-4).
 * A restore re-applies every tombstone it can find (the live database's, if it answers, and every
 * backup's), so evidence purged after an older dump was taken never comes back.
 */
export interface Tombstone {
  evidence_id: string;
  kind: string;
  size_bytes: string;
  sha256: string;
  purged_at: string;
  job_run_id: string | null;
  storage_was_missing: boolean;
}

export interface BackupResult {
  dir: string;
  format: 'pg_dump' | 'portable';
  objects: number;
  tombstones: number;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function serverMajor(url: string): Promise<number> {
  return withClient(url, async (c) => Math.floor(Number((await c.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0].v) / 10000));
}

async function readTombstones(c: pg.Client): Promise<Tombstone[]> {
  const exists = (await c.query<{ t: string | null }>(`select to_regclass('evidence_tombstone')::text as t`)).rows[0].t;
  if (!exists) return [];
  return (
    await c.query<Tombstone>(
      `select evidence_id, kind, size_bytes::text, sha256, to_char(purged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as purged_at, job_run_id, storage_was_missing
       from evidence_tombstone order by purged_at, evidence_id`,
    )
  ).rows;
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

/** Writes only `tombstones.jsonl` (cheap; schedule it after each PURGE_EVIDENCE run, between full backups). */
export async function exportTombstones(url: string, root: string, now = new Date()): Promise<{ dir: string; tombstones: number }> {
  const dir = join(root, `${stamp(now)}-tombstones`);
  mkdirSync(dir, { recursive: true });
  const tombstones = await withClient(url, readTombstones);
  writeFileSync(join(dir, 'tombstones.jsonl'), tombstones.map((t) => JSON.stringify(t) + '\n').join(''));
  return { dir, tombstones: tombstones.length };
}

export async function backup(opts: { url: string; root: string; store: ObjectStore; now?: Date }): Promise<BackupResult> {
  const dir = join(opts.root, stamp(opts.now ?? new Date()));
  mkdirSync(dir, { recursive: true });
  const tool = await findPgTool('pg_dump', await serverMajor(opts.url));
  if (tool) await pgDump(tool, opts.url, join(dir, 'database.dump'));
  else await portableDump(opts.url, dir);
  // Keys and tombstones are read after the dump: the manifest and the tombstones cover at least what it holds.
  const { keys, tombstones } = await withClient(opts.url, async (c) => ({
    keys: (await c.query<{ k: string }>('select storage_key as k from object_key order by storage_key')).rows.map((r) => r.k),
    tombstones: await readTombstones(c),
  }));
  const objects = [];
  for (const key of keys) objects.push({ key, sizeBytes: await opts.store.size(key) });
  writeFileSync(join(dir, 'objects.json'), JSON.stringify({ store: opts.store.description, objects }, null, 2));
  writeFileSync(join(dir, 'tombstones.jsonl'), tombstones.map((t) => JSON.stringify(t) + '\n').join(''));
  writeFileSync(join(dir, 'backup.json'), JSON.stringify({ takenAt: (opts.now ?? new Date()).toISOString(), format: tool ? 'pg_dump' : 'portable', pgDump: tool }, null, 2));
  return { dir, format: tool ? 'pg_dump' : 'portable', objects: objects.length, tombstones: tombstones.length };
}

/** Every tombstone in `tombstones.jsonl` files under `root` (one level of backup directories). */
export function tombstonesInBackups(root: string): Tombstone[] {
  if (!existsSync(root)) return [];
  const out: Tombstone[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, d.name, 'tombstones.jsonl');
    if (!d.isDirectory() || !existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as Tombstone);
  }
  return out;
}

/** The live database's tombstones, when it answers (before it is overwritten). */
export async function liveTombstones(url: string): Promise<Tombstone[]> {
  try {
    return await withClient(url, readTombstones);
  } catch {
    return [];
  }
}

export interface RestoreResult {
  format: 'pg_dump' | 'portable';
  tombstonesKnown: number;
  evidencePurgedAgain: number;
  objectKeysShredded: number;
  objectsDestroyed: number;
}

/**
 * Restores the backup in `dir` into `url` (an empty database, or with `clean` the database to
 * overwrite), then re-applies the tombstones: those of `extraTombstones` (read from the live database
 * before the restore) and of every backup under `root`.
 */
export async function restore(opts: { url: string; dir: string; root: string; store: ObjectStore; clean?: boolean; extraTombstones?: Tombstone[] }): Promise<RestoreResult> {
  const format = existsSync(join(opts.dir, 'database.dump')) ? 'pg_dump' : 'portable';
  if (format === 'pg_dump') {
    const tool = await findPgTool('pg_restore', await serverMajor(opts.url));
    if (!tool) throw new Error('no pg_restore at least as new as the server: install the PostgreSQL client of the server version or set PG_BIN');
    await pgRestore(tool, opts.url, join(opts.dir, 'database.dump'), Boolean(opts.clean));
  } else {
    if (opts.clean) throw new Error('the portable format restores into an empty database only: create one and point the restore at it');
    await portableRestore(opts.url, opts.dir);
  }
  await forgetObjectIntents(opts.url);
  const known = new Map<string, Tombstone>();
  for (const t of [...tombstonesInBackups(opts.root), ...(opts.extraTombstones ?? [])]) known.set(t.evidence_id, t);
  const applied = await reapplyTombstones(opts.url, [...known.values()], opts.store);
  return { format, tombstonesKnown: known.size, ...applied };
}

/**
 * The object intents of the dump (uploads in flight when it was taken) are not the restored database's
 * to sweep: the database the dump came from may have recorded those objects since, in the same store.
 * Forgotten, they leave at worst an unreadable object behind, never delete a live one.
 */
async function forgetObjectIntents(url: string): Promise<void> {
  await withClient(url, async (c) => {
    if ((await c.query<{ t: string | null }>(`select to_regclass('object_intent')::text as t`)).rows[0].t) await c.query('delete from object_intent');
  });
}

/**
 * R-EVI-4 after a restore: each tombstone's evidence is PURGED, its object key deleted (crypto-shredding:
 * any copy of the bytes is unreadable) and its bytes deleted from the store; the tombstone row exists.
 * Idempotent. Bytes are deleted after the commit (a failed commit leaves nothing half-done).
 */
export async function reapplyTombstones(url: string, tombstones: Tombstone[], store: ObjectStore): Promise<Omit<RestoreResult, 'format' | 'tombstonesKnown'>> {
  const toDestroy: string[] = [];
  let purged = 0;
  let shredded = 0;
  await withClient(url, async (c) => {
    await c.query('begin');
    try {
      for (const t of tombstones) {
        const ev = (await c.query<{ status: string; storage_key: string | null }>('select status, storage_key from evidence where id = $1 for update', [t.evidence_id])).rows[0];
        if (!ev) continue; // ingested after this dump was taken: not in it
        const jobRun = t.job_run_id && (await c.query('select 1 from job_run where id = $1', [t.job_run_id])).rowCount ? t.job_run_id : null;
        if (ev.status !== 'PURGED') {
          await c.query(`update evidence set status = 'PURGED', purged_at = $2, storage_key = null, purge_job_run_id = $3 where id = $1`, [t.evidence_id, t.purged_at, jobRun]);
          purged++;
        }
        if (ev.storage_key) {
          shredded += (await c.query('delete from object_key where storage_key = $1', [ev.storage_key])).rowCount ?? 0;
          toDestroy.push(ev.storage_key);
        }
        await c.query(
          `insert into evidence_tombstone (evidence_id, kind, size_bytes, sha256, purged_at, job_run_id, storage_was_missing)
           values ($1, $2, $3, $4, $5, $6, $7) on conflict (evidence_id) do nothing`,
          [t.evidence_id, t.kind, t.size_bytes, t.sha256, t.purged_at, jobRun, t.storage_was_missing],
        );
      }
      await c.query('commit');
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    }
  });
  let destroyed = 0;
  for (const key of toDestroy) if (await store.delete(key)) destroyed++;
  return { evidencePurgedAgain: purged, objectKeysShredded: shredded, objectsDestroyed: destroyed };
}
