import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The next invoice number of a clinic. Call inside the transaction that inserts the invoice:
 * the counter row stays locked until commit and a rollback returns the number, so numbers
 * are gap-free. Take it last (after purchase and invoice locks) to keep the lock short.
 */
export async function nextInvoiceNumber(em: EntityManager, clinicId: string): Promise<number> {
  const rows = await em.execute<{ invoice_seq: number }[]>(
    'update clinic set invoice_seq = invoice_seq + 1 where id = ? returning invoice_seq',
    [clinicId],
  );
  if (!rows[0]) throw new Error(`clinic ${clinicId} not found`);
  return Number(rows[0].invoice_seq);
}

/** Invoice numbers for several invoices at once, in order. */
export async function nextInvoiceNumbers(em: EntityManager, clinicId: string, count: number): Promise<number[]> {
  const rows = await em.execute<{ invoice_seq: number }[]>(
    'update clinic set invoice_seq = invoice_seq + ? where id = ? returning invoice_seq',
    [count, clinicId],
  );
  if (!rows[0]) throw new Error(`clinic ${clinicId} not found`);
  const last = Number(rows[0].invoice_seq);
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}
