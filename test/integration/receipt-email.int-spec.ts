import { startPipeline, Seed, type Pipeline } from './pipeline.js';

// receipt_email in the billing pipeline decides the recipient and sends nothing (the
// notifications queue does, after commit: test/receipt-email.e2e-spec.ts).
describe('receipt_email handler against Postgres (integration)', () => {
  let p: Pipeline;
  let seed: Seed;
  let clinicId: string;
  let serviceId: string;

  beforeAll(async () => {
    p = await startPipeline();
    seed = new Seed(p.db);
    clinicId = await seed.clinic();
    serviceId = await seed.service(clinicId);
  });
  afterAll(async () => {
    await p?.close();
  });

  it("succeeds with the address asked for, else the patient's, and no message id yet; writes no billing effect", async () => {
    const patientId = await seed.patient(clinicId);
    await p.db.query('update patient set email = $1 where id = $2', ['ada@example.com', patientId]);
    const { invoiceId } = await seed.visitInvoice(clinicId, patientId, serviceId);
    const before = await seed.effectCounts();
    expect(await p.run(clinicId, 'receipt_email', { invoiceId, to: 'claims@insurer.example' })).toMatchObject({ status: 'succeeded', result: { to: 'claims@insurer.example', messageId: null } });
    expect(await p.run(clinicId, 'receipt_email', { invoiceId })).toMatchObject({ status: 'succeeded', result: { to: 'ada@example.com', messageId: null } });
    expect(await seed.effectCounts()).toEqual(before);
  });

  it('refuses no_email_address when the patient has none and none is asked for', async () => {
    const patientId = await seed.patient(clinicId);
    const { invoiceId } = await seed.visitInvoice(clinicId, patientId, serviceId);
    expect(await p.run(clinicId, 'receipt_email', { invoiceId })).toMatchObject({ status: 'rejected', error: { code: 'no_email_address', status: 422 } });
  });

  it("is not stored for another clinic's invoice (the catalogue's requires)", async () => {
    const other = await seed.clinic();
    const patientId = await seed.patient(clinicId);
    const { invoiceId } = await seed.visitInvoice(clinicId, patientId, serviceId);
    expect(await p.store(other, 'receipt_email', { invoiceId })).toEqual({ outcome: 'missing', missing: 'Invoice' });
  });
});
