import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Clinic } from './clinic.entity.js';

@Entity({ tableName: 'family' })
export class Family extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  name: string;
}
