import { describe, expect, it } from 'vitest';
import { compareVersions, type EquipmentMeasures, failedRequirements, operatingSystemSupported, parseVersion } from '../../src/domain/equipment';
import { decodeScreenshot, MAX_SCREENSHOT_BYTES } from '../../src/services/equipment.service';
import { DomainError } from '../../src/domain/errors';

const GOOD: EquipmentMeasures = {
  operatingSystem: 'WINDOWS',
  osVersion: '10',
  webcamWidth: 640,
  webcamHeight: 480,
  hasMicrophone: true,
  hasSpeakers: true,
  downloadKbps: 768,
  uploadKbps: 384,
  port1935Open: true,
  publicPlace: false,
};

describe('R-TEC-1 operating systems', () => {
  it.each([
    ['WINDOWS', 'XP', false],
    ['WINDOWS', 'Windows XP', false],
    ['WINDOWS', '2000', false],
    ['WINDOWS', '98', false],
    ['WINDOWS', '95', false],
    ['WINDOWS', '6.1', false],
    ['WINDOWS', 'Vista', true],
    ['WINDOWS', 'vista', true],
    ['WINDOWS', '7', true],
    ['WINDOWS', '8', true],
    ['WINDOWS', '8.1', true],
    ['WINDOWS', '10', true],
    ['WINDOWS', 'Windows 11', true],
    ['WINDOWS', '12', true],
    ['WINDOWS', '', false],
    ['WINDOWS', 'ME', false],
    ['MACOS', '10.4', false],
    ['MACOS', '10.4.11', false],
    ['MACOS', '10.5', true],
    ['MACOS', '10.12', true],
    ['MACOS', '10.12.6', true],
    ['MACOS', 'Mac OS X 10.6', true],
    ['MACOS', '11', true],
    ['MACOS', '14.2', true],
    ['MACOS', '9.2', false],
    ['MACOS', 'Sierra', false],
    ['LINUX', 'Ubuntu 16.04', false],
    ['LINUX', '4.9', false],
    ['OTHER', 'ChromeOS 56', false],
  ] as const)('R-TEC-1: %s %s supported = %s', (os, version, ok) => {
    expect(operatingSystemSupported(os, version)).toBe(ok);
    expect(failedRequirements({ ...GOOD, operatingSystem: os, osVersion: version }).includes('OPERATING_SYSTEM')).toBe(!ok);
  });

  it('R-TEC-1: macOS versions compare numerically, not as strings (10.12 > 10.5 > 10.4)', () => {
    expect(compareVersions(parseVersion('10.12')!, parseVersion('10.5')!)).toBe(1);
    expect(compareVersions(parseVersion('10.4')!, parseVersion('10.5')!)).toBe(-1);
    expect(compareVersions(parseVersion('10.5.0')!, parseVersion('10.5')!)).toBe(0);
    expect(parseVersion('10.x')).toBeNull();
  });
});

describe('R-TEC-1 every requirement', () => {
  it('R-TEC-1: the minimum configuration passes everything', () => {
    expect(failedRequirements(GOOD)).toEqual([]);
  });

  it.each([
    ['webcam 639x480', { webcamWidth: 639 }, ['WEBCAM']],
    ['webcam 640x479', { webcamHeight: 479 }, ['WEBCAM']],
    ['webcam 1280x720', { webcamWidth: 1280, webcamHeight: 720 }, []],
    ['no microphone', { hasMicrophone: false }, ['MICROPHONE']],
    ['no speakers', { hasSpeakers: false }, ['SPEAKERS']],
    ['download 767 kbit/s', { downloadKbps: 767 }, ['DOWNLOAD_BANDWIDTH']],
    ['upload 383 kbit/s', { uploadKbps: 383 }, ['UPLOAD_BANDWIDTH']],
    ['port 1935 closed', { port1935Open: false }, ['PORT_1935']],
    ['cyber-café', { publicPlace: true }, ['PRIVATE_PLACE']],
    ['Windows XP', { osVersion: 'XP' }, ['OPERATING_SYSTEM']],
  ] as const)('R-TEC-1: %s', (_name, change, expected) => {
    expect(failedRequirements({ ...GOOD, ...change })).toEqual(expected);
  });

  it('R-TEC-1: every failure is reported at once, in a stable order', () => {
    expect(
      failedRequirements({
        operatingSystem: 'LINUX',
        osVersion: '4.9',
        webcamWidth: 320,
        webcamHeight: 240,
        hasMicrophone: false,
        hasSpeakers: false,
        downloadKbps: 512,
        uploadKbps: 128,
        port1935Open: false,
        publicPlace: true,
      }),
    ).toEqual(['OPERATING_SYSTEM', 'WEBCAM', 'MICROPHONE', 'SPEAKERS', 'DOWNLOAD_BANDWIDTH', 'UPLOAD_BANDWIDTH', 'PORT_1935', 'PRIVATE_PLACE']);
  });
});

describe('R-TEC-2 screenshot decoding', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR rest of a png')]);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF rest')]);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof DomainError ? e.code : 'other';
    }
    return 'none';
  };

  it('R-TEC-2: PNG and JPEG are recognised by their magic bytes, with their SHA-256', () => {
    const p = decodeScreenshot(png.toString('base64'));
    expect(p.contentType).toBe('image/png');
    expect(p.bytes.equals(png)).toBe(true);
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeScreenshot(`data:image/jpeg;base64,${jpeg.toString('base64')}`).contentType).toBe('image/jpeg');
  });

  it('R-TEC-2: anything else, non-base64 text, or more than 700 KiB decoded is VALIDATION_FAILED', () => {
    expect(code(() => decodeScreenshot(Buffer.from('GIF89a....').toString('base64')))).toBe('VALIDATION_FAILED');
    expect(code(() => decodeScreenshot('not base64 at all!'))).toBe('VALIDATION_FAILED');
    expect(code(() => decodeScreenshot(''))).toBe('VALIDATION_FAILED');
    const big = Buffer.alloc(MAX_SCREENSHOT_BYTES + 1);
    png.copy(big);
    expect(code(() => decodeScreenshot(big.toString('base64')))).toBe('VALIDATION_FAILED');
    const max = Buffer.alloc(MAX_SCREENSHOT_BYTES);
    png.copy(max);
    expect(decodeScreenshot(max.toString('base64')).bytes.length).toBe(MAX_SCREENSHOT_BYTES);
  });
});
