import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Clinic } from './clinic.entity.js';
import { Family } from './family.entity.js';

@Entity({ tableName: 'patient' })
@Index({ properties: ['clinicId', 'lastName', 'firstName'] })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Patient extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @Property({ type: 'text' })
  firstName: string;

  @Property({ type: 'text' })
  lastName: string;

  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'date', nullable: true })
  dateOfBirth: string | null = null;

  @ForeignKey(() => Family, 'family_id', { nullable: true })
  @Index()
  familyId: string | null = null;
}
