import { randomBytes } from 'node:crypto';

/**
 * Certificates (R-CER), the pure part: verification codes and the issue rules.
 *
 * A verification code is 16 symbols drawn uniformly from a 32-symbol alphabet (5 bits each: 80 bits of
 * randomness) with no 0/O and no 1/I, so nobody misreads it on paper; it is shown and stored grouped
 * `XXXX-XXXX-XXXX-XXXX`. Lookups accept lowercase, spaces and missing dashes.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 16;
export const CODE_GROUP = 4;

/** A fresh code, grouped for display. `random` is injectable for tests (defaults to the CSPRNG). */
export function newVerificationCode(random: (n: number) => Buffer = randomBytes): string {
  // 16 symbols × 5 bits = 80 bits = 10 bytes, read 5 bits at a time: no modulo bias.
  const bytes = random(10);
  let bits = 0;
  let acc = 0;
  let raw = '';
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      raw += CODE_ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return groupCode(raw);
}

function groupCode(raw: string): string {
  const groups: string[] = [];
  for (let i = 0; i < raw.length; i += CODE_GROUP) groups.push(raw.slice(i, i + CODE_GROUP));
  return groups.join('-');
}

/** The stored form of what someone typed or scanned, or null when it cannot be a code. */
export function normalizeVerificationCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const raw = input.toUpperCase().replace(/[\s-]/g, '');
  if (raw.length !== CODE_LENGTH) return null;
  for (const ch of raw) if (!CODE_ALPHABET.includes(ch)) return null;
  return groupCode(raw);
}

export type IssueRefusal = 'CERTIFICATE_ALREADY_ISSUED' | 'RESULT_NOT_PUBLISHED' | 'RESULT_NOT_PASSED' | 'FRAUD_REVIEW_OPEN' | 'NAME_NOT_LOCKED' | 'REGISTRATION_CANCELLED';

/** What issuance is decided on (R-CER-1): a snapshot of the registration, its result and reviews. */
export interface IssueFacts {
  certificateExists: boolean;
  registrationCancelled: boolean;
  /** The registration's result, when graded: the newest not voided one, else the newest. */
  result: { status: 'PENDING' | 'PUBLISHED' | 'VOIDED'; passed: boolean } | null;
  /** Statuses of the registration's fraud cases. */
  fraudCaseStatuses: string[];
  lockedGivenName: string | null;
  lockedFamilyName: string | null;
}

export const ISSUE_REFUSAL_MESSAGES: Record<IssueRefusal, string> = {
  CERTIFICATE_ALREADY_ISSUED: 'A certificate was already issued for this registration; it is never re-issued (R-CER-2)',
  RESULT_NOT_PUBLISHED: 'The registration has no published, not voided result (R-CER-1)',
  RESULT_NOT_PASSED: 'The result is not a pass (R-CER-1)',
  FRAUD_REVIEW_OPEN: 'A fraud review is open or fraud was confirmed for this registration (R-EVI-3, R-CER-4)',
  NAME_NOT_LOCKED: 'The registration has no locked name to print (R-REG-2)',
  REGISTRATION_CANCELLED: 'This registration is cancelled',
};

/** The first rule that refuses a certificate, in the order a reader checks them, or null. */
export function issueRefusal(f: IssueFacts): IssueRefusal | null {
  if (f.certificateExists) return 'CERTIFICATE_ALREADY_ISSUED';
  if (f.registrationCancelled) return 'REGISTRATION_CANCELLED';
  if (!f.result || f.result.status !== 'PUBLISHED') return 'RESULT_NOT_PUBLISHED';
  if (!f.result.passed) return 'RESULT_NOT_PASSED';
  if (f.fraudCaseStatuses.some((s) => s === 'OPEN' || s === 'UNDER_REVIEW' || s === 'FRAUD_CONFIRMED')) return 'FRAUD_REVIEW_OPEN';
  if (!holderName(f)) return 'NAME_NOT_LOCKED';
  return null;
}

/** The name printed: the registration's locked name, as locked (R-REG-2); null when not locked. */
export function holderName(r: { lockedGivenName?: string | null; lockedFamilyName?: string | null }): string | null {
  if (!r.lockedGivenName || !r.lockedFamilyName) return null;
  return `${r.lockedGivenName} ${r.lockedFamilyName}`;
}

/** A safe `Content-Disposition` file name: ASCII letters, digits and dashes only. */
export function certificateFileName(holder: string, code: string): string {
  const ascii = holder
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `certificat-${ascii ? `${ascii}-` : ''}${code}.pdf`;
}

/** The session as printed on the certificate, e.g. "Session de mars 2017" (from its exam period). */
export function sessionLabel(examPeriodStart: string): string {
  const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
  const [y, m] = examPeriodStart.split('-').map(Number);
  const month = months[m - 1];
  return `Session ${/^[aeiouéo]/.test(month) ? 'd’' : 'de '}${month} ${y}`;
}
