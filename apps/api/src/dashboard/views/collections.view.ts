import type { CollectionInvoice, CollectionPatient, IsoDate } from '@app/billing';
import { notice, paymentForm } from './actions.view.js';
import { contactLinks, daysOverdue } from './dashboard.view.js';
import { label } from './format.js';
import { html, type SafeHtml } from './html.js';
import type { ViewContext } from './page-context.js';
import { dataTable } from './table.js';

const qs = (asOf: IsoDate | null) => (asOf ? `?asOf=${asOf}` : '');
export const collectionsFragmentUrl = (asOf: IsoDate | null) => `/dashboard/collections/fragment${qs(asOf)}`;
export const collectionsCsvUrl = (asOf: IsoDate) => `/dashboard/collections.csv?asOf=${asOf}`;

/** Collections: who owes what, grouped by patient, the longest owed first. */
export function collectionsContent(patients: CollectionPatient[], asOf: IsoDate, pinned: IsoDate | null, ctx: ViewContext, noticeCode?: string): SafeHtml {
  return html`<div class="toolbar">
  <div>
    <h1>Collections</h1>
    <p class="sub">Open invoices due by ${ctx.fmt.date(asOf)}, grouped by patient</p>
  </div>
  <div class="tools">
    <form class="inline" method="get" action="/dashboard/collections">
      <label class="field" for="as-of">As of</label><input type="date" id="as-of" name="asOf" value="${asOf}" required>
      <button type="submit">Show</button>
    </form>
    <a class="button secondary" id="csv-collections" href="${collectionsCsvUrl(asOf)}" download>Download CSV</a>
  </div>
</div>
${notice(noticeCode)}
<div id="live" data-live-src="${collectionsFragmentUrl(pinned)}" data-live-name="Collections">
${collectionsLive(patients, ctx)}
</div>`;
}

export function collectionsLive(patients: CollectionPatient[], ctx: ViewContext): SafeHtml {
  const fmt = ctx.fmt;
  const total = patients.reduce((sum, p) => sum + p.totalOwed, 0);
  if (patients.length === 0) return html`<section class="panel"><p class="empty">Nobody owes anything that is due.</p></section>`;
  return html`<section class="panel" id="collections-summary">
  <h2>${patients.length} ${patients.length === 1 ? 'patient owes' : 'patients owe'} <small><span data-total="${total}">${fmt.amount(total)}</span> in all</small></h2>
  ${dataTable(
    'Patients who owe',
    [
      { head: 'Patient', cell: (p: CollectionPatient) => html`<a href="#patient-${p.patientId}">${p.patientName}</a>` },
      { head: 'Contact', wrap: true, cell: (p) => contactLinks(p) },
      { head: 'Invoices', num: true, cell: (p) => p.invoices.length },
      { head: 'Total owed', num: true, cell: (p) => html`<strong>${fmt.amount(p.totalOwed)}</strong>` },
      { head: 'Oldest due date', cell: (p) => fmt.date(p.oldestDueDate) },
      { head: 'Days overdue', num: true, cell: (p) => daysOverdue(p.daysOverdue) },
    ],
    patients,
    (p) => html` data-patient-id="${p.patientId}"`,
  )}
</section>
${patients.map(
  (p) => html`<section class="panel" id="patient-${p.patientId}" data-patient-id="${p.patientId}">
  <h2><span><a href="/dashboard/patients?search=${encodeURIComponent(p.patientName)}">${p.patientName}</a></span> <small>${fmt.amount(p.totalOwed)} owed</small></h2>
  ${dataTable(
    `Invoices owed by ${p.patientName}`,
    [
      { head: 'Invoice', cell: (i: CollectionInvoice) => `#${i.number}` },
      { head: 'Kind', cell: (i) => label(i.kind) },
      { head: 'Plan', cell: (i) => (i.purchaseId && i.planName ? html`<a href="/dashboard/purchases/${i.purchaseId}">${i.planName}</a>` : html`<span class="muted">—</span>`) },
      { head: 'Due date', cell: (i) => fmt.date(i.dueDate) },
      { head: 'Days overdue', num: true, cell: (i) => daysOverdue(i.daysOverdue) },
      { head: 'Balance due', num: true, cell: (i) => fmt.amount(i.balanceDue) },
      { head: 'Action', cell: (i) => paymentForm(i.invoiceId, i.balanceDue, ctx, `invoice #${i.number}, ${p.patientName}`) },
    ],
    p.invoices,
    (i) => html` data-invoice-id="${i.invoiceId}" data-days-overdue="${i.daysOverdue}"`,
  )}
</section>`,
)}`;
}
