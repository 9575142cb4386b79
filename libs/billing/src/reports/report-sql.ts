// Shared pieces of the reports' SQL.

/** An invoice's amount before tax (the taxes migration: total = subtotal + tax_total). */
export const SUBTOTAL = (alias: string): string => `${alias}.subtotal`;

/**
 * The parameters every report reads, as a one-row CTE `c`: the clinic, the date, and the instant
 * its day ends in the clinic's time zone ("as of" = what happened before that instant).
 * Placeholders: clinic id, asOf.
 */
export const AS_OF_CTE = `c as (
  select cl.id as clinic_id, ?::date as as_of, ((?::date + 1)::timestamp at time zone cl.timezone) as day_end
  from clinic cl where cl.id = ?::uuid)`;

export const asOfParams = (clinicId: string, asOf: string): unknown[] => [asOf, asOf, clinicId];

/** Money read from bigint columns (node-postgres hands them over as strings). */
export const int = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
