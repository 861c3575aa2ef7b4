import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHUNK, type FsObjectStore } from '../../src/storage';
import { attemptForEvidence, putEvidence } from '../helpers/evidence-factories';
import { startAttempt } from '../helpers/exam-factories';
import { heldCase } from '../helpers/fraud-factories';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let attemptId: string;
let learnerToken: string;
let capturedAt: string;
/** The VIDEO of the main attempt: 5 MB streamed in many chunks. */
const video = randomBytes(5 * 1024 * 1024 + 321);
let videoId: string;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) => s.orm.em.fork().getConnection().execute<T[]>(q, params);
const evidenceCount = async (id = attemptId) => (await sql<{ n: number }>('select count(*)::int as n from evidence where attempt_id = ?', [id]))[0].n;
const objectCount = async () => (await sql<{ n: number }>('select count(*)::int as n from object_key'))[0].n;
const viewEvents = async (id: string) => sql<{ actor: string; details: Record<string, unknown> }>(`select actor, details from audit_event where action = 'evidence.view-link' and subject_id = ? order by id`, [id]);

/** A body streamed in pieces, as a proctoring upload arrives. */
const streamed = (bytes: Buffer, piece = 256 * 1024) => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
})());

const EVIDENCE = `query($id: ID!) { attempt(id: $id) { id evidence { id kind contentType sizeBytes sha256 capturedAt retainUntil status purgedAt } } }`;
const VIEW_URL = `query($id: ID!) { attempt(id: $id) { evidence { id kind status viewUrl } } }`;

interface EvidenceView { id: string; kind: string; contentType: string; sizeBytes: number; sha256: string; capturedAt: string; retainUntil: string; status: string; purgedAt: string | null; viewUrl?: string | null }

async function viewUrlOf(id: string, token?: string): Promise<string> {
  const r = await s.gql<{ attempt: { evidence: EvidenceView[] } }>(VIEW_URL, { id: attemptId }, token ?? (await s.tokenFor('CERTIFICATION')));
  expect(r.errors).toBeUndefined();
  return r.data!.attempt.evidence.find((e) => e.id === id)!.viewUrl!;
}

beforeAll(async () => {
  s = await startTestServer();
  const a = await attemptForEvidence(s);
  attemptId = a.attemptId;
  learnerToken = a.token;
  capturedAt = a.startsAt;
  const r = await putEvidence(s, attemptId, 'VIDEO', streamed(video), capturedAt);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  videoId = r.body.id!;
});
afterAll(async () => {
  await s?.close();
});

