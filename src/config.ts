import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import cron from 'node-cron';

/**
 * The typed environment (contract/HTTP.md), read and validated once at start.
 * A bad value stops the start with a message naming the variable and what is expected.
 */
export interface Config {
  nodeEnv: 'production' | 'development' | 'test';
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databaseReplicaUrls: string[];
  adminEmail: string;
  adminPassword: string | undefined;
  tokenSecret: string;
  /** Secrets of the previous rotation, still accepted to verify tokens and links (never used to sign): TOKEN_SECRET_PREVIOUS. */
  tokenSecretsPrevious: string[];
  /** GET /metrics answers non-loopback callers too (METRICS_PUBLIC=1). */
  metricsPublic: boolean;
  /** Days after the end of a learner's last session before the ProctorU profile (phone, address, city) is deleted. */
  profileRetentionDays: number;
  publicUrl: string;
  testClock: boolean;
  jobs: boolean;
  /** Cron expressions replacing jobs' own schedules (JOB_SCHEDULES=NAME=expr;NAME=expr), by job name. */
  jobSchedules: Record<string, string>;
  graphiql: boolean;
  storage: { kind: 'fs'; dir: string } | { kind: 's3'; bucket: string; endpoint?: string; accessKey?: string; secretKey?: string };
  paybox: { mode: 'simulator' | 'live'; url?: string; site?: string; rang?: string; key?: string; publicKeyPem?: string };
  proctoru: { mode: 'simulator' | 'live'; url?: string; token?: string; webhookSecret: string };
  logLevel: string;
  /** Staff session lifetime (real clock). */
  staffTokenTtlSeconds: number;
  /** Learner token lifetime (real clock). */
  learnerTokenTtlSeconds: number;
  /** R-CER-3: certificate verifications per client address and minute (real clock), across instances. */
  verifyRateLimitPerMinute: number;
  /** Brute-force limits per 15 minutes (real clock): login failures per e-mail and per client address, wrong proctor passwords per client address. */
  bruteForce: { loginPerEmail: number; loginPerAddress: number; unlockPerAddress: number };
  /** Origins answered by CORS (CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
  /**
   * Reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY: addresses, CIDR ranges or the names
   * loopback, linklocal, uniquelocal; comma-separated); empty: the TCP peer is the client address.
   */
  trustProxy: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A secret kept in the data directory, created once: stable across restarts of one installation. */
function persistentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Two processes starting at once on a new data directory: the first one's secret wins.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  return secret;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], dflt: T): T => {
    const v = str(name);
    if (v === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name}=${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
      return dflt;
    }
    return v as T;
  };
  const flag = (name: string, dflt: boolean, truthy = ['1', 'true', 'on', 'yes'], falsy = ['0', 'false', 'off', 'no']): boolean => {
    const v = str(name)?.toLowerCase();
    if (v === undefined) return dflt;
    if (truthy.includes(v)) return true;
    if (falsy.includes(v)) return false;
    problems.push(`${name}=${JSON.stringify(v)} must be one of ${[...truthy, ...falsy].join(', ')}`);
    return dflt;
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = str(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name}=${JSON.stringify(v)} must be an integer from ${min} to ${max}`);
      return dflt;
    }
    return Number(v);
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return v;
    } catch {
      problems.push(`${name}=${JSON.stringify(v)} must be a URL (${protocols.join(' or ')})`);
      return undefined;
    }
  };

  const nodeEnv = oneOf('NODE_ENV', ['production', 'development', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const port = int('PORT', 4000, 0, 65535);
  const host = str('HOST') ?? '0.0.0.0';
  const dataDir = resolve(str('DATA_DIR') ?? '.data');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseReplicaUrls = (str('DATABASE_REPLICA_URLS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of databaseReplicaUrls) {
    if (!/^postgres(ql)?:\/\//.test(r)) problems.push(`DATABASE_REPLICA_URLS contains ${JSON.stringify(r)}, which is not a postgres:// URL`);
  }
  const adminEmail = str('ADMIN_EMAIL') ?? 'admin@localhost';
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problems.push(`ADMIN_EMAIL=${JSON.stringify(adminEmail)} is not an e-mail address`);
  const adminPassword = str('ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 12) problems.push('ADMIN_PASSWORD must have at least 12 characters');
  // TOKEN_SECRET may list several secrets: the first signs, the others only verify (rotation; see TOKEN_SECRET_PREVIOUS).
  const [tokenSecretEnv, ...tokenSecretsListed] = (str('TOKEN_SECRET') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if ([tokenSecretEnv, ...tokenSecretsListed].some((s) => s !== undefined && s.length < 32)) problems.push('TOKEN_SECRET must have at least 32 characters');
  const tokenSecretsPrevious = [...tokenSecretsListed, ...(str('TOKEN_SECRET_PREVIOUS') ?? '').split(',').map((s) => s.trim()).filter(Boolean)];
  if (tokenSecretsPrevious.some((s) => s.length < 32)) problems.push('TOKEN_SECRET_PREVIOUS must hold secrets of at least 32 characters (comma-separated)');
  const metricsPublic = flag('METRICS_PUBLIC', false);
  const profileRetentionDays = int('PROFILE_RETENTION_DAYS', 365, 1, 36500);
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const testClock = flag('TEST_CLOCK', false);
  if (testClock && production) problems.push('TEST_CLOCK=1 is refused when NODE_ENV=production');
  const jobs = flag('JOBS', true);
  const jobSchedules: Record<string, string> = {};
  for (const entry of (str('JOB_SCHEDULES') ?? '').split(';').map((e) => e.trim()).filter(Boolean)) {
    const m = /^([A-Z][A-Z0-9_]*)\s*=\s*(.+)$/.exec(entry);
    if (!m || !cron.validate(m[2].trim())) problems.push(`JOB_SCHEDULES entry ${JSON.stringify(entry)} must be JOB_NAME=<cron expression> (entries separated by ;)`);
    else jobSchedules[m[1]] = m[2].trim();
  }
  const graphiql = flag('GRAPHIQL', !production);
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info');

  let storage: Config['storage'] = { kind: 'fs', dir: join(dataDir, 'objects') };
  const storageEnv = str('STORAGE');
  if (storageEnv !== undefined) {
    if (storageEnv.startsWith('fs:') && storageEnv.length > 3) storage = { kind: 'fs', dir: resolve(storageEnv.slice(3)) };
    else if (/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(storageEnv)) {
      storage = { kind: 's3', bucket: storageEnv.slice(5), endpoint: url('S3_ENDPOINT', ['http:', 'https:']), accessKey: str('S3_ACCESS_KEY'), secretKey: str('S3_SECRET_KEY') };
    } else problems.push(`STORAGE=${JSON.stringify(storageEnv)} must be fs:<dir> or s3://<bucket>`);
  }

  const payboxMode = oneOf('PAYBOX_MODE', ['simulator', 'live'] as const, 'simulator');
  const paybox: Config['paybox'] = {
    mode: payboxMode,
    url: url('PAYBOX_URL', ['https:', 'http:']),
    site: str('PAYBOX_SITE'),
    rang: str('PAYBOX_RANG'),
    key: str('PAYBOX_KEY'),
    publicKeyPem: str('PAYBOX_PUBLIC_KEY'),
  };
  if (payboxMode === 'live') {
    for (const [k, v] of [['PAYBOX_URL', paybox.url], ['PAYBOX_SITE', paybox.site], ['PAYBOX_RANG', paybox.rang], ['PAYBOX_KEY', paybox.key]] as const) {
      if (!v) problems.push(`${k} is required when PAYBOX_MODE=live`);
    }
    if (!paybox.publicKeyPem) problems.push('PAYBOX_PUBLIC_KEY is required when PAYBOX_MODE=live (the simulator key signs nothing Paybox sends)');
  }
  if (paybox.publicKeyPem !== undefined && !paybox.publicKeyPem.includes('BEGIN PUBLIC KEY')) {
    problems.push('PAYBOX_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  const proctoruMode = oneOf('PROCTORU_MODE', ['simulator', 'live'] as const, 'simulator');
  const proctoruUrl = url('PROCTORU_URL', ['https:', 'http:']);
  const proctoruToken = str('PROCTORU_TOKEN');
  if (proctoruMode === 'live') {
    if (!proctoruUrl) problems.push('PROCTORU_URL is required when PROCTORU_MODE=live');
    if (!proctoruToken) problems.push('PROCTORU_TOKEN is required when PROCTORU_MODE=live');
  }
  const staffTokenTtlSeconds = int('STAFF_TOKEN_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600);
  const learnerTokenTtlSeconds = int('LEARNER_TOKEN_TTL_SECONDS', 3600, 60, 24 * 3600);
  const verifyRateLimitPerMinute = int('VERIFY_RATE_LIMIT_PER_MINUTE', 30, 1, 100000);
  const bruteForce = {
    loginPerEmail: int('LOGIN_FAILURES_PER_EMAIL', 10, 1, 10000),
    loginPerAddress: int('LOGIN_FAILURES_PER_ADDRESS', 30, 1, 100000),
    unlockPerAddress: int('UNLOCK_FAILURES_PER_ADDRESS', 50, 1, 100000),
  };
  const corsOrigins = (str('CORS_ORIGINS') ?? '').split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const o of corsOrigins) if (!/^https?:\/\/[^/\s]+$/.test(o)) problems.push(`CORS_ORIGINS contains ${JSON.stringify(o)}, which is not an origin (http(s)://host[:port])`);
  const trustProxy = (str('TRUST_PROXY') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of trustProxy) if (!isProxyAddress(t)) problems.push(`TRUST_PROXY contains ${JSON.stringify(t)}, which is neither an address, a CIDR range nor loopback/linklocal/uniquelocal`);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv,
    production,
    port,
    host,
    dataDir,
    databaseUrl,
    databaseReplicaUrls,
    adminEmail,
    adminPassword,
    tokenSecret: tokenSecretEnv ?? persistentSecret(dataDir, 'token-secret'),
    tokenSecretsPrevious,
    metricsPublic,
    profileRetentionDays,
    publicUrl,
    testClock,
    jobs,
    jobSchedules,
    graphiql,
    storage,
    paybox,
    proctoru: {
      mode: proctoruMode,
      url: proctoruUrl,
      token: proctoruToken,
      webhookSecret: str('PROCTORU_WEBHOOK_SECRET') ?? persistentSecret(dataDir, 'proctoru-webhook-secret'),
    },
    logLevel,
    staffTokenTtlSeconds,
    learnerTokenTtlSeconds,
    verifyRateLimitPerMinute,
    bruteForce,
    corsOrigins,
    trustProxy,
  };
}

/** An address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or a name proxy-addr knows (fastify's `trustProxy`). */
function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
