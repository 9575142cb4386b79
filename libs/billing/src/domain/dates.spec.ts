import fc from 'fast-check';
import {
  addDays,
  cycleAt,
  cycleStart,
  cyclesStartedBy,
  daysBetween,
  daysInMonth,
  isIsoDate,
  isValidTimeZone,
  localDateOf,
  todayIn,
  type BillingInterval,
  localTimeIn,
} from './dates.js';

// Any date from 1990 to about 2100.
const anyDate = fc.integer({ min: 0, max: 40_000 }).map((n) => addDays('1990-01-01', n));
const anyInterval = fc.constantFrom<BillingInterval>('week', 'month', 'year');

describe('isIsoDate', () => {
  it.each(['2024-02-29', '2025-12-31', '2000-02-29', '0001-01-01'])('accepts %s', (d) => expect(isIsoDate(d)).toBe(true));
  it.each(['2025-02-29', '1900-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-4-1', '20250401', '2025-04-01T00:00:00Z', ' 2025-04-01', '', null, 20250401])(
    'rejects %p',
    (d) => expect(isIsoDate(d)).toBe(false),
  );
});

describe('time zones', () => {
  const instant = new Date('2026-01-01T03:30:00Z');
  it('gives the local calendar date of an instant', () => {
    expect(todayIn('America/Toronto', instant)).toBe('2025-12-31');
    expect(todayIn('UTC', instant)).toBe('2026-01-01');
    expect(localDateOf(new Date('2026-01-01T13:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-01-02');
    expect(isIsoDate(todayIn('America/Vancouver'))).toBe(true);
  });
  it('validates time zone names', () => {
    expect(isValidTimeZone('America/Toronto')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('+01:00')).toBe(false);
    expect(isValidTimeZone('-0500')).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });
});

describe('day arithmetic', () => {
  it('adds days across months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-08', -8)).toBe('2026-02-28');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-03-10', '2025-03-01')).toBe(-9);
  });
  it('throws on a malformed date', () => {
    expect(() => addDays('2025-02-30', 1)).toThrow(RangeError);
  });
  it('addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (d, n) => daysBetween(d, addDays(d, n)) === n),
    );
  });
});

describe('cycleStart', () => {
  it('keeps the day of month of the original start, clamped (Jan 31 → Feb 29 → Mar 31 → Apr 30)', () => {
    const starts = [0, 1, 2, 3, 4, 12, 13].map((k) => cycleStart('2024-01-31', 'month', k));
    expect(starts).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31', '2025-01-31', '2025-02-28']);
  });
  it('weekly cycles are 7 days apart', () => {
    expect(cycleStart('2025-12-29', 'week', 1)).toBe('2026-01-05');
  });
  it('yearly cycles clamp Feb 29 to Feb 28 in common years only', () => {
    expect([1, 2, 4].map((k) => cycleStart('2024-02-29', 'year', k))).toEqual(['2025-02-28', '2026-02-28', '2028-02-29']);
  });
  it('rejects a negative index', () => {
    expect(() => cycleStart('2024-01-31', 'month', -1)).toThrow(RangeError);
  });
  it('monthly: day = min(start day, month length), one month after another', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 300 }), (start, k) => {
        const [y, m, d] = start.split('-').map(Number);
        const [cy, cm, cd] = cycleStart(start, 'month', k).split('-').map(Number);
        return (cy - y) * 12 + (cm - m) === k && cd === Math.min(d, daysInMonth(cy, cm));
      }),
    );
  });
});

describe('cycles (property)', () => {
  it('cycle starts strictly increase and cycles are contiguous', () => {
    fc.assert(
      fc.property(anyDate, anyInterval, fc.integer({ min: 0, max: 200 }), (start, interval, k) => {
        const a = cycleStart(start, interval, k);
        const b = cycleStart(start, interval, k + 1);
        const c = cycleAt(start, interval, a)!;
        expect(a < b).toBe(true);
        expect(c.index).toBe(k);
        expect(c.start).toBe(a);
        expect(addDays(c.end, 1)).toBe(b);
        expect(cycleAt(start, interval, c.end)!.index).toBe(k);
      }),
    );
  });

  it('every date on or after the start is in exactly the cycle cycleAt names; none is skipped', () => {
    fc.assert(
      fc.property(anyDate, anyInterval, fc.integer({ min: 0, max: 4000 }), (start, interval, offset) => {
        const date = addDays(start, offset);
        const c = cycleAt(start, interval, date)!;
        expect(c.start <= date && date <= c.end).toBe(true);
        // The previous day is in the same cycle or the one just before: no cycle skipped.
        if (offset > 0) {
          const prev = cycleAt(start, interval, addDays(date, -1))!;
          expect(c.index - prev.index).toBe(date === c.start ? 1 : 0);
        } else {
          expect(c.index).toBe(0);
        }
      }),
    );
  });

  it('is null before the start', () => {
    expect(cycleAt('2025-05-10', 'month', '2025-05-09')).toBeNull();
    expect(cyclesStartedBy('2025-05-10', 'month', '2025-05-09')).toEqual([]);
  });

  it('finds the cycle of a date', () => {
    expect(cycleAt('2024-01-31', 'month', '2024-03-30')).toEqual({ index: 1, start: '2024-02-29', end: '2024-03-30' });
    expect(cycleAt('2024-01-31', 'month', '2024-03-31')).toEqual({ index: 2, start: '2024-03-31', end: '2024-04-29' });
    expect(cycleAt('2024-02-29', 'year', '2025-02-27')).toEqual({ index: 0, start: '2024-02-29', end: '2025-02-27' });
    expect(cycleAt('2025-01-06', 'week', '2025-01-20')).toEqual({ index: 2, start: '2025-01-20', end: '2025-01-26' });
  });

  it('cyclesStartedBy lists every start up to asOf, in order', () => {
    expect(cyclesStartedBy('2025-01-31', 'month', '2025-04-29')).toEqual(['2025-01-31', '2025-02-28', '2025-03-31']);
    fc.assert(
      fc.property(anyDate, anyInterval, fc.integer({ min: 0, max: 1500 }), (start, interval, offset) => {
        const asOf = addDays(start, offset);
        const starts = cyclesStartedBy(start, interval, asOf);
        expect(starts).toEqual(starts.map((_, k) => cycleStart(start, interval, k)));
        expect(starts.at(-1)).toBe(cycleAt(start, interval, asOf)!.start);
        expect(starts.every((s) => s <= asOf)).toBe(true);
        expect(cycleStart(start, interval, starts.length) > asOf).toBe(true);
      }),
    );
  });
});

describe('localTimeIn', () => {
  it('gives the wall-clock time of a zone, across daylight saving', () => {
    expect(localTimeIn('America/Toronto', new Date('2026-07-01T06:30:00Z'))).toBe('02:30');
    expect(localTimeIn('America/Toronto', new Date('2026-12-01T07:30:00Z'))).toBe('02:30');
    expect(localTimeIn('UTC', new Date('2026-12-01T00:05:00Z'))).toBe('00:05');
  });
});
