import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of `POST /integrations/proctoru/events`. */
export const SIGNATURE_HEADER = 'x-proctoru-signature';
/** A signed event older (or further in the future) than this is refused as a replay. */
export const MAX_EVENT_AGE_SECONDS = 5 * 60;

export type ProctorUEventType = 'session.started' | 'session.ended' | 'incident.reported' | 'recording.available';

/** The event payloads documented in the README ("ProctorU integration"). */
export interface ProctorUEvent {
  id: string;
  type: ProctorUEventType;
  /** Our appointment id (the reservation_id we gave ProctorU). */
  reservation_id: string;
  occurred_at: string;
  data?: Record<string, unknown>;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signEvent(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'replay' };

/** Verifies the signature over the raw body, then the age of its timestamp (real clock). */
export function verifyEventSignature(secret: string, rawBody: Buffer, header: string | undefined, nowSeconds: number): SignatureCheck {
  if (!header) return { valid: false, reason: 'missing' };
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(signEvent(secret, rawBody, Number(t)).split('v1=')[1], 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { valid: false, reason: 'bad-signature' };
  if (Math.abs(nowSeconds - Number(t)) > MAX_EVENT_AGE_SECONDS) return { valid: false, reason: 'replay' };
  return { valid: true };
}
