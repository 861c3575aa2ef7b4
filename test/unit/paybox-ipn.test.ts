import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { cardBrandOf, parseParams, payboxPublicKey, readIpn, verifyIpn } from '../../src/providers/paybox/ipn';
import { SIMULATOR_KEY_FILE, signedNotification, signPayboxMessage, simulatorKeys } from '../../src/providers/paybox/simulator-keys';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cbo-paybox-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Paybox simulator key (PAYBOX_MODE=simulator)', () => {
  it('R-PAY-4: created once per data directory in paybox-simulator-key.pem (0600), the default PAYBOX_PUBLIC_KEY', () => {
    const dir = tempDir();
    const keys = simulatorKeys(dir);
    const file = join(dir, SIMULATOR_KEY_FILE);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(simulatorKeys(dir).publicKeyPem).toBe(keys.publicKeyPem);
    expect(simulatorKeys(tempDir()).publicKeyPem).not.toBe(keys.publicKeyPem);
    const config = loadConfig({ DATA_DIR: dir });
    const notification = signedNotification({ montant: '6000', erreur: '00000' }, dir);
    expect(verifyIpn(notification, payboxPublicKey(config)).valid).toBe(true);
  });

  it('R-PAY-4: PAYBOX_MODE=live requires PAYBOX_PUBLIC_KEY, which then verifies notifications', () => {
    const live = { PAYBOX_MODE: 'live', PAYBOX_URL: 'https://ppps.paybox.com/PPPS.php', PAYBOX_SITE: '1999888', PAYBOX_RANG: '32', PAYBOX_KEY: '1999888I' };
    expect(() => loadConfig({ DATA_DIR: tempDir(), ...live })).toThrow(ConfigError);
    try {
      loadConfig({ DATA_DIR: tempDir(), ...live });
    } catch (err) {
      expect((err as ConfigError).problems).toContainEqual(expect.stringContaining('PAYBOX_PUBLIC_KEY is required when PAYBOX_MODE=live'));
    }
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const config = loadConfig({ DATA_DIR: tempDir(), ...live, PAYBOX_PUBLIC_KEY: pem });
    const message = 'montant=6000&ref=abc&erreur=00000';
    const sign = encodeURIComponent(signPayboxMessage(message, privateKey));
    expect(verifyIpn(`${message}&sign=${sign}`, payboxPublicKey(config)).valid).toBe(true);
    // The simulator's key is not trusted in live mode.
    const dir = tempDir();
    expect(verifyIpn(signedNotification({ montant: '6000' }, dir), payboxPublicKey(config)).valid).toBe(false);
  });
});

describe('R-PAY-4 IPN verification and reading', () => {
  const dir = tempDir();
  const key = () => payboxPublicKey(loadConfig({ DATA_DIR: dir }));

  it('R-PAY-4: verifies the bytes as received; a raw "+" in the signature is base64, not a space', () => {
    const message = 'montant=6000&ref=r%C3%A9f&erreur=00000';
    const sig = signPayboxMessage(message, simulatorKeys(dir).privateKey);
    expect(verifyIpn(`${message}&sign=${encodeURIComponent(sig)}`, key())).toMatchObject({ valid: true });
    expect(verifyIpn(`${message}&sign=${sig}`, key())).toMatchObject({ valid: true });
    // Re-encoding a value (same meaning, other bytes) breaks the signature.
    expect(verifyIpn(`montant=6000&ref=r%c3%a9f&erreur=00000&sign=${encodeURIComponent(sig)}`, key()).valid).toBe(false);
  });

  it('R-PAY-4: repeated parameters make a notification unreadable', () => {
    expect(parseParams('a=1&a=2')).toBeNull();
    expect(parseParams('a=1&b=x+y')).toEqual(new Map([['a', '1'], ['b', 'x y']]));
    expect(verifyIpn(signedNotification([['erreur', '00000'], ['erreur', '00001']], dir), key())).toMatchObject({ valid: false });
  });

  it('R-PAY-1: Paybox card types map to our brands; E_CARD is a flagged Visa (R-PAY-3)', () => {
    expect(cardBrandOf('VISA')).toEqual({ brand: 'VISA', eCarteBleue: false });
    expect(cardBrandOf('EUROCARD_MASTERCARD')).toEqual({ brand: 'MASTERCARD', eCarteBleue: false });
    expect(cardBrandOf('E_CARD')).toEqual({ brand: 'VISA', eCarteBleue: true });
    expect(cardBrandOf('AMEX').brand).toBe('AMEX');
    expect(cardBrandOf('CB').brand).toBe('CB');
    expect(cardBrandOf('MAESTRO').brand).toBe('OTHER');
  });

  it('R-PAY-4: reads a notification: YYMM → MMYY, Paris time → UTC (summer and winter), ecb flag, currency', () => {
    const base = { montant: '6000', ref: 'r', auto: 'XXXXXX', trans: '1', appel: '2', carte: 'VISA', validite: '1905', erreur: '00000' };
    const winter = readIpn(new Map(Object.entries({ ...base, date: '10022017', heure: '150500' })));
    expect(winter).toMatchObject({ kind: 'payment', payment: { cardExpiry: '0519', currency: 'EUR', eCarteBleue: false } });
    expect(winter.kind === 'payment' && winter.payment.paidAt?.toISOString()).toBe('2017-02-10T14:05:00.000Z');
    const summer = readIpn(new Map(Object.entries({ ...base, date: '10042017', heure: '150500', ecb: '1', devise: '840' })));
    expect(summer.kind === 'payment' && summer.payment).toMatchObject({ eCarteBleue: true, currency: 'USD' });
    expect(summer.kind === 'payment' && summer.payment.paidAt?.toISOString()).toBe('2017-04-10T13:05:00.000Z');
    expect(readIpn(new Map(Object.entries({ ...base, date: '' })))).toMatchObject({ kind: 'payment', payment: { paidAt: null } });
    expect(readIpn(new Map(Object.entries({ ...base, erreur: '00001' })))).toMatchObject({ kind: 'declined', erreur: '00001' });
    expect(readIpn(new Map(Object.entries({ ...base, validite: '1913' })))).toMatchObject({ kind: 'invalid' });
    expect(readIpn(new Map(Object.entries({ ...base, montant: '60.00' })))).toMatchObject({ kind: 'invalid' });
    expect(readIpn(new Map(Object.entries({ ...base, date: '31022017', heure: '150500' })))).toMatchObject({ kind: 'invalid' });
    expect(readIpn(new Map(Object.entries({ ...base, erreur: 'x' })))).toMatchObject({ kind: 'invalid' });
  });
});
