import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Clinic, unknownTaxCodes } from '@app/billing';
import { invalidField } from './fields/invalid-field.js';
import { notFound } from './problem.exception.js';

/**
 * Services and plans name only the clinic's tax codes (validation_failed on `taxCodes`). Inside
 * the caller's transaction, the clinic row is read `for share`: a concurrent settings change that
 * removes a code waits for this one, then sees it in use (409 tax_code_in_use).
 */
export async function checkTaxCodes(tx: EntityManager, clinicId: string, taxCodes: readonly string[] | undefined): Promise<string[]> {
  const codes = [...(taxCodes ?? [])];
  if (!codes.length) return codes;
  const clinic = await tx.findOne(Clinic, { id: clinicId }, { lockMode: LockMode.PESSIMISTIC_READ });
  if (!clinic) throw notFound('Clinic');
  const unknown = unknownTaxCodes(clinic.settings.taxes ?? [], codes);
  if (unknown.length) throw invalidField('taxCodes', `taxCodes names ${unknown.join(', ')}, not a tax of this clinic (PATCH /v1/clinic/settings sets them)`);
  return codes;
}
