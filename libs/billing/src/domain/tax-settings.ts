// The clinic's taxes as set in its settings (api-v1.md "Taxes"): at most 3, each a code, a name
// and a rate as the API writes it ("13", "9.975"). Lines are made with the rates of that day.
import { parseRate } from './money.js';
import type { TaxRate } from './taxes.js';

export interface ClinicTax {
  code: string;
  name: string;
  /** A percent with at most 3 decimals, "0" to "50" (money.ts isRate). */
  rate: string;
}

export const MAX_CLINIC_TAXES = 3;
export const TAX_CODE_PATTERN = /^[A-Z][A-Z0-9]{0,9}$/;

/** The codes of `taxCodes` that the clinic does not have (validation of services and plans). */
export function unknownTaxCodes(clinicTaxes: readonly ClinicTax[], taxCodes: readonly string[]): string[] {
  const known = new Set(clinicTaxes.map((t) => t.code));
  return taxCodes.filter((c) => !known.has(c));
}

/** The codes a new set of clinic taxes drops. */
export function removedTaxCodes(before: readonly ClinicTax[], after: readonly ClinicTax[]): string[] {
  const kept = new Set(after.map((t) => t.code));
  return before.map((t) => t.code).filter((c) => !kept.has(c));
}

/**
 * The rates a line is made with today for `taxCodes`, in the clinic's order (so one invoice lists
 * its codes alike). A code the clinic no longer has is a RangeError: removing a used code is refused.
 */
export function taxRatesFor(clinicTaxes: readonly ClinicTax[], taxCodes: readonly string[]): TaxRate[] {
  const missing = unknownTaxCodes(clinicTaxes, taxCodes);
  if (missing.length) throw new RangeError(`tax codes not set in the clinic: ${missing.join(', ')}`);
  const wanted = new Set(taxCodes);
  return clinicTaxes.filter((t) => wanted.has(t.code)).map((t) => ({ code: t.code, rateMilliPercent: parseRate(t.rate) }));
}
