import { type EntityManager } from '@mikro-orm/postgresql';
import { sha256Hex } from '../auth/tokens';
import { type Config } from '../config';

/**
 * Brute-force limits kept in PostgreSQL (table `rate_limit_event`, m0010), so they hold across
 * server instances. Sliding window, real clock: at most `max` events per key within `windowSeconds`.
 * Reusable by any caller: `consumeRateLimit` before the guarded check, `forgiveRateLimit` when the
 * check turned out fine (a successful login does not count as a failure).
 */
export interface RateLimitRule {
  /** A short name, also the namespace of keys ('login:email'). */
  scope: string;
  max: number;
  windowSeconds: number;
}

export const BRUTE_FORCE_WINDOW_SECONDS = 15 * 60;

/**
 * The brute-force rules (SECURITY.md, "Brute force"; maxima from the config): login failures per
 * e-mail address and per client address; wrong proctor passwords per client address, across
 * appointments (the per-appointment lock is R-EXA-2's).
 */
export function bruteForceRules(config: Pick<Config, 'bruteForce'>): { loginPerEmail: RateLimitRule; loginPerAddress: RateLimitRule; unlockPerAddress: RateLimitRule } {
  const windowSeconds = BRUTE_FORCE_WINDOW_SECONDS;
  return {
    loginPerEmail: { scope: 'login:email', max: config.bruteForce.loginPerEmail, windowSeconds },
    loginPerAddress: { scope: 'login:address', max: config.bruteForce.loginPerAddress, windowSeconds },
    unlockPerAddress: { scope: 'unlock:address', max: config.bruteForce.unlockPerAddress, windowSeconds },
  };
}

/**
 * R-CER-3's public lookups (verifyCertificate, GET /verify/:code): `VERIFY_RATE_LIMIT_PER_MINUTE` per
 * client address within any 60 seconds. Every lookup counts (found or not), so codes cannot be guessed.
 */
export function verifyRateLimitRule(config: Pick<Config, 'verifyRateLimitPerMinute'>): RateLimitRule {
  return { scope: 'verify:address', max: config.verifyRateLimitPerMinute, windowSeconds: 60 };
}

export interface RateLimitTicket {
  allowed: boolean;
  /** The recorded event (when allowed): pass it to `forgiveRateLimit` to take it back. */
  eventId?: string;
  /** When refused: seconds until the oldest event in the window leaves it (at least 1). */
  retryAfterSeconds?: number;
}

/** Rows older than this (any scope) are purged now and then. */
const PURGE_AFTER_SECONDS = 24 * 3600;

/**
 * Records one event for `key` unless `rule.max` events already fell within the window; a refused event
 * is not recorded (so storage stays bounded during an attack). Serialised per (scope, key) by a
 * transaction-level advisory lock: concurrent callers on several instances never exceed `max`.
 * Runs in its own transaction (a fork of `em`), committed before the guarded check.
 */
export async function consumeRateLimit(em: EntityManager, rule: RateLimitRule, key: string, realNow: Date): Promise<RateLimitTicket> {
  const keyHash = sha256Hex(`${rule.scope}\u0000${key}`);
  return em.fork().transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`rate-limit:${rule.scope}:${keyHash}`]);
    const [{ n, oldest }] = await tx.execute<{ n: string; oldest: Date | null }[]>(
      `select count(*) as n, min(at) as oldest from rate_limit_event where scope = ? and key_hash = ? and at > ?::timestamptz - make_interval(secs => ?)`,
      [rule.scope, keyHash, realNow, rule.windowSeconds],
    );
    if (Number(n) >= rule.max) {
      const leavesAt = new Date(oldest ?? realNow).getTime() + rule.windowSeconds * 1000;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((leavesAt - realNow.getTime()) / 1000)) };
    }
    const [row] = await tx.execute<{ id: string }[]>('insert into rate_limit_event (scope, key_hash, at) values (?, ?, ?) returning id', [rule.scope, keyHash, realNow]);
    // The key's expired rows go now; everyone's day-old rows now and then.
    await tx.execute('delete from rate_limit_event where scope = ? and key_hash = ? and at <= ?::timestamptz - make_interval(secs => ?)', [rule.scope, keyHash, realNow, rule.windowSeconds]);
    if (Math.random() < 0.01) await tx.execute('delete from rate_limit_event where at < ?::timestamptz - make_interval(secs => ?)', [realNow, PURGE_AFTER_SECONDS]);
    return { allowed: true, eventId: String(row.id) };
  });
}

/** Takes back recorded events (the guarded check succeeded). */
export async function forgiveRateLimit(em: EntityManager, tickets: RateLimitTicket[]): Promise<void> {
  const ids = tickets.map((t) => t.eventId).filter((id): id is string => id !== undefined);
  if (ids.length > 0) await em.fork().execute(`delete from rate_limit_event where id in (${ids.map(() => '?').join(', ')})`, ids);
}
