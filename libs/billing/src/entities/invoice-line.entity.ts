import { Check, Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { Clinic } from './clinic.entity.js';
import { Invoice } from './invoice.entity.js';
import { Purchase } from './purchase.entity.js';
import { Service } from './service.entity.js';
import type { InvoiceLineKind } from '../domain/invoice.js';
import type { LineTax } from '../domain/taxes.js';

// Declared with the invoice's rules (domain/invoice.ts).
export type { InvoiceLineKind };

@Entity({ tableName: 'invoice_line' })
@Check({ name: 'invoice_line_kind_check', expression: "kind in ('service', 'tip', 'charge', 'plan')" })
@Index({ properties: ['redemptionPurchaseId'] })
export class InvoiceLine extends BaseEntity {
  /** Its parent's clinic: the composite keys check each reference of this row against it. */
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Invoice, 'invoice_id')
  @Index()
  invoiceId: string;

  @ForeignKey(() => Service, 'service_id', { nullable: true })
  serviceId: string | null = null;

  @Property({ type: 'text', default: 'service' })
  kind: InvoiceLineKind = 'service';

  @Property({ type: 'text' })
  description: string;

  @Property({ type: 'integer' })
  quantity: number = 1;

  @Money()
  unitPrice: number;

  @Money()
  amount: number;

  @Money()
  coveredAmount: number = 0;

  /** The taxes the line was made with; it keeps them when the clinic's rates change. */
  @Property({ type: 'json', default: "'[]'" })
  taxes: LineTax[] = [];

  /** A charge's tax codes as given (validated against the clinic's codes once taxes land). */
  @Property({ type: 'json', default: "'[]'" })
  taxCodes: string[] = [];

  @ForeignKey(() => Purchase, 'redemption_purchase_id', { nullable: true })
  redemptionPurchaseId: string | null = null;

  /** The redemption command that covered this line: unique, so a line is never covered twice. */
  @Property({ type: 'uuid', nullable: true, unique: true })
  redemptionCommandId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  redemptionPaymentId: string | null = null;

  /** A desk line added with an Idempotency-Key: unique, so a retry after a lost answer finds it. */
  @Property({ type: 'text', nullable: true, unique: true })
  effectKey: string | null = null;
}
