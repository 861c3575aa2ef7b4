import { EVIDENCE_KINDS, type EvidenceKind } from '../entities/evidence.entity';
import { fail } from './validate';

/** Evidence rules (R-EVI-1, R-EVI-2), pure: the clock is passed in. */

/** A signed view link lasts 5 minutes of real time (contract/HTTP.md `GET /evidence/:id`). */
export const VIEW_LINK_SECONDS = 5 * 60;
/** The purpose bound into a view link's signature (a certificate link cannot open evidence). */
export const VIEW_LINK_PURPOSE = 'evidence';

/** The kind in the URL, or VALIDATION_FAILED. */
export function evidenceKind(value: string): EvidenceKind {
  if (!EVIDENCE_KINDS.includes(value as EvidenceKind)) fail(['kind'], `kind must be one of ${EVIDENCE_KINDS.join(', ')}`);
  return value as EvidenceKind;
}

/** `X-Captured-At`: an ISO instant with a zone, not after `now` (a recording cannot come from the future). */
export function capturedAt(value: string | undefined, now: Date): Date {
  if (!value) fail(['X-Captured-At'], 'the X-Captured-At header (ISO instant) is required');
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(at.getTime())) fail(['X-Captured-At'], 'X-Captured-At must be an ISO instant with a time zone, e.g. 2017-02-20T10:00:00Z');
  if (at.getTime() > now.getTime()) fail(['X-Captured-At'], 'X-Captured-At is in the future');
  return at;
}

/** `Content-Type`: a media type `type/subtype` (parameters kept); default `application/octet-stream`. */
export function contentType(value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') return 'application/octet-stream';
  if (v.length > 200 || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i.test(v)) {
    fail(['Content-Type'], 'Content-Type must be a media type such as video/webm');
  }
  return v;
}

/** R-EVI-1: kept `retentionDays` days (the session's `evidenceRetentionDays`, 6 weeks by default) after capture. */
export function retainUntil(captured: Date, retentionDays: number): Date {
  return new Date(captured.getTime() + retentionDays * 24 * 60 * 60 * 1000);
}

/** The expiry (unix seconds) of a view link issued at `realNow`. */
export function viewLinkExpiry(realNow: Date, lifetimeSeconds = VIEW_LINK_SECONDS): number {
  return Math.floor(realNow.getTime() / 1000) + lifetimeSeconds;
}

export type RangeRequest = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * An HTTP `Range` header against an object of `size` bytes (RFC 9110 §14): `bytes=a-b`, `bytes=a-`,
 * `bytes=-n` (the last n). Null means "send the whole object" (no header, another unit, several ranges,
 * or a malformed one, which RFC 9110 says to ignore); `unsatisfiable` is a 416.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}
