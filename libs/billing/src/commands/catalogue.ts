import type { SelectQueryBuilder } from 'kysely';
import { CANCELLATION_EFFECTIVE, type CancellationEffective, type CancellationOutcome } from '../domain/cancellation.js';
import type { IsoDate } from '../domain/dates.js';
import type { PausedCycle } from '../domain/pause.js';
import type { PurchaseStatus } from '../domain/purchase-status.js';
import type { RefundAllocation } from '../domain/refund.js';
import { COMMAND_TYPES } from '../entities/command.entity.js';
import { PAYMENT_METHODS } from '../entities/payment.entity.js';
import type { Database } from '../db/database.js';
import { db } from '../db/query.js';
import { integer, isoDate, oneOf, optional, shape, text, uuid } from './request-reader.js';

// The command catalogue: every command type with its request and its result (the types), how a
// stored request is read back and what it must refer to when stored (the definitions). The
// worker's handlers are a record over the same types (handlers/index.ts), so a type without a
// handler, a reader or an entry here does not compile.

export interface RedemptionRequest {
  invoiceId: string;
  lineId: string;
  purchaseId?: string;
}
export interface RedemptionResult {
  purchaseId: string;
  coveredAmount: number;
  paymentId?: string;
  invoiceId: string;
  lineId: string;
  serviceId: string;
  quantity: number;
  cycleStart?: string;
}

export interface CancellationRequest {
  purchaseId: string;
  reason: string;
  effective?: CancellationEffective;
}
export interface CancellationResult {
  purchaseId: string;
  status: CancellationOutcome;
  cancelAt?: string;
  forfeitedVisits: number;
  voidedInvoices: number;
}

export interface RefundRequest {
  purchaseId: string;
  amount?: number;
  method: (typeof PAYMENT_METHODS)[number];
  reason: string;
}
export interface RefundResult {
  purchaseId: string;
  amount: number;
  /** The tax returned with `amount` (0 without taxes). */
  taxAmount: number;
  allocations: RefundAllocation[];
  cancelled: boolean;
}

export interface TransferRequest {
  purchaseId: string;
  toPatientId: string;
  serviceId: string;
  quantity: number;
}
export interface TransferResult {
  purchaseId: string;
  targetPurchaseId: string;
  serviceId: string;
  quantity: number;
}

export interface ReconciliationRequest {
  asOf?: string;
}
export interface ReconciliationResult {
  asOf: string;
  counts: {
    membershipsChecked: number;
    cycleInvoicesCreated: number;
    cancellationsApplied: number;
    packagesExpired: number;
    overdueInvoices: number;
    commandsRequeued: number;
  };
}

// ---- corrections (issue 14; billing-rules.md "Correcting")

export interface ReversalCommandRequest {
  /** The redemption command to give back. */
  redemptionId: string;
  reason: string;
}
export interface ReversalCommandResult {
  redemptionId: string;
  invoiceId: string;
  lineId: string;
  purchaseId: string;
  quantity: number;
}

/** One redemption a void (or an appointment's cancellation) took off its invoice. */
export interface GivenBackResult {
  redemptionId: string;
  purchaseId: string;
  lineId: string;
  quantity: number;
  /** released: the purchase was cancelled, its visit stays forfeited. */
  kind: 'redemption_reversed' | 'redemption_released';
}

export interface InvoiceVoidCommandRequest {
  invoiceId: string;
  reason: string;
}
export interface InvoiceVoidCommandResult {
  invoiceId: string;
  status: 'void';
  redemptions: GivenBackResult[];
}

export interface InvoiceRefundCommandRequest {
  invoiceId: string;
  amount?: number;
  method: (typeof PAYMENT_METHODS)[number];
  reason: string;
}
export interface InvoiceRefundCommandResult {
  invoiceId: string;
  amount: number;
  taxAmount: number;
  paymentId: string;
}

export interface AppointmentCancellationCommandRequest {
  appointmentId: string;
  reason?: string;
  /** Set when cancelled through POST /v1/bookings/:id/cancellation. */
  bookingId?: string;
}
export interface AppointmentCancellationCommandResult {
  appointmentId: string;
  status: 'cancelled';
  invoiceId: string | null;
  /** The invoice was voided by this cancellation (false: none, or void already). */
  invoiceVoided: boolean;
  redemptions: GivenBackResult[];
}

