import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { type Options as CsvOptions } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import {
  FINANCE_ZONE,
  type FinancePeriod,
  type FinanceSql,
  num,
  paymentsExportSql,
  reconciliationSql,
  refundsExportSql,
  toPg,
} from './finance.service';

/**
 * Finance exports (issue 8, contract/HTTP.md "CSV conventions"): rows are read from one REPEATABLE READ
 * READ ONLY transaction through a server-side cursor, `BATCH_ROWS` at a time, and only when the
 * response has room for them (back-pressure): memory stays flat whatever the row count, and a client
 * that goes away closes the cursor and ends the transaction.
 */
export const REPORT_NAMES = ['payments', 'refunds', 'reconciliation'] as const;
export const REPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const BATCH_ROWS = 2000;

/** How a column is written: euros hold integer cents (CSV `60,00`, XLSX number 60.00). */
export type ColumnKind = 'text' | 'int' | 'euros' | 'instant' | 'day' | 'bool';
export interface ReportColumn {
  /** Stable English id (README). */
  id: string;
  /** French header label. */
  label: string;
  kind: ColumnKind;
  /** XLSX width in characters. */
  width: number;
}

type Row = Record<string, unknown>;

interface Mapper {
  row(db: Row): Row;
  totals(): Row;
}

export interface ReportDefinition {
  columns: ReportColumn[];
  sql(period: FinancePeriod): FinanceSql;
  mapper(): Mapper;
  /** The CSV also ends with the totals row (the XLSX always does). */
  csvTotals: boolean;
}

const col = (id: string, label: string, kind: ColumnKind, width: number): ReportColumn => ({ id, label, kind, width });

