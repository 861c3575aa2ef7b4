import { LockMode } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { type RefundFacts, refundRefusal, REFUSAL_MESSAGES } from '../domain/refund-eligibility';
import { type RefundStatus } from '../domain/refund-state';
import * as v from '../domain/validate';
import { Appointment, Certificate, CertificationSession, Payment, ProviderIncident, RefundRequest, Registration } from '../entities';

/** What refund requests and their execution share: the facts eligibility is decided on, and the refusals. */

export const F = (name: string) => ['input', name];
/** A row lock that also re-reads the row (an entity already in the identity map would be stale). */
export const LOCK = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;

/** R-REF-6: eligibility again at approval and execution, for the request's own reason. */
export async function assertStillEligible(em: EntityManager, ctx: ServiceContext, refund: RefundRequest): Promise<Payment> {
  const registration = await em.findOneOrFail(Registration, { id: refund.registration.id });
  const payment = await em.findOneOrFail(Payment, { id: refund.payment.id });
  const facts = await refundFacts(em, ctx, registration, payment, refund);
  const refused = refundRefusal(facts, refund.reason, refund.requestedAt);
  if (refused) throw refusal(refused, F('refundRequestId'));
  return payment;
}

/** The facts eligibility is decided on; `self` (the request being decided) is left out of the refund states. */
export async function refundFacts(em: EntityManager, ctx: ServiceContext, registration: Registration, payment: Payment | null, self?: RefundRequest): Promise<RefundFacts> {
  const session = await em.findOneOrFail(CertificationSession, { id: registration.session.id });
  const refunds = payment ? await em.find(RefundRequest, { payment, ...(self ? { id: { $ne: self.id } } : {}) }) : [];
  const appointments = await em.count(Appointment, { registration });
  // A technical-problem request is judged on its own incident; eligibility on any of the registration's.
  const incidentWhere = self?.incident ? { id: self.incident.id, registration, confirmedByProvider: true } : { registration, confirmedByProvider: true };
  const confirmedIncidents = await em.count(ProviderIncident, incidentWhere);
  return {
    paid: Boolean(payment),
    paidAt: payment?.paidAt ?? null,
    refundedCents: payment?.refundedCents ?? 0,
    refundStates: refunds.map((r) => r.status),
    appointmentEverBooked: appointments > 0,
    confirmedProviderIncident: confirmedIncidents > 0,
    // R-REF-3b: an issued certificate (valid or revoked) closes every refund.
    certificateIssued: (await em.count(Certificate, { registration })) > 0,
    now: ctx.clock.now(),
    zone: session.timeZone,
  };
}

/** The request, row-locked for the transaction. */
export async function loadRefund(em: EntityManager, id: string): Promise<RefundRequest> {
  const refund = await em.findOne(RefundRequest, { id }, LOCK);
  if (!refund) throw new DomainError('NOT_FOUND', 'No refund request with this id', F('refundRequestId'));
  return refund;
}

export function refusal(code: keyof typeof REFUSAL_MESSAGES, field: string[]): DomainError {
  return new DomainError(code, REFUSAL_MESSAGES[code], field);
}

export function isReasonRefusal(code: string): boolean {
  return code === 'WITHDRAWAL_PERIOD_OVER' || code === 'APPOINTMENT_ALREADY_BOOKED' || code === 'NO_CONFIRMED_PROVIDER_INCIDENT';
}

export function invalidTransition(refund: RefundRequest, to: RefundStatus): DomainError {
  return new DomainError('INVALID_TRANSITION', `A ${refund.status} refund request cannot become ${to} (R-REF-6)`, F('refundRequestId'), { refundRequest: refund });
}

/** R-REF-6: decisions and settlements carry a comment. */
export function requiredComment(value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DomainError('COMMENT_REQUIRED', 'A comment is required (R-REF-6)', F('comment'));
  return v.text(value, F('comment'), { max: v.MAX_LONG_TEXT });
}
