import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ByteRange, type ObjectStore } from './object-store';

/**
 * Encryption at rest (AES-256-GCM, one random key per object) over any `ObjectStore`.
 *
 * Layout of a sealed object: a 16-byte header (`CBO1`, chunk size as uint32 BE, 8-byte random nonce
 * prefix) then the plaintext in chunks of `CHUNK` bytes, each encrypted on its own with
 * IV = nonce prefix ‖ chunk index (uint32 BE) and followed by its 16-byte tag; the additional data of a
 * chunk says whether it is the last one, so truncating an object is detected like any tampering.
 * Chunking lets a byte range (HTTP Range, video seeking) be read by decrypting only the chunks it covers.
 *
 * The key is returned to the caller, who keeps it in the database (`object_key`); deleting it there
 * shreds the object wherever its bytes may remain.
 */
export const CHUNK = 64 * 1024;
const TAG = 16;
const HEADER = 16;
const MAGIC = Buffer.from('CBO1', 'ascii');

export interface SealedObject {
  storageKey: string;
  dataKey: Buffer;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
  /** Plaintext size in bytes. */
  sizeBytes: number;
}

/** The body was longer than allowed: nothing was stored. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`object larger than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

/** The body was empty: nothing was stored. */
export class EmptyObjectError extends Error {
  constructor() {
    super('empty object');
    this.name = 'EmptyObjectError';
  }
}

function iv(prefix: Buffer, index: number): Buffer {
  const out = Buffer.alloc(12);
  prefix.copy(out, 0, 0, 8);
  out.writeUInt32BE(index, 8);
  return out;
}

const AAD_MORE = Buffer.from([0]);
const AAD_LAST = Buffer.from([1]);

/** Plaintext → header + sealed chunks, hashing and counting the plaintext on the way. */
class SealTransform extends Transform {
  private readonly hash = createHash('sha256');
  /** The chunk being filled: copied into once, sealed when full and more data follows. */
  private readonly block = Buffer.allocUnsafe(CHUNK);
  private fill = 0;
  private index = 0;
  /** Plaintext bytes so far (not `size`: upload libraries read `Body.size` as the stream length). */
  plainBytes = 0;