export interface ExtensionCommandRequest {
  purchaseId: string;
  expiresOn: IsoDate;
  reason: string;
}
export interface ExtensionCommandResult {
  purchaseId: string;
  previousExpiresOn: IsoDate;
  expiresOn: IsoDate;
  /** After the extension: `active` again when an expired package now expires today or later. */
  status: PurchaseStatus;
}

export interface PauseCommandRequest {
  purchaseId: string;
  cycles: number;
  reason: string;
}
export interface PauseCommandResult {
  purchaseId: string;
  /** The cycles this pause added, oldest first. */
  paused: PausedCycle[];
  /** Every paused cycle of the purchase after it. */
  pausedCycles: PausedCycle[];
}

export interface ResumeCommandRequest {
  purchaseId: string;
  reason: string;
}
export interface ResumeCommandResult {
  purchaseId: string;
  /** The paused cycles not started yet, billed and usable again. */
  unpaused: PausedCycle[];
  /** What stays paused: cycles already started. */
  pausedCycles: PausedCycle[];
}

export interface ReceiptEmailRequest {
  invoiceId: string;
  /** Without it, the patient's address. */
  to?: string;
}
export interface ReceiptEmailResult {
  to: string;
  /** The sent message's id: null until the notifications queue has sent it (exactly once per command). */
  messageId: string | null;
  /** Set when every try to send failed (the reason is in the worker's log). */
  deliveryError?: string;
}

export interface CommandCatalogue {
  redemption: { request: RedemptionRequest; result: RedemptionResult };
  cancellation: { request: CancellationRequest; result: CancellationResult };
  refund: { request: RefundRequest; result: RefundResult };
  transfer: { request: TransferRequest; result: TransferResult };
  reconciliation: { request: ReconciliationRequest; result: ReconciliationResult };
  receipt_email: { request: ReceiptEmailRequest; result: ReceiptEmailResult };
  extension: { request: ExtensionCommandRequest; result: ExtensionCommandResult };
  pause: { request: PauseCommandRequest; result: PauseCommandResult };
  resume: { request: ResumeCommandRequest; result: ResumeCommandResult };
  reversal: { request: ReversalCommandRequest; result: ReversalCommandResult };
  invoice_void: { request: InvoiceVoidCommandRequest; result: InvoiceVoidCommandResult };
  invoice_refund: { request: InvoiceRefundCommandRequest; result: InvoiceRefundCommandResult };
  appointment_cancellation: { request: AppointmentCancellationCommandRequest; result: AppointmentCancellationCommandResult };
}

export type CommandType = keyof CommandCatalogue;
export type CommandRequest<T extends CommandType> = CommandCatalogue[T]['request'];
export type CommandResult<T extends CommandType> = CommandCatalogue[T]['result'];

/** Something a command refers to: missing (and named so in the 404) when the query finds no row. */
export interface ExistenceRule {
  missing: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query: SelectQueryBuilder<Database, any, any>;
}

/**
 * What a request refers to, as a statement shape (db/query.ts shaped): `rules` builds the checks
 * from stand-ins for the clinic's id and `args`, and `variant` names whatever else changes their
 * text (an optional id given or not), so the statement that stores a command is compiled once per
 * type and variant.
 */
export interface Requirements {
  variant: string;
  args: readonly string[];
  rules: (clinicId: string, ...args: readonly string[]) => ExistenceRule[];
}

const needs = <A extends readonly string[] | []>(variant: string, args: A, rules: (clinicId: string, ...args: A) => ExistenceRule[]): Requirements =>
  // rules is only ever called with the clinic's id and args, or their stand-ins.
  ({ variant, args, rules: rules as unknown as Requirements['rules'] });

export interface CommandDefinition<T extends CommandType> {
  /** The stored request, read back; throws UnreadableRequest. */
  read(raw: unknown): CommandRequest<T>;
  /** What the request refers to, checked (in order) in the statement that stores it: nothing is stored when one is missing. */
  requires(request: CommandRequest<T>): Requirements;
}

const activePurchase = (clinicId: string, id: string): ExistenceRule => ({
  missing: 'Purchase',
  query: db.selectFrom('purchase').select('id').where('id', '=', id).where('clinic_id', '=', clinicId).where('deleted_at', 'is', null),
});

const clinicInvoice = (clinicId: string, id: string): ExistenceRule => ({
  missing: 'Invoice',
  query: db.selectFrom('invoice').select('id').where('id', '=', id).where('clinic_id', '=', clinicId),
});

