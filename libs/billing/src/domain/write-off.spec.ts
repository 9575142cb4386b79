import fc from 'fast-check';
import { balanceDue } from './invoice.js';
import { closeInstallmentsOnCancel, type CancelledPackageInvoice } from './write-off.js';

const inv = (over: Partial<CancelledPackageInvoice> = {}): CancelledPackageInvoice => ({ id: 'i', kind: 'installment', status: 'open', total: 25000, coveredAmount: 0, amountPaid: 0, ...over });

describe('closeInstallmentsOnCancel', () => {
  it('voids an unpaid instalment, writes off the rest of a partly paid one, leaves the others', () => {
    expect(
      closeInstallmentsOnCancel([
        inv({ id: 'paid', status: 'paid', amountPaid: 25000 }),
        inv({ id: 'partly', amountPaid: 10000 }),
        inv({ id: 'unpaid' }),
        inv({ id: 'void', status: 'void' }),
        inv({ id: 'pkg', kind: 'package' }),
      ]),
    ).toEqual([
      { invoiceId: 'partly', status: 'written_off', amountWrittenOff: 15000 },
      { invoiceId: 'unpaid', status: 'void', amountWrittenOff: 0 },
    ]);
  });

  it('a written-off instalment owes nothing, and keeps every cent received (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat(100_000), (total, paidRaw) => {
        const amountPaid = paidRaw % total; // partly paid or unpaid: still open
        const [closure] = closeInstallmentsOnCancel([inv({ total, amountPaid })]);
        expect(closure.status).toBe(amountPaid === 0 ? 'void' : 'written_off');
        if (closure.status === 'written_off') {
          expect(closure.amountWrittenOff).toBe(total - amountPaid);
          expect(balanceDue({ total, coveredAmount: 0, amountPaid, amountWrittenOff: closure.amountWrittenOff })).toBe(0);
        } else {
          expect(closure.amountWrittenOff).toBe(0);
        }
      }),
    );
  });
});
