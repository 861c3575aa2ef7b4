import { describe, expect, it } from 'vitest';
import {
  type CertificatePdfData,
  NAME_MAX_FONT_SIZE,
  NAME_MAX_WIDTH,
  NAME_MIN_FONT_SIZE,
  fitFontSize,
  frenchIssueDate,
  holderNameFontSize,
  renderCertificatePdf,
} from '../../src/reports/certificate.pdf';
import { qrModules } from '../../src/reports/qr';
import { decodeModules, pdfText, squaresInPdf, textItems } from '../helpers/pdf-inspect';

const base: CertificatePdfData = {
  holderName: 'Éloïse Dupont-Müller',
  courseTitle: 'Gestion de projet : fondamentaux',
  courseCode: 'IAE-GP-01',
  university: 'Université Jean Moulin Lyon 3 / IAE Lyon',
  sessionLabel: 'Session de mars 2017',
  issuedAt: new Date('2017-03-14T09:30:00Z'),
  verificationCode: 'K7XQ-M3PA-W9RT-ZC4H',
  verificationUrl: 'https://certificats.example.fr/verify/K7XQ-M3PA-W9RT-ZC4H',
};

const text = pdfText;

describe('certificate PDF renderer', () => {
  it('R-CER-2: the same data renders the same bytes', async () => {
    const a = await renderCertificatePdf(base);
    const b = await renderCertificatePdf({ ...base, issuedAt: new Date(base.issuedAt.getTime()) });
    expect(a.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
    const other = await renderCertificatePdf({ ...base, verificationCode: 'OTHER' });
    expect(other.equals(a)).toBe(false);
  });

  it('R-CER-1: the PDF shows the locked name, course, university, French date of issue and code', async () => {
    const t = await text(await renderCertificatePdf(base));
    for (const s of [base.holderName, base.courseTitle, base.university, '14 mars 2017', base.verificationCode, base.verificationUrl]) {
      expect(t).toContain(s);
    }
    expect(t).toContain('IAE-GP-01');
    expect(t).toContain('Session de mars 2017');
  });

  it('R-CER-1: the date of issue is the Paris calendar day, in French', () => {
    expect(frenchIssueDate(new Date('2017-03-14T09:30:00Z'))).toBe('14 mars 2017');
    // 23:30 UTC on 13 March is already 14 March in Paris.
    expect(frenchIssueDate(new Date('2017-03-13T23:30:00Z'))).toBe('14 mars 2017');
    expect(frenchIssueDate(new Date('2017-08-01T10:00:00Z'))).toBe('1 août 2017');
  });

  it('R-CER-1: a 120-character name shrinks to fit on one line', async () => {
    const longName = 'Marie-Françoise Anne-Sophie Élisabeth de La Tour d’Auvergne-Lauraguais y Fernández de Córdoba ép. Brönnimann-Øster';
    const name = longName.padEnd(120, 'x').slice(0, 120);
    expect(name).toHaveLength(120);
    const size = holderNameFontSize(name);
    expect(size).toBeLessThan(NAME_MAX_FONT_SIZE);
    expect(size).toBeGreaterThanOrEqual(NAME_MIN_FONT_SIZE);
    expect(holderNameFontSize(base.holderName)).toBe(NAME_MAX_FONT_SIZE);

    const items = await textItems(await renderCertificatePdf({ ...base, holderName: name }));
    const nameItems = items.filter((i) => name.includes(i.str) && i.str.length > 20);
    expect(nameItems).toHaveLength(1); // one line, one text run
    expect(nameItems[0].str).toBe(name);
    expect(nameItems[0].height).toBeCloseTo(size, 0);
  });

  it('fitFontSize: the size chosen keeps the text within the width', () => {
    const widthAt = (s: number) => s * 37.3; // any linear measure
    const size = fitFontSize(widthAt, NAME_MAX_WIDTH);
    expect(widthAt(size)).toBeLessThanOrEqual(NAME_MAX_WIDTH);
    expect(widthAt(size + 0.2)).toBeGreaterThan(NAME_MAX_WIDTH);
    expect(fitFontSize(() => 1e9, NAME_MAX_WIDTH)).toBe(NAME_MIN_FONT_SIZE);
  });

  it('R-CER-1: Greek and Vietnamese names extract exactly as locked', async () => {
    for (const holderName of ['Αικατερίνη Παπαδοπούλου', 'Nguyễn Thị Minh Khai', 'Trần Đức Lương', 'Zoë Ångström-Łukasiewicz']) {
      const t = await text(await renderCertificatePdf({ ...base, holderName }));
      expect(t.normalize('NFC')).toContain(holderName.normalize('NFC'));
    }
  });

  it('R-CER-1: a pure-Arabic name extracts as locked, words in order (mixed-script bidi is not handled)', async () => {
    const holderName = 'فاطمة الزهراء';
    const t = await text(await renderCertificatePdf({ ...base, holderName }));
    // Laid out as one fontkit run (joined letters, right to left). Without that, pdfkit's per-word
    // layout swapped the words and dropped the space ("الزهراءفاطمة").
    expect(t).toContain(holderName);
  });
});

describe('certificate QR code', () => {
  it('R-CER-3: the QR modules decode back to the verification URL', () => {
    expect(decodeModules(qrModules(base.verificationUrl))).toBe(base.verificationUrl);
  });

  it('R-CER-3: the QR squares drawn in the PDF are those modules and decode to the URL', async () => {
    const expected = qrModules(base.verificationUrl);
    const squares = squaresInPdf(await renderCertificatePdf(base));
    expect(squares.length).toBe(expected.flat().filter(Boolean).length);
    const size = squares[0].size;
    const x0 = Math.min(...squares.map((q) => q.x));
    const y0 = Math.min(...squares.map((q) => q.y));
    const drawn = expected.map((row) => row.map(() => false));
    for (const q of squares) drawn[Math.round((q.y - y0) / size)][Math.round((q.x - x0) / size)] = true;
    // The top-left finder pattern guarantees the first row and column hold a dark module.
    expect(drawn).toEqual(expected);
    expect(decodeModules(drawn)).toBe(base.verificationUrl);
  });
});

describe('certificate QR helper', () => {
  it('R-CER-3: a long verification URL still decodes', () => {
    const url = 'https://certificats.example.fr/verify/K7XQ-M3PA-W9RT-ZC4H?lang=fr&source=pdf';
    expect(decodeModules(qrModules(url))).toBe(url);
  });
});
