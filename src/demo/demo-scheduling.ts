import { TestClock } from '../clock';
import { type ServiceContext } from '../context';
import { Appointment, type Learner, RefundRequest, Registration } from '../entities';
import { AppointmentService } from '../services/appointment.service';
import { IncidentService } from '../services/incident.service';
import { RegistrationService } from '../services/registration.service';
import { type DemoStep, type SeedContext, type StepResult } from './seed-demo';

/**
 * Scheduling demo (R-SCH, R-INC): on the CARTOPRO'S 2017 session, six learners whose histories are
 * replayed through the services at the instants they happened (a clock per call), so every row has
 * its audit events and passes the same rules as a real call:
 *
 * - BOOKED: booked on 20 February for Monday 6 March, 15:00 Paris;
 * - RESCHEDULED → BOOKED: booked for 3 March, moved on 22 February to 7 March;
 * - CANCELLED: booked for 9 March, cancelled on 25 February;
 * - MISSED → BOOKED: missed 2 March (stored MISSED when rebooking on 4 March, the lazy half of the
 *   lifecycle), booked again for 10 March, preferably a learner in America/ (R-SCH-4);
 * - PROVIDER_FAULT → priority BOOKED: a disconnection on 6 March confirmed by ProctorU, then a priority
 *   appointment booked by support 1 h 15 later (R-SCH-7);
 * - an incident reported by support and not confirmed yet.
 * COMPLETED needs an exam attempt: the exam issue adds it. Read with the real clock (after 2017), every
 * BOOKED appointment shows MISSED; with TEST_CLOCK=1 and the clock on 1 March 2017 they show BOOKED.
 *
 * Learners: profiled generated learners from the end of the list. An ACTIVE registration an earlier
 * step made (paid or DUN exempt, no refund request) is used as it is; a learner with no registration
 * registers as DUN exempt (R-REG-4, no payment needed). Run it after the payments step (either side
 * of the refunds step: each skips the other's learners).
 * Idempotent: the same walk on a second run finds its learners holding this step's appointments and
 * leaves them alone.
 */
const SESSION_KEY = 'cartopros-2017';

type Scenario = (ctx: (at: string) => ServiceContext, registrationId: string) => Promise<void>;

const appointments = new AppointmentService();
const incidents = new IncidentService();
const registrations = new RegistrationService();

const d = (iso: string) => new Date(iso);

const SCENARIOS: { name: string; wantsAmericas?: boolean; run: Scenario }[] = [
  {
    name: 'booked',
    run: async (ctx, registrationId) => {
      await appointments.book(ctx('2017-02-20T09:00:00Z'), { registrationId, startsAt: d('2017-03-06T14:00:00Z') });
    },
  },
  {
    name: 'rescheduled',
    run: async (ctx, registrationId) => {
      const a = await appointments.book(ctx('2017-02-20T09:05:00Z'), { registrationId, startsAt: d('2017-03-03T14:00:00Z') });
      await appointments.reschedule(ctx('2017-02-22T18:30:00Z'), { appointmentId: a.id, startsAt: d('2017-03-07T14:30:00Z') });
    },
  },
  {
    name: 'cancelled',
    run: async (ctx, registrationId) => {
      const a = await appointments.book(ctx('2017-02-20T09:10:00Z'), { registrationId, startsAt: d('2017-03-09T16:00:00Z') });
      await appointments.cancel(ctx('2017-02-25T11:00:00Z'), { appointmentId: a.id, reason: 'Le candidat ne sera pas disponible cette semaine-là.' });
    },
  },
  {
    name: 'missed, then booked again',
    wantsAmericas: true,
    run: async (ctx, registrationId) => {
      await appointments.book(ctx('2017-02-20T09:15:00Z'), { registrationId, startsAt: d('2017-03-02T14:00:00Z') });
      await appointments.book(ctx('2017-03-04T12:00:00Z'), { registrationId, startsAt: d('2017-03-10T15:00:00Z') });
    },
  },
  {
    name: 'provider fault, priority rebooking',
    run: async (ctx, registrationId) => {
      const a = await appointments.book(ctx('2017-02-21T10:00:00Z'), { registrationId, startsAt: d('2017-03-06T14:15:00Z') });
      const incident = await incidents.report(ctx('2017-03-06T14:40:00Z'), {
        appointmentId: a.id,
        kind: 'DISCONNECTION',
        description: "Connexion perdue à la question 12 ; le surveillant n'a pas pu rétablir la session.",
        occurredAt: d('2017-03-06T14:31:00Z'),
      });
      await incidents.confirm(ctx('2017-03-06T14:50:00Z'), { incidentId: incident.id, providerReference: 'PU-2017-03-06-0412' });
      await appointments.bookPriority(ctx('2017-03-06T15:00:00Z'), { registrationId, incidentId: incident.id, startsAt: d('2017-03-06T16:15:00Z') });
    },
  },
  {
    name: 'incident awaiting confirmation',
    run: async (ctx, registrationId) => {
      const a = await appointments.book(ctx('2017-02-21T10:05:00Z'), { registrationId, startsAt: d('2017-03-07T14:00:00Z') });
      await incidents.report(ctx('2017-03-07T14:45:00Z'), {
        appointmentId: a.id,
        kind: 'PROCTOR_UNAVAILABLE',
        description: "Aucun surveillant disponible à l'heure du rendez-vous ; appel au support à 15 h 40.",
        occurredAt: d('2017-03-07T14:05:00Z'),
      });
    },
  },
];

