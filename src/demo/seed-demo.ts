import { type FastifyBaseLogger } from 'fastify';
import { TokenSigner } from '../auth/tokens';
import { systemViewer } from '../auth/viewer';
import { type Clock, SystemClock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { type Orm } from '../db/orm';
import { CertificationSession, Learner, StaffUser } from '../entities';
import { CertificationSessionService } from '../services/certification-session.service';
import { createLogger } from '../logging';
import { IdentityService } from '../services/identity.service';
import { LearnerService } from '../services/learner.service';
import { type DemoData, type DemoLearner, generateDemoData } from './demo-data';
import { examDemoStep } from './demo-exam';
import { paymentsDemoStep } from './demo-payments';
import { refundsDemoStep } from './demo-refunds';
import { schedulingDemoStep } from './demo-scheduling';

/**
 * Loads the demo data set (demo-data.ts) through the services, as the system actor `seed:demo`, so
 * every row passes the same validation and leaves the same audit events as a real call. Idempotent:
 * each step looks for what exists first (session by course code and exam period start, learner by
 * external id, staff user by e-mail) and writes only what is missing or different, so a second run
 * adds nothing, not even an audit event.
 *
 * To extend the demo (registrations, payments, appointments...), add data to demo-data.ts and a step
 * to DEMO_STEPS; a step finds the sessions and learners of the earlier steps in `state` by key.
 */

export interface StepResult {
  created: number;
  updated: number;
  unchanged: number;
}

export interface DemoState {
  sessions: Map<string, CertificationSession>;
  learners: Map<string, Learner>;
  staff: Map<string, StaffUser>;
}

export interface DemoServices {
  sessions: CertificationSessionService;
  learners: LearnerService;
  identity: IdentityService;
}

export interface SeedContext {
  /** A context for service calls, with a fresh entity manager for this step. */
  ctx: ServiceContext;
  services: DemoServices;
  data: DemoData;
  state: DemoState;
}

export interface DemoStep {
  name: string;
  run(seed: SeedContext): Promise<StepResult>;
}

const result = (): StepResult => ({ created: 0, updated: 0, unchanged: 0 });

/** R-SES-1: the CARTOPRO'S 2017 session of the guide and a later one. */
const sessionsStep: DemoStep = {
  name: 'certification sessions',
  async run({ ctx, services, data, state }) {
    const r = result();
    for (const s of data.sessions) {
      let session = await ctx.em.findOne(CertificationSession, { courseCode: s.input.courseCode, examPeriodStart: s.input.examPeriodStart });
      if (session) r.unchanged++;
      else {
        session = await services.sessions.create(ctx, s.input);
        r.created++;
      }
      state.sessions.set(s.key, session);
    }
    return r;
  },
};

function sameAccount(learner: Learner, d: DemoLearner): boolean {
  return learner.email === d.email.toLowerCase() && learner.username === d.username && learner.givenName === d.givenName && learner.familyName === d.familyName;
}

function sameProfile(learner: Learner, d: DemoLearner): boolean {
  const p = d.profile;
  if (!p) return true; // the demo never erases a profile a learner entered
  return learner.phone === p.phone && learner.address === p.address && learner.city === p.city && learner.timeZone === p.timeZone && learner.country === p.country;
}

/**
 * Learners (upserts by external id) and their ProctorU profiles (R-REG-5). Each service call gets a
 * fresh entity manager: one growing identity map would make every flush slower than the last.
 */
const learnersStep: DemoStep = {
  name: 'learners',
  async run({ ctx, services, data, state }) {
    const r = result();
    const fresh = (): ServiceContext => ({ ...ctx, em: ctx.em.fork() });
    const existing = new Map<string, Learner>();
    for (const l of await ctx.em.find(Learner, { externalId: { $in: data.learners.map((d) => d.externalId) } })) existing.set(l.externalId, l);
    for (const d of data.learners) {
      let learner = existing.get(d.externalId);
      let changed = false;
      if (!learner || !sameAccount(learner, d)) {
        learner = await services.learners.upsert(fresh(), { externalId: d.externalId, email: d.email, username: d.username, givenName: d.givenName, familyName: d.familyName });
        changed = true;
      }
      if (d.profile && !sameProfile(learner, d)) {
        learner = await services.learners.setProctoringProfile(fresh(), { learnerId: learner.id, ...d.profile });
        changed = true;
      }
      if (!existing.has(d.externalId)) r.created++;
      else if (changed) r.updated++;
      else r.unchanged++;
      state.learners.set(d.key, learner);
    }
    return r;
  },
};

/** One staff account per role, with the documented demo password. */
const staffStep: DemoStep = {
  name: 'staff accounts',
  async run({ ctx, services, data, state }) {
    const r = result();
    for (const s of data.staff) {
      let user = await ctx.em.findOne(StaffUser, { email: s.email.toLowerCase() });
      if (user) r.unchanged++;
      else {
        user = await services.identity.createStaffUser(ctx, s);
        r.created++;
      }
      state.staff.set(s.email, user);
    }
    return r;
  },
};

/** In order: later steps may use what earlier ones put in `state`. */
export const DEMO_STEPS: DemoStep[] = [sessionsStep, learnersStep, staffStep, paymentsDemoStep, schedulingDemoStep, refundsDemoStep, examDemoStep];

export interface SeedOptions {
  config: Config;
  clock?: Clock;
  log?: FastifyBaseLogger;
  /** The PRNG seed of the generated learners (demo-data.ts DEMO_SEED by default). */
  seed?: number;
  steps?: DemoStep[];
}

export interface SeedSummary {
  steps: { name: string; result: StepResult; ms: number }[];
  state: DemoState;
  data: DemoData;
}

/** Runs every demo step against a migrated database. */
export async function seedDemo(orm: Orm, opts: SeedOptions): Promise<SeedSummary> {
  const clock = opts.clock ?? new SystemClock();
  const log = opts.log ?? createLogger('silent');
  const data = generateDemoData(opts.seed);
  const services: DemoServices = {
    sessions: new CertificationSessionService(),
    learners: new LearnerService(),
    identity: new IdentityService(new TokenSigner(opts.config.tokenSecret), opts.config, clock),
  };
  const state: DemoState = { sessions: new Map(), learners: new Map(), staff: new Map() };
  const steps: SeedSummary['steps'] = [];
  for (const step of opts.steps ?? DEMO_STEPS) {
    const ctx: ServiceContext = { em: orm.em.fork(), viewer: systemViewer('seed:demo'), clock, config: opts.config, requestId: 'seed-demo', log };
    const started = performance.now();
    const stepResult = await step.run({ ctx, services, data, state });
    const ms = Math.round(performance.now() - started);
    log.info({ step: step.name, ...stepResult, ms }, `demo: ${step.name}`);
    steps.push({ name: step.name, result: stepResult, ms });
  }
  return { steps, state, data };
}
