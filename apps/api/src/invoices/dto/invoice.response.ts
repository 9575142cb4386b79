import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_PAYMENT_METHODS, balanceDue, formatRate, INVOICE_KINDS, INVOICE_LINE_KINDS, INVOICE_STATUSES } from '@app/billing';
import type { Invoice, InvoiceKind, InvoiceLine, InvoiceLineKind, InvoiceStatus, Payment, PaymentMethod } from '@app/billing';

export class LineRedemptionResponse {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'uuid' })
  commandId: string;

  @ApiProperty({ type: 'integer', description: '0 for an insurance-friendly package: a package_credit payment pays the line instead' })
  coveredAmount: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'The package_credit payment (insurance-friendly packages)' })
  paymentId?: string;
}

export class LineTaxResponse {
  @ApiProperty({ example: 'HST' })
  code: string;

  @ApiProperty({ example: '13', description: 'The percent the line was made with, as a decimal string' })
  rate: string;

  @ApiProperty({ type: 'integer', example: 1605 })
  amount: number;
}

export class InvoiceLineResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  serviceId: string | null;

  @ApiProperty({ enum: INVOICE_LINE_KINDS, description: 'service: redeemable; tip, charge: added at the desk; plan: a purchase invoice’s line' })
  kind: InvoiceLineKind;

  @ApiProperty()
  description: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiProperty({ type: 'integer' })
  unitPrice: number;

  @ApiProperty({ type: 'integer' })
  amount: number;

  @ApiProperty({ type: [String], description: 'A charge line’s tax codes as given; [] otherwise' })
  taxCodes: string[];

  @ApiProperty({ type: () => [LineTaxResponse], description: 'The taxes on the line, at the rates it was made with; [] when nothing is taxable' })
  taxes: LineTaxResponse[];

  @ApiPropertyOptional({ type: () => LineRedemptionResponse, description: 'Present once the line is redeemed' })
  redemption?: LineRedemptionResponse;
}

export class InvoicePaymentResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', description: 'Negative for a refund' })
  amount: number;

  @ApiProperty({ enum: ALL_PAYMENT_METHODS })
  method: PaymentMethod;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, nullable: true })
  reference: string | null;

  @ApiProperty({ description: "A reversed redemption's package credit: kept for the record, counted nowhere" })
  voided: boolean;
}

export class PaymentResponse extends InvoicePaymentResponse {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;
}

export class InvoiceResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', description: '1, 2, 3, … per clinic, gap-free' })
  number: number;

  @ApiProperty({ format: 'uuid' })
  patientId: string;

  @ApiProperty({ enum: INVOICE_KINDS })
  kind: InvoiceKind;

  @ApiProperty({ enum: INVOICE_STATUSES })
  status: InvoiceStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  purchaseId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  appointmentId: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueDate: string | null;

  @ApiProperty({ format: 'date', description: 'The visit day in the clinic time zone (the appointment date, else the creation date)' })
  serviceDate: string;

  @ApiProperty({ type: () => [InvoiceLineResponse] })
  lines: InvoiceLineResponse[];

  @ApiProperty({ type: 'integer', description: 'Σ line amounts, before tax' })
  subtotal: number;

  @ApiProperty({ type: 'integer', description: 'Σ of the lines’ taxes' })
  taxTotal: number;

  @ApiProperty({ type: 'integer', description: 'subtotal + taxTotal' })
  total: number;

  @ApiProperty({ type: 'integer', description: 'Positive payments only' })
  amountPaid: number;

  @ApiProperty({ type: 'integer' })
  amountRefunded: number;

  @ApiProperty({ type: 'integer', description: 'What a cancelled package’s partly paid instalment still owed when it was written off; 0 otherwise' })
  amountWrittenOff: number;

  @ApiProperty({ type: 'integer', description: 'total − Σ coveredAmount − amountPaid − amountWrittenOff' })
  balanceDue: number;

  @ApiProperty({ type: () => [InvoicePaymentResponse] })
  payments: InvoicePaymentResponse[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class InvoicePage {
  @ApiProperty({ type: () => [InvoiceResponse] })
  data: InvoiceResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toLineResponse(line: InvoiceLine): InvoiceLineResponse {
  const out: InvoiceLineResponse = {
    id: line.id,
    serviceId: line.serviceId,
    kind: line.kind,
    description: line.description,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    amount: line.amount,
    taxCodes: line.taxCodes ?? [],
    taxes: (line.taxes ?? []).map((t) => ({ code: t.code, rate: formatRate(t.rateMilliPercent), amount: t.amount })),
  };
  if (line.redemptionCommandId && line.redemptionPurchaseId) {
    out.redemption = { purchaseId: line.redemptionPurchaseId, commandId: line.redemptionCommandId, coveredAmount: line.coveredAmount };
    if (line.redemptionPaymentId) out.redemption.paymentId = line.redemptionPaymentId;
  }
  return out;
}

export function toInvoicePaymentResponse(payment: Payment): InvoicePaymentResponse {
  return { id: payment.id, amount: payment.amount, method: payment.method, at: payment.createdAt.toISOString(), reference: payment.reference, voided: payment.voided ?? false };
}

export function toPaymentResponse(payment: Payment): PaymentResponse {
  return { ...toInvoicePaymentResponse(payment), invoiceId: payment.invoiceId };
}

export function toInvoiceResponse(invoice: Invoice, lines: InvoiceLine[], payments: Payment[]): InvoiceResponse {
  return {
    id: invoice.id,
    number: invoice.number,
    patientId: invoice.patientId,
    kind: invoice.kind,
    status: invoice.status,
    purchaseId: invoice.purchaseId,
    appointmentId: invoice.appointmentId,
    dueDate: invoice.dueDate,
    serviceDate: invoice.serviceDate,
    lines: lines.map(toLineResponse),
    subtotal: invoice.subtotal,
    taxTotal: invoice.taxTotal,
    total: invoice.total,
    amountPaid: invoice.amountPaid,
    amountRefunded: invoice.amountRefunded,
    amountWrittenOff: invoice.amountWrittenOff,
    balanceDue: balanceDue(invoice),
    payments: payments.map(toInvoicePaymentResponse),
    createdAt: invoice.createdAt.toISOString(),
  };
}
