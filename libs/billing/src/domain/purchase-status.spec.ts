import { expiresOnFor, isExhausted, isExpiredOn } from './purchase-status.js';

describe('purchase status helpers', () => {
  it('exhausted when every balance is 0', () => {
    expect(isExhausted([{ total: 2, used: 2, transferredOut: 0, transferredIn: 0 }, { total: 1, used: 0, transferredOut: 1, transferredIn: 0 }])).toBe(true);
    expect(isExhausted([{ total: 2, used: 1, transferredOut: 0, transferredIn: 0 }])).toBe(false);
    expect(isExhausted([])).toBe(false);
  });
  it('expiry is inclusive of expiresOn', () => {
    expect(expiresOnFor('2026-01-01', 30)).toBe('2026-01-30');
    expect(expiresOnFor('2026-01-01', null)).toBeNull();
    expect(isExpiredOn('2026-01-30', '2026-01-30')).toBe(false);
    expect(isExpiredOn('2026-01-30', '2026-01-31')).toBe(true);
    expect(isExpiredOn(null, '2999-01-01')).toBe(false);
  });
});
