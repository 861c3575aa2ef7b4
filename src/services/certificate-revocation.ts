import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { Certificate } from '../entities';
import { audit } from './audit.service';

/**
 * R-CER-4: revokes the registration's certificate, if one was issued and is still valid, inside the
 * caller's transaction (revokeCertificate, and decideFraudCase with FRAUD_CONFIRMED). Answers the
 * revoked certificate, or null when there was nothing to revoke. Revocation is final (trigger).
 */
export async function revokeCertificateOfRegistration(
  em: EntityManager,
  ctx: Pick<ServiceContext, 'viewer' | 'clock' | 'requestId'>,
  registrationId: string,
  reason: string,
): Promise<Certificate | null> {
  const cert = await em.findOne(Certificate, { registration: registrationId }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
  if (!cert || cert.status === 'REVOKED') return null;
  cert.status = 'REVOKED';
  cert.revokedAt = ctx.clock.now();
  cert.revokedBy = actorOf(ctx.viewer);
  cert.revocationReason = reason;
  audit(em, ctx, 'certificate.revoked', { type: 'Certificate', id: cert.id }, { registrationId, reason });
  return cert;
}