export const REPORTS: Record<ReportName, ReportDefinition> = {
  payments: {
    columns: [
      col('paid_at', 'Payé le', 'instant', 20),
      col('registration_id', 'Inscription', 'text', 38),
      col('learner_username', 'Identifiant apprenant', 'text', 22),
      col('locked_name', 'Nom certifié', 'text', 30),
      col('session_code', 'Code session', 'text', 14),
      col('amount_eur', 'Montant (€)', 'euros', 12),
      col('amount_cents', 'Montant (centimes)', 'int', 12),
      col('currency', 'Devise', 'text', 8),
      col('card_brand', 'Réseau carte', 'text', 12),
      col('e_carte_bleue', 'e-Carte Bleue', 'bool', 12),
      col('num_appel', 'NUMAPPEL', 'text', 14),
      col('num_trans', 'NUMTRANS', 'text', 14),
      col('authorization', 'Autorisation', 'text', 14),
      col('status', 'Statut', 'text', 10),
      col('refunded_eur', 'Remboursé (€)', 'euros', 12),
      col('refunded_cents', 'Remboursé (centimes)', 'int', 12),
    ],
    sql: paymentsExportSql,
    csvTotals: false,
    mapper() {
      let amount = 0;
      let refunded = 0;
      return {
        row(r) {
          const cents = num(r.amount_cents);
          const back = num(r.refunded_cents);
          amount += cents;
          refunded += back;
          return {
            paid_at: r.paid_at,
            registration_id: r.registration_id,
            learner_username: r.username,
            locked_name: [r.locked_given_name, r.locked_family_name].filter((x) => x).join(' '),
            session_code: r.course_code,
            amount_eur: cents,
            amount_cents: cents,
            currency: r.currency,
            card_brand: r.card_brand,
            e_carte_bleue: r.e_carte_bleue,
            num_appel: r.num_appel,
            num_trans: r.num_trans,
            authorization: r.authorization_number,
            status: r.status,
            refunded_eur: back,
            refunded_cents: back,
          };
        },
        totals: () => ({ paid_at: 'TOTAL', amount_eur: amount, amount_cents: amount, refunded_eur: refunded, refunded_cents: refunded }),
      };
    },
  },
  refunds: {
    columns: [
      col('requested_at', 'Demandé le', 'instant', 20),
      col('decided_at', 'Décidé le', 'instant', 20),
      col('completed_at', 'Exécuté ou réglé le', 'instant', 20),
      col('reason', 'Motif', 'text', 28),
      col('status', 'Statut', 'text', 18),
      col('amount_eur', 'Montant (€)', 'euros', 12),
      col('amount_cents', 'Montant (centimes)', 'int', 12),
      col('payment_num_trans', 'NUMTRANS paiement', 'text', 16),
      col('refund_reference', 'NUMTRANS remboursement ou référence manuelle', 'text', 24),
      col('settlement_method', 'Règlement manuel', 'text', 20),
      col('requested_by', 'Demandeur', 'text', 28),
      col('approved_by', 'Approbateur', 'text', 28),
      col('registration_id', 'Inscription', 'text', 38),
      col('refund_id', 'Demande de remboursement', 'text', 38),
    ],
    sql: refundsExportSql,
    csvTotals: false,
    mapper() {
      let amount = 0;
      return {
        row(r) {
          const cents = num(r.amount_cents);
          amount += cents;
          return {
            requested_at: r.requested_at,
            decided_at: r.decided_at,
            completed_at: r.completed_at,
            reason: r.reason,
            status: r.status,
            amount_eur: cents,
            amount_cents: cents,
            payment_num_trans: r.payment_num_trans,
            refund_reference: r.refund_reference,
            settlement_method: r.settlement_method,
            requested_by: r.requested_by,
            approved_by: r.decided_by,
            registration_id: r.registration_id,
            refund_id: r.id,
          };
        },
        totals: () => ({ requested_at: 'TOTAL', amount_eur: amount, amount_cents: amount }),
      };
    },
  },
  reconciliation: {
    columns: [
      col('day', 'Jour', 'day', 12),
      col('payments_count', 'Paiements (nombre)', 'int', 12),
      col('gross_eur', 'Encaissé (€)', 'euros', 14),
      col('gross_cents', 'Encaissé (centimes)', 'int', 14),
      col('refunds_count', 'Remboursements (nombre)', 'int', 12),
      col('refunded_eur', 'Remboursé (€)', 'euros', 14),
      col('refunded_cents', 'Remboursé (centimes)', 'int', 14),
      col('net_eur', 'Net (€)', 'euros', 14),
      col('net_cents', 'Net (centimes)', 'int', 14),
      col('balance_eur', 'Solde cumulé (€)', 'euros', 16),
      col('balance_cents', 'Solde cumulé (centimes)', 'int', 16),
    ],
    sql: reconciliationSql,
    csvTotals: true,
    mapper() {
      const t = { payments: 0, gross: 0, refunds: 0, refunded: 0 };
      const line = (day: unknown, payments: number, gross: number, refunds: number, refunded: number, balance: number): Row => ({
        day,
        payments_count: payments,
        gross_eur: gross,
        gross_cents: gross,
        refunds_count: refunds,
        refunded_eur: refunded,
        refunded_cents: refunded,
        net_eur: gross - refunded,
        net_cents: gross - refunded,
        balance_eur: balance,
        balance_cents: balance,
      });
      return {
        row(r) {
          const [payments, gross, refunds, refunded] = [num(r.payments_count), num(r.gross_cents), num(r.refunds_count), num(r.refunded_cents)];
          t.payments += payments;
          t.gross += gross;
          t.refunds += refunds;
          t.refunded += refunded;
          return line(r.day, payments, gross, refunds, refunded, t.gross - t.refunded);
        },
        totals: () => line('TOTAL', t.payments, t.gross, t.refunds, t.refunded, t.gross - t.refunded),
      };
    },
  },
};

/** `60,00`, `-12,50`: decimal comma, no thousands separator. */
export function eurosText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The Paris UTC offset (minutes) of an instant, memoised per UTC day, or per UTC hour on the two days
 * a year whose offset changes: Europe/Paris changes offset on whole UTC hours, at most once a day, and
 * luxon per row would cost more than the rest of the CSV row.
 */
const dayOffsets = new Map<number, number | null>();
const hourOffsets = new Map<number, number>();
const zoneOffset = (ms: number) => DateTime.fromMillis(ms, { zone: FINANCE_ZONE }).offset;
function parisOffset(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  const day = Math.floor(hour / 24);
  let offset = dayOffsets.get(day);
  if (offset === undefined) {
    if (dayOffsets.size > 50_000) dayOffsets.clear();
    const first = zoneOffset(day * 86_400_000);
    offset = first === zoneOffset((day * 24 + 23) * 3_600_000) ? first : null;
    dayOffsets.set(day, offset);
  }
  if (offset !== null) return offset;
  let inHour = hourOffsets.get(hour);
  if (inHour === undefined) {
    if (hourOffsets.size > 50_000) hourOffsets.clear();
    inHour = zoneOffset(hour * 3_600_000);
    hourOffsets.set(hour, inHour);
  }
  return inHour;
}

const two = (n: number) => String(n).padStart(2, '0');

