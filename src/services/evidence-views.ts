import { type EntityManager } from '@mikro-orm/postgresql';
import { Evidence } from '../entities';
import { EVIDENCE_KINDS } from '../entities/evidence.entity';
import { EvidenceKindEnum, EvidenceStatusEnum, type EvidenceType } from '../schema/evidence.type';
import { type Row, selectKeyedRows, uuidList } from './plain-rows';

/** The GraphQL view of an evidence row (an entity or a plain row); `held` says whether an active legal hold covers its attempt. */
export function toEvidenceType(e: Row<Evidence>, held: boolean): EvidenceType {
  const status = e.status === 'PURGED' ? EvidenceStatusEnum.PURGED : held ? EvidenceStatusEnum.ON_HOLD : EvidenceStatusEnum.RETAINED;
  return {
    id: e.id,
    attemptId: e.attempt.id,
    kind: EvidenceKindEnum[e.kind],
    contentType: e.contentType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    capturedAt: e.capturedAt,
    retainUntil: e.retainUntil,
    status,
    purgedAt: e.purgedAt ?? null,
  };
}

/** SQL: whether an active legal hold (`released_at` null) covers the attempt of the evidence row aliased `alias`. */
export function heldSql(alias: string): string {
  return `exists (select 1 from legal_hold h where h.attempt_id = ${alias}.attempt_id and h.released_at is null)`;
}

/** Evidence rows and their `held` flags as views, in kind order (VIDEO, ID_DOCUMENT, FACE_PHOTO), then id. */
export function toEvidenceViews(rows: { row: Row<Evidence>; held: boolean }[]): EvidenceType[] {
  rows.sort(({ row: a }, { row: b }) => EVIDENCE_KINDS.indexOf(a.kind) - EVIDENCE_KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
  return rows.map(({ held, row }) => toEvidenceType(row, held));
}

/**
 * The evidence of the given attempts (VIDEO, ID_DOCUMENT, FACE_PHOTO order), with ON_HOLD derived from
 * an active legal hold (`released_at` null) on the attempt: one statement whatever the number of
 * attempts, plain rows (no entities: output only).
 */
export async function loadEvidenceViews(em: EntityManager, attemptIds: readonly string[]): Promise<EvidenceType[]> {
  const list = uuidList(attemptIds);
  if (!list) return [];
  const rows = await selectKeyedRows<Evidence, boolean>(em, Evidence, { where: `e.attempt_id in (${list})`, key: heldSql('e') });
  return toEvidenceViews(rows.map(({ key: held, row }) => ({ row, held })));
}
