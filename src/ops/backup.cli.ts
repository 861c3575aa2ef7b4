import 'reflect-metadata';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createObjectStore } from '../storage';
import { backup, exportTombstones } from './backup';

/**
 * `npm run backup [-- --out DIR] [-- --tombstones-only]`: a backup of the configured database
 * (DATABASE_URL, or the embedded one: stop the server first) into BACKUP_DIR (default DATA_DIR/backups).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const config = loadConfig();
  const outIndex = args.indexOf('--out');
  const root = outIndex >= 0 ? args[outIndex + 1] : (process.env.BACKUP_DIR ?? join(config.dataDir, 'backups'));
  const db = await openDatabase(config, (m) => console.error(m));
  try {
    if (args.includes('--tombstones-only')) {
      const r = await exportTombstones(db.clientUrl, root);
      console.log(JSON.stringify(r));
      return;
    }
    const r = await backup({ url: db.clientUrl, root, store: createObjectStore(config) });
    console.log(JSON.stringify(r));
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `backup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
