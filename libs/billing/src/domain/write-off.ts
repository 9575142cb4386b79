// What cancelling a package does to its unpaid instalments (billing-rules.md "Cancelling", second
// part): one with nothing paid is voided; one partly paid keeps its money and has the rest
// written off, so it owes nothing and leaves the overdue lists.
import { balanceDue, type InvoiceAmounts, type InvoiceKind, type InvoiceStatus } from './invoice.js';

export type InstallmentClosureStatus = Extract<InvoiceStatus, 'void' | 'written_off'>;

export interface CancelledPackageInvoice extends InvoiceAmounts {
  id: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
}

export interface InstallmentClosure {
  invoiceId: string;
  status: InstallmentClosureStatus;
  /** What was still due on a written-off instalment (its balanceDue becomes 0); 0 for a void. */
  amountWrittenOff: number;
}

/** The open instalments of a cancelled package, each voided or written off; others are left alone. */
export function closeInstallmentsOnCancel(invoices: readonly CancelledPackageInvoice[]): InstallmentClosure[] {
  return invoices
    .filter((inv) => inv.kind === 'installment' && inv.status === 'open')
    .map((inv) =>
      inv.amountPaid === 0
        ? { invoiceId: inv.id, status: 'void' as const, amountWrittenOff: 0 }
        : { invoiceId: inv.id, status: 'written_off' as const, amountWrittenOff: (inv.amountWrittenOff ?? 0) + Math.max(0, balanceDue(inv)) },
    );
}
