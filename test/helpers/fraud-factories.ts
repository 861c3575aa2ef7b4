import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { type EvidenceKind } from '../../src/entities/evidence.entity';
import { type FsObjectStore } from '../../src/storage';
import { type UserErr } from './exam-factories';
import { sql } from './scheduling-factories';
import { type TestServer } from './server';

/**
 * Fraud review and evidence purge test data (R-EVI-3..5): the fraud mutations, attempts in bulk SQL
 * (the purge only needs attempts to hang evidence on; attempts through the real exam flow come from
 * certificate-factories' examinedLearner), and evidence stored sealed in the server's object store with
 * a chosen retention end.
 */
export const FRAUD_CASE_FIELDS = `id status source summary openedBy openedAt reviewer reviewStartedAt decidedBy decidedAt decisionReason purgeDeadline
  attempt { id } registration { id }
  legalHold { placedBy placedAt reason releasedAt releasedBy releaseReason }
  history { at actor action fromStatus toStatus reason }`;

export interface FraudCaseView {
  id: string;
  status: string;
  source: string;
  summary: string;
  openedBy: string;
  openedAt: string;
  reviewer: string | null;
  reviewStartedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  purgeDeadline: string;
  attempt: { id: string };
  registration: { id: string };
  legalHold: { placedBy: string; placedAt: string; reason: string; releasedAt: string | null; releasedBy: string | null; releaseReason: string | null } | null;
  history: { at: string; actor: string; action: string; fromStatus: string | null; toStatus: string | null; reason: string | null }[];
}

export interface FraudCasePayloadView {
  fraudCase: FraudCaseView | null;
  errors: UserErr[];
}

