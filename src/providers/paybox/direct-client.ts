import { DateTime } from 'luxon';

/**
 * Paybox Direct (PPPS) client: one form-encoded POST per operation, answered with `key=value&...`.
 * Used for refunds (TYPE=00014) and for consulting a refund by its NUMQUESTION (TYPE=00017) when the
 * outcome of a call is unknown (crash recovery, R-REF-7).
 *
 * Hosts: the main URL, then the backup URL(s), tried in order only when the attempt certainly did
 * not reach Paybox's processing: CODEREPONSE 00001 (connection failed), 00097 (timeout of Paybox's
 * own connection), 00098 (internal connection error), or a connection error before anything was
 * sent. A timeout after the request was sent is NOT retried on another host (Paybox may have refunded):
 * it raises `PayboxUnknownOutcomeError`, the refund stays PROCESSING and is resolved by consultation.
 */

export const PAYBOX_VERSION = '00104';
export const TYPE_REFUND = '00014';
export const TYPE_INQUIRY = '00017';
export const CURRENCY_EUR = '978';
/** "Activité": 024 = request issued by a server, without the cardholder. */
export const ACTIVITY_SERVER = '024';

/** Answer codes after which another host may be tried: the operation was not processed. */
export const BACKUP_CODES = new Set(['00001', '00097', '00098']);

export interface PayboxAnswer {
  codeReponse: string;
  numTrans?: string;
  numAppel?: string;
  commentaire?: string;
  /** Every field as received. */
  fields: Record<string, string>;
  /** The host that answered. */
  host: string;
}

export interface PayboxRefundCall {
  /** Unique request number (NUMQUESTION), saved before the call. */
  numQuestion: string;
  amountCents: number;
  /** Our reference (REFERENCE), e.g. the refund request id. */
  reference: string;
  /** NUMAPPEL and NUMTRANS of the original payment. */
  numAppel: string;
  numTrans: string;
  /** DATEQ. */
  at: Date;
}

export interface PayboxInquiryCall {
  /** NUMQUESTION of the refund whose outcome is asked. */
  numQuestion: string;
  reference: string;
  numAppel: string;
  numTrans: string;
  at: Date;
}

/** What refunds need of Paybox; the live client and tests' fakes implement it. */
export interface PayboxDirect {
  refund(call: PayboxRefundCall): Promise<PayboxAnswer>;
  /** Asks whether the refund sent with this NUMQUESTION was made (CODEREPONSE 00000 + NUMTRANS: yes). */
  inquire(call: PayboxInquiryCall): Promise<PayboxAnswer>;
}

/** No host gave an answer; whether Paybox processed the request is unknown. */
export class PayboxUnknownOutcomeError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PayboxUnknownOutcomeError';
  }
}

export interface PayboxDirectOptions {
  /** Main host first, then backups (e.g. https://ppps.paybox.com/PPPS.php, https://ppps1.paybox.com/PPPS.php). */
  urls: string[];
  site: string;
  rang: string;
  /** CLE: the Paybox Direct back-office password. */
  key: string;
  /** Per attempt. Default 20 s. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** Parses `CODEREPONSE=00000&NUMTRANS=...`; values are form-encoded (latin-1 in real Paybox answers: kept as received). */
export function parsePayboxAnswer(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.trim().split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    let value: string;
    try {
      value = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      value = raw;
    }
    out[k.trim().toUpperCase()] = value;
  }
  return out;
}

/** DATEQ: ddMMyyyyHHmmss, Paris time (Paybox's zone). */
export function payboxDate(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'Europe/Paris' }).toFormat('ddMMyyyyHHmmss');
}

export class PayboxDirectClient implements PayboxDirect {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: PayboxDirectOptions) {
    if (opts.urls.length === 0) throw new Error('Paybox Direct needs at least one URL');
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  refund(call: PayboxRefundCall): Promise<PayboxAnswer> {
    if (!Number.isInteger(call.amountCents) || call.amountCents <= 0) throw new Error('Refund amount must be a positive number of cents');
    return this.send(TYPE_REFUND, call.numQuestion, {
      MONTANT: String(call.amountCents).padStart(10, '0'),
      DEVISE: CURRENCY_EUR,
      REFERENCE: call.reference,
      NUMAPPEL: call.numAppel,
      NUMTRANS: call.numTrans,
      DATEQ: payboxDate(call.at),
      ACTIVITE: ACTIVITY_SERVER,
    });
  }

  inquire(call: PayboxInquiryCall): Promise<PayboxAnswer> {
    return this.send(TYPE_INQUIRY, call.numQuestion, {
      REFERENCE: call.reference,
      NUMAPPEL: call.numAppel,
      NUMTRANS: call.numTrans,
      DATEQ: payboxDate(call.at),
      ACTIVITE: ACTIVITY_SERVER,
    });
  }

  private async send(type: string, numQuestion: string, fields: Record<string, string>): Promise<PayboxAnswer> {
    if (!/^\d{1,10}$/.test(numQuestion)) throw new Error('NUMQUESTION must be 1 to 10 digits');
    const body = new URLSearchParams({
      VERSION: PAYBOX_VERSION,
      TYPE: type,
      SITE: this.opts.site,
      RANG: this.opts.rang,
      CLE: this.opts.key,
      NUMQUESTION: numQuestion.padStart(10, '0'),
      ...fields,
    }).toString();
    let last: PayboxAnswer | undefined;
    let lastError: unknown;
    for (const url of this.opts.urls) {
      const host = new URL(url).host;
      let sent = false;
      try {
        const res = await this.fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        sent = true;
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const parsed = parsePayboxAnswer(await res.text());
        const answer: PayboxAnswer = {
          codeReponse: parsed.CODEREPONSE ?? '',
          numTrans: parsed.NUMTRANS || undefined,
          numAppel: parsed.NUMAPPEL || undefined,
          commentaire: parsed.COMMENTAIRE || undefined,
          fields: parsed,
          host,
        };
        if (!/^\d{5}$/.test(answer.codeReponse)) throw new Error('answer without CODEREPONSE');
        if (!BACKUP_CODES.has(answer.codeReponse)) return answer;
        last = answer; // not processed there: try the next host
      } catch (err) {
        lastError = err;
        // Sent (a timeout while waiting, a bad answer): Paybox may have processed it. Never resend elsewhere.
        if (sent || isTimeout(err) || !isConnectError(err)) {
          throw new PayboxUnknownOutcomeError(`Paybox ${host} gave no usable answer: ${describe(err)}`, err);
        }
      }
    }
    if (last) return last;
    throw new PayboxUnknownOutcomeError(`No Paybox host could be reached: ${describe(lastError)}`, lastError);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** A failure to open the connection (nothing was sent): safe to try the backup host. */
function isConnectError(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (err as { code?: string })?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
}
