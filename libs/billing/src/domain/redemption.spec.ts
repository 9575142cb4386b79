import fc from 'fast-check';
import type { BillingErrorCode } from './errors.js';
import { remaining } from './package-balance.js';
import {
  chooseRedemption,
  decideRedemption,
  redeemableOptions,
  remainingOn,
  type MembershipState,
  type PurchaseBalanceState,
  type RedeemablePurchase,
  type RedemptionContext,
  type RedemptionLine,
} from './redemption.js';

const staff: RedemptionContext = { channel: 'staff', membershipGraceDays: 0 };
const online: RedemptionContext = { channel: 'online', membershipGraceDays: 0 };

const line = (over: Partial<RedemptionLine> = {}): RedemptionLine => ({
  invoiceStatus: 'open',
  invoicePatientId: 'pat',
  lineCovered: false,
  serviceId: 'massage',
  quantity: 1,
  amount: 12000,
  serviceDate: '2026-03-15',
  ...over,
});

const balance = (over: Partial<PurchaseBalanceState> = {}): PurchaseBalanceState => ({
  serviceId: 'massage',
  total: 10,
  used: 0,
  transferredOut: 0,
  transferredIn: 0,
  visitValue: 10000,
  listPrice: 12000,
  ...over,
});

const pkg = (over: Partial<RedeemablePurchase> = {}): RedeemablePurchase => ({
  id: 'pkg',
  patientId: 'pat',
  kind: 'package',
  status: 'active',
  startDate: '2026-01-01',
  expiresOn: '2026-12-31',
  cancelAt: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  price: 100000,
  amountPaid: 100000,
  insuranceFriendly: false,
  onlineRedemption: true,
  firstVisitExtra: 0,
  balances: [balance()],
  ...over,
});

// Monthly membership from Jan 15: cycles Jan 15, Feb 15, Mar 15 (current for Mar 15 visits).
const membershipState = (over: Partial<MembershipState> = {}): MembershipState => ({
  billingInterval: 'month',
  rollover: false,
  perCycle: { massage: 2 },
  usedByCycle: {},
  cycleInvoices: [
    { cycleStart: '2026-01-15', dueDate: '2026-01-15', status: 'paid' },
    { cycleStart: '2026-02-15', dueDate: '2026-02-15', status: 'paid' },
    { cycleStart: '2026-03-15', dueDate: '2026-03-15', status: 'paid' },
  ],
  pausedCycles: [],
  ...over,
});

const membership = (over: Partial<RedeemablePurchase> = {}, m: Partial<MembershipState> = {}): RedeemablePurchase => ({
  ...pkg({ id: 'mem', kind: 'membership', startDate: '2026-01-15', expiresOn: null, price: 9000, amountPaid: 27000, balances: [] }),
  membership: membershipState(m),
  ...over,
});

const rejected = (code: BillingErrorCode) => ({ ok: false, rejected: code });

describe('decideRedemption: an ordinary package', () => {
  it('covers the line amount and counts the visit', () => {
    expect(decideRedemption(line(), pkg(), staff)).toEqual({
      ok: true,
      effects: { purchaseId: 'pkg', serviceId: 'massage', quantity: 1, cycleStart: null, coveredAmount: 12000, insurance: null, exhausts: false },
    });
  });
  it('exhausts on the last visit of the last balance', () => {
    const p = pkg({ balances: [balance({ used: 9 }), balance({ serviceId: 'facial', total: 1, used: 1 })] });
    expect(decideRedemption(line(), p, staff)).toMatchObject({ ok: true, effects: { exhausts: true } });
    const q = pkg({ balances: [balance({ used: 9 }), balance({ serviceId: 'facial', total: 1 })] });
    expect(decideRedemption(line(), q, staff)).toMatchObject({ ok: true, effects: { exhausts: false } });
  });
});

