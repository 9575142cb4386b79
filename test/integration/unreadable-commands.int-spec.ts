import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { usePipeline } from './pipeline.js';

// A stored command the worker cannot read (a type it does not know, a request of the wrong shape)
// is failed at once, in the attempt that found it, and BullMQ is told not to retry it.
describe('commands that cannot be read (integration)', () => {
  const t = usePipeline();

  const store = async (type: string, request: unknown) => {
    const id = randomUUID();
    await t.db.query(`insert into command (id, clinic_id, type, status, request, channel, attempts) values ($1, $2, $3, 'queued', $4, 'staff', 0)`, [id, t.clinicId, type, JSON.stringify(request)]);
    return id;
  };

  it.each([
    ['an unknown type', 'teleportation', { purchaseId: randomUUID() }],
    ['a redemption without its line', 'redemption', { invoiceId: randomUUID() }],
    ['a refund with an unknown method', 'refund', { purchaseId: randomUUID(), method: 'gold', reason: 'x' }],
    ['a transfer whose quantity is text', 'transfer', { purchaseId: randomUUID(), toPatientId: randomUUID(), serviceId: randomUUID(), quantity: 'two' }],
    ['a reconciliation whose asOf is not a date', 'reconciliation', { asOf: 'tomorrow' }],
    ['a request that is not an object', 'cancellation', ['purchaseId']],
  ])('fails %s at the first attempt, with UnrecoverableError', async (_, type, request) => {
    const id = await store(type, request);
    await expect(t.runStored(id)).rejects.toBeInstanceOf(UnrecoverableError);
    const { rows } = await t.db.query('select status, attempts, error, finished_at from command where id = $1', [id]);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'internal_error', status: 500 } });
    expect(rows[0].error.detail).toBe(`The command cannot be run: its request cannot be read; quote command id ${id} to support`);
    expect(rows[0].finished_at).not.toBeNull();
    // A redelivery finds it final and does nothing.
    expect(await t.runStored(id)).toBe('skipped');
  });
});
