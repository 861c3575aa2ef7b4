import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Role } from '../domain/roles';

@Entity({ tableName: 'staff_user' })
export class StaffUser {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased; unique. */
  @Property({ type: 'text', unique: true })
  email!: string;

  @Property({ type: 'text' })
  displayName!: string;

  /** argon2id PHC string. */
  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: ArrayType })
  roles: Role[] = [];

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  disabledAt?: Date | null;
}
