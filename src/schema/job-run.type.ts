import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from './connection';
import { JobNameEnum, JobRunStatusEnum, JobTriggerEnum } from './enums';
import { DateTimeScalar } from './scalars';
import { UserError } from './user-error.type';

@ObjectType('JobRun')
export class JobRunType {
  @Field(() => ID)
  id!: string;

  @Field(() => JobNameEnum)
  job!: JobNameEnum;

  @Field(() => JobTriggerEnum)
  trigger!: JobTriggerEnum;

  @Field(() => JobRunStatusEnum)
  status!: JobRunStatusEnum;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Int)
  itemsProcessed!: number;

  @Field(() => String, { nullable: true })
  error?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The schedule tick of a scheduled run.' })
  tick?: Date | null;

  @Field(() => String, { description: 'The server process that ran it (host:pid).' })
  instance!: string;
}

export const JobRunConnection = ConnectionType('JobRun', JobRunType);

@ObjectType()
export class JobRunPayload {
  @Field(() => JobRunType, { nullable: true })
  jobRun?: JobRunType | null;

  @Field(() => [UserError])
  errors!: UserError[];
}
