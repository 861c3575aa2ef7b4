import { type Readable } from 'node:stream';

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The object is not in the store (never written, or deleted). */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object ${key} is not in the store`);
    this.name = 'ObjectNotFoundError';
  }
}

/**
 * Where object bytes live: the filesystem (default) or an S3-compatible bucket. Stores opaque bytes
 * only; encryption is done above it (`SealedStore`), so no store ever sees plaintext.
 */
export interface ObjectStore {
  readonly description: string;
  /** Writes the whole stream under `key`, atomically: a reader sees the old state or the complete object. */
  put(key: string, body: Readable): Promise<void>;
  /** Streams the object, or the inclusive byte range of it; `ObjectNotFoundError` when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes the object; answers whether it was there (a missing object is not an error). */
  delete(key: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Size in bytes of the stored (encrypted) object, or null when absent. */
  size(key: string): Promise<number | null>;
}
