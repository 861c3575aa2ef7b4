import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from './connection';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum CertificateStatusEnum {
  VALID = 'VALID',
  REVOKED = 'REVOKED',
}
registerEnumType(CertificateStatusEnum, { name: 'CertificateStatus' });

/** R-CER. `registration`, `verificationUrl` and `downloadUrl` are field resolvers (certificate.resolver.ts). */
@ObjectType('Certificate')
export class CertificateType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The registration's locked name, copied at issue (R-REG-2)." })
  holderName!: string;

  @Field(() => String)
  courseTitle!: string;

  @Field(() => String)
  university!: string;

  @Field(() => DateTimeScalar)
  issuedAt!: Date;

  @Field(() => String, { description: 'XXXX-XXXX-XXXX-XXXX: 16 symbols of 32 (80 bits), no 0/O, 1/I.' })
  verificationCode!: string;

  @Field(() => String, { description: 'SHA-256 (hex) of the PDF as issued; every download returns these bytes (R-CER-2).' })
  sha256!: string;

  @Field(() => CertificateStatusEnum)
  status!: CertificateStatusEnum;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt?: Date | null;

  @Field(() => String, { nullable: true })
  revocationReason?: string | null;
}

export const CertificateConnection = ConnectionType('Certificate', CertificateType);

/** What anyone holding the code may read (R-CER-3). */
@ObjectType('CertificateVerification')
export class CertificateVerificationType {
  @Field(() => CertificateStatusEnum)
  status!: CertificateStatusEnum;

  @Field(() => String)
  holderName!: string;

  @Field(() => String)
  courseTitle!: string;

  @Field(() => String)
  university!: string;

  @Field(() => DateTimeScalar)
  issuedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt?: Date | null;
}

@InputType()
export class RevokeCertificateInput {
  @Field(() => ID)
  certificateId!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType()
export class CertificatePayload {
  @Field(() => CertificateType, { nullable: true })
  certificate?: CertificateType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
