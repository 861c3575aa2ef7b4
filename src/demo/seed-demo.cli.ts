import 'reflect-metadata';
import { SystemClock } from '../clock';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createOrm, migrate } from '../db/orm';
import { DEMO_STAFF_PASSWORD } from './demo-data';
import { createLogger } from '../logging';
import { seedDemo } from './seed-demo';

/**
 * npm run seed:demo — loads the demo data set into the configured database (DATABASE_URL, or the
 * embedded PostgreSQL under DATA_DIR), after applying pending migrations. Safe to run again.
 */
void (async () => {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
  if (config.production) {
    // The demo staff accounts have a published password.
    console.error('seed:demo refuses to run with NODE_ENV=production: the demo accounts have a published password.');
    process.exit(2);
  }
  const db = await openDatabase(config, (m) => console.error(m));
  let code = 0;
  try {
    const orm = await createOrm(db.clientUrl);
    try {
      const applied = await migrate(orm);
      if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
      const started = Date.now();
      // The server's logger options (one redaction list), JSON lines on stderr; the summary below goes to stdout.
      const log = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn');
      const summary = await seedDemo(orm, { config, clock: new SystemClock(), log });
      console.log(`\nDemo data loaded into ${db.embedded ? 'the embedded PostgreSQL' : 'DATABASE_URL'} in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
      for (const { name, result } of summary.steps) {
        console.log(`  ${name.padEnd(24)} ${String(result.created).padStart(4)} created ${String(result.updated).padStart(4)} updated ${String(result.unchanged).padStart(4)} already there`);
      }
      const withProfile = summary.data.learners.filter((l) => l.profile).length;
      console.log(`\n  sessions: ${summary.data.sessions.map((s) => `${s.input.courseCode} (${s.input.examPeriodStart} to ${s.input.examPeriodEnd})`).join(', ')}`);
      console.log(`  learners: ${summary.data.learners.length}, ${withProfile} with a complete ProctorU profile`);
      console.log(`  staff (password "${DEMO_STAFF_PASSWORD}"): ${summary.data.staff.map((s) => `${s.email} [${s.roles.join(', ')}]`).join(', ')}`);
    } finally {
      await orm.close(true);
    }
  } catch (err) {
    console.error('seed:demo failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    code = 1;
  } finally {
    await db.stop();
  }
  process.exit(code);
})();
