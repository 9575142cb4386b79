import { randomUUID } from 'node:crypto';
import { usePipeline } from './pipeline.js';

// A busy worker runs several commands in one transaction (CommandRunner.runMany): each command
// still commits with its own effects and outcome, sees the ones before it, and a command that
// cannot share a transaction costs the others nothing but a rerun alone.
describe('commands sharing one transaction (integration)', () => {
  const t = usePipeline();
  const { one } = t;
  // The transaction that last wrote each command row.
  const writers = async (ids: readonly string[]) =>
    (await t.db.query<{ id: string; xmin: string }>('select id, xmin::text from command where id = any($1)', [ids])).rows.map((r) => r.xmin);

  it('commits several commands together, each seeing the effects of the ones before it', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 2 });
    const visits = [await t.seed.visitInvoice(t.clinicId, patient, t.serviceId), await t.seed.visitInvoice(t.clinicId, patient, t.serviceId), await t.seed.visitInvoice(t.clinicId, patient, t.serviceId)];
    const ids = [];
    for (const visit of visits) ids.push(await t.submit(t.clinicId, 'redemption', { ...visit, purchaseId }));

    const outcomes = await t.runMany(ids);

    expect(outcomes).toEqual([{ status: 'fulfilled', value: 'succeeded' }, { status: 'fulfilled', value: 'succeeded' }, { status: 'fulfilled', value: 'rejected' }]);
    expect(new Set(await writers(ids)).size).toBe(1);
    // The third found the package exhausted by the second, in the same transaction.
    expect(await one('select status, error from command where id = $1', [ids[2]])).toMatchObject({ status: 'rejected', error: { code: 'purchase_not_active' } });
    expect(await one('select used, status from purchase_balance b join purchase p on p.id = b.purchase_id where p.id = $1', [purchaseId])).toEqual({ used: 2, status: 'exhausted' });
    expect(await one(`select count(*)::int as n from ledger_entry where purchase_id = $1 and type = 'redeemed'`, [purchaseId])).toEqual({ n: 2 });
    expect(await one('select status from invoice where id = $1', [visits[2].invoiceId])).toEqual({ status: 'open' });
  });

  it('skips a command that is final already, and a second delivery of one in the same transaction', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
    const done = await t.run(t.clinicId, 'redemption', { ...(await t.seed.visitInvoice(t.clinicId, patient, t.serviceId)), purchaseId });
    const next = await t.submit(t.clinicId, 'redemption', { ...(await t.seed.visitInvoice(t.clinicId, patient, t.serviceId)), purchaseId });

    expect(await t.runMany([done.id, next, next])).toEqual([{ status: 'fulfilled', value: 'skipped' }, { status: 'fulfilled', value: 'succeeded' }, { status: 'fulfilled', value: 'skipped' }]);
    expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 2 });
    expect(await one('select attempts from command where id = $1', [done.id])).toEqual({ attempts: 1 });
  });

  it('rolls back the whole transaction for a command that cannot share it, then runs each alone: each is final once', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
    const before = await t.submit(t.clinicId, 'redemption', { ...(await t.seed.visitInvoice(t.clinicId, patient, t.serviceId)), purchaseId });
    const unreadable = randomUUID();
    await t.db.query(`insert into command (id, clinic_id, type, status, request, channel, attempts) values ($1, $2, 'teleportation', 'queued', '{}', 'staff', 0)`, [unreadable, t.clinicId]);
    const after = await t.submit(t.clinicId, 'redemption', { ...(await t.seed.visitInvoice(t.clinicId, patient, t.serviceId)), purchaseId });

    const outcomes = await t.runMany([before, unreadable, after]);

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'succeeded' });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { name: 'UnrecoverableError' } });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 'succeeded' });
    const rows = await t.db.query('select id, status, attempts from command where id = any($1) order by id', [[before, unreadable, after]]);
    // One attempt each: the rolled-back shared transaction counted none.
    expect(rows.rows.map(({ status, attempts }) => ({ status, attempts })).sort((a, b) => a.status.localeCompare(b.status))).toEqual([
      { status: 'failed', attempts: 1 },
      { status: 'succeeded', attempts: 1 },
      { status: 'succeeded', attempts: 1 },
    ]);
    expect(new Set(await writers([before, unreadable, after])).size).toBe(3);
    expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 2 });
    expect(await one(`select count(*)::int as n from ledger_entry where purchase_id = $1 and type = 'redeemed'`, [purchaseId])).toEqual({ n: 2 });
  });

  it('runs a deadlock victim again at once, without counting an attempt', async () => {
    const patient = await t.seed.patient(t.clinicId);
    const { purchaseId } = await t.seed.packagePurchase(t.clinicId, patient, t.serviceId, { visits: 5 });
    const visit = await t.seed.visitInvoice(t.clinicId, patient, t.serviceId);
    const id = await t.submit(t.clinicId, 'redemption', { ...visit, purchaseId });
    // Another transaction holds the invoice; the redemption locks the purchase, then waits for the invoice.
    const other = await t.db.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from invoice where id = $1 for update', [visit.invoiceId]);
      const running = t.runStored(id);
      for (let i = 0; i < 100; i++) {
        const { rows } = await t.db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Now the other wants the purchase: a deadlock, whose victim is the redemption (it waited first).
      await other.query('select 1 from purchase where id = $1 for update', [purchaseId]);
      await other.query('commit');
      expect(await running).toBe('succeeded');
    } finally {
      other.release();
    }
    expect(await one('select status, attempts from command where id = $1', [id])).toEqual({ status: 'succeeded', attempts: 1 });
    expect(await one('select used from purchase_balance where purchase_id = $1', [purchaseId])).toEqual({ used: 1 });
  });
});
