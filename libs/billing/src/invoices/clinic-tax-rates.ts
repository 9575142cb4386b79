import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { db, run } from '../db/query.js';
import { taxRatesFor, unknownTaxCodes, type ClinicTax } from '../domain/tax-settings.js';
import type { TaxRate } from '../domain/taxes.js';

/**
 * Today's rates of the clinic for `taxCodes` (billing-rules.md "Taxes": a line is made with the
 * rates of its day and keeps them), or the codes the clinic does not have. The clinic row is read
 * `for share` inside the caller's transaction: a settings change removing a code waits for this
 * line, then sees it in use. Nothing is read for an untaxed line.
 */
export async function clinicTaxRates(tx: EntityManager, clinicId: string, taxCodes: readonly string[]): Promise<{ rates: TaxRate[] } | { unknown: string[] }> {
  if (taxCodes.length === 0) return { rates: [] };
  const [clinic] = await run(tx, db.selectFrom('clinic').select(sql<ClinicTax[] | null>`settings->'taxes'`.as('taxes')).where('id', '=', clinicId).forShare());
  const taxes = clinic?.taxes ?? [];
  const unknown = unknownTaxCodes(taxes, taxCodes);
  return unknown.length ? { unknown } : { rates: taxRatesFor(taxes, taxCodes) };
}
