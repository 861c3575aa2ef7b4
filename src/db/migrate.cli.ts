import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from './database';
import { createOrm, migrate } from './orm';

/** npm run db:migrate — applies pending migrations to the configured database. */
void (async () => {
  try {
    const config = loadConfig();
    const db = await openDatabase(config, (m) => console.error(m));
    const orm = await createOrm(db.clientUrl);
    const applied = await migrate(orm);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: the database is up to date');
    await orm.close(true);
    await db.stop();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
})();