describe('PUT /evidence/:attemptId/:kind (R-EVI-1, R-EVI-2)', () => {
  it('R-EVI-2: a 5 MB body streamed in chunks is stored with its size, SHA-256 and retention end (capture + 42 days)', async () => {
    const [row] = await sql<{ size_bytes: string; sha256: string; retain_until: Date; captured_at: Date; content_type: string; received_by: string }>('select * from evidence where id = ?', [videoId]);
    expect(Number(row.size_bytes)).toBe(video.length);
    expect(row.sha256).toBe(sha(video));
    expect(row.content_type).toBe('video/webm');
    expect(new Date(row.captured_at).toISOString()).toBe(new Date(capturedAt).toISOString());
    expect(new Date(row.retain_until).toISOString()).toBe(new Date(new Date(capturedAt).getTime() + 42 * 86_400_000).toISOString());
    expect(row.received_by).toMatch(/^service:/);
    const audit = await sql<{ action: string }>(`select action from audit_event where subject_id = ? and action = 'evidence.stored'`, [videoId]);
    expect(audit).toHaveLength(1);
  });

  it('R-EVI-2: the answer is 201 { id, sha256, sizeBytes, retainUntil }', async () => {
    const photo = randomBytes(40_000);
    const r = await putEvidence(s, attemptId, 'FACE_PHOTO', photo, capturedAt, { contentType: 'image/jpeg' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(String), sha256: sha(photo), sizeBytes: photo.length, retainUntil: new Date(new Date(capturedAt).getTime() + 42 * 86_400_000).toISOString() });
  });

  it('R-EVI-2: without a Content-Type the object is stored as application/octet-stream', async () => {
    const a = await attemptForEvidence(s);
    const r = await putEvidence(s, a.attemptId, 'ID_DOCUMENT', randomBytes(100), a.startsAt, { contentType: null });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [row] = await sql<{ content_type: string }>('select content_type from evidence where id = ?', [r.body.id]);
    expect(row.content_type).toBe('application/octet-stream');
  });

  it('R-EVI-2: the object is encrypted at rest: the file holds no plaintext and is larger by the GCM overhead', async () => {
    const [row] = await sql<{ storage_key: string }>('select storage_key from evidence where id = ?', [videoId]);
    const file = readFileSync((s.app.objects.store as FsObjectStore).path(row.storage_key));
    for (const at of [0, CHUNK, 3 * CHUNK + 17, video.length - 64]) expect(file.includes(video.subarray(at, at + 32))).toBe(false);
    expect(file.length).toBe(16 + video.length + 16 * Math.ceil(video.length / CHUNK));
    const [key] = await sql<{ data_key: Buffer }>('select data_key from object_key where storage_key = ?', [row.storage_key]);
    expect(key.data_key).toHaveLength(32);
  });

  it('R-EVI-2: each bad request is a 400 with its field, and stores nothing', async () => {
    const before = { rows: await evidenceCount(), keys: await objectCount() };
    const future = new Date(s.clock.now().getTime() + 60_000).toISOString();
    const cases: [string, Awaited<ReturnType<typeof putEvidence>>, string][] = [
      ['unknown kind', await putEvidence(s, attemptId, 'AUDIO', randomBytes(10), capturedAt), 'kind'],
      ['lower-case kind', await putEvidence(s, attemptId, 'id_document', randomBytes(10), capturedAt), 'kind'],
      ['missing X-Captured-At', await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), capturedAt, { noCapturedAt: true }), 'X-Captured-At'],
      ['future X-Captured-At', await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), future), 'X-Captured-At'],
      ['X-Captured-At without a zone', await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), '2017-03-02T14:00:00'), 'X-Captured-At'],
      ['X-Captured-At not a date', await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), 'yesterday'), 'X-Captured-At'],
      ['Content-Type with a bad parameter', await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), capturedAt, { contentType: 'image/png; charset' }), 'Content-Type'],
      ['empty body', await putEvidence(s, attemptId, 'ID_DOCUMENT', Buffer.alloc(0), capturedAt), 'body'],
      ['empty streamed body', await putEvidence(s, attemptId, 'ID_DOCUMENT', Readable.from([]), capturedAt), 'body'],
    ];
    for (const [what, r, field] of cases) {
      expect(r.status, what).toBe(400);
      expect(r.body.code, what).toBe('VALIDATION_FAILED');
      expect(r.body.field, what).toEqual([field]);
      expect(r.body.error, what).toEqual(expect.any(String));
    }
    // A Content-Type that is not a media type at all is refused by the HTTP layer (415) before us.
    expect((await putEvidence(s, attemptId, 'ID_DOCUMENT', randomBytes(10), capturedAt, { contentType: 'not a type' })).status).toBe(415);
    expect(await evidenceCount()).toBe(before.rows);
    expect(await objectCount()).toBe(before.keys);
  });

  it('R-EVI-2: an unknown attempt is 404; a second object of a kind is 409 and the first stays', async () => {
    expect((await putEvidence(s, randomUUID(), 'VIDEO', randomBytes(10), capturedAt)).status).toBe(404);
    expect((await putEvidence(s, 'not-a-uuid', 'VIDEO', randomBytes(10), capturedAt)).status).toBe(404);
    const keys = await objectCount();
    const again = await putEvidence(s, attemptId, 'VIDEO', randomBytes(1000), capturedAt);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EVIDENCE_ALREADY_STORED');
    expect(await objectCount()).toBe(keys);
    const [row] = await sql<{ sha256: string }>(`select sha256 from evidence where attempt_id = ? and kind = 'VIDEO'`, [attemptId]);
    expect(row.sha256).toBe(sha(video));
  });

  it('R-EVI-2: an upload cut off half-way stores nothing (no row, no key, no file) and the kind stays free', async () => {
    const a = await attemptForEvidence(s);
    const tmp = join((s.app.objects.store as FsObjectStore).path('xx-probe'), '..', '..', '.tmp');
    const token = await s.tokenFor('INTEGRATION');
    await new Promise<void>((resolve) => {
      const req = request(`${s.url}/evidence/${a.attemptId}/VIDEO`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/webm', 'x-captured-at': a.startsAt, 'content-length': String(10 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(randomBytes(2 * 1024 * 1024), () => setTimeout(() => req.destroy(), 200));
    });
    await vi.waitFor(() => expect(readdirSync(tmp)).toEqual([]), { timeout: 10_000, interval: 50 });
    expect(await evidenceCount(a.attemptId)).toBe(0);
    const bytes = randomBytes(1000);
    const again = await putEvidence(s, a.attemptId, 'VIDEO', bytes, a.startsAt);
    expect(again.status).toBe(201);
    expect(again.body.sha256).toBe(sha(bytes));
  });

  it('R-EVI-2, R-SEC-1: only INTEGRATION stores evidence: no token 401, a bad token 401, other roles 403', async () => {
    const bytes = randomBytes(10);
    expect((await putEvidence(s, attemptId, 'ID_DOCUMENT', bytes, capturedAt, { token: null })).status).toBe(401);
    expect((await putEvidence(s, attemptId, 'ID_DOCUMENT', bytes, capturedAt, { token: 'cbo_forged' })).status).toBe(401);
    for (const role of ['CERTIFICATION', 'SUPPORT', 'PAYMENTS'] as const) {
      const r = await putEvidence(s, attemptId, 'ID_DOCUMENT', bytes, capturedAt, { token: await s.tokenFor(role) });
      expect(r.status, role).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    }
    expect((await putEvidence(s, attemptId, 'ID_DOCUMENT', bytes, capturedAt, { token: learnerToken })).status).toBe(403);
    expect(await evidenceCount()).toBe(2);
  });
});

