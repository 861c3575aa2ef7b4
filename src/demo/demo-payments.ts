import { TestClock } from '../clock';
import { type ServiceContext } from '../context';
import { type EquipmentMeasures } from '../domain/equipment';
import { type CardBrand } from '../domain/payment';
import { type CertificationSession, EquipmentCheck, type Learner, Registration } from '../entities';
import { EquipmentService } from '../services/equipment.service';
import { PaymentService } from '../services/payment.service';
import { RegistrationService, registrationStep } from '../services/registration.service';
import { createRng, DEMO_SEED, type Rng } from './demo-data';
import { type DemoStep, type StepResult } from './seed-demo';

/**
 * Demo registrations, equipment checks and payments (R-REG, R-TEC, R-PAY), written through the
 * services so every row passes the same rules and leaves the same audit events as a real call.
 *
 * Each learner gets a target state drawn from a seeded PRNG (or fixed, for the featured learners of
 * demo-data.ts): not registered, stopped at one of the steps, DUN exempt, or paid (by `recordPayment`
 * or by a Paybox notification, some with an e-Carte Bleue). Instants come from a per-learner demo
 * clock in the weeks before the exam period, so the timeline reads like the real one.
 *
 * Idempotent: a learner whose registration already reached the target is left alone (no call, no
 * audit event); one that is behind is moved forward; equipment checks are added only to learners
 * who have none. Payments also carry a stable idempotency key (`demo-pay:<session>:<learner>`).
 */

export type DemoTarget = 'NONE' | 'STARTED' | 'ACKNOWLEDGED' | 'TERMS_ACCEPTED' | 'NAME_LOCKED' | 'DUN_EXEMPT' | 'PAID' | 'PAID_IPN' | 'PAID_E_CARTE_BLEUE';

/** Fixed states for the featured learners of the guide's session. */
export const FEATURED_TARGETS: Record<string, DemoTarget> = {
  'camille-martin': 'PAID',
  'jean-baptiste-lefevre-dumas': 'PAID_E_CARTE_BLEUE',
  'maelle-ndiaye': 'TERMS_ACCEPTED',
  'emily-johnson': 'PAID_IPN',
  'genevieve-cote': 'DUN_EXEMPT',
  'wang-fang': 'PAID',
  'youssef-el-amrani': 'NAME_LOCKED',
  'aminata-diop': 'ACKNOWLEDGED',
  'loic-le-gall-reunion': 'PAID',
  'zoe-dupont-no-profile': 'STARTED',
};

const WEIGHTS: readonly (readonly [DemoTarget, number])[] = [
  ['NONE', 8],
  ['STARTED', 4],
  ['ACKNOWLEDGED', 4],
  ['TERMS_ACCEPTED', 4],
  ['NAME_LOCKED', 8],
  ['DUN_EXEMPT', 7],
  ['PAID', 45],
  ['PAID_IPN', 15],
  ['PAID_E_CARTE_BLEUE', 5],
];

/** Learners seeded at once (the ORM pool holds 10 connections). */
const DEMO_CONCURRENCY = 6;

/** A 1×1 PNG: the demo's "screenshot of the compatibility check" (R-TEC-2). */
const DEMO_SCREENSHOT_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const STAGE_ORDER: Record<string, number> = { ACKNOWLEDGE_REQUIREMENTS: 0, ACCEPT_TERMS: 1, LOCK_NAME: 2, PAY: 3, DONE: 4 };
const TARGET_STAGE: Record<DemoTarget, number> = {
  NONE: -1,
  STARTED: 0,
  ACKNOWLEDGED: 1,
  TERMS_ACCEPTED: 2,
  NAME_LOCKED: 3,
  DUN_EXEMPT: 4,
  PAID: 4,
  PAID_IPN: 4,
  PAID_E_CARTE_BLEUE: 4,
};

export interface PaymentsDemoInput {
  session: CertificationSession;
  /** Learners with their demo key (featured learners get their fixed state). */
  learners: { key: string; learner: Learner }[];
  /** PRNG seed (default: DEMO_SEED). */
  seed?: number;
}

