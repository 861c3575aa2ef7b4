import { type Options, ReflectMetadataProvider } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
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

export async function migrate(orm: Orm): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
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
