import fc from 'fast-check';
import { balanceDue, redeemedInvoice } from './invoice.js';
import { applyPatientPortion, coveredAmountWithPortion } from './patient-portion.js';
import type { RedemptionEffects } from './redemption.js';

const ordinary = (over: Partial<RedemptionEffects> = {}): RedemptionEffects => ({
  purchaseId: 'pkg',
  serviceId: 'massage',
  quantity: 2,
  cycleStart: null,
  coveredAmount: 24000,
  insurance: null,
  exhausts: false,
  ...over,
});
const insured = ordinary({ coveredAmount: 0, insurance: { unitPrice: 10000, lineAmount: 20000, paymentAmount: 20000 } });

describe('patient portion', () => {
  it('coveredAmount = max(0, line amount − portion × quantity)', () => {
    expect(coveredAmountWithPortion(24000, 2500, 2)).toBe(19000);
    expect(coveredAmountWithPortion(24000, 0, 2)).toBe(24000);
    expect(coveredAmountWithPortion(3000, 2500, 2)).toBe(0);
    expect(() => coveredAmountWithPortion(24000, -1, 1)).toThrow(RangeError);
    expect(() => coveredAmountWithPortion(24000, 0.5, 1)).toThrow(RangeError);
  });

  it('an ordinary redemption covers less, leaving the portion due', () => {
    expect(applyPatientPortion(ordinary(), 2500)).toEqual(ordinary({ coveredAmount: 19000 }));
    expect(applyPatientPortion(ordinary(), 0)).toEqual(ordinary());
  });

  it('insurance-friendly: the line is the visit value plus the portion; the credit pays the visit value', () => {
    expect(applyPatientPortion(insured, 2500)).toEqual({ ...insured, insurance: { unitPrice: 12500, lineAmount: 25000, paymentAmount: 20000 } });
  });

  it('after the redemption, exactly the portion is due on the line (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 30_000 }), fc.nat(5_000), fc.boolean(), (quantity, unit, visitValue, portion, insurance) => {
        const listAmount = unit * quantity;
        const base = insurance
          ? ordinary({ quantity, coveredAmount: 0, insurance: { unitPrice: visitValue, lineAmount: visitValue * quantity, paymentAmount: visitValue * quantity } })
          : ordinary({ quantity, coveredAmount: listAmount });
        const e = applyPatientPortion(base, portion);
        const newLine = e.insurance ? e.insurance.lineAmount : listAmount;
        const after = redeemedInvoice(
          { status: 'open', total: listAmount, coveredAmount: 0, amountPaid: 0 },
          { lineAmount: listAmount, newLineAmount: newLine, coveredAmount: e.coveredAmount, creditPayment: e.insurance?.paymentAmount ?? 0 },
        );
        expect(balanceDue(after)).toBe(insurance ? portion * quantity : Math.min(listAmount, portion * quantity));
      }),
    );
  });
});
