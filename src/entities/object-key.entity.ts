import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The AES-256 key of one stored object (evidence media, certificate PDF). Kept only here: deleting the
 * row makes every copy of the object's bytes unreadable, backups included (crypto-shredding).
 */
@Entity({ tableName: 'object_key' })
export class ObjectKey {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  storageKey!: string;

  @Property({ type: 'blob', columnType: 'bytea' })
  dataKey!: Buffer;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt?: Date;
}
