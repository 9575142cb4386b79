import fc from 'fast-check';
import { addDays } from './dates.js';
import { installmentSchedule } from './installments.js';

describe('installmentSchedule', () => {
  it('equal amounts, remainder on the first, due every interval from the start', () => {
    expect(installmentSchedule(100000, 3, 30, '2026-01-31')).toEqual([
      { number: 1, amount: 33334, dueDate: '2026-01-31' },
      { number: 2, amount: 33333, dueDate: '2026-03-02' },
      { number: 3, amount: 33333, dueDate: '2026-04-01' },
    ]);
  });
  it('adds up to the price (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 2, max: 24 }), fc.integer({ min: 1, max: 366 }), (price, count, days) => {
        const s = installmentSchedule(price, count, days, '2026-05-01');
        expect(s.reduce((n, i) => n + i.amount, 0)).toBe(price);
        expect(s.map((i) => i.number)).toEqual(s.map((_, k) => k + 1));
        expect(s[count - 1].dueDate).toBe(addDays('2026-05-01', (count - 1) * days));
      }),
    );
  });
});
