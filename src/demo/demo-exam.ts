import { type Viewer } from '../auth/viewer';
import { TestClock } from '../clock';
import { type ServiceContext } from '../context';
import { type PartInput } from '../domain/exam-content';
import { type CertificationSession, ExamContent, type Learner } from '../entities';
import { AppointmentService } from '../services/appointment.service';
import { AttemptService } from '../services/attempt.service';
import { ExamContentService } from '../services/exam-content.service';
import { IncidentService } from '../services/incident.service';
import { RegistrationService } from '../services/registration.service';
import { ResultService } from '../services/result.service';
import { type DemoStep, type SeedContext, type StepResult } from './seed-demo';

/**
 * Exam demo (R-EXA, R-RES, R-INC-2) on the CARTOPRO'S 2017 session: the exam content (3 parts of 10
 * questions, proctor password `surveillant-2017`, demo only) and nine learners whose exams are replayed
 * through the services at the instants they happened (a clock per call), on Monday 13 March 2017:
 *
 * - SUBMITTED by the learner, passed (26/30), result PUBLISHED;
 * - SUBMITTED by the learner, failed (14/30), result PUBLISHED;
 * - SUBMITTED by TIMEOUT at the deadline, part 3 left as a draft (scores 0, R-EXA-4): 19/30, PUBLISHED;
 * - VOIDED by a confirmed provider fault during the exam, then a priority appointment the same day and
 *   a second attempt, SUBMITTED, result PUBLISHED (R-SCH-7);
 * - SUBMITTED, result PENDING (computed, not published yet: the next COMPUTE_RESULTS run publishes it);
 * - SUBMITTED, result computed, then VOIDED with its attempt by a provider fault confirmed afterwards;
 * - READY (the proctor unlocked it, the learner has not started);
 * - STARTED (part 1 finally checked, part 2 a draft).
 * Read with the real clock, STARTED is long past its deadline and reads (then is stored) as ended by
 * TIMEOUT; with TEST_CLOCK=1 at 2017-03-13T18:05:00Z it reads STARTED with 13 minutes left.
 *
 * Learners: profiled demo learners with no registration on the session (others' demo steps keep
 * theirs), registered as DUN exempt (R-REG-4: no payment needed). Idempotent: when the session has any
 * exam attempt already, the step does nothing.
 */
const SESSION_KEY = 'cartopros-2017';
export const DEMO_PROCTOR_PASSWORD = 'surveillant-2017';
const DAY = '2017-03-13';

const TOPICS: [string, string[]][] = [
  [
    'Processus et cartographie',
    [
      "Qu'est-ce qu'un processus métier ?",
      "À quoi sert une cartographie des processus ?",
      'Quels sont les trois types de processus ?',
      "Qu'est-ce qu'un processus de pilotage ?",
      "Qu'est-ce qu'un processus support ?",
      "Qui est le pilote d'un processus ?",
      "Qu'appelle-t-on client d'un processus ?",
      'Quelle norme encourage l’approche processus ?',
      "Qu'est-ce qu'une entrée de processus ?",
      "Qu'est-ce qu'une interface entre processus ?",
    ],
  ],
  [
    'Modélisation BPMN',
    [
      'Que représente un couloir (lane) en BPMN ?',
      'Que représente un losange en BPMN ?',
      "Qu'est-ce qu'un événement de début ?",
      'Quelle différence entre flux de séquence et flux de message ?',
      "Qu'est-ce qu'une tâche en BPMN ?",
      "Qu'est-ce qu'un sous-processus ?",
      "Qu'est-ce qu'une passerelle parallèle ?",
      "Qu'est-ce qu'un pool ?",
      "Qu'est-ce qu'un objet de données ?",
      'Quand utiliser un événement intermédiaire ?',
    ],
  ],
  [
    'Pilotage et amélioration',
    [
      "Qu'est-ce qu'un indicateur de performance ?",
      'Que signifie PDCA ?',
      "Qu'est-ce qu'une revue de processus ?",
      "Qu'est-ce qu'une non-conformité ?",
      "Qu'est-ce qu'une action corrective ?",
      'À quoi sert un tableau de bord ?',
      "Qu'est-ce que le Lean ?",
      "Qu'est-ce qu'un gaspillage (muda) ?",
      "Qu'est-ce qu'un audit de processus ?",
      "Qu'est-ce que l'amélioration continue ?",
    ],
  ],
];

/** The correct set of question q of part p: a single answer, or two for every third question. */
const correct = (p: number, q: number): number[] => (q % 3 === 0 ? [0, 2] : [(p + q) % 4]);

export function demoExamParts(): PartInput[] {
  return TOPICS.map(([title, prompts], p) => ({
    title,
    questions: prompts.map((prompt, q) => ({
      prompt,
      choices: ['Première proposition', 'Deuxième proposition', 'Troisième proposition', 'Quatrième proposition'],
      correctChoices: correct(p, q),
    })),
  }));
}

