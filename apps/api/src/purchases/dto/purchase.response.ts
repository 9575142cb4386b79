import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BILLING_INTERVALS, INSTALLMENT_STATUSES, INVOICE_KINDS, INVOICE_STATUSES, LEDGER_TYPES, PAYMENT_SCHEDULES, PURCHASE_KINDS, PURCHASE_STATUSES } from '@app/billing';
import type { InstallmentStatus } from '@app/billing';

export class PurchaseBalanceResponse {
  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty()
  serviceName: string;

  @ApiProperty({ type: 'integer', description: 'Package: visits bought; membership: allowance of the current cycle (with rollover)' })
  total: number;

  @ApiProperty({ type: 'integer' })
  used: number;

  @ApiProperty({ type: 'integer' })
  transferredOut: number;

  @ApiProperty({ type: 'integer' })
  transferredIn: number;

  @ApiProperty({ type: 'integer', description: 'total + transferredIn − used − transferredOut' })
  remaining: number;

  @ApiProperty({ type: 'integer', description: 'What can be redeemed now (paid for, active)' })
  available: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Memberships: visits per cycle' })
  perCycle?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Memberships with rollover: visits carried into this cycle' })
  carriedIn?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Packages: the value of one visit, in minor units' })
  visitValue?: number;
}

export class PurchaseCycleResponse {
  @ApiProperty({ format: 'date' })
  start: string;

  @ApiProperty({ format: 'date' })
  end: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  invoiceId: string | null;
}

export class PurchasePausedCycleResponse {
  @ApiProperty({ format: 'date' })
  start: string;

  @ApiProperty({ format: 'date', description: 'Inclusive' })
  end: string;
}

export class PurchaseInstallmentResponse {
  @ApiProperty({ type: 'integer', nullable: true })
  number: number | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueDate: string | null;

  @ApiProperty({ type: 'integer' })
  amount: number;

  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ enum: INSTALLMENT_STATUSES })
  status: InstallmentStatus;

  @ApiProperty({ type: 'integer', description: 'Written off when the package was cancelled partly paid' })
  amountWrittenOff: number;

  @ApiProperty({ type: 'integer', description: 'total − Σ coveredAmount − amountPaid − amountWrittenOff' })
  balanceDue: number;
}

export class PurchaseInvoiceResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer' })
  number: number;

  @ApiProperty({ enum: INVOICE_KINDS })
  kind: string;

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: 'integer' })
  amountPaid: number;

  @ApiProperty({ type: 'integer' })
  amountRefunded: number;

  @ApiProperty({ type: 'integer' })
  amountWrittenOff: number;

  @ApiProperty({ type: 'integer', description: 'total − Σ coveredAmount − amountPaid − amountWrittenOff' })
  balanceDue: number;

  @ApiProperty({ enum: INVOICE_STATUSES })
  status: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueDate: string | null;
}

export class PurchaseHistoryEntryResponse {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ enum: LEDGER_TYPES })
  type: string;

  @ApiPropertyOptional({ type: 'integer' })
  quantity?: number;

  @ApiPropertyOptional({ type: 'integer' })
  amount?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  serviceId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  invoiceId?: string;

  @ApiPropertyOptional({ format: 'date' })
  cycleStart?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  commandId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  byKeyId?: string;

  @ApiPropertyOptional()
  note?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Transfers: the purchase on the other side' })
  otherPurchaseId?: string;

  @ApiPropertyOptional({ format: 'date', description: 'extended: the expiry before' })
  previousExpiresOn?: string;

  @ApiPropertyOptional({ format: 'date', description: 'extended: the new expiry' })
  expiresOn?: string;

  @ApiPropertyOptional({ type: () => [PurchasePausedCycleResponse], description: 'paused, resumed: the cycles paused or unpaused' })
  cycles?: PurchasePausedCycleResponse[];
}

/** GET /v1/purchases/:id: a package or membership on a patient's profile, in full. */
export class PurchaseResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  patientId: string;

  @ApiProperty({ format: 'uuid' })
  planId: string;

  @ApiProperty()
  planName: string;

  @ApiProperty({ enum: PURCHASE_KINDS })
  kind: string;

  @ApiProperty({ enum: PURCHASE_STATUSES })
  status: string;

  @ApiPropertyOptional({ format: 'date', description: 'A membership cancelled at the end of its cycle' })
  cancelAt?: string;

  @ApiProperty({ format: 'date' })
  startDate: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  expiresOn: string | null;

  @ApiProperty()
  insuranceFriendly: boolean;

  @ApiProperty()
  onlineRedemption: boolean;

  @ApiProperty({ type: 'integer' })
  price: number;

  @ApiProperty({ enum: PAYMENT_SCHEDULES })
  paymentSchedule: string;

  @ApiProperty({ type: 'integer' })
  amountPaid: number;

  @ApiProperty({ type: 'integer' })
  amountRefunded: number;

  @ApiProperty({ type: () => [PurchaseBalanceResponse] })
  balances: PurchaseBalanceResponse[];

  @ApiPropertyOptional({ enum: BILLING_INTERVALS, nullable: true, description: 'Memberships' })
  billingInterval?: string | null;

  @ApiPropertyOptional({ description: 'Memberships' })
  rollover?: boolean;

  @ApiPropertyOptional({ type: () => PurchaseCycleResponse, nullable: true, description: 'Memberships' })
  currentCycle?: PurchaseCycleResponse | null;

  @ApiPropertyOptional({ type: () => [PurchaseInstallmentResponse], description: 'Packages paid in instalments' })
  installments?: PurchaseInstallmentResponse[];

  @ApiProperty({ type: () => [PurchasePausedCycleResponse], description: 'Memberships: one entry per paused cycle, oldest first ([] otherwise)' })
  pausedCycles: PurchasePausedCycleResponse[];

  @ApiProperty({ type: () => [PurchaseInvoiceResponse] })
  invoices: PurchaseInvoiceResponse[];

  @ApiProperty({ type: () => [PurchaseHistoryEntryResponse] })
  history: PurchaseHistoryEntryResponse[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Set on a purchase made by a transfer' })
  sourcePurchaseId?: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PurchasePage {
  @ApiProperty({ type: () => [PurchaseResponse] })
  data: PurchaseResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
