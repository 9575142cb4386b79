// Tax arithmetic (billing-rules.md "Taxes"): prices are before tax, each tax code of a line is
// rounded half up on its own, and every split of a taxed amount splits each tax the same way as
// the money, so the parts add up to the cent. Rates are integers of thousandths of a percent
// (money.ts: parseRate("9.975") = 9975); nothing here is ever a float.
import { assertMinorUnits, assertRate, MILLI_PERCENT_WHOLE, mulDivHalfUp, splitEvenly, sumAmounts } from './money.js';
import { visitValues, type VisitValueItem, type VisitValues } from './visit-values.js';

/** A tax code with the rate a line is made with (a line keeps it when the clinic's rate changes). */
export interface TaxRate {
  code: string;
  /** Thousandths of a percent: 13 % is 13000, 9.975 % is 9975. */
  rateMilliPercent: number;
}

/** One tax of a line: its code, the rate it was made with, and the amount in minor units. */
export interface LineTax extends TaxRate {
  amount: number;
}

export interface InvoiceTotals {
  /** Σ line amounts, before tax. */
  subtotal: number;
  /** Σ of every line's taxes. */
  taxTotal: number;
  /** subtotal + taxTotal. */
  total: number;
}

/** A part of a taxed amount (an instalment): its money, its share of each tax, and both together. */
export interface TaxedPart {
  amount: number;
  taxes: LineTax[];
  total: number;
}

/** A package tax spread over its visits like the price is (see visitTaxes). */
export interface VisitTax extends TaxRate, VisitValues {}

/** round half up(taxable × rate ÷ 100 %): 13 % of 12345 is 1604.85, so 1605. */
export function taxAmount(taxable: number, rateMilliPercent: number): number {
  assertMinorUnits(taxable, 'taxable');
  assertRate(rateMilliPercent);
  return mulDivHalfUp(taxable, rateMilliPercent, MILLI_PERCENT_WHOLE);
}

function assertRates(rates: readonly TaxRate[]): void {
  const codes = new Set<string>();
  for (const { code, rateMilliPercent } of rates) {
    assertRate(rateMilliPercent);
    if (codes.has(code)) throw new RangeError(`tax code ${code} appears twice`);
    codes.add(code);
  }
}

/**
 * A line's taxes: each code rounded half up on the line's taxable amount, on its own (GST 5 % and
 * PST 7 % are two roundings, not one of 12 %). Nothing taxable (0) gives no taxes at all, so a
 * redeemed visit shows `[]`; a code at rate 0 on a taxable line is kept with amount 0.
 */
export function lineTaxes(taxable: number, rates: readonly TaxRate[]): LineTax[] {
  assertMinorUnits(taxable, 'taxable');
  assertRates(rates);
  if (taxable === 0) return [];
  return rates.map(({ code, rateMilliPercent }) => ({ code, rateMilliPercent, amount: taxAmount(taxable, rateMilliPercent) }));
}

export function sumTaxes(taxes: readonly { amount: number }[]): number {
  return sumAmounts(taxes.map((t) => t.amount));
}

/** An invoice's subtotal, taxTotal and total from its lines (each line's amount is before tax). */
export function invoiceTotals(lines: readonly { amount: number; taxes: readonly { amount: number }[] }[]): InvoiceTotals {
  const subtotal = sumAmounts(lines.map((l) => l.amount));
  const taxTotal = sumAmounts(lines.map((l) => sumTaxes(l.taxes)));
  assertMinorUnits(subtotal + taxTotal, 'total');
  return { subtotal, taxTotal, total: subtotal + taxTotal };
}

/**
 * The taxes of an invoice per code and rate, as a receipt lists them: lines keep the rates they
 * were made with, so one code may appear at two rates. In order of first appearance.
 */
export function taxesByCode(lines: readonly { taxes: readonly LineTax[] }[]): LineTax[] {
  const totals = new Map<string, LineTax>();
  for (const { code, rateMilliPercent, amount } of lines.flatMap((l) => l.taxes)) {
    const key = `${code}\u0000${rateMilliPercent}`;
    const seen = totals.get(key);
    if (seen) seen.amount += amount;
    else totals.set(key, { code, rateMilliPercent, amount });
  }
  return [...totals.values()];
}

/**
 * `count` instalments of a taxed price. The taxes are computed once on the whole price, then the
 * price and each tax are split the same way (equal parts, remainder on the first), so the
 * instalments add up to price + taxes exactly and their taxes to the taxes of the whole. An
 * instalment's tax is its share of the whole's tax, not a tax recomputed on its part:
 * 100000 at 13 % in 3 is 33334 + 4334, 33333 + 4333, 33333 + 4333.
 */
