import { describe, expect, it } from 'vitest';
import { windowsZoneNames, windowsZoneOf } from '../../src/providers/proctoru/zones';

describe('ProctorU time zones: IANA → Windows (R-REG-5, R-SCH-4)', () => {
  it.each([
    ['Europe/Paris', 'Romance Standard Time'],
    ['America/New_York', 'Eastern Standard Time'],
    ['Pacific/Tahiti', 'Hawaiian Standard Time'],
    ['Pacific/Noumea', 'Central Pacific Standard Time'],
    ['Indian/Reunion', 'Mauritius Standard Time'],
    ['UTC', 'UTC'],
  ])('R-REG-5: %s is sent to ProctorU as %s', (iana, windows) => {
    expect(windowsZoneOf(iana)).toBe(windows);
    expect(windowsZoneNames()).toContain(windows);
  });

  it('R-REG-5: a zone with no Windows equivalent (Antarctica/Troll) or no zone at all has no mapping', () => {
    expect(windowsZoneOf('Antarctica/Troll')).toBeNull();
    expect(windowsZoneOf('Mars/Olympus')).toBeNull();
    expect(windowsZoneOf('')).toBeNull();
  });
});
