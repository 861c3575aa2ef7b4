import { OPEN_REFUND_STATUSES, REFUNDED_STATUSES, type RefundReason, type RefundStatus } from './refund-state';
import { withdrawalDeadline } from './withdrawal';

/**
 * Refund eligibility (R-REF-1..4, R-REF-3b), pure: facts in, the contract's RefundEligibility out.
 *
 * Two rules can open a refund:
 * - WITHDRAWAL (R-REF-1, R-REF-2): inside the withdrawal period and no ProctorU appointment ever
 *   booked (cancelled and rescheduled ones count).
 * - PROVIDER_TECHNICAL_PROBLEM (R-REF-3, R-INC-2): a provider incident on this registration confirmed
 *   by the provider. (design) Allowed inside the period as well as past it: a confirmed incident
 *   always implies a booked appointment, so inside the period the withdrawal route is closed anyway,
 *   and a learner must not be worse off on day 10 than on day 20.
 *   R-REF-4 follows from it: an equipment problem, or no equipment check at all, is never a
 *   confirmed *provider* incident, so it opens nothing.
 * Whatever the rule, nothing is refundable when unpaid, already refunded, while another refund is
 * open, or once a certificate is issued (R-REF-3b).
 */

export type RefundBlocker =
  | 'NOT_PAID'
  | 'WITHDRAWAL_PERIOD_OVER'
  | 'APPOINTMENT_ALREADY_BOOKED'
  | 'NO_CONFIRMED_PROVIDER_INCIDENT'
  | 'CERTIFICATE_ALREADY_ISSUED'
  | 'ALREADY_REFUNDED'
  | 'REFUND_IN_PROGRESS';

/** The contract's order of RefundBlocker values: blockers are always listed in it. */
export const BLOCKER_ORDER: readonly RefundBlocker[] = [
  'NOT_PAID',
  'WITHDRAWAL_PERIOD_OVER',
  'APPOINTMENT_ALREADY_BOOKED',
  'NO_CONFIRMED_PROVIDER_INCIDENT',
  'CERTIFICATE_ALREADY_ISSUED',
  'ALREADY_REFUNDED',
  'REFUND_IN_PROGRESS',
];

const OPEN = OPEN_REFUND_STATUSES;
const DONE = REFUNDED_STATUSES;

export interface RefundFacts {
  /** A payment is recorded for the registration. */
  paid: boolean;
  paidAt?: Date | null;
  /** Cents already refunded on the payment (payment.refundedCents). */
  refundedCents?: number;
  /** States of the payment's refund requests, the one being decided or executed left out. */
  refundStates: readonly RefundStatus[];
  /** Any ProctorU appointment ever booked for the registration, whatever its status now (R-REF-2). */
  appointmentEverBooked: boolean;
  /** A provider incident on this registration with confirmedByProvider = true (R-REF-3). */
  confirmedProviderIncident: boolean;
  /** A certificate was issued for the registration (R-REF-3b). */
  certificateIssued: boolean;
  now: Date;
  /** The session's IANA time zone (R-REF-1 counts days in it). */
  zone: string;
}

export interface RefundEligibility {
  eligible: boolean;
  /** The rule under which a refund is possible now, when eligible. */
  reason: RefundReason | null;
  /** End of the withdrawal period, when paid. */
  withdrawalDeadline: Date | null;
  blockers: RefundBlocker[];
}

const ordered = (set: Set<RefundBlocker>): RefundBlocker[] => BLOCKER_ORDER.filter((b) => set.has(b));

/** What stops any refund, whatever the reason. */
function generalBlockers(f: RefundFacts): Set<RefundBlocker> {
  const out = new Set<RefundBlocker>();
  if (!f.paid) {
    out.add('NOT_PAID');
    return out;
  }
  if (f.certificateIssued) out.add('CERTIFICATE_ALREADY_ISSUED');
  if ((f.refundedCents ?? 0) > 0 || f.refundStates.some((s) => DONE.includes(s))) out.add('ALREADY_REFUNDED');
  if (f.refundStates.some((s) => OPEN.includes(s))) out.add('REFUND_IN_PROGRESS');
  return out;
}

