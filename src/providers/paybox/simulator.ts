import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parsePayboxAnswer, TYPE_INQUIRY, TYPE_REFUND } from './direct-client';

/**
 * An in-process Paybox Direct (PPPS) server on a free loopback port (PAYBOX_MODE=simulator,
 * contract/HTTP.md "Paybox simulator"). It speaks the protocol the live client speaks:
 * - TYPE=00014 (refund): CODEREPONSE=00000 and a fresh NUMTRANS, except when the original payment's
 *   NUMTRANS starts with 9999: CODEREPONSE=00001 (service unavailable). The same NUMQUESTION twice
 *   gets the first answer again and refunds nothing more.
 * - TYPE=00017 (consultation) by NUMQUESTION: 00000 with the refund's NUMTRANS when that refund was
 *   made, else CODEREPONSE=00003 with COMMENTAIRE "not found".
 * Test hooks: counts, fail the next call(s) with a code, delay answers, drop the answer of the next
 * refund after making it (the network fails on the way back).
 */

export interface SimulatedRefund {
  numQuestion: string;
  numTrans: string;
  originalNumTrans: string;
  amountCents: number;
  reference: string;
}

export interface SimulatorCall {
  type: string;
  fields: Record<string, string>;
  answer: string;
}

export class PayboxSimulator {
  private server: Server | undefined;
  private nextTrans = 80_000_001;
  private failQueue: string[] = [];
  private dropNext = 0;
  /** Milliseconds to wait before answering (tests of concurrency and timeouts). */
  delayMs = 0;
  /** Every request received, in order. */
  readonly calls: SimulatorCall[] = [];
  /** Refunds made (money moved), by NUMQUESTION. */
  readonly refunds = new Map<string, SimulatedRefund>();
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/PPPS.php`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Calls of a type (00014 refund, 00017 consultation). */
  count(type: string = TYPE_REFUND): number {
    return this.calls.filter((c) => c.type === type).length;
  }

  /** The next call answers this code without doing anything (default 00001). */
  failNext(code = '00001', times = 1): void {
    for (let i = 0; i < times; i++) this.failQueue.push(code);
  }

  /** The next refund is made, but its answer is lost (the connection is destroyed). */
  dropNextAnswer(): void {
    this.dropNext++;
  }

  reset(): void {
    this.calls.length = 0;
    this.refunds.clear();
    this.failQueue = [];
    this.dropNext = 0;
    this.delayMs = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const fields = parsePayboxAnswer(Buffer.concat(chunks).toString('utf8'));
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const type = fields.TYPE ?? '';
    let answer: Record<string, string>;
    let drop = false;
    const failed = this.failQueue.shift();
    if (req.method !== 'POST') answer = { CODEREPONSE: '00099', COMMENTAIRE: 'POST only' };
    else if (failed) answer = { CODEREPONSE: failed, COMMENTAIRE: 'Simulated failure' };
    else if (!fields.SITE || !fields.RANG || !fields.CLE || !/^\d{10}$/.test(fields.NUMQUESTION ?? '')) answer = { CODEREPONSE: '00006', COMMENTAIRE: 'Access refused or bad NUMQUESTION' };
    else if (type === TYPE_REFUND) {
      ({ answer, drop } = this.refund(fields));
    } else if (type === TYPE_INQUIRY) {
      const r = this.refunds.get(fields.NUMQUESTION);
      answer = r
        ? { CODEREPONSE: '00000', NUMTRANS: r.numTrans, NUMAPPEL: fields.NUMAPPEL ?? '', STATUS: 'Remboursé', COMMENTAIRE: 'Found' }
        : { CODEREPONSE: '00003', COMMENTAIRE: 'Transaction not found' };
    } else answer = { CODEREPONSE: '00099', COMMENTAIRE: `TYPE ${type} not simulated` };
    const body = new URLSearchParams({ NUMQUESTION: fields.NUMQUESTION ?? '', ...answer }).toString();
    this.calls.push({ type, fields, answer: body });
    if (drop) {
      res.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  }

  private refund(fields: Record<string, string>): { answer: Record<string, string>; drop: boolean } {
    const numQuestion = fields.NUMQUESTION;
    const existing = this.refunds.get(numQuestion);
    if (existing) return { answer: { CODEREPONSE: '00000', NUMTRANS: existing.numTrans, NUMAPPEL: fields.NUMAPPEL ?? '' }, drop: false };
    if ((fields.NUMTRANS ?? '').startsWith('9999')) return { answer: { CODEREPONSE: '00001', COMMENTAIRE: 'Service unavailable (simulated: NUMTRANS 9999...)' }, drop: false };
    const amount = Number(fields.MONTANT);
    if (!Number.isInteger(amount) || amount <= 0 || fields.DEVISE !== '978') return { answer: { CODEREPONSE: '00011', COMMENTAIRE: 'Incorrect amount or currency' }, drop: false };
    const refund: SimulatedRefund = {
      numQuestion,
      numTrans: String(this.nextTrans++).padStart(10, '0'),
      originalNumTrans: fields.NUMTRANS ?? '',
      amountCents: amount,
      reference: fields.REFERENCE ?? '',
    };
    this.refunds.set(numQuestion, refund);
    const drop = this.dropNext > 0;
    if (drop) this.dropNext--;
    return { answer: { CODEREPONSE: '00000', NUMTRANS: refund.numTrans, NUMAPPEL: fields.NUMAPPEL ?? '', COMMENTAIRE: 'Demande traitée avec succès' }, drop };
  }
}
