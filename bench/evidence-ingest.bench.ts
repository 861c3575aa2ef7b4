import { createReadStream, createWriteStream, mkdtempSync, promises as fsp, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsObjectStore, type SealedObject, SealedStore } from '../src/storage';

/**
 * Evidence ingestion (issue 6, R-EVI-2) of one large recording: `SealedStore.put` over the filesystem
 * store, i.e. what `PUT /evidence` does to the bytes (SHA-256 and byte count of the plaintext,
 * AES-256-GCM in 64 KiB chunks, temporary file, fsync, rename, directory fsync), against a plain copy of
 * the same file (`pipeline(createReadStream, createWriteStream)` + fsync). Both read the same source
 * file of `EVIDENCE_BENCH_MB` MiB (default 1024: the 1 GB; `EVIDENCE_BENCH_MB=128 npm run bench
 * -- evidence` for a quick run). Unit: MiB/s; ratio = ours / plain copy. The peak RSS above the starting
 * RSS of each run is printed: it must stay flat (a few chunks), whatever the size.
 */
export const name = 'evidence ingestion (seal + hash + fsync) vs plain file copy';

const MB = Number(process.env.EVIDENCE_BENCH_MB ?? 1024);

/** Runs `fn`, sampling RSS every 10 ms: seconds and peak RSS above the RSS at the start (MB). */
async function measured(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRssMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRssMb: (peak - start) / 1024 / 1024 };
}

async function writeSource(path: string): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const out = createWriteStream(path);
  for (let i = 0; i < MB; i++) {
    // A different first byte per MiB, so no two blocks are identical.
    block[0] = i & 0xff;
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function plainCopy(source: string, target: string): Promise<void> {
  await pipeline(createReadStream(source), createWriteStream(target));
  const fh = await fsp.open(target, 'r');
  await fh.sync();
  await fh.close();
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-bench-'));
  try {
    const source = join(dir, 'source.bin');
    await writeSource(source);
    const store = new SealedStore(new FsObjectStore(join(dir, 'objects')));
    // Warm-up on a small slice, then each once (the runner's contract: run once, briefly).
    await store.put(createReadStream(source, { end: 8 * 1024 * 1024 - 1 }));
    const copy = await measured(() => plainCopy(source, join(dir, 'copy.bin')));
    await fsp.rm(join(dir, 'copy.bin'));
    let sealed: SealedObject | undefined;
    const ours = await measured(async () => {
      sealed = await store.put(createReadStream(source));
    });
    if (sealed?.sizeBytes !== MB * 1024 * 1024) throw new Error(`ingested ${sealed?.sizeBytes} bytes, expected ${MB} MiB`);
    // For information: reading it back (what GET /evidence/:id streams), decrypting every chunk.
    const { storageKey, dataKey, sizeBytes } = sealed;
    const view = await measured(async () => {
      await pipeline(await store.open(storageKey, dataKey, sizeBytes), new Writable({ write: (_chunk, _enc, cb) => cb() }));
    });
    console.error(
      `  ${MB} MiB: ingestion ${ours.seconds.toFixed(2)} s (peak RSS +${ours.peakRssMb.toFixed(1)} MB), plain copy ${copy.seconds.toFixed(2)} s (peak RSS +${copy.peakRssMb.toFixed(1)} MB), ` +
        `read back ${(MB / view.seconds).toFixed(0)} MiB/s (peak RSS +${view.peakRssMb.toFixed(1)} MB)`,
    );
    return { ours: MB / ours.seconds, baseline: MB / copy.seconds, unit: 'MiB/s', target: 0.3 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
