import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { paymentsDemoStep } from '../../src/demo/demo-payments';
import { refundsDemoStep } from '../../src/demo/demo-refunds';
import { schedulingDemoStep } from '../../src/demo/demo-scheduling';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed-demo';
import { Appointment, AuditEvent, Payment, ProviderIncident, Registration } from '../../src/entities';
import { createTestDatabase } from '../helpers/database';

let orm: Orm;
let config: Config;
let drop: () => Promise<void>;
let dataDir: string;

beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db.drop;
  dataDir = mkdtempSync(join(tmpdir(), 'cbo-demo-sched-'));
  config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, DATA_DIR: dataDir, TOKEN_SECRET: randomBytes(32).toString('base64url'), PROCTORU_WEBHOOK_SECRET: 'demo-test-webhook-secret' });
  orm = await createOrm(db.url);
});

afterAll(async () => {
  await orm?.close(true);
  await drop?.().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('scheduling demo', () => {
  it('R-SCH/R-INC demo: appointments in every status but COMPLETED (exam issue), a confirmed incident with its priority rebooking; a second run adds nothing', { timeout: 120_000 }, async () => {
    const steps = [...DEMO_STEPS, schedulingDemoStep];
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

    const second = await seedDemo(orm, { config, steps });
    expect(second.steps.at(-1)!.result).toMatchObject({ created: 0, updated: 0 });
    expect(await orm.em.fork().count(Appointment, {})).toBe(all.length);
  });

  it('R-SCH-6 demo: after the payments step and before refunds, the scenarios use paid registrations and a second run adds nothing', { timeout: 300_000 }, async () => {
    const db = await createTestDatabase();
    const other = await createOrm(db.url);
    try {
      const steps = [...DEMO_STEPS, paymentsDemoStep, schedulingDemoStep, refundsDemoStep];
      const first = await seedDemo(other, { config, steps });
      expect(first.steps.at(-2)!.result.created).toBe(6);
      expect(first.steps.at(-1)!.result.created).toBeGreaterThan(0);
      const em = other.em.fork();
      const booked = await em.find(Appointment, { bookedBy: 'system:seed:demo' });
      const regIds = [...new Set(booked.map((a) => a.registration.id))];
      expect(regIds).toHaveLength(6);
      const regs = await em.find(Registration, { id: { $in: regIds } });
      expect(regs.every((r) => r.status === 'ACTIVE')).toBe(true);
      expect(await em.count(Payment, { registration: { $in: regIds } })).toBeGreaterThan(0);
      const second = await seedDemo(other, { config, steps });
      expect(second.steps.at(-2)!.result).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
      expect(await other.em.fork().count(Appointment, {})).toBe(await em.count(Appointment, {}));
    } finally {
      await other.close(true);
      await db.drop().catch(() => undefined);
    }
  });
});
