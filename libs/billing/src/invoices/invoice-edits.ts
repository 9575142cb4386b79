import type { EntityManager } from '@mikro-orm/postgresql';
import type { Compilable, QueryCreator } from 'kysely';
import type { EffectWrite } from '../commands/handler.js';
import { INVOICE_COLUMNS, INVOICE_LINE_COLUMNS, PAYMENT_COLUMNS } from '../db/columns.js';
import type { Database } from '../db/database.js';
import { db, run } from '../db/query.js';
import type { IsoDate } from '../domain/dates.js';
import type { BillingErrorCode } from '../domain/errors.js';
import { balanceDue, decideLineAddition, decideLineRemoval, decidePayment } from '../domain/invoice.js';
import { invoiceTotals, lineTaxes, sumTaxes, type LineTax } from '../domain/taxes.js';
import { newId } from '../entities/base.js';
import { Invoice } from '../entities/invoice.entity.js';
import { InvoiceLine } from '../entities/invoice-line.entity.js';
import { Payment, type PaymentMethod } from '../entities/payment.entity.js';
import { clinicTaxRates } from './clinic-tax-rates.js';
import { nextInvoiceNumber } from './invoice-numbers.js';
import { rerunDeadlocked } from '../database/deadlocks.js';

// The desk's synchronous invoice edits (payments, lines, blank invoices) under the commands'
// rules: lock the invoice `for update`, read, let the domain decide, then write the effects with
// Kysely through the same prepared-statement runner as the command handlers, all in one
// transaction. Rows are mapped to entities for their types only: nothing is flushed.

type MissingRow = 'Invoice' | 'Service' | 'Invoice line' | 'Patient';

export type InvoiceEditOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; missing: MissingRow }
  | { ok: false; rejected: BillingErrorCode | 'validation_failed'; detail?: string; extras?: Record<string, unknown> };

const done = <T>(value: T): InvoiceEditOutcome<T> => ({ ok: true, value });
const missing = (what: MissingRow): InvoiceEditOutcome<never> => ({ ok: false, missing: what });
const refused = (decision: { rejected: BillingErrorCode; detail?: string }, extras?: Record<string, unknown>): InvoiceEditOutcome<never> => ({
  ok: false,
  rejected: decision.rejected,
  ...(decision.detail !== undefined ? { detail: decision.detail } : {}),
  ...(extras ? { extras } : {}),
});

/**
 * The invoice row, locked until commit: lines and payments change its running totals. A purchase's
 * invoice is locked after its purchase, the order every command keeps (purchase, then invoice), or
 * a payment and a refund of one purchase could each hold what the other waits for (the liability
 * totals' triggers write the purchase's row after the invoice's).
 */
async function lockInvoice(em: EntityManager, clinicId: string, id: string): Promise<Invoice | null> {
  await run(em, db.selectFrom('purchase').select('purchase.id')
    .where('purchase.id', '=', (eb) => eb.selectFrom('invoice').select('invoice.purchase_id').where('invoice.id', '=', id).where('invoice.clinic_id', '=', clinicId))
    .forUpdate());
  const [row] = await run(em, db.selectFrom('invoice').select(INVOICE_COLUMNS).where('id', '=', id).where('clinic_id', '=', clinicId).forUpdate());
  return row ? em.map(Invoice, row as Record<string, unknown>) : null;
}

/**
 * The effect writes as data-modifying CTEs of the statement `last`, as the runner writes a
 * command's effects: one round trip, every statement seeing the same snapshot (so each row is
 * written once, with its final values).
 */
async function applyEffects<R>(em: EntityManager, writes: readonly EffectWrite[], last: (qc: QueryCreator<Database>) => Compilable<R>): Promise<R[]> {
  let query: QueryCreator<Database> = db;
  writes.forEach((write, i) => {
    query = query.with(`effect_${i}`, () => write);
  });
  return run(em, last(query));
}

const inTransaction = <T>(em: EntityManager, work: (tx: EntityManager) => Promise<InvoiceEditOutcome<T>>) => rerunDeadlocked(() => em.fork().transactional(work));

export interface PaymentInput {
  clinicId: string;
  invoiceId: string;
  amount: number;
  method: PaymentMethod;
  reference: string | null;
  keyId: string | null;
  /** The request's Idempotency-Key: the payment's unique effect key is derived from it. */
  idempotencyKey?: string;
}

/**
 * Money at the desk, under the invoice's lock, so concurrent payments never pay more than is due.
 * With an Idempotency-Key even a retry after a crash between the payment's commit and the stored
 * answer finds the payment (by its effect key) instead of paying twice.
 */
