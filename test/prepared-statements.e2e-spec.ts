import { startTestEnv, type TestEnv } from './harness.js';
import { createClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

// The hot path runs as named prepared statements, kept per connection. A migration that adds a
// column must not break them: they name their columns, so their results do not change.
describe('prepared statements across a migration (e2e)', () => {
  let env: TestEnv;
  let f: Fixtures;

  beforeAll(async () => {
    env = await startTestEnv();
    f = new Fixtures(env, await createClinic(env));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('keeps redeeming, with and without a purchase named, after columns are added to the tables they read', async () => {
    const massage = await f.service('Massage 60', 12000);
    const plan = await f.packagePlan(massage.id, 40, 400000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    // Enough redemptions, a few at a time, to prepare the statements on several pooled connections
    // and past the runs after which Postgres may keep a generic plan.
    const redeemBatch = async (n: number) => {
      const outcomes = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const visit = await f.visitInvoice(patient.id, massage.id);
          const res = await f.redeem(i % 2 === 0 ? { ...visit, purchaseId: purchase.id } : visit);
          return `${res.status} ${res.body.status ?? res.body.code}`;
        }),
      );
      return outcomes;
    };
    expect(new Set(await redeemBatch(12))).toEqual(new Set(['200 succeeded']));

    for (const table of ['command', 'purchase', 'invoice', 'invoice_line', 'clinic']) {
      await env.db.query(`alter table ${table} add column zz_added_later integer`);
    }
    expect(new Set(await redeemBatch(12))).toEqual(new Set(['200 succeeded']));
    const details = await f.get(`/v1/purchases/${purchase.id}`);
    expect(details.balances[0]).toMatchObject({ total: 40, used: 24 });
  });

  it('keeps reversing and voiding after columns are added to the tables they lock and read', async () => {
    const massage = await f.service('Massage 30', 8000);
    const plan = await f.packagePlan(massage.id, 40, 300000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    // Six redemptions, then three reversed and three invoices voided, at once: the corrections'
    // statements are prepared on several pooled connections before the columns come.
    const correctBatch = async () => {
      const redeemed = await Promise.all(Array.from({ length: 6 }, async () => {
        const visit = await f.visitInvoice(patient.id, massage.id);
        const res = await f.redeem({ ...visit, purchaseId: purchase.id });
        expect(res.body.status).toBe('succeeded');
        return { invoiceId: visit.invoiceId, redemptionId: res.body.id as string };
      }));
      const outcomes = await Promise.all(redeemed.map((r, i) =>
        i % 2 === 0 ? f.command(`/v1/redemptions/${r.redemptionId}/reversal`, { reason: 'Wrong visit' }) : f.command(`/v1/invoices/${r.invoiceId}/void`, { reason: 'Twice' })));
      // One attempt each: a statement whose result changed would fail and succeed only on a retry.
      return new Set(outcomes.map((res) => `${res.status} ${res.body.type} ${res.body.status ?? res.body.code} attempts=${res.body.attempts}`));
    };
    const expected = new Set(['200 reversal succeeded attempts=1', '200 invoice_void succeeded attempts=1']);
    expect(await correctBatch()).toEqual(expected);

    for (const table of ['command', 'purchase', 'invoice', 'invoice_line', 'ledger_entry', 'payment', 'service']) {
      await env.db.query(`alter table ${table} add column zz_added_for_corrections integer`);
    }
    expect(await correctBatch()).toEqual(expected);
    const details = await f.get(`/v1/purchases/${purchase.id}`);
    expect(details.balances[0]).toMatchObject({ total: 40, used: 0 });
  });
});