describe('decideRedemption: each refusal', () => {
  it('invoice_void', () => expect(decideRedemption(line({ invoiceStatus: 'void' }), pkg(), staff)).toEqual(rejected('invoice_void')));
  it('line_already_redeemed', () => expect(decideRedemption(line({ lineCovered: true }), pkg(), staff)).toEqual(rejected('line_already_redeemed')));
  it('patient_mismatch', () => expect(decideRedemption(line({ invoicePatientId: 'other' }), pkg(), staff)).toEqual(rejected('patient_mismatch')));
  it('purchase_not_active: cancelled, exhausted, or cancelAt reached', () => {
    expect(decideRedemption(line(), pkg({ status: 'cancelled' }), staff)).toEqual(rejected('purchase_not_active'));
    expect(decideRedemption(line(), pkg({ status: 'exhausted' }), staff)).toEqual(rejected('purchase_not_active'));
    expect(decideRedemption(line(), membership({ cancelAt: '2026-03-15' }), staff)).toEqual(rejected('purchase_not_active'));
    expect(decideRedemption(line(), membership({ cancelAt: '2026-03-16' }), staff).ok).toBe(true);
  });
  it('purchase_not_started', () => expect(decideRedemption(line(), pkg({ startDate: '2026-03-16' }), staff)).toEqual(rejected('purchase_not_started')));
  it('purchase_expired: expiresOn before the service date, inclusive of expiresOn', () => {
    expect(decideRedemption(line(), pkg({ expiresOn: '2026-03-14' }), staff)).toEqual(rejected('purchase_expired'));
    expect(decideRedemption(line(), pkg({ expiresOn: '2026-03-15' }), staff).ok).toBe(true);
  });
  it("status 'expired' still covers a visit on or before expiresOn, not without a date", () => {
    expect(decideRedemption(line(), pkg({ status: 'expired', expiresOn: '2026-03-20' }), staff).ok).toBe(true);
    expect(decideRedemption(line(), pkg({ status: 'expired', expiresOn: '2026-03-01' }), staff)).toEqual(rejected('purchase_expired'));
    expect(decideRedemption(line(), pkg({ status: 'expired', expiresOn: null }), staff)).toEqual(rejected('purchase_expired'));
  });
  it('service_not_covered', () => {
    expect(decideRedemption(line({ serviceId: 'yoga' }), pkg(), staff)).toEqual(rejected('service_not_covered'));
    expect(decideRedemption(line({ serviceId: 'yoga' }), membership(), staff)).toEqual(rejected('service_not_covered'));
  });
  it('online_redemption_not_allowed', () => {
    expect(decideRedemption(line(), pkg({ onlineRedemption: false }), online)).toEqual(rejected('online_redemption_not_allowed'));
    expect(decideRedemption(line(), pkg({ onlineRedemption: false }), staff).ok).toBe(true);
    expect(decideRedemption(line(), membership({ onlineRedemption: false }), online)).toEqual(rejected('online_redemption_not_allowed'));
  });
  it('insufficient_balance: package', () => {
    expect(decideRedemption(line({ quantity: 2 }), pkg({ balances: [balance({ used: 9 })] }), staff)).toEqual(rejected('insufficient_balance'));
    expect(decideRedemption(line({ quantity: 0 }), pkg(), staff)).toEqual(rejected('insufficient_balance'));
  });
  it('insufficient_balance: membership cycle allowance', () => {
    const m = membership({}, { usedByCycle: { massage: { '2026-03-15': 2 } } });
    expect(decideRedemption(line(), m, staff)).toEqual(rejected('insufficient_balance'));
    // Last cycle's usage does not count against this one.
    const n = membership({}, { usedByCycle: { massage: { '2026-02-15': 2 } } });
    expect(decideRedemption(line({ quantity: 2 }), n, staff).ok).toBe(true);
  });
  it('rollover adds last cycle unused visits, one cycle only', () => {
    const m = (used: Record<string, number>) => membership({}, { rollover: true, usedByCycle: { massage: used } });
    // Feb used 0 of 2: March has 4.
    expect(decideRedemption(line({ quantity: 4 }), m({ '2026-01-15': 2 }), staff).ok).toBe(true);
    expect(decideRedemption(line({ quantity: 5 }), m({ '2026-01-15': 2 }), staff)).toEqual(rejected('insufficient_balance'));
    // February used January's 2 carried visits first, then its own 2: nothing reaches March.
    expect(decideRedemption(line({ quantity: 3 }), m({ '2026-02-15': 4 }), staff)).toEqual(rejected('insufficient_balance'));
    expect(decideRedemption(line({ quantity: 2 }), m({ '2026-02-15': 4 }), staff).ok).toBe(true);
    // February used only carried visits: its own 2 carry into March.
    expect(decideRedemption(line({ quantity: 4 }), m({ '2026-02-15': 2 }), staff).ok).toBe(true);
  });
  it('membership_invoice_unpaid: an earlier cycle unpaid past the grace days', () => {
    const invoices = [
      { cycleStart: '2026-01-15', dueDate: '2026-01-15', status: 'paid' as const },
      { cycleStart: '2026-02-15', dueDate: '2026-02-15', status: 'open' as const },
      { cycleStart: '2026-03-15', dueDate: '2026-03-15', status: 'paid' as const },
    ];
    const m = membership({}, { cycleInvoices: invoices });
    expect(decideRedemption(line(), m, staff)).toEqual(rejected('membership_invoice_unpaid'));
    // 28 days late: within a 28-day grace, refused past it.
    expect(decideRedemption(line(), m, { channel: 'staff', membershipGraceDays: 28 }).ok).toBe(true);
    expect(decideRedemption(line(), m, { channel: 'staff', membershipGraceDays: 27 })).toEqual(rejected('membership_invoice_unpaid'));
    // A void earlier invoice holds nothing back.
    const v = membership({}, { cycleInvoices: invoices.map((i) => (i.status === 'open' ? { ...i, status: 'void' as const } : i)) });
    expect(decideRedemption(line(), v, staff).ok).toBe(true);
  });
  it('payment_required: membership current cycle unpaid or not billed yet', () => {
    const open = membershipState().cycleInvoices.map((i) => (i.cycleStart === '2026-03-15' ? { ...i, status: 'open' as const } : i));
    expect(decideRedemption(line(), membership({}, { cycleInvoices: open }), staff)).toEqual(rejected('payment_required'));
    const missing = membershipState().cycleInvoices.slice(0, 2);
    expect(decideRedemption(line(), membership({}, { cycleInvoices: missing }), staff)).toEqual(rejected('payment_required'));
    // A free membership owes nothing.
    expect(decideRedemption(line(), membership({ price: 0 }, { cycleInvoices: [] }), staff).ok).toBe(true);
  });
  it("a cycle invoice open only for its extras (a tip) counts as paid: payments pay the plan first", () => {
    const tipped = (paid: number) =>
      membershipState().cycleInvoices.map((i) => ({ ...i, status: 'open' as const, total: 5500, extrasTotal: 500, amountPaid: paid }));
    expect(decideRedemption(line(), membership({}, { cycleInvoices: tipped(5000) }), staff).ok).toBe(true);
    // The earlier cycles too: none is unpaid past the grace days.
    expect(decideRedemption(line(), membership({}, { cycleInvoices: tipped(4999) }), staff)).toEqual(rejected('membership_invoice_unpaid'));
  });
  it('payment_required: package visits not paid for yet', () => {
    // 30000 of 100000 paid: 3 visits unlocked, 3 used.
    const p = pkg({ amountPaid: 30000, balances: [balance({ used: 3 })] });
    expect(decideRedemption(line(), p, staff)).toEqual(rejected('payment_required'));
    expect(decideRedemption(line(), pkg({ amountPaid: 40000, balances: [balance({ used: 3 })] }), staff).ok).toBe(true);
    // Transferred-in visits are paid already.
    const t = pkg({ price: 0, amountPaid: 0, balances: [balance({ total: 0, transferredIn: 2 })] });
    expect(decideRedemption(line({ quantity: 2 }), t, staff).ok).toBe(true);
  });
  it('membership effects: the cycle, covered in full, never exhausts', () => {
    expect(decideRedemption(line({ serviceDate: '2026-04-14' }), membership(), staff)).toEqual({
      ok: true,
      effects: { purchaseId: 'mem', serviceId: 'massage', quantity: 1, cycleStart: '2026-03-15', coveredAmount: 12000, insurance: null, exhausts: false },
    });
  });
});

