import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { frenchIssueDate } from './french-date';
import { qrModules } from './qr';

export { frenchIssueDate };

/** What a certificate shows. The holder name is the registration's locked name, printed as is. */
export interface CertificatePdfData {
  holderName: string;
  courseTitle: string;
  courseCode: string;
  university: string;
  sessionLabel: string;
  issuedAt: Date;
  verificationCode: string;
  verificationUrl: string;
}

/** A4 landscape, in PDF points. */
export const PAGE_WIDTH = 841.89;
export const PAGE_HEIGHT = 595.28;
const MARGIN = 48;
/** Width available for the holder name: the page minus the margins and some breathing room. */
export const NAME_MAX_WIDTH = PAGE_WIDTH - 2 * MARGIN - 60;
export const NAME_MAX_FONT_SIZE = 34;
export const NAME_MIN_FONT_SIZE = 6;

const PRODUCER = 'certification-back-office';
const REGULAR = 'DejaVuSans';
const BOLD = 'DejaVuSans-Bold';

let fonts: { regular: Buffer; bold: Buffer } | undefined;
/**
 * DejaVu Sans (npm `dejavu-fonts-ttf`): Latin with every accent, Greek, Cyrillic, Vietnamese, Arabic
 * glyphs. Arabic caveat: fontkit (inside pdfkit) applies the font's joining forms (init/medi/fina) and
 * lays a string whose script is Arabic right to left, so a pure-Arabic name comes out joined and in the
 * right order (see WHOLE_RUN), but there is no Unicode bidi algorithm and no mark positioning beyond
 * what fontkit does: a name mixing Arabic with Latin letters or digits is not reordered. Latin, Greek
 * and Vietnamese render and extract exactly.
 */
function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

/**
 * The font size at which `text` fits on one line of `maxWidth` points: the largest size up to `maxSize`
 * (never below `minSize`). `widthAt(size)` measures the text at a size (`doc.widthOfString`); widths
 * are linear in the size, so one measurement is enough, the loop only guards against rounding.
 */
export function fitFontSize(
  widthAt: (size: number) => number,
  maxWidth: number,
  maxSize = NAME_MAX_FONT_SIZE,
  minSize = NAME_MIN_FONT_SIZE,
): number {
  const full = widthAt(maxSize);
  if (full <= maxWidth) return maxSize;
  let size = Math.floor(((maxSize * maxWidth) / full) * 10) / 10;
  while (size > minSize && widthAt(size) > maxWidth) size = Math.round((size - 0.1) * 10) / 10;
  return Math.max(size, minSize);
}

/** The size the renderer gives the holder name (exported so tests and issuance can check it). */
export function holderNameFontSize(holderName: string): number {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', autoFirstPage: false });
  doc.registerFont(BOLD, loadFonts().bold);
  doc.font(BOLD);
  return fitFontSize((size) => doc.fontSize(size).widthOfString(holderName, WHOLE_RUN), NAME_MAX_WIDTH);
}

/**
 * Passing OpenType features makes pdfkit lay out the whole string as one fontkit run instead of word by
 * word (its cache), so a pure right-to-left run (an Arabic name) keeps its word order and spaces.
 */
const WHOLE_RUN = { features: ['kern', 'liga'] as PDFKit.Mixins.OpenTypeFeatures[] };

function centered(doc: PDFKit.PDFDocument, text: string, y: number, font: string, size: number): void {
  doc.font(font).fontSize(size);
  const width = doc.widthOfString(text, WHOLE_RUN);
  doc.text(text, (PAGE_WIDTH - width) / 2, y, { ...WHOLE_RUN, lineBreak: false });
}

/**
 * Renders a certificate to PDF bytes. Pure: the same data gives the same bytes (document info and
 * dates come from the data, pdfkit derives the file ID from them and names font subsets from
 * the font order), so issuance can store the result once and record its SHA-256.
 */
export function renderCertificatePdf(data: CertificatePdfData): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    lang: 'fr-FR',
    info: {
      Title: `Certificat — ${data.courseTitle} — ${data.holderName}`,
      Author: data.university,
      Subject: `Certificat ${data.verificationCode}`,
      Creator: PRODUCER,
      Producer: PRODUCER,
      CreationDate: data.issuedAt,
      ModDate: data.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(REGULAR, regular);
  doc.registerFont(BOLD, bold);

  // Frame.
  doc.lineWidth(3).strokeColor('#1f3a68').rect(MARGIN / 2, MARGIN / 2, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN).stroke();
  doc.lineWidth(0.8).rect(MARGIN / 2 + 8, MARGIN / 2 + 8, PAGE_WIDTH - MARGIN - 16, PAGE_HEIGHT - MARGIN - 16).stroke();

  doc.fillColor('#1f3a68');
  centered(doc, data.university, 62, BOLD, 16);
  centered(doc, 'CERTIFICAT DE RÉUSSITE', 110, BOLD, 30);
  doc.fillColor('#222222');
  centered(doc, 'Ce certificat atteste que', 170, REGULAR, 14);

  const nameSize = holderNameFontSize(data.holderName);
  doc.fillColor('#000000');
  centered(doc, data.holderName, 200 + (NAME_MAX_FONT_SIZE - nameSize) / 2, BOLD, nameSize);

  doc.fillColor('#222222');
  centered(doc, 'a réussi l’examen surveillé de certification de la formation', 260, REGULAR, 14);
  const titleSize = fitFontSize((s) => doc.font(BOLD).fontSize(s).widthOfString(data.courseTitle, WHOLE_RUN), NAME_MAX_WIDTH, 20, 6);
  centered(doc, data.courseTitle, 288, BOLD, titleSize);
  centered(doc, `${data.courseCode} — ${data.sessionLabel}`, 320, REGULAR, 12);
  centered(doc, `Délivré le ${frenchIssueDate(data.issuedAt)}`, 352, REGULAR, 14);

  // Verification: code and URL on the left, QR code of the URL on the right.
  const qr = qrModules(data.verificationUrl);
  const qrSize = 110;
  const moduleSize = qrSize / qr.length;
  const qrX = PAGE_WIDTH - MARGIN - 20 - qrSize;
  const qrY = PAGE_HEIGHT - MARGIN - 20 - qrSize;
  qr.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (dark) doc.rect(qrX + c * moduleSize, qrY + r * moduleSize, moduleSize, moduleSize);
    }),
  );
  doc.fillColor('#000000').fill();

  const left = MARGIN + 20;
  doc.fillColor('#222222').font(REGULAR).fontSize(10);
  doc.text('Code de vérification', left, qrY + 30, { lineBreak: false });
  doc.font(BOLD).fontSize(16).text(data.verificationCode, left, qrY + 46, { lineBreak: false });
  const urlSize = fitFontSize((s) => doc.font(REGULAR).fontSize(s).widthOfString(data.verificationUrl), qrX - left - 20, 10, 5);
  doc.font(REGULAR).fontSize(urlSize).text(data.verificationUrl, left, qrY + 72, { lineBreak: false });

  doc.end();
  return done;
}
