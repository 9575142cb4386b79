import type { EntityManager } from '@mikro-orm/postgresql';
import { todayIn, type IsoDate } from '../domain/dates.js';
import { purchaseDetails, type PurchaseDetails } from '../queries/purchase-details.js';
import { documentClinic, type DocumentClinic } from './document-clinic.js';

export interface StatementInstallment {
  number: number | null;
  dueDate: string | null;
  amount: number;
  status: string;
  invoiceNumber: number | null;
  /** What is still owed on it (0 once paid or void). */
  balance: number;
}

export interface StatementEntry {
  at: string;
  type: string;
  serviceName: string | null;
  quantity: number | null;
  amount: number | null;
  invoiceNumber: number | null;
  note: string | null;
}

/** A purchase statement as plain data: balances per service, instalments and history. */
export interface StatementModel {
  clinic: DocumentClinic;
  asOf: IsoDate;
  patient: { name: string; email: string | null };
  purchase: Pick<PurchaseDetails, 'id' | 'planName' | 'kind' | 'status' | 'startDate' | 'expiresOn' | 'price' | 'amountPaid' | 'amountRefunded' | 'paymentSchedule'> & {
    cancelAt: string | null;
    /** Σ what the purchase's open invoices still owe. */
    balanceOwing: number;
  };
  balances: { serviceName: string; total: number; used: number; transferredOut: number; transferredIn: number; remaining: number; perCycle: number | null }[];
  installments: StatementInstallment[];
  history: StatementEntry[];
}

type Row = Record<string, unknown>;

/** The statement of one purchase of a clinic as of `asOf` (default: today in its time zone), or null when there is none. */
export async function loadStatement(em: EntityManager, clinicId: string, purchaseId: string, asOf?: IsoDate): Promise<StatementModel | null> {
  const [clinicRow] = await em.execute<Row[]>(`select name, currency, timezone, settings from clinic where id = ?`, [clinicId]);
  if (!clinicRow) return null;
  const today = asOf ?? todayIn(String(clinicRow.timezone));
  const details = await purchaseDetails(em, clinicId, purchaseId, today);
  if (!details) return null;
  const [patient] = await em.execute<Row[]>(`select first_name, last_name, email from patient where clinic_id = ? and id = ?`, [clinicId, details.patientId]);
  const invoiceRows = await em.execute<Row[]>(
    `select to_jsonb(i) as invoice from invoice i where i.clinic_id = ? and (i.purchase_id = ? or i.id = any(?::uuid[]))`,
    [clinicId, purchaseId, `{${details.history.flatMap((h) => (h.invoiceId ? [h.invoiceId] : [])).join(',')}}`],
  );
  // What each invoice still owes, read as JSON so a later written-off column is counted once it exists.
  const owed = new Map<string, { number: number; balance: number }>();
  for (const { invoice } of invoiceRows) {
    const i = invoice as Row;
    // A visit's service invoice is named in the history; only the purchase's own are owed on it.
    const open = i.status === 'open' && i.purchase_id === purchaseId;
    const balance = Number(i.total) - Number(i.covered_amount) - Number(i.amount_paid) - Number(i.amount_written_off ?? 0);
    owed.set(String(i.id), { number: Number(i.number), balance: open ? balance : 0 });
  }
  const { taxNames: _names, ...clinic } = documentClinic({ name: String(clinicRow.name), currency: String(clinicRow.currency), timezone: String(clinicRow.timezone), settings: clinicRow.settings });
  const services = new Map(details.balances.map((b) => [b.serviceId, b.serviceName]));
  return {
    clinic,
    asOf: today,
    patient: { name: `${String(patient?.first_name ?? '')} ${String(patient?.last_name ?? '')}`.trim(), email: (patient?.email as string | null) ?? null },
    purchase: {
      id: details.id,
      planName: details.planName,
      kind: details.kind,
      status: details.status,
      startDate: details.startDate,
      expiresOn: details.expiresOn,
      cancelAt: details.cancelAt ?? null,
      price: details.price,
      amountPaid: details.amountPaid,
      amountRefunded: details.amountRefunded,
      paymentSchedule: details.paymentSchedule,
      balanceOwing: [...owed.values()].reduce((s, o) => s + o.balance, 0),
    },
    balances: details.balances.map((b) => ({
      serviceName: b.serviceName,
      total: b.total,
      used: b.used,
      transferredOut: b.transferredOut,
      transferredIn: b.transferredIn,
      remaining: b.remaining,
      perCycle: 'perCycle' in b && b.perCycle !== undefined ? b.perCycle : null,
    })),
    installments: (details.installments ?? []).map((i) => ({
      number: i.number,
      dueDate: i.dueDate,
      amount: i.amount,
      status: i.status,
      invoiceNumber: owed.get(i.invoiceId)?.number ?? null,
      balance: owed.get(i.invoiceId)?.balance ?? 0,
    })),
    history: details.history.map((h) => ({
      at: h.at,
      type: h.type,
      serviceName: h.serviceId ? (services.get(h.serviceId) ?? null) : null,
      quantity: h.quantity !== undefined ? Number(h.quantity) : null,
      amount: h.amount ?? null,
      invoiceNumber: h.invoiceId ? (owed.get(h.invoiceId)?.number ?? null) : null,
      note: typeof h.note === 'string' ? h.note : null,
    })),
  };
}
