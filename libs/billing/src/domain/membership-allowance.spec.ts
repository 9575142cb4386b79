import fc from 'fast-check';
import { cycleStart } from './dates.js';
import { cycleAllowance } from './membership-allowance.js';

const start = '2026-01-31';
const usedBy = (...used: number[]) => Object.fromEntries(used.map((n, k) => [cycleStart(start, 'month', k), n]));

describe('cycleAllowance', () => {
  it('without rollover, every cycle has perCycle', () => {
    const usage = { perCycle: 4, usedByCycle: usedBy(1, 4) };
    expect(cycleAllowance(start, 'month', false, usage, 1)).toEqual({ carriedIn: 0, allowance: 4, used: 4, remaining: 0 });
    expect(cycleAllowance(start, 'month', false, usage, 2)).toEqual({ carriedIn: 0, allowance: 4, used: 0, remaining: 4 });
  });

  it('carries last cycle unused visits one cycle only, carried visits used first', () => {
    // Cycle 0 uses 1 of 4: 3 carry into cycle 1. Cycle 1 uses 5: the 3 carried, then 2 of its own,
    // so 2 of its own carry into cycle 2 (never the carried ones again).
    const usage = { perCycle: 4, usedByCycle: usedBy(1, 5, 0) };
    expect(cycleAllowance(start, 'month', true, usage, 0)).toEqual({ carriedIn: 0, allowance: 4, used: 1, remaining: 3 });
    expect(cycleAllowance(start, 'month', true, usage, 1)).toEqual({ carriedIn: 3, allowance: 7, used: 5, remaining: 2 });
    expect(cycleAllowance(start, 'month', true, usage, 2)).toEqual({ carriedIn: 2, allowance: 6, used: 0, remaining: 6 });
    expect(cycleAllowance(start, 'month', true, usage, 3)).toEqual({ carriedIn: 4, allowance: 8, used: 0, remaining: 8 });
  });

  it('keys usage by the clamped cycle start (Feb 28 after Jan 31)', () => {
    const usage = { perCycle: 2, usedByCycle: { '2026-02-28': 2 } };
    expect(cycleAllowance(start, 'month', false, usage, 1).remaining).toBe(0);
  });

  it('carry never exceeds perCycle and remaining never below 0 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 12 }), fc.boolean(), (perCycle, used, rollover) => {
        const usage = { perCycle, usedByCycle: usedBy(...used) };
        for (let k = 0; k <= used.length; k++) {
          const a = cycleAllowance(start, 'month', rollover, usage, k);
          expect(a.carriedIn).toBeGreaterThanOrEqual(0);
          expect(a.carriedIn).toBeLessThanOrEqual(rollover && k > 0 ? perCycle : 0);
          expect(a.allowance).toBe(perCycle + a.carriedIn);
          expect(a.remaining).toBe(Math.max(0, a.allowance - a.used));
        }
      }),
    );
  });
});
