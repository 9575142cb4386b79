import type { PurchaseDetails } from '@app/billing';
import { badge, label, shortId, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';

export interface PurchasePageData {
  details: PurchaseDetails;
  patient: { id: string; firstName: string; lastName: string };
}

export const purchaseFragmentUrl = (id: string) => `/dashboard/purchases/${id}/fragment`;
// The PDFs behind the dashboard's session (apps/api/src/documents).
export const statementUrl = (id: string) => `/dashboard/purchases/${id}/statement.pdf`;
export const receiptUrl = (invoiceId: string) => `/dashboard/invoices/${invoiceId}/receipt.pdf`;

export function purchaseContent(data: PurchasePageData, fmt: Formatter): SafeHtml {
  const { details: d, patient } = data;
  const name = `${patient.firstName} ${patient.lastName}`;
  return html`<div class="crumbs"><a href="/dashboard/patients">Patients</a> › <a href="/dashboard/patients?search=${encodeURIComponent(name)}">${name}</a> › ${d.planName}</div>
<div class="toolbar">
  <div>
    <h1>${d.planName}</h1>
    <p class="sub">${label(d.kind)} of ${name} · purchase ${shortId(d.id)}</p>
  </div>
  <a id="statement-link" href="${statementUrl(d.id)}" target="_blank" rel="noopener">Statement (PDF)</a>
</div>
<div id="live" data-live-src="${purchaseFragmentUrl(d.id)}">
${purchaseLive(data, fmt)}
</div>`;
}

/** Balances, instalments, invoices and history: refreshed when a command finishes. */
export function purchaseLive({ details: d }: PurchasePageData, fmt: Formatter): SafeHtml {
  const services = new Map(d.balances.map((b) => [b.serviceId, b.serviceName]));
  const fact = (term: string, value: unknown) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
  return html`<section class="panel" id="summary">
  <dl class="facts">
    ${fact('Status', html`${badge(d.status)}${d.cancelAt ? html` <span class="muted">ends ${fmt.date(d.cancelAt)}</span>` : ''}`)}
    ${fact('Price', fmt.amount(d.price))}
    ${fact('Amount paid', fmt.amount(d.amountPaid))}
    ${fact('Amount refunded', fmt.amount(d.amountRefunded))}
    ${fact('Start date', fmt.date(d.startDate))}
    ${fact('Expires on', d.expiresOn ? fmt.date(d.expiresOn) : 'Never')}
    ${fact('Payment', d.paymentSchedule === 'installments' ? 'Instalments' : 'In full')}
    ${d.kind === 'membership' ? fact('Current cycle', d.currentCycle ? html`${fmt.date(d.currentCycle.start)} – ${fmt.date(d.currentCycle.end)}` : 'Not started') : ''}
  </dl>
</section>
<section class="panel" id="balances">
  <h2>Balances</h2>
  ${d.balances.length === 0
    ? html`<p class="empty">No services.</p>`
    : html`<div class="scroll"><table>
  <thead><tr><th>Service</th><th class="num">Total</th><th class="num">Used</th><th class="num">Transferred out</th><th class="num">Transferred in</th><th class="num">Remaining</th><th class="num">Available now</th></tr></thead>
  <tbody>${d.balances.map(
    (b) => html`<tr data-service-id="${b.serviceId}"><td>${b.serviceName}${'perCycle' in b && b.perCycle !== undefined ? html` <span class="muted">(${b.perCycle} per cycle)</span>` : ''}</td>
    <td class="num">${b.total}</td><td class="num">${b.used}</td><td class="num">${b.transferredOut}</td><td class="num">${b.transferredIn}</td>
    <td class="num">${b.remaining}</td><td class="num"><strong>${b.available}</strong></td></tr>`,
  )}</tbody>
</table></div>`}
</section>
${d.installments
  ? html`<section class="panel" id="installments">
  <h2>Instalments</h2>
  <div class="scroll"><table>
  <thead><tr><th>#</th><th>Due date</th><th class="num">Amount</th><th>Status</th></tr></thead>
  <tbody>${d.installments.map(
    (i) => html`<tr data-invoice-id="${i.invoiceId}"><td>${i.number}</td><td>${fmt.date(i.dueDate)}</td><td class="num">${fmt.amount(i.amount)}</td><td>${badge(i.status)}</td></tr>`,
  )}</tbody>
  </table></div>
</section>`
  : ''}
<section class="panel" id="invoices">
  <h2>Invoices</h2>
  ${d.invoices.length === 0
    ? html`<p class="empty">No invoices.</p>`
    : html`<div class="scroll"><table>
  <thead><tr><th>Invoice</th><th>Kind</th><th>Due date</th><th class="num">Total</th><th class="num">Paid</th><th class="num">Refunded</th><th>Status</th></tr></thead>
  <tbody>${d.invoices.map(
    (i) => html`<tr data-invoice-id="${i.id}"><td>#${i.number} <a class="receipt-link" href="${receiptUrl(i.id)}" target="_blank" rel="noopener">receipt</a></td><td>${label(i.kind)}</td><td>${fmt.date(i.dueDate)}</td>
    <td class="num">${fmt.amount(i.total)}</td><td class="num">${fmt.amount(i.amountPaid)}</td><td class="num">${fmt.amount(i.amountRefunded)}</td><td>${badge(i.status)}</td></tr>`,
  )}</tbody>
</table></div>`}
</section>
<section class="panel" id="history">
  <h2>History</h2>
  ${d.history.length === 0
    ? html`<p class="empty">No history.</p>`
    : html`<div class="scroll"><table>
  <thead><tr><th>When</th><th>Event</th><th>Service</th><th class="num">Visits</th><th class="num">Amount</th><th>Note</th></tr></thead>
  <tbody>${d.history.map(
    (h) => html`<tr${h.commandId ? html` data-command-id="${h.commandId}"` : ''}><td>${fmt.at(h.at)}</td><td>${label(h.type)}${h.cycleStart ? html` <span class="muted">cycle ${fmt.date(h.cycleStart)}</span>` : ''}</td>
    <td>${h.serviceId ? (services.get(h.serviceId) ?? shortId(h.serviceId)) : ''}</td>
    <td class="num">${h.quantity ?? ''}</td><td class="num">${h.amount !== undefined ? fmt.amount(h.amount) : ''}</td><td class="wrap">${h.note ?? ''}</td></tr>`,
  )}</tbody>
</table></div>`}
</section>`;
}
