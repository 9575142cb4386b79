import { addDays, type IsoDate } from './dates.js';
import { splitEvenly } from './money.js';

export interface Installment {
  number: number;
  amount: number;
  dueDate: IsoDate;
}

/** `count` instalments adding up to `price` (remainder on the first), due every `intervalDays` from `startDate`. */
export function installmentSchedule(price: number, count: number, intervalDays: number, startDate: IsoDate): Installment[] {
  return splitEvenly(price, count).map((amount, k) => ({
    number: k + 1,
    amount,
    dueDate: addDays(startDate, k * intervalDays),
  }));
}
