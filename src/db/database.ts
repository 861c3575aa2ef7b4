import { join } from 'node:path';
import { type Config } from '../config';
import { ensureDatabase, startEmbeddedPostgres } from './embedded';

export const EMBEDDED_DATABASE = 'certification';

export interface DatabaseHandle {
  clientUrl: string;
  embedded: boolean;
  /** Stops the embedded server (no-op with DATABASE_URL). */
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL with its data under `<DATA_DIR>/postgres`. */
export async function openDatabase(config: Config, log: (msg: string) => void): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { clientUrl: config.databaseUrl, embedded: false, stop: async () => undefined };
  const dir = join(config.dataDir, 'postgres');
  log(`no DATABASE_URL: starting the embedded PostgreSQL (data in ${dir})`);
  const server = await startEmbeddedPostgres(dir);
  await ensureDatabase(server.serverUrl, EMBEDDED_DATABASE);
  return { clientUrl: `${server.serverUrl}/${EMBEDDED_DATABASE}`, embedded: true, stop: () => server.stop() };
}
