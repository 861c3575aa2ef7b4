import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type TokenSigner } from '../auth/tokens';
import { actorOf } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { holderName, issueRefusal, ISSUE_REFUSAL_MESSAGES, type IssueFacts, newVerificationCode, sessionLabel } from '../domain/certificate';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Certificate, CertificationSession, ExamResult, FraudCase, Registration } from '../entities';
import { type CertificateStatus } from '../entities/certificate.entity';
import { type PageArgs, paginate } from '../schema/connection';
import { newStorageKey, type SealedObject, type SealedStore } from '../storage';
import { discardObjects, recordObjectIntents, releaseObjectIntents } from '../storage/object-intents';
import { findObjectKey, recordObjectKey } from '../storage/object-keys';
import { audit } from './audit.service';
import { issuePendingCertificates, type IssueAllOptions, type IssueAllReport } from './certificate-issuing';
import { revokeCertificateOfRegistration } from './certificate-revocation';
import { countVerification, verifyCertificateCode } from './certificate-verification';

/** Lifetime of a signed download link (R-CER-3), on the real clock. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;
export const LINK_PURPOSE = 'certificate';
/** Tries of a fresh verification code when one collides (80 bits: never in practice). */
const CODE_TRIES = 3;

export interface RevokeCertificateInput {
  certificateId: string;
  reason: string;
}
export interface CertificateFilter {
  sessionId?: string | null;
  status?: CertificateStatus | null;
}
/** What GET /verify and verifyCertificate answer (R-CER-3): public, no login. */
export interface CertificateVerification {
  status: CertificateStatus;
  holderName: string;
  courseTitle: string;
  university: string;
  issuedAt: Date;
  revokedAt: Date | null;
}
/** A rendered certificate, stored and not yet recorded. */
export interface RenderedCertificate {
  verificationCode: string;
  holderName: string;
  sealed: SealedObject;
}

const F = ['registrationId'];

/**
 * Certificates (R-CER): issue (once, from the locked name), revoke, read, sign download links.
 * The PDF is rendered once and stored encrypted before the transaction that records it commits, under
 * an object intent committed first; a failed transaction destroys it again (best effort; a process
 * killed before either leaves the intent, and the intent sweep destroys it). Verification and the issuing job are in
 * certificate-verification.ts and certificate-issuing.ts.
 */
export class CertificateService {
  constructor(
    private readonly signer: TokenSigner,
    private readonly config: Config,
    readonly objects: SealedStore,
  ) {}

  verificationUrl(code: string): string {
    return `${this.config.publicUrl}/verify/${code}`;
  }

  /** A signed link to the PDF, valid 15 minutes of real time. */
  downloadUrl(certificateId: string, realNow: Date): string {
    const expires = Math.floor(realNow.getTime() / 1000) + DOWNLOAD_LINK_SECONDS;
    const sig = this.signer.signLink(LINK_PURPOSE, certificateId, expires);
    return `${this.config.publicUrl}/certificates/${certificateId}.pdf?expires=${expires}&sig=${sig}`;
  }

  verifyDownloadLink(certificateId: string, expires: unknown, sig: unknown, realNow: Date): boolean {
    if (typeof expires !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(expires) || sig.length > 100) return false;
    return this.signer.verifyLink(LINK_PURPOSE, certificateId, Number(expires), sig, realNow.getTime());
  }

  /** Renders the PDF with a fresh verification code (R-CER-1). */
  async renderPdf(session: CertificationSession, holder: string, issuedAt: Date): Promise<{ verificationCode: string; pdf: Buffer }> {
    const verificationCode = newVerificationCode();
    // The renderer (pdfkit, ≈ 100 ms of module loading) is loaded by the first render, not at start-up.
    const { renderCertificatePdf } = await import('../reports/certificate.pdf.js');
    const pdf = await renderCertificatePdf({
      holderName: holder,
      courseTitle: session.courseTitle,
      courseCode: session.courseCode,
      university: session.university,
      sessionLabel: sessionLabel(session.examPeriodStart),
      issuedAt,
      verificationCode,
      verificationUrl: this.verificationUrl(verificationCode),
    });
    return { verificationCode, pdf };
  }

