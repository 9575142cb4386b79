import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Clinic } from './clinic.entity.js';

@Entity({ tableName: 'family' })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Family extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  name: string;
}
