import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed session tokens: `<kind>.<payload base64url>.<HMAC-SHA256 base64url>` under TOKEN_SECRET.
 * Kinds: `s` staff session, `l` learner (acting as one learner). Expiry is read against the real
 * clock, never the test clock (contract/HTTP.md). API tokens are random and stored hashed instead.
 */
export type SessionKind = 's' | 'l';
export interface SessionClaims {
  kind: SessionKind;
  sub: string;
  /** Expiry, seconds since the epoch (real time). */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Who issued a learner token (the INTEGRATION account). */
  by?: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * Signs with `secret`; verifies with it or any of `previous` (TOKEN_SECRET rotation: sessions and links
 * signed before the rotation stay valid until they expire; docs/operations.md).
 */
export class TokenSigner {
  private readonly secrets: string[];

  constructor(private readonly secret: string, previous: readonly string[] = []) {
    this.secrets = [secret, ...previous.filter((p) => p !== secret)];
  }

  private mac(data: string, secret = this.secret): Buffer {
    return createHmac('sha256', secret).update(data).digest();
  }

  /** Whether `given` is the MAC of `data` under one of the accepted secrets. */
  private macMatches(data: string, given: Buffer): boolean {
    let ok = false;
    for (const secret of this.secrets) {
      const expected = this.mac(data, secret);
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }

  sign(claims: SessionClaims): string {
    const body = `${claims.kind}.${b64(JSON.stringify({ sub: claims.sub, exp: claims.exp, iat: claims.iat, by: claims.by }))}`;
    return `${body}.${b64(this.mac(body))}`;
  }

  /** The claims when the signature holds and the token has not expired at `nowMs`; otherwise a reason. */
  verify(token: string, nowMs: number): { ok: true; claims: SessionClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' } {
    const parts = token.split('.');
    if (parts.length !== 3 || (parts[0] !== 's' && parts[0] !== 'l')) return { ok: false, reason: 'malformed' };
    const body = `${parts[0]}.${parts[1]}`;
    if (!this.macMatches(body, Buffer.from(parts[2], 'base64url'))) return { ok: false, reason: 'bad-signature' };
    let payload: { sub?: unknown; exp?: unknown; iat?: unknown; by?: unknown };
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return { ok: false, reason: 'malformed' };
    if (payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { kind: parts[0] as SessionKind, sub: payload.sub, exp: payload.exp, iat: payload.iat, by: typeof payload.by === 'string' ? payload.by : undefined } };
  }

  /** HMAC for signed links (evidence, certificate downloads): hex, over `purpose|id|expires`. */
  signLink(purpose: string, id: string, expiresEpochSeconds: number): string {
    return this.mac(`link|${purpose}|${id}|${expiresEpochSeconds}`).toString('base64url');
  }

  verifyLink(purpose: string, id: string, expiresEpochSeconds: number, sig: string, nowMs: number): boolean {
    if (!Number.isInteger(expiresEpochSeconds) || expiresEpochSeconds * 1000 <= nowMs) return false;
    return this.macMatches(`link|${purpose}|${id}|${expiresEpochSeconds}`, Buffer.from(sig, 'base64url'));
  }
}

export const API_TOKEN_PREFIX = 'cbo_';

export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
