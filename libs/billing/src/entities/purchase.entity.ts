import { Check, Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Clinic } from './clinic.entity.js';
import { Patient } from './patient.entity.js';
import { Plan, type PlanKind } from './plan.entity.js';
import type { BillingInterval, PausedCycle } from '../domain/index.js';

import type { PurchaseStatus } from '../domain/index.js';

export const PAYMENT_SCHEDULES = ['full', 'installments'] as const;
export type PaymentSchedule = (typeof PAYMENT_SCHEDULES)[number];

/** A plan on a patient's profile. Terms are copied from the plan so later plan edits never change a sale. */
@Entity({ tableName: 'purchase' })
@Index({ properties: ['clinicId', 'patientId', 'status'] })
@Index({ properties: ['kind', 'status'] })
// One linked purchase per source and target patient: later transfers add to it.
@Unique({ properties: ['sourcePurchaseId', 'patientId'] })
@Check({ expression: "status in ('active', 'exhausted', 'expired', 'cancelled') and price >= 0 and first_visit_extra >= 0" })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Purchase extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Patient, 'patient_id')
  patientId: string;

  @ForeignKey(() => Plan, 'plan_id')
  planId: string;

  /** Set on a purchase made by a transfer: the purchase the visits came from. */
  @ForeignKey(() => Purchase, 'source_purchase_id', { nullable: true })
  sourcePurchaseId: string | null = null;

  @Property({ type: 'text' })
  kind: PlanKind;

  @Property({ type: 'text' })
  planName: string;

  @Property({ type: 'text' })
  status: PurchaseStatus = 'active';

  @Property({ type: 'text' })
  paymentSchedule: PaymentSchedule = 'full';

  @Property({ type: 'date' })
  startDate: string;

  @Property({ type: 'date', nullable: true })
  expiresOn: string | null = null;

  /** Membership cancelled at the end of its cycle: the day the cancellation takes effect. */
  @Property({ type: 'date', nullable: true })
  cancelAt: string | null = null;

  @Money()
  price: number;

  @Property({ type: 'boolean' })
  insuranceFriendly: boolean = false;

  @Property({ type: 'boolean' })
  onlineRedemption: boolean = false;

  @Property({ type: 'text', nullable: true })
  billingInterval: BillingInterval | null = null;

  @Property({ type: 'boolean' })
  rollover: boolean = false;

  /** Rounding remainder of the visit values, carried by the first visit consumed. */
  @Money()
  firstVisitExtra: number = 0;

  /** Memberships: the paused cycles, oldest first (domain/pause.ts); their dates never move. */
  @Property({ type: 'json', default: "'[]'" })
  pausedCycles: PausedCycle[] = [];

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;

  @ForeignKey(() => ApiKey, 'created_by_key_id', { nullable: true })
  createdByKeyId: string | null = null;
}
