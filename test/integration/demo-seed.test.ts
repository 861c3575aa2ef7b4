import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords';
import { type Config, loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/db/orm';
import { DEMO_LEARNER_COUNT, DEMO_STAFF_PASSWORD, generateDemoData } from '../../src/demo/demo-data';
import { seedDemo } from '../../src/demo/seed-demo';
import { AuditEvent, CertificationSession, Learner, StaffUser } from '../../src/entities';
import { createTestDatabase } from '../helpers/database';

let orm: Orm;
let config: Config;
let drop: () => Promise<void>;
let dataDir: string;

beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db.drop;
  dataDir = mkdtempSync(join(tmpdir(), 'cbo-demo-'));
  config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    PROCTORU_WEBHOOK_SECRET: 'demo-test-webhook-secret',
  });
  orm = await createOrm(db.url);
});

afterAll(async () => {
  await orm?.close(true);
  await drop?.().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function counts() {
  const em = orm.em.fork();
  return {
    sessions: await em.count(CertificationSession, {}),
    learners: await em.count(Learner, {}),
    profiles: await em.count(Learner, { phone: { $ne: null }, address: { $ne: null }, city: { $ne: null }, timeZone: { $ne: null }, country: { $ne: null } }),
    staff: await em.count(StaffUser, {}),
    audit: await em.count(AuditEvent, {}),
  };
}

describe('demo data generator', () => {
  it('is deterministic and makes unique, valid-looking learners', () => {
    const a = generateDemoData();
    const b = generateDemoData();
    expect(a).toEqual(b);
    expect(generateDemoData(7).learners).not.toEqual(a.learners);
    const learners = a.learners;
    expect(learners).toHaveLength(DEMO_LEARNER_COUNT);
    for (const key of ['externalId', 'email', 'username', 'key'] as const) {
      expect(new Set(learners.map((l) => l[key])).size).toBe(learners.length);
    }
    // Accents, hyphens and names in other scripts are all there.
    expect(learners.some((l) => /[éèêëàâîïôöùûüçœæ]/i.test(l.givenName + l.familyName))).toBe(true);
    expect(learners.some((l) => /-/.test(l.givenName + l.familyName))).toBe(true);
    expect(learners.some((l) => /[\u0370-\u03ff\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff]/.test(l.givenName + l.familyName))).toBe(true);
    const countries = new Set(learners.map((l) => l.profile?.country));
    for (const c of ['FR', 'BE', 'CH', 'CA', 'MA', 'SN', 'US']) expect(countries.has(c)).toBe(true);
    const withProfile = learners.filter((l) => l.profile).length;
    expect(withProfile).toBeGreaterThan(learners.length * 0.8);
    expect(withProfile).toBeLessThan(learners.length);
    expect(learners.filter((l) => l.profile?.country === 'FR').length).toBeGreaterThan(learners.length / 2);
  });
});

describe('seed:demo', () => {
  it('loads the guide session, ~300 learners and one staff account per role, and a second run adds nothing', async () => {
    const before = await counts();
    const first = await seedDemo(orm, { config });
    const afterFirst = await counts();

    expect(afterFirst.sessions - before.sessions).toBe(2);
    expect(afterFirst.learners - before.learners).toBe(DEMO_LEARNER_COUNT);
    expect(afterFirst.profiles).toBe(first.data.learners.filter((l) => l.profile).length);
    expect(first.steps.slice(0, 3).map((s) => s.result.created)).toEqual([2, DEMO_LEARNER_COUNT, first.data.staff.length]);
    // Every later step (payments, appointments, refunds, exam) adds its states.
    for (const step of first.steps.slice(3)) expect(step.result.created, step.name).toBeGreaterThan(0);

    const em = orm.em.fork();
    const guide = await em.findOneOrFail(CertificationSession, { courseCode: '26001S03' });
    expect(guide).toMatchObject({
      courseTitle: 'Introduction à la cartographie des processus métiers',
      university: 'Université Jean Moulin Lyon 3 / IAE Lyon',
      courseStartDate: '2017-01-09',
      priceCents: 6000,
      currency: 'EUR',
      examPeriodStart: '2017-03-01',
      examPeriodEnd: '2017-03-14',
      dailyStart: '15:00',
      dailyEnd: '21:00',
      excludedWeekdays: ['WEDNESDAY'],
      timeZone: 'Europe/Paris',
      examDurationMinutes: 30,
      slotStepMinutes: 15,
      bookingLeadHours: 72,
      slotCapacity: 4,
      evidenceRetentionDays: 42,
      passMarkPercent: 60,
      createdBy: 'system:seed:demo',
    });
    expect(guide.certificateDeadline.toISOString()).toBe('2017-03-14T23:30:00.000Z');

    for (const role of ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'ADMIN'] as const) {
      const users = await em.find(StaffUser, { roles: { $contains: [role] } }, { populate: ['passwordHash'] });
      expect(users.length, role).toBeGreaterThanOrEqual(1);
      expect(await verifyPassword(users[0].passwordHash, DEMO_STAFF_PASSWORD)).toBe(true);
    }
    expect(await em.findOne(StaffUser, { email: 'support@demo.local' })).toMatchObject({ roles: ['SUPPORT'] });

    // Names are stored as given (R-REG-3), including other scripts.
    const wang = first.state.learners.get('wang-fang')!;
    expect(await em.findOneOrFail(Learner, { id: wang.id })).toMatchObject({ givenName: '芳', familyName: '王' });
    const noProfile = await em.findOneOrFail(Learner, { id: first.state.learners.get('zoe-dupont-no-profile')!.id });
    expect(noProfile.profileComplete).toBe(false);

    // Written through the services: audited as the seed.
    const audited = await em.count(AuditEvent, { actor: 'system:seed:demo', action: 'learner.create' });
    expect(audited).toBe(DEMO_LEARNER_COUNT);

    const second = await seedDemo(orm, { config });
    expect(await counts()).toEqual(afterFirst);
    expect(second.steps.map((s) => s.result.created + s.result.updated)).toEqual(second.steps.map(() => 0));
    expect(second.state.learners.get('wang-fang')!.id).toBe(wang.id);
  }, 300_000);
});
