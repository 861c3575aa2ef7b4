import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK, EmptyObjectError, FsObjectStore, ObjectNotFoundError, ObjectTooLargeError, readAll, SealedStore } from '../../src/storage';

const dir = mkdtempSync(join(tmpdir(), 'sealed-'));
const fsStore = new FsObjectStore(dir);
const store = new SealedStore(fsStore);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stream of `total` bytes in uneven pieces, like a network body. */
function uneven(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0, n = 1; i < bytes.length; i += n, n = (n * 7 + 3) % 50_000 + 1) pieces.push(bytes.subarray(i, i + n));
  return Readable.from(pieces);
}

describe('SealedStore over the filesystem store (R-EVI-2: encrypted at rest)', () => {
  for (const size of [1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345]) {
    it(`R-EVI-2: ${size} bytes round-trip, hashed and counted, whole and by ranges`, async () => {
      const plain = randomBytes(size);
      const sealed = await store.put(uneven(plain));
      expect(sealed.sizeBytes).toBe(size);
      expect(sealed.sha256).toBe(createHash('sha256').update(plain).digest('hex'));
      expect(await store.openBuffer(sealed.storageKey, sealed.dataKey, size)).toEqual(plain);
      const stored = readFileSync(fsStore.path(sealed.storageKey));
      // The stored object is larger than the plaintext (header and tags); the plaintext is not in it.
      // Tiny plaintexts are left out of the second check: a 1-byte ciphertext equals a random
      // 1-byte plaintext one time in 256, which says nothing about encryption (the wrong-key test
      // below covers them).
      expect(stored.length).toBeGreaterThan(size);
      if (size >= 16) expect(stored.includes(plain.subarray(0, Math.min(size, 32)))).toBe(false);
      for (const [start, end] of [[0, 0], [size - 1, size - 1], [Math.floor(size / 3), Math.floor((2 * size) / 3)], [0, size - 1]]) {
        const part = await readAll(await store.open(sealed.storageKey, sealed.dataKey, size, { start, end }));
        expect(part).toEqual(plain.subarray(start, end + 1));
      }
    });
  }

  it('R-EVI-2: a tampered byte or a wrong key fails instead of returning altered bytes', async () => {
    const plain = randomBytes(2 * CHUNK + 10);
    const sealed = await store.put(Readable.from([plain]));
    await expect(store.openBuffer(sealed.storageKey, randomBytes(32), plain.length)).rejects.toThrow();
    const p = fsStore.path(sealed.storageKey);
    const bytes = readFileSync(p);
    bytes[20 + CHUNK] ^= 1;
    writeFileSync(p, bytes);
    await expect(store.openBuffer(sealed.storageKey, sealed.dataKey, plain.length)).rejects.toThrow();
  });

  it('R-EVI-2: a truncated object is detected (the last chunk is authenticated as last)', async () => {
    const plain = randomBytes(2 * CHUNK);
    const sealed = await store.put(Readable.from([plain]));
    const p = fsStore.path(sealed.storageKey);
    writeFileSync(p, readFileSync(p).subarray(0, 16 + CHUNK + 16));
    await expect(store.openBuffer(sealed.storageKey, sealed.dataKey, CHUNK)).rejects.toThrow();
  });

  it('R-EVI-2: an empty or oversized body stores nothing', async () => {
    const before = readdirSync(dir, { recursive: true }).filter((f) => String(f).startsWith('ob') || String(f).includes('/obj-')).length;
    await expect(store.put(Readable.from([]))).rejects.toBeInstanceOf(EmptyObjectError);
    await expect(store.put(Readable.from([randomBytes(1000)]), { maxBytes: 999 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    const after = readdirSync(dir, { recursive: true }).filter((f) => String(f).startsWith('ob') || String(f).includes('/obj-')).length;
    expect(after).toBe(before);
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]);
  });

  it('R-EVI-4: destroy removes the bytes; reading then is ObjectNotFound; a second destroy answers false', async () => {
    const sealed = await store.putBuffer(Buffer.from('hello'));
    expect(await fsStore.exists(sealed.storageKey)).toBe(true);
    expect(await store.destroy(sealed.storageKey)).toBe(true);
    expect(await fsStore.exists(sealed.storageKey)).toBe(false);
    await expect(store.open(sealed.storageKey, sealed.dataKey, 5)).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.destroy(sealed.storageKey)).toBe(false);
  });
});