export function recordPayment(em: EntityManager, input: PaymentInput): Promise<InvoiceEditOutcome<Payment>> {
  return inTransaction(em, async (tx) => {
    const invoice = await lockInvoice(tx, input.clinicId, input.invoiceId);
    if (!invoice) return missing('Invoice');
    const effectKey = input.idempotencyKey ? `payment-key:${input.clinicId}:${input.idempotencyKey}` : null;
    if (effectKey) {
      const [earlier] = await run(tx, db.selectFrom('payment').select(PAYMENT_COLUMNS).where('effect_key', '=', effectKey));
      if (earlier) return done(tx.map(Payment, earlier as Record<string, unknown>));
    }
    const decision = decidePayment(invoice, input.amount);
    if (!decision.ok) return refused(decision, decision.rejected === 'overpayment' ? { balanceDue: balanceDue(invoice) } : undefined);
    const id = newId();
    const [row] = await applyEffects(tx, [db.updateTable('invoice').set({ amount_paid: decision.effects.amountPaid, status: decision.effects.status }).where('id', '=', invoice.id)], (qc) =>
      qc.insertInto('payment')
        .values({
          id, clinic_id: input.clinicId, invoice_id: invoice.id, amount: input.amount, method: input.method, reference: input.reference,
          effect_key: effectKey ?? `payment:${id}`, created_by_key_id: input.keyId,
        })
        .returning(PAYMENT_COLUMNS),
    );
    return done(tx.map(Payment, row as Record<string, unknown>));
  });
}

/** A service at its list price, or a tip or charge at the amount staff give. */
export type LineInput = {
  clinicId: string;
  invoiceId: string;
  /** The request's Idempotency-Key: the line's unique effect key is derived from it. */
  idempotencyKey?: string;
} & (
  | { kind: 'service'; serviceId: string; quantity: number }
  | { kind: 'tip'; description: string; amount: number }
  | { kind: 'charge'; description: string; amount: number; taxCodes: string[] }
);

type LineDraft = { service_id: string | null; description: string; quantity: number; unit_price: number; amount: number; tax_codes: string[]; taxes: LineTax[] };

/**
 * What the new line is, before the invoice's rules decide: a service priced from the catalogue and
 * taxed by its codes, a charge taxed by its own codes (each one of the clinic's, else
 * validation_failed), a tip never taxed; all at today's rates, which the line keeps.
 */
async function lineDraft(tx: EntityManager, input: LineInput): Promise<InvoiceEditOutcome<LineDraft>> {
  let base: Omit<LineDraft, 'taxes'>;
  if (input.kind !== 'service') {
    const taxCodes = input.kind === 'charge' ? [...new Set(input.taxCodes)] : [];
    base = { service_id: null, description: input.description, quantity: 1, unit_price: input.amount, amount: input.amount, tax_codes: taxCodes };
  } else {
    const [service] = await run(tx, db.selectFrom('service').select(['id', 'name', 'price', 'tax_codes']).where('id', '=', input.serviceId).where('clinic_id', '=', input.clinicId));
    if (!service) return missing('Service');
    const unitPrice = Number(service.price);
    base = { service_id: service.id, description: service.name, quantity: input.quantity, unit_price: unitPrice, amount: unitPrice * input.quantity, tax_codes: [] };
    // The service's codes tax the line; the line's own tax_codes stay a charge's field.
    const rates = await clinicTaxRates(tx, input.clinicId, service.tax_codes ?? []);
    if ('unknown' in rates) return invalidTaxCodes(rates.unknown);
    return done({ ...base, taxes: lineTaxes(base.amount, rates.rates) });
  }
  const rates = await clinicTaxRates(tx, input.clinicId, base.tax_codes);
  if ('unknown' in rates) return invalidTaxCodes(rates.unknown);
  return done({ ...base, taxes: lineTaxes(base.amount, rates.rates) });
}

const invalidTaxCodes = (unknown: string[]): InvoiceEditOutcome<never> => {
  const message = `taxCodes names ${unknown.join(', ')}, not a tax of this clinic (PATCH /v1/clinic/settings sets them)`;
  return { ok: false, rejected: 'validation_failed', detail: message, extras: { errors: [{ field: 'taxCodes', message }] } };
};

/**
 * A line on an open or paid invoice (a purchase invoice takes tips and charges only, its extras);
 * the invoice's total, extras and status (a paid one reopens while anything is due) change in the
 * same statement.
 */
