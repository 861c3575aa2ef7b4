import { describe, expect, it } from 'vitest';
import {
  certificateFileName,
  CODE_ALPHABET,
  holderName,
  type IssueFacts,
  issueRefusal,
  newVerificationCode,
  normalizeVerificationCode,
  sessionLabel,
} from '../../src/domain/certificate';
import { escapeHtml, wantsJson } from '../../src/http/certificate.route';

const eligible: IssueFacts = {
  certificateExists: false,
  registrationCancelled: false,
  result: { status: 'PUBLISHED', passed: true },
  fraudCaseStatuses: [],
  lockedGivenName: 'Camille',
  lockedFamilyName: 'Martin',
};

describe('verification codes (R-CER-3)', () => {
  it('R-CER-3: 16 symbols of a 32-symbol alphabet without 0, O, 1, I, grouped by four', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (const ch of '0O1I') expect(CODE_ALPHABET).not.toContain(ch);
    for (let i = 0; i < 200; i++) expect(newVerificationCode()).toMatch(/^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
  });

  it('R-CER-3: 80 bits: every bit of the 10 random bytes shows in the code', () => {
    const zero = newVerificationCode(() => Buffer.alloc(10));
    expect(zero).toBe('2222-2222-2222-2222');
    expect(newVerificationCode(() => Buffer.alloc(10, 0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    for (let bit = 0; bit < 80; bit++) {
      const bytes = Buffer.alloc(10);
      bytes[bit >> 3] = 0x80 >> (bit & 7);
      expect(newVerificationCode(() => bytes), `bit ${bit}`).not.toBe(zero);
    }
  });

  it('R-CER-3: a thousand fresh codes are distinct', () => {
    expect(new Set(Array.from({ length: 1000 }, () => newVerificationCode())).size).toBe(1000);
  });

  it('R-CER-3: lookups accept lowercase, spaces and missing dashes; anything else is not a code', () => {
    expect(normalizeVerificationCode('k7xqm3paw9rtzc4h')).toBe('K7XQ-M3PA-W9RT-ZC4H');
    expect(normalizeVerificationCode(' K7XQ M3PA-w9rt-ZC4H ')).toBe('K7XQ-M3PA-W9RT-ZC4H');
    for (const bad of ['', 'K7XQ-M3PA-W9RT', 'K7XQ-M3PA-W9RT-ZC4H-AAAA', 'O7XQ-M3PA-W9RT-ZC4H', '17XQ-M3PA-W9RT-ZC4H', 'K7XQ_M3PA_W9RT_ZC4H', 'x'.repeat(65)]) {
      expect(normalizeVerificationCode(bad), bad).toBeNull();
    }
  });
});

describe('issue rules (R-CER-1)', () => {
  it('R-CER-1: a published, passed, not voided result with a locked name and no review is eligible', () => {
    expect(issueRefusal(eligible)).toBeNull();
  });

  it('R-CER-1: each refusal, in order', () => {
    expect(issueRefusal({ ...eligible, certificateExists: true, result: null })).toBe('CERTIFICATE_ALREADY_ISSUED');
    expect(issueRefusal({ ...eligible, registrationCancelled: true })).toBe('REGISTRATION_CANCELLED');
    expect(issueRefusal({ ...eligible, result: null })).toBe('RESULT_NOT_PUBLISHED');
    expect(issueRefusal({ ...eligible, result: { status: 'PENDING', passed: true } })).toBe('RESULT_NOT_PUBLISHED');
    expect(issueRefusal({ ...eligible, result: { status: 'VOIDED', passed: true } })).toBe('RESULT_NOT_PUBLISHED');
    expect(issueRefusal({ ...eligible, result: { status: 'PUBLISHED', passed: false } })).toBe('RESULT_NOT_PASSED');
    for (const st of ['OPEN', 'UNDER_REVIEW', 'FRAUD_CONFIRMED']) expect(issueRefusal({ ...eligible, fraudCaseStatuses: ['CLEARED', st] })).toBe('FRAUD_REVIEW_OPEN');
    expect(issueRefusal({ ...eligible, fraudCaseStatuses: ['CLEARED'] })).toBeNull();
    expect(issueRefusal({ ...eligible, lockedGivenName: null, lockedFamilyName: null })).toBe('NAME_NOT_LOCKED');
  });

  it('R-REG-2: the holder name is the locked name, as locked', () => {
    expect(holderName({ lockedGivenName: 'Éloïse', lockedFamilyName: 'Dupont-Müller' })).toBe('Éloïse Dupont-Müller');
    expect(holderName({ lockedGivenName: 'Éloïse', lockedFamilyName: null })).toBeNull();
  });
});

describe('presentation', () => {
  it('R-CER-3: the download file name is ASCII only, whatever the name', () => {
    expect(certificateFileName('Éloïse Dupont-Müller', 'K7XQ-M3PA-W9RT-ZC4H')).toBe('certificat-Eloise-Dupont-Muller-K7XQ-M3PA-W9RT-ZC4H.pdf');
    expect(certificateFileName('"; rm -rf /\r\n', 'K7XQ-M3PA-W9RT-ZC4H')).toBe('certificat-rm-rf-K7XQ-M3PA-W9RT-ZC4H.pdf');
    expect(certificateFileName('فاطمة', 'K7XQ-M3PA-W9RT-ZC4H')).toBe('certificat-K7XQ-M3PA-W9RT-ZC4H.pdf');
  });

  it('R-CER-1: the session label in French, with elision', () => {
    expect(sessionLabel('2017-03-01')).toBe('Session de mars 2017');
    expect(sessionLabel('2017-04-03')).toBe('Session d’avril 2017');
    expect(sessionLabel('2017-08-01')).toBe('Session d’août 2017');
  });

  it('R-CER-3: /verify escapes HTML and negotiates JSON', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(wantsJson('application/json')).toBe(true);
    expect(wantsJson('application/json, text/plain, */*')).toBe(true);
    expect(wantsJson('text/html,application/xhtml+xml,application/json;q=0.9')).toBe(false);
    expect(wantsJson(undefined)).toBe(false);
    expect(wantsJson('*/*')).toBe(false);
  });
});
