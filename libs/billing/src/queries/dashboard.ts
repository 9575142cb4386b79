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

/**
 * The cards as of the end of `asOf` in the clinic's time zone. While that day is not over (today,
 * or a later day) they are the live counts by status. For a past day the statuses are read back
 * from timestamps: failed = finished failed by then; queued = created, not started and not finished
 * by then; running = started and not finished by then; active = started by that day, not expired
 * on it, and not cancelled, refunded or expired by its end (by the purchase's ledger).
 */
const COUNTS_SQL = `
with c as (
  select cl.id as clinic_id, ?::date as as_of, ((?::date + 1)::timestamp at time zone cl.timezone) as day_end
  from clinic cl where cl.id = ?::uuid),
l as (select c.*, c.day_end > now() as live from c),
closing as (select e.purchase_id, min(e.created_at) as at from ledger_entry e, l
  where e.clinic_id = l.clinic_id and e.type in ('cancelled', 'refunded', 'expired') and not l.live group by 1)
select
  (select count(*) from invoice i, l where i.clinic_id = l.clinic_id and i.kind = 'membership' and i.status = 'open' and i.due_date <= l.as_of) as unpaid_membership_invoices,
  (select count(*) from invoice i, l where i.clinic_id = l.clinic_id and i.kind = 'installment' and i.status = 'open' and i.due_date <= l.as_of) as overdue_installments,
  (select count(*) from command m, l where m.clinic_id = l.clinic_id and m.status = 'failed' and (l.live or m.finished_at < l.day_end)) as failed_commands,
  (select count(*) from command m, l where m.clinic_id = l.clinic_id and case when l.live then m.status = 'queued'
      else m.created_at < l.day_end and (m.started_at is null or m.started_at >= l.day_end) and (m.finished_at is null or m.finished_at >= l.day_end) end) as queued_commands,
  (select count(*) from command m, l where m.clinic_id = l.clinic_id and case when l.live then m.status = 'running'
      else m.started_at < l.day_end and (m.finished_at is null or m.finished_at >= l.day_end) end) as running_commands,
  (select count(*) from purchase p cross join l left join closing on closing.purchase_id = p.id
    where p.clinic_id = l.clinic_id and p.deleted_at is null and case when l.live then p.status = 'active'
      else p.created_at < l.day_end and p.start_date <= l.as_of and (p.expires_on is null or p.expires_on >= l.as_of)
           and (closing.at is null or closing.at >= l.day_end) and (p.status = 'active' or closing.at is not null) end) as active_purchases`;

/** A safety cap on each invoice list; `counts` always gives the full numbers. */
export const DASHBOARD_LIST_LIMIT = 1000;
const ACTIVITY_LIMIT = 50;

/**
 * GET /v1/dashboard: open membership and instalment invoices due on or before `asOf`, most
 * overdue first (each list one range scan of the (clinic, kind, status, due date) index), failed commands and
 * recent activity.
 */