/** An instant in Paris local time with its offset: `2026-11-26T10:00:00+01:00`. */
export function parisInstant(d: Date): string {
  const ms = d.getTime();
  const offset = parisOffset(ms);
  const abs = Math.abs(offset);
  return `${new Date(ms + offset * 60_000).toISOString().slice(0, 19)}${offset < 0 ? '-' : '+'}${two(Math.trunc(abs / 60))}:${two(abs % 60)}`;
}

/** XLSX dates carry no zone: a Date whose UTC fields are the Paris wall-clock time (seconds). */
function parisWallClock(d: Date): Date {
  const ms = Math.floor(d.getTime() / 1000) * 1000;
  return new Date(ms + parisOffset(ms) * 60_000);
}

export interface ExportFinish {
  rows: number;
  completed: boolean;
}

/**
 * One export: a pooled connection holding a REPEATABLE READ READ ONLY transaction and a cursor.
 * `close` is idempotent; it runs `onFinish` once (the audit event) after the transaction ended.
 */
export class ExportRun {
  rows = 0;
  private cursor: Cursor<Row> | null = null;
  private reading: Promise<unknown> | null = null;
  private closed: Promise<void> | null = null;
  private stopped = false;

  private constructor(
    private readonly client: pg.PoolClient,
    readonly report: ReportDefinition,
    private readonly onFinish: (f: ExportFinish) => Promise<void>,
  ) {}

  static async open(pool: pg.Pool, report: ReportDefinition, period: FinancePeriod, onFinish: (f: ExportFinish) => Promise<void>): Promise<ExportRun> {
    const client = await pool.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      // The whole result is read: plan for total time (hash joins), not for the first rows.
      await client.query('set local cursor_tuple_fraction = 1');
      const run = new ExportRun(client, report, onFinish);
      const { text, values } = toPg(report.sql(period));
      run.cursor = client.query(new Cursor<Row>(text, values));
      return run;
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
  }

  /**
   * Output rows in batches (data rows, then the totals row if `withTotals`). One batch is read ahead:
   * the database sends batch n + 1 while batch n is formatted and written, and no further batch is read
   * until the consumer asks for the next one (at most two batches in memory).
   */
  async *batches(withTotals: boolean): AsyncGenerator<Row[]> {
    const mapper = this.report.mapper();
    const read = () => {
      const reading = this.cursor!.read(BATCH_ROWS);
      reading.catch(() => undefined); // awaited below, or by `close`
      return (this.reading = reading);
    };
    // A read still in flight when the consumer stops stays in `this.reading`: `close` waits for it
    // before closing the cursor.
    let next = read();
    while (!this.stopped) {
      const batch = (await next) as Row[];
      this.reading = null;
      if (batch.length === 0) break;
      this.rows += batch.length;
      next = read();
      yield batch.map((r) => mapper.row(r));
    }
    if (this.stopped) return;
    if (withTotals) yield [mapper.totals()];
    // The stream ends only once the transaction is over and the audit event committed.
    await this.close(true);
  }

  close(completed: boolean): Promise<void> {
    this.stopped = true;
    this.closed ??= (async () => {
      let failed: Error | undefined;
      try {
        if (this.reading) await this.reading.catch(() => undefined);
        await this.cursor?.close();
        await this.client.query(completed ? 'commit' : 'rollback');
      } catch (err) {
        failed = err as Error;
      } finally {
        this.client.release(failed);
      }
      await this.onFinish({ rows: this.rows, completed: completed && !failed });
    })();
    return this.closed;
  }
}

/**
 * csv-stringify's options for these exports. The header row is written by csv-stringify itself; the
 * data rows by `csvLine`, which writes each field exactly as csv-stringify would with these options
 * (the tests compare both on every kind of value), without its per-field allocations.
 */
export function csvOptions(columns: readonly ReportColumn[]): CsvOptions {
  return {
    delimiter: ';',
    record_delimiter: '\r\n',
    columns: columns.map((c) => c.label),
    escape_formulas: true,
    // RFC 4180: a field holding a line break is quoted. csv-stringify quotes the whole record
    // delimiter (CRLF) only; a lone LF or CR (a refund reason typed on two lines) would otherwise
    // split the row in a spreadsheet.
    quoted_match: /[\r\n]/,
    cast: {
      // Euros stay numbers until here: a negative amount is not taken for a formula.
      number: (value, context) => (columns[context.index ?? -1]?.kind === 'euros' ? eurosText(value) : String(value)),
      bigint: (value) => String(value),
      boolean: (value) => (value ? 'oui' : 'non'),
      date: (value) => parisInstant(value),
    },
  };
}

/**
 * What makes csv-stringify quote a field with these options: the delimiter, the quote, or a line
 * break (`quoted_match`; csv-stringify alone quotes only the whole record delimiter).
 */
