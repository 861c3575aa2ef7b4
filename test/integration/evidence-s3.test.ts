import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/storage';
import { attemptForEvidence, putEvidence } from '../helpers/evidence-factories';
import { type S3Fake, startS3Fake } from '../helpers/s3-fake';
import { startTestServer, type TestServer } from '../helpers/server';

/** The same ingestion and viewing with STORAGE=s3:// through the in-process S3-compatible server. */
let fake: S3Fake;
let s: TestServer;
beforeAll(async () => {
  fake = await startS3Fake();
  s = await startTestServer({ env: fake.env() });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

describe('Evidence on S3-compatible storage (R-EVI-2)', () => {
  it('R-EVI-2: STORAGE=s3:// streams a multi-part upload of ciphertext; the link serves the plaintext and its ranges', async () => {
    expect(s.app.objects.store).toBeInstanceOf(S3ObjectStore);
    const a = await attemptForEvidence(s);
    const video = randomBytes(11 * 1024 * 1024 + 77);
    const body = Readable.from((function* () {
      for (let i = 0; i < video.length; i += 512 * 1024) yield video.subarray(i, i + 512 * 1024);
    })());
    const put = await putEvidence(s, a.attemptId, 'VIDEO', body, a.startsAt, { contentType: 'video/mp4' });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body.sha256).toBe(createHash('sha256').update(video).digest('hex'));

    const [row] = await s.orm.em.fork().getConnection().execute<{ storage_key: string }[]>('select storage_key from evidence where id = ?', [put.body.id]);
    expect(fake.log).toContain(`CompleteMultipartUpload ${row.storage_key} 2`);
    const stored = fake.objects.get(row.storage_key)!;
    expect(stored.length).toBeGreaterThan(video.length);
    expect(stored.includes(video.subarray(4096, 4128))).toBe(false);

    const r = await s.gql<{ attempt: { evidence: { viewUrl: string }[] } }>('query($id: ID!) { attempt(id: $id) { evidence { viewUrl } } }', { id: a.attemptId }, await s.tokenFor('CERTIFICATION'));
    const link = new URL(r.data!.attempt.evidence[0].viewUrl);
    const whole = await fetch(`${s.url}${link.pathname}${link.search}`);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(video)).toBe(true);
    const start = 9 * 1024 * 1024 + 5;
    const part = await fetch(`${s.url}${link.pathname}${link.search}`, { headers: { range: `bytes=${start}-` } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(start))).toBe(true);
  });

  it('R-EVI-2: an empty body leaves no object in the bucket and no open upload', async () => {
    const a = await attemptForEvidence(s);
    const before = fake.objects.size;
    const put = await putEvidence(s, a.attemptId, 'FACE_PHOTO', Buffer.alloc(0), a.startsAt, { contentType: 'image/jpeg' });
    expect(put.status).toBe(400);
    expect(fake.objects.size).toBe(before);
    expect(fake.openUploads()).toBe(0);
  });
});
