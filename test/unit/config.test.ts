import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const ROOT = resolve(__dirname, '..', '..');
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbo-config-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** loadConfig with a temporary DATA_DIR and only the given variables. */
function load(env: Record<string, string> = {}, dataDir = tempDir()) {
  return loadConfig({ DATA_DIR: dataDir, ...env });
}

/** The ConfigError thrown for `env` (fails the test when nothing is thrown). */
function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const PEM = '-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n-----END PUBLIC KEY-----';

describe('loadConfig: defaults (contract/HTTP.md)', () => {
  it('uses the documented defaults when nothing is set', () => {
    const dataDir = tempDir();
    const c = load({}, dataDir);
    expect(c.port).toBe(4000);
    expect(c.publicUrl).toBe('http://localhost:4000');
    expect(c.jobs).toBe(true);
    expect(c.testClock).toBe(false);
    expect(c.nodeEnv).toBe('development');
    expect(c.production).toBe(false);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databaseReplicaUrls).toEqual([]);
    expect(c.adminEmail).toBe('admin@localhost');
    expect(c.adminPassword).toBeUndefined();
    expect(c.paybox.mode).toBe('simulator');
    expect(c.proctoru.mode).toBe('simulator');
    expect(c.storage).toEqual({ kind: 'fs', dir: join(dataDir, 'objects') });
    expect(c.dataDir).toBe(resolve(dataDir));
    expect(c.graphiql).toBe(true);
  });

  it('PUBLIC_URL defaults to http://localhost:$PORT', () => {
    expect(load({ PORT: '5123' }).publicUrl).toBe('http://localhost:5123');
  });

  it('trims the trailing slash of PUBLIC_URL', () => {
    expect(load({ PUBLIC_URL: 'https://certif.example.org/' }).publicUrl).toBe('https://certif.example.org');
    expect(load({ PUBLIC_URL: 'https://certif.example.org/base//' }).publicUrl).toBe('https://certif.example.org/base');
  });

  it('accepts good values', () => {
    const c = load({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/cert',
      DATABASE_REPLICA_URLS: 'postgres://r1/cert, postgresql://r2/cert',
      JOBS: 'off',
      TEST_CLOCK: '1',
      STORAGE: 's3://cert-bucket',
      PAYBOX_MODE: 'live',
      PAYBOX_URL: 'https://ppps.paybox.com/PPPS.php',
      PAYBOX_SITE: '1999888',
      PAYBOX_RANG: '32',
      PAYBOX_KEY: '1999888I',
      PAYBOX_PUBLIC_KEY: PEM,
      PROCTORU_MODE: 'live',
      PROCTORU_URL: 'https://api.proctoru.com',
      PROCTORU_TOKEN: 'tok',
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
    });
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/cert');
    expect(c.databaseReplicaUrls).toEqual(['postgres://r1/cert', 'postgresql://r2/cert']);
    expect(c.jobs).toBe(false);
    expect(c.testClock).toBe(true);
    expect(c.storage).toMatchObject({ kind: 's3', bucket: 'cert-bucket' });
    expect(c.paybox).toMatchObject({ mode: 'live', site: '1999888', rang: '32', key: '1999888I', publicKeyPem: PEM });
    expect(c.proctoru).toMatchObject({ mode: 'live', url: 'https://api.proctoru.com', token: 'tok' });
    expect(c.logLevel).toBe('debug');
  });

  it('STORAGE=fs:<dir> uses that directory', () => {
    const dir = tempDir();
    expect(load({ STORAGE: `fs:${dir}` }).storage).toEqual({ kind: 'fs', dir: resolve(dir) });
  });

  it('TRUST_PROXY: off by default; addresses, CIDR ranges and proxy-addr names accepted', () => {
    expect(load().trustProxy).toEqual([]);
    expect(load({ TRUST_PROXY: '10.0.0.5, 172.16.0.0/12,fd00::/8, loopback,uniquelocal' }).trustProxy).toEqual(['10.0.0.5', '172.16.0.0/12', 'fd00::/8', 'loopback', 'uniquelocal']);
  });

  it('NODE_ENV=production turns GraphiQL off by default', () => {
    const c = load({ NODE_ENV: 'production' });
    expect(c.production).toBe(true);
    expect(c.graphiql).toBe(false);
  });
});

