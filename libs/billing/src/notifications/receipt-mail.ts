import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { ReceiptEmailRequest, ReceiptEmailResult } from '../commands/catalogue.js';
import { loadReceipt } from '../documents/receipt.js';
import { receiptFileName, receiptTitle, renderReceipt } from '../documents/render-receipt.js';
import { DocumentDates, moneyFormat } from '../documents/money-format.js';
import { enqueueReceiptEmail, receiptEmailJobId, type NotificationJobData } from './queue.js';

/** One message to send: what nodemailer's sendMail takes, reduced to what receipts use. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  fromName: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}
export type SendMail = (mail: OutgoingMail) => Promise<{ messageId: string }>;

export type DeliveryOutcome = 'sent' | 'already_sent' | 'nothing_to_send';

type CommandRow = { clinic_id: string; type: string; status: string; request: ReceiptEmailRequest; result: ReceiptEmailResult | null };

/**
 * Sends a succeeded receipt_email command's receipt once. The command row is locked for the
 * send, and a message id already stored means it was sent: a retried or duplicated job sends
 * nothing. If the process dies after the server accepted the mail but before the commit, the
 * retry sends it again with the same Message-ID (derived from the command), which mail systems
 * recognise as the same message: SMTP offers nothing stronger.
 */
export async function deliverReceiptEmail(em: EntityManager, send: SendMail, commandId: string, mailDomain: string): Promise<DeliveryOutcome> {
  return em.fork().transactional(async (tx) => {
    const [command] = await tx.execute<CommandRow[]>(`select clinic_id, type, status, request, result from command where id = ? for update`, [commandId]);
    if (!command || command.type !== 'receipt_email' || command.status !== 'succeeded' || !command.result) return 'nothing_to_send';
    if (command.result.messageId || command.result.deliveryError) return 'already_sent';
    const receipt = await loadReceipt(tx, command.clinic_id, command.request.invoiceId);
    if (!receipt) return 'nothing_to_send';
    const pdf = await renderReceipt(receipt);
    const money = moneyFormat(receipt.clinic.currency, receipt.clinic.locale);
    const dates = new DocumentDates(receipt.clinic.timezone, receipt.clinic.locale);
    const title = receiptTitle(receipt);
    const sent = await send({
      to: command.result.to,
      fromName: receipt.clinic.name,
      subject: `${title} #${receipt.invoice.number} from ${receipt.clinic.name}`,
      text: [
        `Hello ${receipt.patient.name},`,
        '',
        `Attached is ${title.toLowerCase()} #${receipt.invoice.number} from ${receipt.clinic.name}, for ${dates.date(receipt.invoice.serviceDate)}.`,
        `Total ${money(receipt.invoice.total)}; balance due ${money(receipt.invoice.balanceDue)}.`,
        '',
        receipt.clinic.name,
      ].join('\n'),
      messageId: `<${commandId}@${mailDomain}>`,
      attachments: [{ filename: receiptFileName(receipt), content: pdf, contentType: 'application/pdf' }],
    });
    await tx.execute(`update command set result = result || ?::jsonb where id = ?`, [JSON.stringify({ messageId: sent.messageId }), commandId]);
    return 'sent';
  });
}

/** Every try failed: say so on the command (generic; the reason is in the log), so no sweep retries it. */
export async function recordReceiptEmailFailure(em: EntityManager, commandId: string, attempts: number): Promise<void> {
  const detail: Pick<ReceiptEmailResult, 'deliveryError'> = { deliveryError: `The receipt could not be sent after ${attempts} attempts; quote command id ${commandId} to support` };
  await em.fork().execute(
    `update command set result = result || ?::jsonb where id = ? and type = 'receipt_email' and status = 'succeeded' and result->>'messageId' is null`,
    [JSON.stringify(detail), commandId],
  );
}

/**
 * Succeeded receipt_email commands not sent yet and with no live job (the worker missed the
 * commit's notification, crashed, or Redis lost the job): queue them again.
 */
export async function requeueUnsentReceiptEmails(em: EntityManager, queue: Queue<NotificationJobData>, options: { olderThanMs: number; limit: number }): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from command where type = 'receipt_email' and status = 'succeeded'
        and result->>'messageId' is null and result->>'deliveryError' is null
        and finished_at < now() - make_interval(secs => ?)
      order by finished_at limit ?`,
    [options.olderThanMs / 1000, options.limit],
  );
  let requeued = 0;
  for (const { id } of rows) {
    const job = await queue.getJob(receiptEmailJobId(id));
    const state = job ? await job.getState() : 'missing';
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
    if (job) await job.remove().catch(() => undefined);
    await enqueueReceiptEmail(queue, id);
    requeued += 1;
  }
  return requeued;
}
