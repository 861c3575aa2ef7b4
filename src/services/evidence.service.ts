import { type Readable } from 'node:stream';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type TokenSigner } from '../auth/tokens';
import { actorOf } from '../auth/viewer';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import * as rules from '../domain/evidence';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Evidence, ExamAttempt } from '../entities';
import { type EvidenceKind } from '../entities/evidence.entity';
import { type ByteRange, EmptyObjectError, newStorageKey, ObjectNotFoundError, type SealedStore } from '../storage';
import { discardObjects, recordObjectIntents, releaseObjectIntents } from '../storage/object-intents';
import { findObjectKey, recordObjectKey } from '../storage/object-keys';
import { audit } from './audit.service';
import { refreshPurgeDeadline } from './fraud-hooks';

export interface IngestInput {
  attemptId: string;
  /** Checked here too (the route passes the URL segment as is). */
  kind: EvidenceKind | string;
  contentType?: string;
  capturedAt: Date;
  body: Readable;
  /** Who delivered it, for the row; default: the caller (`service:<token name>`). */
  receivedBy?: string;
}

/** What the view route streams: the plaintext (or a range of it) with its headers' facts. */
export type EvidenceStream =
  | { kind: 'ok'; body: Readable; contentType: string; size: number; range: ByteRange | null; sha256: string }
  | { kind: 'forbidden' | 'not-found' | 'purged' }
  | { kind: 'unsatisfiable'; size: number };

/** Larger than any proctoring video we expect (a 2-hour exam in HD is a few GB). */
export const MAX_EVIDENCE_BYTES = 20 * 1024 ** 3;

/**
 * Proctoring evidence (R-EVI-1, R-EVI-2): ingestion from the proctoring side, the signed view link for
 * CERTIFICATION and ADMIN (audited), and the stream behind that link. Bytes are encrypted at rest under a
 * per-object key (`object_key`), streamed in and out, never held whole in memory.
 */
export class EvidenceService {
  constructor(
    private readonly objects: SealedStore,
    private readonly signer: TokenSigner,
    private readonly config: Pick<Config, 'publicUrl'>,
  ) {}

  /**
   * Stores one evidence object of an attempt (`PUT /evidence/:attemptId/:kind`, or a ProctorU
   * "recording available" event): checks first, then streams the body into the store while hashing and
   * counting, then records the row, its key and an audit event in one transaction. A failure after the
   * upload destroys the uploaded bytes. A second object of the same kind is EVIDENCE_ALREADY_STORED.
   * An object intent is committed before the upload and deleted with the record (or after the bytes
   * are destroyed): a process killed in between leaves it, and the intent sweep destroys the orphan.
   */
  async ingest(ctx: ServiceContext, input: IngestInput): Promise<Evidence> {
    const kind = rules.evidenceKind(input.kind);
    const contentType = rules.contentType(input.contentType);
    if (!(input.capturedAt instanceof Date) || Number.isNaN(input.capturedAt.getTime())) v.fail(['capturedAt'], 'capturedAt must be an instant');
    if (input.capturedAt.getTime() > ctx.clock.now().getTime()) v.fail(['X-Captured-At'], 'X-Captured-At is in the future');
    const attempt = v.isUuid(input.attemptId) ? await ctx.em.findOne(ExamAttempt, { id: input.attemptId }, { populate: ['registration.session'] }) : null;
    if (!attempt) throw new DomainError('NOT_FOUND', 'No exam attempt with this id', ['attemptId']);
    if (await ctx.em.count(Evidence, { attempt, kind })) throw alreadyStored(kind);

    const storageKey = newStorageKey('evi');
    await recordObjectIntents(ctx.em.fork(), [storageKey], 'evidence', ctx.clock.now());
    let sealed;
    try {
      sealed = await this.objects.put(input.body, { maxBytes: MAX_EVIDENCE_BYTES, storageKey });
    } catch (err) {
      await this.discard(ctx, storageKey);
      if (err instanceof EmptyObjectError) v.fail(['body'], 'The body is empty: send the bytes of the recording or photo');
      throw err;
    }
    try {
      return await ctx.em.transactional(async (em) => {
        const session = attempt.registration.session;
        const evidence = em.create(Evidence, {
          attempt: em.getReference(ExamAttempt, attempt.id),
          registration: attempt.registration,
          session,
          kind,
          contentType,
          sizeBytes: sealed.sizeBytes,
          sha256: sealed.sha256,
          capturedAt: input.capturedAt,
          retainUntil: rules.retainUntil(input.capturedAt, session.evidenceRetentionDays),
          receivedAt: ctx.clock.now(),
          receivedBy: input.receivedBy ?? actorOf(ctx.viewer),
          storageKey: sealed.storageKey,
        });
        recordObjectKey(em, sealed);
        await releaseObjectIntents(em, [storageKey]);
        em.persist(evidence);
        await em.flush();
        // R-EVI-5: an open fraud case of the attempt now takes its purge deadline from the evidence.
        await refreshPurgeDeadline(em, attempt.id);
        audit(em, ctx, 'evidence.stored', { type: 'Evidence', id: evidence.id }, { attemptId: attempt.id, kind, sizeBytes: sealed.sizeBytes, sha256: sealed.sha256 });
        await em.flush();
        return evidence;
      });
    } catch (err) {
      await this.discard(ctx, storageKey);
      if (err instanceof UniqueConstraintViolationException) throw alreadyStored(kind);
      throw err;
    }
  }

