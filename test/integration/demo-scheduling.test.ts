import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { type Config } from '../../src/config';
import { type Orm } from '../../src/db/orm';
import { schedulingDemoStep } from '../../src/demo/demo-scheduling';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed-demo';
import { Appointment, AuditEvent, ProviderIncident, Registration } from '../../src/entities';
import { openDemoDatabase } from '../helpers/demo-database';

let orm: Orm;
let config: Config;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, config, close } = await openDemoDatabase());
});

afterAll(() => close?.());

describe('scheduling demo', () => {
  it('R-SCH/R-INC demo: appointments in every status but COMPLETED (exam issue), a confirmed incident with its priority rebooking; a second run adds nothing', { timeout: 120_000 }, async () => {
    const steps = DEMO_STEPS.slice(0, DEMO_STEPS.indexOf(schedulingDemoStep) + 1);
    const first = await seedDemo(orm, { config, steps, clock: new TestClock(new Date('2017-02-01T00:00:00Z')) });
    expect(first.steps.at(-1)!.result.created).toBe(6);

    const em = orm.em.fork();
    const all = await em.find(Appointment, {});
    const statuses = new Set(all.map((a) => a.status));
    for (const status of ['BOOKED', 'RESCHEDULED', 'CANCELLED', 'MISSED', 'PROVIDER_FAULT'] as const) expect(statuses.has(status), status).toBe(true);
    const priority = all.filter((a) => a.priority);
    expect(priority).toHaveLength(1);
    const incident = await em.findOneOrFail(ProviderIncident, { id: priority[0].incidentId! });
    expect(incident.confirmedByProvider).toBe(true);
    expect(await em.count(ProviderIncident, { confirmedByProvider: false })).toBe(1);
    expect(await em.count(AuditEvent, { actor: 'system:seed:demo', action: 'appointment.book.priority' })).toBe(1);
    const [slot] = await em.getConnection().execute<{ booked: number }[]>(`select booked from slot where starts_at = '2017-03-06T16:15:00Z'`);
    expect(slot.booked).toBe(1);

    // R-SCH-6: the demo books for paid (or DUN-exempt) registrations only.
    const regIds = [...new Set(all.map((a) => a.registration.id))];
    expect((await em.find(Registration, { id: { $in: regIds } })).every((r) => r.status === 'ACTIVE' || r.status === 'CANCELLED')).toBe(true);

    const second = await seedDemo(orm, { config, steps });
    expect(second.steps.at(-1)!.result).toMatchObject({ created: 0, updated: 0 });
    expect(await orm.em.fork().count(Appointment, {})).toBe(all.length);
  });
});