export function addInvoiceLine(em: EntityManager, input: LineInput): Promise<InvoiceEditOutcome<InvoiceLine>> {
  return inTransaction(em, async (tx) => {
    const invoice = await lockInvoice(tx, input.clinicId, input.invoiceId);
    if (!invoice) return missing('Invoice');
    // As for a payment: a retry whose first answer was lost after the commit finds its line.
    const effectKey = input.idempotencyKey ? `line-key:${input.clinicId}:${input.idempotencyKey}` : null;
    if (effectKey) {
      const [earlier] = await run(tx, db.selectFrom('invoice_line').select(INVOICE_LINE_COLUMNS).where('effect_key', '=', effectKey));
      if (earlier) return done(tx.map(InvoiceLine, earlier as Record<string, unknown>));
    }
    const drafted = await lineDraft(tx, input);
    if (!drafted.ok) return drafted;
    const draft = drafted.value;
    // The invoice's totals with the new line (its amount before tax plus its taxes).
    const totals = invoiceTotals([{ amount: Number(invoice.subtotal), taxes: [{ amount: Number(invoice.taxTotal) }] }, draft]);
    const decision = decideLineAddition(invoice, { kind: input.kind, amount: draft.amount + sumTaxes(draft.taxes), subtotal: draft.amount });
    if (!decision.ok) return refused(decision);
    const { total, status, extrasTotal, extrasSubtotal } = decision.effects;
    if (total !== totals.total) throw new Error(`invoice ${invoice.id}: total ${total} is not subtotal + taxes ${totals.total}`);
    const invoiceWrite = db.updateTable('invoice')
      .set({ total, subtotal: totals.subtotal, tax_total: totals.taxTotal, status, extras_total: extrasTotal, extras_subtotal: extrasSubtotal })
      .where('id', '=', invoice.id);
    const [row] = await applyEffects(tx, [invoiceWrite], (qc) =>
      qc.insertInto('invoice_line')
        .values({
          id: newId(), clinic_id: input.clinicId, invoice_id: invoice.id, kind: input.kind, ...draft,
          tax_codes: JSON.stringify(draft.tax_codes), taxes: JSON.stringify(draft.taxes), covered_amount: 0, effect_key: effectKey,
        })
        .returning(INVOICE_LINE_COLUMNS),
    );
    return done(tx.map(InvoiceLine, row as Record<string, unknown>));
  });
}

/** Only a line nobody relies on yet (domain/invoice.ts decides); the invoice's total and status follow. */
export function removeInvoiceLine(em: EntityManager, clinicId: string, invoiceId: string, lineId: string): Promise<InvoiceEditOutcome<null>> {
  return inTransaction(em, async (tx) => {
    const invoice = await lockInvoice(tx, clinicId, invoiceId);
    if (!invoice) return missing('Invoice');
    const [line] = await run(tx, db.selectFrom('invoice_line').select(['id', 'kind', 'amount', 'taxes', 'redemption_command_id']).where('id', '=', lineId).where('invoice_id', '=', invoice.id));
    if (!line) return missing('Invoice line');
    // The line takes its taxes with it.
    const lineTax = sumTaxes(line.taxes ?? []);
    const decision = decideLineRemoval(invoice, { kind: line.kind, amount: Number(line.amount) + lineTax, subtotal: Number(line.amount), redeemed: line.redemption_command_id !== null });
    if (!decision.ok) return refused(decision);
    const { total, status, extrasTotal, extrasSubtotal } = decision.effects;
    const taxTotal = Number(invoice.taxTotal) - lineTax;
    const invoiceWrite = db.updateTable('invoice')
      .set({ total, subtotal: total - taxTotal, tax_total: taxTotal, status, extras_total: extrasTotal, extras_subtotal: extrasSubtotal })
      .where('id', '=', invoice.id);
    await applyEffects(tx, [invoiceWrite], (qc) =>
      qc.deleteFrom('invoice_line').where('id', '=', line.id),
    );
    return done(null);
  });
}

export interface BlankInvoiceInput {
  clinicId: string;
  patientId: string;
  serviceDate: IsoDate;
  keyId: string | null;
  /** The request's Idempotency-Key: the invoice's unique effect key is derived from it. */
  idempotencyKey?: string;
}

/** A blank service invoice; the number last, just before the insert: the clinic's counter row stays locked until commit. */
export function createBlankInvoice(em: EntityManager, input: BlankInvoiceInput): Promise<InvoiceEditOutcome<string>> {
  return inTransaction(em, async (tx) => {
    const [patient] = await run(tx, db.selectFrom('patient').select('id').where('id', '=', input.patientId).where('clinic_id', '=', input.clinicId));
    if (!patient) return missing('Patient');
    // As for a payment or a line: a retry whose first answer was lost finds its invoice (before
    // a number is taken, so none is spent on it).
    const effectKey = input.idempotencyKey ? `invoice-key:${input.clinicId}:${input.idempotencyKey}` : null;
    if (effectKey) {
      const [earlier] = await run(tx, db.selectFrom('invoice').select('id').where('effect_key', '=', effectKey));
      if (earlier) return done(earlier.id);
    }
    const number = await nextInvoiceNumber(tx, input.clinicId);
    const id = newId();
    await run(tx,
      db.insertInto('invoice').values({
        id, clinic_id: input.clinicId, number, patient_id: input.patientId, kind: 'service', status: 'open', service_date: input.serviceDate,
        subtotal: 0, total: 0, amount_paid: 0, amount_refunded: 0, covered_amount: 0, created_by_key_id: input.keyId, effect_key: effectKey,
      }),
    );
    return done(id);
  });
}
