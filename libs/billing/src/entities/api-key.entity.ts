import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Clinic } from './clinic.entity.js';

export const ROLES = ['owner', 'billing', 'front_desk', 'online'] as const;
export type Role = (typeof ROLES)[number];

@Entity({ tableName: 'api_key' })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class ApiKey extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  role: Role;

  /** SHA-256 of the key: the key itself is shown once and never stored. */
  @Property({ type: 'string', length: 64, unique: true })
  keyHash: string;

  /** First characters of the key, so staff can tell keys apart in listings. */
  @Property({ type: 'text' })
  keyPrefix: string;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
