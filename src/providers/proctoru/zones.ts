import { findWindows, WINDOWS_TO_IANA_MAP } from 'windows-iana';

/**
 * ProctorU names time zones the Windows way ("Romance Standard Time" for Europe/Paris). Our learners'
 * zones are IANA names (R-REG-5): the CLDR mapping of the `windows-iana` package translates them.
 * A zone with no Windows equivalent cannot be sent to ProctorU and is refused when the profile is set.
 */
export function windowsZoneOf(iana: string): string | null {
  try {
    const names = findWindows(iana);
    return names.length > 0 ? names[0] : null;
  } catch {
    return null;
  }
}

/** Every Windows zone name ProctorU knows (what `getTimeZoneList` answers, in the simulator). */
export function windowsZoneNames(): string[] {
  return [...new Set(WINDOWS_TO_IANA_MAP.map((z) => z.windowsName))].sort();
}
