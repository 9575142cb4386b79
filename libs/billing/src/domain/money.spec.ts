import fc from 'fast-check';
import { allocate, assertMinorUnits, mulDiv, splitEvenly, sumAmounts } from './money.js';

const amount = fc.integer({ min: 0, max: 1_000_000_000 });

describe('splitEvenly', () => {
  it('puts the remainder on the first part', () => {
    expect(splitEvenly(100000, 3)).toEqual([33334, 33333, 33333]);
    expect(splitEvenly(5, 1)).toEqual([5]);
    expect(splitEvenly(0, 2)).toEqual([0, 0]);
  });
  it('sums exactly, never negative, parts differ by less than count', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 500 }), (a, n) => {
        const parts = splitEvenly(a, n);
        expect(parts).toHaveLength(n);
        expect(sumAmounts(parts)).toBe(a);
        expect(parts.every((p) => Number.isSafeInteger(p) && p >= 0)).toBe(true);
        expect(parts.slice(1).every((p) => p === parts[parts.length - 1])).toBe(true);
        expect(parts[0] - parts[parts.length - 1]).toBeLessThan(n);
      }),
    );
  });
  it('refuses a bad count or a fractional amount', () => {
    expect(() => splitEvenly(10, 0)).toThrow(RangeError);
    expect(() => splitEvenly(10.5, 2)).toThrow(RangeError);
  });
});

describe('allocate', () => {
  it('splits in proportion, remainder first', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(1000, [3, 1])).toEqual([750, 250]);
    expect(allocate(10, [0, 0])).toEqual([5, 5]);
    expect(allocate(10, [0, 1, 2])).toEqual([0, 4, 6]);
  });
  it('sums exactly and is never negative', () => {
    fc.assert(
      fc.property(amount, fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 30 }), (a, ws) => {
        const parts = allocate(a, ws);
        expect(sumAmounts(parts)).toBe(a);
        expect(parts.every((p) => Number.isSafeInteger(p) && p >= 0)).toBe(true);
        const total = sumAmounts(ws);
        if (total > 0) ws.forEach((w, i) => w === 0 && expect(parts[i]).toBe(0));
      }),
    );
  });
});

describe('mulDiv', () => {
  it('is exact beyond 2^53', () => {
    expect(mulDiv(1_000_000_000, 999_999_999, 7)).toBe(Number((1_000_000_000n * 999_999_999n) / 7n));
    expect(mulDiv(7, 3, 2)).toBe(10);
  });
});

describe('assertMinorUnits', () => {
  it('throws on anything but a safe integer', () => {
    expect(() => assertMinorUnits(1.5)).toThrow();
    expect(() => assertMinorUnits(Number.NaN)).toThrow();
    expect(() => assertMinorUnits(2 ** 53)).toThrow();
    expect(() => assertMinorUnits(-3)).not.toThrow();
  });
});
