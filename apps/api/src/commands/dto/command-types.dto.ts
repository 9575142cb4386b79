import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CANCELLATION_EFFECTIVE, CANCELLATION_OUTCOMES, COMMAND_STATUSES, PAYMENT_METHODS, type CancellationEffective, type CancellationOutcome, type CommandRequest, type CommandResult, type CommandStatus, type CommandType } from '@app/billing';
import { PURCHASE_STATUSES, type PurchaseStatus } from '@app/billing';
import { ProblemDetails } from '../../openapi/problem.schema.js';

// A command's `request` and `result` per command type (the handlers in libs/billing/src/commands/
// handlers). The document's CommandResponse is a oneOf of the *Command schemas below, told apart
// by `type` (openapi/command-schema.ts).

// ---- requests, as stored from the endpoint's body (plus the purchase id of the path)

export class RedemptionCommandRequest {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ format: 'uuid' })
  lineId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Absent: the best eligible purchase was chosen' })
  purchaseId?: string;
}

export class CancellationCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty()
  reason: string;

  @ApiPropertyOptional({ enum: CANCELLATION_EFFECTIVE })
  effective?: CancellationEffective;
}

export class RefundCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Absent: the amount the refund policy gives' })
  amount?: number;

  @ApiProperty({ enum: PAYMENT_METHODS })
  method: (typeof PAYMENT_METHODS)[number];

  @ApiProperty()
  reason: string;
}

export class TransferCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'uuid' })
  toPatientId: string;

  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;
}

export class ReconciliationCommandRequest {
  @ApiPropertyOptional({ format: 'date', description: "Absent: today in the clinic's time zone" })
  asOf?: string;
}

export class ExtensionCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'date' })
  expiresOn: string;

  @ApiProperty()
  reason: string;
}

export class PauseCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 6 })
  cycles: number;

  @ApiProperty()
  reason: string;
}

export class ResumeCommandRequest {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty()
  reason: string;
}

// ---- results, when succeeded

export class RedemptionCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: 'integer', description: 'Minor units the purchase covered' })
  coveredAmount: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'The package_credit payment, when an amount was covered' })
  paymentId?: string;

  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ format: 'uuid' })
  lineId: string;

  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiPropertyOptional({ format: 'date', description: 'Memberships: the cycle the visits were taken from' })
  cycleStart?: string;
}

export class CancellationCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ enum: CANCELLATION_OUTCOMES, description: 'active: a membership cancelled at the end of its cycle (cancelAt)' })
  status: CancellationOutcome;

  @ApiPropertyOptional({ format: 'date' })
  cancelAt?: string;

  @ApiProperty({ type: 'integer' })
  forfeitedVisits: number;

  @ApiProperty({ type: 'integer', description: 'Open invoices of the purchase that were voided' })
  voidedInvoices: number;
}

export class RefundAllocationResult {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ type: 'integer' })
  amount: number;
}

export class RefundCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: 'integer', description: 'Minor units refunded' })
  amount: number;

  @ApiProperty({ type: 'integer', description: 'The tax in amount: round half up(amount × Σ taxTotal ÷ Σ total) over the invoices drawn from; 0 without taxes' })
  taxAmount: number;

  @ApiProperty({ type: () => [RefundAllocationResult], description: 'Per invoice, newest first' })
  allocations: RefundAllocationResult[];

  @ApiProperty({ description: 'The refund also cancelled the (active) purchase' })
  cancelled: boolean;
}

export class TransferCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'uuid', description: "The family member's linked purchase" })
  targetPurchaseId: string;

  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;
}

export class ReconciliationCounts {
  @ApiProperty({ type: 'integer' })
  membershipsChecked: number;

  @ApiProperty({ type: 'integer' })
  cycleInvoicesCreated: number;

  @ApiProperty({ type: 'integer' })
  cancellationsApplied: number;

  @ApiProperty({ type: 'integer' })
  packagesExpired: number;

  @ApiProperty({ type: 'integer' })
  overdueInvoices: number;

  @ApiProperty({ type: 'integer' })
  commandsRequeued: number;
}

export class ReconciliationCommandResult {
  @ApiProperty({ format: 'date' })
  asOf: string;

