import { randomUUID } from 'node:crypto';
import { startTestEnv, type TestEnv } from './harness.js';
import { createClinic, type TestClinic } from './helpers.js';

// A command row the worker cannot read (written by SQL: a type it does not know, a malformed
// request) is failed at its first attempt: BullMQ's UnrecoverableError, not five retries.
describe('unreadable commands through the queue (e2e)', () => {
  let env: TestEnv;
  let clinic: TestClinic;

  beforeAll(async () => {
    env = await startTestEnv({ env: { COMMAND_ATTEMPTS: '5' } });
    clinic = await createClinic(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it.each([
    ['an unknown type', 'teleportation', { purchaseId: randomUUID() }],
    ['a malformed request', 'redemption', { invoiceId: 'not-a-uuid', lineId: 42 }],
  ])('fails %s after one attempt, and the job is failed with one attempt made', async (_, type, request) => {
    const { Queue } = await import('bullmq');
    const { bullConnection, COMMANDS_QUEUE, enqueueCommand } = await import('@app/billing');
    const id = randomUUID();
    await env.db.query(`insert into command (id, clinic_id, type, status, request, channel, attempts) values ($1, $2, $3, 'queued', $4, 'staff', 0)`, [id, clinic.id, type, JSON.stringify(request)]);
    const queue = new Queue(COMMANDS_QUEUE, { connection: bullConnection(env.config.REDIS_URL, 'producer'), prefix: env.config.QUEUE_PREFIX });
    try {
      await enqueueCommand(queue, id, { attempts: 5, backoff: { type: 'fixed', delay: 50 } });
      for (let i = 0; i < 200 && (await queue.getJobState(id)) !== 'failed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await queue.getJobState(id)).toBe('failed');
      // Read the job only once it is failed: a copy read before could hold attemptsMade 0.
      const job = await queue.getJob(id);
      expect(job!.attemptsMade).toBe(1);
      const { rows } = await env.db.query('select status, attempts, error from command where id = $1', [id]);
      expect(rows[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'internal_error', detail: `The command cannot be run: its request cannot be read; quote command id ${id} to support` } });
    } finally {
      await queue.close();
    }
  });
});
