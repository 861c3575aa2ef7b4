import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Learner } from './learner.entity';

/** An equipment check (R-TEC-2): measured values, the failed requirements, an optional screenshot. Evidence in later claims. */
@Entity({ tableName: 'equipment_check' })
export class EquipmentCheck {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Learner, { fieldName: 'learner_id' })
  learner!: Learner;

  @Property({ type: 'datetime' })
  checkedAt!: Date;

  @Property({ type: 'text' })
  recordedBy!: string;

  @Property({ type: 'text' })
  operatingSystem!: string;

  @Property({ type: 'text' })
  osVersion!: string;

  @Property({ type: 'integer' })
  webcamWidth!: number;

  @Property({ type: 'integer' })
  webcamHeight!: number;

  @Property({ type: 'boolean' })
  hasMicrophone!: boolean;

  @Property({ type: 'boolean' })
  hasSpeakers!: boolean;

  @Property({ type: 'integer' })
  downloadKbps!: number;

  @Property({ type: 'integer' })
  uploadKbps!: number;

  /** The naming strategy would say `port1935open`: the column is `port1935_open`. */
  @Property({ type: 'boolean', fieldName: 'port1935_open' })
  port1935Open!: boolean;

  @Property({ type: 'boolean' })
  publicPlace!: boolean;

  @Property({ type: 'boolean' })
  compatible!: boolean;

  @Property({ type: ArrayType })
  failedRequirements: string[] = [];

  /** Kept in the database until the object-storage issue moves it (with its hash). */
  @Property({ type: 'blob', nullable: true, lazy: true })
  screenshot?: Buffer | null;

  @Property({ type: 'text', nullable: true })
  screenshotContentType?: string | null;

  @Property({ type: 'text', nullable: true })
  screenshotSha256?: string | null;
}