export async function dashboardView(em: EntityManager, clinicId: string, asOf: IsoDate, options: { activityType?: Command['type'] } = {}): Promise<DashboardView> {
  const [memberships, installments, counts, failed, recent] = await Promise.all([
    dueInvoices(em, clinicId, 'membership', asOf),
    dueInvoices(em, clinicId, 'installment', asOf),
    em.execute<Record<string, number>[]>(COUNTS_SQL, [asOf, asOf, clinicId]),
    em.find(Command, { clinicId, status: 'failed' }, { orderBy: { id: 'desc' }, limit: ACTIVITY_LIMIT }),
    em.find(
      Command,
      { clinicId, status: { $in: ['succeeded', 'rejected', 'failed'] }, ...(options.activityType ? { type: options.activityType } : {}) },
      { orderBy: { finishedAt: 'desc' }, limit: ACTIVITY_LIMIT },
    ),
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
  // A redemption's money is what its credit covered.
  const amount = typeof result.amount === 'number' ? result.amount : typeof result.coveredAmount === 'number' ? result.coveredAmount : undefined;
  const summary =
    command.status === 'succeeded'
      ? {
          redemption: `Redeemed ${quantity ?? 1} visit(s)`,
          cancellation: `Cancelled a purchase${result.status === 'active' ? ` from ${String(result.cancelAt)}` : ''}`,
          refund: 'Refunded a purchase',
          transfer: `Transferred ${quantity ?? ''} visit(s) to a family member`,
          reconciliation: `Reconciled as of ${String(result.asOf ?? '')}`,
          extension: `Extended a package to ${String(result.expiresOn ?? '')}`,
          pause: 'Paused a membership',
          resume: 'Resumed a membership',
          receipt_email: `E-mailed a receipt to ${String(result.to ?? '')}`,
          reversal: `Reversed a redemption of ${quantity ?? 1} visit(s)`,
          invoice_void: 'Voided an invoice',
          invoice_refund: 'Refunded an invoice',
          appointment_cancellation: 'Cancelled an appointment',
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

/** Whom and what a command concerns, for the dashboard's prose (read from what it names). */
export interface CommandContext {
  patientId?: string;
  patientName?: string;
  purchaseId?: string;
  planName?: string;
  invoiceId?: string;
  invoiceNumber?: number;
}

/**
 * The patient, plan and invoice each command names (its result, else its request), in three
 * queries whatever the number of commands. Another clinic's ids find nothing.
 */
export async function commandContexts(em: EntityManager, clinicId: string, commands: readonly { id: string; request: unknown; result?: unknown }[]): Promise<Map<string, CommandContext>> {
  const named = commands.map((c) => {
    const result = (c.result ?? {}) as Record<string, unknown>;
    const request = (c.request ?? {}) as Record<string, unknown>;
    const pick = (field: string) => {
      const v = result[field] ?? request[field];
      return typeof v === 'string' && UUID.test(v) ? v : undefined;
    };
    return { id: c.id, purchaseId: pick('purchaseId') ?? pick('sourcePurchaseId'), invoiceId: pick('invoiceId'), patientId: pick('patientId') };
  });
  const invoiceIds = [...new Set(named.flatMap((n) => (n.invoiceId ? [n.invoiceId] : [])))];
  const invoices = invoiceIds.length
    ? await em.execute<{ id: string; number: number; patient_id: string; purchase_id: string | null }[]>(
        `select id, number, patient_id, purchase_id from invoice where clinic_id = ? and id = any(?::uuid[])`,
        [clinicId, `{${invoiceIds.join(',')}}`],
      )
    : [];
  const invoiceById = new Map(invoices.map((i) => [i.id, i]));
  const purchaseIds = [...new Set(named.flatMap((n) => [n.purchaseId ?? invoiceById.get(n.invoiceId ?? '')?.purchase_id ?? []].flat()))];
  const purchases = purchaseIds.length
    ? await em.execute<{ id: string; plan_name: string; patient_id: string }[]>(
        `select id, plan_name, patient_id from purchase where clinic_id = ? and id = any(?::uuid[])`,
        [clinicId, `{${purchaseIds.join(',')}}`],
      )
    : [];
  const purchaseById = new Map(purchases.map((p) => [p.id, p]));
  const patientIds = [...new Set([...invoices.map((i) => i.patient_id), ...purchases.map((p) => p.patient_id), ...named.flatMap((n) => (n.patientId ? [n.patientId] : []))])];
  const patients = patientIds.length
    ? await em.execute<{ id: string; name: string }[]>(`select id, first_name || ' ' || last_name as name from patient where clinic_id = ? and id = any(?::uuid[])`, [clinicId, `{${patientIds.join(',')}}`])
    : [];
  const patientById = new Map(patients.map((p) => [p.id, p.name]));
  return new Map(
    named.map((n) => {
      const invoice = n.invoiceId ? invoiceById.get(n.invoiceId) : undefined;
      const purchaseId = n.purchaseId ?? invoice?.purchase_id ?? undefined;
      const purchase = purchaseId ? purchaseById.get(purchaseId) : undefined;
      const patientId = purchase?.patient_id ?? invoice?.patient_id ?? n.patientId;
      const patientName = patientId ? patientById.get(patientId) : undefined;
      const context: CommandContext = {
        ...(patientId && patientName ? { patientId, patientName } : {}),
        ...(purchase ? { purchaseId: purchase.id, planName: purchase.plan_name } : {}),
        ...(invoice ? { invoiceId: invoice.id, invoiceNumber: Number(invoice.number) } : {}),
      };
      return [n.id, context];
    }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PatientContact {
  phone: string | null;
  email: string | null;
}

/** Phone and e-mail of the clinic's patients named. */
export async function patientContacts(em: EntityManager, clinicId: string, patientIds: readonly string[]): Promise<Map<string, PatientContact>> {
  const ids = [...new Set(patientIds)];
  if (ids.length === 0) return new Map();
  const rows = await em.execute<{ id: string; phone: string | null; email: string | null }[]>(
    `select id, phone, email from patient where clinic_id = ? and id = any(?::uuid[])`,
    [clinicId, `{${ids.join(',')}}`],
  );
  return new Map(rows.map((r) => [r.id, { phone: r.phone, email: r.email }]));
}

export interface CollectionInvoice {
  invoiceId: string;
  number: number;
  kind: string;
  purchaseId: string | null;
  planName: string | null;
  dueDate: IsoDate;
  daysOverdue: number;
  balanceDue: number;
}

export interface CollectionPatient {
  patientId: string;
  patientName: string;
  phone: string | null;
  email: string | null;
  totalOwed: number;
  oldestDueDate: IsoDate;
  daysOverdue: number;
  invoices: CollectionInvoice[];
}

/**
 * Collections as of `asOf`: every open invoice with a balance, due on or before the day (a service
 * invoice on its service date), grouped by patient, the longest owed first. Capped like the lists.
 */
export async function collectionsView(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<CollectionPatient[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select i.id, i.number, i.kind, i.purchase_id, pu.plan_name, i.patient_id, p.first_name || ' ' || p.last_name as patient_name, p.phone, p.email,
            (case when i.kind = 'service' then i.service_date else coalesce(i.due_date, i.service_date) end)::text as due,
            i.total - i.covered_amount - i.amount_paid - i.amount_written_off as balance_due
       from invoice i
       join patient p on p.id = i.patient_id
       left join purchase pu on pu.id = i.purchase_id
      where i.clinic_id = ? and i.status = 'open'
        and (case when i.kind = 'service' then i.service_date else coalesce(i.due_date, i.service_date) end) <= ?
        and i.total - i.covered_amount - i.amount_paid - i.amount_written_off > 0
      order by due asc, i.number asc
      limit ?`,
    [clinicId, asOf, DASHBOARD_LIST_LIMIT],
  );
  const byPatient = new Map<string, CollectionPatient>();
  for (const r of rows) {
    const due = r.due as IsoDate;
    const invoice: CollectionInvoice = {
      invoiceId: r.id as string,
      number: Number(r.number),
      kind: r.kind as string,
      purchaseId: (r.purchase_id as string | null) ?? null,
      planName: (r.plan_name as string | null) ?? null,
      dueDate: due,
      daysOverdue: daysBetween(due, asOf),
      balanceDue: Number(r.balance_due),
    };
    const patientId = r.patient_id as string;
    const entry = byPatient.get(patientId);
    if (entry) {
      entry.invoices.push(invoice);
      entry.totalOwed += invoice.balanceDue;
    } else {
      byPatient.set(patientId, {
        patientId,
        patientName: r.patient_name as string,
        phone: (r.phone as string | null) ?? null,
        email: (r.email as string | null) ?? null,
        totalOwed: invoice.balanceDue,
        oldestDueDate: due,
        daysOverdue: invoice.daysOverdue,
        invoices: [invoice],
      });
    }
  }
  // Rows come oldest due first, so each patient's first invoice is their oldest.
  return [...byPatient.values()];
}
