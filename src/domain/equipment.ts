/**
 * R-TEC-1, pure: which technical requirements an equipment check fails. An empty list means the
 * computer is compatible. Not having checked at all is no technical problem (R-TEC-3): that is
 * decided by the refund rules, not here.
 */
export const EQUIPMENT_REQUIREMENTS = [
  'OPERATING_SYSTEM',
  'WEBCAM',
  'MICROPHONE',
  'SPEAKERS',
  'DOWNLOAD_BANDWIDTH',
  'UPLOAD_BANDWIDTH',
  'PORT_1935',
  'PRIVATE_PLACE',
] as const;
export type EquipmentRequirement = (typeof EQUIPMENT_REQUIREMENTS)[number];

export const OPERATING_SYSTEMS = ['WINDOWS', 'MACOS', 'LINUX', 'OTHER'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export interface EquipmentMeasures {
  operatingSystem: OperatingSystem;
  osVersion: string;
  webcamWidth: number;
  webcamHeight: number;
  hasMicrophone: boolean;
  hasSpeakers: boolean;
  downloadKbps: number;
  uploadKbps: number;
  port1935Open: boolean;
  publicPlace: boolean;
}

/** R-TEC-1 thresholds. */
export const MIN_WEBCAM = { width: 640, height: 480 } as const;
export const MIN_DOWNLOAD_KBPS = 768;
export const MIN_UPLOAD_KBPS = 384;
/** macOS 10.5 (Leopard) or later. */
const MIN_MACOS: readonly number[] = [10, 5];

/** `"10.12.6"` → `[10, 12, 6]`; anything that is not dotted numbers → null. */
export function parseVersion(raw: string): number[] | null {
  const v = raw.trim();
  if (!/^\d{1,4}(\.\d{1,4}){0,3}$/.test(v)) return null;
  return v.split('.').map(Number);
}

/** Numeric, component by component (10.12 > 10.5, unlike a string comparison); missing parts are 0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Windows Vista or later: "Vista", "7", "8", "8.1", "10", "11" (and later version numbers) pass; "XP",
 * the year-named releases before it (95, 98, 2000, ME) and anything unknown fail. Marketing names,
 * not NT kernel numbers ("6.1"). A leading "Windows " is ignored.
 */
function windowsSupported(version: string): boolean {
  const v = version.trim().replace(/^windows\s+/i, '').toLowerCase();
  if (v === 'vista') return true;
  const n = parseVersion(v);
  // 95, 98 and 2000 are years, not versions after 11.
  return n !== null && n[0] >= 7 && n[0] < 95;
}

/** macOS 10.5 or later, compared numerically; a leading "macOS", "Mac OS X" or "OS X" is ignored. */
function macosSupported(version: string): boolean {
  const n = parseVersion(version.trim().replace(/^(mac\s*os\s*x?|os\s*x)\s*/i, ''));
  return n !== null && compareVersions(n, MIN_MACOS) >= 0;
}

export function operatingSystemSupported(os: OperatingSystem, version: string): boolean {
  switch (os) {
    case 'WINDOWS':
      return windowsSupported(version);
    case 'MACOS':
      return macosSupported(version);
    default:
      // Linux is explicitly not supported; anything else is not known to work.
      return false;
  }
}

/** Every requirement of R-TEC-1 the measures fail, in the order of EQUIPMENT_REQUIREMENTS. */
export function failedRequirements(m: EquipmentMeasures): EquipmentRequirement[] {
  const failed: EquipmentRequirement[] = [];
  if (!operatingSystemSupported(m.operatingSystem, m.osVersion)) failed.push('OPERATING_SYSTEM');
  if (m.webcamWidth < MIN_WEBCAM.width || m.webcamHeight < MIN_WEBCAM.height) failed.push('WEBCAM');
  if (!m.hasMicrophone) failed.push('MICROPHONE');
  if (!m.hasSpeakers) failed.push('SPEAKERS');
  if (m.downloadKbps < MIN_DOWNLOAD_KBPS) failed.push('DOWNLOAD_BANDWIDTH');
  if (m.uploadKbps < MIN_UPLOAD_KBPS) failed.push('UPLOAD_BANDWIDTH');
  if (!m.port1935Open) failed.push('PORT_1935');
  if (m.publicPlace) failed.push('PRIVATE_PLACE');
  return failed;
}
