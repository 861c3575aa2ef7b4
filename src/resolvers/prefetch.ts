import { hasRole } from '../auth/viewer';
import { type Context } from '../context';
import { type Role } from '../domain/roles';
import { Certificate, Evidence, type FraudCase, Learner, Payment, type RefundRequest, Registration } from '../entities';
import { heldSql, toEvidenceViews } from '../services/evidence-views';
import { includedMany, includedOne, type Page, type PageInclude, type Row } from '../services/plain-rows';
import { FRAUD_CASE_EVIDENCE_READERS, REGISTRATION_CERTIFICATE_READERS, REGISTRATION_PAYMENT_READERS } from './field-roles';
import { below, type Selection, selects } from './selection';

/**
 * Issue 10, read path: a list page reads the relations its query selects with the page — to-one rows
 * joined into the page's own statement, to-many rows in one statement each for the whole page — and
 * hands them to the request's loaders (`RowLoader.prime`), so the field resolvers answer from them
 * synchronously: no statement, DataLoader batch or promise per row (bench/README.md, "Read path").
 * The rows are exactly what the loaders would have read (same mappers, same ordering); the field
 * resolvers, and their `@Authorized` guards, still run for every row. A guarded relation is read only
 * for a viewer its guard lets through (field-roles.ts), so a refused field costs nothing.
 */

const one = (alias: string, entity: PageInclude['entity'], on: string): PageInclude => ({ alias, entity, kind: 'one', on });

/** What the field's guard allows (the list's own guard already refused anonymous callers). */
function mayRead(ctx: Context, roles: readonly Role[]): boolean {
  return ctx.viewer.kind !== 'ANONYMOUS' && ctx.viewer.kind !== 'SYSTEM' && hasRole(ctx.viewer, ...roles);
}

/** The selection on the page's nodes (`edges { node { … } }`), or null when no node is asked for. */
const nodes = (info: Selection) => below(info, 'edges', 'node');

/** Registration and its learner, joined to the page's `registration_id` (refund requests, fraud cases). */
function registrationIncludes(node: Selection): PageInclude[] {
  if (!selects(node, 'registration')) return [];
  const inc = [one('x_registration', Registration, 'x_registration.id = e.registration_id')];
  if (selects(node, 'registration', 'learner')) inc.push(one('x_learner', Learner, 'x_learner.id = x_registration.learner_id'));
  return inc;
}

function primeRegistrations(ctx: Context, page: Page<{ registration: { id: string } }>): void {
  const registrations = includedOne<Registration>(page, 'x_registration');
  const learners = includedOne<Learner>(page, 'x_learner');
  if (!registrations) return;
  page.edges.forEach(({ node }, i) => {
    const registration = registrations[i]?.row ?? null;
    ctx.loaders.registration.prime(node.registration.id, registration);
    if (registration && learners) ctx.loaders.learner.prime(registration.learner.id, learners[i]?.row ?? null);
  });
}

/** `refundRequests`: payment, registration, registration.learner. */
export const refundRequestPage = {
  includes(info: Selection): PageInclude[] {
    const node = nodes(info);
    if (!node) return [];
    return [...(selects(node, 'payment') ? [one('x_payment', Payment, 'x_payment.id = e.payment_id')] : []), ...registrationIncludes(node)];
  },
  async prime(ctx: Context, page: Page<Row<RefundRequest>>, _info: Selection): Promise<void> {
    const payments = includedOne<Payment>(page, 'x_payment');
    if (payments) page.edges.forEach(({ node }, i) => ctx.loaders.payment.prime(node.payment.id, payments[i]?.row ?? null));
    primeRegistrations(ctx, page);
  },
};

/** `fraudCases`: evidence (CERTIFICATION, R-EVI-2) with its ON_HOLD flag, registration, registration.learner. */
export const fraudCasePage = {
  includes(info: Selection, ctx: Context): PageInclude[] {
    const node = nodes(info);
    if (!node) return [];
    const inc = registrationIncludes(node);
    if (selects(node, 'evidence') && mayRead(ctx, FRAUD_CASE_EVIDENCE_READERS)) {
      inc.push({ alias: 'x_evidence', entity: Evidence, kind: 'many', on: 'x_evidence.attempt_id = p."attempt_id"', extra: { held: heldSql('x_evidence') } });
    }
    return inc;
  },
  async prime(ctx: Context, page: Page<Row<FraudCase>>, _info: Selection): Promise<void> {
    const evidence = includedMany<Evidence>(page, 'x_evidence');
    if (evidence) {
      page.edges.forEach(({ node }, i) => {
        ctx.loaders.evidenceByAttempt.prime(node.attempt.id, toEvidenceViews(evidence[i].map((x) => ({ row: x.row, held: x.extra.held === true }))));
      });
    }
    primeRegistrations(ctx, page);
  },
};

/** `registrations` (and a session's): learner, payment, certificate (joined), appointments and results (one statement each). */
export const registrationPage = {
  includes(info: Selection, ctx: Context): PageInclude[] {
    const node = nodes(info);
    if (!node) return [];
    const inc: PageInclude[] = [];
    if (selects(node, 'learner')) inc.push(one('x_learner', Learner, 'x_learner.id = e.learner_id'));
    if (selects(node, 'payment') && mayRead(ctx, REGISTRATION_PAYMENT_READERS)) inc.push(one('x_payment', Payment, 'x_payment.registration_id = e.id'));
    if (selects(node, 'certificate') && mayRead(ctx, REGISTRATION_CERTIFICATE_READERS)) {
      inc.push(one('x_certificate', Certificate, 'x_certificate.registration_id = e.id'));
    }
    return inc;
  },
  async prime(ctx: Context, page: Page<Row<Registration>>, info: Selection): Promise<void> {
    const learners = includedOne<Learner>(page, 'x_learner');
    const payments = includedOne<Payment>(page, 'x_payment');
    const certificates = includedOne<Certificate>(page, 'x_certificate');
    page.edges.forEach(({ node }, i) => {
      if (learners) ctx.loaders.learner.prime(node.learner.id, learners[i]?.row ?? null);
      if (payments) ctx.loaders.paymentByRegistration.prime(node.id, payments[i]?.row ?? null);
      if (certificates) ctx.loaders.certificateByRegistration.prime(node.id, certificates[i]?.row ?? null);
    });
    const node = nodes(info);
    if (!node || !page.edges.length) return;
    const ids = page.edges.map((e) => e.node.id);
    await Promise.all([
      selects(node, 'activeAppointment') || selects(node, 'appointments') ? ctx.loaders.appointmentsByRegistration.prefetch(ids) : undefined,
      selects(node, 'result') ? ctx.loaders.resultsByRegistration.prefetch(ids) : undefined,
    ]);
  },
};
