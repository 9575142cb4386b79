import fc from 'fast-check';
import { visitValues } from './visit-values.js';

describe('visitValues', () => {
  it('10 visits for 100000: 10000 each', () => {
    expect(visitValues(100000, [{ serviceId: 'm', quantity: 10, listPrice: 12000 }])).toEqual({ perVisit: { m: 10000 }, firstVisitExtra: 0 });
  });
  it('spreads by list price and keeps the remainder for the first visit', () => {
    // 3 × 100 + 1 × 200 = 500 of list value for 1000: 200 and 400 per visit.
    expect(visitValues(1000, [{ serviceId: 'a', quantity: 3, listPrice: 100 }, { serviceId: 'b', quantity: 1, listPrice: 200 }])).toEqual({
      perVisit: { a: 200, b: 400 },
      firstVisitExtra: 0,
    });
    expect(visitValues(100001, [{ serviceId: 'm', quantity: 3, listPrice: 1 }])).toEqual({ perVisit: { m: 33333 }, firstVisitExtra: 2 });
  });
  it('spreads by visit count when every list price is 0', () => {
    expect(visitValues(1000, [{ serviceId: 'a', quantity: 3, listPrice: 0 }, { serviceId: 'b', quantity: 4, listPrice: 0 }])).toEqual({
      perVisit: { a: 142, b: 142 },
      firstVisitExtra: 6,
    });
  });
  it('visit values add up to the price exactly (property)', () => {
    const item = fc.record({
      serviceId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      quantity: fc.integer({ min: 1, max: 10_000 }),
      listPrice: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000_000 })),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.array(item, { minLength: 1, maxLength: 5 }), (price, items) => {
        const { perVisit, firstVisitExtra } = visitValues(price, items);
        const quantities = new Map<string, number>();
        for (const i of items) quantities.set(i.serviceId, (quantities.get(i.serviceId) ?? 0) + i.quantity);
        let total = firstVisitExtra;
        for (const [s, q] of quantities) total += q * perVisit[s];
        expect(total).toBe(price);
        expect(firstVisitExtra).toBeGreaterThanOrEqual(0);
        expect(Object.values(perVisit).every((v) => Number.isSafeInteger(v) && v >= 0)).toBe(true);
      }),
    );
  });
});