describe('loadConfig: a bad value stops the start with a ConfigError naming the variable', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['PORT=70000', { PORT: '70000' }, 'PORT'],
    ['PORT=-1', { PORT: '-1' }, 'PORT'],
    ['DATABASE_URL=mysql://x', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    ['DATABASE_REPLICA_URLS with a non-postgres entry', { DATABASE_REPLICA_URLS: 'postgres://r1/db,mysql://r2/db' }, 'DATABASE_REPLICA_URLS'],
    ['TEST_CLOCK=maybe', { TEST_CLOCK: 'maybe' }, 'TEST_CLOCK'],
    ['TEST_CLOCK=1 with NODE_ENV=production', { TEST_CLOCK: '1', NODE_ENV: 'production' }, 'TEST_CLOCK'],
    ['JOBS=sometimes', { JOBS: 'sometimes' }, 'JOBS'],
    ['STORAGE=ftp://x', { STORAGE: 'ftp://x' }, 'STORAGE'],
    ['PAYBOX_MODE=live without PAYBOX_URL', { PAYBOX_MODE: 'live', PAYBOX_SITE: '1', PAYBOX_RANG: '2', PAYBOX_KEY: 'k' }, 'PAYBOX_URL'],
    ['PAYBOX_MODE=live without PAYBOX_SITE', { PAYBOX_MODE: 'live', PAYBOX_URL: 'https://p', PAYBOX_RANG: '2', PAYBOX_KEY: 'k' }, 'PAYBOX_SITE'],
    ['PAYBOX_MODE=live without PAYBOX_RANG', { PAYBOX_MODE: 'live', PAYBOX_URL: 'https://p', PAYBOX_SITE: '1', PAYBOX_KEY: 'k' }, 'PAYBOX_RANG'],
    ['PAYBOX_MODE=live without PAYBOX_KEY', { PAYBOX_MODE: 'live', PAYBOX_URL: 'https://p', PAYBOX_SITE: '1', PAYBOX_RANG: '2' }, 'PAYBOX_KEY'],
    ['PAYBOX_PUBLIC_KEY not PEM', { PAYBOX_PUBLIC_KEY: 'not a key' }, 'PAYBOX_PUBLIC_KEY'],
    ['PROCTORU_MODE=live without PROCTORU_URL', { PROCTORU_MODE: 'live', PROCTORU_TOKEN: 't' }, 'PROCTORU_URL'],
    ['PROCTORU_MODE=live without PROCTORU_TOKEN', { PROCTORU_MODE: 'live', PROCTORU_URL: 'https://p' }, 'PROCTORU_TOKEN'],
    ['TOKEN_SECRET too short', { TOKEN_SECRET: 'short-secret' }, 'TOKEN_SECRET'],
    ['ADMIN_PASSWORD too short', { ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    ['NODE_ENV=staging', { NODE_ENV: 'staging' }, 'NODE_ENV'],
    ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['TRUST_PROXY=everyone', { TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=10.0.0.0/33', { TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
  ];
  it.each(cases)('%s', (_title, env, variable) => {
    const err = configError(env);
    expect(err.problems.length).toBeGreaterThanOrEqual(1);
    expect(err.problems.some((p) => p.includes(variable))).toBe(true);
    expect(err.message).toContain(variable);
  });

  it('PAYBOX_MODE=live with nothing else names all four missing variables', () => {
    const err = configError({ PAYBOX_MODE: 'live' });
    for (const v of ['PAYBOX_URL', 'PAYBOX_SITE', 'PAYBOX_RANG', 'PAYBOX_KEY']) expect(err.message).toContain(v);
  });

  it('reports several problems together in one error', () => {
    const err = configError({ PORT: 'abc', JOBS: 'sometimes', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(err.problems).toHaveLength(4);
    for (const v of ['PORT', 'JOBS', 'LOG_LEVEL', 'DATABASE_URL']) expect(err.message).toContain(v);
  });
});

describe('loadConfig: TOKEN_SECRET', () => {
  it('absent: a random secret kept in DATA_DIR/token-secret, the same on a second load', () => {
    const dataDir = tempDir();
    const first = load({}, dataDir).tokenSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dataDir, 'token-secret'))).toBe(true);
    expect(readFileSync(join(dataDir, 'token-secret'), 'utf8').trim()).toBe(first);
    expect(load({}, dataDir).tokenSecret).toBe(first);
  });

  it('absent: another DATA_DIR gets another secret', () => {
    expect(load({}, tempDir()).tokenSecret).not.toBe(load({}, tempDir()).tokenSecret);
  });

  it('set: used as given, nothing written', () => {
    const dataDir = tempDir();
    const secret = 'x'.repeat(40);
    expect(load({ TOKEN_SECRET: secret }, dataDir).tokenSecret).toBe(secret);
    expect(existsSync(join(dataDir, 'token-secret'))).toBe(false);
  });
});

describe('the built server with a bad value', () => {
  beforeAll(() => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) {
      // tsc still emits JavaScript on type errors (those are the typecheck's to report): go on if main.js is there.
      if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
      console.warn(`build reported errors; testing the emitted dist/src/main.js anyway:\n${build.stdout}${build.stderr}`);
    }
  }, 240_000);

  it('refuses to start: exit code 2, the message names PORT, no stack trace', () => {
    const dataDir = tempDir();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: 'abc', NODE_ENV: 'development' };
    const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], { cwd: dataDir, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('ConfigError');
  });
});