  /**
   * Renders the PDF with a fresh code and stores it (R-CER-2), under an object intent committed first
   * (`ctx.em` is forked: the intent commits on its own). The caller records the key and releases the intent.
   */
  async render(ctx: ServiceContext, session: CertificationSession, holder: string, issuedAt: Date): Promise<RenderedCertificate> {
    const { verificationCode, pdf } = await this.renderPdf(session, holder, issuedAt);
    const storageKey = newStorageKey('cert');
    await recordObjectIntents(ctx.em.fork(), [storageKey], 'certificate', issuedAt);
    try {
      const sealed = await this.objects.putBuffer(pdf, { storageKey });
      return { verificationCode, holderName: holder, sealed };
    } catch (err) {
      await this.discard(ctx.em.fork(), [storageKey]);
      throw err;
    }
  }

  /** Best effort: the bytes and intents of objects whose record did not commit (`em` outside any transaction). */
  async discard(em: EntityManager, storageKeys: string[]): Promise<void> {
    await discardObjects(em, this.objects, storageKeys);
  }

  /** R-CER-1, R-CER-2: issueCertificate (CERTIFICATION). */
  async issue(ctx: ServiceContext, registrationId: string): Promise<Certificate> {
    const id = v.uuid(registrationId, F);
    const registration = await ctx.em.findOne(Registration, { id });
    if (!registration) throw new DomainError('NOT_FOUND', 'No registration with this id', F);
    const facts = await issueFacts(ctx.em, id);
    await this.refuse(ctx.em, facts);
    const session = await ctx.em.findOneOrFail(CertificationSession, { id: registration.session.id });
    const issuedAt = ctx.clock.now();
    for (let attempt = 1; ; attempt++) {
      const rendered = await this.render(ctx, session, holderName(registration)!, issuedAt);
      try {
        return await ctx.em.transactional(async (em) => {
          // The registration lock serialises this with the job and a second click (lock order: registration first).
          await em.findOneOrFail(Registration, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
          const now = await issueFacts(em, id);
          await this.refuse(em, now);
          recordObjectKey(em, rendered.sealed);
          await releaseObjectIntents(em, [rendered.sealed.storageKey]);
          const cert = em.create(Certificate, {
            registration: id,
            result: now.resultId!,
            session: session.id,
            holderName: rendered.holderName,
            courseTitle: session.courseTitle,
            university: session.university,
            issuedAt,
            issuedBy: actorOf(ctx.viewer),
            verificationCode: rendered.verificationCode,
            storageKey: rendered.sealed.storageKey,
            sha256: rendered.sealed.sha256,
            sizeBytes: rendered.sealed.sizeBytes,
          });
          audit(em, ctx, 'certificate.issue', { type: 'Certificate', id: cert.id }, { registrationId: id, verificationCode: cert.verificationCode, sha256: cert.sha256 });
          await em.flush();
          return cert;
        });
      } catch (err) {
        await this.discard(ctx.em.fork(), [rendered.sealed.storageKey]);
        if (err instanceof UniqueConstraintViolationException) {
          const constraint = (err as unknown as { constraint?: string }).constraint;
          if (constraint === 'certificate_code_unique' && attempt < CODE_TRIES) continue;
          if (constraint !== 'certificate_code_unique') await this.refuse(ctx.em.fork(), await issueFacts(ctx.em.fork(), id));
        }
        throw err;
      }
    }
  }

  private async refuse(em: EntityManager, facts: IssueFacts & { certificateId: string | null }): Promise<void> {
    const refused = issueRefusal(facts);
    if (!refused) return;
    const data = facts.certificateId ? { certificate: await em.findOneOrFail(Certificate, { id: facts.certificateId }) } : undefined;
    throw new DomainError(refused, ISSUE_REFUSAL_MESSAGES[refused], F, refused === 'CERTIFICATE_ALREADY_ISSUED' ? data : undefined);
  }

  /** R-CER-4: revokeCertificate (CERTIFICATION), a reason required; final. */
  async revoke(ctx: ServiceContext, input: RevokeCertificateInput): Promise<Certificate> {
    const id = v.uuid(input.certificateId, ['input', 'certificateId']);
    if (typeof input.reason !== 'string' || input.reason.trim() === '') throw new DomainError('COMMENT_REQUIRED', 'A revocation states its reason (R-CER-4)', ['input', 'reason']);
    const reason = v.text(input.reason, ['input', 'reason'], { max: v.MAX_LONG_TEXT });
    return ctx.em.transactional(async (em) => {
      const cert = await em.findOne(Certificate, { id });
      if (!cert) throw new DomainError('NOT_FOUND', 'No certificate with this id', ['input', 'certificateId']);
      // Lock order: registration, then certificate; re-read once locked (a concurrent revocation won).
      await em.findOneOrFail(Registration, { id: cert.registration.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      await em.refresh(cert);
      if (cert.status === 'REVOKED') throw new DomainError('CERTIFICATE_REVOKED', 'This certificate is already revoked; a revocation is final (R-CER-4)', ['input', 'certificateId'], { certificate: cert });
      const revoked = await revokeCertificateOfRegistration(em, ctx, cert.registration.id, reason);
      await em.flush();
      return revoked ?? cert;
    });
  }

  /** One certificate: staff see any; a learner only their own (others' look absent). */
  async get(ctx: ServiceContext, id: string): Promise<Certificate | null> {
    if (!v.isUuid(id)) return null;
    const cert = await ctx.em.findOne(Certificate, { id }, { populate: ['registration'] });
    if (!cert || !mayRead(ctx, cert)) return null;
    return cert;
  }

  /** Staff list, newest first. */
  list(ctx: ServiceContext, filter: CertificateFilter, page: PageArgs) {
    const where: Record<string, unknown> = {};
    if (filter.sessionId) where.session = v.filterId(filter.sessionId);
    if (filter.status) where.status = filter.status;
    return paginate(ctx.em, Certificate, where, [{ issuedAt: 'desc' }, { id: 'desc' }], page);
  }

  /** R-CER-3: verifyCertificate and GET /verify/:code, rate-limited per client address (RateLimitedError). */
  async verify(em: EntityManager, clock: Clock, code: string, clientAddress: string): Promise<CertificateVerification | null> {
    await countVerification(em, this.config, clientAddress, clock.realNow());
    return verifyCertificateCode(em, code);
  }

  /** ISSUE_CERTIFICATES: see certificate-issuing.ts. */
  issuePending(ctx: ServiceContext, opts: IssueAllOptions = {}): Promise<IssueAllReport> {
    return issuePendingCertificates(ctx, this, opts);
  }

  /** The stored bytes, exactly as issued (R-CER-2); throws when they are gone or altered. */
  async readPdf(em: EntityManager, cert: Certificate): Promise<Buffer> {
    const key = await findObjectKey(em, cert.storageKey);
    if (!key) throw new Error(`certificate ${cert.id}: the key of its PDF is gone`);
    const pdf = await this.objects.openBuffer(cert.storageKey, key, cert.sizeBytes);
    return pdf;
  }
}

/** A learner reads only the certificates of their own registrations. */
export function mayRead(ctx: Pick<ServiceContext, 'viewer'>, cert: Certificate): boolean {
  return ctx.viewer.kind !== 'LEARNER' || cert.registration.learner.id === ctx.viewer.learnerId;
}

/** The facts issuance is decided on (domain/certificate.ts), read in the caller's transaction. */
export async function issueFacts(em: EntityManager, registrationId: string): Promise<IssueFacts & { certificateId: string | null; resultId: string | null }> {
  const registration = await em.findOneOrFail(Registration, { id: registrationId });
  const existing = await em.findOne(Certificate, { registration: registrationId }, { fields: ['id'] });
  const results = await em.find(ExamResult, { attempt: { registration: registrationId } }, { orderBy: { computedAt: 'desc', id: 'desc' } });
  const result = results.find((r) => r.status === 'PUBLISHED' && r.passed) ?? results.find((r) => r.status !== 'VOIDED') ?? results[0] ?? null;
  const cases = await em.find(FraudCase, { registration: registrationId }, { fields: ['status'] });
  return {
    certificateExists: Boolean(existing),
    certificateId: existing?.id ?? null,
    registrationCancelled: registration.status === 'CANCELLED',
    result: result ? { status: result.status, passed: result.passed } : null,
    resultId: result?.id ?? null,
    fraudCaseStatuses: cases.map((c) => c.status),
    lockedGivenName: registration.lockedGivenName ?? null,
    lockedFamilyName: registration.lockedFamilyName ?? null,
  };
}
