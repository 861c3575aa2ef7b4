import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';

/** Reading a rendered certificate back: its text (pdfjs-dist) and its vector QR code (jsqr). */

export interface TextItem {
  str: string;
  height: number;
}

/** The text items of the first page, as pdfjs-dist extracts them. */
export async function textItems(pdf: Buffer): Promise<TextItem[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  const page = await doc.getPage(1);
  const content = await page.getTextContent();
  const items = content.items
    .filter((i): i is typeof i & { str: string; height: number } => 'str' in i)
    .filter((i) => i.str.trim() !== '')
    .map((i) => ({ str: i.str, height: i.height }));
  await doc.destroy();
  return items;
}

export async function pdfText(pdf: Buffer): Promise<string> {
  return (await textItems(pdf)).map((i) => i.str).join('\n');
}

/** A module matrix drawn black on white with a quiet zone, decoded by jsqr. */
export function decodeModules(modules: boolean[][]): string | undefined {
  const scale = 4;
  const quiet = 4;
  const side = (modules.length + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  modules.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((quiet + r) * scale + dy) * side + (quiet + c) * scale + dx) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
    }),
  );
  return jsQR(rgba, side, side)?.data;
}

/** The square `re` operators of the page content streams (the QR modules; the frame is not square). */
export function squaresInPdf(pdf: Buffer): { x: number; y: number; size: number }[] {
  const raw = pdf.toString('latin1');
  const squares: { x: number; y: number; size: number }[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      continue; // not a Flate stream of ours (or a font program that does not inflate): skip
    }
    for (const r of content.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g)) {
      const [x, y, w, h] = r.slice(1, 5).map(Number);
      if (Math.abs(w - h) < 1e-3 && w < 20) squares.push({ x, y, size: w });
    }
  }
  return squares;
}

/** The QR module matrix as drawn in the PDF (rows top to bottom), from its squares. */
export function qrMatrixInPdf(pdf: Buffer, side: number): boolean[][] {
  const squares = squaresInPdf(pdf);
  const size = squares[0].size;
  const x0 = Math.min(...squares.map((q) => q.x));
  const y0 = Math.min(...squares.map((q) => q.y));
  const drawn = Array.from({ length: side }, () => Array.from({ length: side }, () => false));
  for (const q of squares) drawn[Math.round((q.y - y0) / size)][Math.round((q.x - x0) / size)] = true;
  return drawn;
}

/** The text the PDF's QR code encodes. The module count is derived from the drawn squares' extent. */
export function decodeQrInPdf(pdf: Buffer): string | undefined {
  const squares = squaresInPdf(pdf);
  const size = squares[0].size;
  const xs = squares.map((q) => q.x);
  const side = Math.round((Math.max(...xs) - Math.min(...xs)) / size) + 1;
  return decodeModules(qrMatrixInPdf(pdf, side));
}
