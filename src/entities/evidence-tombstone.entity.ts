import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Proof that an evidence object was destroyed (R-EVI-4): append-only, no personal data. */
@Entity({ tableName: 'evidence_tombstone' })
export class EvidenceTombstone {
  [OptionalProps]?: 'storageWasMissing';

  @PrimaryKey({ type: 'uuid' })
  evidenceId!: string;

  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: new BigIntType('number') })
  sizeBytes!: number;

  @Property({ type: 'text' })
  sha256!: string;

  @Property({ type: 'datetime' })
  purgedAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  jobRunId?: string | null;

  /** The bytes were already gone from storage when the purge came (logged; the row is purged anyway). */
  @Property({ type: 'boolean' })
  storageWasMissing = false;
}