describe('Attempt.evidence and Evidence.viewUrl (R-EVI-2, R-SEC-2)', () => {
  it('R-EVI-2: CERTIFICATION and ADMIN see the attempt\'s evidence, in kind order, with its facts', async () => {
    for (const role of ['CERTIFICATION', 'ADMIN'] as const) {
      const r = await s.gql<{ attempt: { evidence: EvidenceView[] } }>(EVIDENCE, { id: attemptId }, await s.tokenFor(role));
      expect(r.errors, role).toBeUndefined();
      const list = r.data!.attempt.evidence;
      expect(list.map((e) => e.kind)).toEqual(['VIDEO', 'FACE_PHOTO']);
      expect(list[0]).toEqual({ id: videoId, kind: 'VIDEO', contentType: 'video/webm', sizeBytes: video.length, sha256: sha(video), capturedAt: new Date(capturedAt).toISOString(), retainUntil: expect.any(String), status: 'RETAINED', purgedAt: null });
    }
  });

  it('R-EVI-2, R-SEC-1: the learner, SUPPORT and INTEGRATION get FORBIDDEN for Attempt.evidence (and no link is issued)', async () => {
    const before = (await viewEvents(videoId)).length;
    for (const [who, token] of [['learner', learnerToken], ['SUPPORT', await s.tokenFor('SUPPORT')], ['INTEGRATION', await s.tokenFor('INTEGRATION')]] as const) {
      const r = await s.gql(VIEW_URL, { id: attemptId }, token);
      expect(r.errors?.map((e) => e.extensions?.code), who).toContain('FORBIDDEN');
    }
    const payments = await s.gql(VIEW_URL, { id: attemptId }, await s.tokenFor('PAYMENTS'));
    expect(payments.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    expect(await viewEvents(videoId)).toHaveLength(before);
  });

  it('R-SEC-2: each viewUrl request writes an audit event (actor, subject, attempt, kind)', async () => {
    const before = (await viewEvents(videoId)).length;
    await viewUrlOf(videoId);
    await viewUrlOf(videoId, await s.tokenFor('ADMIN'));
    const events = await viewEvents(videoId);
    expect(events).toHaveLength(before + 2);
    expect(events.slice(-2).map((e) => e.actor)).toEqual(['staff:certification@test.local', 'staff:admin@test.local']);
    expect(events[events.length - 1].details).toMatchObject({ attemptId, kind: 'VIDEO' });
  });

  it('R-EVI-2: the link is signed with a 5-minute expiry and streams the object with its content type', async () => {
    const url = new URL(await viewUrlOf(videoId));
    expect(url.pathname).toBe(`/evidence/${videoId}`);
    const expires = Number(url.searchParams.get('expires'));
    const now = Math.floor(Date.now() / 1000);
    expect(expires).toBeGreaterThanOrEqual(now + 295);
    expect(expires).toBeLessThanOrEqual(now + 301);
    const res = await fetch(`${s.url}${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/webm');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(video.length));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await res.arrayBuffer()).equals(video)).toBe(true);
  });

  it('R-EVI-2: Range requests for video seeking: 206 with the exact bytes, suffix and open-ended ranges, 416', async () => {
    const url = new URL(await viewUrlOf(videoId));
    const get = (range: string) => fetch(`${s.url}${url.pathname}${url.search}`, { headers: { range } });
    const size = video.length;
    for (const [range, start, end] of [
      ['bytes=0-0', 0, 0],
      ['bytes=100-199', 100, 199],
      [`bytes=${CHUNK - 10}-${CHUNK + 10}`, CHUNK - 10, CHUNK + 10],
      ['bytes=-500', size - 500, size - 1],
      [`bytes=${size - 1000}-`, size - 1000, size - 1],
      [`bytes=1000-${size + 5000}`, 1000, size - 1],
    ] as const) {
      const res = await get(range);
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(res.headers.get('content-type')).toBe('video/webm');
      expect(Buffer.from(await res.arrayBuffer()).equals(video.subarray(start, end + 1)), range).toBe(true);
    }
    for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
      const res = await get(range);
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
      await res.arrayBuffer();
    }
  });

  it('R-EVI-2: a tampered or expired link is 403', async () => {
    const url = new URL(await viewUrlOf(videoId));
    const sig = url.searchParams.get('sig')!;
    const expires = Number(url.searchParams.get('expires'));
    const otherId = (await sql<{ id: string }>(`select id from evidence where attempt_id = ? and kind = 'FACE_PHOTO'`, [attemptId]))[0].id;
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    for (const [what, path] of [
      ['signature altered', `/evidence/${videoId}?expires=${expires}&sig=${flipped}`],
      ['expiry pushed back', `/evidence/${videoId}?expires=${expires + 3600}&sig=${sig}`],
      ['another object', `/evidence/${otherId}?expires=${expires}&sig=${sig}`],
      ['no signature', `/evidence/${videoId}?expires=${expires}`],
      ['no expiry', `/evidence/${videoId}?sig=${sig}`],
      ['expired', new URL(s.app.services.evidence.signedUrl(videoId, Math.floor(Date.now() / 1000) - 1)).pathname + new URL(s.app.services.evidence.signedUrl(videoId, Math.floor(Date.now() / 1000) - 1)).search],
    ] as const) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, what).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
    }
  });

  it('R-EVI-2: link expiry reads the real clock: a test-clock jump of six weeks does not expire a fresh link', async () => {
    const url = new URL(await viewUrlOf(videoId));
    const saved = s.clock.now();
    await s.setClock(new Date(saved.getTime() + 42 * 86_400_000));
    try {
      const res = await fetch(`${s.url}${url.pathname}${url.search}`, { headers: { range: 'bytes=0-9' } });
      expect(res.status).toBe(206);
      await res.arrayBuffer();
    } finally {
      await s.setClock(saved);
    }
  });

  it('R-EVI-4, R-EVI-2: once purged the link is 410, viewUrl is null and the status PURGED', async () => {
    const a = await attemptForEvidence(s);
    const bytes = randomBytes(3000);
    const put = await putEvidence(s, a.attemptId, 'ID_DOCUMENT', bytes, a.startsAt, { contentType: 'image/png' });
    expect(put.status).toBe(201);
    const id = put.body.id!;
    const r = await s.gql<{ attempt: { evidence: EvidenceView[] } }>(VIEW_URL, { id: a.attemptId }, await s.tokenFor('CERTIFICATION'));
    const link = new URL(r.data!.attempt.evidence[0].viewUrl!);
    // What the purge job does (R-EVI-4), done here by hand: the bytes deleted, the key shredded, the row PURGED.
    const [row] = await sql<{ storage_key: string }>('select storage_key from evidence where id = ?', [id]);
    await s.app.objects.destroy(row.storage_key);
    await sql('delete from object_key where storage_key = ?', [row.storage_key]);
    await sql(`update evidence set status = 'PURGED', purged_at = now(), storage_key = null where id = ?`, [id]);
    const res = await fetch(`${s.url}${link.pathname}${link.search}`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { code: string }).code).toBe('EVIDENCE_PURGED');
    const before = (await viewEvents(id)).length;
    const after = await s.gql<{ attempt: { evidence: EvidenceView[] } }>(VIEW_URL, { id: a.attemptId }, await s.tokenFor('CERTIFICATION'));
    expect(after.data!.attempt.evidence[0]).toMatchObject({ id, status: 'PURGED', viewUrl: null });
    expect(await viewEvents(id)).toHaveLength(before);
  });

  it('R-EVI-4, R-EVI-5: under an active legal hold the evidence reads ON_HOLD; an open case takes its purge deadline from it', async () => {
    const a = await attemptForEvidence(s);
    expect((await startAttempt(s, a.attemptId, a.token)).errors).toEqual([]);
    const c = await heldCase(s, a.attemptId);
    // Captured before the unlock: its retention ends before the case's provisional deadline (unlock + 42 days).
    const captured = new Date(new Date(a.startsAt).getTime() - 5 * 60_000).toISOString();
    const put = await putEvidence(s, a.attemptId, 'FACE_PHOTO', randomBytes(500), captured, { contentType: 'image/jpeg' });
    expect(put.status).toBe(201);
    const r = await s.gql<{ attempt: { evidence: EvidenceView[] } }>(EVIDENCE, { id: a.attemptId }, await s.tokenFor('CERTIFICATION'));
    expect(r.data!.attempt.evidence.map((e) => e.status)).toEqual(['ON_HOLD']);
    const [fc] = await sql<{ purge_deadline: Date }>('select purge_deadline from fraud_case where id = ?', [c.id]);
    expect(new Date(fc.purge_deadline).toISOString()).toBe(put.body.retainUntil);
    expect(c.purgeDeadline).not.toBe(put.body.retainUntil);
  });

  it('R-EVI-2: an unknown evidence id behind a valid signature is 404', async () => {
    const id = randomUUID();
    const link = new URL(s.app.services.evidence.signedUrl(id, Math.floor(Date.now() / 1000) + 60));
    const res = await fetch(`${s.url}${link.pathname}${link.search}`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});
