import { cycleStart, type BillingInterval, type IsoDate } from './dates.js';

/** One service of a membership: visits per cycle, and visits redeemed in each cycle keyed by cycle start. */
export interface MembershipUsage {
  perCycle: number;
  usedByCycle: Record<IsoDate, number>;
}

export interface CycleAllowance {
  carriedIn: number;
  allowance: number;
  used: number;
  remaining: number;
}

/**
 * Allowance of cycle `cycleIndex`. With rollover, what cycle k−1 left of its OWN allowance
 * carries into cycle k only; carried visits are used first, so they never carry twice.
 */
export function cycleAllowance(
  start: IsoDate,
  interval: BillingInterval,
  rollover: boolean,
  usage: MembershipUsage,
  cycleIndex: number,
): CycleAllowance {
  const usedIn = (k: number) => usage.usedByCycle[cycleStart(start, interval, k)] ?? 0;
  let carriedIn = 0;
  if (rollover) {
    for (let k = 1; k <= cycleIndex; k++) {
      const ownUsed = Math.max(0, usedIn(k - 1) - carriedIn);
      carriedIn = Math.max(0, usage.perCycle - ownUsed);
    }
  }
  const allowance = usage.perCycle + carriedIn;
  const used = usedIn(cycleIndex);
  return { carriedIn, allowance, used, remaining: Math.max(0, allowance - used) };
}
