import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ProctorUReservation } from './client';
import { type ProctorUEvent, SIGNATURE_HEADER, signEvent } from './webhook';
import { windowsZoneNames } from './zones';

export interface SimulatorCall {
  method: string;
  body: Record<string, unknown>;
  responseCode: number | null;
  httpStatus: number;
}

const REQUIRED_ADD = ['student_id', 'first_name', 'last_name', 'email', 'time_zone_id', 'description', 'duration', 'start_date', 'reservation_id'];

/**
 * An in-process ProctorU (PROCTORU_MODE=simulator, the default) on a free loopback port, speaking the
 * protocol the client speaks: `POST /{method}/`, `Authorization-Token`, `time_sent`, answers
 * `{ response_code, message, data }`. Reservations live in memory. Test hooks: be down (HTTP 503)
 * until told otherwise, fail the next call(s), lose the next answer, and emit signed events.
 */
export class ProctorUSimulator {
  private server: Server | undefined;
  private nextNo = 7_000_001;
  private failQueue: number[] = [];
  private dropNext = 0;
  /** While true, every call answers HTTP 503 (ProctorU is down). */
  down = false;
  readonly calls: SimulatorCall[] = [];
  /** Live reservations by reservation_no. */
  readonly reservations = new Map<string, ProctorUReservation & { first_name: string; last_name: string; time_zone_id: string }>();
  /** Reservation numbers removed, in order. */
  readonly removed: string[] = [];
  /** Media served at `GET /recordings/<n>` (what a `recording.available` event points to). */
  private readonly recordings = new Map<string, { body: Buffer; contentType: string }>();
  url = '';

  constructor(
    readonly token: string,
    private readonly webhookSecret: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next call(s) answer this HTTP status (5xx: ProctorU failing) without doing anything. */
  failNext(httpStatus = 503, times = 1): void {
    for (let i = 0; i < times; i++) this.failQueue.push(httpStatus);
  }

  /** The next reservation is made, but its answer is lost (the connection is destroyed). */
  dropNextAnswer(): void {
    this.dropNext++;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Live reservations for one of our appointments (reservation_id). */
  reservationsFor(appointmentId: string) {
    return [...this.reservations.values()].filter((r) => r.reservation_id === appointmentId);
  }

  reset(): void {
    this.calls.length = 0;
    this.failQueue = [];
    this.dropNext = 0;
    this.down = false;
  }

  /** Publishes a recording (video or photo) and answers its download URL. */
  publishRecording(body: Buffer, contentType: string): string {
    const n = String(this.recordings.size + 1);
    this.recordings.set(n, { body, contentType });
    return `${this.url}/recordings/${n}`;
  }

  /** POSTs a signed event to our endpoint, as ProctorU does (`timestampSeconds` defaults to now). */
  sendEvent(endpoint: string, event: ProctorUEvent, opts: { bearer?: string; timestampSeconds?: number; secret?: string } = {}): Promise<Response> {
    const raw = JSON.stringify(event);
    const t = opts.timestampSeconds ?? Math.floor(Date.now() / 1000);
    return fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signEvent(opts.secret ?? this.webhookSecret, raw, t),
        ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}),
      },
      body: raw,
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? '').replace(/^\/+|\/+$/g, '');
    const recording = req.method === 'GET' && /^recordings\/\d+$/.test(method) ? this.recordings.get(method.split('/')[1]) : undefined;
    if (recording) {
      res.writeHead(200, { 'content-type': recording.contentType, 'content-length': recording.body.length }).end(recording.body);
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return this.reply(res, method, body, 400, null);
    }
    const failed = this.failQueue.shift();
    if (this.down || failed) return this.reply(res, method, body, failed ?? 503, null);
    if (req.method !== 'POST') return this.reply(res, method, body, 405, null);
    if (req.headers['authorization-token'] !== this.token) return this.reply(res, method, body, 200, { response_code: 4, message: 'Invalid Authorization-Token' });
    if (typeof body.time_sent !== 'string' || Number.isNaN(Date.parse(body.time_sent))) {
      return this.reply(res, method, body, 200, { response_code: 2, message: 'time_sent is required' });
    }
    const answer = this.answer(method, body);
    if (!answer) return this.reply(res, method, body, 404, null);
    if (method === 'addAdHocProcess' && answer.response_code === 1 && this.dropNext > 0) {
      this.dropNext--;
      this.calls.push({ method, body, responseCode: 1, httpStatus: 0 });
      res.destroy();
      return;
    }
    this.reply(res, method, body, 200, answer);
  }

  private answer(method: string, b: Record<string, unknown>): { response_code: number; message: string; data?: unknown } | null {
    switch (method) {
      case 'getTimeZoneList':
        return { response_code: 1, message: 'OK', data: windowsZoneNames().map((id) => ({ id, name: id })) };
      case 'addAdHocProcess': {
        const missing = REQUIRED_ADD.filter((k) => b[k] === undefined || b[k] === null || b[k] === '');
        if (missing.length) return { response_code: 2, message: `Missing parameter(s): ${missing.join(', ')}` };
        if (!windowsZoneNames().includes(String(b.time_zone_id))) return { response_code: 2, message: `Unknown time_zone_id ${String(b.time_zone_id)}` };
        const r = {
          reservation_no: String(this.nextNo++),
          reservation_id: String(b.reservation_id),
          student_id: String(b.student_id),
          start_date: String(b.start_date),
          duration: Number(b.duration),
          description: String(b.description),
          first_name: String(b.first_name),
          last_name: String(b.last_name),
          time_zone_id: String(b.time_zone_id),
        };
        this.reservations.set(r.reservation_no, r);
        return { response_code: 1, message: 'Reservation created', data: { reservation_no: r.reservation_no } };
      }
      case 'removeReservation': {
        const no = String(b.reservation_no ?? '');
        if (!this.reservations.delete(no)) return { response_code: 3, message: `No reservation ${no}` };
        this.removed.push(no);
        return { response_code: 1, message: 'Reservation removed' };
      }
      case 'getStudentReservationList':
        if (!b.student_id) return { response_code: 2, message: 'student_id is required' };
        return { response_code: 1, message: 'OK', data: [...this.reservations.values()].filter((r) => r.student_id === String(b.student_id)) };
      case 'beginReservation': {
        const r = this.reservations.get(String(b.reservation_no ?? ''));
        if (!r) return { response_code: 3, message: 'No such reservation' };
        return { response_code: 1, message: 'OK', data: { url: `${this.url}/session/${r.reservation_no}` } };
      }
      default:
        return null;
    }
  }

  private reply(res: ServerResponse, method: string, body: Record<string, unknown>, status: number, answer: { response_code: number; message?: string; data?: unknown } | null): void {
    this.calls.push({ method, body, responseCode: answer?.response_code ?? null, httpStatus: status });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer ?? { error: `HTTP ${status}` }));
  }
}
