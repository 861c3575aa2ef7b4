import { type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { CertificationSession, Learner, Registration } from '../entities';

/** Per-request DataLoaders: a page of rows costs one query per relation, not one per row. */
export interface Loaders {
  learner: DataLoader<string, Learner | null>;
  session: DataLoader<string, CertificationSession | null>;
  registrationsByLearner: DataLoader<string, Registration[]>;
}

export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Groups rows by a key (e.g. all registrations of each learner), in the order the query returned them. */
export function groupLoader<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await load(keys);
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    learner: byIdLoader((ids) => em.find(Learner, { id: { $in: [...ids] } })),
    session: byIdLoader((ids) => em.find(CertificationSession, { id: { $in: [...ids] } })),
    registrationsByLearner: groupLoader(
      (ids) => em.find(Registration, { learner: { $in: [...ids] } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      (r) => r.learner.id,
    ),
  };
}
