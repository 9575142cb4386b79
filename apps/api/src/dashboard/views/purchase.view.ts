import { installmentStatus, type IsoDate, type PurchaseDetails } from '@app/billing';
import { notice, paymentForm } from './actions.view.js';
import { badge, label, shortId, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';
import type { ViewContext } from './page-context.js';
import { dataTable } from './table.js';

export interface PurchasePageData {
  details: PurchaseDetails;
  patient: { id: string; firstName: string; lastName: string };
  today: IsoDate;
  /** The names of the API keys that asked for the history's entries. */
  keyNames: Map<string, string>;
}

type Balance = PurchaseDetails['balances'][number];
type HistoryEntry = PurchaseDetails['history'][number];
type InvoiceRow = PurchaseDetails['invoices'][number];

export const purchaseFragmentUrl = (id: string) => `/dashboard/purchases/${id}/fragment`;
// The PDFs behind the dashboard's session (apps/api/src/documents).
export const statementUrl = (id: string) => `/dashboard/purchases/${id}/statement.pdf`;
export const receiptUrl = (invoiceId: string) => `/dashboard/invoices/${invoiceId}/receipt.pdf`;

export function purchaseContent(data: PurchasePageData, ctx: ViewContext, noticeCode?: string): SafeHtml {
  const { details: d, patient } = data;
  const name = `${patient.firstName} ${patient.lastName}`;
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/dashboard/patients">Patients</a> › <a href="/dashboard/patients?search=${encodeURIComponent(name)}">${name}</a> › <span aria-current="page">${d.planName}</span></nav>
<div class="toolbar">
  <div>
    <h1>${d.planName}</h1>
    <p class="sub">${label(d.kind)} of ${name} · purchase ${shortId(d.id)}</p>
  </div>
  <a id="statement-link" class="button secondary" href="${statementUrl(d.id)}" target="_blank" rel="noopener">Statement (PDF)</a>
</div>
${notice(noticeCode)}
<div id="live" data-live-src="${purchaseFragmentUrl(d.id)}" data-live-name="Purchase">
${purchaseLive(data, ctx)}
</div>`;
}

/** One status word per invoice on this page: an open invoice past its due date is overdue, in every table. */
export function invoiceStatusWord(i: { status: string; dueDate: IsoDate | null }, today: IsoDate): string {
  return installmentStatus(i as Parameters<typeof installmentStatus>[0], today);
}

/** Balances, instalments, invoices and history: refreshed when a command finishes. */
export function purchaseLive(data: PurchasePageData, ctx: ViewContext): SafeHtml {
  const { details: d, today } = data;
  const fmt = ctx.fmt;
  const services = new Map(d.balances.map((b) => [b.serviceId, b.serviceName]));
  const invoiceNumbers = new Map(d.invoices.map((i) => [i.id, i.number]));
  const writtenOff = d.invoices.filter((i) => i.amountWrittenOff > 0);
  const fact = (term: string, value: unknown) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
  return html`<section class="panel" id="summary" aria-label="Summary">
  <dl class="facts">
    ${fact('Status', html`${badge(d.status)}${d.cancelAt ? html` <span class="muted">ends ${fmt.date(d.cancelAt)}</span>` : ''}`)}
    ${fact('Price', fmt.amount(d.price))}
    ${fact('Amount paid', fmt.amount(d.amountPaid))}
    ${fact('Amount refunded', fmt.amount(d.amountRefunded))}
    ${writtenOff.length ? fact('Written off', fmt.amount(writtenOff.reduce((s, i) => s + i.amountWrittenOff, 0))) : ''}
    ${fact('Start date', fmt.date(d.startDate))}
    ${fact('Expires on', d.expiresOn ? fmt.date(d.expiresOn) : 'Never')}
    ${fact('Payment', d.paymentSchedule === 'installments' ? 'Instalments' : 'In full')}
    ${d.kind === 'membership' ? fact('Current cycle', d.currentCycle ? html`${fmt.date(d.currentCycle.start)} – ${fmt.date(d.currentCycle.end)}` : 'Not started') : ''}
    ${d.pausedCycles.length ? fact('Paused cycles', html`${d.pausedCycles.map((c, i) => html`${i ? ', ' : ''}${fmt.date(c.start)} – ${fmt.date(c.end)}`)}`) : ''}
  </dl>
</section>
<section class="panel" id="balances">
  <h2>Balances</h2>
  ${d.balances.length === 0
    ? html`<p class="empty">No services.</p>`
    : dataTable(
        'Balances',
        [
          { head: 'Service', cell: (b: Balance) => html`${b.serviceName}${'perCycle' in b && b.perCycle !== undefined ? html` <span class="muted">(${b.perCycle} per cycle)</span>` : ''}` },
          { head: 'Total', num: true, cell: (b) => b.total },
          { head: 'Used', num: true, cell: (b) => b.used },
          { head: 'Transferred out', num: true, cell: (b) => b.transferredOut },
          { head: 'Transferred in', num: true, cell: (b) => b.transferredIn },
          { head: 'Remaining', num: true, cell: (b) => b.remaining },
          { head: 'Available now', num: true, wrap: true, cell: (b) => html`<strong>${b.available}</strong>${b.available === 0 ? html`<span class="reason" data-reason="${unavailableCode(d, b, today)}"> ${REASONS[unavailableCode(d, b, today)] ?? label(unavailableCode(d, b, today))}</span>` : ''}` },
        ],
        d.balances,
        (b) => html` data-service-id="${b.serviceId}"`,
      )}
</section>
${d.installments
  ? html`<section class="panel" id="installments">
  <h2>Instalments</h2>
  ${dataTable(
    'Instalments',
    [
      { head: '#', cell: (i: NonNullable<PurchaseDetails['installments']>[number]) => i.number },
      { head: 'Due date', cell: (i) => fmt.date(i.dueDate) },
      { head: 'Amount', num: true, cell: (i) => fmt.amount(i.amount) },
      { head: 'Balance due', num: true, cell: (i) => fmt.amount(i.balanceDue) },
      { head: 'Status', cell: (i) => html`${badge(i.status)}${i.amountWrittenOff > 0 ? html` <span class="muted">${fmt.amount(i.amountWrittenOff)} written off</span>` : ''}` },
      { head: 'Action', cell: (i) => (i.status === 'open' || i.status === 'overdue' ? paymentForm(i.invoiceId, i.balanceDue, ctx, `instalment ${i.number}`) : '') },
    ],
    d.installments,
    (i) => html` data-invoice-id="${i.invoiceId}"`,
  )}
</section>`
  : ''}
<section class="panel" id="invoices">
  <h2>Invoices</h2>
  ${d.invoices.length === 0
    ? html`<p class="empty">No invoices.</p>`
    : dataTable(
        'Invoices',
        [
          { head: 'Invoice', cell: (i: InvoiceRow) => html`#${i.number} <a class="receipt-link" href="${receiptUrl(i.id)}" target="_blank" rel="noopener" aria-label="Receipt of invoice #${i.number} (PDF)">receipt</a>` },
          { head: 'Kind', cell: (i) => label(i.kind) },
          { head: 'Due date', cell: (i) => fmt.date(i.dueDate) },
          { head: 'Total', num: true, cell: (i) => fmt.amount(i.total) },
          { head: 'Paid', num: true, cell: (i) => fmt.amount(i.amountPaid) },
          { head: 'Refunded', num: true, cell: (i) => fmt.amount(i.amountRefunded) },
          { head: 'Written off', num: true, cell: (i) => fmt.amount(i.amountWrittenOff) },
          { head: 'Balance due', num: true, cell: (i) => fmt.amount(i.balanceDue) },
          { head: 'Status', cell: (i) => badge(invoiceStatusWord(i, today)) },
        ],
        d.invoices,
        (i) => html` data-invoice-id="${i.id}"`,
      )}
</section>
<section class="panel" id="history">
  <h2>History</h2>
  ${d.history.length === 0
    ? html`<p class="empty">No history.</p>`
    : dataTable(
        'History',
        [
          { head: 'When', cell: (h: HistoryEntry) => fmt.at(h.at) },
          { head: 'Event', wrap: true, cell: (h) => historyEvent(h, fmt, invoiceNumbers, writtenOff) },
          { head: 'Service', cell: (h) => (h.serviceId ? (services.get(h.serviceId) ?? shortId(h.serviceId)) : '') },
          { head: 'Visits', num: true, cell: (h) => h.quantity ?? '' },
          { head: 'Amount', num: true, cell: (h) => (h.amount !== undefined ? fmt.amount(h.amount) : '') },
          { head: 'By', cell: (h) => (h.byKeyId ? (data.keyNames.get(h.byKeyId) ?? shortId(h.byKeyId)) : html`<span class="muted">system</span>`) },
          { head: 'Note', wrap: true, cell: (h) => h.note ?? '' },
        ],
        d.history,
        (h) => html`${h.commandId ? html` data-command-id="${h.commandId}" data-toast="${HISTORY_LABELS[h.type] ?? label(h.type)}"` : ''} data-type="${h.type}"`,
      )}
</section>`;
}

/** The history's words for each ledger entry type. */
export const HISTORY_LABELS: Record<string, string> = {
  purchased: 'Purchased',
  redeemed: 'Visit redeemed',
  transferred_out: 'Visits transferred out',
  transferred_in: 'Visits transferred in',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
  expired: 'Expired',
  cycle_started: 'Cycle started',
  redemption_reversed: 'Redemption reversed: visit given back',
  redemption_released: 'Redemption released: visit not given back',
  extended: 'Extended',
  paused: 'Paused',
  resumed: 'Resumed',
};

function historyEvent(h: HistoryEntry, fmt: Formatter, invoiceNumbers: Map<string, number>, writtenOff: InvoiceRow[]): SafeHtml {
  const extra: SafeHtml[] = [];
  if (h.cycleStart) extra.push(html`cycle ${fmt.date(h.cycleStart)}`);
  if (h.type === 'extended' && h.expiresOn) extra.push(html`to ${fmt.date(h.expiresOn)}${h.previousExpiresOn ? html` (was ${fmt.date(h.previousExpiresOn)})` : ''}`);
  if ((h.type === 'paused' || h.type === 'resumed') && h.cycles?.length) {
    extra.push(html`${h.cycles.length} ${h.cycles.length === 1 ? 'cycle' : 'cycles'} from ${fmt.date(h.cycles[0].start)}`);
  }
  if (h.invoiceId && invoiceNumbers.has(h.invoiceId)) extra.push(html`invoice #${invoiceNumbers.get(h.invoiceId)}`);
  if (h.type === 'cancelled' && writtenOff.length) extra.push(html`wrote off ${writtenOff.map((i, n) => `${n ? ', ' : ''}${fmt.amount(i.amountWrittenOff)} of invoice #${i.number}`).join('')}`);
  return html`${HISTORY_LABELS[h.type] ?? label(h.type)}${extra.length ? html` <span class="muted">${extra.map((e, i) => html`${i ? ' · ' : ''}${e}`)}</span>` : ''}`;
}

/** Why a service shows "Available now 0", as the refusal code a redemption would get. */
export function unavailableCode(d: PurchaseDetails, b: Balance, today: IsoDate): string {
  if (d.status !== 'active') return `purchase_${d.status}`;
  if (d.startDate > today) return 'purchase_not_started';
  if (d.kind === 'membership') {
    if (!d.currentCycle) return 'purchase_not_started';
    if (d.pausedCycles.some((c) => c.start <= today && today <= c.end)) return 'purchase_paused';
    if (d.cancelAt && d.cancelAt <= d.currentCycle.start) return 'purchase_cancelled';
    const invoice = d.invoices.find((i) => i.id === d.currentCycle?.invoiceId);
    if (d.price > 0 && invoice?.status !== 'paid') return 'membership_invoice_unpaid';
  }
  if (b.remaining === 0) return 'insufficient_balance';
  return 'payment_required';
}

const REASONS: Record<string, string> = {
  purchase_cancelled: 'the purchase is cancelled',
  purchase_refunded: 'the purchase is refunded',
  purchase_expired: 'the package has expired',
  purchase_exhausted: 'every visit is used',
  purchase_not_started: 'the purchase has not started yet',
  purchase_paused: 'this cycle is paused',
  membership_invoice_unpaid: "the cycle's invoice is unpaid",
  insufficient_balance: 'no visits are left',
  payment_required: 'the payments so far cover no more visits',
};