type Candidate = { learner: Learner; registration: Registration | null; done: boolean };

/**
 * Walks the profiled generated learners from the end of the list, in the same order on every run, and
 * keeps those the scenarios can use: one already holding this step's appointments (done on an earlier
 * run), an ACTIVE registration (paid or DUN exempt, by an earlier step) with no appointment and no
 * refund request, or no registration at all (then registered DUN exempt). Anything else is skipped.
 */
async function candidates({ ctx, state }: SeedContext, sessionId: string): Promise<Candidate[]> {
  const em = ctx.em.fork();
  const learners = [...state.learners.entries()]
    .filter(([key, l]) => key.startsWith('learner-') && l.profileComplete)
    .map(([, l]) => l)
    .reverse();
  const regs = new Map((await em.find(Registration, { session: sessionId, learner: { $in: learners.map((l) => l.id) } })).map((r) => [r.learner.id, r]));
  const regIds = [...regs.values()].map((r) => r.id);
  const withAppointments = new Map<string, string[]>();
  for (const a of await em.find(Appointment, { registration: { $in: regIds } })) withAppointments.set(a.registration.id, [...(withAppointments.get(a.registration.id) ?? []), a.bookedBy]);
  const withRefunds = new Set((await em.find(RefundRequest, { registration: { $in: regIds } })).map((r) => r.registration.id));
  const out: Candidate[] = [];
  for (const learner of learners) {
    const registration = regs.get(learner.id) ?? null;
    if (!registration) out.push({ learner, registration, done: false });
    else if (withAppointments.get(registration.id)?.includes(SEED_ACTOR)) out.push({ learner, registration, done: true });
    else if (registration.status === 'ACTIVE' && !withAppointments.has(registration.id) && !withRefunds.has(registration.id)) out.push({ learner, registration, done: false });
  }
  return out;
}

const SEED_ACTOR = 'system:seed:demo';

export async function seedSchedulingDemo(seed: SeedContext): Promise<StepResult> {
  const { ctx, state } = seed;
  const result: StepResult = { created: 0, updated: 0, unchanged: 0 };
  const session = state.sessions.get(SESSION_KEY);
  if (!session) return result;
  const at = (iso: string): ServiceContext => ({ ...ctx, em: ctx.em.fork(), clock: new TestClock(new Date(iso)) });

  // Each scenario takes the next candidate; the time-zone one prefers a learner in the Americas.
  const todo = [...SCENARIOS];
  const assigned: { scenario: (typeof SCENARIOS)[number]; candidate: Candidate }[] = [];
  const spare: Candidate[] = [];
  for (const candidate of await candidates(seed, session.id)) {
    if (todo.length === 0) break;
    const americas = Boolean(candidate.learner.timeZone?.startsWith('America/'));
    let i = todo.findIndex((sc) => Boolean(sc.wantsAmericas) === americas);
    if (i < 0) i = todo.findIndex((sc) => !sc.wantsAmericas);
    if (i < 0) {
      spare.push(candidate);
      continue;
    }
    assigned.push({ scenario: todo[i], candidate });
    todo.splice(i, 1);
  }
  // No learner in the Americas: the time-zone scenario takes the first one left over.
  while (todo.length && spare.length) assigned.push({ scenario: todo.shift()!, candidate: spare.shift()! });
  if (todo.length) ctx.log.warn({ scenarios: todo.map((sc) => sc.name) }, 'demo: not enough learners for every scheduling scenario');

  for (const { scenario, candidate } of assigned) {
    if (candidate.done) {
      result.unchanged++;
      continue;
    }
    let registration = candidate.registration;
    if (!registration) {
      const t = '2017-02-15T10:00:00Z';
      const { learner } = candidate;
      registration = await registrations.start(at(t), { sessionId: session.id, learnerId: learner.id, dunEnrolled: true });
      await registrations.acknowledgeRequirements(at(t), registration.id);
      await registrations.acceptTerms(at(t), { registrationId: registration.id, termsVersion: 'FUN-ProctorU-2017-01' });
      await registrations.lockName(at(t), { registrationId: registration.id, givenName: learner.givenName, familyName: learner.familyName });
    }
    await scenario.run(at, registration.id);
    result.created++;
  }
  return result;
}

/** The step to add to DEMO_STEPS, after the payments step. */
export const schedulingDemoStep: DemoStep = { name: 'appointments and provider incidents', run: seedSchedulingDemo };
