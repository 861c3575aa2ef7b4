import QRCode from 'qrcode';

/** Error correction of the certificate QR code: M (15 %) survives a crease or a smudge on a print. */
export const QR_ERROR_CORRECTION = 'M' as const;

/**
 * The module matrix of the QR code of `text`, row by row (`true` = dark module), exactly as the
 * `qrcode` package encodes it. The renderer draws these as vector squares: no PNG, no raster.
 */
export function qrModules(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  const rows: boolean[][] = [];
  for (let r = 0; r < modules.size; r++) {
    const row: boolean[] = [];
    for (let c = 0; c < modules.size; c++) row.push(Boolean(modules.get(r, c)));
    rows.push(row);
  }
  return rows;
}
