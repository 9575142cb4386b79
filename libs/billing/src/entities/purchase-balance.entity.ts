import { Check, Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';
import { Purchase } from './purchase.entity.js';
import { Service } from './service.entity.js';

/**
 * Visit counters of one service on one purchase: a running sum of the ledger, written in the
 * same transaction as each entry (the verifier checks they agree). For a membership, `total`
 * is the allowance per cycle and the counters stay 0: usage per cycle is summed from the ledger.
 * The check makes a negative balance impossible whatever the code above does.
 */
@Entity({ tableName: 'purchase_balance' })
@Unique({ properties: ['purchaseId', 'serviceId'] })
@Check({ name: 'purchase_balance_never_negative', expression: 'total >= 0 and used >= 0 and transferred_out >= 0 and transferred_in >= 0 and total + transferred_in - used - transferred_out >= 0' })
@Check({ name: 'purchase_balance_patient_portion_check', expression: 'patient_portion >= 0' })
export class PurchaseBalance extends BaseEntity {
  /** Its parent's clinic: the composite keys check each reference of this row against it. */
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Purchase, 'purchase_id')
  purchaseId: string;

  @ForeignKey(() => Service, 'service_id')
  serviceId: string;

  @Property({ type: 'text' })
  serviceName: string;

  @Money()
  total: number = 0;

  @Property({ type: 'integer' })
  used: number = 0;

  @Property({ type: 'integer' })
  transferredOut: number = 0;

  @Property({ type: 'integer' })
  transferredIn: number = 0;

  /** Package rate of one visit of this service (billing-rules "visit value"). */
  @Money()
  visitValue: number = 0;

  /** The service's list price when the plan was sold (full-price refunds). */
  @Money()
  listPrice: number = 0;

  /** The plan item's patient portion at sale, snapshotted like the visit value. */
  @Money()
  patientPortion: number = 0;

  @Property({ type: 'integer' })
  position: number = 0;
}
