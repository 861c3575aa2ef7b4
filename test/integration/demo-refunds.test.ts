import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config } from '../../src/config';
import { type Orm } from '../../src/db/orm';
import { REFUND_DEMO_SCENARIOS, refundsDemoStep } from '../../src/demo/demo-refunds';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed-demo';
import { Payment, RefundRequest } from '../../src/entities';
import { openDemoDatabase } from '../helpers/demo-database';

let orm: Orm;
let config: Config;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, config, close } = await openDemoDatabase());
});

afterAll(() => close?.());

describe('refunds demo (seedRefundsDemo)', () => {
  it('R-REF-6: one refund request in every state, through the services; a second run adds nothing', async () => {
    const steps = DEMO_STEPS.slice(0, DEMO_STEPS.indexOf(refundsDemoStep) + 1);
    const first = await seedDemo(orm, { config, steps });
    expect(first.steps.at(-1)).toMatchObject({ name: 'refunds', result: { created: 7, updated: 0, unchanged: 0 } });
    const em = orm.em.fork();
    const refunds = await em.find(RefundRequest, {}, { populate: ['payment'] });
    const demo = refunds.filter((r) => REFUND_DEMO_SCENARIOS.some((sc) => sc.numTrans === r.payment.numTrans));
    expect(demo.map((r) => r.status).sort()).toEqual(['APPROVED', 'FAILED', 'PROCESSING', 'REJECTED', 'SETTLED_MANUALLY', 'SUBMITTED', 'SUCCEEDED']);
    const byState = new Map(demo.map((r) => [r.status, r]));
    expect(byState.get('SUCCEEDED')).toMatchObject({ providerResponseCode: '00000' });
    expect(byState.get('SUCCEEDED')!.providerReference).toMatch(/^\d{10}$/);
    expect(byState.get('FAILED')).toMatchObject({ providerResponseCode: '00001' });
    expect(byState.get('PROCESSING')!.providerRequestNumber).toMatch(/^\d{10}$/);
    expect(byState.get('SETTLED_MANUALLY')).toMatchObject({ settlementMethod: 'BANK_TRANSFER' });
    const refunded = await em.find(Payment, { status: 'REFUNDED' });
    expect(refunded.map((p) => p.numTrans).sort()).toEqual(['7017022005', '7017022007']);

    const second = await seedDemo(orm, { config, steps });
    expect(second.steps.at(-1)).toMatchObject({ name: 'refunds', result: { created: 0, updated: 0, unchanged: 7 } });
    expect(await orm.em.fork().count(RefundRequest, {})).toBe(refunds.length);
  });
});
