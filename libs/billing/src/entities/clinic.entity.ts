import { Entity, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from './base.js';

import type { ClinicTax, RefundPolicy } from '../domain/index.js';

export interface ClinicSettings {
  refundPolicy: RefundPolicy;
  membershipGraceDays: number;
  /** Local time (HH:MM, clinic time zone) of the daily reconciliation. */
  reconciliationTime: string;
  /** Hours before an appointment after which the online role can no longer cancel it (0..168). */
  onlineCancellationHours: number;
  /** At most 3 (api-v1.md "Taxes"); absent on clinics made before taxes: none. */
  taxes?: ClinicTax[];
  /** Printed on documents. */
  taxNumber?: string | null;
}

export const DEFAULT_CLINIC_SETTINGS: ClinicSettings = {
  refundPolicy: 'prorated',
  membershipGraceDays: 0,
  reconciliationTime: '02:00',
  onlineCancellationHours: 24,
};

@Entity({ tableName: 'clinic' })
export class Clinic extends BaseEntity {
  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'string', length: 3 })
  currency: string;

  @Property({ type: 'text' })
  timezone: string;

  @Property({ type: 'json' })
  settings: ClinicSettings = { ...DEFAULT_CLINIC_SETTINGS };

  /** Last invoice number issued; bumped in the invoice's own transaction so numbers stay gap-free. */
  @Property({ type: 'integer', default: 0 })
  invoiceSeq: number = 0;
}