  constructor(
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    private readonly maxBytes: number,
  ) {
    super();
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeUInt32BE(CHUNK, 4);
    prefix.copy(header, 8);
    this.push(header);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  /** Pushes the ciphertext then the tag (no concatenation: one copy of the bytes less). */
  private seal(chunk: Buffer, last: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, iv(this.prefix, this.index));
    cipher.setAAD(last ? AAD_LAST : AAD_MORE);
    const sealed = cipher.update(chunk);
    cipher.final();
    this.index += 1;
    this.push(sealed);
    this.push(cipher.getAuthTag());
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.plainBytes += data.length;
    if (this.plainBytes > this.maxBytes) {
      done(new ObjectTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(data);
    // A full block is sealed only once more data arrives: the last chunk is only known at the end.
    for (let off = 0; off < data.length; ) {
      if (this.fill === CHUNK) {
        this.seal(this.block, false);
        this.fill = 0;
      }
      const n = Math.min(CHUNK - this.fill, data.length - off);
      data.copy(this.block, this.fill, off, off + n);
      this.fill += n;
      off += n;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.plainBytes === 0) {
      done(new EmptyObjectError());
      return;
    }
    this.seal(this.block.subarray(0, this.fill), true);
    done();
  }
}

/** Sealed chunks (starting at chunk `firstIndex`, header already consumed) → plaintext. */
class OpenTransform extends Transform {
  /** The sealed chunk being filled (ciphertext + tag): copied into once, opened when complete. */
  private readonly unit = Buffer.allocUnsafe(CHUNK + TAG);
  private fill = 0;
  private index: number;

  constructor(
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    firstIndex: number,
    private readonly lastIndex: number,
    private skip: number,
    private remaining: number,
  ) {
    super();
    this.index = firstIndex;
  }

  /** Decrypts and authenticates one chunk; its plaintext is pushed only once the tag has been checked. */
  private open(sealed: Buffer): void {
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv(this.prefix, this.index));
    decipher.setAAD(this.index === this.lastIndex ? AAD_LAST : AAD_MORE);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    let plain = decipher.update(sealed.subarray(0, sealed.length - TAG));
    decipher.final();
    if (this.skip > 0) {
      plain = plain.subarray(this.skip);
      this.skip = 0;
    }
    this.index += 1;
    if (plain.length > this.remaining) plain = plain.subarray(0, this.remaining);
    this.remaining -= plain.length;
    if (plain.length > 0) this.push(plain);
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      for (let off = 0; off < data.length && this.remaining > 0; ) {
        const n = Math.min(CHUNK + TAG - this.fill, data.length - off);
        data.copy(this.unit, this.fill, off, off + n);
        this.fill += n;
        off += n;
        if (this.fill === CHUNK + TAG) {
          this.open(this.unit);
          this.fill = 0;
        }
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.remaining > 0 && this.fill > 0) this.open(this.unit.subarray(0, this.fill));
      if (this.remaining > 0) throw new Error('sealed object truncated');
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}

/** A new random storage key, `<prefix>-<uuid>`: what `put` uses unless given one (object intents name the key before the upload). */
export function newStorageKey(prefix = 'obj'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface PutOptions {
  maxBytes?: number;
  keyPrefix?: string;
  /** The key to store under (from `newStorageKey`, recorded in an intent first); default: a new one. */
  storageKey?: string;
}

export class SealedStore {
  constructor(readonly store: ObjectStore) {}

  /**
   * Encrypts and stores the stream under a new random key (or `storageKey`), hashing and counting the
   * plaintext; never holds more than a chunk in memory. Refuses (and stores nothing) an empty body or
   * one over `maxBytes`.
   */
  async put(body: Readable, options: PutOptions = {}): Promise<SealedObject> {
    const dataKey = randomBytes(32);
    const storageKey = options.storageKey ?? newStorageKey(options.keyPrefix);
    const seal = new SealTransform(dataKey, randomBytes(8), options.maxBytes ?? Number.MAX_SAFE_INTEGER);
    try {
      // Both sides settle; the first error wins and the other one is handled, not left unhandled.
      await Promise.all([pipeline(body, seal), this.store.put(storageKey, seal)]);
    } catch (err) {
      await this.store.delete(storageKey).catch(() => undefined);
      throw err;
    }
    return { storageKey, dataKey, sha256: seal.digest(), sizeBytes: seal.plainBytes };
  }

  /** Stores a buffer (a rendered certificate). */
  async putBuffer(bytes: Buffer, options: Omit<PutOptions, 'maxBytes'> = {}): Promise<SealedObject> {
    return this.put(Readable.from([bytes]), options);
  }

  /**
   * The plaintext of the object (of `sizeBytes` bytes), or of an inclusive byte range of it. Throws
   * `ObjectNotFoundError` when the bytes are gone; a stream error when they were tampered with.
   */
  async open(storageKey: string, dataKey: Buffer, sizeBytes: number, range?: ByteRange): Promise<Readable> {
    const start = range?.start ?? 0;
    const end = range?.end ?? sizeBytes - 1;
    if (start < 0 || end >= sizeBytes || start > end) throw new RangeError(`range ${start}-${end} outside 0-${sizeBytes - 1}`);
    const lastIndex = Math.floor((sizeBytes - 1) / CHUNK);
    const first = Math.floor(start / CHUNK);
    const last = Math.floor(end / CHUNK);
    const header = await readAll(await this.store.get(storageKey, { start: 0, end: HEADER - 1 }));
    if (header.length !== HEADER || !header.subarray(0, 4).equals(MAGIC) || header.readUInt32BE(4) !== CHUNK) {
      throw new Error(`object ${storageKey}: not a sealed object`);
    }
    const prefix = header.subarray(8, 16);
    const raw = await this.store.get(storageKey, { start: HEADER + first * (CHUNK + TAG), end: HEADER + (last + 1) * (CHUNK + TAG) - 1 });
    const opener = new OpenTransform(dataKey, prefix, first, lastIndex, start - first * CHUNK, end - start + 1);
    raw.on('error', (err) => opener.destroy(err));
    return raw.pipe(opener);
  }

  /** The whole plaintext in memory (small objects only: certificates). */
  async openBuffer(storageKey: string, dataKey: Buffer, sizeBytes: number): Promise<Buffer> {
    return readAll(await this.open(storageKey, dataKey, sizeBytes));
  }

  /** Deletes the bytes; answers whether they were there. The caller deletes the key row. */
  async destroy(storageKey: string): Promise<boolean> {
    return this.store.delete(storageKey);
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
