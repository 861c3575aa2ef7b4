import { describe, expect, it } from 'vitest';
import { cardValidLongEnough, earliestAcceptedExpiry, expiryMonthIndex, isMmyy, yymmToMmyy } from '../../src/domain/payment';

describe('R-PAY-2 card expiry, month arithmetic on MMYY', () => {
  it('R-PAY-2: a card expiring 04/17 is refused and 05/17 accepted for a period ending 2017-03-14', () => {
    expect(earliestAcceptedExpiry('2017-03-14')).toBe('0517');
    expect(cardValidLongEnough('0417', '2017-03-14')).toBe(false);
    expect(cardValidLongEnough('0517', '2017-03-14')).toBe(true);
    expect(cardValidLongEnough('0317', '2017-03-14')).toBe(false);
    expect(cardValidLongEnough('1216', '2017-03-14')).toBe(false);
    expect(cardValidLongEnough('0118', '2017-03-14')).toBe(true);
  });

  it.each([
    ['2017-11-17', '1217', false],
    ['2017-11-17', '0118', true],
    ['2017-11-30', '1217', false],
    ['2017-12-14', '0118', false],
    ['2017-12-14', '0218', true],
    ['2017-10-31', '1217', true],
    ['2017-10-31', '1117', false],
    ['2099-12-31', '0100', false],
  ] as const)('R-PAY-2: period ending %s, card %s accepted = %s (year boundary)', (end, expiry, ok) => {
    expect(cardValidLongEnough(expiry, end)).toBe(ok);
  });

  it('R-PAY-2: expiries compare by month, never as strings (0118 is after 1217)', () => {
    expect(expiryMonthIndex('0118')).toBeGreaterThan(expiryMonthIndex('1217'));
    expect(expiryMonthIndex('0118') - expiryMonthIndex('1217')).toBe(1);
  });

  it('R-PAY-4: MMYY format; Paybox YYMM becomes MMYY', () => {
    for (const ok of ['0117', '1299', '0500']) expect(isMmyy(ok)).toBe(true);
    for (const bad of ['1317', '0017', '517', '05/17', '05170']) expect(isMmyy(bad)).toBe(false);
    expect(yymmToMmyy('1705')).toBe('0517');
    expect(yymmToMmyy('1913')).toBeNull();
    expect(yymmToMmyy('19-9')).toBeNull();
  });
});
