import { assertMinorUnits, mulDiv } from './money.js';

export interface VisitValueItem {
  serviceId: string;
  quantity: number;
  listPrice: number;
}

export interface VisitValues {
  /** Value of one visit of each service, rounded down. */
  perVisit: Record<string, number>;
  /** What rounding left over; it goes on the first visit consumed, so all visits add up to the price. */
  firstVisitExtra: number;
}

/**
 * The plan price spread over its visits in proportion to the services' list prices
 * (by visit count when every list price is 0). Σ quantity × perVisit + firstVisitExtra = price.
 * Items naming the same service twice are merged (their quantities add up).
 */
export function visitValues(price: number, items: VisitValueItem[]): VisitValues {
  assertMinorUnits(price, 'price');
  if (price < 0) throw new RangeError(`price must be ≥ 0, got ${price}`);
  const merged = new Map<string, { quantity: number; listPrice: number }>();
  for (const { serviceId, quantity, listPrice } of items) {
    assertMinorUnits(quantity, 'quantity');
    assertMinorUnits(listPrice, 'listPrice');
    if (quantity < 0 || listPrice < 0) throw new RangeError('quantity and listPrice must be ≥ 0');
    const seen = merged.get(serviceId);
    merged.set(serviceId, { quantity: (seen?.quantity ?? 0) + quantity, listPrice: seen?.listPrice ?? listPrice });
  }

  const visits = [...merged.values()].reduce((n, i) => n + i.quantity, 0);
  const weight = [...merged.values()].reduce((n, i) => n + i.quantity * i.listPrice, 0);
  const perVisit: Record<string, number> = {};
  for (const [serviceId, { listPrice }] of merged) {
    if (weight > 0) perVisit[serviceId] = mulDiv(price, listPrice, weight);
    else perVisit[serviceId] = visits > 0 ? Math.floor(price / visits) : 0;
  }
  let spread = 0;
  for (const [serviceId, { quantity }] of merged) spread += quantity * perVisit[serviceId];
  return { perVisit, firstVisitExtra: price - spread };
}
