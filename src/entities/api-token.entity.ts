import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Role } from '../domain/roles';

/** A service account's token. Only its SHA-256 is stored; the token is shown once. */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  /** Hex SHA-256 of the token. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: ArrayType })
  roles: Role[] = [];

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;
}
