import fc from 'fast-check';
import {
  balanceDue,
  decideLineAddition,
  decideLineRemoval,
  decidePayment,
  initialStatus,
  isLineCovered,
  redeemedInvoice,
  settledStatus,
  planPaid,
  planSettled,
  planSubtotal,
  planTotal,
  type InvoiceForLines,
  type SettlingInvoice,
} from './invoice.js';
import { IllegalTransitionError } from './transitions.js';

const invoice = (over: Partial<InvoiceForLines> = {}): InvoiceForLines => ({ kind: 'service', status: 'open', total: 12000, coveredAmount: 0, amountPaid: 0, ...over });

/** Consistent totals (the database's check: nothing due below 0) with a status that fits them. */
const amounts = fc
  .record({ covered: fc.nat(50_000), paid: fc.nat(50_000), due: fc.nat(50_000), writtenOff: fc.nat(5_000) })
  .map(({ covered, paid, due, writtenOff }) => ({ total: covered + paid + due + writtenOff, coveredAmount: covered, amountPaid: paid, amountWrittenOff: writtenOff }));
const settled = amounts.map((a): SettlingInvoice => ({ ...a, status: a.total > 0 && balanceDue(a) === 0 ? 'paid' : 'open' }));
const ADDABLE = ['service', 'tip', 'charge'] as const;
/** Open or paid purchase invoices: a plan part (≥ 1), extras, and payments paying the plan first. */
const planInvoices = fc
  .record({ kind: fc.constantFrom('package' as const, 'installment' as const, 'membership' as const), plan: fc.integer({ min: 1, max: 50_000 }), extras: fc.nat(5_000), paid: fc.nat(60_000) })
  .map(({ kind, plan, extras, paid }): InvoiceForLines => {
    const total = plan + extras;
    const amountPaid = Math.min(paid, total);
    return { kind, total, coveredAmount: 0, amountPaid, extrasTotal: extras, extrasSubtotal: extras, status: amountPaid === total ? 'paid' : 'open' };
  });

