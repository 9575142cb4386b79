/** Rows per transaction: big enough to amortise round trips, small enough to keep locks short. */
export const BATCH_SIZE = 500;

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');
