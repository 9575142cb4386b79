import { randomUUID } from 'node:crypto';
import { PAYMENT_METHODS } from '@app/billing';
import { label } from './format.js';
import { html, type SafeHtml } from './html.js';
import { moneyInput } from './money-input.js';
import type { ViewContext } from './page-context.js';

/** The hidden fields every posting form carries: the session's CSRF token and where to come back. */
const hidden = (ctx: ViewContext) => html`<input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="back" value="${ctx.back}">`;

/** Retry of a failed command (owner and billing keys: the page shows it to them only). */
export function retryForm(commandId: string, ctx: ViewContext, what: string): SafeHtml {
  return html`<form method="post" action="/dashboard/commands/${commandId}/retry" class="inline action">${hidden(ctx)}<button type="submit" class="retry" aria-label="Retry ${what}">Retry</button></form>`;
}

/**
 * "Record payment" on an invoice: a disclosure with the amount (the balance due by default) and
 * the method. Its idempotency key is made with the page: submitting it twice pays once.
 */
export function paymentForm(invoiceId: string, balanceDue: number, ctx: ViewContext, what: string): SafeHtml {
  if (balanceDue <= 0) return html``;
  const id = `pay-${invoiceId}`;
  return html`<details class="pay"><summary aria-label="Record payment: ${what}">Record payment</summary>
<form method="post" action="/dashboard/invoices/${invoiceId}/payments" class="pay-form">${hidden(ctx)}<input type="hidden" name="idempotencyKey" value="${randomUUID()}">
  <label for="${id}-amount">Amount</label><input id="${id}-amount" name="amount" inputmode="decimal" value="${moneyInput(balanceDue, ctx.digits)}" required pattern="[0-9.,]+">
  <label for="${id}-method">Method</label><select id="${id}-method" name="method">${PAYMENT_METHODS.map((m) => html`<option value="${m}">${label(m)}</option>`)}</select>
  <button type="submit">Record</button>
</form></details>`;
}

const NOTICES: Record<string, { text: string; ok: boolean }> = {
  retried: { text: 'The command was queued again: its status below follows it.', ok: true },
  payment_recorded: { text: 'Payment recorded.', ok: true },
  not_retryable: { text: 'Only a failed command can be retried: this one has moved on already.', ok: false },
  not_found: { text: 'That no longer exists in this clinic.', ok: false },
  invalid_payment: { text: 'Enter an amount above zero, with at most the currency’s decimals, and a method.', ok: false },
  overpayment: { text: 'That is more than the balance due: nothing was recorded.', ok: false },
  invoice_void: { text: 'That invoice is void: nothing was recorded.', ok: false },
  invoice_not_open: { text: 'That invoice is not open any more: nothing was recorded.', ok: false },
};

/** The outcome of the last action, named by its code in the address (never free text from it). */
export function notice(code: string | undefined): SafeHtml {
  if (!code) return html``;
  const n = NOTICES[code] ?? { text: 'The action was refused: nothing was recorded.', ok: false };
  return html`<p class="notice ${n.ok ? 'ok' : ''}" role="${n.ok ? 'status' : 'alert'}" id="action-notice">${n.text}</p>`;
}
