import { type EntityManager } from '@mikro-orm/postgresql';
import { ObjectKey } from '../entities';
import { type SealedObject } from './sealed-store';

/** Records the key of a freshly stored object, in the caller's transaction. */
export function recordObjectKey(em: EntityManager, sealed: SealedObject): ObjectKey {
  const key = em.create(ObjectKey, { storageKey: sealed.storageKey, dataKey: sealed.dataKey });
  em.persist(key);
  return key;
}

/** The key of a stored object, or null once shredded. */
export async function findObjectKey(em: EntityManager, storageKey: string): Promise<Buffer | null> {
  const rows = await em.execute<{ data_key: Buffer }[]>('select "data_key" from "object_key" where "storage_key" = ?', [storageKey]);
  return rows[0]?.data_key ?? null;
}

/** Crypto-shredding: deletes the key, after which no copy of the object's bytes can be read. */
export async function shredObjectKeys(em: EntityManager, storageKeys: readonly string[]): Promise<number> {
  if (storageKeys.length === 0) return 0;
  // One text[] parameter (a JS array would be expanded into a list); em.execute joins the caller's transaction.
  const res = await em.execute('delete from "object_key" where "storage_key" = any(?::text[])', [toTextArray(storageKeys)], 'run');
  return (res as { affectedRows?: number }).affectedRows ?? 0;
}

/** A PostgreSQL text[] literal; storage keys are `[A-Za-z0-9._-]` only, but quote anyway. */
export function toTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
