// Money is an integer of minor units. Splitting never loses or invents a cent: the parts always
// add up to the amount, and the rounding remainder goes on the first part.

export function assertMinorUnits(n: number, label = 'amount'): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${label} must be an integer of minor units, got ${n}`);
}

/**
 * floor(a × b ÷ c) exactly, for non-negative integers. Falls back to BigInt when a × b would
 * pass 2^53 (price 10^9 × list price 10^9 does).
 */
export function mulDiv(a: number, b: number, c: number): number {
  assertMinorUnits(a, 'a');
  assertMinorUnits(b, 'b');
  assertMinorUnits(c, 'c');
  if (c <= 0 || a < 0 || b < 0) throw new RangeError(`mulDiv needs a, b ≥ 0 and c > 0`);
  const product = a * b;
  if (Number.isSafeInteger(product)) return Math.floor(product / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** `count` equal parts of `amount`, the remainder on the first; a negative amount splits as its negation. */
export function splitEvenly(amount: number, count: number): number[] {
  assertMinorUnits(amount);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be ≥ 1, got ${count}`);
  if (amount < 0) return splitEvenly(-amount, count).map((p) => -p || 0);
  const part = Math.floor(amount / count);
  const parts = new Array<number>(count).fill(part);
  parts[0] = part + (amount - part * count);
  return parts;
}

/**
 * Parts of `amount` in proportion to `weights` (non-negative integers). All-zero weights split
 * evenly. The remainder goes on the first part that has a weight, so a zero weight gets nothing.
 */
export function allocate(amount: number, weights: number[]): number[] {
  assertMinorUnits(amount);
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  for (const w of weights) {
    assertMinorUnits(w, 'weight');
    if (w < 0) throw new RangeError(`weights must be ≥ 0, got ${w}`);
  }
  if (amount < 0) return allocate(-amount, weights).map((p) => -p || 0);
  const total = weights.reduce((a, b) => a + b, 0);
  assertMinorUnits(total, 'sum of weights');
  if (total === 0) return splitEvenly(amount, weights.length);
  const parts = weights.map((w) => mulDiv(amount, w, total));
  const rest = amount - parts.reduce((a, b) => a + b, 0);
  parts[weights.findIndex((w) => w > 0)] += rest;
  return parts;
}

export function sumAmounts(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
