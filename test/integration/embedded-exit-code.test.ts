import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm test` without DATABASE_URL runs on the embedded PostgreSQL, whose exit hook (async-exit-hook)
 * calls process.exit(0) when the process ends on its own: a run with failing tests (vitest records
 * `process.exitCode = 1` and lets the process end) exited 0, and CI would have passed it.
 */
const root = join(__dirname, '..', '..');
const dirs: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], { cwd: root, stdio: 'inherit' });
}, 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a process that used the embedded PostgreSQL', () => {
  it('ends with the exit code it recorded (a failed test run is not reported as a success)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbo-exit-code-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter it
    dirs.push(dir);
    const script = `
      const { startEmbeddedPostgres } = require(${JSON.stringify(join(root, 'dist', 'src', 'db', 'embedded.js'))});
      startEmbeddedPostgres(${JSON.stringify(join(dir, 'pg'))}).then(async (db) => {
        await db.stop();
        process.exitCode = 3; // as vitest records failures, then lets the process end
      });`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(3);
  }, 90_000);
});
