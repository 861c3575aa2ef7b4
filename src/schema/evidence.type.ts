import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from './scalars';

export enum EvidenceKindEnum {
  VIDEO = 'VIDEO',
  ID_DOCUMENT = 'ID_DOCUMENT',
  FACE_PHOTO = 'FACE_PHOTO',
}
registerEnumType(EvidenceKindEnum, { name: 'EvidenceKind' });

export enum EvidenceStatusEnum {
  RETAINED = 'RETAINED',
  ON_HOLD = 'ON_HOLD',
  PURGED = 'PURGED',
}
registerEnumType(EvidenceStatusEnum, { name: 'EvidenceStatus' });

/**
 * One proctoring recording or photo (R-EVI-1, R-EVI-2). `status` is derived (ON_HOLD from an active legal
 * hold on the attempt); `viewUrl` is a field resolver (evidence.resolver.ts: role check + audit).
 * Build it with `toEvidenceType` (services/evidence.service.ts).
 */
@ObjectType('Evidence')
export class EvidenceType {
  @Field(() => ID)
  id!: string;

  @Field(() => EvidenceKindEnum)
  kind!: EvidenceKindEnum;

  @Field(() => String)
  contentType!: string;

  @Field(() => Float)
  sizeBytes!: number;

  @Field(() => String)
  sha256!: string;

  @Field(() => DateTimeScalar)
  capturedAt!: Date;

  @Field(() => DateTimeScalar)
  retainUntil!: Date;

  @Field(() => EvidenceStatusEnum)
  status!: EvidenceStatusEnum;

  @Field(() => DateTimeScalar, { nullable: true })
  purgedAt?: Date | null;

  /** Not a GraphQL field: the attempt, for the audit event of a view. */
  attemptId!: string;
}
