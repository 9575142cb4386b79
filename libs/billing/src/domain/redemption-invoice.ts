import { redeemedInvoice, type InvoiceStatus, type SettlingInvoice } from './invoice.js';
import type { RedemptionEffects } from './redemption.js';
import { redeemedLineTaxes, type PackageVisitTaxes } from './redemption-taxes.js';
import { sumTaxes, type LineTax } from './taxes.js';

/** The invoice a redemption lands on, as it stands before it. */
export interface RedeemedInvoiceState extends SettlingInvoice {
  taxTotal: number;
}

/** The redeemed line, as it stands before. */
export interface RedeemedLineState {
  amount: number;
  taxes: readonly LineTax[];
}

/** What a redemption does to its line and invoice (billing-rules.md "Redeeming" and "Taxes"). */
export interface RedemptionInvoiceEffects {
  line: { amount: number; coveredAmount: number; taxes: LineTax[]; unitPrice: number | null };
  /** The package_credit payment (insurance-friendly: the visit value and its share of the package's taxes), else 0. */
  creditPayment: number;
  invoice: { total: number; subtotal: number; taxTotal: number; coveredAmount: number; amountPaid: number; status: InvoiceStatus };
}

/**
 * The line's and the invoice's side of a redemption the domain has decided: the line is repriced
 * (insurance-friendly), keeps only the taxes of what the patient still pays on it (a visit is not
 * taxed twice) plus an insurance-friendly visit's share of the package's taxes, and the invoice's
 * totals and status follow.
 */
export function redemptionInvoiceEffects(
  invoice: RedeemedInvoiceState,
  line: RedeemedLineState,
  effects: RedemptionEffects,
  packageTaxes: PackageVisitTaxes | null,
): RedemptionInvoiceEffects {
  const insurance = effects.insurance;
  const lineAmount = insurance ? insurance.lineAmount : line.amount;
  const patientPays = insurance ? insurance.lineAmount - insurance.paymentAmount : line.amount - effects.coveredAmount;
  const taxes = redeemedLineTaxes(line.taxes, patientPays, insurance && packageTaxes ? { serviceId: effects.serviceId, quantity: effects.quantity, packageTaxes } : null);
  const taxDelta = sumTaxes(taxes.taxes) - sumTaxes(line.taxes);
  const creditPayment = insurance ? insurance.paymentAmount + taxes.creditTax : 0;
  const next = redeemedInvoice(invoice, { lineAmount: line.amount, newLineAmount: lineAmount, coveredAmount: effects.coveredAmount, creditPayment, taxDelta });
  const taxTotal = invoice.taxTotal + taxDelta;
  return {
    line: { amount: lineAmount, coveredAmount: effects.coveredAmount, taxes: taxes.taxes, unitPrice: insurance ? insurance.unitPrice : null },
    creditPayment,
    invoice: { ...next, subtotal: next.total - taxTotal, taxTotal },
  };
}
