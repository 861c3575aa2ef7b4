import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../src/db/orm';
import { findObjectKey, recordObjectKey, shredObjectKeys } from '../../src/storage/object-keys';
import { createTestDatabase } from '../helpers/database';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm(db.url);
});
afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

const sealed = (storageKey: string) => ({ storageKey, dataKey: randomBytes(32), sha256: '0'.repeat(64), sizeBytes: 1 });

describe('object keys (crypto-shredding, R-EVI-4)', () => {
  it('R-EVI-4: shredding deletes exactly the named keys, inside the caller\'s transaction', async () => {
    const em = orm.em.fork();
    const keys = ['ev-a', 'ev-b', 'ev-c'].map(sealed);
    for (const k of keys) recordObjectKey(em, k);
    await em.flush();
    expect(await findObjectKey(orm.em.fork(), 'ev-a')).toEqual(keys[0].dataKey);

    // Rolled back: the keys are still there.
    await expect(
      orm.em.fork().transactional(async (tx) => {
        expect(await shredObjectKeys(tx, ['ev-a', 'ev-b'])).toBe(2);
        expect(await findObjectKey(tx, 'ev-a')).toBeNull();
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await findObjectKey(orm.em.fork(), 'ev-a')).not.toBeNull();

    await orm.em.fork().transactional(async (tx) => {
      expect(await shredObjectKeys(tx, ['ev-a', 'ev-b', 'never-stored'])).toBe(2);
    });
    expect(await findObjectKey(orm.em.fork(), 'ev-a')).toBeNull();
    expect(await findObjectKey(orm.em.fork(), 'ev-b')).toBeNull();
    expect(await findObjectKey(orm.em.fork(), 'ev-c')).toEqual(keys[2].dataKey);
    expect(await shredObjectKeys(orm.em.fork(), [])).toBe(0);
  });
});
