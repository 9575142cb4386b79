import fc from 'fast-check';
import { addDays, cycleStart } from './dates.js';
import { cycleAllowance } from './membership-allowance.js';
import { cycleAllowanceWithPauses, cycleByIndex, decidePause, decideResume, isPausedOn, unpausedCycleStarts, type PauseState, type PausedCycle } from './pause.js';

// Monthly from Jan 31: cycles Jan 31, Feb 28, Mar 31, Apr 30, May 31, Jun 30, Jul 31 …
const state = (over: Partial<PauseState> = {}): PauseState => ({
  kind: 'membership',
  status: 'active',
  cancelAt: null,
  startDate: '2026-01-31',
  billingInterval: 'month',
  pausedCycles: [],
  ...over,
});
const no = (rejected: string) => ({ ok: false, rejected });

describe('decidePause', () => {
  it('refuses in the written order: not a membership, not active or ending, a pause not ended', () => {
    const open = [{ start: '2026-03-31', end: '2026-04-29' }];
    expect(decidePause(state({ kind: 'package', status: 'cancelled', pausedCycles: open }), { cycles: 1, today: '2026-03-10' })).toEqual(no('not_a_membership'));
    expect(decidePause(state({ status: 'cancelled', pausedCycles: open }), { cycles: 1, today: '2026-03-10' })).toEqual(no('purchase_not_active'));
    expect(decidePause(state({ cancelAt: '2026-03-31', pausedCycles: open }), { cycles: 1, today: '2026-03-10' })).toEqual(no('purchase_not_active'));
    expect(decidePause(state({ pausedCycles: open }), { cycles: 1, today: '2026-03-10' })).toEqual(no('already_paused'));
    // Still in its last paused day: not ended.
    expect(decidePause(state({ pausedCycles: open }), { cycles: 1, today: '2026-04-29' })).toEqual(no('already_paused'));
    // Over: a new pause may start.
    expect(decidePause(state({ pausedCycles: open }), { cycles: 1, today: '2026-04-30' })).toMatchObject({ ok: true });
  });

  it('pauses the cycles after the current one, dates unmoved and clamped', () => {
    expect(decidePause(state(), { cycles: 2, today: '2026-03-10' })).toEqual({
      ok: true,
      effects: {
        paused: [
          { start: '2026-03-31', end: '2026-04-29' },
          { start: '2026-04-30', end: '2026-05-30' },
        ],
        pausedCycles: [
          { start: '2026-03-31', end: '2026-04-29' },
          { start: '2026-04-30', end: '2026-05-30' },
        ],
        history: { type: 'paused', cycles: 2 },
      },
    });
    // Before the start, the first cycle is the current one.
    expect(decidePause(state(), { cycles: 1, today: '2026-01-01' })).toMatchObject({ ok: true, effects: { paused: [{ start: '2026-02-28', end: '2026-03-30' }] } });
    expect(decidePause(state({ billingInterval: 'week', startDate: '2026-03-02' }), { cycles: 1, today: '2026-03-08' })).toMatchObject({ ok: true, effects: { paused: [{ start: '2026-03-09', end: '2026-03-15' }] } });
  });

  it('keeps earlier pauses in the list, oldest first', () => {
    const past = [{ start: '2026-02-28', end: '2026-03-30' }];
    expect(decidePause(state({ pausedCycles: past }), { cycles: 1, today: '2026-04-05' })).toMatchObject({
      ok: true,
      effects: { pausedCycles: [past[0], { start: '2026-04-30', end: '2026-05-30' }] },
    });
  });

  it('takes 1 to 6 cycles only (the API validates first)', () => {
    for (const cycles of [0, 7, 1.5]) expect(() => decidePause(state(), { cycles, today: '2026-03-10' })).toThrow(RangeError);
    expect(decidePause(state(), { cycles: 6, today: '2026-03-10' })).toMatchObject({ ok: true, effects: { paused: { length: 6 } } });
  });

  it('pauses whole, consecutive cycles right after the current one, never today (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('week', 'month', 'year'), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 1, max: 6 }), (interval, offset, cycles) => {
        const start = '2025-01-31';
        const today = addDays(start, offset);
        const d = decidePause(state({ startDate: start, billingInterval: interval }), { cycles, today });
        if (!d.ok) throw new Error(d.rejected);
        const { paused } = d.effects;
        expect(paused).toHaveLength(cycles);
        expect(paused[0].start > today).toBe(true);
        expect(isPausedOn(paused, today)).toBe(false);
        for (let i = 1; i < paused.length; i++) expect(paused[i].start > paused[i - 1].end).toBe(true);
        for (const c of paused) expect(cycleByIndex(start, interval, 0).start <= c.start).toBe(true);
      }),
    );
  });
});

