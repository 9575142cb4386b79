import fc from 'fast-check';
import { addDays, addYears, cycleAt, cycleStartsFrom, cyclesStartedBy, isAsOfAllowed, isWithinStartBounds, startDateBounds, type BillingInterval } from './dates.js';

const anyDate = fc.integer({ min: 0, max: 40_000 }).map((n) => addDays('1990-01-01', n));
const anyInterval = fc.constantFrom<BillingInterval>('week', 'month', 'year');

describe('addYears', () => {
  it('moves whole years and clamps Feb 29 in a common year', () => {
    expect(addYears('2026-11-27', -5)).toBe('2021-11-27');
    expect(addYears('2026-11-27', 1)).toBe('2027-11-27');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', -4)).toBe('2024-02-29');
    expect(() => addYears('9999-01-01', 1)).toThrow(RangeError);
  });
});

describe('start date bounds', () => {
  it('accepts 5 years before to 1 year after today, both days included', () => {
    expect(startDateBounds('2026-11-27')).toEqual({ earliest: '2021-11-27', latest: '2027-11-27' });
    expect(isWithinStartBounds('2026-11-27', '2021-11-27')).toBe(true);
    expect(isWithinStartBounds('2026-11-27', '2021-11-26')).toBe(false);
    expect(isWithinStartBounds('2026-11-27', '2027-11-27')).toBe(true);
    expect(isWithinStartBounds('2026-11-27', '2027-11-28')).toBe(false);
    expect(isWithinStartBounds('2026-11-27', '2026-11-27')).toBe(true);
    expect(isWithinStartBounds('2026-11-27', '9999-12-31')).toBe(false);
    expect(isWithinStartBounds('2026-11-27', '0001-01-01')).toBe(false);
  });

  it('on Feb 29 the bounds are Feb 28 of common years', () => {
    expect(startDateBounds('2028-02-29')).toEqual({ earliest: '2023-02-28', latest: '2029-02-28' });
  });
});

describe('cycleStartsFrom', () => {
  it('is the slice of cyclesStartedBy from an index, at most limit long', () => {
    fc.assert(
      fc.property(anyDate, anyInterval, fc.integer({ min: 0, max: 800 }), fc.nat(30), fc.integer({ min: 1, max: 20 }), (start, interval, days, from, limit) => {
        const lastDay = addDays(start, days);
        expect(cycleStartsFrom(start, interval, from, lastDay, limit)).toEqual(cyclesStartedBy(start, interval, lastDay).slice(from, from + limit));
      }),
    );
  });

  it('stays small however far away the last day is', () => {
    const starts = cycleStartsFrom('2026-01-31', 'month', 95_000, '9999-12-31', 3);
    expect(starts).toHaveLength(3);
    expect(starts[0] > '9000-01-01').toBe(true);
    expect(cycleStartsFrom('2026-01-31', 'month', 0, '2026-01-30', 10)).toEqual([]);
  });
});

describe('the end of the calendar', () => {
  it('a cycle running past 9999-12-31 ends on it', () => {
    expect(cycleAt('2026-01-31', 'month', '9999-12-31')).toMatchObject({ start: '9999-12-31', end: '9999-12-31' });
    expect(cycleAt('2026-01-15', 'year', '9999-12-31')).toMatchObject({ start: '9999-01-15', end: '9999-12-31' });
    expect(cycleAt('2026-01-15', 'month', '9999-11-20')).toMatchObject({ start: '9999-11-15', end: '9999-12-14' });
  });
});

describe('isAsOfAllowed', () => {
  it('today or earlier; later only when allowed', () => {
    expect(isAsOfAllowed('2026-11-27', '2026-11-27', false)).toBe(true);
    expect(isAsOfAllowed('2026-11-27', '2020-01-01', false)).toBe(true);
    expect(isAsOfAllowed('2026-11-27', '2026-11-28', false)).toBe(false);
    expect(isAsOfAllowed('2026-11-27', '9999-12-31', false)).toBe(false);
    expect(isAsOfAllowed('2026-11-27', '9999-12-31', true)).toBe(true);
  });
});
