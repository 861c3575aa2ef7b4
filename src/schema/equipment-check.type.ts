import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

export enum OperatingSystemEnum {
  WINDOWS = 'WINDOWS',
  MACOS = 'MACOS',
  LINUX = 'LINUX',
  OTHER = 'OTHER',
}
registerEnumType(OperatingSystemEnum, { name: 'OperatingSystem' });

export enum EquipmentRequirementEnum {
  OPERATING_SYSTEM = 'OPERATING_SYSTEM',
  WEBCAM = 'WEBCAM',
  MICROPHONE = 'MICROPHONE',
  SPEAKERS = 'SPEAKERS',
  DOWNLOAD_BANDWIDTH = 'DOWNLOAD_BANDWIDTH',
  UPLOAD_BANDWIDTH = 'UPLOAD_BANDWIDTH',
  PORT_1935 = 'PORT_1935',
  PRIVATE_PLACE = 'PRIVATE_PLACE',
}
registerEnumType(EquipmentRequirementEnum, { name: 'EquipmentRequirement' });

/**
 * R-TEC-2: the check and its measured values (evidence in later claims); the screenshot bytes stay
 * server-side. `hasScreenshot` is a field resolver.
 */
@ObjectType('EquipmentCheck')
export class EquipmentCheckType {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  checkedAt!: Date;

  @Field(() => Boolean)
  compatible!: boolean;

  @Field(() => [EquipmentRequirementEnum])
  failedRequirements!: EquipmentRequirementEnum[];

  @Field(() => String, { description: 'Who recorded the check: `learner:<id>`, `staff:<e-mail>` or `service:<name>`.' })
  recordedBy!: string;

  @Field(() => OperatingSystemEnum)
  operatingSystem!: OperatingSystemEnum;

  @Field(() => String)
  osVersion!: string;

  @Field(() => Int)
  webcamWidth!: number;

  @Field(() => Int)
  webcamHeight!: number;

  @Field(() => Boolean)
  hasMicrophone!: boolean;

  @Field(() => Boolean)
  hasSpeakers!: boolean;

  @Field(() => Int)
  downloadKbps!: number;

  @Field(() => Int)
  uploadKbps!: number;

  @Field(() => Boolean)
  port1935Open!: boolean;

  @Field(() => Boolean)
  publicPlace!: boolean;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the screenshot, when there is one.' })
  screenshotSha256?: string | null;

  @Field(() => String, { nullable: true, description: '`image/png` or `image/jpeg`, when there is a screenshot.' })
  screenshotContentType?: string | null;
}

@InputType()
export class RecordEquipmentCheckInput {
  @Field(() => ID)
  learnerId!: string;

  @Field(() => OperatingSystemEnum)
  operatingSystem!: OperatingSystemEnum;

  @Field(() => String, { description: 'e.g. "XP", "Vista", "10" for Windows; "10.4", "10.12" for macOS.' })
  osVersion!: string;

  @Field(() => Int)
  webcamWidth!: number;

  @Field(() => Int)
  webcamHeight!: number;

  @Field(() => Boolean)
  hasMicrophone!: boolean;

  @Field(() => Boolean)
  hasSpeakers!: boolean;

  @Field(() => Int)
  downloadKbps!: number;

  @Field(() => Int)
  uploadKbps!: number;

  @Field(() => Boolean)
  port1935Open!: boolean;

  @Field(() => Boolean)
  publicPlace!: boolean;

  @Field(() => String, { nullable: true, description: 'Optional PNG or JPEG screenshot of the check, base64.' })
  screenshotBase64?: string | null;
}

@ObjectType()
export class EquipmentCheckPayload {
  @Field(() => EquipmentCheckType, { nullable: true })
  equipmentCheck?: EquipmentCheckType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
