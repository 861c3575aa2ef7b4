import { type Readable } from 'node:stream';
import { examSession, unlockedAttempt } from './exam-factories';
import { type TestServer } from './server';

/** Evidence test data (R-EVI): objects stored through `PUT /evidence/:attemptId/:kind`. */

export interface PutEvidenceResult {
  status: number;
  body: { id?: string; sha256?: string; sizeBytes?: number; retainUntil?: string; code?: string; error?: string; field?: string[] | null };
}

export interface PutEvidenceOptions {
  token?: string | null;
  /** Default video/webm; null: no Content-Type header. */
  contentType?: string | null;
  /** Omit the header altogether. */
  noCapturedAt?: boolean;
}

/** Stores an object as the platform (INTEGRATION token) would; a Readable body is streamed (chunked). */
export async function putEvidence(
  s: TestServer,
  attemptId: string,
  kind: string,
  bytes: Buffer | Readable,
  capturedAt: string,
  opts: PutEvidenceOptions = {},
): Promise<PutEvidenceResult> {
  const token = opts.token === undefined ? await s.tokenFor('INTEGRATION') : opts.token;
  const headers: Record<string, string> = opts.contentType === null ? {} : { 'content-type': opts.contentType ?? 'video/webm' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (!opts.noCapturedAt) headers['x-captured-at'] = capturedAt;
  const streamed = !Buffer.isBuffer(bytes);
  const res = await fetch(`${s.url}/evidence/${attemptId}/${kind}`, {
    method: 'PUT',
    headers,
    body: streamed ? (bytes as unknown as ReadableStream) : new Uint8Array(bytes),
    ...(streamed ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as PutEvidenceResult['body']) : {} };
}

/** A session with exam content and one unlocked attempt (the clock is left at the appointment start). */
export async function attemptForEvidence(s: TestServer, sessionId?: string) {
  const sid = sessionId ?? (await examSession(s));
  return unlockedAttempt(s, sid);
}
