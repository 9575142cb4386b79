// RFC 4180 CSV for the reports and exports: CRLF line ends, a field quoted when it holds a comma,
// a quote or a line break, its quotes doubled. Money as decimals of the currency's minor digits,
// by string manipulation of the integer (never a float).

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (values: readonly CsvValue[]): string => `${values.map(csvField).join(',')}\r\n`;

/** The currency's minor digits (CAD 2, JPY 0, BHD 3), as Intl knows them. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** 70000 → "700.00", -5 → "-0.05", 1234 with 0 digits → "1234". */
export function formatMinor(amount: number, digits: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money must be an integer of minor units, got ${amount}`);
  const sign = amount < 0 ? '-' : '';
  const units = String(Math.abs(amount));
  if (digits === 0) return `${sign}${units}`;
  const padded = units.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * Rows of objects as CSV lines: the header names the fields, money fields become decimals.
 * Returns the header line and a function turning one row into its line.
 */
export function csvWriter<T extends object>(fields: readonly (keyof T & string)[], moneyFields: ReadonlySet<string>, digits: number) {
  return {
    header: csvLine(fields),
    line: (row: T): string =>
      csvLine(fields.map((f) => {
        const v = row[f] as CsvValue;
        return moneyFields.has(f) && typeof v === 'number' ? formatMinor(v, digits) : v;
      })),
  };
}
