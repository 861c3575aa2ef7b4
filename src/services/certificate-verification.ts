import { type EntityManager } from '@mikro-orm/postgresql';
import { normalizeVerificationCode } from '../domain/certificate';
import { Certificate } from '../entities';
import { type Config } from '../config';
import { type CertificateVerification } from './certificate.service';
import { consumeRateLimit, verifyRateLimitRule } from './rate-limit';

/** Too many verifications from one client address within the last minute: retry after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many certificate verifications from this address: retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

/**
 * R-CER-3 rate limit: the shared PostgreSQL limiter (rate-limit.ts, so every server instance counts
 * into the same window), rule `verifyRateLimitRule`. Throws RateLimitedError past the limit. Counting
 * happens before the lookup, so unknown codes count too (no enumeration by guessing).
 */
export async function countVerification(em: EntityManager, config: Pick<Config, 'verifyRateLimitPerMinute'>, clientKey: string, realNow: Date): Promise<void> {
  const ticket = await consumeRateLimit(em, verifyRateLimitRule(config), clientKey.slice(0, 100), realNow);
  if (!ticket.allowed) throw new RateLimitedError(ticket.retryAfterSeconds ?? 60);
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
