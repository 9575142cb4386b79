// A purchase invoice's plan money in SQL, as domain/invoice.ts computes it (planTotal, planSubtotal,
// planPaid): its tip and charge lines (extras_total with taxes, extras_subtotal before them) are not
// the plan's, and payments pay the plan first. Every statement that sums a purchase's money uses
// these (the liability totals' triggers, in their migration, say the same).

/** total − extras: what the plan lines bill, taxes included. */
export const PLAN_TOTAL = (alias: string): string => `(${alias}.total - ${alias}.extras_total)`;

/** subtotal − the extras' subtotal: the plan lines before tax. */
export const PLAN_SUBTOTAL = (alias: string): string => `(${alias}.subtotal - ${alias}.extras_subtotal)`;

/** least(amount_paid, plan total): money paid for the plan. */
export const PLAN_PAID = (alias: string): string => `least(${alias}.amount_paid, ${alias}.total - ${alias}.extras_total)`;
