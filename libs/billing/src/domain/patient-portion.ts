// A plan item's patient portion (billing-rules.md "Patient portion"): what the patient still pays
// at every redeemed visit (a co-pay, an upsized session).
import { assertMinorUnits } from './money.js';
import type { RedemptionEffects } from './redemption.js';

function portionOf(patientPortion: number, quantity: number): number {
  assertMinorUnits(patientPortion, 'patientPortion');
  if (patientPortion < 0) throw new RangeError(`patientPortion must be ≥ 0, got ${patientPortion}`);
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`quantity must be a whole number ≥ 0, got ${quantity}`);
  return patientPortion * quantity;
}

/** max(0, line amount − patientPortion × quantity): what a redemption covers. */
export function coveredAmountWithPortion(lineAmount: number, patientPortion: number, quantity: number): number {
  assertMinorUnits(lineAmount, 'lineAmount');
  return Math.max(0, lineAmount - portionOf(patientPortion, quantity));
}

/**
 * A redemption's effects (redemption.ts) with the portion left for the patient. Ordinary: the
 * redemption covers less. Insurance-friendly: the line is priced at the visit value plus the
 * portion, and the package_credit payment still pays the visit value only.
 */
export function applyPatientPortion(effects: RedemptionEffects, patientPortion: number): RedemptionEffects {
  const portion = portionOf(patientPortion, effects.quantity);
  if (portion === 0) return effects;
  if (!effects.insurance) return { ...effects, coveredAmount: Math.max(0, effects.coveredAmount - portion) };
  const { unitPrice, lineAmount, paymentAmount } = effects.insurance;
  return { ...effects, coveredAmount: 0, insurance: { unitPrice: unitPrice + patientPortion, lineAmount: lineAmount + portion, paymentAmount } };
}