  @ApiProperty({ type: () => ReconciliationCounts })
  counts: ReconciliationCounts;
}

export class ReconciliationProgress {
  @ApiProperty({ enum: ['membership_cycles', 'cancellations', 'expiry', 'overdue', 'requeue', 'done'] })
  phase: 'membership_cycles' | 'cancellations' | 'expiry' | 'overdue' | 'requeue' | 'done';

  @ApiProperty({ format: 'date' })
  asOf: string;

  @ApiPropertyOptional({ type: 'integer', description: 'membership_cycles: memberships billed so far' })
  purchasesDone?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'membership_cycles: cycle invoices created so far' })
  cycleInvoicesCreated?: number;
}

export class ExtensionCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'date' })
  previousExpiresOn: string;

  @ApiProperty({ format: 'date' })
  expiresOn: string;

  @ApiProperty({ enum: PURCHASE_STATUSES, description: 'After the extension: active again when an expired package now expires today or later' })
  status: PurchaseStatus;
}

export class PausedCycleResult {
  @ApiProperty({ format: 'date' })
  start: string;

  @ApiProperty({ format: 'date', description: 'Inclusive' })
  end: string;
}

export class PauseCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: () => [PausedCycleResult], description: 'The cycles this pause added, oldest first' })
  paused: PausedCycleResult[];

  @ApiProperty({ type: () => [PausedCycleResult], description: 'Every paused cycle of the purchase after it' })
  pausedCycles: PausedCycleResult[];
}

export class ResumeCommandResult {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: () => [PausedCycleResult], description: 'The paused cycles not started yet, billed and usable again' })
  unpaused: PausedCycleResult[];

  @ApiProperty({ type: () => [PausedCycleResult], description: 'What stays paused: cycles already started' })
  pausedCycles: PausedCycleResult[];
}

// ---- the command resource, one schema per type

/** What every command resource has, whatever its type. */
export abstract class CommandBase {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: COMMAND_STATUSES, description: 'rejected: a business rule said no (final, never retried); failed: retries exhausted' })
  status: CommandStatus;

  @ApiPropertyOptional({ type: () => ProblemDetails, description: 'When rejected or failed' })
  error?: ProblemDetails;

  @ApiProperty({ type: 'integer', description: 'How many times a worker started it' })
  attempts: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startedAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;
}

export class RedemptionCommand extends CommandBase {
  @ApiProperty({ enum: ['redemption'] })
  type: 'redemption';

  @ApiProperty({ type: () => RedemptionCommandRequest })
  request: RedemptionCommandRequest;

  @ApiPropertyOptional({ type: () => RedemptionCommandResult, description: 'When succeeded' })
  result?: RedemptionCommandResult;
}

export class CancellationCommand extends CommandBase {
  @ApiProperty({ enum: ['cancellation'] })
  type: 'cancellation';

  @ApiProperty({ type: () => CancellationCommandRequest })
  request: CancellationCommandRequest;

  @ApiPropertyOptional({ type: () => CancellationCommandResult, description: 'When succeeded' })
  result?: CancellationCommandResult;
}

export class RefundCommand extends CommandBase {
  @ApiProperty({ enum: ['refund'] })
  type: 'refund';

  @ApiProperty({ type: () => RefundCommandRequest })
  request: RefundCommandRequest;

  @ApiPropertyOptional({ type: () => RefundCommandResult, description: 'When succeeded' })
  result?: RefundCommandResult;
}

export class TransferCommand extends CommandBase {
  @ApiProperty({ enum: ['transfer'] })
  type: 'transfer';

  @ApiProperty({ type: () => TransferCommandRequest })
  request: TransferCommandRequest;

  @ApiPropertyOptional({ type: () => TransferCommandResult, description: 'When succeeded' })
  result?: TransferCommandResult;
}

export class ReconciliationCommand extends CommandBase {
  @ApiProperty({ enum: ['reconciliation'] })
  type: 'reconciliation';

  @ApiProperty({ type: () => ReconciliationCommandRequest })
  request: ReconciliationCommandRequest;

  @ApiPropertyOptional({ type: () => ReconciliationCommandResult, description: 'When succeeded' })
  result?: ReconciliationCommandResult;

