import { type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Learner } from '../entities';

/** Per-request DataLoaders: a page of rows costs one query per relation, not one per row. */
export interface Loaders {
  learner: DataLoader<string, Learner | null>;
}

export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    learner: byIdLoader((ids) => em.find(Learner, { id: { $in: [...ids] } })),
  };
}
