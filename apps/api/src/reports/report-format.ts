import { csvWriter } from '@app/billing';

/** CSV only when the client asks for it by Accept (reports answer JSON otherwise). */
export const wantsCsv = (accept: string | undefined): boolean => /\btext\/csv\b/i.test(accept ?? '');
/** Exports are CSV rows for an accounting package: JSON only when asked for and CSV is not. */
export const wantsJson = (accept: string | undefined): boolean => !wantsCsv(accept) && /\bapplication\/json\b/i.test(accept ?? '');

/** A whole report as CSV: the header and one line per entry, no totals row. */
export function csvOf<T extends object>(rows: readonly T[], fields: readonly (keyof T & string)[], money: readonly string[], digits: number): string {
  const w = csvWriter<T>(fields, new Set(money), digits);
  return w.header + rows.map(w.line).join('');
}

export const CSV_TYPE = 'text/csv; charset=utf-8; header=present';