  @ApiPropertyOptional({ type: () => ReconciliationProgress, description: 'While it runs, and its last report after' })
  progress?: ReconciliationProgress;
}

export class ExtensionCommand extends CommandBase {
  @ApiProperty({ enum: ['extension'] })
  type: 'extension';

  @ApiProperty({ type: () => ExtensionCommandRequest })
  request: ExtensionCommandRequest;

  @ApiPropertyOptional({ type: () => ExtensionCommandResult, description: 'When succeeded' })
  result?: ExtensionCommandResult;
}

export class PauseCommand extends CommandBase {
  @ApiProperty({ enum: ['pause'] })
  type: 'pause';

  @ApiProperty({ type: () => PauseCommandRequest })
  request: PauseCommandRequest;

  @ApiPropertyOptional({ type: () => PauseCommandResult, description: 'When succeeded' })
  result?: PauseCommandResult;
}

export class ResumeCommand extends CommandBase {
  @ApiProperty({ enum: ['resume'] })
  type: 'resume';

  @ApiProperty({ type: () => ResumeCommandRequest })
  request: ResumeCommandRequest;

  @ApiPropertyOptional({ type: () => ResumeCommandResult, description: 'When succeeded' })
  result?: ResumeCommandResult;
}

// ---- corrections (issue 14)

export class ReversalCommandRequest {
  @ApiProperty({ format: 'uuid', description: 'The redemption command given back' })
  redemptionId: string;

  @ApiProperty()
  reason: string;
}

export class ReversalCommandResult {
  @ApiProperty({ format: 'uuid' })
  redemptionId: string;

  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ format: 'uuid' })
  lineId: string;

  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ type: 'integer', description: 'Visits given back' })
  quantity: number;
}

export class GivenBackRedemption {
  @ApiProperty({ format: 'uuid' })
  redemptionId: string;

  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'uuid' })
  lineId: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiProperty({ enum: ['redemption_reversed', 'redemption_released'], description: 'released: the purchase is cancelled, its visit stays forfeited' })
  kind: 'redemption_reversed' | 'redemption_released';
}

export class InvoiceVoidCommandRequest {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty()
  reason: string;
}

export class InvoiceVoidCommandResult {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ enum: ['void'] })
  status: 'void';

  @ApiProperty({ type: () => [GivenBackRedemption], description: 'The redemptions taken off its lines' })
  redemptions: GivenBackRedemption[];
}

export class InvoiceRefundCommandRequest {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Absent: all that is refundable' })
  amount?: number;

  @ApiProperty({ enum: PAYMENT_METHODS })
  method: (typeof PAYMENT_METHODS)[number];

  @ApiProperty()
  reason: string;
}

export class InvoiceRefundCommandResult {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ type: 'integer', description: 'Minor units refunded' })
  amount: number;

  @ApiProperty({ type: 'integer', description: 'The tax in amount: round half up(amount × taxTotal ÷ total) of the invoice; 0 without taxes' })
  taxAmount: number;

  @ApiProperty({ format: 'uuid', description: 'The negative payment recording it' })
  paymentId: string;
}

export class AppointmentCancellationCommandRequest {
  @ApiProperty({ format: 'uuid' })
  appointmentId: string;

  @ApiPropertyOptional()
  reason?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Cancelled through the booking' })
  bookingId?: string;
}

export class AppointmentCancellationCommandResult {
  @ApiProperty({ format: 'uuid' })
  appointmentId: string;

  @ApiProperty({ enum: ['cancelled'] })
  status: 'cancelled';

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  invoiceId: string | null;

  @ApiProperty({ description: 'Its invoice was voided by this cancellation' })
  invoiceVoided: boolean;

  @ApiProperty({ type: () => [GivenBackRedemption] })
  redemptions: GivenBackRedemption[];
}

export class ReversalCommand extends CommandBase {
  @ApiProperty({ enum: ['reversal'] })
  type: 'reversal';

  @ApiProperty({ type: () => ReversalCommandRequest })
  request: ReversalCommandRequest;

  @ApiPropertyOptional({ type: () => ReversalCommandResult, description: 'When succeeded' })
  result?: ReversalCommandResult;
}

