import { IsolationLevel, type Options, ReflectMetadataProvider } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

export function ormOptions(clientUrl: string, extra: Partial<Options<PostgreSqlDriver>> = {}): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    discovery: { disableDynamicFileAccess: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'schema_migration',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    debug: false,
    ...extra,
  };
}

export async function createOrm(clientUrl: string, extra: Partial<Options<PostgreSqlDriver>> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(clientUrl, extra));
}

/**
 * Read replicas (DATABASE_REPLICA_URLS): MikroORM opens a pool on each, but only reads that ask for one
 * go there (`readSnapshot`, `connectionType: 'read'`): everything else, entity reads included, stays on
 * the primary, so a request always reads its own writes. Pass to `createOrm(url, replicaOptions(urls))`.
 */
export function replicaOptions(replicaUrls: readonly string[]): Partial<Options<PostgreSqlDriver>> {
  return replicaUrls.length ? { replicas: replicaUrls.map((url, i) => ({ name: `replica-${i + 1}`, clientUrl: url })), preferReadReplicas: false } : {};
}

/** Like `em.execute`: `R` is the whole result (an array of rows). */
export type SnapshotQuery = <R = Record<string, unknown>[]>(sql: string, params?: unknown[]) => Promise<R>;

/**
 * A read-only staff query (finance summary, exports): one REPEATABLE READ READ ONLY transaction on a
 * read replica when there is one (random among them), else on the primary.
 */
export async function readSnapshot<T>(em: EntityManager, fn: (query: SnapshotQuery) => Promise<T>): Promise<T> {
  const conn = em.getConnection('read');
  return conn.transactional(
    (trx) => fn(<R>(sql: string, params: unknown[] = []) => conn.execute(sql, params, 'all', trx) as Promise<R>),
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

/** pg_advisory_lock(int, int) key of the migrations (first key: the scheduler's namespace + 1). */
const MIGRATION_LOCK = [40_418, 1];

/**
 * Applies pending migrations. Several instances starting at once on one database: one applies them
 * while the others wait on a session advisory lock, then find nothing left to do (without it, two
 * would run m0001 at once and one would fail its start).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const lock = (await knex.client.acquireConnection()) as { query(sql: string, params: unknown[]): Promise<unknown> };
  try {
    await lock.query('select pg_advisory_lock($1, $2)', MIGRATION_LOCK);
    try {
      const done = await orm.getMigrator().up();
      return done.map((m) => m.name);
    } finally {
      await lock.query('select pg_advisory_unlock($1, $2)', MIGRATION_LOCK);
    }
  } finally {
    await knex.client.releaseConnection(lock);
  }
}

/**
 * How many of this build's migrations the database lacks, read from the migrations table with plain
 * SQL: safe to call while `migrate` runs (the migrator itself is not re-entrant), and a migration in
 * progress counts as pending until its transaction commits.
 */
export async function pendingMigrations(orm: Orm): Promise<number> {
  const table = orm.config.get('migrations').tableName ?? 'schema_migration';
  const exists = await orm.em.getConnection().execute<{ t: string | null }[]>(`select to_regclass(?) as t`, [table]);
  if (!exists[0]?.t) return MIGRATIONS.length;
  const rows = await orm.em.getConnection().execute<{ name: string }[]>(`select name from "${table}"`);
  const applied = new Set(rows.map((r) => r.name.replace(/\.[jt]s$/, '')));
  return MIGRATIONS.filter((m) => !applied.has(m.name)).length;
}
