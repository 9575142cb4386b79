import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';

@Entity({ tableName: 'service' })
export class Service extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  name: string;

  /** List price in minor units. */
  @Money()
  price: number;

  @Property({ type: 'integer', nullable: true })
  durationMinutes: number | null = null;
}
