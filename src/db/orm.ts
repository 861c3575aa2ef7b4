import { type IMigrator, IsolationLevel, type Options, ReflectMetadataProvider } from '@mikro-orm/core';
import { type EntityManager, MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from '../entities';
import { MIGRATION_NAMES } from './migrations/names';

export type Orm = MikroORM;

export function ormOptions(clientUrl: string, extra: Partial<Options<PostgreSqlDriver>> = {}): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    discovery: { disableDynamicFileAccess: true },
    // The migrator is not an extension loaded with the ORM: `loadMigrator` registers it (and the
    // migration classes as `migrationsList`) when something is pending.
    migrations: {
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

/** The migrator extension's key (MikroORM's `Migrator.register`). */
const MIGRATOR_EXTENSION = '@mikro-orm/migrator';

/**
 * The ORM's migrator, loaded on first use: `@mikro-orm/migrations` (with umzug and its CLI
 * dependencies) and the migration classes cost 0.1–0.25 s of start-up that a start on an up-to-date
 * database does not need. Registers it on `orm` the first time.
 */
export async function loadMigrator(orm: Orm): Promise<IMigrator> {
  if (!migratorLoaded(orm)) {
    const [{ Migrator }, { MIGRATIONS }] = await Promise.all([import('@mikro-orm/migrations'), import('./migrations/index.js')]);
    orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList: MIGRATIONS });
    Migrator.register(orm);
  }
  return orm.config.getExtension<IMigrator>(MIGRATOR_EXTENSION)!;
}

/** Whether `loadMigrator` has run for this ORM (a start with nothing pending never loads it). */
export function migratorLoaded(orm: Orm): boolean {
  return orm.config.getExtension(MIGRATOR_EXTENSION) !== undefined;
}

/**
 * Applies pending migrations. Nothing pending (every name of this build is in the migrations table,
 * committed): returns at once, without the lock or the migrator. Otherwise, several instances starting
 * at once on one database: one applies them while the others wait on a session advisory lock, then
 * find nothing left to do (without it, two would run m0001 at once and one would fail its start).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  if ((await pendingMigrations(orm)) === 0) return [];
  const knex = orm.em.getConnection().getKnex();
  const lock = (await knex.client.acquireConnection()) as { query(sql: string, params: unknown[]): Promise<unknown> };
  try {
    await lock.query('select pg_advisory_lock($1, $2)', MIGRATION_LOCK);
    try {
      const done = await (await loadMigrator(orm)).up();
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
 * SQL: safe to call while `migrate` runs (the migrator itself is
 * not re-entrant), and a migration in progress counts as pending until its transaction commits.
 */
export async function pendingMigrations(orm: Orm): Promise<number> {
  const table = orm.config.get('migrations').tableName ?? 'schema_migration';
  const exists = await orm.em.getConnection().execute<{ t: string | null }[]>(`select to_regclass(?) as t`, [table]);
  if (!exists[0]?.t) return MIGRATION_NAMES.length;
  const rows = await orm.em.getConnection().execute<{ name: string }[]>(`select name from "${table}"`);
  const applied = new Set(rows.map((r) => r.name.replace(/\.[jt]s$/, '')));
  return MIGRATION_NAMES.filter((name) => !applied.has(name)).length;
}
