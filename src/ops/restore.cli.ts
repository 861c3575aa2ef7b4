import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createObjectStore } from '../storage';
import { liveTombstones, restore } from './backup';

/**
 * `npm run restore -- <backup dir> [--target URL] [--clean]`: restores a backup into the target
 * database (default: the configured one; `--clean` to overwrite it in place, pg_dump format only),
 * then re-applies every tombstone known: the target's own before the restore, and every backup's
 * under the backup's parent directory (docs/operations.md).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--target');
  if (!dir) throw new Error('usage: npm run restore -- <backup dir> [--target postgres://...] [--clean]');
  const targetIndex = args.indexOf('--target');
  const config = loadConfig();
  const db = targetIndex >= 0 ? null : await openDatabase(config, (m) => console.error(m));
  const url = targetIndex >= 0 ? args[targetIndex + 1] : db!.clientUrl;
  try {
    const extraTombstones = await liveTombstones(url);
    const r = await restore({ url, dir: resolve(dir), root: dirname(resolve(dir)), store: createObjectStore(config), clean: args.includes('--clean'), extraTombstones });
    console.log(JSON.stringify(r));
  } finally {
    await db?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `restore failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
