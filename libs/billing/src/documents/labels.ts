import type { DocumentTax } from './document-clinic.js';
import type { LineCoverage } from './receipt.js';

const METHODS: Record<string, string> = {
  cash: 'Cash',
  card: 'Card',
  e_transfer: 'E-transfer',
  insurance: 'Insurance',
  other: 'Other',
  package_credit: 'Package credit',
};

export const methodLabel = (method: string): string => METHODS[method] ?? label(method);

/** snake_case as words: redemption_reversed → Redemption reversed. */
export function label(value: string): string {
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** 13000 → "13%", 9975 → "9.975%" (thousandths of a percent, no float arithmetic shown). */
export function ratePercent(rateMilliPercent: number): string {
  const whole = Math.trunc(rateMilliPercent / 1000);
  const fraction = String(rateMilliPercent % 1000).padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}%` : `${whole}%`;
}

export const taxLabel = (t: DocumentTax): string => (t.rateMilliPercent !== null ? `${t.name} (${ratePercent(t.rateMilliPercent)})` : t.name);

/**
 * What covered a line, as an insurer reads it: "Paid by package credit: 10 massages, visit 3 of
 * 10"; a membership's visits count within their cycle.
 */
export function coverageText(c: LineCoverage, formatDate: (iso: string) => string): string {
  const how = c.how === 'package_credit' ? 'Paid by package credit' : c.purchaseKind === 'membership' ? 'Covered by membership' : 'Covered by package';
  const visits = c.firstVisit === c.lastVisit ? `visit ${c.lastVisit}` : `visits ${c.firstVisit}-${c.lastVisit}`;
  const cycle = c.purchaseKind === 'membership' && c.cycleStart ? ` in the cycle from ${formatDate(c.cycleStart)}` : '';
  return `${how}: ${c.planName}, ${visits} of ${c.ofVisits}${cycle}`;
}