describe('decideRedemption: the order of the rules', () => {
  // Each case breaks every rule from some point on; the first broken one must be reported.
  const broken: [BillingErrorCode, Partial<RedemptionLine>, Partial<RedeemablePurchase>][] = [
    ['invoice_void', { invoiceStatus: 'void', lineCovered: true, invoicePatientId: 'x' }, { status: 'cancelled' }],
    ['line_already_redeemed', { lineCovered: true, invoicePatientId: 'x' }, { status: 'cancelled' }],
    ['patient_mismatch', { invoicePatientId: 'x', serviceId: 'yoga' }, { status: 'cancelled' }],
    ['purchase_not_active', { serviceId: 'yoga' }, { status: 'cancelled', startDate: '2027-01-01', expiresOn: '2026-01-01' }],
    ['purchase_not_started', { serviceId: 'yoga' }, { startDate: '2027-01-01', expiresOn: '2026-01-01', onlineRedemption: false }],
    ['purchase_expired', { serviceId: 'yoga' }, { expiresOn: '2026-01-01', onlineRedemption: false }],
    ['service_not_covered', { serviceId: 'yoga' }, { onlineRedemption: false }],
    ['online_redemption_not_allowed', { quantity: 11 }, { onlineRedemption: false, amountPaid: 0 }],
    ['insufficient_balance', { quantity: 11 }, { amountPaid: 0 }],
    ['payment_required', {}, { amountPaid: 0 }],
  ];
  it.each(broken)('%s first', (code, l, p) => expect(decideRedemption(line(l), pkg(p), online)).toEqual(rejected(code)));

  it('membership: insufficient_balance before membership_invoice_unpaid before payment_required', () => {
    const allUnpaid = membershipState().cycleInvoices.map((i) => ({ ...i, status: 'open' as const }));
    const full = { massage: { '2026-03-15': 2 } };
    expect(decideRedemption(line(), membership({}, { cycleInvoices: allUnpaid, usedByCycle: full }), staff)).toEqual(rejected('insufficient_balance'));
    expect(decideRedemption(line(), membership({}, { cycleInvoices: allUnpaid }), staff)).toEqual(rejected('membership_invoice_unpaid'));
  });
});

