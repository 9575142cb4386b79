import { chooseRedemption, decideRedemption, redeemableOptions, type PurchaseBalanceState, type RedeemablePurchase, type RedemptionContext, type RedemptionLine } from './redemption.js';

// Issue 14: only service lines are redeemable, and a plan item's patient portion stays with the patient.
const staff: RedemptionContext = { channel: 'staff', membershipGraceDays: 0 };

const line = (over: Partial<RedemptionLine> = {}): RedemptionLine => ({
  invoiceStatus: 'open', invoicePatientId: 'pat', lineCovered: false, serviceId: 'massage', quantity: 1, amount: 12000, serviceDate: '2026-03-15', ...over,
});
const balance = (over: Partial<PurchaseBalanceState> = {}): PurchaseBalanceState => ({
  serviceId: 'massage', total: 10, used: 0, transferredOut: 0, transferredIn: 0, visitValue: 10000, listPrice: 12000, ...over,
});
const pkg = (over: Partial<RedeemablePurchase> = {}): RedeemablePurchase => ({
  id: 'pkg', patientId: 'pat', kind: 'package', status: 'active', startDate: '2026-01-01', expiresOn: '2026-12-31', cancelAt: null,
  createdAt: '2026-01-01T10:00:00.000Z', price: 100000, amountPaid: 100000, insuranceFriendly: false, onlineRedemption: true, firstVisitExtra: 0,
  balances: [balance()], ...over,
});
const membership = (portion: number): RedeemablePurchase => ({
  ...pkg({ id: 'mem', kind: 'membership', expiresOn: null, price: 0, balances: [balance({ total: 2, patientPortion: portion })] }),
  membership: { billingInterval: 'month', rollover: false, perCycle: { massage: 2 }, usedByCycle: {}, cycleInvoices: [], pausedCycles: [] },
});

describe('redemption of tip and charge lines', () => {
  it.each(['tip', 'charge'] as const)('a %s line is service_not_covered, by a named purchase or by none', (kind) => {
    const tip = line({ kind, serviceId: '', amount: 1500 });
    expect(decideRedemption(tip, pkg(), staff)).toEqual({ ok: false, rejected: 'service_not_covered' });
    expect(decideRedemption(tip, membership(0), staff)).toEqual({ ok: false, rejected: 'service_not_covered' });
    expect(chooseRedemption(tip, [pkg()], staff)).toEqual({ ok: false, rejected: 'service_not_covered' });
    expect(redeemableOptions(tip, [pkg()], staff)).toEqual([]);
  });

  it('the earlier rules still come first: a void invoice is invoice_void, another patient patient_mismatch', () => {
    expect(decideRedemption(line({ kind: 'tip', invoiceStatus: 'void' }), pkg(), staff)).toEqual({ ok: false, rejected: 'invoice_void' });
    expect(decideRedemption(line({ kind: 'tip' }), pkg({ patientId: 'other' }), staff)).toEqual({ ok: false, rejected: 'patient_mismatch' });
  });
});

describe('patient portion', () => {
  it('a package redemption covers the line less the portion per visit, never below 0', () => {
    const p = pkg({ balances: [balance({ patientPortion: 2000 })] });
    expect(decideRedemption(line(), p, staff)).toMatchObject({ ok: true, effects: { coveredAmount: 10000, insurance: null } });
    expect(decideRedemption(line({ quantity: 2, amount: 24000 }), p, staff)).toMatchObject({ ok: true, effects: { coveredAmount: 20000 } });
    expect(decideRedemption(line(), pkg({ balances: [balance({ patientPortion: 50000 })] }), staff)).toMatchObject({ ok: true, effects: { coveredAmount: 0 } });
  });

  it('a membership redemption leaves the portion too; without one it covers the line', () => {
    expect(decideRedemption(line(), membership(2500), staff)).toMatchObject({ ok: true, effects: { coveredAmount: 9500 } });
    expect(decideRedemption(line(), membership(0), staff)).toMatchObject({ ok: true, effects: { coveredAmount: 12000 } });
  });

  it('insurance-friendly: the line is priced at the visit value plus the portion, the credit pays the visit value', () => {
    const p = pkg({ insuranceFriendly: true, balances: [balance({ patientPortion: 1500 })] });
    expect(decideRedemption(line(), p, staff)).toMatchObject({
      ok: true,
      effects: { coveredAmount: 0, insurance: { unitPrice: 11500, lineAmount: 11500, paymentAmount: 10000 } },
    });
  });
});
