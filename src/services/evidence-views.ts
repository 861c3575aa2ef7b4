import { type EntityManager } from '@mikro-orm/postgresql';
import { Evidence, LegalHold } from '../entities';
import { EVIDENCE_KINDS } from '../entities/evidence.entity';
import { EvidenceKindEnum, EvidenceStatusEnum, type EvidenceType } from '../schema/evidence.type';

/** The GraphQL view of an evidence row; `held` says whether an active legal hold covers its attempt. */
export function toEvidenceType(e: Evidence, held: boolean): EvidenceType {
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

/**
 * The evidence of the given attempts (VIDEO, ID_DOCUMENT, FACE_PHOTO order), with ON_HOLD derived from
 * an active legal hold (`released_at` null) on the attempt: two queries whatever the number of attempts.
 */
export async function loadEvidenceViews(em: EntityManager, attemptIds: readonly string[]): Promise<EvidenceType[]> {
  if (attemptIds.length === 0) return [];
  const [rows, holds] = await Promise.all([
    em.find(Evidence, { attempt: { $in: [...attemptIds] } }),
    em.find(LegalHold, { attempt: { $in: [...attemptIds] }, releasedAt: null }, { fields: ['attempt'] }),
  ]);
  const held = new Set(holds.map((h) => h.attempt.id));
  rows.sort((a, b) => EVIDENCE_KINDS.indexOf(a.kind) - EVIDENCE_KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
  return rows.map((e) => toEvidenceType(e, held.has(e.attempt.id)));
}