async function mutate(s: TestServer, name: string, argDecl: string, args: string, vars: Record<string, unknown>, token: string | undefined): Promise<FraudCasePayloadView> {
  const r = await s.gql<Record<string, FraudCasePayloadView>>(`mutation(${argDecl}) { ${name}(${args}) { fraudCase { ${FRAUD_CASE_FIELDS} } errors { code message field } } }`, vars, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data![name];
}

export async function openCase(s: TestServer, attemptId: string, opts: { source?: string; summary?: string; token?: string } = {}) {
  const i = { attemptId, source: opts.source ?? 'CERTIFICATION_TEAM', summary: opts.summary ?? 'A second person appears on the video at 12:40' };
  return mutate(s, 'openFraudCase', '$i: OpenFraudCaseInput!', 'input: $i', { i }, opts.token ?? (await s.tokenFor('CERTIFICATION')));
}

export async function startReview(s: TestServer, caseId: string, token?: string) {
  return mutate(s, 'startFraudReview', '$id: ID!', 'caseId: $id', { id: caseId }, token ?? (await s.tokenFor('CERTIFICATION')));
}

export async function decide(s: TestServer, caseId: string, outcome: string, reason = 'Reviewed the whole video', token?: string) {
  return mutate(s, 'decideFraudCase', '$i: DecideFraudCaseInput!', 'input: $i', { i: { caseId, outcome, reason } }, token ?? (await s.tokenFor('CERTIFICATION')));
}

export async function placeHold(s: TestServer, caseId: string, reason = 'Litigation: court order 2017-114', token?: string) {
  return mutate(s, 'placeLegalHold', '$i: LegalHoldInput!', 'input: $i', { i: { caseId, reason } }, token ?? (await s.tokenFor('ADMIN')));
}

export async function releaseHold(s: TestServer, caseId: string, reason = 'Proceedings closed', token?: string) {
  return mutate(s, 'releaseLegalHold', '$i: LegalHoldInput!', 'input: $i', { i: { caseId, reason } }, token ?? (await s.tokenFor('ADMIN')));
}

/** Opens a case (as CERTIFICATION) and expects no error. */
export async function openedCase(s: TestServer, attemptId: string): Promise<FraudCaseView> {
  const r = await openCase(s, attemptId);
  expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
  return r.fraudCase!;
}

/** An OPEN case on the attempt, placed under a legal hold by ADMIN. */
export async function heldCase(s: TestServer, attemptId: string): Promise<FraudCaseView> {
  const c = await openedCase(s, attemptId);
  const h = await placeHold(s, c.id);
  expect(h.errors, JSON.stringify(h.errors)).toEqual([]);
  return h.fraudCase!;
}

/**
 * `count` ended (SUBMITTED) attempts of the session, inserted in SQL with their learners, paid
 * registrations and COMPLETED appointments: the purge only needs attempts to hang evidence on.
 */
export async function bulkAttempts(s: TestServer, sessionId: string, count: number): Promise<string[]> {
  const tag = randomBytes(4).toString('hex');
  const rows = await sql<{ id: string }>(
    s,
    `with l as (
       insert into learner (id, external_id, email, username, given_name, family_name, created_at, updated_at)
       select gen_random_uuid(), 'bulk-' || ? || '-' || i, 'bulk' || ? || i || '@example.org', 'bulk' || ? || i, 'Camille', 'Bulk' || i, now(), now()
       from generate_series(1, ?) i returning id, given_name, family_name
     ), r as (
       insert into registration (id, session_id, learner_id, status, requirements_acknowledged_at, terms_version, terms_accepted_at,
                                 locked_given_name, locked_family_name, name_locked_at, paid_at, created_at, created_by)
       select gen_random_uuid(), ?, l.id, 'ACTIVE', now(), '2017-01', now(), l.given_name, l.family_name, now(), now(), now(), 'test' from l
       returning id, session_id
     ), a as (
       insert into appointment (id, registration_id, session_id, starts_at, ends_at, status, booked_at, booked_by)
       select gen_random_uuid(), r.id, r.session_id, '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', 'COMPLETED', now(), 'test' from r
       returning id, registration_id, session_id
     )
     insert into exam_attempt (id, registration_id, appointment_id, session_id, status, ended_by, duration_minutes, unlocked_at, unlocked_by,
                               started_at, deadline, submitted_at, parts)
     select gen_random_uuid(), a.registration_id, a.id, a.session_id, 'SUBMITTED', 'LEARNER', 30, '2017-03-02T13:55:00Z', 'test',
            '2017-03-02T14:00:00Z', '2017-03-02T14:30:00Z', '2017-03-02T14:25:00Z',
            (select jsonb_agg(jsonb_build_object('status', 'NOT_ANSWERED', 'answers', null, 'savedAt', null, 'submittedAt', null)) from generate_series(1, 3))
     from a returning id`,
    [tag, tag, tag, count, sessionId],
  );
  return rows.map((r) => r.id);
}

export interface StoredEvidence {
  id: string;
  attemptId: string;
  kind: EvidenceKind;
  storageKey: string;
  bytes: Buffer;
  retainUntil: Date;
}

/**
 * One evidence object of an attempt, stored sealed in the server's object store with its key, and its
 * row with the given `retainUntil` (captured 42 days before unless `capturedAt` is given). The purge
 * tests need exact retention ends; ingestion (`PUT /evidence`) computes them itself.
 */
export async function storeEvidence(s: TestServer, attemptId: string, kind: EvidenceKind, retainUntil: Date, opts: { bytes?: Buffer; capturedAt?: Date } = {}): Promise<StoredEvidence> {
  const bytes = opts.bytes ?? randomBytes(64 + Math.floor(Math.random() * 512));
  const sealed = await s.app.objects.putBuffer(bytes, { keyPrefix: 'evi' });
  const capturedAt = opts.capturedAt ?? new Date(retainUntil.getTime() - 42 * 86_400_000);
  await sql(s, 'insert into object_key (storage_key, data_key) values (?, ?)', [sealed.storageKey, sealed.dataKey]);
  const [row] = await sql<{ id: string }>(
    s,
    `insert into evidence (id, attempt_id, registration_id, session_id, kind, content_type, size_bytes, sha256, captured_at, retain_until, received_at, received_by, storage_key)
     select gen_random_uuid(), a.id, a.registration_id, a.session_id, ?, 'application/octet-stream', ?, ?, ?, ?, ?, 'test', ? from exam_attempt a where a.id = ?
     returning id`,
    [kind, sealed.sizeBytes, sealed.sha256, capturedAt, retainUntil, capturedAt, sealed.storageKey, attemptId],
  );
  return { id: row.id, attemptId, kind, storageKey: sealed.storageKey, bytes, retainUntil };
}

/** The file of a stored object in the test server's filesystem store. */
export function objectPath(s: TestServer, storageKey: string): string {
  return (s.app.objects.store as FsObjectStore).path(storageKey);
}

/** Runs PURGE_EVIDENCE as ADMIN and returns the run. */
export async function runPurge(s: TestServer) {
  const r = await s.gql<{ runJob: { jobRun: { id: string; status: string; itemsProcessed: number; error: string | null } | null; errors: UserErr[] } }>(
    'mutation { runJob(job: PURGE_EVIDENCE) { jobRun { id status itemsProcessed error } errors { code message field } } }',
    {},
    await s.tokenFor('ADMIN'),
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  expect(r.data!.runJob.errors).toEqual([]);
  return r.data!.runJob.jobRun!;
}
