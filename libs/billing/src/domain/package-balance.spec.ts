import fc from 'fast-check';
import { available, remaining, unlockPrice, unlocked, type BalanceCounts } from './package-balance.js';

const counts = fc
  .record({ total: fc.integer({ min: 0, max: 100 }), transferredIn: fc.integer({ min: 0, max: 20 }) })
  .chain(({ total, transferredIn }) =>
    fc.integer({ min: 0, max: total + transferredIn }).chain((used) =>
      fc.integer({ min: 0, max: total + transferredIn - used }).map((transferredOut): BalanceCounts => ({ total, transferredIn, used, transferredOut })),
    ),
  );

describe('package balance', () => {
  it('remaining = total + in − used − out', () => {
    expect(remaining({ total: 10, used: 3, transferredOut: 2, transferredIn: 1 })).toBe(6);
  });

  it('unlocks visits as money comes in', () => {
    expect(unlocked(10, 100000, 0)).toBe(0);
    expect(unlocked(10, 100000, 33334)).toBe(3);
    expect(unlocked(10, 100000, 100000)).toBe(10);
    expect(unlocked(10, 100000, 250000)).toBe(10);
    expect(unlocked(10, 0, 0)).toBe(10);
  });

  it('available counts transferred-in visits as paid', () => {
    expect(available({ total: 0, used: 1, transferredOut: 0, transferredIn: 3 }, 0, 0)).toBe(2);
    expect(available({ total: 10, used: 2, transferredOut: 1, transferredIn: 0 }, 100000, 50000)).toBe(2);
    expect(available({ total: 10, used: 5, transferredOut: 0, transferredIn: 0 }, 100000, 20000)).toBe(0);
  });

  it('unlocking is monotone in amountPaid and never above total (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (total, price, paid, more) => {
        const a = unlocked(total, price, paid);
        const b = unlocked(total, price, paid + more);
        expect(a).toBeLessThanOrEqual(b);
        expect(b).toBeLessThanOrEqual(total);
        expect(a).toBeGreaterThanOrEqual(0);
        if (paid >= price) expect(a).toBe(total);
      }),
    );
  });

  it('0 ≤ available ≤ remaining (property)', () => {
    fc.assert(
      fc.property(counts, fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), (b, price, paid) => {
        const a = available(b, price, paid);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(remaining(b));
        if (paid >= price) expect(a).toBe(remaining(b));
      }),
    );
  });
});

describe('unlockPrice (taxes)', () => {
  it('is the price with its taxes: 10 visits at 12345 + 13 % (1605) unlock by the taxed total', () => {
    const price = unlockPrice(12345, 13950);
    expect(price).toBe(13950);
    expect(unlocked(10, price, 12345)).toBe(8); // paying the price before tax is not paying it all
    expect(unlocked(10, price, 13950)).toBe(10);
  });
  it('never below the price before tax, and free stays free', () => {
    expect(unlockPrice(10000, 4000)).toBe(10000);
    expect(unlockPrice(0, 0)).toBe(0);
  });
});
