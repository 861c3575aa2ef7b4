import { expect } from 'vitest';
import { systemViewer } from '../../src/auth/viewer';
import { type ServiceContext } from '../../src/context';
import { createLogger } from '../../src/logging';
import { book, createSession, registration, type TestRegistration } from './scheduling-factories';
import { type GqlResult, type TestServer } from './server';

/**
 * Exam test data (R-EXA, R-RES): a session with its exam content, and learners with a paid
 * registration and a BOOKED appointment booked through `bookAppointment` (the scheduling service,
 * so slot counters stay right), at a slot of their own.
 */
export const PROCTOR_PASSWORD = 'proctor-pass-2017';
export const BOOKING_TIME = '2017-02-20T10:00:00Z';

/** The correct set of question q of part p (0-based): some single, some double answers. */
export function correctChoices(p: number, q: number): number[] {
  return q % 3 === 0 ? [0, 2] : [(p + q) % 4];
}

/** The answer key as a learner would submit it to score 10 on part p. */
export function rightAnswers(p: number): number[][] {
  return Array.from({ length: 10 }, (_, q) => correctChoices(p, q));
}

/** Answers with exactly `right` of the 10 questions of part p correct. */
export function answersWithScore(p: number, right: number): number[][] {
  return Array.from({ length: 10 }, (_, q) => (q < right ? correctChoices(p, q) : [(correctChoices(p, q)[0] + 1) % 4]));
}

export function examParts(): { title: string; questions: { prompt: string; choices: string[]; correctChoices: number[] }[] }[] {
  return [0, 1, 2].map((p) => ({
    title: ['Processus et cartographie', 'Modélisation BPMN', 'Pilotage et amélioration'][p],
    questions: Array.from({ length: 10 }, (_, q) => ({
      prompt: `Partie ${p + 1}, question ${q + 1} : quelle affirmation est juste ?`,
      choices: ['Réponse A', 'Réponse B', 'Réponse C', 'Réponse D'],
      correctChoices: correctChoices(p, q),
    })),
  }));
}

export const SET_CONTENT = `mutation($i: SetExamContentInput!) { setExamContent(input: $i) { session { id hasExamContent } errors { code message field } } }`;

export async function setContent(s: TestServer, sessionId: string, parts = examParts(), proctorPassword = PROCTOR_PASSWORD) {
  const r = await s.gql<{ setExamContent: { session: { id: string; hasExamContent: boolean } | null; errors: UserErr[] } }>(SET_CONTENT, { i: { sessionId, parts, proctorPassword } }, await s.tokenFor('CERTIFICATION'));
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.setExamContent;
}

/** A session of the seed calendar with its exam content. */
export async function examSession(s: TestServer, overrides: Parameters<typeof createSession>[1] = {}): Promise<string> {
  const sessionId = await createSession(s, overrides);
  const r = await setContent(s, sessionId);
  expect(r.errors).toEqual([]);
  return sessionId;
}

/** Bookable starts of the seed session (March 2017 is UTC+1 in Paris): 14:00Z to 19:30Z, no Wednesdays. */
export function slotStarts(): string[] {
  const out: string[] = [];
  for (let day = 2; day <= 14; day++) {
    if (day === 8) continue; // Wednesday 8 March (1 March is also a Wednesday)
    for (let m = 14 * 60; m <= 19 * 60 + 30; m += 15) {
      out.push(`2017-03-${String(day).padStart(2, '0')}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00.000Z`);
    }
  }
  return out;
}

let nextSlot = 0;
/** A start nobody else in this test file has used yet. */
export function freshStart(): string {
  const all = slotStarts();
  return all[nextSlot++ % all.length];
}

export interface Booked extends TestRegistration {
  sessionId: string;
  appointmentId: string;
  startsAt: string;
}

/** A paid learner with a BOOKED appointment (booked on 20 February, R-SCH-2). The clock is left at the booking time. */
export async function bookedLearner(s: TestServer, sessionId: string, startsAt = freshStart()): Promise<Booked> {
  const reg = await registration(s, sessionId);
  await s.setClock(BOOKING_TIME);
  const r = await book(s, reg.registrationId, startsAt, reg.token);
  expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  return { ...reg, sessionId, appointmentId: r.appointment!.id, startsAt };
}

export interface UserErr {
  code: string;
  message: string;
  field: string[] | null;
}

export const ATTEMPT_FIELDS = `id status endedBy unlockedAt startedAt deadline submittedAt remainingSeconds voidReason
  registration { id } appointment { id status }
  parts { number title status answers submittedAt questions { number prompt choices } }`;

export interface AttemptView {
  id: string;
  status: string;
  endedBy: string | null;
  unlockedAt: string;
  startedAt: string | null;
  deadline: string | null;
  submittedAt: string | null;
  remainingSeconds: number | null;
  voidReason: string | null;
  registration: { id: string };
  appointment: { id: string; status: string };
  parts: { number: number; title: string; status: string; answers: number[][] | null; submittedAt: string | null; questions: { number: number; prompt: string; choices: string[] }[] }[];
}