function measures(rng: Rng, compatible: boolean): EquipmentMeasures {
  const good: EquipmentMeasures = {
    operatingSystem: rng.pick(['WINDOWS', 'WINDOWS', 'MACOS'] as const),
    osVersion: '',
    webcamWidth: rng.pick([640, 1280, 1920]),
    webcamHeight: 0,
    hasMicrophone: true,
    hasSpeakers: true,
    downloadKbps: rng.int(1_500, 50_000),
    uploadKbps: rng.int(400, 10_000),
    port1935Open: true,
    publicPlace: false,
  };
  good.osVersion = good.operatingSystem === 'WINDOWS' ? rng.pick(['7', '8.1', '10']) : rng.pick(['10.11', '10.12']);
  good.webcamHeight = good.webcamWidth === 640 ? 480 : good.webcamWidth === 1280 ? 720 : 1080;
  if (compatible) return good;
  // One realistic problem: an old Windows, a slow upload, a closed port or a cyber-café.
  const problems: Partial<EquipmentMeasures>[] = [
    { operatingSystem: 'WINDOWS', osVersion: 'XP' },
    { uploadKbps: rng.int(128, 383) },
    { port1935Open: false },
    { publicPlace: true },
    { operatingSystem: 'LINUX', osVersion: 'Ubuntu 16.04' },
  ];
  return { ...good, ...rng.pick(problems) };
}

/** Seeds registrations, equipment checks and payments for one session; returns what it did per learner. */
export async function seedPaymentsDemo(ctx: ServiceContext, input: PaymentsDemoInput): Promise<StepResult> {
  const result: StepResult = { created: 0, updated: 0, unchanged: 0 };
  const registrations = new RegistrationService();
  const payments = new PaymentService(registrations);
  const equipment = new EquipmentService();
  const { session } = input;
  const rng = createRng((input.seed ?? DEMO_SEED) ^ 0x5eed_0004);
  // Registrations open six weeks before the exam period, in the session's calendar.
  const opening = new Date(`${session.examPeriodStart}T09:00:00Z`).getTime() - 42 * 86_400_000;

  const learnerIds = input.learners.map((l) => l.learner.id);
  const existing = new Map<string, Registration>();
  for (const r of await ctx.em.fork().find(Registration, { session: session.id, learner: { $in: learnerIds } })) existing.set(r.learner.id, r);
  const checked = new Set<string>(
    (await ctx.em.fork().find(EquipmentCheck, { learner: { $in: learnerIds } }, { fields: ['id', 'learner'] })).map((c) => c.learner.id),
  );

  // Draw every learner's plan first, in order, so the sequence never depends on the database or on timing.
  const plans = input.learners.map(({ key, learner }, index) => {
    const target: DemoTarget = FEATURED_TARGETS[key] ?? rng.weighted(WEIGHTS);
    const checkCompatible = rng.chance(0.85);
    return {
      learner,
      target,
      startAt: opening + rng.int(0, 30 * 86_400) * 1000,
      stepMinutes: Array.from({ length: 5 }, () => rng.int(1, 2 * 24 * 60)),
      retried: !checkCompatible && rng.chance(0.7),
      withScreenshot: rng.chance(0.4),
      brand: (rng.chance(0.7) ? 'VISA' : 'MASTERCARD') as CardBrand,
      expiry: cardExpiry(rng, session.examPeriodEnd),
      // 10 digits like Paybox's, unique per session and learner: the exam period's YYMM, the learner's rank, random digits.
      ticket: `${session.examPeriodStart.slice(2, 4)}${session.examPeriodStart.slice(5, 7)}${String(index + 1).padStart(3, '0')}${rng.digits(3)}`,
      auth: rng.digits(6),
      measuresFirst: measures(rng, checkCompatible),
      measuresRetry: measures(rng, true),
    };
  });

  /** One learner's registration moved forward to its target; returns whether anything was written. */
  const advance = async (plan: (typeof plans)[number]): Promise<boolean> => {
    const { learner, target } = plan;
    let at = plan.startAt;
    const later = (minutes: number) => (at += minutes * 60_000);
    const call = (): ServiceContext => ({ ...ctx, em: ctx.em.fork(), clock: new TestClock(new Date(at)) });
    let changed = false;

    let r = existing.get(learner.id);
    if (!r) {
      r = await registrations.start(call(), { sessionId: session.id, learnerId: learner.id, dunEnrolled: target === 'DUN_EXEMPT' });
      changed = true;
    }
    const reached = () => STAGE_ORDER[registrationStep(r!)];
    const want = TARGET_STAGE[target];
    if (reached() < 1 && want >= 1) {
      later(plan.stepMinutes[0]);
      if (!checked.has(learner.id)) {
        const screenshotBase64 = plan.withScreenshot ? DEMO_SCREENSHOT_PNG : null;
        await equipment.record(call(), { learnerId: learner.id, ...plan.measuresFirst, screenshotBase64 });
        if (plan.retried) {
          later(30);
          await equipment.record(call(), { learnerId: learner.id, ...plan.measuresRetry, screenshotBase64 });
        }
      }
      r = await registrations.acknowledgeRequirements(call(), r.id);
      changed = true;
    }
    if (reached() < 2 && want >= 2) {
      later(plan.stepMinutes[1]);
      r = await registrations.acceptTerms(call(), { registrationId: r.id, termsVersion: 'FUN-CGU-2017-01 + ProctorU-TOS-2016-11' });
      changed = true;
    }
    if (reached() < 3 && want >= 3) {
      later(plan.stepMinutes[2]);
      r = await registrations.lockName(call(), { registrationId: r.id, givenName: learner.givenName, familyName: learner.familyName });
      changed = true;
    }
    if (reached() < 4 && want >= 4 && !r.dunExempt) {
      later(plan.stepMinutes[3]);
      const facts = {
        registrationId: r.id,
        amountCents: session.priceCents,
        currency: session.currency,
        cardBrand: target === 'PAID_E_CARTE_BLEUE' ? ('VISA' as const) : plan.brand,
        cardExpiry: plan.expiry,
        eCarteBleue: target === 'PAID_E_CARTE_BLEUE',
        numAppel: `8${plan.ticket.slice(1)}`,
        numTrans: plan.ticket,
        authorizationNumber: plan.auth,
        paidAt: new Date(at),
      };
      if (target === 'PAID_IPN') await payments.recordFromIpn({ ...call(), viewer: { kind: 'SERVICE', displayName: 'paybox-ipn', roles: ['INTEGRATION'] } }, facts);
      else await payments.record(call(), { ...facts, idempotencyKey: `demo-pay:${session.id}:${learner.id}` });
      changed = true;
    }
    return changed;
  };

  // Learners are independent: a few at a time (well under the connection pool) keeps the step short.
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      if (plan.target === 'NONE') {
        result.unchanged++;
        continue;
      }
      const changed = await advance(plan);
      if (!existing.has(plan.learner.id)) result.created++;
      else if (changed) result.updated++;
      else result.unchanged++;
    }
  };
  await Promise.all(Array.from({ length: DEMO_CONCURRENCY }, worker));
  return result;
}

