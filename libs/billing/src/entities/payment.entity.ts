import { Check, Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Clinic } from './clinic.entity.js';
import { Invoice } from './invoice.entity.js';

/** What the desk may record (and refund by). */
export const PAYMENT_METHODS = ['cash', 'card', 'e_transfer', 'insurance', 'other'] as const;
/** Every method a payment can carry: package_credit is recorded by redemptions only. */
export const ALL_PAYMENT_METHODS = [...PAYMENT_METHODS, 'package_credit'] as const;
export type PaymentMethod = (typeof ALL_PAYMENT_METHODS)[number];

/** Append-only money movements on an invoice; a refund is a negative payment. */
@Entity({ tableName: 'payment' })
@Index({ properties: ['invoiceId'] })
@Check({ name: 'payment_amount_not_zero', expression: 'amount <> 0' })
@Check({ name: 'payment_voided_package_credit', expression: "not voided or method = 'package_credit'" })
export class Payment extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Invoice, 'invoice_id')
  invoiceId: string;

  @Money()
  amount: number;

  @Property({ type: 'text' })
  method: PaymentMethod;

  @Property({ type: 'text', nullable: true })
  reference: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  commandId: string | null = null;

  /** Unique per cause (command + step), so replaying a command cannot pay twice. */
  @Property({ type: 'text', unique: true })
  effectKey: string;

  /** A reversed redemption's package_credit payment: kept for the record, counted nowhere. */
  @Property({ type: 'boolean', default: false })
  voided: boolean = false;

  @ForeignKey(() => ApiKey, 'created_by_key_id', { nullable: true })
  createdByKeyId: string | null = null;
}