const invoiceLine = (invoiceId: string, id: string): ExistenceRule => ({
  missing: 'Invoice line',
  query: db.selectFrom('invoice_line').select('id').where('id', '=', id).where('invoice_id', '=', invoiceId),
});

/** The one purchase the request names. */
const purchaseOnly = (r: { purchaseId: string }) => needs('', [r.purchaseId], (clinic, purchase) => [activePurchase(clinic, purchase)]);

export const COMMAND_CATALOGUE: { readonly [T in CommandType]: CommandDefinition<T> } = {
  redemption: {
    read: shape({ invoiceId: uuid, lineId: uuid, purchaseId: optional(uuid) }),
    requires: (r) =>
      r.purchaseId
        ? needs('purchase named', [r.invoiceId, r.lineId, r.purchaseId], (clinic, invoice, line, purchase) => [clinicInvoice(clinic, invoice), invoiceLine(invoice, line), activePurchase(clinic, purchase)])
        : needs('', [r.invoiceId, r.lineId], (clinic, invoice, line) => [clinicInvoice(clinic, invoice), invoiceLine(invoice, line)]),
  },
  cancellation: {
    read: shape({ purchaseId: uuid, reason: text, effective: optional(oneOf(CANCELLATION_EFFECTIVE)) }),
    requires: purchaseOnly,
  },
  refund: {
    read: shape({ purchaseId: uuid, amount: optional(integer), method: oneOf(PAYMENT_METHODS), reason: text }),
    requires: purchaseOnly,
  },
  transfer: {
    read: shape({ purchaseId: uuid, toPatientId: uuid, serviceId: uuid, quantity: integer }),
    requires: (r) =>
      needs('', [r.purchaseId, r.toPatientId], (clinic, purchase, patient) => [
        activePurchase(clinic, purchase),
        { missing: 'Patient', query: db.selectFrom('patient').select('id').where('id', '=', patient).where('clinic_id', '=', clinic) },
      ]),
  },
  reconciliation: {
    read: shape({ asOf: optional(isoDate) }),
    requires: () => needs('', [], () => []),
  },
  receipt_email: {
    read: shape({ invoiceId: uuid, to: optional(text) }),
    requires: (r) => needs('', [r.invoiceId], (clinic, invoice) => [clinicInvoice(clinic, invoice)]),
  },
  extension: {
    read: shape({ purchaseId: uuid, expiresOn: isoDate, reason: text }),
    requires: purchaseOnly,
  },
  pause: {
    read: shape({ purchaseId: uuid, cycles: integer, reason: text }),
    requires: purchaseOnly,
  },
  resume: {
    read: shape({ purchaseId: uuid, reason: text }),
    requires: purchaseOnly,
  },
  reversal: {
    read: shape({ redemptionId: uuid, reason: text }),
    requires: (r) =>
      needs('', [r.redemptionId], (clinic, redemption) => [
        { missing: 'Redemption', query: db.selectFrom('command').select('id').where('id', '=', redemption).where('clinic_id', '=', clinic).where('type', '=', 'redemption') },
      ]),
  },
  invoice_void: {
    read: shape({ invoiceId: uuid, reason: text }),
    requires: (r) => needs('', [r.invoiceId], (clinic, invoice) => [clinicInvoice(clinic, invoice)]),
  },
  invoice_refund: {
    read: shape({ invoiceId: uuid, amount: optional(integer), method: oneOf(PAYMENT_METHODS), reason: text }),
    requires: (r) => needs('', [r.invoiceId], (clinic, invoice) => [clinicInvoice(clinic, invoice)]),
  },
  appointment_cancellation: {
    read: shape({ appointmentId: uuid, reason: optional(text), bookingId: optional(uuid) }),
    requires: (r) =>
      needs('', [r.appointmentId], (clinic, appointment) => [
        { missing: 'Appointment', query: db.selectFrom('appointment').select('id').where('id', '=', appointment).where('clinic_id', '=', clinic) },
      ]),
  },
};

/** The entity's list of types and the catalogue's keys are the same set (checked when compiled). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameTypes: Same<(typeof COMMAND_TYPES)[number], CommandType> = true;
void sameTypes;

export const isCommandType = (type: string): type is CommandType => (COMMAND_TYPES as readonly string[]).includes(type);