/** What stops a refund for this reason specifically. `periodJudgedAt` defaults to `now`. */
function reasonBlockers(f: RefundFacts, reason: RefundReason, periodJudgedAt?: Date): Set<RefundBlocker> {
  const out = new Set<RefundBlocker>();
  if (reason === 'WITHDRAWAL') {
    const deadline = f.paidAt ? withdrawalDeadline(f.paidAt, f.zone) : null;
    if (deadline && (periodJudgedAt ?? f.now).getTime() > deadline.getTime()) out.add('WITHDRAWAL_PERIOD_OVER');
    if (f.appointmentEverBooked) out.add('APPOINTMENT_ALREADY_BOOKED');
  } else if (!f.confirmedProviderIncident) {
    out.add('NO_CONFIRMED_PROVIDER_INCIDENT');
  }
  return out;
}

/** The contract's RefundEligibility of a registration, now. */
export function refundEligibility(f: RefundFacts): RefundEligibility {
  const deadline = f.paid && f.paidAt ? withdrawalDeadline(f.paidAt, f.zone) : null;
  const general = generalBlockers(f);
  if (general.has('NOT_PAID')) return { eligible: false, reason: null, withdrawalDeadline: null, blockers: ['NOT_PAID'] };
  const withdrawal = reasonBlockers(f, 'WITHDRAWAL');
  const technical = reasonBlockers(f, 'PROVIDER_TECHNICAL_PROBLEM');
  const reason: RefundReason | null = withdrawal.size === 0 ? 'WITHDRAWAL' : technical.size === 0 ? 'PROVIDER_TECHNICAL_PROBLEM' : null;
  const blockers = new Set(general);
  // Reason blockers are listed only when no rule opens a refund: they say why none does.
  if (reason === null) for (const b of [...withdrawal, ...technical]) blockers.add(b);
  const eligible = blockers.size === 0 && reason !== null;
  return { eligible, reason: eligible ? reason : null, withdrawalDeadline: deadline, blockers: ordered(blockers) };
}

/** The error code refusing a blocker (the contract's ErrorCode has a value of the same name for each). */
export type RefundRefusal = RefundBlocker;

/**
 * Checks a refund for a given reason (at submission, approval and execution, R-REF-6). Returns the
 * first refusal in a fixed order (not paid, already refunded, in progress, certificate, then the
 * reason's own rules), or null when the reason applies.
 *
 * `periodJudgedAt`: (design) the withdrawal period is judged at the instant the learner asked
 * (requestedAt) when re-checking at approval and execution: exercising the right in time is what
 * counts, not how fast the payments team decides. Every other fact is judged now.
 */
export function refundRefusal(f: RefundFacts, reason: RefundReason, periodJudgedAt?: Date): RefundRefusal | null {
  const general = generalBlockers(f);
  for (const b of ['NOT_PAID', 'ALREADY_REFUNDED', 'REFUND_IN_PROGRESS', 'CERTIFICATE_ALREADY_ISSUED'] as const) if (general.has(b)) return b;
  const own = reasonBlockers(f, reason, periodJudgedAt);
  for (const b of BLOCKER_ORDER) if (own.has(b)) return b;
  return null;
}

export const REFUSAL_MESSAGES: Record<RefundRefusal, string> = {
  NOT_PAID: 'This registration has no payment to refund',
  WITHDRAWAL_PERIOD_OVER: 'The 14-day withdrawal period is over (R-REF-1)',
  APPOINTMENT_ALREADY_BOOKED: 'A ProctorU appointment was booked for this registration, even if cancelled: no withdrawal refund (R-REF-2)',
  NO_CONFIRMED_PROVIDER_INCIDENT: 'No provider incident confirmed by ProctorU on this registration (R-REF-3, R-REF-4)',
  CERTIFICATE_ALREADY_ISSUED: 'A certificate has been issued for this registration: no refund (R-REF-3b)',
  ALREADY_REFUNDED: 'This payment has already been refunded (R-REF-7)',
  REFUND_IN_PROGRESS: 'Another refund request for this payment is open',
};
