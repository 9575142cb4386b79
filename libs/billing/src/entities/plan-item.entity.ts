import { Check, Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';
import { Plan } from './plan.entity.js';
import { Service } from './service.entity.js';

@Entity({ tableName: 'plan_item' })
@Unique({ properties: ['planId', 'serviceId'] })
@Check({ name: 'plan_item_patient_portion_check', expression: 'patient_portion >= 0' })
export class PlanItem extends BaseEntity {
  /** Its parent's clinic: the composite keys check each reference of this row against it. */
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Plan, 'plan_id')
  planId: string;

  @ForeignKey(() => Service, 'service_id')
  serviceId: string;

  /** Package: visits in total; membership: visits per cycle. */
  @Property({ type: 'integer' })
  quantity: number;

  /** What the patient still pays per redeemed visit (billing-rules.md "Patient portion"). */
  @Money()
  patientPortion: number = 0;

  /** Order as given when the plan was created. */
  @Property({ type: 'integer' })
  position: number;
}