describe('invoice', () => {
  it('balanceDue is total − covered − paid − written off; write-offs are optional', () => {
    expect(balanceDue({ total: 10000, coveredAmount: 3000, amountPaid: 2000 })).toBe(5000);
    expect(balanceDue({ total: 10000, coveredAmount: 3000, amountPaid: 2000, amountWrittenOff: 5000 })).toBe(0);
    fc.assert(fc.property(amounts, (a) => balanceDue(a) + a.coveredAmount + a.amountPaid + a.amountWrittenOff === a.total));
  });

  it('a new invoice is paid when it charges nothing, open otherwise', () => {
    expect(initialStatus(0)).toBe('paid');
    expect(initialStatus(1)).toBe('open');
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), (total) => initialStatus(total) === 'open'));
  });

  describe('settledStatus', () => {
    it('is paid exactly when something was charged and nothing is due', () => {
      fc.assert(
        fc.property(amounts, (a) => {
          expect(settledStatus({ ...a, status: 'open' })).toBe(a.total > 0 && balanceDue(a) === 0 ? 'paid' : 'open');
        }),
      );
    });

    it('leaves a blank invoice open, a free cycle paid and a void invoice void', () => {
      expect(settledStatus({ status: 'open', total: 0, coveredAmount: 0, amountPaid: 0 })).toBe('open');
      expect(settledStatus({ status: 'paid', total: 0, coveredAmount: 0, amountPaid: 0 })).toBe('paid');
      expect(settledStatus({ status: 'void', total: 5000, coveredAmount: 0, amountPaid: 5000 })).toBe('void');
    });

    it('never moves against the invoice table', () => {
      fc.assert(fc.property(settled, (inv) => void expect(() => settledStatus(inv)).not.toThrow(IllegalTransitionError)));
    });
  });

  it('a line is covered once redeemed or once less is due than its amount', () => {
    expect(isLineCovered(invoice(), { amount: 12000, redeemed: false })).toBe(false);
    expect(isLineCovered(invoice(), { amount: 12000, redeemed: true })).toBe(true);
    expect(isLineCovered(invoice({ amountPaid: 1 }), { amount: 12000, redeemed: false })).toBe(true);
    fc.assert(
      fc.property(amounts, fc.nat(60_000), (a, amount) => {
        expect(isLineCovered(a, { amount, redeemed: false })).toBe(balanceDue(a) < amount);
      }),
    );
  });

  describe('lines', () => {
    const none = { extrasTotal: 0, extrasSubtotal: 0 };

    it('are added to open and paid service invoices; a paid one reopens while anything is due', () => {
      expect(decideLineAddition(invoice(), { kind: 'tip', amount: 500 })).toEqual({ ok: true, effects: { total: 12500, status: 'open', ...none } });
      // A tip after the visit was redeemed: the paid invoice owes the tip.
      expect(decideLineAddition(invoice({ status: 'paid', coveredAmount: 12000 }), { kind: 'tip', amount: 500 })).toEqual({ ok: true, effects: { total: 12500, status: 'open', ...none } });
      fc.assert(
        fc.property(settled, fc.integer({ min: 1, max: 60_000 }), fc.constantFrom(...ADDABLE), (inv, amount, kind) => {
          const decision = decideLineAddition({ ...inv, kind: 'service' }, { kind, amount });
          expect(decision).toEqual({ ok: true, effects: { total: inv.total + amount, status: 'open', ...none } });
        }),
      );
    });

    it('are refused on a void invoice first (invoice_void), then on written-off invoices; a purchase invoice takes no service or plan line', () => {
      expect(decideLineAddition(invoice({ status: 'void', kind: 'package' }), { kind: 'tip', amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_void' });
      expect(decideLineAddition(invoice({ status: 'written_off', kind: 'installment' }), { kind: 'tip', amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
      expect(decideLineAddition(invoice({ status: 'written_off' }), { kind: 'service', amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
      expect(decideLineAddition(invoice({ kind: 'package' }), { kind: 'service', amount: 500 })).toEqual({
        ok: false,
        rejected: 'invoice_not_open',
        detail: 'Only tip and charge lines can be added to a package invoice (this line is a service line)',
      });
      expect(decideLineAddition(invoice({ kind: 'membership', status: 'paid', amountPaid: 12000 }), { kind: 'plan', amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
    });

    it('tips and charges go on open and paid purchase invoices as their extras; a paid one reopens while they are due', () => {
      // A paid package invoice (12000) takes a 1130 charge (1000 + 130 tax): open, 1130 due, the extras apart.
      const paidPackage = invoice({ kind: 'package', status: 'paid', amountPaid: 12000 });
      expect(decideLineAddition(paidPackage, { kind: 'charge', amount: 1130, subtotal: 1000 })).toEqual({
        ok: true,
        effects: { total: 13130, status: 'open', extrasTotal: 1130, extrasSubtotal: 1000 },
      });
      fc.assert(
        fc.property(planInvoices, fc.integer({ min: 1, max: 60_000 }), fc.constantFrom('tip' as const, 'charge' as const), (inv, amount, kind) => {
          const decision = decideLineAddition(inv, { kind, amount });
          expect(decision.ok).toBe(true);
          if (!decision.ok) return;
          const after = { ...inv, ...decision.effects };
          expect(after.status).toBe('open');
          expect(after.extrasTotal).toBe((inv.extrasTotal ?? 0) + amount);
          // The plan's money does not move: its total and what was paid for it.
          expect(planTotal(after)).toBe(planTotal(inv));
          expect(planPaid(after)).toBe(planPaid(inv));
        }),
      );
    });

    it('are removed only when not redeemed and nothing was paid, line_in_use first', () => {
      expect(decideLineRemoval(invoice(), { kind: 'service', amount: 12000, redeemed: false })).toEqual({ ok: true, effects: { total: 0, status: 'open', ...none } });
      expect(decideLineRemoval(invoice({ status: 'void' }), { kind: 'service', amount: 1, redeemed: true })).toEqual({ ok: false, rejected: 'line_in_use', detail: 'The line is redeemed' });
      expect(decideLineRemoval(invoice({ amountPaid: 1 }), { kind: 'tip', amount: 1, redeemed: false })).toEqual({ ok: false, rejected: 'line_in_use', detail: 'The invoice has payments' });
      expect(decideLineRemoval(invoice({ status: 'void' }), { kind: 'service', amount: 1, redeemed: false })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
    });

    it("a purchase invoice's extra is removed until payments reach the extras; its plan lines never", () => {
      // Plan 12000 paid, a 500 tip due: removing the tip pays the invoice.
      const tipped = invoice({ kind: 'package', total: 12500, amountPaid: 12000, extrasTotal: 500, extrasSubtotal: 500 });
      expect(decideLineRemoval(tipped, { kind: 'tip', amount: 500, redeemed: false })).toEqual({ ok: true, effects: { total: 12000, status: 'paid', ...none } });
      expect(decideLineRemoval({ ...tipped, amountPaid: 12001 }, { kind: 'tip', amount: 500, redeemed: false })).toMatchObject({ ok: false, rejected: 'line_in_use' });
      expect(decideLineRemoval({ ...tipped, amountPaid: 0 }, { kind: 'plan', amount: 12000, redeemed: false })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
      // Paid or not, a plan line is refused for what it is, not for the payments on its invoice.
      expect(decideLineRemoval({ ...tipped, amountPaid: 5000 }, { kind: 'plan', amount: 12000, redeemed: false })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
    });

    it('removing the last unredeemed line of an otherwise redeemed invoice pays it', () => {
      // 12000 redeemed + 3000 unredeemed: removing the 3000 leaves nothing due.
      expect(decideLineRemoval(invoice({ total: 15000, coveredAmount: 12000 }), { kind: 'service', amount: 3000, redeemed: false })).toEqual({
        ok: true,
        effects: { total: 12000, status: 'paid', ...none },
      });
    });
  });

  describe("a purchase invoice's plan money", () => {
    it('payments pay the plan first: plan paid = min(amountPaid, plan total)', () => {
      const inv = { total: 13130, amountPaid: 12000, extrasTotal: 1130 };
      expect(planTotal(inv)).toBe(12000);
      expect(planPaid(inv)).toBe(12000);
      expect(planPaid({ ...inv, amountPaid: 13000 })).toBe(12000);
      expect(planPaid({ ...inv, amountPaid: 5000 })).toBe(5000);
      expect(planSubtotal({ subtotal: 11000, extrasSubtotal: 1000 })).toBe(10000);
    });

    it('any sequence of payments and extras: the plan paid grows by each payment until the plan is paid, never past it', () => {
      fc.assert(
        fc.property(planInvoices, fc.array(fc.oneof(fc.record({ pay: fc.integer({ min: 1, max: 20_000 }) }), fc.record({ tip: fc.integer({ min: 1, max: 5_000 }) })), { maxLength: 12 }), (start, steps) => {
          let inv: InvoiceForLines = start;
          for (const step of steps) {
            const before = planPaid(inv);
            if ('tip' in step) {
              const d = decideLineAddition(inv, { kind: 'tip', amount: step.tip });
              if (!d.ok) return;
              inv = { ...inv, ...d.effects };
              expect(planPaid(inv)).toBe(before);
            } else {
              const d = decidePayment(inv, Math.min(step.pay, Math.max(1, balanceDue(inv))));
              if (!d.ok) continue;
              const paid = d.effects.amountPaid - inv.amountPaid;
              inv = { ...inv, ...d.effects };
              expect(planPaid(inv)).toBe(Math.min(planTotal(inv), before + paid));
            }
            expect(planPaid(inv)).toBeLessThanOrEqual(planTotal(inv));
            // Plan settled ⇔ its part is paid, whatever the extras owe; paid ⇒ settled.
            expect(planSettled(inv)).toBe(inv.amountPaid >= planTotal(inv));
            if (inv.status === 'paid') expect(planSettled(inv)).toBe(true);
          }
        }),
      );
    });

    it('a cycle invoice is settled by its status alone when its amounts are not given', () => {
      expect(planSettled({ status: 'paid' })).toBe(true);
      expect(planSettled({ status: 'open' })).toBe(false);
      expect(planSettled({ status: 'void', total: 0, amountPaid: 0 })).toBe(false);
      expect(planSettled({ status: 'open', total: 5500, amountPaid: 5000, extrasTotal: 500 })).toBe(true);
    });
  });

  describe('payments', () => {
    it('are refused on a void invoice and above the balance due', () => {
      expect(decidePayment(invoice({ status: 'void' }), 1)).toEqual({ ok: false, rejected: 'invoice_not_open', detail: 'The invoice is void' });
      expect(decidePayment(invoice({ amountPaid: 2000 }), 10001)).toEqual({ ok: false, rejected: 'overpayment', detail: 'The payment of 10001 exceeds the balance due of 10000' });
    });

    it('pay the invoice when they cover what is due, and never overpay', () => {
      fc.assert(
        fc.property(settled, fc.integer({ min: 1, max: 60_000 }), (inv, amount) => {
          const decision = decidePayment(inv, amount);
          if (amount > balanceDue(inv)) return void expect(decision).toMatchObject({ ok: false, rejected: 'overpayment' });
          expect(decision.ok).toBe(true);
          if (!decision.ok) return;
          expect(decision.effects.amountPaid).toBe(inv.amountPaid + amount);
          expect(balanceDue({ ...inv, amountPaid: decision.effects.amountPaid })).toBeGreaterThanOrEqual(0);
          expect(decision.effects.status).toBe(amount === balanceDue(inv) ? 'paid' : 'open');
        }),
      );
    });
  });

  describe('redeemedInvoice', () => {
    it('covers the line, or reprices it and pays it by package credit', () => {
      expect(redeemedInvoice(invoice(), { lineAmount: 12000, newLineAmount: 12000, coveredAmount: 12000, creditPayment: 0 })).toEqual({ total: 12000, coveredAmount: 12000, amountPaid: 0, status: 'paid' });
      expect(redeemedInvoice(invoice(), { lineAmount: 12000, newLineAmount: 10000, coveredAmount: 0, creditPayment: 10000 })).toEqual({ total: 10000, coveredAmount: 0, amountPaid: 10000, status: 'paid' });
      expect(redeemedInvoice(invoice({ total: 15000 }), { lineAmount: 12000, newLineAmount: 12000, coveredAmount: 12000, creditPayment: 0 })).toMatchObject({ status: 'open' });
    });

    it('lowers what is due by the line amount it had', () => {
      fc.assert(
        fc.property(settled, fc.nat(20_000), fc.nat(20_000), fc.boolean(), (inv, lineAmount, newLineAmount, insurance) => {
          fc.pre(lineAmount <= balanceDue(inv));
          const after = redeemedInvoice(inv, { lineAmount, newLineAmount: insurance ? newLineAmount : lineAmount, coveredAmount: insurance ? 0 : lineAmount, creditPayment: insurance ? newLineAmount : 0 });
          expect(balanceDue({ ...after, amountWrittenOff: inv.amountWrittenOff })).toBe(balanceDue(inv) - lineAmount);
        }),
      );
    });
  });
});
