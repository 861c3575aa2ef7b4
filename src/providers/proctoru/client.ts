/**
 * The ProctorU REST API as public integrations use it: `POST {PROCTORU_URL}/{method}/` with a JSON
 * body that always carries `time_sent`, the `Authorization-Token` header, and an answer
 * `{ response_code, message, data }` where 1 is success.
 *
 * Retries: network errors and HTTP 5xx only, with exponential back-off. A 4xx or a documented error
 * answer (response_code ≠ 1) is final and thrown at once as a ProctorUError naming the code.
 * `addAdHocProcess` is not idempotent at ProctorU: it is retried only when the request surely did
 * not reach ProctorU (connection refused) or ProctorU answered 5xx; after a timeout or a lost answer
 * the caller (the outbox) looks the reservation up before adding it again.
 */

/** Documented answers other than success (ProctorU API conventions as we rely on them). */
export const RESPONSE_CODES: Record<number, string> = {
  1: 'success',
  2: 'invalid or missing parameter',
  3: 'record not found',
  4: 'authorization token refused',
  5: 'time_sent too far from ProctorU time',
  6: 'the reservation can no longer be changed',
};

export interface ProctorUTimeZone {
  id: string;
  name: string;
}

export interface ProctorUReservation {
  reservation_no: string;
  reservation_id: string;
  student_id: string;
  start_date: string;
  duration: number;
  description: string;
}

export interface AddAdHocProcessParams {
  student_id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone1: string;
  address1: string;
  city: string;
  country: string;
  time_zone_id: string;
  description: string;
  duration: number;
  start_date: string;
  reservation_id: string;
  notify: boolean;
  exam_url?: string;
  exam_password?: string;
}

export type ProctorUErrorKind = 'network' | 'timeout' | 'http' | 'answer';

export class ProctorUError extends Error {
  constructor(
    readonly kind: ProctorUErrorKind,
    message: string,
    readonly details: { status?: number; responseCode?: number; method: string },
  ) {
    super(message);
    this.name = 'ProctorUError';
  }

  /** Worth another try later: the network, a timeout, ProctorU's 5xx. */
  get transient(): boolean {
    return this.kind !== 'answer' && !(this.kind === 'http' && (this.details.status ?? 500) < 500);
  }
}

export interface ProctorUClientOptions {
  url: string;
  token: string;
  timeoutMs?: number;
  /** Extra tries after the first (network errors and 5xx only). */
  retries?: number;
  /** First back-off delay; doubled at each retry. */
  backoffMs?: number;
  now?: () => Date;
}

interface Answer<T> {
  response_code: number;
  message?: string;
  data?: T;
}

export class ProctorUClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly now: () => Date;

  constructor(private readonly opts: ProctorUClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    this.now = opts.now ?? (() => new Date());
  }

  getTimeZoneList(): Promise<ProctorUTimeZone[]> {
    return this.call<ProctorUTimeZone[]>('getTimeZoneList', {}, true);
  }

  /** Creates the reservation; answers ProctorU's reservation number. */
  async addAdHocProcess(params: AddAdHocProcessParams): Promise<{ reservation_no: string }> {
    return this.call<{ reservation_no: string }>('addAdHocProcess', { ...params }, false);
  }

  removeReservation(reservationNo: string): Promise<unknown> {
    return this.call('removeReservation', { reservation_no: reservationNo }, true);
  }

  getStudentReservationList(studentId: string): Promise<ProctorUReservation[]> {
    return this.call<ProctorUReservation[]>('getStudentReservationList', { student_id: studentId }, true);
  }

  beginReservation(reservationNo: string): Promise<{ url: string }> {
    return this.call<{ url: string }>('beginReservation', { reservation_no: reservationNo }, false);
  }

  private async call<T>(method: string, params: Record<string, unknown>, idempotent: boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, params);
      } catch (err) {
        const e = err as ProctorUError;
        const retryable = e.transient && (idempotent || e.kind === 'http' || (e.kind === 'network' && /ECONNREFUSED/.test(e.message)));
        if (!retryable || attempt >= this.retries) throw e;
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** attempt));
      }
    }
  }

  private async once<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}/${method}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'Authorization-Token': this.opts.token },
        body: JSON.stringify({ time_sent: this.now().toISOString(), ...params }),
        signal: controller.signal,
      });
      text = await res.text();
    } catch (err) {
      if (controller.signal.aborted) throw new ProctorUError('timeout', `ProctorU ${method}: no answer within ${this.timeoutMs} ms`, { method });
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ProctorUError('network', `ProctorU ${method}: network error ${cause?.code ?? ''} ${cause?.message ?? String(err)}`.trim(), { method });
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 400) throw new ProctorUError('http', `ProctorU ${method}: HTTP ${res.status}`, { method, status: res.status });
    let answer: Answer<T>;
    try {
      answer = JSON.parse(text) as Answer<T>;
    } catch {
      throw new ProctorUError('http', `ProctorU ${method}: the answer is not JSON (HTTP ${res.status})`, { method, status: 502 });
    }
    if (answer.response_code !== 1) {
      const known = RESPONSE_CODES[answer.response_code] ?? 'undocumented response code';
      throw new ProctorUError('answer', `ProctorU ${method}: response_code ${answer.response_code} (${known})${answer.message ? `: ${answer.message}` : ''}`, {
        method,
        responseCode: answer.response_code,
      });
    }
    return answer.data as T;
  }
}