describe('decideResume', () => {
  const paused: PausedCycle[] = [
    { start: '2026-03-31', end: '2026-04-29' },
    { start: '2026-04-30', end: '2026-05-30' },
  ];
  it('refuses in the written order: not a membership, not active, nothing still to come', () => {
    expect(decideResume(state({ kind: 'package', status: 'cancelled' }), { today: '2026-03-10' })).toEqual(no('not_a_membership'));
    expect(decideResume(state({ status: 'cancelled' }), { today: '2026-03-10' })).toEqual(no('purchase_not_active'));
    expect(decideResume(state(), { today: '2026-03-10' })).toEqual(no('not_paused'));
    expect(decideResume(state({ pausedCycles: paused }), { today: '2026-04-30' })).toEqual(no('not_paused'));
  });

  it('unpauses the paused cycles not started; a started one stays paused', () => {
    expect(decideResume(state({ pausedCycles: paused }), { today: '2026-03-10' })).toEqual({
      ok: true,
      effects: { unpaused: paused, pausedCycles: [], history: { type: 'resumed', cycles: 2 } },
    });
    expect(decideResume(state({ pausedCycles: paused }), { today: '2026-04-01' })).toEqual({
      ok: true,
      effects: { unpaused: [paused[1]], pausedCycles: [paused[0]], history: { type: 'resumed', cycles: 1 } },
    });
  });
});

describe('pauses elsewhere', () => {
  const paused = [{ start: '2026-03-31', end: '2026-04-29' }];
  it('isPausedOn: inclusive dates', () => {
    expect(isPausedOn(paused, '2026-03-30')).toBe(false);
    expect(isPausedOn(paused, '2026-03-31')).toBe(true);
    expect(isPausedOn(paused, '2026-04-29')).toBe(true);
    expect(isPausedOn(paused, '2026-04-30')).toBe(false);
    expect(isPausedOn([], '2026-04-01')).toBe(false);
  });

  it('reconciliation bills the unpaused cycle starts only', () => {
    expect(unpausedCycleStarts(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30'], paused)).toEqual(['2026-01-31', '2026-02-28', '2026-04-30']);
  });

  it('a paused cycle allows nothing, and rollover does not carry across it', () => {
    const usage = { perCycle: 4, usedByCycle: { '2026-01-31': 0, '2026-02-28': 1 } };
    // Cycle 1 (Feb 28) leaves 3 of its own; cycle 2 (Mar 31) is paused; cycle 3 gets no carry.
    expect(cycleAllowanceWithPauses('2026-01-31', 'month', true, usage, 2, paused)).toEqual({ carriedIn: 0, allowance: 0, used: 0, remaining: 0 });
    expect(cycleAllowanceWithPauses('2026-01-31', 'month', true, usage, 3, paused)).toEqual({ carriedIn: 0, allowance: 4, used: 0, remaining: 4 });
    expect(cycleAllowance('2026-01-31', 'month', true, usage, 3).carriedIn).toBe(4);
    // Cycle 4 carries from cycle 3 again.
    expect(cycleAllowanceWithPauses('2026-01-31', 'month', true, usage, 4, paused).carriedIn).toBe(4);
  });

  it('without pauses it is cycleAllowance; next to a pause nothing is carried (property)', () => {
    const start = '2026-01-31';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.nat(8), { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9]),
        (perCycle, used, rollover, pausedIndexes) => {
          const usage = { perCycle, usedByCycle: Object.fromEntries(used.map((n, k) => [cycleStart(start, 'month', k), n])) };
          const pausedCycles = pausedIndexes.map((k) => cycleByIndex(start, 'month', k));
          for (let k = 0; k < 10; k++) {
            expect(cycleAllowanceWithPauses(start, 'month', rollover, usage, k, [])).toEqual(cycleAllowance(start, 'month', rollover, usage, k));
            const a = cycleAllowanceWithPauses(start, 'month', rollover, usage, k, pausedCycles);
            if (pausedIndexes.includes(k)) expect(a.allowance).toBe(0);
            if (pausedIndexes.includes(k) || pausedIndexes.includes(k - 1)) expect(a.carriedIn).toBe(0);
            expect(a.remaining).toBe(Math.max(0, a.allowance - a.used));
          }
        },
      ),
    );
  });
});
