import { LockMode } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { actorOf } from '../auth/viewer';
import { type ServiceContext } from '../context';
import { effectiveStatus, isActive, plannedUntil } from '../domain/appointment';
import { priorityStarts } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Appointment, type CertificationSession, ProviderIncident, type Registration } from '../entities';
import { type IncidentKind } from '../entities/provider-incident.entity';
import { type PageArgs, paginate } from '../schema/connection';
import { audit } from './audit.service';
import { type Row } from './plain-rows';
import { voidAttemptsForIncident } from './exam-hooks';
import { RegistrationService } from './registration.service';

export interface ReportIncidentInput {
  appointmentId: string;
  kind: IncidentKind;
  description: string;
  occurredAt: Date;
  providerReference?: string | null;
  confirmedByProvider?: boolean | null;
}

const f = (name: string) => ['input', name];
const HOUR = 3_600_000;

/**
 * Voids the attempt in progress when a provider fault is confirmed (R-INC-2). Exam attempts do not
 * exist yet: the exam issue fills this in; it is called in the confirming transaction.
 */
export async function voidAttemptOfProviderFault(em: EntityManager, ctx: ServiceContext, appointment: Appointment): Promise<void> {
  // R-INC-2: the attempt in progress (or ended but not published) is voided, not graded.
  await voidAttemptsForIncident(em, ctx, appointment.id, 'confirmed provider fault (R-INC-2)');
}

/**
 * R-SCH-7: whether a priority appointment can still be booked for this incident: confirmed, not used,
 * the registration active with no active appointment, and a priority start left in the period.
 * Capacity is checked when booking (a priority booking may take capacity + 1).
 */
export function priorityRebookingAvailable(
  incident: ProviderIncident,
  ctx: { registration: Row<Registration>; session: CertificationSession; appointments: Row<Appointment>[]; now: Date },
): boolean {
  if (!incident.confirmedByProvider || ctx.registration.status !== 'ACTIVE') return false;
  if (ctx.appointments.some((a) => a.incidentId === incident.id)) return false;
  if (ctx.appointments.some((a) => isActive(a, ctx.now))) return false;
  return priorityStarts(ctx.session, ctx.now).length > 0;
}

/** R-INC: provider incidents, reported by ProctorU or support, confirmed by the provider. */
export class IncidentService {
  private readonly registrations = new RegistrationService();

  async report(ctx: ServiceContext, input: ReportIncidentInput): Promise<ProviderIncident> {
    const appointmentId = v.uuid(input.appointmentId, f('appointmentId'));
    const description = v.text(input.description, f('description'), { max: v.MAX_LONG_TEXT });
    const providerReference = input.providerReference == null ? null : v.text(input.providerReference, f('providerReference'), { max: 128 });
    const confirmed = Boolean(input.confirmedByProvider);
    if (confirmed && !providerReference) v.fail(f('providerReference'), 'A confirmed incident carries the provider reference');
    return ctx.em.transactional(async (em) => {
      const now = ctx.clock.now();
      const found = await em.findOne(Appointment, { id: appointmentId });
      if (!found) throw new DomainError('NOT_FOUND', 'No appointment with this id', f('appointmentId'));
      const reg = await this.registrations.load(em, ctx, found.registration.id, f('appointmentId'), LockMode.PESSIMISTIC_WRITE);
      const a = await em.findOneOrFail(Appointment, { id: appointmentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', f('appointmentId'));
      if (a.status === 'RESCHEDULED' || a.status === 'CANCELLED') {
        throw new DomainError('APPOINTMENT_NOT_ACTIVE', `This appointment was ${a.status.toLowerCase()}: no exam took place`, f('appointmentId'));
      }
      if (input.occurredAt.getTime() > now.getTime()) v.fail(f('occurredAt'), 'occurredAt is in the future');
      if (input.occurredAt.getTime() < a.startsAt.getTime() - HOUR || input.occurredAt.getTime() > plannedUntil(a).getTime()) {
        v.fail(f('occurredAt'), 'occurredAt must fall within the appointment (from 1 h before its start to its planned end)');
      }
      const incident = em.create(ProviderIncident, {
        registration: reg,
        appointment: a,
        kind: input.kind,
        description,
        providerReference,
        occurredAt: input.occurredAt,
        confirmedByProvider: false,
        reportedBy: actorOf(ctx.viewer),
        reportedAt: now,
      });
      audit(em, ctx, 'incident.report', { type: 'ProviderIncident', id: incident.id }, { appointmentId: a.id, kind: input.kind, confirmedByProvider: confirmed });
      if (confirmed) await this.applyConfirmation(em, ctx, incident, a, now);
      await em.flush();
      return incident;
    });
  }

  /** R-INC-2: the provider confirms its fault: the appointment becomes PROVIDER_FAULT (and its attempt is voided). */
  async confirm(ctx: ServiceContext, input: { incidentId: string; providerReference: string }): Promise<ProviderIncident> {
    const incidentId = v.uuid(input.incidentId, f('incidentId'));
    const providerReference = v.text(input.providerReference, f('providerReference'), { max: 128 });
    return ctx.em.transactional(async (em) => {
      const found = await em.findOne(ProviderIncident, { id: incidentId });
      if (!found) throw new DomainError('NOT_FOUND', 'No provider incident with this id', f('incidentId'));
      const reg = await this.registrations.load(em, ctx, found.registration.id, f('incidentId'), LockMode.PESSIMISTIC_WRITE);
      const incident = await em.findOneOrFail(ProviderIncident, { id: incidentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (incident.confirmedByProvider) {
        // A repeated callback is harmless; another reference is a conflict.
        if (incident.providerReference === providerReference) return incident;
        throw new DomainError('INCIDENT_NOT_ELIGIBLE', `This incident is already confirmed with reference ${incident.providerReference}`, f('providerReference'));
      }
      if (reg.status === 'CANCELLED') throw new DomainError('REGISTRATION_CANCELLED', 'This registration is cancelled', f('incidentId'));
      const a = await em.findOneOrFail(Appointment, { id: incident.appointment.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      incident.providerReference = providerReference;
      audit(em, ctx, 'incident.confirm', { type: 'ProviderIncident', id: incident.id }, { providerReference });
      await this.applyConfirmation(em, ctx, incident, a, ctx.clock.now());
      await em.flush();
      return incident;
    });
  }

  list(ctx: ServiceContext, filter: { registrationId?: string | null; confirmed?: boolean | null }, page: PageArgs) {
    const where: Record<string, unknown> = {};
    if (filter.registrationId) where.registration = v.filterId(filter.registrationId);
    if (filter.confirmed != null) where.confirmedByProvider = filter.confirmed;
    if (ctx.viewer.kind === 'LEARNER') where.registration = { ...(where.registration ? { id: where.registration } : {}), learner: ctx.viewer.learnerId };
    return paginate(ctx.em, ProviderIncident, where, [{ reportedAt: 'desc' }, { id: 'desc' }], page);
  }

  private async applyConfirmation(em: EntityManager, ctx: ServiceContext, incident: ProviderIncident, a: Appointment, now: Date): Promise<void> {
    incident.confirmedByProvider = true;
    incident.confirmedAt = now;
    if (a.status !== 'PROVIDER_FAULT') {
      audit(em, ctx, 'appointment.provider_fault', { type: 'Appointment', id: a.id }, { incidentId: incident.id, previousStatus: effectiveStatus(a, now) });
      a.status = 'PROVIDER_FAULT';
    }
    await voidAttemptOfProviderFault(em, ctx, a);
  }
}
