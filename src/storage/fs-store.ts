import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ByteRange, ObjectNotFoundError, type ObjectStore } from './object-store';

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/**
 * The filesystem store (`STORAGE=fs:<dir>`): `<dir>/<2 first chars>/<key>`. A put writes a temporary file
 * in `<dir>/.tmp`, fsyncs it, renames it into place and fsyncs the directory, so a crash leaves either
 * nothing or the whole object (a leftover temporary file is never read and is swept at start).
 */
export class FsObjectStore implements ObjectStore {
  readonly description: string;
  private readonly root: string;
  private readonly tmp: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.tmp = join(this.root, '.tmp');
    this.description = `fs:${this.root}`;
  }

  path(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`invalid object key ${JSON.stringify(key)}`);
    return join(this.root, key.slice(0, 2), key);
  }

  /** Removes temporary files left by a crash (called at start; safe with other instances only for old files). */
  async sweepTemporary(olderThanMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    let names: string[];
    try {
      names = await fsp.readdir(this.tmp);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const p = join(this.tmp, name);
      const st = await fsp.stat(p).catch(() => null);
      if (st && st.mtimeMs < cutoff) {
        await fsp.rm(p, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.path(key);
    await fsp.mkdir(this.tmp, { recursive: true });
    await fsp.mkdir(dirname(target), { recursive: true });
    const temp = join(this.tmp, `${randomUUID()}.part`);
    try {
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      await pipeline(body, out);
      const fh = await fsp.open(temp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(temp, target);
      await fsyncDir(dirname(target));
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.path(key);
    // Open first so a missing object is an error now, not an 'error' event later.
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key);
      throw err;
    }
    return fh.createReadStream({ autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async delete(key: string): Promise<boolean> {
    try {
      await fsp.unlink(this.path(key));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await fsp.stat(this.path(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