describe('decideRedemption: a paused membership', () => {
  const paused = [{ start: '2026-03-15', end: '2026-04-14' }];
  it('purchase_paused for a visit dated in a paused cycle, right after purchase_expired', () => {
    const m = membership({}, { pausedCycles: paused });
    expect(decideRedemption(line(), m, staff)).toEqual(rejected('purchase_paused'));
    expect(decideRedemption(line({ serviceDate: '2026-04-14', serviceId: 'other' }), m, staff)).toEqual(rejected('purchase_paused'));
    // Before the rules of rule 4 on (service_not_covered), after those of rule 3.
    expect(decideRedemption(line({ serviceId: 'other' }), membership({ cancelAt: '2026-03-01' }, { pausedCycles: paused }), staff)).toEqual(rejected('purchase_not_active'));
    expect(decideRedemption(line({ serviceDate: '2026-02-20' }), m, staff).ok).toBe(true);
  });
  it('no rollover across a pause: the cycle after it has its own allowance only', () => {
    const invoices = [
      { cycleStart: '2026-01-15', dueDate: '2026-01-15', status: 'paid' as const },
      { cycleStart: '2026-04-15', dueDate: '2026-04-15', status: 'paid' as const },
    ];
    const without = membership({}, { rollover: true, cycleInvoices: [...membershipState().cycleInvoices, invoices[1]] });
    expect(remainingOn(without, 'massage', '2026-04-20')).toBe(4);
    const m = membership({}, { rollover: true, cycleInvoices: invoices, pausedCycles: [{ start: '2026-02-15', end: '2026-03-14' }, ...paused] });
    expect(remainingOn(m, 'massage', '2026-04-20')).toBe(2);
    expect(remainingOn(m, 'massage', '2026-03-20')).toBe(0);
    expect(decideRedemption(line({ serviceDate: '2026-04-20', quantity: 3 }), m, staff)).toEqual(rejected('insufficient_balance'));
    expect(decideRedemption(line({ serviceDate: '2026-04-20', quantity: 2 }), m, staff).ok).toBe(true);
  });
});

