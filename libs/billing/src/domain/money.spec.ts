import fc from 'fast-check';
import {
  allocate,
  assertMinorUnits,
  formatRate,
  isRate,
  MAX_RATE_MILLI_PERCENT,
  mulDiv,
  mulDivHalfUp,
  parseRate,
  roundHalfUp,
  splitEvenly,
  sumAmounts,
} from './money.js';

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

describe('roundHalfUp', () => {
  it('rounds halves up, and a negative amount as its negation', () => {
    expect(roundHalfUp(160485, 100)).toBe(1605); // 13 % of 12345 = 1604.85
    expect(roundHalfUp(5, 10)).toBe(1);
    expect(roundHalfUp(4, 10)).toBe(0);
    expect(roundHalfUp(15, 10)).toBe(2);
    expect(roundHalfUp(-15, 10)).toBe(-2);
    expect(roundHalfUp(-4, 10)).toBe(0);
    expect(Object.is(roundHalfUp(-4, 10), 0)).toBe(true);
    expect(roundHalfUp(10n ** 18n + 1n, 10n ** 9n)).toBe(1_000_000_000);
  });
  it('is the nearest integer, halves upwards in magnitude', () => {
    // n = q × d + r with q a safe integer: large products, results that still fit a number.
    const fraction = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: -(2n ** 52n) + 1n, max: 2n ** 52n - 2n }), fc.bigInt({ min: 0n, max: 10n ** 12n }))
      .map(([d, q, r]) => [q * d + (r % d), d] as const);
    fc.assert(
      fc.property(fraction, ([n, d]) => {
        const q = BigInt(roundHalfUp(n, d));
        const twiceErr = 2n * (n - q * d); // 2 × (exact − rounded) × d
        expect(twiceErr <= d && twiceErr >= -d).toBe(true);
        if (twiceErr === d) expect(n < 0n).toBe(true); // a half left below: only when negative
        if (twiceErr === -d) expect(n > 0n).toBe(true);
      }),
    );
  });
  it('refuses a denominator ≤ 0, fractions and a result past 2^53', () => {
    expect(() => roundHalfUp(1, 0)).toThrow(RangeError);
    expect(() => roundHalfUp(1, -2n)).toThrow(RangeError);
    expect(() => roundHalfUp(1.5, 2)).toThrow(RangeError);
    expect(() => roundHalfUp(2n ** 60n, 1)).toThrow(RangeError);
  });
});

describe('mulDivHalfUp', () => {
  it('is exact beyond 2^53', () => {
    expect(mulDivHalfUp(1_000_000_000, 999_999_999, 100_000)).toBe(9_999_999_990_000); // 9999999990000.00 exactly
    expect(mulDivHalfUp(1_000_000_001, 999_999_999, 100_000)).toBe(10_000_000_000_000); // …9999.99999
    expect(mulDivHalfUp(999_999_999, 999_999_999, 1_000_000)).toBe(999_999_998_000); // …000.000001
    expect(mulDivHalfUp(12345, 13000, 100_000)).toBe(1605);
  });
});

describe('rates in thousandths of a percent', () => {
  it('parses the API\'s percent strings', () => {
    expect(parseRate('9.975')).toBe(9975);
    expect(parseRate('13')).toBe(13000);
    expect(parseRate('0')).toBe(0);
    expect(parseRate('50')).toBe(50000);
    expect(parseRate('50.000')).toBe(50000);
    expect(parseRate('0.001')).toBe(1);
    expect(parseRate('7.5')).toBe(7500);
    expect(parseRate('5.05')).toBe(5050);
  });
  it.each(['', '50.001', '51', '100', '-1', '1.2345', '.5', '5.', '05', '00', ' 13', '13 ', '1e1', '0x10', '13%', 'NaN', '1,5'])(
    'refuses %j',
    (text) => {
      expect(isRate(text)).toBe(false);
      expect(() => parseRate(text)).toThrow(RangeError);
    },
  );
  it('formats the shortest text', () => {
    expect(formatRate(9975)).toBe('9.975');
    expect(formatRate(13000)).toBe('13');
    expect(formatRate(9500)).toBe('9.5');
    expect(formatRate(5050)).toBe('5.05');
    expect(formatRate(1)).toBe('0.001');
    expect(formatRate(0)).toBe('0');
    expect(() => formatRate(50001)).toThrow(RangeError);
    expect(() => formatRate(1.5)).toThrow(RangeError);
  });
  it('reads back what it writes, for every rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RATE_MILLI_PERCENT }), (r) => {
        expect(isRate(formatRate(r))).toBe(true);
        expect(parseRate(formatRate(r))).toBe(r);
      }),
    );
  });
});
