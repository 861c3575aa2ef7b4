import { type Config } from '../config';
import { FsObjectStore } from './fs-store';
import { type ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

export { FsObjectStore } from './fs-store';
export { S3ObjectStore, type S3StoreOptions } from './s3-store';
export { type ByteRange, ObjectNotFoundError, type ObjectStore } from './object-store';
export { CHUNK, EmptyObjectError, newStorageKey, ObjectTooLargeError, type PutOptions, readAll, type SealedObject, SealedStore } from './sealed-store';

/** The configured store: `fs:<dir>` (default `.data/objects`) or `s3://bucket`. */
export function createObjectStore(config: Config): ObjectStore {
  if (config.storage.kind === 'fs') return new FsObjectStore(config.storage.dir);
  const { bucket, endpoint, accessKey, secretKey } = config.storage;
  return new S3ObjectStore({ bucket, endpoint, accessKey, secretKey });
}
