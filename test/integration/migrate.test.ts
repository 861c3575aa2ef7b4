import 'reflect-metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/migrations';
import { MIGRATION_NAMES } from '../../src/db/migrations/names';
import { createOrm, loadMigrator, migrate, migratorLoaded, type Orm, pendingMigrations } from '../../src/db/orm';
import { createTestDatabase } from '../helpers/database';

/** Start-up migrations (src/main.ts: listen, then `migrate`): the migrator is loaded only when something is pending. */
describe('migrate at start-up', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  async function database(empty: boolean): Promise<{ url: string; orm: () => Promise<Orm> }> {
    const db = await createTestDatabase({ empty });
    cleanups.push(() => db.drop());
    return {
      url: db.url,
      orm: async () => {
        const orm = await createOrm(db.url, { pool: { min: 0, max: 3 } });
        cleanups.push(() => orm.close(true));
        return orm;
      },
    };
  }

  it('names.ts lists the names of MIGRATIONS, in order', () => {
    expect(MIGRATIONS.map((m) => m.name)).toEqual([...MIGRATION_NAMES]);
  });

  it('on an up-to-date database: applies nothing and never loads the migrator', async () => {
    const orm = await (await database(false)).orm();
    expect(await pendingMigrations(orm)).toBe(0);
    expect(await migrate(orm)).toEqual([]);
    expect(migratorLoaded(orm)).toBe(false);
  });

  it('a pending migration is applied (the migrator is loaded then), and the next start loads nothing', async () => {
    const db = await database(true);
    const first = await db.orm();
    const last = MIGRATION_NAMES.at(-1)!;
    const beforeLast = MIGRATION_NAMES.at(-2)!;
    // A database one migration behind this build (as after an upgrade that adds a migration).
    await (await loadMigrator(first)).up({ to: beforeLast });
    const behind = await db.orm();
    expect(await pendingMigrations(behind)).toBe(1);
    expect(await migrate(behind)).toEqual([last]);
    expect(migratorLoaded(behind)).toBe(true);
    expect(await pendingMigrations(behind)).toBe(0);
    const next = await db.orm();
    expect(await migrate(next)).toEqual([]);
    expect(migratorLoaded(next)).toBe(false);
  });

  it('two instances starting at once on an empty database: each migration is applied once, both end up to date', async () => {
    const db = await database(true);
    const [a, b] = [await db.orm(), await db.orm()];
    const [doneA, doneB] = await Promise.all([migrate(a), migrate(b)]);
    // One applied everything while the other waited on the advisory lock and found nothing left.
    expect([...doneA, ...doneB]).toEqual([...MIGRATION_NAMES]);
    expect([doneA.length, doneB.length].sort()).toEqual([0, MIGRATION_NAMES.length]);
    const rows = await a.em.getConnection().execute<{ name: string }[]>('select name from schema_migration');
    expect(rows.map((r) => r.name.replace(/\.[jt]s$/, '')).sort()).toEqual([...MIGRATION_NAMES].sort());
    expect(await pendingMigrations(b)).toBe(0);
  });
});
