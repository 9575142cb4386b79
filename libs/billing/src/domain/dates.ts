// Calendar dates as 'YYYY-MM-DD' strings. All arithmetic goes through UTC so that no local
// time zone or daylight-saving change can shift a day.
export type IsoDate = string;
export const BILLING_INTERVALS = ['week', 'month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

const DAY_MS = 86_400_000;
/** The last date an IsoDate can hold. */
export const LAST_DATE: IsoDate = '9999-12-31';
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Ymd {
  y: number;
  m: number; // 1..12
  d: number;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function match(s: unknown): Ymd | null {
  if (typeof s !== 'string') return null;
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const ymd = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  if (ymd.y < 1 || ymd.m < 1 || ymd.m > 12 || ymd.d < 1 || ymd.d > daysInMonth(ymd.y, ymd.m)) return null;
  return ymd;
}

/** Strict: the right shape and a day that exists on the calendar (no Feb 30). */
export function isIsoDate(s: unknown): s is IsoDate {
  return match(s) !== null;
}

function parse(s: IsoDate): Ymd {
  const ymd = match(s);
  if (!ymd) throw new RangeError(`not a calendar date: ${String(s)}`);
  return ymd;
}

function format({ y, m, d }: Ymd): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
function toUtcMs({ y, m, d }: Ymd): number {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getTime();
}

function fromUtcMs(ms: number): IsoDate {
  const date = new Date(ms);
  return format({ y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() });
}

export function addDays(d: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of days: ${n}`);
  return fromUtcMs(toUtcMs(parse(d)) + n * DAY_MS);
}

/** Whole days from `from` to `to` (to − from): negative when `to` is earlier. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtcMs(parse(to)) - toUtcMs(parse(from))) / DAY_MS);
}

export function isValidTimeZone(tz: unknown): tz is string {
  // Named zones only (America/Toronto, UTC): Intl also takes fixed offsets such as +01:00,
  // which have no daylight-saving rules and are not what a clinic means.
  if (typeof tz !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Building a DateTimeFormat is slow; reconciliation asks for the same zones again and again.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date of an instant in a time zone (the clinic's "today" for that instant). */
export function localDateOf(instant: Date, timeZone: string): IsoDate {
  // formatToParts, not format: the joined string's shape varies between ICU versions.
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return format({ y: get('year'), m: get('month'), d: get('day') });
}

export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  return localDateOf(now, timeZone);
}

/**
 * Start of cycle `index` (0 = the start itself) of a membership started on `start`.
 * Months and years are computed from the ORIGINAL start, clamped to the month's length, so a
 * short month never drags later cycles earlier (Jan 31 → Feb 28 → Mar 31 → Apr 30).
 */
export function cycleStart(start: IsoDate, interval: BillingInterval, index: number): IsoDate {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad cycle index: ${index}`);
  const s = parse(start);
  switch (interval) {
    case 'week':
      return addDays(start, 7 * index);
    case 'month': {
      const months = s.m - 1 + index;
      const y = s.y + Math.floor(months / 12);
      const m = (months % 12) + 1;
      return format({ y, m, d: Math.min(s.d, daysInMonth(y, m)) });
    }
    case 'year': {
      const y = s.y + index;
      return format({ y, m: s.m, d: Math.min(s.d, daysInMonth(y, s.m)) });
    }
    default:
      throw new RangeError(`unknown billing interval: ${String(interval)}`);
  }
}

export interface Cycle {
  index: number;
  start: IsoDate;
  /** Inclusive: the day before the next cycle starts. */
  end: IsoDate;
}

/** The cycle that contains `date`, or null before the membership starts. */
export function cycleAt(start: IsoDate, interval: BillingInterval, date: IsoDate): Cycle | null {
  const s = parse(start);
  const t = parse(date);
  if (date < start) return null;
  // A first guess that is right or one too far: cycle k starts in the k-th month/year after start.
  let index: number;
  switch (interval) {
    case 'week':
      index = Math.floor(daysBetween(start, date) / 7);
      break;
    case 'month':
      index = (t.y - s.y) * 12 + (t.m - s.m);
      break;
    case 'year':
      index = t.y - s.y;
      break;
    default:
      throw new RangeError(`unknown billing interval: ${String(interval)}`);
  }
  if (cycleStart(start, interval, index) > date) index -= 1;
  const next = cycleStart(start, interval, index + 1);
  return {
    index,
    start: cycleStart(start, interval, index),
    // The calendar stops at 9999-12-31: a cycle running past it ends there.
    end: isIsoDate(next) ? addDays(next, -1) : LAST_DATE,
  };
}

/** Every cycle start on or before `asOf`, oldest first (what reconciliation must have billed). */
export function cyclesStartedBy(start: IsoDate, interval: BillingInterval, asOf: IsoDate): IsoDate[] {
  const current = cycleAt(start, interval, asOf);
  if (!current) return [];
  const starts: IsoDate[] = [];
  for (let k = 0; k <= current.index; k++) starts.push(cycleStart(start, interval, k));
  return starts;
}

/** The wall-clock time HH:MM (24 h) in a time zone. */
export function localTimeIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}

/**
 * Up to `limit` cycle starts from cycle `fromIndex` on, each on or before `lastDay`, oldest
 * first: a bounded slice of `cyclesStartedBy`, so a membership far behind is billed in batches.
 */
export function cycleStartsFrom(start: IsoDate, interval: BillingInterval, fromIndex: number, lastDay: IsoDate, limit: number): IsoDate[] {
  const current = cycleAt(start, interval, lastDay);
  if (!current) return [];
  const starts: IsoDate[] = [];
  for (let k = fromIndex; k <= current.index && starts.length < limit; k++) starts.push(cycleStart(start, interval, k));
  return starts;
}

/** `d` moved by whole years (negative: back), Feb 29 clamped to Feb 28 in a common year. */
export function addYears(d: IsoDate, years: number): IsoDate {
  if (!Number.isSafeInteger(years)) throw new RangeError(`not a whole number of years: ${years}`);
  const { y, m, d: day } = parse(d);
  const year = y + years;
  if (year < 1 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  return format({ y: year, m, d: Math.min(day, daysInMonth(year, m)) });
}

/** How far a purchase's start date may be from today: imports of existing members, pre-sales. */
export const START_DATE_YEARS_BEFORE = 5;
export const START_DATE_YEARS_AFTER = 1;

/** The first and last start dates accepted on `today` (inclusive). */
export function startDateBounds(today: IsoDate): { earliest: IsoDate; latest: IsoDate } {
  return { earliest: addYears(today, -START_DATE_YEARS_BEFORE), latest: addYears(today, START_DATE_YEARS_AFTER) };
}

export function isWithinStartBounds(today: IsoDate, date: IsoDate): boolean {
  const { earliest, latest } = startDateBounds(today);
  return date >= earliest && date <= latest;
}

/**
 * A reconciliation runs as of today or earlier in the clinic's time zone: a later date would
 * bill cycles not yet started and expire packages still valid. Demos and tests may allow it.
 */
export function isAsOfAllowed(today: IsoDate, asOf: IsoDate, allowFuture: boolean): boolean {
  return allowFuture || asOf <= today;
}
