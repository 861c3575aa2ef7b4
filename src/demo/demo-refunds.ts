import { type Viewer } from '../auth/viewer';
import { TestClock } from '../clock';
import { type ServiceContext } from '../context';
import { isDomainError } from '../domain/errors';
import { type RefundStatus } from '../domain/refund-state';
import { PayboxDirectClient } from '../providers/paybox/direct-client';
import { PayboxSimulator } from '../providers/paybox/simulator';
import { PaymentService } from '../services/payment.service';
import { RefundService } from '../services/refund.service';
import { RegistrationService } from '../services/registration.service';
import { type DemoStep, type SeedContext, type StepResult } from './seed-demo';

/**
 * Demo refunds (R-REF): one request in each state of R-REF-6 on the CARTOPRO'S 2017 session, made
 * through the services as a real request would be: registration steps, payment (recordPayment), the
 * learner's request, a decision by the demo payments account, execution against a Paybox simulator.
 *
 * Learners: profiled demo learners taken from the end of the generated list, skipping any already
 * registered to the session (so other demo steps keep theirs). Idempotent: each scenario is keyed by
 * the idempotency key of its requestRefund (`demo-refund-<STATE>`); a second run finds them all and
 * adds nothing.
 *
 * The PROCESSING request stands for a refund interrupted between its Paybox call and the record of
 * the answer: the server's start-up recovery consults Paybox about it and, the simulator knowing
 * nothing of it, turns it FAILED (retryable): the demo shows that path too.
 */

/** Payment, request and decisions happen on these instants (the domain clock of the step). */
const PAID_AT = new Date('2017-02-13T09:30:00Z');
const REQUESTED_AT = new Date('2017-02-20T10:00:00Z');
const DECIDED_AT = new Date('2017-02-21T14:00:00Z');

interface Scenario {
  state: RefundStatus;
  numTrans: string;
  eCarteBleue?: boolean;
  comment: string;
}

export const REFUND_DEMO_SCENARIOS: Scenario[] = [
  { state: 'SUBMITTED', numTrans: '7017022001', comment: 'Je ne pourrai finalement pas passer l’examen (mutation professionnelle).' },
  { state: 'APPROVED', numTrans: '7017022002', comment: 'Inscription faite par erreur, je rétracte mon achat.' },
  { state: 'REJECTED', numTrans: '7017022003', comment: 'Je demande le remboursement.' },
  { state: 'PROCESSING', numTrans: '7017022004', comment: 'Rétractation dans le délai légal.' },
  { state: 'SUCCEEDED', numTrans: '7017022005', comment: 'Rétractation dans le délai légal.' },
  // HTTP.md: the simulator refuses refunds of a payment whose NUMTRANS starts with 9999.
  { state: 'FAILED', numTrans: '9999022006', comment: 'Rétractation dans le délai légal.' },
  // R-PAY-3: an e-Carte Bleue is refunded by bank transfer.
  { state: 'SETTLED_MANUALLY', numTrans: '7017022007', eCarteBleue: true, comment: 'Payé avec une e-Carte Bleue, merci de me rembourser par virement.' },
];

const demoKey = (state: RefundStatus) => `demo-refund-${state}`;