describe('insurance-friendly package', () => {
  const ins = (over: Partial<RedeemablePurchase> = {}) => pkg({ insuranceFriendly: true, ...over });
  it('prices the line at the visit value, paid by package credit, covering nothing', () => {
    expect(decideRedemption(line(), ins(), staff)).toMatchObject({
      ok: true,
      effects: { coveredAmount: 0, insurance: { unitPrice: 10000, lineAmount: 10000, paymentAmount: 10000 } },
    });
  });
  it('the first visit claims the rounding extra', () => {
    const p = ins({ price: 100001, firstVisitExtra: 1 });
    expect(decideRedemption(line(), p, staff)).toMatchObject({ ok: true, effects: { insurance: { unitPrice: 10001, lineAmount: 10001, paymentAmount: 10001 } } });
    expect(decideRedemption(line({ quantity: 2 }), p, staff)).toMatchObject({ ok: true, effects: { insurance: { unitPrice: 10001, lineAmount: 20001, paymentAmount: 20001 } } });
  });
  it('does not apply to memberships', () => {
    expect(decideRedemption(line(), membership({ insuranceFriendly: true }), staff)).toMatchObject({ ok: true, effects: { coveredAmount: 12000, insurance: null } });
  });
});

describe('chooseRedemption', () => {
  it('reports line-level refusals as they are', () => {
    expect(chooseRedemption(line({ invoiceStatus: 'void' }), [pkg()], staff)).toEqual(rejected('invoice_void'));
    expect(chooseRedemption(line({ lineCovered: true }), [pkg()], staff)).toEqual(rejected('line_already_redeemed'));
    expect(chooseRedemption(line({ lineCovered: true }), [], staff)).toEqual(rejected('line_already_redeemed'));
  });
  it('no_eligible_purchase when none may cover the line', () => {
    expect(chooseRedemption(line(), [], staff)).toEqual(rejected('no_eligible_purchase'));
    expect(chooseRedemption(line(), [pkg({ status: 'cancelled' }), pkg({ id: 'b', amountPaid: 0 })], staff)).toEqual(rejected('no_eligible_purchase'));
  });
  it('prefers a membership', () => {
    const d = chooseRedemption(line(), [pkg({ expiresOn: '2026-03-20' }), membership()], staff);
    expect(d).toMatchObject({ ok: true, effects: { purchaseId: 'mem' } });
  });
  it('then the package expiring soonest, never-expiring last', () => {
    const ps = [pkg({ id: 'never', expiresOn: null }), pkg({ id: 'late', expiresOn: '2026-12-01' }), pkg({ id: 'soon', expiresOn: '2026-04-01' })];
    expect(chooseRedemption(line(), ps, staff)).toMatchObject({ ok: true, effects: { purchaseId: 'soon' } });
    expect(chooseRedemption(line(), ps.slice(0, 2), staff)).toMatchObject({ ok: true, effects: { purchaseId: 'late' } });
  });
  it('then the oldest', () => {
    const ps = [pkg({ id: 'new', createdAt: '2026-02-01T00:00:00.000Z' }), pkg({ id: 'old', createdAt: '2026-01-01T00:00:00.000Z' })];
    expect(chooseRedemption(line(), ps, staff)).toMatchObject({ ok: true, effects: { purchaseId: 'old' } });
  });
  it('skips ineligible purchases, even preferred ones', () => {
    const ps = [membership({}, { usedByCycle: { massage: { '2026-03-15': 2 } } }), pkg({ id: 'soon', expiresOn: '2026-03-01' }), pkg({ id: 'ok' })];
    expect(chooseRedemption(line(), ps, staff)).toMatchObject({ ok: true, effects: { purchaseId: 'ok' } });
    expect(redeemableOptions(line(), ps, staff).map((p) => p.id)).toEqual(['ok']);
  });
  it('does not depend on the order purchases are given in (property)', () => {
    const ps = [membership({ onlineRedemption: false }), pkg({ id: 'a', expiresOn: null }), pkg({ id: 'b', expiresOn: '2026-06-01' }), pkg({ id: 'c', expiresOn: '2026-06-01', createdAt: '2025-12-01T00:00:00.000Z' })];
    fc.assert(
      fc.property(fc.shuffledSubarray(ps), fc.constantFrom(staff, online), (sub, ctx) => {
        const d = chooseRedemption(line(), sub, ctx);
        const again = chooseRedemption(line(), [...sub].reverse(), ctx);
        expect(again).toEqual(d);
      }),
    );
  });
});

