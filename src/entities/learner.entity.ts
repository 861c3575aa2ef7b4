import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A learner of the platform, keyed by the platform's account id. The ProctorU profile (R-REG-5) is
 * entered once and reused; phone and address are personal data (R-SEC).
 */
@Entity({ tableName: 'learner' })
export class Learner {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', unique: true })
  externalId!: string;

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text' })
  username!: string;

  @Property({ type: 'text' })
  givenName!: string;

  @Property({ type: 'text' })
  familyName!: string;

  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Property({ type: 'text', nullable: true })
  city?: string | null;

  @Property({ type: 'text', nullable: true })
  timeZone?: string | null;

  /** ISO 3166-1 alpha-2. */
  @Property({ type: 'text', nullable: true })
  country?: string | null;

  /** Erased on request (GDPR art. 17): contact data pseudonymised, profile deleted; final (M0011). */
  @Property({ type: 'datetime', nullable: true })
  erasedAt?: Date | null;

  /** When the ProctorU profile (phone, address, city) was deleted: by PURGE_PROFILES or an erasure. */
  @Property({ type: 'datetime', nullable: true })
  profilePurgedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  get profileComplete(): boolean {
    return Boolean(this.phone && this.address && this.city && this.timeZone && this.country);
  }
}
