import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import { ACCEPTED_BRANDS, type CardBrand, cardValidLongEnough, earliestAcceptedExpiry, isMmyy } from '../domain/payment';
import * as v from '../domain/validate';
import { CertificationSession, Payment } from '../entities';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';
import { claimIdempotencyKey } from './idempotency';
import { registrationStep, type RegistrationService } from './registration.service';

const BRANDS: readonly CardBrand[] = ['VISA', 'MASTERCARD', 'AMEX', 'CB', 'OTHER'];

/** What Paybox tells us about a payment, from `recordPayment` or the IPN (R-PAY-4). */
export interface PaymentFacts {
  registrationId: string;
  amountCents: number;
  currency: string;
  cardBrand: CardBrand;
  /** MMYY. */
  cardExpiry: string;
  eCarteBleue?: boolean | null;
  numAppel: string;
  numTrans: string;
  authorizationNumber: string;
  paidAt: Date;
}

export interface RecordPaymentInput extends PaymentFacts {
  idempotencyKey: string;
}

export interface PaymentFilter {
  sessionId?: string | null;
  status?: string | null;
  paidFrom?: Date | null;
  paidTo?: Date | null;
}

const f = (name: string) => ['input', name];

/** Clock skew accepted between Paybox (or the platform) and us. */
const PAID_AT_TOLERANCE_MS = 10 * 60_000;

/** A recorded payment is the same one when Paybox's references and the money agree. */
function samePayment(p: Payment, facts: PaymentFacts): boolean {
  return (
    p.registration.id === facts.registrationId &&
    p.amountCents === facts.amountCents &&
    p.currency === facts.currency &&
    p.cardBrand === facts.cardBrand &&
    p.cardExpiry === facts.cardExpiry &&
    p.eCarteBleue === Boolean(facts.eCarteBleue) &&
    p.numAppel === facts.numAppel &&
    p.authorizationNumber === facts.authorizationNumber
  );
}

/**
 * R-PAY-1..5: one way in for a payment, used by `recordPayment` (INTEGRATION, ADMIN) and by the
 * Paybox IPN (src/http/paybox-ipn.route.ts). Every check runs in the transaction that records, with
 * the registration row locked, so concurrent calls see each other: one payment per registration and
 * per NUMTRANS (also database constraints).
 */
export class PaymentService {
  constructor(private readonly registrations: RegistrationService) {}

  /** `recordPayment`: idempotent on its key (same key + same input = same payment) and on NUMTRANS. */
  async record(ctx: ServiceContext, input: RecordPaymentInput): Promise<Payment> {
    const { idempotencyKey, ...rest } = input;
    const facts = this.validate(rest);
    return this.withUniqueGuard(() =>
      ctx.em.transactional(async (em) => {
        const claim = await claimIdempotencyKey<{ paymentId: string }>(em, ctx, 'recordPayment', idempotencyKey, { ...facts, paidAt: facts.paidAt.toISOString() });
        if (claim.kind === 'replay') return em.findOneOrFail(Payment, { id: claim.outcome.paymentId });
        const { payment } = await this.apply(em, ctx, facts, 'API');
        await claim.record({ paymentId: payment.id });
        return payment;
      }),
    );
  }

  /** The IPN path (signature already verified): idempotent on NUMTRANS only. */
  async recordFromIpn(ctx: ServiceContext, input: PaymentFacts): Promise<{ payment: Payment; replay: boolean }> {
    const facts = this.validate(input);
    return this.withUniqueGuard(() =>
      ctx.em.transactional(async (em) => {
        // Checked before the rules: a replay is answered the same even once the registration has moved on (refunded, cancelled).
        const existing = await em.findOne(Payment, { numTrans: facts.numTrans });
        if (existing && samePayment(existing, facts)) return { payment: existing, replay: true };
        return this.apply(em, ctx, facts, 'IPN');
      }),
    );
  }

