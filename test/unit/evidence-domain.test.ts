import { describe, expect, it } from 'vitest';
import { capturedAt, contentType, evidenceKind, parseRange, retainUntil, viewLinkExpiry } from '../../src/domain/evidence';
import { DomainError } from '../../src/domain/errors';

const refused = (fn: () => unknown, field: string) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).field).toEqual([field]);
    return;
  }
  throw new Error('expected a refusal');
};

describe('evidence rules (pure)', () => {
  it('R-EVI-1: kept evidenceRetentionDays (42 = 6 weeks) after capture, to the millisecond', () => {
    expect(retainUntil(new Date('2017-03-02T14:00:00.123Z'), 42).toISOString()).toBe('2017-04-13T14:00:00.123Z');
    expect(retainUntil(new Date('2017-03-02T14:00:00Z'), 1).toISOString()).toBe('2017-03-03T14:00:00.000Z');
  });

  it('R-EVI-2: kinds are VIDEO, ID_DOCUMENT, FACE_PHOTO exactly', () => {
    expect(['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO'].map(evidenceKind)).toEqual(['VIDEO', 'ID_DOCUMENT', 'FACE_PHOTO']);
    for (const bad of ['video', 'AUDIO', '', 'VIDEO ']) refused(() => evidenceKind(bad), 'kind');
  });

  it('R-EVI-2: X-Captured-At is an ISO instant with a zone, not in the future', () => {
    const now = new Date('2017-03-02T15:00:00Z');
    expect(capturedAt('2017-03-02T14:00:00Z', now).toISOString()).toBe('2017-03-02T14:00:00.000Z');
    expect(capturedAt('2017-03-02T16:00:00+01:00', now).toISOString()).toBe('2017-03-02T15:00:00.000Z');
    for (const bad of [undefined, '', '2017-03-02', '2017-03-02T14:00:00', 'yesterday', '2017-13-02T14:00:00Z', '2017-03-02T15:00:01Z']) refused(() => capturedAt(bad, now), 'X-Captured-At');
  });

  it('R-EVI-2: Content-Type is a media type, default application/octet-stream', () => {
    expect(contentType(undefined)).toBe('application/octet-stream');
    expect(contentType('video/webm; codecs="vp8, opus"')).toBe('video/webm; codecs="vp8, opus"');
    for (const bad of ['video', 'image/png; charset', 'a/b\r\nx: y']) refused(() => contentType(bad), 'Content-Type');
  });

  it('R-EVI-2: HTTP Range against a 1000-byte object', () => {
    expect(parseRange(undefined, 1000)).toBeNull();
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=1000-1001', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    // Ignored (whole object): other units, several ranges, malformed or reversed.
    for (const ignored of ['items=0-1', 'bytes=0-1,5-6', 'bytes=abc', 'bytes=-', 'bytes=50-10']) expect(parseRange(ignored, 1000), ignored).toBeNull();
  });

  it('R-EVI-2: a view link lasts 5 minutes', () => {
    expect(viewLinkExpiry(new Date('2026-01-01T00:00:00.900Z'))).toBe(Date.UTC(2026, 0, 1) / 1000 + 300);
  });
});
