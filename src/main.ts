import 'reflect-metadata';
import './pg-load';
import { createClock } from './clock';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { FsObjectStore } from './storage/fs-store';

/** Start-up only: config → database → schema → HTTP server → migrations → job schedule. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const clock = createClock(config.testClock);
  // The embedded PostgreSQL runs in its own processes: started first, it boots (initdb too, the first
  // time: seconds) while this process loads the server's modules (about a second of CPU). Its first
  // steps (child processes) need the event loop: up to 200 ms for them before loading blocks it.
  const opening = openDatabase(config, (m) => console.error(m));
  opening.catch(() => undefined); // awaited below, once the modules are loaded
  if (!config.databaseUrl) await Promise.race([opening, new Promise((resolve) => setTimeout(resolve, 200))]);
  const { createOrm, migrate, replicaOptions } = await import('./db/orm.js');
  const { createApp } = await import('./http/app.js');
  const { recoverRefundsAtStartup } = await import('./services/refund-recovery.js');
  const db = await opening;
  const orm = await createOrm(db.clientUrl, replicaOptions(config.databaseReplicaUrls));
  const app = await createApp({ config, orm, clientUrl: db.clientUrl, clock, awaitStartup: true });
  const log = app.fastify.log;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown took over 10 s: exiting');
      process.exit(1);
    }, 10_000);
    try {
      await app.fastify.close();
      await orm.close(true);
      await db.stop();
    } finally {
      clearTimeout(force);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Listen first: /healthz answers and /readyz says 503 while migrations run.
  await app.fastify.listen({ port: config.port, host: config.host });
  const applied = await migrate(orm);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  if (config.storage.kind === 'fs') {
    // Half-written objects a crash left in the filesystem store's staging directory (an hour old, so another instance's uploads in flight stay).
    const swept = await new FsObjectStore(config.storage.dir).sweepTemporary();
    if (swept) log.info({ swept }, 'object store: leftover temporary files removed');
  }
  // Objects stored by writers that died before recording them (their object intents are old enough).
  const { sweepObjectIntents } = await import('./storage/object-intents.js');
  try {
    const orphans = await sweepObjectIntents(orm.em.fork(), app.objects, clock.now());
    if (orphans.intents || orphans.failed) log.info(orphans, 'object store: orphaned objects of interrupted writes deleted');
  } catch (err) {
    log.error({ err }, 'object store: the object intent sweep failed (retried before each ISSUE_CERTIFICATES run)');
  }
  const admin = await app.services.identity.ensureFirstAdmin(orm.em.fork());
  if (admin.generatedPassword) {
    // Printed once, on the console only: the password is not logged anywhere else.
    console.warn(`\n  First ADMIN account created: ${admin.email}\n  Password (shown once): ${admin.generatedPassword}\n`);
  } else if (admin.created) log.info({ email: admin.email }, 'first ADMIN account created from ADMIN_EMAIL/ADMIN_PASSWORD');
  // R-REF-7: refunds interrupted between the Paybox call and its record are resolved before anything can retry them.
  await recoverRefundsAtStartup({ orm, clock, config, log, refunds: app.services.refunds });
  await app.scheduler.start();
  app.startupComplete();
  log.info({ url: config.publicUrl, database: db.embedded ? 'embedded' : 'DATABASE_URL', jobs: config.jobs, testClock: config.testClock }, 'ready');
}

main().catch((err) => {
  console.error('start-up failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
