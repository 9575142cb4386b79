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

/**
 * numerator ÷ denominator rounded to the nearest integer, halves away from zero (so a negative
 * amount rounds as its negation, like splitEvenly). Exact in BigInt whatever the size.
 */
export function roundHalfUp(numerator: bigint | number, denominator: bigint | number): number {
  if (typeof numerator === 'number') assertMinorUnits(numerator, 'numerator');
  if (typeof denominator === 'number') assertMinorUnits(denominator, 'denominator');
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  if (d <= 0n) throw new RangeError(`roundHalfUp needs a denominator > 0, got ${d}`);
  const magnitude = ((n < 0n ? -n : n) * 2n + d) / (2n * d);
  const result = Number(n < 0n ? -magnitude : magnitude);
  assertMinorUnits(result, 'rounded result');
  return result || 0; // no -0
}

/** round half up(a × b ÷ c), exact beyond 2^53 (prices and sums of totals may reach 10^9 each). */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  assertMinorUnits(a, 'a');
  assertMinorUnits(b, 'b');
  return roundHalfUp(BigInt(a) * BigInt(b), c);
}

// Tax rates are integers of thousandths of a percent ("milli-percent"): the API's "9.975" is 9975
// and "13" is 13000. Basis points cannot hold 9.975 % (997.5 bp), and a rate must never be a float.
/** 100 % in milli-percent: a tax is taxable × rateMilliPercent ÷ this. */
export const MILLI_PERCENT_WHOLE = 100_000;
/** The highest rate a clinic may set: 50 %. */
export const MAX_RATE_MILLI_PERCENT = 50_000;

const RATE_TEXT = /^(0|[1-9][0-9]?)(?:\.([0-9]{1,3}))?$/;

/** Is `text` a rate the API accepts: a percent with at most 3 decimals, "0" to "50"? */
export function isRate(text: string): boolean {
  const m = RATE_TEXT.exec(text);
  return m !== null && Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0')) <= MAX_RATE_MILLI_PERCENT;
}

/** "9.975" → 9975, "13" → 13000, "0" → 0. Throws a RangeError on anything `isRate` refuses. */
export function parseRate(text: string): number {
  if (!isRate(text)) throw new RangeError(`a rate is a percent between "0" and "50" with at most 3 decimals, got ${JSON.stringify(text)}`);
  const [whole, decimals = ''] = text.split('.');
  return Number(whole) * 1000 + Number(decimals.padEnd(3, '0'));
}

/** 9975 → "9.975", 13000 → "13", 9500 → "9.5": the shortest text parseRate reads back. */
export function formatRate(rateMilliPercent: number): string {
  assertRate(rateMilliPercent);
  const whole = Math.floor(rateMilliPercent / 1000);
  const decimals = String(rateMilliPercent % 1000).padStart(3, '0').replace(/0+$/, '');
  return decimals ? `${whole}.${decimals}` : String(whole);
}

/** A rate in milli-percent: an integer from 0 to MAX_RATE_MILLI_PERCENT. */
export function assertRate(rateMilliPercent: number): void {
  if (!Number.isSafeInteger(rateMilliPercent) || rateMilliPercent < 0 || rateMilliPercent > MAX_RATE_MILLI_PERCENT) {
    throw new RangeError(`a rate is an integer of thousandths of a percent from 0 to ${MAX_RATE_MILLI_PERCENT}, got ${rateMilliPercent}`);
  }
}
