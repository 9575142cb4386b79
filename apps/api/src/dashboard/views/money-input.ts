/**
 * An amount typed in a form ("89", "89.5", "1,089.00") as minor units of a currency with `digits`
 * minor digits, by string handling only (never a float); null when it is not a positive amount
 * with at most that many decimals.
 */
export function parseMoney(raw: unknown, digits: number): number | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim().replace(/[\s,]/g, '').replace(/^\$/, '');
  const match = /^(\d{1,12})(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const [, units, fraction = ''] = match;
  if (fraction.length > digits) return null;
  const minor = Number(units + fraction.padEnd(digits, '0'));
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** Minor units as the plain decimal a form field holds: 8900 → "89.00". */
export function moneyInput(minor: number, digits: number): string {
  if (digits === 0) return String(minor);
  const padded = String(minor).padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