export class InvoiceVoidCommand extends CommandBase {
  @ApiProperty({ enum: ['invoice_void'] })
  type: 'invoice_void';

  @ApiProperty({ type: () => InvoiceVoidCommandRequest })
  request: InvoiceVoidCommandRequest;

  @ApiPropertyOptional({ type: () => InvoiceVoidCommandResult, description: 'When succeeded' })
  result?: InvoiceVoidCommandResult;
}

export class InvoiceRefundCommand extends CommandBase {
  @ApiProperty({ enum: ['invoice_refund'] })
  type: 'invoice_refund';

  @ApiProperty({ type: () => InvoiceRefundCommandRequest })
  request: InvoiceRefundCommandRequest;

  @ApiPropertyOptional({ type: () => InvoiceRefundCommandResult, description: 'When succeeded' })
  result?: InvoiceRefundCommandResult;
}

export class AppointmentCancellationCommand extends CommandBase {
  @ApiProperty({ enum: ['appointment_cancellation'] })
  type: 'appointment_cancellation';

  @ApiProperty({ type: () => AppointmentCancellationCommandRequest })
  request: AppointmentCancellationCommandRequest;

  @ApiPropertyOptional({ type: () => AppointmentCancellationCommandResult, description: 'When succeeded' })
  result?: AppointmentCancellationCommandResult;
}

// ---- documents (issue 15)

export class ReceiptEmailCommandRequest {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiPropertyOptional({ format: 'email', description: "Absent: the patient's e-mail address" })
  to?: string;
}

export class ReceiptEmailCommandResult {
  @ApiProperty({ format: 'email', description: 'Where the receipt goes' })
  to: string;

  @ApiProperty({ type: String, nullable: true, description: 'The sent message id: null until the notifications queue has sent it (once per command)' })
  messageId: string | null;

  @ApiPropertyOptional({ description: 'Every try to send failed (the reason is in the worker log)' })
  deliveryError?: string;
}

export class ReceiptEmailCommand extends CommandBase {
  @ApiProperty({ enum: ['receipt_email'] })
  type: 'receipt_email';

  @ApiProperty({ type: () => ReceiptEmailCommandRequest })
  request: ReceiptEmailCommandRequest;

  @ApiPropertyOptional({ type: () => ReceiptEmailCommandResult, description: 'When succeeded; messageId follows once the mail is sent' })
  result?: ReceiptEmailCommandResult;
}

/** Type → its schema: the discriminator's mapping. */
export const COMMAND_SCHEMAS = {
  redemption: RedemptionCommand,
  cancellation: CancellationCommand,
  refund: RefundCommand,
  transfer: TransferCommand,
  reconciliation: ReconciliationCommand,
  receipt_email: ReceiptEmailCommand,
  extension: ExtensionCommand,
  pause: PauseCommand,
  resume: ResumeCommand,
  reversal: ReversalCommand,
  invoice_void: InvoiceVoidCommand,
  invoice_refund: InvoiceRefundCommand,
  appointment_cancellation: AppointmentCancellationCommand,
} as const satisfies Record<CommandType, new () => CommandBase>;

// The documented shapes are the catalogue's (libs/billing/src/commands/catalogue.ts): a field added,
// removed or retyped on either side without the other fails to compile here.
// Identical, optional fields included (mutual assignability would let an optional field go missing).
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : never;
type Documented<T extends CommandType> = (typeof COMMAND_SCHEMAS)[T]['prototype'];
type InSync<T extends CommandType> = [Same<Documented<T>['request'], CommandRequest<T>>, Same<NonNullable<Documented<T>['result']>, CommandResult<T>>];
const inSync: { [T in CommandType]: InSync<T> } = {
  redemption: [true, true],
  cancellation: [true, true],
  refund: [true, true],
  transfer: [true, true],
  reconciliation: [true, true],
  receipt_email: [true, true],
  extension: [true, true],
  pause: [true, true],
  resume: [true, true],
  reversal: [true, true],
  invoice_void: [true, true],
  invoice_refund: [true, true],
  appointment_cancellation: [true, true],
};
void inSync;
