import { sql, type RawBuilder } from 'kysely';

/**
 * The subtotal an invoice update writes with a new `total` when it leaves the taxes as they are
 * (invoice.total = subtotal + tax_total is checked by the database): the new total less tax_total.
 * For the writers not taxed yet (desk line edits, redemptions); the sale writes all three itself.
 */
export function untaxedSubtotal(total: number): RawBuilder<number> {
  return sql<number>`${total}::bigint - tax_total`;
}