  /** Input checks that need no database (R-SEC-3: a clear code and field). */
  private validate(input: PaymentFacts): PaymentFacts {
    const registrationId = v.uuid(input.registrationId, f('registrationId'));
    if (!Number.isInteger(input.amountCents) || input.amountCents <= 0) v.fail(f('amountCents'), 'amountCents must be a positive integer');
    const currency = v.text(input.currency, f('currency'), { max: 3 }).toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) v.fail(f('currency'), 'currency must be an ISO 4217 code, e.g. EUR');
    if (!BRANDS.includes(input.cardBrand)) v.fail(f('cardBrand'), 'unknown card brand');
    const cardExpiry = input.cardExpiry.trim();
    if (!isMmyy(cardExpiry)) v.fail(f('cardExpiry'), 'cardExpiry must be MMYY, e.g. 0517');
    if (Number.isNaN(input.paidAt.getTime())) v.fail(f('paidAt'), 'paidAt is not a valid instant');
    // Paybox numbers its calls and transactions with digits (10 today); an authorization code is short text.
    const numAppel = v.text(input.numAppel, f('numAppel'), { max: 20 });
    if (!/^\d+$/.test(numAppel)) v.fail(f('numAppel'), 'numAppel is the Paybox NUMAPPEL: digits only');
    const numTrans = v.text(input.numTrans, f('numTrans'), { max: 20 });
    if (!/^\d+$/.test(numTrans)) v.fail(f('numTrans'), 'numTrans is the Paybox NUMTRANS: digits only');
    const authorizationNumber = v.text(input.authorizationNumber, f('authorizationNumber'), { max: 16 });
    if (!/^[A-Za-z0-9]+$/.test(authorizationNumber)) v.fail(f('authorizationNumber'), 'authorizationNumber must be letters and digits');
    return {
      registrationId,
      amountCents: input.amountCents,
      currency,
      cardBrand: input.cardBrand,
      cardExpiry,
      eCarteBleue: Boolean(input.eCarteBleue),
      numAppel,
      numTrans,
      authorizationNumber,
      paidAt: input.paidAt,
    };
  }

  /** The rules, in the caller's transaction, registration locked. */
  private async apply(em: EntityManager, ctx: ServiceContext, facts: PaymentFacts, source: 'API' | 'IPN'): Promise<{ payment: Payment; replay: boolean }> {
    // A payment is reported after the fact: a paidAt ahead of the domain clock would stretch the withdrawal period (R-REF-1).
    if (facts.paidAt.getTime() > ctx.clock.now().getTime() + PAID_AT_TOLERANCE_MS) v.fail(f('paidAt'), 'paidAt is in the future');
    const r = await this.registrations.load(em, ctx, facts.registrationId, f('registrationId'), LockMode.PESSIMISTIC_WRITE);
    const existing = await em.findOne(Payment, { registration: r });
    // The same Paybox transaction again (another idempotency key, a replayed notification): one payment (R-PAY-4).
    if (existing && existing.numTrans === facts.numTrans && samePayment(existing, facts)) return { payment: existing, replay: true };
    if (r.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', f('registrationId'));
    if (r.dunExempt) throw new DomainError('PAYMENT_NOT_REQUIRED', 'A DUN-exempt registration is not paid (R-REG-4)', f('registrationId'));
    if (existing || r.paidAt) throw new DomainError('ALREADY_PAID', 'This registration is paid already (one payment per registration)', f('registrationId'));
    const step = registrationStep(r);
    if (step !== 'PAY') throw new DomainError('STEP_OUT_OF_ORDER', `Do the step ${step} first: payment is the last step (R-REG-1)`, f('registrationId'));
    if (!ACCEPTED_BRANDS.includes(facts.cardBrand)) {
      throw new DomainError('CARD_BRAND_NOT_ACCEPTED', `Only Visa and Mastercard cards are accepted, not ${facts.cardBrand} (R-PAY-1)`, f('cardBrand'));
    }
    const session = await em.findOneOrFail(CertificationSession, { id: r.session.id });
    if (!cardValidLongEnough(facts.cardExpiry, session.examPeriodEnd)) {
      const min = earliestAcceptedExpiry(session.examPeriodEnd);
      throw new DomainError(
        'CARD_EXPIRES_TOO_SOON',
        `The card must be valid at least 2 months beyond the exam period (ending ${session.examPeriodEnd}): expiry ${min.slice(0, 2)}/${min.slice(2)} or later (R-PAY-2)`,
        f('cardExpiry'),
      );
    }
    if (facts.amountCents !== session.priceCents) throw new DomainError('AMOUNT_MISMATCH', `The price of the session is ${session.priceCents} cents`, f('amountCents'));
    if (facts.currency !== session.currency) throw new DomainError('AMOUNT_MISMATCH', `The price of the session is in ${session.currency}`, f('currency'));
    if (await em.count(Payment, { numTrans: facts.numTrans })) throw numTransUsed();

    const now = ctx.clock.now();
    const payment = em.create(Payment, {
      registration: r,
      amountCents: facts.amountCents,
      currency: facts.currency,
      cardBrand: facts.cardBrand,
      cardExpiry: facts.cardExpiry,
      eCarteBleue: Boolean(facts.eCarteBleue),
      numAppel: facts.numAppel,
      numTrans: facts.numTrans,
      authorizationNumber: facts.authorizationNumber,
      paidAt: facts.paidAt,
      source,
      recordedAt: now,
      recordedBy: actorOf(ctx.viewer),
    });
    r.paidAt = facts.paidAt;
    r.status = 'ACTIVE';
    // No card data in the audit log (SUPPORT reads it): references and money only.
    audit(em, ctx, 'payment.record', { type: 'Payment', id: payment.id }, {
      registrationId: r.id,
      source,
      numTrans: facts.numTrans,
      amountCents: facts.amountCents,
      currency: facts.currency,
      eCarteBleue: payment.eCarteBleue,
    });
    audit(em, ctx, 'registration.pay', { type: 'Registration', id: r.id }, { paymentId: payment.id, status: r.status });
    await em.flush();
    return { payment, replay: false };
  }

  /** The database's unique keys are the last word: a race that slipped past the checks is ALREADY_PAID. */
  private async withUniqueGuard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        if (/num_trans/.test(err.message)) throw numTransUsed();
        throw new DomainError('ALREADY_PAID', 'This registration is paid already (one payment per registration)', f('registrationId'));
      }
      throw err;
    }
  }

  /** PAYMENTS, SUPPORT, ADMIN: newest first. */
  list(ctx: ServiceContext, filter: PaymentFilter, page: PageArgs) {
    const where: Record<string, unknown> = {};
    if (filter.sessionId) where.registration = { session: v.filterId(filter.sessionId) };
    if (filter.status) where.status = filter.status;
    if (filter.paidFrom || filter.paidTo) where.paidAt = { ...(filter.paidFrom ? { $gte: filter.paidFrom } : {}), ...(filter.paidTo ? { $lte: filter.paidTo } : {}) };
    if (ctx.viewer.kind === 'LEARNER') where.registration = { ...((where.registration as object) ?? {}), learner: ctx.viewer.learnerId };
    return paginate(ctx.em, Payment, where, [{ paidAt: 'desc' }, { id: 'desc' }], page);
  }

  /** A payment the viewer may see (a learner: only their own). */
  async get(ctx: ServiceContext, id: string): Promise<Payment | null> {
    if (!v.isUuid(id)) return null;
    const p = await ctx.em.findOne(Payment, { id }, { populate: ['registration'] });
    if (!p) return null;
    if (ctx.viewer.kind === 'LEARNER' && p.registration.learner.id !== ctx.viewer.learnerId) return null;
    return p;
  }
}

function numTransUsed(): DomainError {
  return new DomainError('ALREADY_PAID', 'This Paybox transaction (NUMTRANS) is recorded already for another registration', f('numTrans'));
}
