import { addDays, addYears, daysBetween, isIsoDate, type IsoDate } from '@app/billing';
import { ProblemException } from '../common/problem.exception.js';

/** Reports reach back to 2000 and at most a year ahead; a range spans at most 366 days. */
export const EARLIEST_REPORT_DATE = '2000-01-01';
export const MAX_RANGE_DAYS = 366;

const invalid = (field: string, message: string) => new ProblemException('validation_failed', message, { errors: [{ field, message }] });

export function reportDate(field: string, value: string, today: IsoDate): IsoDate {
  if (!isIsoDate(value)) throw invalid(field, `${field} must be a real date`);
  const latest = addYears(today, 1);
  if (value < EARLIEST_REPORT_DATE || value > latest) throw invalid(field, `${field} must be from ${EARLIEST_REPORT_DATE} to ${latest}`);
  return value;
}

export function reportRange(from: string, to: string, today: IsoDate): { from: IsoDate; to: IsoDate } {
  reportDate('from', from, today);
  reportDate('to', to, today);
  if (to < from) throw invalid('to', 'to must be on or after from');
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw invalid('to', `a range spans at most ${MAX_RANGE_DAYS} days (to ≤ ${addDays(from, MAX_RANGE_DAYS - 1)})`);
  return { from, to };
}
