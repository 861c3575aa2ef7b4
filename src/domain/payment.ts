/**
 * Payment rules (R-PAY-1, R-PAY-2), pure. Card expiries are MMYY as Paybox reports them; a card is
 * valid through the last day of its expiry month.
 */
export type CardBrand = 'VISA' | 'MASTERCARD' | 'AMEX' | 'CB' | 'OTHER';

/** R-PAY-1: Visa and Mastercard only. */
export const ACCEPTED_BRANDS: readonly CardBrand[] = ['VISA', 'MASTERCARD'];

/** R-PAY-2: the card must be valid at least this many months beyond the end of the exam period. */
export const CARD_VALIDITY_MONTHS_AFTER_PERIOD = 2;

const MMYY = /^(0[1-9]|1[0-2])(\d{2})$/;

export function isMmyy(value: string): boolean {
  return MMYY.test(value);
}

/** A month as one integer (year × 12 + month − 1), so month arithmetic is plain addition. */
export function monthIndex(year: number, month: number): number {
  return year * 12 + (month - 1);
}

/** `"0517"` → the month index of May 2017 (two-digit years are 2000–2099). */
export function expiryMonthIndex(mmyy: string): number {
  const m = MMYY.exec(mmyy);
  if (!m) throw new Error(`not an MMYY expiry: ${mmyy}`);
  return monthIndex(2000 + Number(m[2]), Number(m[1]));
}

/** The earliest accepted expiry for an exam period ending on `periodEnd` (YYYY-MM-DD), as MMYY. */
export function earliestAcceptedExpiry(periodEnd: string): string {
  const [y, mo] = periodEnd.split('-').map(Number);
  const idx = monthIndex(y, mo) + CARD_VALIDITY_MONTHS_AFTER_PERIOD;
  const year = Math.floor(idx / 12);
  const month = (idx % 12) + 1;
  return `${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}`;
}

/**
 * R-PAY-2: period ending 2017-03-14 → 04/17 (valid through 2017-04-30) refused, 05/17 (valid through
 * 2017-05-31, past 2017-05-14) accepted. Because a card is valid to the end of its month, "two months
 * beyond the end day" is exactly "expiry month ≥ end month + 2".
 */
export function cardValidLongEnough(mmyy: string, periodEnd: string): boolean {
  return expiryMonthIndex(mmyy) >= expiryMonthIndex(earliestAcceptedExpiry(periodEnd));
}

/** Paybox reports the expiry as YYMM (`PBX_RETOUR` variable D); we store MMYY. */
export function yymmToMmyy(yymm: string): string | null {
  if (!/^\d{4}$/.test(yymm)) return null;
  const mmyy = yymm.slice(2) + yymm.slice(0, 2);
  return isMmyy(mmyy) ? mmyy : null;
}
