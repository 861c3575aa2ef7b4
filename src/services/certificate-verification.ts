import { type EntityManager } from '@mikro-orm/postgresql';
import { normalizeVerificationCode } from '../domain/certificate';
import { Certificate } from '../entities';
import { type CertificateVerification } from './certificate.service';

export const RATE_WINDOW_MS = 60_000;
/** Windows older than this are deleted, now and then, by the verifications themselves. */
const KEEP_WINDOWS_MS = 10 * RATE_WINDOW_MS;

/** Too many verifications from one client address in the current minute: retry after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many certificate verifications from this address: retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

/**
 * R-CER-3 rate limit: one counter per client address and fixed one-minute window (real clock), in
 * PostgreSQL so every server instance counts into the same row. Throws RateLimitedError past `limit`.
 * Counting happens before the lookup, so unknown codes count too (no enumeration by guessing).
 */
export async function countVerification(em: EntityManager, clientKey: string, limit: number, realNow: Date): Promise<void> {
  const now = realNow.getTime();
  const windowStart = new Date(Math.floor(now / RATE_WINDOW_MS) * RATE_WINDOW_MS);
  const conn = em.getConnection();
  const [row] = await conn.execute<{ hits: number }[]>(
    `insert into verification_rate_limit (client_key, window_start, hits) values (?, ?, 1)
     on conflict (client_key, window_start) do update set hits = verification_rate_limit.hits + 1
     returning hits`,
    [clientKey.slice(0, 100), windowStart],
  );
  // About one call in a hundred sweeps old windows (an index range delete: cheap).
  if (Math.random() < 0.01) await conn.execute('delete from verification_rate_limit where window_start < ?', [new Date(now - KEEP_WINDOWS_MS)]);
  if (row.hits > limit) throw new RateLimitedError(Math.max(1, Math.ceil((windowStart.getTime() + RATE_WINDOW_MS - now) / 1000)));
}

/** What anyone may learn from a verification code (R-CER-3): null for an unknown or malformed code. */
export async function verifyCertificateCode(em: EntityManager, code: string): Promise<CertificateVerification | null> {
  const normalized = normalizeVerificationCode(code);
  if (!normalized) return null;
  const cert = await em.findOne(Certificate, { verificationCode: normalized });
  if (!cert) return null;
  return {
    status: cert.status,
    holderName: cert.holderName,
    courseTitle: cert.courseTitle,
    university: cert.university,
    issuedAt: cert.issuedAt,
    revokedAt: cert.revokedAt ?? null,
  };
}
