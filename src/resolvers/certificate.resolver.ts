import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../context';
import { type Certificate, type Registration } from '../entities';
import { CertificateConnection, CertificatePayload, CertificateStatusEnum, CertificateType, CertificateVerificationType, RevokeCertificateInput } from '../schema/certificate.type';
import { RegistrationType } from '../schema/registration.type';
import { RateLimitedError } from '../services/certificate-verification';
import { REGISTRATION_CERTIFICATE_READERS } from './field-roles';
import { payload } from './payload';

const STAFF_READERS = ['SUPPORT', 'PAYMENTS', 'CERTIFICATION', 'INTEGRATION'] as const;

/** Certificates (R-CER): thin calls into CertificateService. ADMIN may do everything (auth-checker). */
@Resolver(() => CertificateType)
export class CertificateResolver {
  @Authorized(...STAFF_READERS)
  @Query(() => CertificateConnection)
  certificates(
    @Ctx() ctx: Context,
    @Arg('sessionId', () => ID, { nullable: true }) sessionId?: string,
    @Arg('status', () => CertificateStatusEnum, { nullable: true }) status?: CertificateStatusEnum,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.certificates.list(ctx, { sessionId, status }, { first, after });
  }

  /** Staff, or the learner themself (another learner's certificate is null). */
  @Authorized(...STAFF_READERS, 'LEARNER')
  @Query(() => CertificateType, { nullable: true })
  certificate(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.certificates.get(ctx, id);
  }

  /** Public (R-CER-3): no login; rate-limited per client address like GET /verify/:code. */
  @Query(() => CertificateVerificationType, { nullable: true })
  async verifyCertificate(@Arg('code', () => String) code: string, @Ctx() ctx: Context) {
    try {
      return await ctx.services.certificates.verify(ctx.em, ctx.clock, code, ctx.clientAddress ?? 'unknown');
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      throw new GraphQLError(err.message, { extensions: { code: 'RATE_LIMITED', retryAfter: err.retryAfterSeconds } });
    }
  }

  @Authorized('CERTIFICATION')
  @Mutation(() => CertificatePayload)
  issueCertificate(@Arg('registrationId', () => ID) registrationId: string, @Ctx() ctx: Context) {
    return payload('certificate', () => ctx.services.certificates.issue(ctx, registrationId));
  }

  @Authorized('CERTIFICATION')
  @Mutation(() => CertificatePayload)
  revokeCertificate(@Arg('input', () => RevokeCertificateInput) input: RevokeCertificateInput, @Ctx() ctx: Context) {
    return payload('certificate', () => ctx.services.certificates.revoke(ctx, input));
  }

  @FieldResolver(() => RegistrationType)
  registration(@Root() c: Certificate, @Ctx() ctx: Context) {
    return ctx.loaders.registration.load(c.registration.id);
  }

  @FieldResolver(() => String)
  verificationUrl(@Root() c: Certificate, @Ctx() ctx: Context) {
    return ctx.services.certificates.verificationUrl(c.verificationCode);
  }

  @FieldResolver(() => String, { description: 'A short-lived signed link to the PDF.' })
  downloadUrl(@Root() c: Certificate, @Ctx() ctx: Context) {
    return ctx.services.certificates.downloadUrl(c.id, ctx.clock.realNow());
  }
}

@Resolver(() => RegistrationType)
export class RegistrationCertificateResolver {
  /** The registration was already checked (a learner reads only their own), so its certificate is theirs. */
  @Authorized(...REGISTRATION_CERTIFICATE_READERS)
  @FieldResolver(() => CertificateType, { nullable: true })
  certificate(@Root() r: Registration, @Ctx() ctx: Context) {
    return ctx.loaders.certificateByRegistration.get(r.id);
  }
}
