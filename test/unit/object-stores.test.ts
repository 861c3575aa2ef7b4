import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore, ObjectNotFoundError, type ObjectStore, readAll, S3ObjectStore, SealedStore } from '../../src/storage';
import { type S3Fake, startS3Fake } from '../helpers/s3-fake';

/**
 * The ObjectStore contract, run against the filesystem store and the S3 store (through the in-process
 * S3-compatible server of test/helpers/s3-fake.ts, which checks every request's SigV4 signature).
 */
const dir = mkdtempSync(join(tmpdir(), 'object-stores-'));
let fake: S3Fake;
let s3: S3ObjectStore;
beforeAll(async () => {
  fake = await startS3Fake();
  s3 = new S3ObjectStore({ bucket: fake.bucket, endpoint: fake.endpoint, accessKey: fake.accessKey, secretKey: fake.secretKey, partSize: 5 * 1024 * 1024 });
});
afterAll(async () => {
  s3.destroy();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A stream of the bytes in pieces of `piece` bytes, like a network body. */
const pieces = (bytes: Buffer, piece = 100_000) => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
})());

/** Byte equality (vitest's deep equality walks megabytes element by element). */
const same = (a: Buffer | undefined, b: Buffer) => a !== undefined && a.equals(b);

const stores: [string, () => ObjectStore][] = [
  ['FsObjectStore', () => new FsObjectStore(dir)],
  ['S3ObjectStore', () => s3],
];

for (const [name, storeOf] of stores) {
  describe(`${name}: the ObjectStore contract (R-EVI-2)`, () => {
    it('R-EVI-2: round trip, size and exists', async () => {
      const store = storeOf();
      const bytes = randomBytes(300_000);
      await store.put('rt-1', pieces(bytes));
      expect(same(await readAll(await store.get('rt-1')), bytes)).toBe(true);
      expect(await store.size('rt-1')).toBe(bytes.length);
      expect(await store.exists('rt-1')).toBe(true);
    });

    it('R-EVI-2: inclusive byte ranges', async () => {
      const store = storeOf();
      const bytes = randomBytes(10_000);
      await store.put('range-1', pieces(bytes, 777));
      for (const [start, end] of [[0, 0], [9_999, 9_999], [1_234, 5_678], [0, 9_999]]) {
        expect(same(await readAll(await store.get('range-1', { start, end })), bytes.subarray(start, end + 1))).toBe(true);
      }
    });

    it('R-EVI-4: delete answers whether the object was there; afterwards it is missing', async () => {
      const store = storeOf();
      await store.put('del-1', Readable.from([Buffer.from('to be deleted')]));
      expect(await store.delete('del-1')).toBe(true);
      expect(await store.delete('del-1')).toBe(false);
      expect(await store.exists('del-1')).toBe(false);
      expect(await store.size('del-1')).toBeNull();
    });

    it('R-EVI-2: a missing object is ObjectNotFoundError on get', async () => {
      const store = storeOf();
      await expect(store.get('never-written')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.get('never-written', { start: 0, end: 10 })).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('R-EVI-2: a failing source stream stores nothing', async () => {
      const store = storeOf();
      const failing = new Readable({ read() {} });
      failing.push(randomBytes(6 * 1024 * 1024));
      setTimeout(() => failing.destroy(new Error('client went away')), 20);
      await expect(store.put('failed-1', failing)).rejects.toThrow();
      expect(await store.exists('failed-1')).toBe(false);
    });
  });
}

describe('S3ObjectStore specifics', () => {
  it('R-EVI-2: a body over one part is a multipart upload; parts stay bounded', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 5);
    fake.log.length = 0;
    await s3.put('multi-1', pieces(bytes, 64 * 1024));
    expect(fake.log.filter((l) => l.startsWith('UploadPart multi-1'))).toHaveLength(3);
    expect(fake.log).toContain('CompleteMultipartUpload multi-1 3');
    expect(same(fake.objects.get('multi-1'), bytes)).toBe(true);
    expect(fake.openUploads()).toBe(0);
  });

  it('R-EVI-2: a wrong secret is refused by the server (the fake verifies SigV4)', async () => {
    const wrong = new S3ObjectStore({ bucket: fake.bucket, endpoint: fake.endpoint, accessKey: fake.accessKey, secretKey: 'not-the-secret' });
    try {
      await expect(wrong.put('sig-1', Readable.from([Buffer.from('x')]))).rejects.toThrow(/signature/i);
      expect(fake.objects.has('sig-1')).toBe(false);
    } finally {
      wrong.destroy();
    }
  });
});

describe('SealedStore over S3 (R-EVI-2: encrypted at rest)', () => {
  it('R-EVI-2: round trip by ranges; the bucket holds ciphertext only; destroy removes it', async () => {
    const sealedStore = new SealedStore(s3);
    const plain = randomBytes(6 * 1024 * 1024 + 3);
    const sealed = await sealedStore.put(pieces(plain), { keyPrefix: 'evi' });
    expect(sealed.sizeBytes).toBe(plain.length);
    expect(sealed.sha256).toBe(createHash('sha256').update(plain).digest('hex'));
    const stored = fake.objects.get(sealed.storageKey)!;
    expect(stored.includes(plain.subarray(1000, 1032))).toBe(false);
    expect(same(await sealedStore.openBuffer(sealed.storageKey, sealed.dataKey, plain.length), plain)).toBe(true);
    const [start, end] = [3 * 1024 * 1024 + 17, 4 * 1024 * 1024 + 99];
    expect(same(await readAll(await sealedStore.open(sealed.storageKey, sealed.dataKey, plain.length, { start, end })), plain.subarray(start, end + 1))).toBe(true);
    expect(await sealedStore.destroy(sealed.storageKey)).toBe(true);
    expect(fake.objects.has(sealed.storageKey)).toBe(false);
  });
});