/** A card valid long enough for the session (R-PAY-2): 2 to 48 months past the period's end month. */
function cardExpiry(rng: Rng, periodEnd: string): string {
  const [y, m] = periodEnd.split('-').map(Number);
  const idx = y * 12 + (m - 1) + rng.int(2, 48);
  return `${String((idx % 12) + 1).padStart(2, '0')}${String(Math.floor(idx / 12) % 100).padStart(2, '0')}`;
}

/**
 * The demo step: the guide's session gets every state; the autumn session a smaller, earlier crowd
 * (one learner in ten, drawn with another seed).
 */
export const paymentsDemoStep: DemoStep = {
  name: 'registrations and payments',
  async run({ ctx, data, state }) {
    const total: StepResult = { created: 0, updated: 0, unchanged: 0 };
    const all = data.learners.map((d) => ({ key: d.key, learner: state.learners.get(d.key)! })).filter((l) => l.learner);
    const spring = state.sessions.get('cartopros-2017');
    const autumn = state.sessions.get('cartopros-2017-autumn');
    const runs: PaymentsDemoInput[] = [];
    if (spring) runs.push({ session: spring, learners: all });
    if (autumn) runs.push({ session: autumn, learners: all.filter((_, i) => i % 10 === 9).map((l) => ({ ...l, key: `autumn:${l.key}` })), seed: DEMO_SEED + 1 });
    for (const run of runs) {
      const r = await seedPaymentsDemo(ctx, run);
      total.created += r.created;
      total.updated += r.updated;
      total.unchanged += r.unchanged;
    }
    return total;
  },
};
