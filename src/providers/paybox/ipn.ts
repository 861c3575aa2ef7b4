import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { DateTime } from 'luxon';
import { type Config } from '../../config';
import { type CardBrand, yymmToMmyy } from '../../domain/payment';
import { simulatorKeys } from './simulator-keys';

/**
 * Paybox payment notifications (IPN, R-PAY-4). Our payment page asks Paybox to call back with
 *
 *   PBX_RETOUR=montant:M;ref:R;auto:A;trans:S;appel:T;carte:C;validite:D;erreur:E;date:W;heure:Q;sign:K
 *
 * so a notification carries, in this order: `montant` (amount in cents), `ref` (our registration
 * id, sent as PBX_CMD), `auto` (authorization number), `trans` (NUMTRANS), `appel` (NUMAPPEL),
 * `carte` (card type: VISA, EUROCARD_MASTERCARD, CB, AMEX, E_CARD...), `validite` (card expiry YYMM),
 * `erreur` (00000 = accepted), `date` (DDMMYYYY) and `heure` (HHMMSS) of processing, Paris time,
 * optionally `devise` (ISO 4217 numeric, default 978 = EUR) and `ecb` (1 = e-Carte Bleue), and last
 * `sign`: the base64 RSA-SHA1 signature, URL-encoded, of everything before `&sign=` exactly as
 * received (query string for GET, form body for POST).
 */

export type IpnVerification = { valid: true; params: Map<string, string> } | { valid: false; reason: string };

/** The key that verifies notifications: PAYBOX_PUBLIC_KEY, or the simulator's in simulator mode. */
export function payboxPublicKey(config: Config): KeyObject {
  if (config.paybox.publicKeyPem) return createPublicKey(config.paybox.publicKeyPem);
  if (config.paybox.mode !== 'simulator') throw new Error('PAYBOX_PUBLIC_KEY is required when PAYBOX_MODE=live');
  return createPublicKey(simulatorKeys(config.dataDir).publicKeyPem);
}

/** Splits `a=1&b=2` (form encoding: `+` is a space); a repeated name makes the whole thing ambiguous → null. */
export function parseParams(raw: string): Map<string, string> | null {
  const params = new Map<string, string>();
  if (raw === '') return params;
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    let name: string;
    let value: string;
    try {
      name = decode(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decode(part.slice(eq + 1));
    } catch {
      return null;
    }
    if (params.has(name)) return null;
    params.set(name, value);
  }
  return params;
}

/**
 * Verifies the signature over the parameters as received: the bytes before the last `&sign=`; `sign`
 * must be the last parameter. Only a valid notification has its parameters parsed.
 */
export function verifyIpn(raw: string, publicKey: KeyObject): IpnVerification {
  const at = raw.lastIndexOf('&sign=');
  if (at <= 0) return { valid: false, reason: 'no sign parameter' };
  const signed = raw.slice(0, at);
  const signParam = raw.slice(at + '&sign='.length);
  if (signParam.includes('&')) return { valid: false, reason: 'sign is not the last parameter' };
  let signature: Buffer;
  try {
    // URL-encoded base64; a raw `+` may have survived un-encoded: it is base64, not a space.
    signature = Buffer.from(decodeURIComponent(signParam), 'base64');
  } catch {
    return { valid: false, reason: 'sign is not URL-encoded base64' };
  }
  if (signature.length === 0) return { valid: false, reason: 'empty signature' };
  const ok = createVerify('RSA-SHA1').update(signed, 'utf8').verify(publicKey, signature);
  if (!ok) return { valid: false, reason: 'bad signature' };
  const params = parseParams(signed);
  if (!params) return { valid: false, reason: 'malformed or repeated parameters' };
  return { valid: true, params };
}

/** Paybox card types (PBX_TYPECARTE) → our brands; E_CARD is the e-Carte Bleue (a virtual Visa number). */
export function cardBrandOf(carte: string): { brand: CardBrand; eCarteBleue: boolean } {
  switch (carte.trim().toUpperCase()) {
    case 'VISA':
      return { brand: 'VISA', eCarteBleue: false };
    case 'EUROCARD_MASTERCARD':
    case 'MASTERCARD':
      return { brand: 'MASTERCARD', eCarteBleue: false };
    case 'E_CARD':
      return { brand: 'VISA', eCarteBleue: true };
    case 'CB':
      return { brand: 'CB', eCarteBleue: false };
    case 'AMEX':
      return { brand: 'AMEX', eCarteBleue: false };
    default:
      return { brand: 'OTHER', eCarteBleue: false };
  }
}

const CURRENCIES: Record<string, string> = { '978': 'EUR', '840': 'USD', '756': 'CHF', '826': 'GBP', '124': 'CAD' };

export interface IpnPayment {
  registrationId: string;
  amountCents: number;
  currency: string;
  cardBrand: CardBrand;
  cardExpiry: string;
  eCarteBleue: boolean;
  numAppel: string;
  numTrans: string;
  authorizationNumber: string;
  /** null when Paybox did not send date and time: the caller uses the domain clock. */
  paidAt: Date | null;
}

export type IpnNotification =
  | { kind: 'payment'; payment: IpnPayment }
  /** Paybox refused or abandoned the payment: nothing to record. */
  | { kind: 'declined'; erreur: string; registrationId: string | null; numTrans: string | null }
  | { kind: 'invalid'; problems: string[] };

/** Maps a verified notification to what the payment service records. */
export function readIpn(params: Map<string, string>): IpnNotification {
  const get = (k: string) => params.get(k)?.trim() ?? '';
  const erreur = get('erreur');
  if (!/^\d{5}$/.test(erreur)) return { kind: 'invalid', problems: ['erreur must be a 5-digit Paybox code'] };
  if (erreur !== '00000') return { kind: 'declined', erreur, registrationId: get('ref') || null, numTrans: get('trans') || null };
  const problems: string[] = [];
  for (const k of ['montant', 'ref', 'auto', 'trans', 'appel', 'carte', 'validite']) if (!get(k)) problems.push(`${k} is missing`);
  const montant = get('montant');
  if (montant && !/^\d{1,9}$/.test(montant)) problems.push('montant must be an amount in cents');
  const cardExpiry = get('validite') ? yymmToMmyy(get('validite')) : null;
  if (get('validite') && !cardExpiry) problems.push('validite must be YYMM');
  let paidAt: Date | null = null;
  if (get('date') || get('heure')) {
    const t = DateTime.fromFormat(`${get('date')} ${get('heure')}`, 'ddMMyyyy HHmmss', { zone: 'Europe/Paris' });
    if (!t.isValid) problems.push('date must be DDMMYYYY and heure HHMMSS');
    else paidAt = t.toJSDate();
  }
  const devise = get('devise') || '978';
  if (problems.length > 0) return { kind: 'invalid', problems };
  const { brand, eCarteBleue } = cardBrandOf(get('carte'));
  return {
    kind: 'payment',
    payment: {
      registrationId: get('ref'),
      amountCents: Number(montant),
      currency: CURRENCIES[devise] ?? 'XXX',
      cardBrand: brand,
      cardExpiry: cardExpiry!,
      eCarteBleue: eCarteBleue || get('ecb') === '1',
      numAppel: get('appel'),
      numTrans: get('trans'),
      authorizationNumber: get('auto'),
      paidAt,
    },
  };
}
