import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Viewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type Config } from '../config';
import { type ServiceContext } from '../context';
import { type Orm } from '../db/orm';
import { isDomainError } from '../domain/errors';
import { isUuid } from '../domain/validate';
import { payboxPublicKey, readIpn, verifyIpn } from '../providers/paybox/ipn';
import { audit } from '../services/audit.service';
import { type Services } from '../services';

export interface PayboxIpnDeps {
  orm: Orm;
  config: Config;
  clock: Clock;
  services: Services;
}

/** Paybox acting through its notification: `service:paybox-ipn` in the audit log. */
const PAYBOX: Viewer = { kind: 'SERVICE', displayName: 'paybox-ipn', roles: ['INTEGRATION'] };

/**
 * `GET` and `POST /integrations/paybox/ipn` (contract/HTTP.md, R-PAY-4): the signature is verified on
 * the parameters exactly as received before anything else; a bad or missing one is 403 and nothing is
 * recorded. A verified notification is answered 200 once handled: recorded (or recorded already: the
 * same NUMTRANS twice is one payment), declined by Paybox (`erreur` ≠ 00000) or refused by our rules
 * (both leave only an audit event for the payments team). A verified but unreadable one is 400.
 */
export async function payboxIpnRoute(fastify: FastifyInstance, deps: PayboxIpnDeps): Promise<void> {
  const publicKey = payboxPublicKey(deps.config);
  // The form body is verified as received: keep it as a string (this plugin's scope only).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const contextFor = (request: FastifyRequest): ServiceContext => ({
    em: deps.orm.em.fork(),
    viewer: PAYBOX,
    clock: deps.clock,
    config: deps.config,
    requestId: String(request.id),
    log: request.log,
  });

  const auditOnly = async (ctx: ServiceContext, action: string, registrationId: string | null, details: Record<string, unknown>) => {
    const em = ctx.em.fork();
    audit(em, ctx, action, { type: 'Registration', id: registrationId && isUuid(registrationId) ? registrationId.toLowerCase() : 'unknown' }, details);
    await em.flush();
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply, raw: string) => {
    const verification = verifyIpn(raw, publicKey);
    if (!verification.valid) {
      request.log.warn({ reason: verification.reason }, 'Paybox IPN refused: signature');
      return reply.code(403).send({ error: 'invalid signature' });
    }
    const ctx = contextFor(request);
    const notification = readIpn(verification.params);
    if (notification.kind === 'invalid') {
      await auditOnly(ctx, 'payment.ipn.invalid', verification.params.get('ref') ?? null, { problems: notification.problems, numTrans: verification.params.get('trans') ?? null });
      return reply.code(400).send({ error: 'invalid notification', problems: notification.problems });
    }
    if (notification.kind === 'declined') {
      await auditOnly(ctx, 'payment.ipn.declined', notification.registrationId, { erreur: notification.erreur, numTrans: notification.numTrans });
      return reply.code(200).send({ status: 'DECLINED', erreur: notification.erreur });
    }
    const p = notification.payment;
    try {
      const { payment, replay } = await deps.services.payments.recordFromIpn(ctx, { ...p, paidAt: p.paidAt ?? ctx.clock.now() });
      return reply.code(200).send({ status: replay ? 'ALREADY_RECORDED' : 'RECORDED', paymentId: payment.id });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      // Paybox took the money but a rule refuses it: the payments team sees it in the audit log.
      await auditOnly(ctx, 'payment.ipn.refused', p.registrationId, { code: err.code, message: err.message, numTrans: p.numTrans, amountCents: p.amountCents });
      return reply.code(200).send({ status: 'REFUSED', code: err.code });
    }
  };

  fastify.get('/integrations/paybox/ipn', (request, reply) => {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    return handle(request, reply, q < 0 ? '' : url.slice(q + 1));
  });
  fastify.post('/integrations/paybox/ipn', (request, reply) => handle(request, reply, typeof request.body === 'string' ? request.body : ''));
}
