import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, idem, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';
import { pdfText } from './pdf.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free local port, keeping what it receives. */
async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('latin1') });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A MIME message's headers (unfolded, lower-case names) and its parts, enough for nodemailer's output. */
function parseMime(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function mimeParts(raw: string) {
  const { headers, body } = parseMime(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return { headers, parts: [] };
  const parts = body.split(`--${boundary}`).slice(1, -1).map((p) => parseMime(p.replace(/^\r\n/, '')));
  return { headers, parts };
}

describe('receipts by e-mail (notifications queue, real SMTP server)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  let invoice: any;
  let patient: any;

  const email = (invoiceId: string, body: Record<string, unknown>, key = clinic.keys.front_desk) =>
    env.http().post(`/v1/invoices/${invoiceId}/receipt/email`).set(bearer(key)).set('Idempotency-Key', idem('mail')).set('Prefer', 'wait=10').send(body);

  /** Polls the command until the notifications queue has stored its message id. */
  async function sent(commandId: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const command = await f.get(`/v1/commands/${commandId}`);
      if (command.result?.messageId || command.result?.deliveryError) return command;
      if (Date.now() > deadline) throw new Error(`receipt e-mail of ${commandId} not sent: ${JSON.stringify(command)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    env = await startTestEnv({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'billing@harbourview.example' } });
    clinic = await createClinic(env, { name: 'Harbourview Massage Therapy' });
    f = new Fixtures(env, clinic);
    const massage = await f.service('Massage therapy, 60 min', 12000);
    const plan = await f.packagePlan(massage.id, 10, 100000, { name: '10 massages', insuranceFriendly: true });
    patient = await f.patient('Ada', 'Lovelace', { email: 'ada@example.com' });
    const pack = await f.paidPurchase(patient.id, plan.id);
    const { invoiceId, lineId } = await f.appointmentInvoice(patient.id, massage.id);
    expect((await f.redeem({ invoiceId, lineId, purchaseId: pack.id })).body).toMatchObject({ status: 'succeeded' });
    invoice = await f.get(`/v1/invoices/${invoiceId}`);
  });
  afterAll(async () => {
    await env?.close();
    await smtp?.close();
  });

  it('sends the receipt with its PDF to the address asked for, once, and stores the message id on the command', async () => {
    const res = await email(invoice.id, { to: 'claims@insurer.example' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'receipt_email', status: 'succeeded', request: { invoiceId: invoice.id, to: 'claims@insurer.example' }, result: { to: 'claims@insurer.example' } });
    const command = await sent(res.body.id);
    expect(command.result.messageId).toBe(`<${res.body.id}@127.0.0.1>`);

    const messages = smtp.received.filter((m) => m.to.includes('claims@insurer.example'));
    expect(messages).toHaveLength(1);
    const { headers, parts } = mimeParts(messages[0].raw);
    expect(headers['message-id']).toBe(command.result.messageId);
    expect(messages[0].from).toBe('billing@harbourview.example');
    expect(headers.subject).toBe(`Receipt #${invoice.number} from Harbourview Massage Therapy`);
    const attachment = parts.find((p) => /attachment/.test(p.headers['content-disposition'] ?? ''));
    expect(attachment?.headers['content-type']).toMatch(/^application\/pdf/);
    expect(attachment?.headers['content-disposition']).toContain(`filename=receipt-${invoice.number}.pdf`);
    const pdf = Buffer.from(attachment!.body.replace(/\s+/g, ''), 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [text] = await pdfText(pdf);
    expect(text).toContain(`Invoice no.: ${invoice.number}`);
    expect(text).toContain('Paid by package credit: 10 massages, visit 1 of 10');

    // A duplicated delivery of the notification job sends nothing more.
    const { Queue, QueueEvents } = await import('bullmq');
    const { bullConnection, NOTIFICATIONS_QUEUE, RECEIPT_EMAIL_JOB } = await import('@app/billing');
    const connection = bullConnection(env.config.REDIS_URL, 'worker');
    const queue = new Queue(NOTIFICATIONS_QUEUE, { connection, prefix: env.config.QUEUE_PREFIX });
    const events = new QueueEvents(NOTIFICATIONS_QUEUE, { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      await events.waitUntilReady();
      const again = await queue.add(RECEIPT_EMAIL_JOB, { commandId: res.body.id }, { jobId: `again-${res.body.id}` });
      expect(await again.waitUntilFinished(events, 10_000)).toBe('already_sent');
    } finally {
      await events.close();
      await queue.close();
    }
    expect(smtp.received.filter((m) => m.to.includes('claims@insurer.example'))).toHaveLength(1);
    expect((await f.get(`/v1/commands/${res.body.id}`)).result).toEqual(command.result);
  });

  it("sends to the patient's address when no `to` is given", async () => {
    const res = await email(invoice.id, {});
    expect(res.body).toMatchObject({ status: 'succeeded', result: { to: 'ada@example.com', messageId: null } });
    await sent(res.body.id);
    expect(smtp.received.filter((m) => m.to.includes('ada@example.com'))).toHaveLength(1);
  });

  it('refuses with no_email_address when neither the request nor the patient gives one, and sends nothing', async () => {
    const silent = await f.patient('Grace', 'Hopper');
    const blank = await f.visitInvoice(silent.id, (await f.service('Facial', 9000)).id);
    const before = smtp.received.length;
    const res = await email(blank.invoiceId, {});
    expect(res.body).toMatchObject({ type: 'receipt_email', status: 'rejected', error: { code: 'no_email_address', status: 422 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(before);
  });

  it('answers 400 for a malformed address, 404 for an unknown invoice, 403 to the online role', async () => {
    expect((await email(invoice.id, { to: 'not an address' })).body).toMatchObject({ code: 'validation_failed' });
    expect((await email('01900000-0000-7000-8000-000000000000', {})).status).toBe(404);
    expect((await email(invoice.id, {}, clinic.keys.online)).status).toBe(403);
  });
});

describe('receipts by e-mail without SMTP_URL', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('answers 503 email_not_configured and stores nothing', async () => {
    const clinic = await createClinic(env);
    const f = new Fixtures(env, clinic);
    const patient = await f.patient('Ada', 'Lovelace', { email: 'ada@example.com' });
    const { invoiceId } = await f.visitInvoice(patient.id, (await f.service()).id);
    const res = await env.http().post(`/v1/invoices/${invoiceId}/receipt/email`).set(bearer(clinic.keys.owner)).set('Idempotency-Key', idem('mail')).send({});
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'email_not_configured', status: 503 });
    const { rows } = await env.db.query(`select count(*)::int as n from command where type = 'receipt_email'`);
    expect(rows[0].n).toBe(0);
    const keys = await env.db.query(`select count(*)::int as n from idempotency_record`);
    expect(keys.rows[0].n).toBe(0);
  });
});