/** Runs the refund scenarios that do not exist yet. Add `refundsDemoStep` to DEMO_STEPS (after learners and staff). */
export async function seedRefundsDemo(seed: SeedContext): Promise<StepResult> {
  const result: StepResult = { created: 0, updated: 0, unchanged: 0 };
  const { ctx, data, state } = seed;
  const session = state.sessions.get('cartopros-2017');
  if (!session) throw new Error('The refunds demo needs the cartopros-2017 session (sessions step)');
  const payments = [...state.staff.values()].find((u) => u.roles.includes('PAYMENTS'));
  if (!payments) throw new Error('The refunds demo needs a PAYMENTS staff account (staff step)');

  const done = new Set<string>(
    (await ctx.em.getConnection().execute<{ key: string }[]>(`select key from idempotency_record where scope = 'requestRefund' and key like 'demo-refund-%'`)).map((r) => r.key),
  );
  const todo = REFUND_DEMO_SCENARIOS.filter((sc) => !done.has(demoKey(sc.state)));
  result.unchanged = REFUND_DEMO_SCENARIOS.length - todo.length;
  if (todo.length === 0) return result;

  // Learners with a ProctorU profile and no registration on the session, from the end of the list.
  const registered = new Set(
    (await ctx.em.getConnection().execute<{ learner_id: string }[]>(`select learner_id from registration where session_id = ?`, [session.id])).map((r) => r.learner_id),
  );
  const free = data.learners
    .filter((d) => d.profile)
    .map((d) => state.learners.get(d.key))
    .filter((l): l is NonNullable<typeof l> => Boolean(l) && !registered.has(l!.id))
    .reverse();

  const clock = new TestClock(PAID_AT);
  const simulator = new PayboxSimulator();
  const url = await simulator.start();
  const registrations = new RegistrationService();
  const paymentService = new PaymentService(registrations);
  const refunds = new RefundService(new PayboxDirectClient({ urls: [url], site: '1999888', rang: '32', key: '1999888I' }));
  const staff: Viewer = { kind: 'STAFF', id: payments.id, email: payments.email, displayName: payments.displayName, roles: payments.roles };
  const as = (viewer: Viewer): ServiceContext => ({ ...ctx, em: ctx.em.fork(), viewer, clock });
  try {
    for (const sc of todo) {
      const learner = free.shift();
      if (!learner) throw new Error('No free demo learner left for the refunds demo');
      const me: Viewer = { kind: 'LEARNER', id: learner.id, learnerId: learner.id, roles: ['LEARNER'] };
      clock.set(PAID_AT);
      const r = await registrations.start(as(me), { sessionId: session.id, learnerId: learner.id });
      await registrations.acknowledgeRequirements(as(me), r.id);
      await registrations.acceptTerms(as(me), { registrationId: r.id, termsVersion: 'FUN-ProctorU-2017-01' });
      await registrations.lockName(as(me), { registrationId: r.id, givenName: learner.givenName, familyName: learner.familyName });
      await paymentService.record(as(ctx.viewer), {
        registrationId: r.id,
        amountCents: session.priceCents,
        currency: session.currency,
        cardBrand: 'VISA',
        cardExpiry: '0919',
        eCarteBleue: sc.eCarteBleue ?? false,
        numAppel: `00${sc.numTrans.slice(2)}`,
        numTrans: sc.numTrans,
        authorizationNumber: `XA${sc.numTrans.slice(-4)}`,
        paidAt: PAID_AT,
        idempotencyKey: `demo-refund-payment-${sc.state}`,
      });

      clock.set(REQUESTED_AT);
      const request = await refunds.request(as(me), {
        registrationId: r.id,
        reason: 'WITHDRAWAL',
        paymentTicket: sc.numTrans,
        learnerFirstName: learner.givenName,
        learnerLastName: learner.familyName,
        username: learner.username,
        email: learner.email,
        comment: sc.comment,
        idempotencyKey: demoKey(sc.state),
      });
      result.created++;
      if (sc.state === 'SUBMITTED') continue;

      clock.set(DECIDED_AT);
      const decide = { refundRequestId: request.id, idempotencyKey: `${demoKey(sc.state)}-decision` };
      if (sc.state === 'REJECTED') {
        await refunds.reject(as(staff), { ...decide, comment: 'Ticket et identité vérifiés, mais un rendez-vous ProctorU avait été pris entre-temps (R-REF-2).' });
        continue;
      }
      await refunds.approve(as(staff), { ...decide, comment: 'Dans le délai de rétractation, aucun rendez-vous pris : accordé.' });
      if (sc.state === 'APPROVED') continue;

      const execute = { refundRequestId: request.id, idempotencyKey: `${demoKey(sc.state)}-execution` };
      if (sc.state === 'SETTLED_MANUALLY') {
        await refunds.settleManually(as(staff), { refundRequestId: request.id, method: 'BANK_TRANSFER', reference: 'VIR-2017-02-0007', comment: 'e-Carte Bleue : remboursé par virement SEPA (R-PAY-3).' });
        continue;
      }
      if (sc.state === 'PROCESSING') {
        refunds.testHooks.beforeProviderCall = () => {
          throw new DemoInterruption();
        };
      }
      try {
        await refunds.execute(as(staff), execute);
      } catch (err) {
        // FAILED answers PROVIDER_ERROR; PROCESSING is the interruption above.
        if (!(err instanceof DemoInterruption) && !(isDomainError(err) && err.code === 'PROVIDER_ERROR')) throw err;
      } finally {
        refunds.testHooks.beforeProviderCall = undefined;
      }
    }
  } finally {
    await simulator.stop();
  }
  return result;
}

class DemoInterruption extends Error {
  constructor() {
    super('demo: the server stopped between PROCESSING and the Paybox call');
  }
}

export const refundsDemoStep: DemoStep = { name: 'refunds', run: seedRefundsDemo };
