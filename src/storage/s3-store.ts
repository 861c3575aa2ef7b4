import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { type ByteRange, ObjectNotFoundError, type ObjectStore } from './object-store';

export interface S3StoreOptions {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, a test server); default: AWS. */
  endpoint?: string;
  accessKey?: string;
  secretKey?: string;
  region?: string;
  /** Multipart part size (≥ 5 MiB); memory held by an upload is about `partSize × queueSize`. */
  partSize?: number;
  queueSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;

interface Sdk {
  s3: typeof import('@aws-sdk/client-s3');
  Upload: (typeof import('@aws-sdk/lib-storage'))['Upload'];
}
let sdk: Promise<Sdk> | undefined;
/**
 * The AWS SDK (≈ 100 ms of module loading) is loaded on the first S3 operation, not at start-up: a
 * server on the filesystem store never loads it.
 */
function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({ s3, Upload: storage.Upload }));
  return sdk;
}

function isNotFound({ s3: { NoSuchKey, NotFound, S3ServiceException } }: Sdk, err: unknown): boolean {
  if (err instanceof NoSuchKey || err instanceof NotFound) return true;
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404);
}

/**
 * The S3-compatible store (`STORAGE=s3://bucket`, with `S3_ENDPOINT`, `S3_ACCESS_KEY`, `S3_SECRET_KEY`):
 * objects under their key in the bucket, path-style addressing (MinIO). A put is a streamed multipart
 * upload (`@aws-sdk/lib-storage`), aborted on error, so the object appears whole or not at all (S3
 * makes an object visible only when its upload completes); memory stays at a few parts whatever the size.
 */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly options: S3StoreOptions;
  private s3Client: Promise<S3Client> | undefined;
  private destroyed = false;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(MIN_PART, options.partSize ?? 8 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 2;
    this.description = `s3://${options.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    this.options = options;
  }

  /** The S3 client, created with the SDK on first use. */
  client(): Promise<S3Client> {
    this.s3Client ??= loadSdk().then(({ s3: { S3Client } }) => {
      const { options } = this;
      const client = new S3Client({
        region: options.region ?? 'us-east-1',
        endpoint: options.endpoint,
        forcePathStyle: true,
        credentials: options.accessKey && options.secretKey ? { accessKeyId: options.accessKey, secretAccessKey: options.secretKey } : undefined,
        // Checksums only when S3 requires them: S3-compatible servers differ on the newer defaults.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      if (this.destroyed) client.destroy();
      return client;
    });
    return this.s3Client;
  }

  async put(key: string, body: Readable): Promise<void> {
    // A failing source stream must fail the upload (lib-storage only reads it): listened to from here.
    const failed = new Promise<never>((_resolve, reject) => body.once('error', reject));
    failed.catch(() => undefined);
    let api: Sdk;
    let client: S3Client;
    try {
      [api, client] = await Promise.all([loadSdk(), this.client()]);
    } catch (err) {
      if (!body.destroyed) body.destroy(err as Error);
      throw err;
    }
    const upload = new api.Upload({
      client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const done = upload.done();
    done.catch(() => undefined);
    try {
      await Promise.race([done, failed]);
    } catch (err) {
      await upload.abort().catch(() => undefined);
      await done.catch(() => undefined);
      // The server refused: stop the producer too (an unread source would hang its pipeline).
      if (!body.destroyed) body.destroy(err as Error);
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const [api, client] = await Promise.all([loadSdk(), this.client()]);
    try {
      const out = await client.send(
        new api.s3.GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream body');
      return out.Body;
    } catch (err) {
      if (isNotFound(api, err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    // S3 answers 204 whether or not the key existed: ask first to answer "was it there".
    const existed = await this.exists(key);
    const [api, client] = await Promise.all([loadSdk(), this.client()]);
    await client.send(new api.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return existed;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async size(key: string): Promise<number | null> {
    const [api, client] = await Promise.all([loadSdk(), this.client()]);
    try {
      const head = await client.send(new api.s3.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(api, err)) return null;
      throw err;
    }
  }

  destroy(): void {
    this.destroyed = true;
    void this.s3Client?.then((client) => client.destroy(), () => undefined);
  }
}
