import { Check, Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Appointment } from './appointment.entity.js';
import { Clinic } from './clinic.entity.js';
import { Patient } from './patient.entity.js';
import { Purchase } from './purchase.entity.js';
import type { InvoiceKind, InvoiceStatus } from '../domain/index.js';

// Declared with the invoice's rules (domain/invoice.ts).
export type { InvoiceKind };

/**
 * Totals are running sums of lines and payments, written with them in one transaction.
 * balanceDue = total − coveredAmount − amountPaid − amountWrittenOff (amountPaid counts positive payments only,
 * so a refund never reopens an invoice).
 */
@Entity({ tableName: 'invoice' })
@Unique({ properties: ['clinicId', 'number'] })
@Unique({ properties: ['purchaseId', 'cycleStart'] })
@Unique({ properties: ['purchaseId', 'installmentNumber'] })
@Index({ properties: ['clinicId', 'patientId'] })
@Index({ properties: ['clinicId', 'kind', 'status', 'dueDate'] })
@Index({ properties: ['purchaseId'] })
@Check({ name: 'invoice_amounts_consistent', expression: "status in ('open', 'paid', 'void', 'written_off') and number > 0 and total >= 0 and amount_paid >= 0 and covered_amount >= 0 and amount_refunded >= 0 and amount_written_off >= 0 and amount_refunded <= amount_paid and total - covered_amount - amount_paid - amount_written_off >= 0" })
@Check({ name: 'invoice_total_with_taxes', expression: 'subtotal >= 0 and tax_total >= 0 and total = subtotal + tax_total' })
@Check({ name: 'invoice_extras_within_total', expression: 'extras_subtotal >= 0 and extras_total >= extras_subtotal and extras_total - extras_subtotal <= tax_total and extras_subtotal <= subtotal' })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
export class Invoice extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  /** 1, 2, 3 … per clinic, gap-free. */
  @Property({ type: 'integer' })
  number: number;

  @ForeignKey(() => Patient, 'patient_id')
  patientId: string;

  @Property({ type: 'text' })
  kind: InvoiceKind;

  @Property({ type: 'text' })
  status: InvoiceStatus = 'open';

  @ForeignKey(() => Purchase, 'purchase_id', { nullable: true })
  purchaseId: string | null = null;

  @ForeignKey(() => Appointment, 'appointment_id', { nullable: true })
  @Unique()
  appointmentId: string | null = null;

  @Property({ type: 'date', nullable: true })
  dueDate: string | null = null;

  /** The visit's date in the clinic's time zone: what redemptions are judged against. */
  @Property({ type: 'date' })
  serviceDate: string;

  /** Membership invoices: the start of the cycle billed. */
  @Property({ type: 'date', nullable: true })
  cycleStart: string | null = null;

  @Property({ type: 'integer', nullable: true })
  installmentNumber: number | null = null;

  /** Σ line amounts, before tax (billing-rules.md "Taxes"). */
  @Money()
  subtotal: number = 0;

  /** Σ of the lines' taxes. */
  @Money()
  taxTotal: number = 0;

  /** subtotal + taxTotal: what the balance due is computed from. */
  @Money()
  total: number = 0;

  @Money()
  amountPaid: number = 0;

  @Money()
  amountRefunded: number = 0;

  @Money()
  coveredAmount: number = 0;

  /**
   * A purchase invoice's extras, its tip and charge lines, with their taxes and before them (0 on a
   * service invoice): the plan's money is the rest (billing-rules.md "Extras on a purchase invoice").
   */
  @Money()
  extrasTotal: number = 0;

  @Money()
  extrasSubtotal: number = 0;

  /** What a cancelled package's partly paid instalment still owed when it was written off. */
  @Money()
  amountWrittenOff: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  voidedAt: Date | null = null;

  @ForeignKey(() => ApiKey, 'created_by_key_id', { nullable: true })
  createdByKeyId: string | null = null;
}
