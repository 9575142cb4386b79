// A redeemed visit is not taxed twice (billing-rules.md "Taxes"): its tax was charged when the
// package or membership was sold. Once redeemed, a line's taxable amount is only what the patient
// still pays on it (the patient portion), at the rates the line was made with (the service's
// codes). An insurance-friendly visit's line also carries its share of the package's taxes on
// the visit value, which the package_credit payment pays with the value.
import { lineTaxes, sumTaxes, taxesByCode, visitLineTaxes, type LineTax, type TaxRate, type VisitTax } from './taxes.js';

/** The package's taxes spread over its visits (visitTaxes), for an insurance-friendly package. */
export interface PackageVisitTaxes {
  perVisit: VisitTax[];
  /** No visit consumed yet: the next one claims each tax's remainder, as it claims the value's. */
  firstVisitUnclaimed: boolean;
}

export interface RedeemedLineTaxes {
  /** The line's taxes once redeemed. */
  taxes: LineTax[];
  /** Of them, the package's taxes paid by the package_credit payment (insurance-friendly), else 0. */
  creditTax: number;
}

/** The rates a line was made with (one per code), read back from its taxes. */
export const ratesOf = (taxes: readonly LineTax[]): TaxRate[] => taxes.map(({ code, rateMilliPercent }) => ({ code, rateMilliPercent }));

/**
 * The taxes of a line once redeemed. `patientPays` is what of the line's amount the patient still
 * owes (the patient portion, or 0); it is taxed at the line's own rates. An insurance-friendly
 * visit adds the package's taxes on its visit value (one entry per code and rate, merged with the
 * portion's when they match).
 */
export function redeemedLineTaxes(
  lineTaxesBefore: readonly LineTax[],
  patientPays: number,
  insurance: { serviceId: string; quantity: number; packageTaxes: PackageVisitTaxes } | null,
): RedeemedLineTaxes {
  const portionTaxes = lineTaxes(patientPays, ratesOf(lineTaxesBefore));
  if (!insurance) return { taxes: portionTaxes, creditTax: 0 };
  const { perVisit, firstVisitUnclaimed } = insurance.packageTaxes;
  const credit = visitLineTaxes(perVisit, insurance.serviceId, insurance.quantity, firstVisitUnclaimed);
  return { taxes: taxesByCode([{ taxes: credit }, { taxes: portionTaxes }]), creditTax: sumTaxes(credit) };
}

/**
 * The taxes a line carries again when its redemption is given back (reversal, void): the taxes it
 * had before, at the same rates, on what it is priced at again (an insurance-friendly line goes
 * back to the list price). `taxDelta` is what that adds to the invoice's taxes.
 */
export function restoredLineTaxes(taxesBefore: readonly LineTax[], taxesNow: readonly LineTax[], amountAgain: number): { taxes: LineTax[]; taxDelta: number } {
  const taxes = lineTaxes(amountAgain, ratesOf(taxesBefore));
  return { taxes, taxDelta: sumTaxes(taxes) - sumTaxes(taxesNow) };
}
