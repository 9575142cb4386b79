import fc from 'fast-check';
import { addDays } from './dates.js';
import { decideExtension, type ExtensionState } from './extension.js';

const state = (over: Partial<ExtensionState> = {}): ExtensionState => ({ kind: 'package', status: 'active', expiresOn: '2026-03-31', ...over });
const today = '2026-04-10';

describe('decideExtension', () => {
  it('refuses in the written order: no expiry or a membership, cancelled or exhausted, not later', () => {
    expect(decideExtension(state({ kind: 'membership', status: 'cancelled', expiresOn: null }), { expiresOn: '2026-01-01', today })).toEqual({ ok: false, rejected: 'not_extendable' });
    expect(decideExtension(state({ expiresOn: null, status: 'cancelled' }), { expiresOn: '2026-01-01', today })).toEqual({ ok: false, rejected: 'not_extendable' });
    for (const status of ['cancelled', 'exhausted'] as const) {
      expect(decideExtension(state({ status }), { expiresOn: '2026-01-01', today })).toEqual({ ok: false, rejected: 'purchase_not_active' });
    }
    expect(decideExtension(state(), { expiresOn: '2026-03-31', today })).toEqual({ ok: false, rejected: 'extension_not_later' });
    expect(decideExtension(state(), { expiresOn: '2026-03-30', today })).toEqual({ ok: false, rejected: 'extension_not_later' });
  });

  it('moves the expiry of an active package; status unchanged', () => {
    expect(decideExtension(state(), { expiresOn: '2026-04-01', today: '2026-03-01' })).toEqual({
      ok: true,
      effects: { previousExpiresOn: '2026-03-31', expiresOn: '2026-04-01', status: null, history: { type: 'extended' } },
    });
  });

  it('an expired package is active again when the new expiry is today or later, and stays expired otherwise', () => {
    expect(decideExtension(state({ status: 'expired' }), { expiresOn: today, today })).toMatchObject({ ok: true, effects: { status: 'active' } });
    expect(decideExtension(state({ status: 'expired' }), { expiresOn: '2026-04-09', today })).toMatchObject({ ok: true, effects: { expiresOn: '2026-04-09', status: null } });
  });

  it('accepts exactly the later dates, and revives exactly when the new date is not past (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -400, max: 400 }), fc.constantFrom('active', 'expired'), (shift, todayShift, status) => {
        const expiresOn = addDays('2026-03-31', shift);
        const now = addDays('2026-03-31', todayShift);
        const d = decideExtension(state({ status }), { expiresOn, today: now });
        expect(d.ok).toBe(shift > 0);
        if (d.ok) expect(d.effects.status).toBe(status === 'expired' && expiresOn >= now ? 'active' : null);
      }),
    );
  });

  it('a date that is not on the calendar is a programming error (the API validates first)', () => {
    expect(() => decideExtension(state(), { expiresOn: '2026-02-30', today })).toThrow(RangeError);
  });
});
