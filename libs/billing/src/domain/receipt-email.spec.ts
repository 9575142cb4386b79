import { receiptRecipient } from './receipt-email.js';

describe('receiptRecipient', () => {
  it('sends to the address asked for, before the patient’s', () => {
    expect(receiptRecipient('insurer@example.com', 'ada@example.com')).toEqual({ ok: true, effects: { to: 'insurer@example.com' } });
  });

  it('falls back to the patient’s address', () => {
    expect(receiptRecipient(undefined, 'ada@example.com')).toEqual({ ok: true, effects: { to: 'ada@example.com' } });
    expect(receiptRecipient('  ', ' ada@example.com ')).toEqual({ ok: true, effects: { to: 'ada@example.com' } });
  });

  it('refuses with no_email_address when neither gives one', () => {
    expect(receiptRecipient(undefined, null)).toEqual({ ok: false, rejected: 'no_email_address' });
    expect(receiptRecipient('', '')).toEqual({ ok: false, rejected: 'no_email_address' });
  });
});
