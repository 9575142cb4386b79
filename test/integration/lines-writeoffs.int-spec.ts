import { randomUUID } from 'node:crypto';
import { usePipeline } from './pipeline.js';

// Issue 14 through the real handlers against Postgres: tip lines refused by redemptions, the patient
// portion read from the purchase balance, write-offs on cancel, and a retried command's one effect.
describe('tip lines, patient portions, write-offs and retries (integration)', () => {
  const t = usePipeline();
  const { one } = t;


  it('a tip line is service_not_covered, named purchase or not, and nothing is written', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId);
    const { invoiceId } = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
    const lineId = randomUUID();
    await t.db.query(`insert into invoice_line (id, clinic_id, invoice_id, kind, description, quantity, unit_price, amount) values ($1, $2, $3, 'tip', 'Tip', 1, 500, 500)`, [lineId, t.clinicId, invoiceId]);
    await t.db.query(`update invoice set total = total + 500, subtotal = subtotal + 500 where id = $1`, [invoiceId]);
    const before = await t.seed.effectCounts();
    for (const request of [{ invoiceId, lineId, purchaseId }, { invoiceId, lineId }]) {
      expect(await t.run(t.clinicId, 'redemption', request)).toMatchObject({ status: 'rejected', error: { code: 'service_not_covered' } });
    }
    expect(await t.seed.effectCounts()).toEqual(before);
  });

  it('a redemption covers the line less the balance’s patient portion × quantity', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
    await t.db.query('update purchase_balance set patient_portion = 2500 where purchase_id = $1', [purchaseId]);
    const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
    const command = await t.run(t.clinicId, 'redemption', { ...visit, purchaseId });
    expect(command).toMatchObject({ status: 'succeeded', result: { coveredAmount: 7_500 } });
    expect(await one('select status, covered_amount::int, amount_paid::int from invoice where id = $1', [visit.invoiceId])).toEqual({ status: 'open', covered_amount: 7_500, amount_paid: 0 });
    expect(await one('select covered_amount::int from invoice_line where id = $1', [visit.lineId])).toEqual({ covered_amount: 7_500 });
  });

  it('cancelling a package writes off a partly paid open instalment and voids an unpaid one', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId, invoiceId: prepaid } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { paid: false, price: 30_000 });
    // Turn the seeded package invoice into two instalments: one partly paid, one untouched.
    await t.db.query(`update invoice set kind = 'installment', installment_number = 1, total = 15000, subtotal = 15000, amount_paid = 4000 where id = $1`, [prepaid]);
    const second = randomUUID();
    await t.db.query(
      `insert into invoice (id, clinic_id, number, patient_id, kind, status, purchase_id, service_date, installment_number, subtotal, total)
       values ($1, $2, 9001, $3, 'installment', 'open', $4, current_date, 2, 15000, 15000)`,
      [second, t.clinicId, patient, purchaseId],
    );
    const command = await t.run(t.clinicId, 'cancellation', { purchaseId, reason: 'Moving' });
    expect(command).toMatchObject({ status: 'succeeded', result: { status: 'cancelled', voidedInvoices: 1 } });
    expect(await one('select status, amount_written_off::int, voided_at is null as not_voided from invoice where id = $1', [prepaid])).toEqual({ status: 'written_off', amount_written_off: 11_000, not_voided: true });
    expect(await one('select status, amount_written_off::int from invoice where id = $1', [second])).toEqual({ status: 'void', amount_written_off: 0 });
  });

  it('a failed command retried runs once more under its id: its effects once, attempts counting on', async () => {
    const { retryFailedCommand } = await import('@app/billing');
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId);
    const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
    await t.db.query(`create function cb_int_boom() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`);
    await t.db.query(`create trigger cb_int_boom before insert on ledger_entry for each row execute function cb_int_boom()`);
    const failed = await t.run(t.clinicId, 'redemption', { ...visit, purchaseId }).finally(async () => {
      await t.db.query('drop trigger cb_int_boom on ledger_entry');
      await t.db.query('drop function cb_int_boom()');
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });

    // A stand-in for the queue: the job it would add is run here by hand.
    const added: string[] = [];
    const queue = { getJob: async () => undefined, add: async (_name: string, data: { commandId: string }) => void added.push(data.commandId) } as never;
    expect(await retryFailedCommand(t.orm.em, queue, randomUUID(), failed.id)).toEqual({ ok: false, reason: 'not_found' });
    const retried = await retryFailedCommand(t.orm.em, queue, t.clinicId, failed.id);
    expect(retried).toMatchObject({ ok: true, command: { id: failed.id, status: 'queued', error: null } });
    expect(added).toEqual([failed.id]);
    expect(await retryFailedCommand(t.orm.em, queue, t.clinicId, failed.id)).toEqual({ ok: false, reason: 'not_retryable' });

    await t.runStored(failed.id);
    await t.runStored(failed.id);
    expect(await one('select status, attempts from command where id = $1', [failed.id])).toEqual({ status: 'succeeded', attempts: 2 });
    expect(await one('select count(*)::int as n from ledger_entry where command_id = $1', [failed.id])).toEqual({ n: 1 });
    expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 1 });
    expect(await retryFailedCommand(t.orm.em, queue, t.clinicId, failed.id)).toEqual({ ok: false, reason: 'not_retryable' });
  });
});
