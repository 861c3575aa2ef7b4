import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { type Config } from '../../src/config';
import { type Orm } from '../../src/db/orm';
import { FEATURED_TARGETS, paymentsDemoStep } from '../../src/demo/demo-payments';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed-demo';
import { AuditEvent, EquipmentCheck, Payment, Registration } from '../../src/entities';
import { openDemoDatabase } from '../helpers/demo-database';

let orm: Orm;
let config: Config;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, config, close } = await openDemoDatabase());
});

afterAll(() => close?.());

const steps = DEMO_STEPS.slice(0, DEMO_STEPS.indexOf(paymentsDemoStep) + 1);

async function counts() {
  const em = orm.em.fork();
  return {
    registrations: await em.count(Registration, {}),
    payments: await em.count(Payment, {}),
    checks: await em.count(EquipmentCheck, {}),
    audit: await em.count(AuditEvent, {}),
  };
}

describe('demo registrations and payments', () => {
  it('puts registrations at every step, some DUN-exempt, most paid, with equipment checks; a second run adds nothing', async () => {
    const first = await seedDemo(orm, { config, clock: new TestClock(new Date('2017-02-20T12:00:00Z')), steps });
    const after1 = await counts();
    const em = orm.em.fork();
    const spring = first.state.sessions.get('cartopros-2017')!;
    const regs = await em.find(Registration, { session: spring.id });
    const byStep = (step: string) => regs.filter((r) => {
      if (step === 'DONE') return r.nameLockedAt && (r.paidAt || r.dunExempt);
      if (step === 'PAY') return r.nameLockedAt && !r.paidAt && !r.dunExempt;
      if (step === 'LOCK_NAME') return r.termsAcceptedAt && !r.nameLockedAt;
      if (step === 'ACCEPT_TERMS') return r.requirementsAcknowledgedAt && !r.termsAcceptedAt;
      return !r.requirementsAcknowledgedAt;
    }).length;
    for (const step of ['ACKNOWLEDGE_REQUIREMENTS', 'ACCEPT_TERMS', 'LOCK_NAME', 'PAY', 'DONE']) expect(byStep(step), step).toBeGreaterThan(0);
    const paid = regs.filter((r) => r.paidAt).length;
    expect(paid).toBeGreaterThan(regs.length / 2);
    expect(regs.filter((r) => r.dunExempt && r.status === 'ACTIVE').length).toBeGreaterThan(0);
    const payments = await em.find(Payment, {});
    expect(payments.some((p) => p.eCarteBleue)).toBe(true);
    expect(new Set(payments.map((p) => p.source))).toEqual(new Set(['API', 'IPN']));
    expect(after1.checks).toBeGreaterThan(after1.registrations / 2);
    expect(await em.count(EquipmentCheck, { compatible: false })).toBeGreaterThan(0);
    expect(await em.count(EquipmentCheck, { screenshotSha256: { $ne: null } })).toBeGreaterThan(0);
    // Later demo steps (refunds) still find learners with a profile and no registration to start from.
    const registered = new Set(regs.map((r) => r.learner.id));
    const free = first.data.learners.filter((d) => d.profile && !registered.has(first.state.learners.get(d.key)!.id));
    expect(free.length).toBeGreaterThanOrEqual(10);
    // Featured learners are in their documented state.
    const camille = first.state.learners.get('camille-martin')!;
    const reg = regs.find((r) => r.learner.id === camille.id)!;
    expect(FEATURED_TARGETS['camille-martin']).toBe('PAID');
    expect(reg.status).toBe('ACTIVE');

    const second = await seedDemo(orm, { config, clock: new TestClock(new Date('2017-02-21T12:00:00Z')), steps });
    expect(await counts()).toEqual(after1);
    const step = second.steps.find((s) => s.name === paymentsDemoStep.name)!;
    expect(step.result.created + step.result.updated).toBe(0);
  }, 180_000);
});