export function splitWithTaxes(price: number, rates: readonly TaxRate[], count: number): TaxedPart[] {
  const amounts = splitEvenly(price, count);
  const taxParts = lineTaxes(price, rates).map((tax) => ({ tax, parts: splitEvenly(tax.amount, count) }));
  return amounts.map((amount, k) => {
    const taxes = taxParts.map(({ tax, parts }) => ({ code: tax.code, rateMilliPercent: tax.rateMilliPercent, amount: parts[k] }));
    return { amount, taxes, total: amount + sumTaxes(taxes) };
  });
}

/** round half up(amount × numerator ÷ denominator); a zero denominator (nothing invoiced) leaves the amount. */
function scale(amount: number, numerator: number, denominator: number, label: string): number {
  assertMinorUnits(amount, 'amount');
  assertMinorUnits(numerator, label);
  assertMinorUnits(denominator, label);
  if (numerator < 0 || denominator < 0) throw new RangeError(`sums of invoice amounts must be ≥ 0, got ${numerator} and ${denominator}`);
  if (denominator === 0) return amount;
  return mulDivHalfUp(amount, numerator, denominator);
}

/**
 * A refund's value used, with the purchase's taxes: round half up(valueUsed × Σ totals ÷
 * Σ subtotals) over its invoices that are not void, once on the whole. A purchase that invoiced
 * nothing (Σ subtotals 0) has no taxes to add.
 */
export function taxInclusiveValue(valueUsed: number, sumTotals: number, sumSubtotals: number): number {
  return scale(valueUsed, sumTotals, sumSubtotals, 'sum of totals or subtotals');
}

/**
 * The tax a refund returns: round half up(amount × Σ taxTotal ÷ Σ total) over the invoices it is
 * drawn from; 0 without taxes (or when they total nothing).
 */
export function refundTaxAmount(amount: number, sumTaxTotal: number, sumTotal: number): number {
  if (sumTotal === 0) {
    assertMinorUnits(amount, 'amount');
    return 0;
  }
  if (sumTaxTotal > sumTotal) throw new RangeError(`taxes (${sumTaxTotal}) cannot exceed the total (${sumTotal})`);
  return scale(amount, sumTaxTotal, sumTotal, 'sum of taxes or totals');
}

/**
 * Money of a purchase (paid, refunded) before tax, for reports: round half up(amount × Σ subtotals
 * ÷ Σ totals) over its invoices that are not void. Without invoices it stays as it is.
 */
export function beforeTax(amount: number, sumSubtotals: number, sumTotals: number): number {
  return scale(amount, sumSubtotals, sumTotals, 'sum of subtotals or totals');
}

/**
 * An insurance-friendly package's taxes per visit. Each tax of the package (computed once on its
 * price, `lineTaxes(price, rates)`) is spread over the visits by the very allocation of the visit
 * values (visit-values.ts): in proportion to the list prices, rounded down, the remainder on the
 * first visit consumed, the same visit that takes the value's remainder. Rounding each visit's tax
 * on its own value would not add up (3 visits of 100000 at 13 %: 3 × 4333 = 12999, not 13000);
 * this way Σ over all visits of (value + taxes) = price + Σ package taxes, to the cent.
 */
export function visitTaxes(packageTaxes: readonly LineTax[], items: VisitValueItem[]): VisitTax[] {
  assertRates(packageTaxes);
  return packageTaxes.map(({ code, rateMilliPercent, amount }) => {
    if (amount < 0) throw new RangeError(`a package tax must be ≥ 0, got ${amount}`);
    return { code, rateMilliPercent, ...visitValues(amount, items) };
  });
}

/**
 * The taxes on an insurance-friendly visit's line: `quantity` visits of the service at their
 * share of each package tax, plus each tax's remainder when this redemption claims the first
 * visit's extra. The package_credit payment pays the line's amount + Σ these taxes.
 */
export function visitLineTaxes(taxes: readonly VisitTax[], serviceId: string, quantity: number, claimsFirstVisitExtra: boolean): LineTax[] {
  assertMinorUnits(quantity, 'quantity');
  if (quantity < 0) throw new RangeError(`quantity must be ≥ 0, got ${quantity}`);
  return taxes.map(({ code, rateMilliPercent, perVisit, firstVisitExtra }) => {
    if (!Object.hasOwn(perVisit, serviceId)) throw new RangeError(`service ${serviceId} is not in the package`);
    return { code, rateMilliPercent, amount: perVisit[serviceId] * quantity + (claimsFirstVisitExtra ? firstVisitExtra : 0) };
  });
}
