import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded';

/**
 * Issue 10, start-up: `node dist/src/main.js` (what `npm start` runs once built) with the embedded
 * database, from spawn to the first /readyz 200: cold (a fresh DATA_DIR: initdb, migrations, first
 * ADMIN) and warm (the same DATA_DIR again: the median of 5 starts, 3 with --quick), then the server
 * process's RSS after 2 s idle. Baseline: the embedded PostgreSQL alone (initdb + start, then start on
 * the existing directory, once next to each warm start), the part no application code can avoid.
 * Unit: seconds (lower is better, ratio = baseline / ours).
 */
export const name = 'start-up to /readyz 200 (embedded PostgreSQL)';

const root = resolve(__dirname, '..', '..');
/** Warm starts measured (each next to a start of PostgreSQL alone); the median is reported. */
const WARM_RUNS = process.env.BENCH_QUICK === '1' ? 3 : 5;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Spawns the server on DATA_DIR and returns seconds to /readyz 200 (and its RSS after 2 s idle if asked); stops it. */
async function startServer(dataDir: string, idleRss = true): Promise<{ seconds: number; idleRssMb: number }> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'admin-password-for-benchmarks', LOG_LEVEL: 'warn', JOBS: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Number(process.hrtime.bigint() - started) > 120e9) throw new Error(`not ready after 120 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!idleRss) return { seconds, idleRssMb: NaN };
    await new Promise((r) => setTimeout(r, 2000));
    return { seconds, idleRssMb: rssMb(child.pid!) };
  } finally {
    await stop(child);
  }
}

async function embeddedAlone(dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  const db = await startEmbeddedPostgres(dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await db.stop();
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

export async function run() {
  const dirs = [mkdtempSync(join(tmpdir(), 'cbo-bench-start-')), mkdtempSync(join(tmpdir(), 'cbo-bench-pgonly-'))];
  for (const d of dirs) chmodSync(d, 0o755);
  try {
    const cold = await startServer(dirs[0]);
    const pgCold = await embeddedAlone(join(dirs[1], 'postgres'));
    // Warm: several starts, each next to a start of PostgreSQL alone, medians (a noisy machine moves single runs by seconds).
    const warm: number[] = [];
    const pgWarm: number[] = [];
    let warmRssMb = NaN;
    for (let i = 0; i < WARM_RUNS; i++) {
      const w = await startServer(dirs[0], i === 0);
      if (i === 0) warmRssMb = w.idleRssMb;
      warm.push(w.seconds);
      pgWarm.push(await embeddedAlone(join(dirs[1], 'postgres')));
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
    console.error(
      `  cold ${cold.seconds.toFixed(2)} s (PostgreSQL alone ${pgCold.toFixed(2)} s); warm ${fmt(warm)} s (alone ${fmt(pgWarm)} s); idle RSS ${cold.idleRssMb} / ${warmRssMb} MB`,
    );
    return [
      { name: 'start-up, cold (fresh DATA_DIR: initdb + migrations), idle RSS of the server', ours: cold.seconds, baseline: pgCold, unit: 's', target: 0.5, higherIsBetter: false, peakRssMb: cold.idleRssMb },
      { name: `start-up, warm (existing DATA_DIR, median of ${WARM_RUNS}), idle RSS of the server`, ours: median(warm), baseline: median(pgWarm), unit: 's', target: 0.1, higherIsBetter: false, peakRssMb: warmRssMb },
    ];
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then((r) => console.log(r), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
