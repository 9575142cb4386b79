import fc from 'fast-check';
import { decideTransfer, type TransferRequest, type TransferState } from './transfer.js';
import type { PurchaseBalanceState } from './redemption.js';

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
const state = (over: Partial<TransferState> = {}): TransferState => ({
  kind: 'package',
  status: 'active',
  expiresOn: '2026-12-31',
  patientId: 'mom',
  familyId: 'fam',
  price: 100000,
  amountPaid: 100000,
  balances: [balance({ used: 6 })],
  ...over,
});
const request = (over: Partial<TransferRequest> = {}): TransferRequest => ({
  toPatientId: 'kid',
  toFamilyId: 'fam',
  serviceId: 'massage',
  quantity: 2,
  today: '2026-06-01',
  ...over,
});
const no = (rejected: string) => ({ ok: false, rejected });

describe('decideTransfer', () => {
  it('moves paid visits within a family', () => {
    expect(decideTransfer(state(), request())).toEqual({ ok: true, effects: { serviceId: 'massage', quantity: 2, exhausts: false } });
    expect(decideTransfer(state(), request({ quantity: 4 }))).toEqual({ ok: true, effects: { serviceId: 'massage', quantity: 4, exhausts: true } });
  });
  it('each refusal', () => {
    expect(decideTransfer(state({ kind: 'membership' }), request())).toEqual(no('membership_not_transferable'));
    expect(decideTransfer(state({ status: 'exhausted' }), request())).toEqual(no('purchase_not_active'));
    expect(decideTransfer(state({ status: 'expired' }), request())).toEqual(no('purchase_not_active'));
    expect(decideTransfer(state({ expiresOn: '2026-05-31' }), request())).toEqual(no('purchase_expired'));
    expect(decideTransfer(state({ expiresOn: '2026-06-01' }), request()).ok).toBe(true);
    expect(decideTransfer(state(), request({ toPatientId: 'mom' }))).toEqual(no('same_patient'));
    expect(decideTransfer(state(), request({ toFamilyId: 'other' }))).toEqual(no('not_same_family'));
    expect(decideTransfer(state(), request({ toFamilyId: null }))).toEqual(no('not_same_family'));
    expect(decideTransfer(state({ familyId: null }), request({ toFamilyId: null }))).toEqual(no('not_same_family'));
    expect(decideTransfer(state(), request({ serviceId: 'yoga' }))).toEqual(no('insufficient_balance'));
    expect(decideTransfer(state(), request({ quantity: 0 }))).toEqual(no('insufficient_balance'));
    expect(decideTransfer(state(), request({ quantity: 5 }))).toEqual(no('insufficient_balance'));
    // 70000 paid: 7 unlocked, 6 used: one paid visit can move.
    expect(decideTransfer(state({ amountPaid: 70000 }), request({ quantity: 2 }))).toEqual(no('payment_required'));
    expect(decideTransfer(state({ amountPaid: 70000 }), request({ quantity: 1 })).ok).toBe(true);
  });
  it('checks in the written order', () => {
    const bad = { kind: 'membership' as const, status: 'cancelled', expiresOn: '2020-01-01', familyId: null, amountPaid: 0 };
    expect(decideTransfer(state(bad), request({ toPatientId: 'mom', quantity: 99 }))).toEqual(no('membership_not_transferable'));
    expect(decideTransfer(state({ ...bad, kind: 'package' }), request({ toPatientId: 'mom', quantity: 99 }))).toEqual(no('purchase_not_active'));
    expect(decideTransfer(state({ ...bad, kind: 'package', status: 'active' }), request({ toPatientId: 'mom', quantity: 99 }))).toEqual(no('purchase_expired'));
    expect(decideTransfer(state({ familyId: null, amountPaid: 0 }), request({ toPatientId: 'mom', quantity: 99 }))).toEqual(no('same_patient'));
    expect(decideTransfer(state({ familyId: null, amountPaid: 0 }), request({ quantity: 99 }))).toEqual(no('not_same_family'));
    expect(decideTransfer(state({ amountPaid: 0 }), request({ quantity: 99 }))).toEqual(no('insufficient_balance'));
  });
  it('an accepted transfer never exceeds what is available (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 100000 }), fc.integer({ min: -1, max: 12 }), (used, paid, quantity) => {
        const d = decideTransfer(state({ amountPaid: paid, balances: [balance({ used })] }), request({ quantity }));
        if (d.ok) {
          expect(d.effects.quantity).toBeGreaterThanOrEqual(1);
          expect(used + d.effects.quantity).toBeLessThanOrEqual(Math.floor((10 * paid) / 100000));
        } else {
          expect('effects' in d).toBe(false);
        }
      }),
    );
  });
});
