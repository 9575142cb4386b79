import { BILLING_ERROR_CODES, accept, isBillingErrorCode, reject } from './errors.js';

describe('errors', () => {
  it('builds accepted and rejected decisions', () => {
    expect(accept({ n: 1 })).toEqual({ ok: true, effects: { n: 1 } });
    expect(reject('invoice_void')).toEqual({ ok: false, rejected: 'invoice_void' });
    expect(reject('overpayment', 'why')).toEqual({ ok: false, rejected: 'overpayment', detail: 'why' });
  });

  it('codes are unique snake_case strings', () => {
    expect(new Set(BILLING_ERROR_CODES).size).toBe(BILLING_ERROR_CODES.length);
    for (const code of BILLING_ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(isBillingErrorCode('payment_required')).toBe(true);
    expect(isBillingErrorCode('nope')).toBe(false);
  });
});
