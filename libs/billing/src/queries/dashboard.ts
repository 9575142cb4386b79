import type { EntityManager } from '@mikro-orm/postgresql';
import { daysBetween, type IsoDate } from '../domain/dates.js';
import { Command } from '../entities/command.entity.js';
import { commandResource, type CommandResource } from '../commands/command-store.js';

export interface DashboardInvoiceItem {
  invoiceId: string;
  number: number;
  patientId: string;
  patientName: string;
  purchaseId: string;
  planName: string;
  amount: number;
  balanceDue: number;
  dueDate: IsoDate;
  daysOverdue: number;
}

export interface ActivityItem {
  at: string;
  commandId: string;
  type: Command['type'];
  status: Command['status'];
  summary: string;
  /** What it touched, for clients to link and format themselves. */
  purchaseId?: string;
  invoiceId?: string;
  amount?: number;
  quantity?: number;
  code?: string;
}

export interface DashboardView {
  asOf: IsoDate;
  unpaidMembershipInvoices: DashboardInvoiceItem[];
  overdueInstallments: DashboardInvoiceItem[];
  failedCommands: CommandResource[];
  recentActivity: ActivityItem[];
  counts: {
    unpaidMembershipInvoices: number;
    overdueInstallments: number;
    failedCommands: number;
    queuedCommands: number;
    runningCommands: number;
    activePurchases: number;
  };
}

/** A safety cap on each invoice list; `counts` always gives the full numbers. */
export const DASHBOARD_LIST_LIMIT = 1000;
const ACTIVITY_LIMIT = 50;

/**
 * GET /v1/dashboard: open membership and instalment invoices due on or before `asOf`, most
 * overdue first (each list one range scan of the (clinic, kind, status, due date) index), failed commands and
 * recent activity.
 */
export async function dashboardView(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<DashboardView> {
  const [memberships, installments, counts, failed, recent] = await Promise.all([
    dueInvoices(em, clinicId, 'membership', asOf),
    dueInvoices(em, clinicId, 'installment', asOf),
    em.execute<Record<string, number>[]>(
      `select
         (select count(*) from invoice where clinic_id = ? and kind = 'membership' and status = 'open' and due_date <= ?) as unpaid_membership_invoices,
         (select count(*) from invoice where clinic_id = ? and kind = 'installment' and status = 'open' and due_date <= ?) as overdue_installments,
         (select count(*) from command where clinic_id = ? and status = 'failed') as failed_commands,
         (select count(*) from command where clinic_id = ? and status = 'queued') as queued_commands,
         (select count(*) from command where clinic_id = ? and status = 'running') as running_commands,
         (select count(*) from purchase where clinic_id = ? and status = 'active' and deleted_at is null) as active_purchases`,
      [clinicId, asOf, clinicId, asOf, clinicId, clinicId, clinicId, clinicId],
    ),
    em.find(Command, { clinicId, status: 'failed' }, { orderBy: { id: 'desc' }, limit: ACTIVITY_LIMIT }),
    em.find(Command, { clinicId, status: { $in: ['succeeded', 'rejected', 'failed'] } }, { orderBy: { finishedAt: 'desc' }, limit: ACTIVITY_LIMIT }),
  ]);
  const c = counts[0];
  return {
    asOf,
    unpaidMembershipInvoices: memberships,
    overdueInstallments: installments,
    failedCommands: failed.map(commandResource),
    recentActivity: recent.map(activityItem),
    counts: {
      unpaidMembershipInvoices: Number(c.unpaid_membership_invoices),
      overdueInstallments: Number(c.overdue_installments),
      failedCommands: Number(c.failed_commands),
      queuedCommands: Number(c.queued_commands),
      runningCommands: Number(c.running_commands),
      activePurchases: Number(c.active_purchases),
    },
  };
}

async function dueInvoices(em: EntityManager, clinicId: string, kind: 'membership' | 'installment', asOf: IsoDate): Promise<DashboardInvoiceItem[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select i.id, i.number, i.patient_id, p.first_name || ' ' || p.last_name as patient_name, i.purchase_id, pu.plan_name,
            i.total, i.total - i.covered_amount - i.amount_paid - i.amount_written_off as balance_due, i.due_date::text as due_date
       from invoice i
       join patient p on p.id = i.patient_id
       join purchase pu on pu.id = i.purchase_id
      where i.clinic_id = ? and i.kind = ? and i.status = 'open' and i.due_date <= ?
      order by i.due_date asc, i.number asc
      limit ?`,
    [clinicId, kind, asOf, DASHBOARD_LIST_LIMIT],
  );
  return rows.map((r) => ({
    invoiceId: r.id as string,
    number: Number(r.number),
    patientId: r.patient_id as string,
    patientName: r.patient_name as string,
    purchaseId: r.purchase_id as string,
    planName: r.plan_name as string,
    amount: Number(r.total),
    balanceDue: Number(r.balance_due),
    dueDate: r.due_date as IsoDate,
    daysOverdue: daysBetween(r.due_date as IsoDate, asOf),
  }));
}

function activityItem(command: Command): ActivityItem {
  const result = (command.result ?? {}) as Record<string, unknown>;
  const request = command.request as Record<string, unknown>;
  const quantity = typeof result.quantity === 'number' ? result.quantity : undefined;
  const amount = typeof result.amount === 'number' ? result.amount : undefined;
  const summary =
    command.status === 'succeeded'
      ? {
          redemption: `Redeemed ${quantity ?? 1} visit(s)`,
          cancellation: `Cancelled a purchase${result.status === 'active' ? ` from ${String(result.cancelAt)}` : ''}`,
          refund: 'Refunded a purchase',
          transfer: `Transferred ${quantity ?? ''} visit(s) to a family member`,
          reconciliation: `Reconciled as of ${String(result.asOf ?? '')}`,
          reversal: `Reversed a redemption of ${quantity ?? 1} visit(s)`,
          invoice_void: 'Voided an invoice',
          invoice_refund: 'Refunded an invoice',
          appointment_cancellation: 'Cancelled an appointment',
          extension: `Extended a package to ${String(result.expiresOn ?? '')}`,
          pause: 'Paused a membership',
          resume: 'Resumed a membership',
          receipt_email: `E-mailed a receipt to ${String(result.to ?? '')}`,
        }[command.type]
      : `${command.type} ${command.status}: ${command.error?.title ?? command.error?.code ?? ''}`;
  const purchaseId = (result.purchaseId ?? request.purchaseId) as string | undefined;
  const invoiceId = (result.invoiceId ?? request.invoiceId) as string | undefined;
  return {
    at: (command.finishedAt ?? command.createdAt).toISOString(),
    commandId: command.id,
    type: command.type,
    status: command.status,
    summary,
    ...(purchaseId ? { purchaseId } : {}),
    ...(invoiceId ? { invoiceId } : {}),
    ...(amount !== undefined ? { amount } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(command.error?.code ? { code: command.error.code } : {}),
  };
}
