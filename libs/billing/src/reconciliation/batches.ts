/** Rows per transaction: big enough to amortise round trips, small enough to keep locks short. */
export const BATCH_SIZE = 500;

/**
 * Membership cycles billed per transaction (each one an invoice, a line and a ledger entry), so
 * a membership years behind is caught up in several bounded transactions, not one huge one.
 */
export const CYCLES_PER_TRANSACTION = 1000;

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');
