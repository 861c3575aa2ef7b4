import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type ColumnKind, csvLine, csvOptions, parisInstant, REPORTS, type ReportColumn } from '../../src/services/finance-export';

/**
 * The finance CSV's data rows are written by `csvLine`, not csv-stringify: every kind of value must
 * come out byte for byte as csv-stringify writes it with the same options (contract/HTTP.md "CSV
 * conventions": `;`, CRLF, decimal comma, formula-injection escaping).
 */
const KINDS: ColumnKind[] = ['text', 'int', 'euros', 'instant', 'day', 'bool'];
const columns: ReportColumn[] = KINDS.map((kind, i) => ({ id: `c${i}`, label: `Colonne ${i}`, kind, width: 10 }));

const starts = ['', '-', '=', '+', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', "'", ' ', 'a', '1'];
const middles = ['', ';', '"', '""', '\r\n', '\n', '\r', ',', 'é€', 'x;y"z'];
const strings = starts.flatMap((s) => middles.flatMap((m) => [s + m, `${s}abc${m}`, `${s}${m}end`]));
const values: unknown[] = [
  ...strings,
  null,
  undefined,
  0,
  6000,
  -6000,
  -1,
  5,
  -5,
  1234567,
  0.5,
  10n,
  -10n,
  true,
  false,
  new Date('2017-03-26T00:59:59.000Z'), // the last second of winter time in Paris
  new Date('2017-03-26T01:00:00.000Z'),
  new Date('2017-10-29T00:59:59.999Z'),
  new Date('2017-10-29T01:00:00.000Z'),
  new Date('2026-11-26T09:00:00.000Z'),
  { a: 1 },
];

const reference = (cols: readonly ReportColumn[], rows: Record<string, unknown>[]) =>
  stringify(
    rows.map((r) => cols.map((c) => r[c.id] ?? null)),
    csvOptions(cols),
  );

describe('finance CSV rows (contract/HTTP.md CSV conventions)', () => {
  it('every value in every column kind is written as csv-stringify writes it', () => {
    const rows = values.flatMap((v) => [Object.fromEntries(columns.map((c) => [c.id, v]))]);
    expect(rows.map((r) => csvLine(columns, r)).join('')).toBe(reference(columns, rows));
  });

  it('a field holding any line break (CRLF, lone LF, lone CR) is quoted, so it stays one row', () => {
    const [text] = columns;
    expect(csvLine([text], { c0: 'motif\nsur deux lignes' })).toBe('"motif\nsur deux lignes"\r\n');
    expect(csvLine([text], { c0: 'a\rb' })).toBe('"a\rb"\r\n');
    expect(csvLine([text], { c0: 'a\r\nb' })).toBe('"a\r\nb"\r\n');
    expect(csvLine([text], { c0: 'a;b' })).toBe('"a;b"\r\n');
    expect(csvLine([text], { c0: 'plain' })).toBe('plain\r\n');
  });

  it('mixed rows of the real reports, totals rows included', () => {
    for (const report of Object.values(REPORTS)) {
      const cols = report.columns;
      const rows = values.map((_, i) => Object.fromEntries(cols.map((c, j) => [c.id, values[(i + j * 7) % values.length]])));
      rows.push({ [cols[0].id]: 'TOTAL', [cols[cols.length - 1].id]: -250 });
      expect(rows.map((r) => csvLine(cols, r)).join('')).toBe(reference(cols, rows));
    }
  });

  it('formula-looking text is escaped, negative amounts are not', () => {
    const cols: ReportColumn[] = [
      { id: 'name', label: 'Nom', kind: 'text', width: 10 },
      { id: 'eur', label: 'Montant (€)', kind: 'euros', width: 10 },
    ];
    expect(csvLine(cols, { name: '=HYPERLINK("x")', eur: -1250 })).toBe(`"'=HYPERLINK(""x"")";-12,50\r\n`);
    expect(csvLine(cols, { name: '-2+3', eur: 6000 })).toBe(`'-2+3;60,00\r\n`);
  });

  it('instants in Europe/Paris local time with their offset, every 37 minutes over two years and around each change', () => {
    const instants: number[] = [];
    for (let ms = Date.parse('2016-12-31T00:00:00Z'); ms < Date.parse('2019-01-01T00:00:00Z'); ms += 37 * 60_000 + 1_001) instants.push(ms);
    for (const change of ['2017-03-26T01:00:00Z', '2017-10-29T01:00:00Z', '2018-03-25T01:00:00Z', '2018-10-28T01:00:00Z']) {
      for (const delta of [-3_600_001, -1_000, -1, 0, 1, 999, 1_000, 3_600_000]) instants.push(Date.parse(change) + delta);
    }
    for (const ms of instants) {
      expect(parisInstant(new Date(ms)), new Date(ms).toISOString()).toBe(DateTime.fromMillis(ms, { zone: 'Europe/Paris' }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"));
    }
  });
});