  /** Best effort: destroys the bytes of an upload that will not be recorded, then its intent. */
  private async discard(ctx: ServiceContext, storageKey: string): Promise<void> {
    if (await discardObjects(ctx.em.fork(), this.objects, [storageKey])) ctx.log.error({ storageKey }, 'evidence: orphan object not removed (left to the intent sweep)');
  }

  /**
   * R-EVI-2: a signed link to view the object, valid 5 minutes of real time, for CERTIFICATION and ADMIN
   * (the resolver checks the role); each request is audited (`evidence.view-link`) and committed at once.
   * Null once purged.
   */
  async viewUrl(ctx: ServiceContext, evidence: { id: string; attemptId: string; kind: string; purgedAt?: Date | null; status: string }): Promise<string | null> {
    if (evidence.status === 'PURGED') return null;
    const expires = rules.viewLinkExpiry(ctx.clock.realNow());
    await ctx.em.fork().transactional(async (em) => {
      audit(em, ctx, 'evidence.view-link', { type: 'Evidence', id: evidence.id }, { attemptId: evidence.attemptId, kind: evidence.kind, linkExpiresAt: new Date(expires * 1000).toISOString() });
    });
    return this.signedUrl(evidence.id, expires);
  }

  /** The link for `id` expiring at `expires` (unix seconds); tests sign past expiries with it. */
  signedUrl(id: string, expires: number): string {
    const sig = this.signer.signLink(rules.VIEW_LINK_PURPOSE, id, expires);
    return `${this.config.publicUrl}/evidence/${id}?expires=${expires}&sig=${sig}`;
  }

  /**
   * The plaintext behind a signed link (`GET /evidence/:id?expires=&sig=`): `forbidden` for a tampered
   * or expired link (real clock), `purged` once destroyed (or its key shredded), `unsatisfiable` for a
   * Range outside the object; otherwise the stream of the whole object or of the requested range.
   */
  async open(ctx: Pick<ServiceContext, 'em' | 'clock'>, id: string, query: { expires?: string; sig?: string }, rangeHeader?: string): Promise<EvidenceStream> {
    const expires = /^\d{1,12}$/.test(query.expires ?? '') ? Number(query.expires) : NaN;
    if (!query.sig || !this.signer.verifyLink(rules.VIEW_LINK_PURPOSE, id, expires, query.sig, ctx.clock.realNow().getTime())) return { kind: 'forbidden' };
    const evidence = v.isUuid(id) ? await ctx.em.findOne(Evidence, { id }) : null;
    if (!evidence) return { kind: 'not-found' };
    if (evidence.status === 'PURGED' || !evidence.storageKey) return { kind: 'purged' };
    const dataKey = await findObjectKey(ctx.em, evidence.storageKey);
    if (!dataKey) return { kind: 'purged' };
    const range = rules.parseRange(rangeHeader, evidence.sizeBytes);
    if (range === 'unsatisfiable') return { kind: 'unsatisfiable', size: evidence.sizeBytes };
    let body: Readable;
    try {
      body = await this.objects.open(evidence.storageKey, dataKey, evidence.sizeBytes, range ?? undefined);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return { kind: 'purged' };
      throw err;
    }
    return { kind: 'ok', body, contentType: evidence.contentType, size: evidence.sizeBytes, range, sha256: evidence.sha256 };
  }
}

function alreadyStored(kind: string): DomainError {
  return new DomainError('EVIDENCE_ALREADY_STORED', `This attempt has a ${kind} already (one object per kind)`, ['kind']);
}