export interface AttemptPayloadView {
  attempt: AttemptView | null;
  errors: UserErr[];
}

function payloadOf(r: GqlResult<Record<string, AttemptPayloadView>>, name: string): AttemptPayloadView {
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data![name];
}

export async function unlock(s: TestServer, appointmentId: string, proctorPassword = PROCTOR_PASSWORD, token?: string): Promise<AttemptPayloadView> {
  const r = await s.gql<Record<string, AttemptPayloadView>>(
    `mutation($i: UnlockExamInput!) { unlockExam(input: $i) { attempt { ${ATTEMPT_FIELDS} } errors { code message field } } }`,
    { i: { appointmentId, proctorPassword } },
    token ?? (await s.tokenFor('INTEGRATION')),
  );
  return payloadOf(r, 'unlockExam');
}

export async function startAttempt(s: TestServer, attemptId: string, token: string): Promise<AttemptPayloadView> {
  const r = await s.gql<Record<string, AttemptPayloadView>>(`mutation($id: ID!) { startAttempt(attemptId: $id) { attempt { ${ATTEMPT_FIELDS} } errors { code message field } } }`, { id: attemptId }, token);
  return payloadOf(r, 'startAttempt');
}

export async function finishAttempt(s: TestServer, attemptId: string, token: string): Promise<AttemptPayloadView> {
  const r = await s.gql<Record<string, AttemptPayloadView>>(`mutation($id: ID!) { finishAttempt(attemptId: $id) { attempt { ${ATTEMPT_FIELDS} } errors { code message field } } }`, { id: attemptId }, token);
  return payloadOf(r, 'finishAttempt');
}

export async function answer(s: TestServer, op: 'saveDraft' | 'submitPart', attemptId: string, part: number, answers: number[][], token: string): Promise<AttemptPayloadView> {
  const r = await s.gql<Record<string, AttemptPayloadView>>(
    `mutation($i: SaveAnswersInput!) { ${op}(input: $i) { attempt { ${ATTEMPT_FIELDS} } errors { code message field } } }`,
    { i: { attemptId, part, answers } },
    token,
  );
  return payloadOf(r, op);
}

export async function readAttempt(s: TestServer, id: string, token?: string): Promise<AttemptView | null> {
  const r = await s.gql<{ attempt: AttemptView | null }>(`query($id: ID!) { attempt(id: $id) { ${ATTEMPT_FIELDS} } }`, { id }, token ?? (await s.tokenFor('SUPPORT')));
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.attempt;
}

/** A booked learner whose attempt the proctor unlocked at the appointment start (the clock is left there). */
export async function unlockedAttempt(s: TestServer, sessionId: string): Promise<Booked & { attemptId: string }> {
  const b = await bookedLearner(s, sessionId);
  await s.setClock(b.startsAt);
  const u = await unlock(s, b.appointmentId);
  expect(u.errors, JSON.stringify(u.errors)).toEqual([]);
  return { ...b, attemptId: u.attempt!.id };
}

/** ... and started by the learner at the appointment start: deadline = start + 30 min. */
export async function startedAttempt(s: TestServer, sessionId: string): Promise<Booked & { attemptId: string; deadline: string }> {
  const u = await unlockedAttempt(s, sessionId);
  const st = await startAttempt(s, u.attemptId, u.token);
  expect(st.errors, JSON.stringify(st.errors)).toEqual([]);
  return { ...u, deadline: st.attempt!.deadline! };
}

export const plusMinutes = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

export const RESULT_FIELDS = 'id partScores totalScore maxScore percent passed status computedAt publishedAt attempt { id } registration { id }';

export interface ResultView {
  id: string;
  partScores: number[];
  totalScore: number;
  maxScore: number;
  percent: number;
  passed: boolean;
  status: string;
  computedAt: string;
  publishedAt: string | null;
}

export async function registrationExam(s: TestServer, registrationId: string, token?: string) {
  const r = await s.gql<{ registration: { attempts: AttemptView[]; result: ResultView | null } | null }>(
    `query($id: ID!) { registration(id: $id) { attempts { ${ATTEMPT_FIELDS} } result { ${RESULT_FIELDS} } } }`,
    { id: registrationId },
    token ?? (await s.tokenFor('SUPPORT')),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.registration;
}

export async function runJob(s: TestServer, job: 'END_EXPIRED_ATTEMPTS' | 'COMPUTE_RESULTS') {
  const r = await s.gql<{ runJob: { jobRun: { status: string; itemsProcessed: number; error: string | null } | null; errors: UserErr[] } }>(
    'mutation($j: JobName!) { runJob(job: $j) { jobRun { status itemsProcessed error } errors { code message field } } }',
    { j: job },
    await s.tokenFor('ADMIN'),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  expect(r.data!.runJob.errors).toEqual([]);
  return r.data!.runJob.jobRun!;
}

/** A service context on the test server's database and clock, for calling hooks and services directly. */
export function serviceCtx(s: TestServer, what = 'test'): ServiceContext {
  return { em: s.orm.em.fork(), viewer: systemViewer(what), clock: s.clock, config: s.config, requestId: `test-${what}`, log: createLogger('silent') };
}