/** Answers to part p with `right` of its 10 questions right. */
const score = (p: number, right: number): number[][] => Array.from({ length: 10 }, (_, q) => (q < right ? correct(p, q) : [(correct(p, q)[0] + 1) % 4]));

const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00Z`);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

type Ctx = (iso: Date, viewer?: Viewer) => ServiceContext;

const appointments = new AppointmentService();
const attempts = new AttemptService();
const incidents = new IncidentService();
const registrations = new RegistrationService();
const results = new ResultService();
const content = new ExamContentService();

interface Exam {
  registrationId: string;
  appointmentId: string;
  attemptId: string;
  start: Date;
  learner: Viewer;
}

/** Booked on 20 February; the proctor unlocks at the start; the learner starts 3 minutes later. */
async function exam(ctx: Ctx, registrationId: string, learner: Learner, start: Date, opts: { begin?: boolean } = {}): Promise<Exam> {
  const me: Viewer = { kind: 'LEARNER', id: learner.id, learnerId: learner.id, roles: ['LEARNER'] };
  const a = await appointments.book(ctx(new Date('2017-02-20T09:30:00Z'), me), { registrationId, startsAt: start });
  const attempt = await attempts.unlock(ctx(plus(start, -2)), { appointmentId: a.id, proctorPassword: DEMO_PROCTOR_PASSWORD });
  if (opts.begin !== false) await attempts.start(ctx(plus(start, 3), me), attempt.id);
  return { registrationId, appointmentId: a.id, attemptId: attempt.id, start, learner: me };
}

async function answerParts(ctx: Ctx, e: Exam, parts: { submit: number[][] | null; draft?: number[][] }[], from = 5): Promise<void> {
  for (const [i, p] of parts.entries()) {
    if (p.draft) await attempts.saveDraft(ctx(plus(e.start, from + i * 7), e.learner), { attemptId: e.attemptId, part: i + 1, answers: p.draft });
    if (p.submit) await attempts.submitPart(ctx(plus(e.start, from + i * 7 + 1), e.learner), { attemptId: e.attemptId, part: i + 1, answers: p.submit });
  }
}

/** A fault during the exam, `occurred` minutes after its start, reported and confirmed at the given instants. */
async function providerFault(ctx: Ctx, e: Exam, occurred: number, reportedAt: Date, confirmedAt: Date, reference: string): Promise<string> {
  const incident = await incidents.report(ctx(reportedAt), {
    appointmentId: e.appointmentId,
    kind: 'SOFTWARE_FAILURE',
    description: "Le navigateur sécurisé s'est fermé ; le surveillant n'a pas pu rouvrir la session d'examen.",
    occurredAt: plus(e.start, occurred),
  });
  // R-INC-2: the confirmation voids the attempt (the incident service calls voidAttemptsForIncident).
  await incidents.confirm(ctx(confirmedAt), { incidentId: incident.id, providerReference: reference });
  return incident.id;
}

export async function seedExamDemo({ ctx, data, state }: SeedContext): Promise<StepResult> {
  const result: StepResult = { created: 0, updated: 0, unchanged: 0 };
  const session: CertificationSession | undefined = state.sessions.get(SESSION_KEY);
  if (!session) return result;
  const conn = ctx.em.getConnection();
  const [{ n }] = await conn.execute<{ n: string }[]>('select count(*) as n from exam_attempt where session_id = ?', [session.id]);
  if (Number(n) > 0) {
    result.unchanged++;
    return result;
  }
  const ctxAt: Ctx = (iso, viewer) => ({ ...ctx, em: ctx.em.fork(), clock: new TestClock(iso), viewer: viewer ?? ctx.viewer });
  if (!(await ctx.em.fork().findOne(ExamContent, { sessionId: session.id }))) {
    await content.set(ctxAt(new Date('2017-02-15T09:00:00Z')), { sessionId: session.id, parts: demoExamParts(), proctorPassword: DEMO_PROCTOR_PASSWORD });
    result.created++;
  }

  const registered = new Set((await conn.execute<{ learner_id: string }[]>('select learner_id from registration where session_id = ?', [session.id])).map((r) => r.learner_id));
  const free = data.learners
    .filter((d) => d.profile && d.key.startsWith('learner-'))
    .map((d) => state.learners.get(d.key))
    .filter((l): l is Learner => Boolean(l) && !registered.has(l!.id));
  // From the middle of the list: other demo steps take theirs from the ends.
  const pool = free.slice(Math.floor(free.length / 3));
  const next = async (): Promise<{ learner: Learner; registrationId: string }> => {
    const learner = pool.shift();
    if (!learner) throw new Error('No free demo learner left for the exam demo');
    const c = ctxAt(new Date('2017-02-15T10:00:00Z'));
    const r = await registrations.start(c, { sessionId: session.id, learnerId: learner.id, dunEnrolled: true });
    await registrations.acknowledgeRequirements(ctxAt(new Date('2017-02-15T10:00:00Z')), r.id);
    await registrations.acceptTerms(ctxAt(new Date('2017-02-15T10:01:00Z')), { registrationId: r.id, termsVersion: 'FUN-ProctorU-2017-01' });
    await registrations.lockName(ctxAt(new Date('2017-02-15T10:02:00Z')), { registrationId: r.id, givenName: learner.givenName, familyName: learner.familyName });
    return { learner, registrationId: r.id };
  };

  // 1. Ended, graded and published at once.
  const passed = await next();
  const e1 = await exam(ctxAt, passed.registrationId, passed.learner, at('14:00'));
  await answerParts(ctxAt, e1, [{ submit: score(0, 9) }, { draft: score(1, 5), submit: score(1, 8) }, { submit: score(2, 9) }]);
  await attempts.finish(ctxAt(plus(e1.start, 27), e1.learner), e1.attemptId);

  const failed = await next();
  const e2 = await exam(ctxAt, failed.registrationId, failed.learner, at('14:15'));
  await answerParts(ctxAt, e2, [{ submit: score(0, 6) }, { submit: score(1, 4) }, { submit: score(2, 4) }]);
  await attempts.finish(ctxAt(plus(e2.start, 30), e2.learner), e2.attemptId);

  const timedOut = await next();
  const e3 = await exam(ctxAt, timedOut.registrationId, timedOut.learner, at('14:30'));
  await answerParts(ctxAt, e3, [{ submit: score(0, 10) }, { submit: score(1, 9) }, { draft: score(2, 10), submit: null }]);
  // Nobody finished it: the attempt is read 40 minutes after its deadline, which ends it at the deadline.
  await attempts.get(ctxAt(plus(e3.start, 75)), e3.attemptId);

  const faulted = await next();
  const e4 = await exam(ctxAt, faulted.registrationId, faulted.learner, at('14:45'));
  await answerParts(ctxAt, e4, [{ submit: score(0, 7) }]);
  const incidentId = await providerFault(ctxAt, e4, 12, plus(e4.start, 16), plus(e4.start, 20), 'PU-2017-03-13-0731');
  const priority = await appointments.bookPriority(ctxAt(plus(e4.start, 30)), { registrationId: faulted.registrationId, incidentId, startsAt: at('17:00') });
  const second = await attempts.unlock(ctxAt(at('16:58')), { appointmentId: priority.id, proctorPassword: DEMO_PROCTOR_PASSWORD });
  await attempts.start(ctxAt(at('17:02'), e4.learner), second.id);
  const e4b: Exam = { ...e4, appointmentId: priority.id, attemptId: second.id, start: at('17:00') };
  await answerParts(ctxAt, e4b, [{ submit: score(0, 9) }, { submit: score(1, 7) }, { submit: score(2, 8) }]);
  await attempts.finish(ctxAt(at('17:26'), e4.learner), second.id);

  await results.computeAll(ctxAt(at('17:35')));

  // 2. Ended and computed, not published yet; the second one then voided by a late-confirmed fault.
  const pending = await next();
  const e5 = await exam(ctxAt, pending.registrationId, pending.learner, at('16:00'));
  await answerParts(ctxAt, e5, [{ submit: score(0, 8) }, { submit: score(1, 8) }, { submit: score(2, 6) }]);
  await attempts.finish(ctxAt(plus(e5.start, 25), e5.learner), e5.attemptId);

  const voided = await next();
  const e6 = await exam(ctxAt, voided.registrationId, voided.learner, at('16:15'));
  await answerParts(ctxAt, e6, [{ submit: score(0, 3) }, { submit: score(1, 2) }, { submit: score(2, 5) }]);
  await attempts.finish(ctxAt(plus(e6.start, 29), e6.learner), e6.attemptId);

  await results.computeAll(ctxAt(at('17:40')), { publish: false });
  await providerFault(ctxAt, e6, 20, at('17:00'), at('17:45'), 'PU-2017-03-13-0802');

  // 3. In progress at 18:10: unlocked only, and started.
  const ready = await next();
  await exam(ctxAt, ready.registrationId, ready.learner, at('18:00'), { begin: false });

  const started = await next();
  const e8 = await exam(ctxAt, started.registrationId, started.learner, at('17:45'));
  await answerParts(ctxAt, e8, [{ submit: score(0, 8) }, { draft: score(1, 6), submit: null }]);

  result.created += 8;
  return result;
}

/** The step to add to DEMO_STEPS, after the learners (and any registration, payment or scheduling step). */
export const examDemoStep: DemoStep = { name: 'exam attempts and results', run: seedExamDemo };
