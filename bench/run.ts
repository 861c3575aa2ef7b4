import './production-env';
import 'reflect-metadata';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/db/embedded';

/**
 * Benchmark runner (`npm run bench [-- --quick] [-- <filter>]`): runs every `bench/*.bench.ts`
 * (compiled to dist/bench/*.bench.js) one after the other, prints a table and writes bench/results.json.
 * A benchmark module exports `name` and `run(): Promise<{ ours, baseline, unit, target }>` (or an array
 * of them, each with its own `name`), where ours and baseline are rates in `unit` (higher is better;
 * `higherIsBetter: false` for durations, then ratio = baseline / ours) and target is the ratio it must
 * reach. Peak RSS is the process's peak so far (benchmarks run in order in one process), unless the
 * benchmark measured another process (`peakRssMb`). `--quick` sets BENCH_QUICK=1: CI-sized runs.
 * Without DATABASE_URL, one embedded PostgreSQL (temporary directory) serves the whole run: each
 * benchmark still gets its own fresh database on it (bench-db.ts), without an initdb each.
 */
interface Measured {
  ours: number;
  baseline: number;
  unit: string;
  target: number;
  higherIsBetter?: boolean;
  peakRssMb?: number;
}
interface BenchModule {
  name: string;
  run(): Promise<Measured | (Measured & { name: string })[]>;
}
interface Result extends Omit<Measured, 'higherIsBetter'> {
  name: string;
  ratio: number;
  meetsTarget: boolean;
  peakRssMb: number;
}

const root = resolve(__dirname, '..', '..');
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--quick')) {
    process.env.BENCH_QUICK = '1';
    // CI sizes for benchmarks sized by their own variables (an explicit value still wins).
    process.env.FINANCE_BENCH_ROWS ??= '20000';
    process.env.EVIDENCE_BENCH_MB ??= '64';
  }
  const filter = args.find((a) => !a.startsWith('--'));
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  const results: Result[] = [];
  let embedded: { db: EmbeddedDatabase; dir: string } | undefined;
  if (!process.env.DATABASE_URL) {
    const dir = mkdtempSync(join(tmpdir(), 'cbo-bench-run-'));
    chmodSync(dir, 0o755);
    const db = await startEmbeddedPostgres(join(dir, 'postgres'));
    embedded = { db, dir };
    process.env.DATABASE_URL = `${db.serverUrl}/postgres`;
  }
  const started = Date.now();
  const loads: number[] = [loadavg()[0]];
  try {
    for (const file of files) {
    const mod = (await import(join(__dirname, file))) as Partial<BenchModule> & { default?: BenchModule };
    const bench = mod.run && mod.name ? (mod as BenchModule) : mod.default;
    if (!bench) throw new Error(`${file} exports neither { name, run } nor a default benchmark`);
    console.error(`running ${bench.name}...`);
      const t0 = Date.now();
      const measured = await bench.run();
      console.error(`  ${file}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      loads.push(loadavg()[0]);
      for (const m of Array.isArray(measured) ? measured : [{ ...measured, name: bench.name }]) {
        const ratio = m.higherIsBetter === false ? m.baseline / m.ours : m.ours / m.baseline;
        const peakRssMb = round(m.peakRssMb ?? process.resourceUsage().maxRSS / 1024, 1);
        results.push({ name: m.name, ours: round(m.ours), baseline: round(m.baseline), unit: m.unit, ratio: round(ratio, 3), target: m.target, meetsTarget: ratio >= m.target, peakRssMb });
      }
    }
  } finally {
    if (embedded) {
      await embedded.db.stop();
      rmSync(embedded.dir, { recursive: true, force: true });
    }
  }
  const rows = [
    ['benchmark', 'ours', 'baseline', 'ratio (higher = better)', 'target', 'peak RSS'],
    ...results.map((r) => [r.name, `${r.ours} ${r.unit}`, `${r.baseline} ${r.unit}`, String(r.ratio), `≥ ${r.target}${r.meetsTarget ? '' : ' (MISSED)'}`, `${r.peakRssMb} MB`]),
  ];
  console.log(
    `${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}` +
      `${process.env.BENCH_QUICK === '1' ? ', --quick' : ''}, ${Math.round((Date.now() - started) / 1000)} s, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => cell.padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
