import { DateTime, IANAZone } from 'luxon';
import { DomainError } from './errors';

/** Input checks shared by services. Each throws VALIDATION_FAILED with the field path. */

export const MAX_TEXT = 255;
export const MAX_LONG_TEXT = 4000;

export function fail(field: string[], message: string): never {
  throw new DomainError('VALIDATION_FAILED', message, field);
}

/** A UTF-16 surrogate without its pair: not a character (`String.prototype.isWellFormed` is Node ≥ 20 but not in our TS lib). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Trims, refuses empty (unless allowed) and over-long text, control characters and lone surrogates. */
export function text(value: string, field: string[], opts: { max?: number; allowEmpty?: boolean } = {}): string {
  const max = opts.max ?? MAX_TEXT;
  const v = value.normalize('NFC').trim();
  if (!opts.allowEmpty && v.length === 0) fail(field, `${field[field.length - 1]} must not be empty`);
  if (v.length > max) fail(field, `${field[field.length - 1]} must be at most ${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v)) fail(field, `${field[field.length - 1]} contains control characters`);
  // A lone UTF-16 surrogate ("\ud800" in JSON) is no character: PostgreSQL's jsonb (audit details) refuses it.
  if (LONE_SURROGATE.test(v)) fail(field, `${field[field.length - 1]} is not valid Unicode text`);
  return v;
}

const EMAIL = /^[^\s@"'<>()[\]\\,;:]+@[^\s@"'<>()[\]\\,;:]+\.[^\s@"'<>()[\]\\,;:]+$/;

export function email(value: string, field: string[]): string {
  const v = text(value, field, { max: 254 }).toLowerCase();
  if (!EMAIL.test(v)) fail(field, 'not a valid e-mail address');
  return v;
}

export function timeZone(value: string, field: string[]): string {
  const v = text(value, field, { max: 64 });
  if (!IANAZone.isValidZone(v) || !/\//.test(v) && v !== 'UTC') fail(field, `${v} is not a known IANA time zone`);
  return v;
}

export function hhmm(value: string, field: string[]): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) fail(field, 'must be a wall-clock time HH:mm (00:00 to 23:59)');
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isoDate(value: string, field: string[]): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'UTC' }).isValid) fail(field, 'must be a calendar day YYYY-MM-DD');
  return value;
}

export function intRange(value: number, field: string[], min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(field, `must be an integer from ${min} to ${max}`);
  return value;
}

/** ISO 3166-1 alpha-2 codes currently assigned. */
const COUNTRIES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' '),
);

export function country(value: string, field: string[]): string {
  const v = value.trim().toUpperCase();
  if (!COUNTRIES.has(v)) fail(field, `${value} is not an ISO 3166-1 alpha-2 country code`);
  return v;
}

export function phone(value: string, field: string[]): string {
  const v = text(value, field, { max: 32 });
  if (!/^\+?[0-9 ().-]{6,31}$/.test(v) || (v.match(/\d/g)?.length ?? 0) < 6) fail(field, 'not a valid phone number');
  return v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id of ours: a UUID. Anything else cannot name a row, so it is NOT_FOUND rather than a database error. */
export function uuid(value: string, field: string[]): string {
  if (!UUID.test(value)) throw new DomainError('NOT_FOUND', `No object with id ${JSON.stringify(value.slice(0, 64))}`, field);
  return value.toLowerCase();
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An id no row has: a filter on an id that is not a UUID matches nothing (instead of a database error). */
export const NO_ID = '00000000-0000-0000-0000-000000000000';

/** A list filter's id: the id itself (lower-cased), or NO_ID when it is not a UUID, so the list is empty. */
export function filterId(value: string): string {
  return isUuid(value) ? value.toLowerCase() : NO_ID;
}
