// Which status may follow which, as Vendure keeps its order states: one table per kind of row.
// Every writer asks before it writes (assertTransition in code, allowedFrom in an SQL guard), so
// a move the table does not list is a programming error, never data.
import type { InvoiceStatus } from './invoice.js';
import type { PurchaseStatus } from './purchase-status.js';

export const COMMAND_STATUSES = ['queued', 'running', 'succeeded', 'rejected', 'failed'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

type Table<S extends string> = { readonly [From in S]: readonly S[] };

/** Purchases are created `active` (a sale, a transfer's target). */
export const PURCHASE_TRANSITIONS = {
  // exhausted: a redemption or a transfer takes the last visit; expired: the reconciliation's
  // expiry; cancelled: a cancellation, a refund, or a membership's scheduled end.
  active: ['exhausted', 'expired', 'cancelled'],
  // A transfer's target receives visits again.
  exhausted: ['active'],
  // A visit dated within validity, redeemed after the expiry, may take the last visit; active:
  // an extension to today or later (extension.ts).
  expired: ['exhausted', 'active'],
  cancelled: [],
} as const satisfies Table<PurchaseStatus>;

/**
 * Invoices are created `open`, or `paid` when nothing is owed (a free membership's cycle).
 */
export const INVOICE_TRANSITIONS = {
  // paid: a payment, a redemption or a removed line leaves nothing due; void: cancelling or
  // deleting the purchase; written_off: cancelling a package with this instalment partly paid.
  open: ['paid', 'void', 'written_off'],
  // Deleting a purchase voids its invoices, and one that cost nothing was paid at creation;
  // open: a reversal or a new line leaves something due (reversal.ts, invoice.ts).
  paid: ['void', 'open'],
  void: [],
  // Final: it owes nothing and keeps the money received.
  written_off: [],
} as const satisfies Table<InvoiceStatus>;

/** Commands are created `queued` (the row is written before its job). */
export const COMMAND_TRANSITIONS = {
  // failed: the last attempt failed before its start committed.
  queued: ['running', 'failed'],
  // running again: a delivery after a crashed one (one more attempt).
  running: ['running', 'succeeded', 'rejected', 'failed'],
  succeeded: [],
  rejected: [],
  // queued again: used by the retry of a failed command (next issue); it wrote nothing.
  failed: ['queued'],
} as const satisfies Table<CommandStatus>;

export const TRANSITIONS = { purchase: PURCHASE_TRANSITIONS, invoice: INVOICE_TRANSITIONS, command: COMMAND_TRANSITIONS } as const;

export type StatusKind = keyof typeof TRANSITIONS;
export type StatusOf<K extends StatusKind> = keyof (typeof TRANSITIONS)[K] & string;

/** A writer tried a move its table does not list: a bug in the code, not a refusal for clients. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly kind: StatusKind,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Illegal ${kind} status transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Staying in the same status is no move (an end-of-cycle cancellation leaves a membership active). */
export function canTransition<K extends StatusKind>(kind: K, from: StatusOf<K>, to: StatusOf<K>): boolean {
  if (from === to) return true;
  const table = TRANSITIONS[kind] as unknown as Table<StatusOf<K>>;
  return Object.hasOwn(table, from) && table[from].includes(to);
}

export function assertTransition<K extends StatusKind>(kind: K, from: StatusOf<K>, to: StatusOf<K>): void {
  if (!canTransition(kind, from, to)) throw new IllegalTransitionError(kind, from, to);
}

/** The statuses a row may move to `to` from (for a `where status in (…)` guard on an SQL writer). */
export function allowedFrom<K extends StatusKind>(kind: K, to: StatusOf<K>): StatusOf<K>[] {
  const table = TRANSITIONS[kind] as unknown as Table<StatusOf<K>>;
  return (Object.keys(table) as StatusOf<K>[]).filter((from) => table[from].includes(to));
}
