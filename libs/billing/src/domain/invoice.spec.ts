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
    it('are added to open and paid service invoices; a paid one reopens while anything is due', () => {
      expect(decideLineAddition(invoice(), { amount: 500 })).toEqual({ ok: true, effects: { total: 12500, status: 'open' } });
      // A tip after the visit was redeemed: the paid invoice owes the tip.
      expect(decideLineAddition(invoice({ status: 'paid', coveredAmount: 12000 }), { amount: 500 })).toEqual({ ok: true, effects: { total: 12500, status: 'open' } });
      fc.assert(
        fc.property(settled, fc.integer({ min: 1, max: 60_000 }), (inv, amount) => {
          const decision = decideLineAddition({ ...inv, kind: 'service' }, { amount });
          expect(decision).toEqual({ ok: true, effects: { total: inv.total + amount, status: 'open' } });
        }),
      );
    });

    it('are refused on a void invoice first (invoice_void), then on purchase and written-off invoices', () => {
      expect(decideLineAddition(invoice({ status: 'void', kind: 'package' }), { amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_void' });
      expect(decideLineAddition(invoice({ status: 'written_off', kind: 'installment' }), { amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
      expect(decideLineAddition(invoice({ status: 'written_off' }), { amount: 500 })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
      expect(decideLineAddition(invoice({ kind: 'package' }), { amount: 500 })).toMatchObject({
        ok: false,
        rejected: 'invoice_not_open',
        detail: 'Lines can be added to open service invoices only (this one is a open package invoice)',
      });
    });

    it('are removed only when not redeemed and nothing was paid, line_in_use first', () => {
      expect(decideLineRemoval(invoice(), { amount: 12000, redeemed: false })).toEqual({ ok: true, effects: { total: 0, status: 'open' } });
      expect(decideLineRemoval(invoice({ status: 'void' }), { amount: 1, redeemed: true })).toEqual({ ok: false, rejected: 'line_in_use', detail: 'The line is redeemed' });
      expect(decideLineRemoval(invoice({ amountPaid: 1 }), { amount: 1, redeemed: false })).toEqual({ ok: false, rejected: 'line_in_use', detail: 'The invoice has payments' });
      expect(decideLineRemoval(invoice({ status: 'void' }), { amount: 1, redeemed: false })).toMatchObject({ ok: false, rejected: 'invoice_not_open' });
    });

    it('removing the last unredeemed line of an otherwise redeemed invoice pays it', () => {
      // 12000 redeemed + 3000 unredeemed: removing the 3000 leaves nothing due.
      expect(decideLineRemoval(invoice({ total: 15000, coveredAmount: 12000 }), { amount: 3000, redeemed: false })).toEqual({ ok: true, effects: { total: 12000, status: 'paid' } });
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
