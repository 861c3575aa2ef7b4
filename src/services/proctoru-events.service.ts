import { Readable } from 'node:stream';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type ServiceContext } from '../context';
import { DomainError } from '../domain/errors';
import * as v from '../domain/validate';
import { Appointment, ExamAttempt } from '../entities';
import { EVIDENCE_KINDS, type EvidenceKind } from '../entities/evidence.entity';
import { type IncidentKind } from '../entities/provider-incident.entity';
import { type ProctorUEvent, type ProctorUEventType } from '../providers/proctoru/webhook';
import { audit } from './audit.service';
import { type IncidentService } from './incident.service';

const EVENT_TYPES: readonly ProctorUEventType[] = ['session.started', 'session.ended', 'incident.reported', 'recording.available'];
const INCIDENT_KINDS: readonly IncidentKind[] = ['DISCONNECTION', 'PROCTOR_UNAVAILABLE', 'SOFTWARE_FAILURE', 'OTHER'];

/** The evidence ingestion (`services.evidence.ingest`, R-EVI-2): streams, hashes, encrypts and records. */
export interface EvidenceIngest {
  ingest(ctx: ServiceContext, input: { attemptId: string; kind: EvidenceKind; contentType: string; capturedAt: Date; body: Readable }): Promise<{ id: string }>;
}

export interface EventOutcome {
  status: 'processed' | 'duplicate';
  incidentId?: string;
  evidenceId?: string;
}

const f = (name: string) => ['event', name];
const str = (value: unknown, field: string[], max = v.MAX_TEXT): string => {
  if (typeof value !== 'string') v.fail(field, `${field[field.length - 1]} must be a string`);
  return v.text(value, field, { max });
};
const instant = (value: unknown, field: string[]): Date => {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) v.fail(field, `${field[field.length - 1]} must be an ISO 8601 instant`);
  return d;
};

/**
 * What ProctorU tells us about an exam (`POST /integrations/proctoru/events`, signature checked by
 * the route): session started and ended (audited), an incident reported (R-INC-1, through
 * IncidentService.report: a confirmed one voids the attempt, R-INC-2), a recording available
 * (R-EVI-1: streamed into the evidence store). Each event id is recorded in `provider_event` in the
 * transaction that handles it: a duplicate is acknowledged and changes nothing.
 */
export class ProctorUEventsService {
  constructor(private readonly incidents: IncidentService) {}

  /** `evidence`: the evidence ingestion (`services.evidence`) a recording goes to. */
  async handle(ctx: ServiceContext, body: unknown, evidence: EvidenceIngest): Promise<EventOutcome> {
    const e = (body ?? {}) as Partial<ProctorUEvent>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) v.fail(['event'], 'The event must be a JSON object');
    const id = str(e.id, f('id'), 128);
    if (!EVENT_TYPES.includes(e.type as ProctorUEventType)) v.fail(f('type'), `type must be one of ${EVENT_TYPES.join(', ')}`);
    const type = e.type as ProctorUEventType;
    const appointmentId = v.uuid(String(e.reservation_id ?? ''), f('reservation_id'));
    const occurredAt = instant(e.occurred_at, f('occurred_at'));
    const data = (e.data ?? {}) as Record<string, unknown>;

    if (type === 'recording.available') return this.recording(ctx, evidence, id, appointmentId, data);
    return ctx.em.transactional(async (em) => {
      if (!(await this.record(em, ctx, id, type, appointmentId))) return { status: 'duplicate' };
      const a = await em.findOne(Appointment, { id: appointmentId });
      if (!a) throw new DomainError('NOT_FOUND', 'No appointment with this reservation_id', f('reservation_id'));
      if (type !== 'incident.reported') {
        audit(em, ctx, `appointment.${type}`, { type: 'Appointment', id: a.id }, { eventId: id, occurredAt: occurredAt.toISOString() });
        return { status: 'processed' };
      }
      if (!INCIDENT_KINDS.includes(data.kind as IncidentKind)) v.fail(['event', 'data', 'kind'], `kind must be one of ${INCIDENT_KINDS.join(', ')}`);
      const incident = await this.incidents.report(
        { ...ctx, em },
        {
          appointmentId: a.id,
          kind: data.kind as IncidentKind,
          description: str(data.description, ['event', 'data', 'description'], v.MAX_LONG_TEXT),
          occurredAt,
          providerReference: data.reference == null ? null : str(data.reference, ['event', 'data', 'reference'], 128),
          confirmedByProvider: data.confirmed === true,
        },
      );
      return { status: 'processed', incidentId: incident.id };
    });
  }

  /** R-EVI-1: the media is downloaded by streaming into the evidence store, then the event is recorded. */
  private async recording(ctx: ServiceContext, evidence: EvidenceIngest, id: string, appointmentId: string, data: Record<string, unknown>): Promise<EventOutcome> {
    if (await this.seen(ctx.em, id)) return { status: 'duplicate' };
    if (!EVIDENCE_KINDS.includes(data.kind as EvidenceKind)) v.fail(['event', 'data', 'kind'], `kind must be one of ${EVIDENCE_KINDS.join(', ')}`);
    const url = str(data.url, ['event', 'data', 'url'], 2048);
    if (!/^https?:\/\//.test(url)) v.fail(['event', 'data', 'url'], 'url must be an http(s) URL');
    const contentType = str(data.content_type, ['event', 'data', 'content_type'], 128);
    const capturedAt = instant(data.captured_at, ['event', 'data', 'captured_at']);
    const attempt = await ctx.em.findOne(ExamAttempt, { appointment: appointmentId });
    if (!attempt) throw new DomainError('NOT_FOUND', 'No exam attempt for this reservation_id', f('reservation_id'));
    const res = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
    if (!res.ok || !res.body) throw new DomainError('PROVIDER_UNAVAILABLE', `The recording could not be downloaded (HTTP ${res.status})`, ['event', 'data', 'url']);
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    const stored = await evidence.ingest(ctx, { attemptId: attempt.id, kind: data.kind as EvidenceKind, contentType, capturedAt, body });
    await ctx.em.transactional((em) => this.record(em, ctx, id, 'recording.available', appointmentId));
    return { status: 'processed', evidenceId: stored.id };
  }

  private async seen(em: EntityManager, id: string): Promise<boolean> {
    const rows = await em.getConnection().execute<unknown[]>('select 1 from provider_event where event_id = ?', [id]);
    return rows.length > 0;
  }

  /** Records the event id; false when it was recorded already (a duplicate). */
  private async record(em: EntityManager, ctx: ServiceContext, id: string, type: string, appointmentId: string): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      `insert into provider_event (event_id, type, appointment_id, received_at) values (?, ?, ?, ?) on conflict (event_id) do nothing returning event_id`,
      [id, type, appointmentId, ctx.clock.realNow()],
    );
    return rows.length > 0;
  }
}
