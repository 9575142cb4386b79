import { usePipeline } from './pipeline.js';

// receipt_email in the billing pipeline decides the recipient and sends nothing (the
// notifications queue does, after commit: test/receipt-email.e2e-spec.ts).
describe('receipt_email handler against Postgres (integration)', () => {
  const t = usePipeline();

  it("succeeds with the address asked for, else the patient's, and no message id yet; writes no billing effect", async () => {
    const patientId = await t.seed.patient(t.clinicId);
    await t.db.query('update patient set email = $1 where id = $2', ['ada@example.com', patientId]);
    const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patientId, t.serviceId);
    const before = await t.seed.effectCounts();
    expect(await t.run(t.clinicId, 'receipt_email', { invoiceId, to: 'claims@insurer.example' })).toMatchObject({ status: 'succeeded', result: { to: 'claims@insurer.example', messageId: null } });
    expect(await t.run(t.clinicId, 'receipt_email', { invoiceId })).toMatchObject({ status: 'succeeded', result: { to: 'ada@example.com', messageId: null } });
    expect(await t.seed.effectCounts()).toEqual(before);
  });

  it('refuses no_email_address when the patient has none and none is asked for', async () => {
    const patientId = await t.seed.patient(t.clinicId);
    const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patientId, t.serviceId);
    expect(await t.run(t.clinicId, 'receipt_email', { invoiceId })).toMatchObject({ status: 'rejected', error: { code: 'no_email_address', status: 422 } });
  });

  it("is not stored for another clinic's invoice (the catalogue's requires)", async () => {
    const other = await t.seed.clinic();
    const patientId = await t.seed.patient(t.clinicId);
    const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patientId, t.serviceId);
    expect(await t.store(other, 'receipt_email', { invoiceId })).toEqual({ outcome: 'missing', missing: 'Invoice' });
  });
});
