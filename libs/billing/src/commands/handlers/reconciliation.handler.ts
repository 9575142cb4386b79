import { isIsoDate } from '../../domain/dates.js';
import { reportReconciliationProgress } from '../../metrics/metrics.js';
import { requeueStrandedCommands } from '../requeue.js';
import { billMembershipCycles } from '../../reconciliation/membership-cycles.js';
import { expirePackages } from '../../reconciliation/package-expiry.js';
import { applyScheduledCancellations } from '../../reconciliation/scheduled-cancellations.js';
import { succeeded, type CommandHandler } from '../handler.js';

/**
 * The scheduled reconciliation of one clinic as of a date (billing-rules.md): bill membership
 * cycles, apply end-of-cycle cancellations, expire packages, count overdue invoices and re-queue
 * lost commands. It works in bounded batches of its own transactions (memory stays flat however
 * far asOf is) and is idempotent for a given asOf, so a run that dies half-way is simply run again.
 */
export const reconciliationHandler: CommandHandler<'reconciliation'> = {
  transactional: false,
  async handle({ em, command, request, clinic, today, reportProgress, commandsQueue }) {
    const asOf = request.asOf ?? today;
    // The API validated it; a bad date here is a bug, not a business refusal.
    if (!isIsoDate(asOf)) throw new Error(`reconciliation asOf is not a date: ${asOf}`);
    const phases = ['membership_cycles', 'cancellations', 'expiry', 'overdue', 'requeue', 'done'];
    const report = (phase: string, extra: Record<string, unknown> = {}) => {
      reportReconciliationProgress(clinic.id, phases.indexOf(phase), phases.length - 1);
      return reportProgress({ phase, asOf, ...extra });
    };

    await report('membership_cycles', { purchasesDone: 0, cycleInvoicesCreated: 0 });
    const cycles = await billMembershipCycles(em, clinic.id, asOf, command.id, (done) =>
      report('membership_cycles', { purchasesDone: done.purchases, cycleInvoicesCreated: done.invoicesCreated }),
    );
    await report('cancellations');
    const cancellations = await applyScheduledCancellations(em, clinic.id, asOf);
    await report('expiry');
    const expired = await expirePackages(em, clinic.id, asOf, command.id);
    await report('overdue');
    const overdue = await em.fork().execute<{ n: number }[]>(
      `select count(*) as n from invoice where clinic_id = ? and status = 'open' and kind in ('membership', 'installment') and due_date < ?`,
      [clinic.id, asOf],
    );
    await report('requeue');
    const requeued = commandsQueue
      ? await requeueStrandedCommands(em.fork(), commandsQueue, { olderThanMs: 5_000, limit: 10_000, clinicId: clinic.id, exceptId: command.id })
      : 0;
    const counts = {
      membershipsChecked: cycles.purchases,
      cycleInvoicesCreated: cycles.invoicesCreated,
      cancellationsApplied: cancellations,
      packagesExpired: expired,
      overdueInvoices: Number(overdue[0]?.n ?? 0),
      commandsRequeued: requeued,
    };
    await report('done', counts);
    return succeeded<'reconciliation'>({ asOf, counts });
  },
};