const NEEDS_QUOTES = /[;"\r\n]/;
const QUOTES = /"/g;

/** One field, as csv-stringify writes it with `csvOptions` (`escape_formulas`, quoting, casts). */
function csvField(v: unknown, kind: ColumnKind): string {
  let text: string;
  let numeric = false;
  switch (typeof v) {
    case 'string':
      text = v;
      break;
    case 'number':
      text = kind === 'euros' ? eurosText(v) : String(v);
      numeric = true;
      break;
    case 'bigint':
      text = String(v);
      numeric = true;
      break;
    case 'boolean':
      text = v ? 'oui' : 'non';
      break;
    case 'object':
      if (v === null) return '';
      text = v instanceof Date ? parisInstant(v) : JSON.stringify(v);
      break;
    case 'undefined':
      return '';
    default:
      throw new Error(`finance CSV: unexpected ${typeof v} value`);
  }
  if (!text) return '';
  const quote = NEEDS_QUOTES.test(text);
  switch (text[0]) {
    case '-':
      if (!numeric) text = `'${text}`;
      break;
    case '=':
    case '+':
    case '@':
    case '\t':
    case '\r':
    case '\uFF1D':
    case '\uFF0B':
    case '\uFF0D':
    case '\uFF20':
      text = `'${text}`;
      break;
  }
  return quote ? `"${text.replace(QUOTES, '""')}"` : text;
}

/** One data row, CRLF-terminated, as csv-stringify writes it with `csvOptions`. */
export function csvLine(columns: readonly ReportColumn[], row: Row): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) line += ';';
    line += csvField(row[columns[i].id], columns[i].kind);
  }
  return `${line}\r\n`;
}

/**
 * CSV: UTF-8 BOM, `;`, CRLF, decimal comma, `escape_formulas`, French header row. One string per cursor
 * batch, and the next batch is read only when the response has taken the previous one.
 */
export function csvStream(run: ExportRun): Readable {
  const columns = run.report.columns;
  const chunks = async function* (): AsyncGenerator<string> {
    yield stringifySync([], { ...csvOptions(columns), header: true, bom: true });
    for await (const batch of run.batches(run.report.csvTotals)) {
      let text = '';
      for (const r of batch) text += csvLine(columns, r);
      yield text;
    }
  };
  const out = Readable.from(chunks(), { objectMode: false });
  out.on('close', () => void run.close(false));
  return out;
}

const NUM_FMT: Partial<Record<ColumnKind, string>> = {
  int: '0',
  euros: '#,##0.00 "€"',
  instant: 'yyyy-mm-dd hh:mm:ss',
  day: 'yyyy-mm-dd',
};

function xlsxValue(kind: ColumnKind, v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && kind !== 'text' && kind !== 'day') return v;
  switch (kind) {
    case 'euros':
      return num(v) / 100;
    case 'int':
      return num(v);
    case 'instant':
      return v instanceof Date ? parisWallClock(v) : String(v);
    case 'day':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : String(v);
    case 'bool':
      return v ? 'oui' : 'non';
    default:
      return String(v);
  }
}

/**
 * XLSX through exceljs's streaming WorkbookWriter: number and date cells, frozen header row, widths,
 * a bold totals row. Rows are committed as they come; the pump waits for `drain` when the response
 * is full, so the zip never runs far ahead of the client.
 */
export function xlsxStream(run: ExportRun, sheetName: string): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const columns = run.report.columns;
  let gone = false;
  out.on('close', () => {
    gone = true;
    void run.close(false);
  });
  const pump = async () => {
    // exceljs (≈ 200 ms of module loading) is loaded by the first XLSX export, not at start-up.
    const { default: Excel } = await import('exceljs');
    const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({ header: c.label, key: c.id, width: c.width, style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {} }));
    sheet.getRow(1).font = { bold: true };
    let last: Row | null = null;
    for await (const batch of run.batches(true)) {
      if (gone) return;
      for (const r of batch) {
        if (last) sheet.addRow(columns.map((c) => xlsxValue(c.kind, last![c.id]))).commit();
        last = r;
      }
      if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
    if (gone) return;
    if (last) {
      const totals = sheet.addRow(columns.map((c) => xlsxValue(c.kind, last![c.id])));
      totals.font = { bold: true };
      totals.commit();
    }
    sheet.commit();
    await workbook.commit();
  };
  pump().catch((err: unknown) => {
    out.destroy(err as Error);
    void run.close(false);
  });
  return out;
}
