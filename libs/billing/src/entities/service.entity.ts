import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';

@Entity({ tableName: 'service' })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Service extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  name: string;

  /** List price in minor units. */
  @Money()
  price: number;

  /** The clinic's tax codes this service is taxed by ([]: exempt). */
  @Property({ type: 'json', default: "'[]'" })
  taxCodes: string[] = [];

  @Property({ type: 'integer', nullable: true })
  durationMinutes: number | null = null;
}
