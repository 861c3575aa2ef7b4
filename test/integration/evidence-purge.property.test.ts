import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EvidenceKind } from '../../src/entities/evidence.entity';
import { examSession } from '../helpers/exam-factories';
import { bulkAttempts, heldCase, objectPath, runPurge, type StoredEvidence, storeEvidence } from '../helpers/fraud-factories';
import { sql } from '../helpers/scheduling-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let sessionId: string;

beforeAll(async () => {
  s = await startTestServer();
  sessionId = await examSession(s);
});
afterAll(() => s?.close());

/** The domain clock of every run; each object's retainUntil is NOW + offset. */
const NOW = new Date('2017-06-15T12:00:00.000Z');
const KINDS: EvidenceKind[] = ['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'];
const THREE_DAYS = 3 * 86_400;

/** One attempt: whether it is on legal hold, and its objects' retention offsets (seconds from NOW), around the boundary too. */
const attemptArb = fc.record({
  held: fc.boolean(),
  offsets: fc.array(fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -THREE_DAYS, max: THREE_DAYS })), { minLength: 1, maxLength: 3 }),
});

async function readable(e: StoredEvidence): Promise<boolean> {
  const [key] = await sql<{ data_key: Buffer }>(s, 'select data_key from object_key where storage_key = ?', [e.storageKey]);
  if (!key || !existsSync(objectPath(s, e.storageKey))) return false;
  return (await s.app.objects.openBuffer(e.storageKey, key.data_key, e.bytes.length)).equals(e.bytes);
}

it('R-EVI-4 (property): after a purge, nothing past retention and not on hold remains stored or readable, and nothing on hold or within retention is touched', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(attemptArb, { minLength: 1, maxLength: 4 }), async (attempts) => {
      await s.setClock(new Date(NOW.getTime() - 7 * 86_400_000)); // stored before any of it is due
      const ids = await bulkAttempts(s, sessionId, attempts.length);
      const stored: { e: StoredEvidence; held: boolean; due: boolean }[] = [];
      for (const [i, a] of attempts.entries()) {
        for (const [k, offset] of a.offsets.entries()) {
          const e = await storeEvidence(s, ids[i], KINDS[k], new Date(NOW.getTime() + offset * 1000), { bytes: Buffer.from(`evidence ${i}/${k} ${offset}`) });
          stored.push({ e, held: a.held, due: offset <= 0 });
        }
        if (a.held) await heldCase(s, ids[i]);
      }
      await s.setClock(NOW);
      const run = await runPurge(s);
      expect(run.status).toBe('SUCCEEDED');
      for (const { e, held, due } of stored) {
        const [row] = await sql<{ status: string }>(s, 'select status from evidence where id = ?', [e.id]);
        const tombstones = await sql(s, 'select 1 from evidence_tombstone where evidence_id = ?', [e.id]);
        if (due && !held) {
          expect(row.status).toBe('PURGED');
          expect(existsSync(objectPath(s, e.storageKey))).toBe(false);
          expect(await readable(e)).toBe(false);
          expect(tombstones).toHaveLength(1);
        } else {
          expect(row.status).toBe('RETAINED');
          expect(await readable(e)).toBe(true);
          expect(tombstones).toHaveLength(0);
        }
      }
    }),
    { numRuns: 25 },
  );
}, 180_000);
