// Pausing a membership (billing-rules.md "Pausing a membership"): whole cycles are skipped, and
// cycle dates never move. A paused cycle has no invoice, no allowance and no fee; a redemption
// dated in one is `purchase_paused`; rollover does not carry across it.
import { cycleAt, cycleStart, type BillingInterval, type Cycle, type IsoDate } from './dates.js';
import { accept, reject, type Decision } from './errors.js';
import type { MembershipUsage, CycleAllowance } from './membership-allowance.js';
import type { PurchaseKind, PurchaseStatus } from './purchase-status.js';

/** One paused cycle, its dates inclusive (the API's `pausedCycles[]`). */
export interface PausedCycle {
  start: IsoDate;
  end: IsoDate;
}

export const MIN_PAUSE_CYCLES = 1;
export const MAX_PAUSE_CYCLES = 6;

export interface PauseState {
  kind: PurchaseKind;
  status: PurchaseStatus;
  /** Set when a cancellation is scheduled. */
  cancelAt: IsoDate | null;
  startDate: IsoDate;
  /** Memberships only. */
  billingInterval?: BillingInterval;
  pausedCycles: readonly PausedCycle[];
}

export interface PauseRequest {
  /** 1..6 (the API validates it). */
  cycles: number;
  /** The clinic's today. */
  today: IsoDate;
}

export interface PauseEffects {
  /** The cycles this pause adds, oldest first. */
  paused: PausedCycle[];
  /** Every paused cycle of the purchase after it, oldest first. */
  pausedCycles: PausedCycle[];
  history: { type: 'paused'; cycles: number };
}

export interface ResumeRequest {
  today: IsoDate;
}

export interface ResumeEffects {
  /** The paused cycles not started yet, now billed and usable again. */
  unpaused: PausedCycle[];
  /** What stays paused: cycles already started (or over). */
  pausedCycles: PausedCycle[];
  history: { type: 'resumed'; cycles: number };
}

/** Is `date` in a paused cycle? (Redemption: `purchase_paused`; reconciliation: no invoice for that cycle start.) */
export function isPausedOn(pausedCycles: readonly PausedCycle[], date: IsoDate): boolean {
  return pausedCycles.some((c) => c.start <= date && date <= c.end);
}

/** Cycle starts that are not paused: what reconciliation bills, and a refund's "started cycles". */
export function unpausedCycleStarts(starts: readonly IsoDate[], pausedCycles: readonly PausedCycle[]): IsoDate[] {
  return starts.filter((s) => !isPausedOn(pausedCycles, s));
}

/** Cycle `index` with its inclusive dates. */
export function cycleByIndex(start: IsoDate, interval: BillingInterval, index: number): Cycle {
  return cycleAt(start, interval, cycleStart(start, interval, index)) as Cycle;
}

const byStart = (a: PausedCycle, b: PausedCycle) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);

function membershipRefusal(state: PauseState): Decision<never> | null {
  if (state.kind !== 'membership') return reject('not_a_membership');
  if (!state.billingInterval) throw new TypeError('membership pause state has no billingInterval');
  return null;
}

export function decidePause(state: PauseState, request: PauseRequest): Decision<PauseEffects> {
  const { cycles, today } = request;
  if (!Number.isSafeInteger(cycles) || cycles < MIN_PAUSE_CYCLES || cycles > MAX_PAUSE_CYCLES) {
    throw new RangeError(`cycles must be an integer from ${MIN_PAUSE_CYCLES} to ${MAX_PAUSE_CYCLES}, got ${cycles}`);
  }
  const refusal = membershipRefusal(state);
  if (refusal) return refusal;
  if (state.status !== 'active' || state.cancelAt !== null) return reject('purchase_not_active');
  if (state.pausedCycles.some((c) => c.end >= today)) return reject('already_paused');

  const interval = state.billingInterval!;
  // Before its start, the first cycle counts as the current one: it was invoiced with the sale.
  const current = cycleAt(state.startDate, interval, today)?.index ?? 0;
  const paused: PausedCycle[] = [];
  for (let k = current + 1; k <= current + cycles; k++) {
    const { start, end } = cycleByIndex(state.startDate, interval, k);
    paused.push({ start, end });
  }
  return accept({ paused, pausedCycles: [...state.pausedCycles, ...paused].sort(byStart), history: { type: 'paused', cycles } });
}

export function decideResume(state: PauseState, request: ResumeRequest): Decision<ResumeEffects> {
  const refusal = membershipRefusal(state);
  if (refusal) return refusal;
  // A scheduled cancellation does not stop a resume: cycles after cancelAt are never billed anyway.
  if (state.status !== 'active') return reject('purchase_not_active');
  const unpaused = state.pausedCycles.filter((c) => c.start > request.today).sort(byStart);
  if (unpaused.length === 0) return reject('not_paused');
  const pausedCycles = state.pausedCycles.filter((c) => c.start <= request.today).sort(byStart);
  return accept({ unpaused, pausedCycles, history: { type: 'resumed', cycles: unpaused.length } });
}

/**
 * cycleAllowance (membership-allowance.ts) with pauses: a paused cycle allows nothing, and
 * rollover never carries into or out of one, so a pause does not carry visits across it.
 * Without pauses it is cycleAllowance exactly.
 */
export function cycleAllowanceWithPauses(
  start: IsoDate,
  interval: BillingInterval,
  rollover: boolean,
  usage: MembershipUsage,
  cycleIndex: number,
  pausedCycles: readonly PausedCycle[],
): CycleAllowance {
  const startOf = (k: number) => cycleStart(start, interval, k);
  const usedIn = (k: number) => usage.usedByCycle[startOf(k)] ?? 0;
  const paused = (k: number) => isPausedOn(pausedCycles, startOf(k));
  const used = usedIn(cycleIndex);
  if (paused(cycleIndex)) return { carriedIn: 0, allowance: 0, used, remaining: 0 };
  let carriedIn = 0;
  if (rollover) {
    for (let k = 1; k <= cycleIndex; k++) {
      if (paused(k) || paused(k - 1)) {
        carriedIn = 0;
        continue;
      }
      const ownUsed = Math.max(0, usedIn(k - 1) - carriedIn);
      carriedIn = Math.max(0, usage.perCycle - ownUsed);
    }
  }
  const allowance = usage.perCycle + carriedIn;
  return { carriedIn, allowance, used, remaining: Math.max(0, allowance - used) };
}
