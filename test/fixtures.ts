import type { TestEnv } from './harness.js';
import { bearer, idem, type TestClinic } from './helpers.js';

/** Builds a clinic's catalogue, patients and sales through the API, as staff would. */
export class Fixtures {
  constructor(
    readonly env: TestEnv,
    readonly clinic: TestClinic,
  ) {}

  private post(path: string, body: unknown, key = this.clinic.keys.owner) {
    return this.env.http().post(path).set(bearer(key)).send(body as object);
  }

  private async created<T = any>(path: string, body: unknown, key?: string): Promise<T> {
    const res = await this.post(path, body, key);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  service(name = 'Massage 60', price = 12000) {
    return this.created('/v1/services', { name, price });
  }

  plan(body: Record<string, unknown>) {
    return this.created('/v1/plans', { name: 'Plan', ...body });
  }

  packagePlan(serviceId: string, quantity: number, price: number, extra: Record<string, unknown> = {}) {
    return this.plan({ kind: 'package', name: `${quantity} visits`, price, items: [{ serviceId, quantity }], ...extra });
  }

  membershipPlan(serviceId: string, perCycle: number, price: number, extra: Record<string, unknown> = {}) {
    return this.plan({ kind: 'membership', name: `Membership ${perCycle}/month`, price, billingInterval: 'month', items: [{ serviceId, quantity: perCycle }], ...extra });
  }

  patient(firstName = 'Ada', lastName = 'Lovelace', extra: Record<string, unknown> = {}) {
    return this.created('/v1/patients', { firstName, lastName, ...extra });
  }

  purchase(patientId: string, planId: string, extra: Record<string, unknown> = {}) {
    return this.created(`/v1/patients/${patientId}/purchases`, { planId, ...extra });
  }

  async pay(invoiceId: string, amount: number, method = 'card') {
    return this.created(`/v1/invoices/${invoiceId}/payments`, { amount, method });
  }

  /** Buys a plan and pays all of its invoices. */
  async paidPurchase(patientId: string, planId: string, extra: Record<string, unknown> = {}) {
    const purchase = await this.purchase(patientId, planId, extra);
    for (const invoice of purchase.invoices) if (invoice.total > 0) await this.pay(invoice.id, invoice.total);
    return this.get(`/v1/purchases/${purchase.id}`);
  }

  async get<T = any>(path: string, key = this.clinic.keys.owner): Promise<T> {
    const res = await this.env.http().get(path).set(bearer(key));
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  /** A blank invoice with one line; returns { invoice, lineId }. */
  async visitInvoice(patientId: string, serviceId: string, quantity = 1) {
    const invoice = await this.created('/v1/invoices', { patientId });
    const line = await this.created(`/v1/invoices/${invoice.id}/lines`, { serviceId, quantity });
    return { invoiceId: invoice.id as string, lineId: line.id as string };
  }

  /** An appointment and its invoice; returns { invoiceId, lineId }. */
  async appointmentInvoice(patientId: string, serviceId: string, startsAt = new Date().toISOString()) {
    const appointment = await this.created('/v1/appointments', { patientId, serviceId, startsAt });
    const invoice = await this.created(`/v1/appointments/${appointment.id}/invoice`, {});
    return { invoiceId: invoice.id as string, lineId: invoice.lines[0].id as string, appointmentId: appointment.id as string };
  }

  /** Posts a redemption and waits for its outcome. */
  redeem(body: Record<string, unknown>, options: { key?: string; idempotencyKey?: string; wait?: number } = {}) {
    return this.env
      .http()
      .post('/v1/redemptions')
      .set(bearer(options.key ?? this.clinic.keys.front_desk))
      .set('Idempotency-Key', options.idempotencyKey ?? idem('redeem'))
      .set('Prefer', `wait=${options.wait ?? 10}`)
      .send(body);
  }

  /** Posts a command (billing key by default) and waits for its outcome. */
  command(path: string, body: Record<string, unknown>, options: { key?: string; idempotencyKey?: string; wait?: number } = {}) {
    return this.env
      .http()
      .post(path)
      .set(bearer(options.key ?? this.clinic.keys.billing))
      .set('Idempotency-Key', options.idempotencyKey ?? idem('cmd'))
      .set('Prefer', `wait=${options.wait ?? 10}`)
      .send(body);
  }

  family(name = 'Lovelace') {
    return this.created('/v1/families', { name });
  }

  /** Queues the same command's job once more (as a redelivery would) and waits for it. */
  async redeliver(commandId: string): Promise<unknown> {
    const { Queue, QueueEvents } = await import('bullmq');
    const { bullConnection, COMMANDS_QUEUE, enqueueCommand } = await import('@app/billing');
    const connection = bullConnection(this.env.config.REDIS_URL, 'worker');
    const queue = new Queue(COMMANDS_QUEUE, { connection, prefix: this.env.config.QUEUE_PREFIX });
    const events = new QueueEvents(COMMANDS_QUEUE, { connection, prefix: this.env.config.QUEUE_PREFIX });
    try {
      await events.waitUntilReady();
      const job = await enqueueCommand(queue, commandId, { jobId: `${commandId}-again-${Date.now()}` });
      return await job.waitUntilFinished(events, 10_000);
    } finally {
      await events.close();
      await queue.close();
    }
  }

  /** Counts of every effect table, to show that something changed nothing. */
  async effectCounts() {
    const { rows } = await this.env.db.query(
      `select (select count(*) from ledger_entry)::int as ledger, (select count(*) from payment)::int as payments,
              (select count(*) from purchase)::int as purchases, (select count(*) from invoice where status = 'void')::int as voided,
              (select coalesce(sum(used + transferred_out + transferred_in), 0) from purchase_balance)::int as moved`,
    );
    return rows[0];
  }

  /** Waits until a command is final (polling, as a client would). */
  async waitForCommand(id: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const command = await this.get(`/v1/commands/${id}`);
      if (['succeeded', 'rejected', 'failed'].includes(command.status)) return command;
      if (Date.now() > deadline) throw new Error(`command ${id} still ${command.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
