import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Paybox simulator's RSA key pair (PAYBOX_MODE=simulator): created once per data directory, like
 * the token secret, and kept in `DATA_DIR/paybox-simulator-key.pem` (PKCS#8 private key, mode 0600).
 * Its public key is the default PAYBOX_PUBLIC_KEY in simulator mode; in live mode Paybox's own public
 * key must be configured. Tests and the demo sign IPN notifications with it.
 */
export const SIMULATOR_KEY_FILE = 'paybox-simulator-key.pem';

export interface SimulatorKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

const cache = new Map<string, SimulatorKeys>();

export function simulatorKeys(dataDir: string): SimulatorKeys {
  const file = join(dataDir, SIMULATOR_KEY_FILE);
  const cached = cache.get(file);
  if (cached) return cached;
  let pem: string;
  if (existsSync(file)) pem = readFileSync(file, 'utf8');
  else {
    mkdirSync(dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      pem = readFileSync(file, 'utf8');
    }
  }
  const privateKey = createPrivateKey(pem);
  const keys = { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
  cache.set(file, keys);
  return keys;
}

/** RSA-SHA1 signature of `message` (what Paybox does), base64. */
export function signPayboxMessage(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA1').update(message, 'utf8').sign(privateKey, 'base64');
}

/**
 * A signed notification as Paybox would send it: the parameters URL-encoded in the given order, then
 * `&sign=` and the URL-encoded base64 signature of everything before it. Use it as the query string
 * (GET) or the form body (POST).
 */
export function signedNotification(params: Record<string, string> | [string, string][], dataDir: string): string {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  const message = entries.map(([k, val]) => `${encodeURIComponent(k)}=${encodeURIComponent(val)}`).join('&');
  const sign = signPayboxMessage(message, simulatorKeys(dataDir).privateKey);
  return `${message}&sign=${encodeURIComponent(sign)}`;
}
