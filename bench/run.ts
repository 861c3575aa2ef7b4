import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Minimal benchmark runner (`npm run bench`): runs every `bench/*.bench.ts` (compiled to
 * dist/bench/*.bench.js) one after the other, prints a table and writes bench/results.json.
 * A benchmark module exports `name` and `run(): Promise<{ ours, baseline, unit, target }>`, where
 * ours and baseline are rates in `unit` (higher is better) and target is the ratio ours / baseline
 * it must reach. Peak RSS is the process's peak so far (benchmarks run in order in one process).
 */
interface Measured {
  ours: number;
  baseline: number;
  unit: string;
  target: number;
}
interface BenchModule {
  name: string;
  run(): Promise<Measured>;
}
interface Result extends Measured {
  name: string;
  ratio: number;
  meetsTarget: boolean;
  peakRssMb: number;
}

const root = resolve(__dirname, '..', '..');
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  const results: Result[] = [];
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as Partial<BenchModule> & { default?: BenchModule };
    const bench = mod.run && mod.name ? (mod as BenchModule) : mod.default;
    if (!bench) throw new Error(`${file} exports neither { name, run } nor a default benchmark`);
    console.error(`running ${bench.name}...`);
    const m = await bench.run();
    const ratio = m.ours / m.baseline;
    results.push({ name: bench.name, ours: round(m.ours), baseline: round(m.baseline), unit: m.unit, ratio: round(ratio, 3), target: m.target, meetsTarget: ratio >= m.target, peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1) });
  }
  const rows = [
    ['benchmark', 'ours', 'baseline', 'ratio (higher = better)', 'target', 'peak RSS'],
    ...results.map((r) => [r.name, `${r.ours} ${r.unit}`, `${r.baseline} ${r.unit}`, String(r.ratio), `≥ ${r.target}${r.meetsTarget ? '' : ' (MISSED)'}`, `${r.peakRssMb} MB`]),
  ];
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