describe('redemption properties', () => {
  const anyLine = fc.record({
    invoiceStatus: fc.constantFrom('open', 'paid', 'void') as fc.Arbitrary<RedemptionLine['invoiceStatus']>,
    invoicePatientId: fc.constantFrom('pat', 'other'),
    lineCovered: fc.boolean(),
    serviceId: fc.constantFrom('massage', 'facial', 'yoga'),
    quantity: fc.integer({ min: 0, max: 4 }),
    amount: fc.integer({ min: 0, max: 20000 }),
    serviceDate: fc.constantFrom('2025-12-31', '2026-01-01', '2026-03-15', '2027-01-01'),
  });

  it('a rejected decision carries no effects, an accepted one no code', () => {
    fc.assert(
      fc.property(anyLine, fc.boolean(), fc.constantFrom(staff, online), (l, isMembership, ctx) => {
        const d = decideRedemption(l, isMembership ? membership() : pkg(), ctx);
        if (d.ok) expect(Object.keys(d).sort()).toEqual(['effects', 'ok']);
        else expect(Object.keys(d).sort()).toEqual(['ok', 'rejected']);
      }),
    );
  });

  it('accepted redemptions never drive remaining below 0, and the ledger adds up to the balance', () => {
    const start = fc.record({
      massage: fc.integer({ min: 0, max: 12 }),
      facial: fc.integer({ min: 0, max: 5 }),
      paidShare: fc.integer({ min: 0, max: 100 }),
    });
    const request = fc.record({ serviceId: fc.constantFrom('massage', 'facial', 'yoga'), quantity: fc.integer({ min: 0, max: 4 }), channel: fc.constantFrom<'staff' | 'online'>('staff', 'online') });
    fc.assert(
      fc.property(start, fc.array(request, { maxLength: 40 }), fc.boolean(), ({ massage, facial, paidShare }, requests, insuranceFriendly) => {
        const price = 100000;
        let purchase = pkg({
          insuranceFriendly,
          amountPaid: paidShare * 1000,
          firstVisitExtra: 3,
          balances: [balance({ total: massage }), balance({ serviceId: 'facial', total: facial, visitValue: 5000 })],
          price,
        });
        const ledger: { serviceId: string; delta: number }[] = [
          { serviceId: 'massage', delta: massage },
          { serviceId: 'facial', delta: facial },
        ];
        let charged = 0;
        for (const r of requests) {
          const d = decideRedemption(line({ serviceId: r.serviceId, quantity: r.quantity }), purchase, { channel: r.channel, membershipGraceDays: 0 });
          if (!d.ok) continue;
          const { effects } = d;
          ledger.push({ serviceId: effects.serviceId, delta: -effects.quantity });
          charged += effects.insurance?.paymentAmount ?? 0;
          const balances = purchase.balances.map((b) => (b.serviceId === effects.serviceId ? { ...b, used: b.used + effects.quantity } : b));
          purchase = { ...purchase, balances, firstVisitExtra: 0, status: effects.exhausts ? 'exhausted' : purchase.status };
          for (const b of purchase.balances) expect(remaining(b)).toBeGreaterThanOrEqual(0);
          expect(effects.exhausts).toBe(purchase.balances.every((b) => remaining(b) === 0));
        }
        for (const b of purchase.balances) {
          const sumLedger = ledger.filter((e) => e.serviceId === b.serviceId).reduce((n, e) => n + e.delta, 0);
          expect(sumLedger).toBe(remaining(b));
          // Never more visits than were paid for.
          expect(b.used).toBeLessThanOrEqual(Math.floor((b.total * purchase.amountPaid) / price));
        }
        // Insurance-friendly: package credit spent is the visit values (+ the extra once).
        const used = purchase.balances.reduce((n, b) => n + b.used * b.visitValue, 0);
        expect(charged).toBe(insuranceFriendly && used > 0 ? used + 3 : 0);
      }),
    );
  });
});
