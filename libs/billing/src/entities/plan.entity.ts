import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';

import type { BillingInterval, PurchaseKind } from '../domain/index.js';

export type PlanKind = PurchaseKind;
export interface InstallmentTerms {
  count: number;
  intervalDays: number;
}

@Entity({ tableName: 'plan' })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Plan extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  @Index()
  clinicId: string;

  @Property({ type: 'text' })
  kind: PlanKind;

  @Property({ type: 'text' })
  name: string;

  @Money()
  price: number;

  @Property({ type: 'integer', nullable: true })
  validityDays: number | null = null;

  @Property({ type: 'boolean', default: false })
  insuranceFriendly: boolean = false;

  @Property({ type: 'json', nullable: true })
  installments: InstallmentTerms | null = null;

  @Property({ type: 'boolean', default: false })
  onlineRedemption: boolean = false;

  @Property({ type: 'text', nullable: true })
  billingInterval: BillingInterval | null = null;

  @Property({ type: 'boolean', default: false })
  rollover: boolean = false;

  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  /** The clinic's tax codes its invoices are taxed by, on the price ([]: exempt). */
  @Property({ type: 'json', default: "'[]'" })
  taxCodes: string[] = [];
}
