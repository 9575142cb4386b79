import type { DashboardInvoiceItem, DashboardView, IsoDate } from '@app/billing';
import { badge, label, shortId, withShortIds, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';

/** Rows shown per invoice list; the counts above always give the full numbers. */
const SHOWN_ROWS = 200;

export const dashboardFragmentUrl = (asOf: IsoDate | null) => `/dashboard/fragment${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`;

/** The dashboard's content: the date picker and search (static), then the live region. */
export function dashboardContent(view: DashboardView, today: IsoDate, pinnedAsOf: IsoDate | null, fmt: Formatter): SafeHtml {
  const isToday = view.asOf === today;
  return html`<div class="toolbar">
  <div>
    <h1>Dashboard</h1>
    <p class="sub">As of ${fmt.date(view.asOf)}${isToday ? ' (today)' : html` · <a href="/dashboard">back to today</a>`}</p>
  </div>
  <div class="tools">
    <form class="inline" method="get" action="/dashboard/patients" role="search">
      <input type="search" name="search" placeholder="Find a patient: name, email or phone" aria-label="Search patients" maxlength="200">
      <button type="submit" class="button secondary">Search</button>
    </form>
    <form class="inline" method="get" action="/dashboard" id="as-of-form">
      <label class="field">As of <input type="date" name="asOf" value="${view.asOf}" required></label>
      <button type="submit">Show</button>
    </form>
  </div>
</div>
<div id="live" data-live-src="${dashboardFragmentUrl(pinnedAsOf)}">
${dashboardLive(view, fmt)}
</div>`;
}

/** The part refreshed when a command finishes: counts, the overdue lists, activity and failures. */
export function dashboardLive(view: DashboardView, fmt: Formatter): SafeHtml {
  const c = view.counts;
  const card = (id: string, n: number, text: string, tone = '') => html`<div class="card ${n > 0 ? tone : ''}" data-count="${id}"><div class="n">${n}</div><div class="l">${text}</div></div>`;
  return html`<div class="cards">
  ${card('unpaidMembershipInvoices', c.unpaidMembershipInvoices, 'Unpaid memberships', 'warn')}
  ${card('overdueInstallments', c.overdueInstallments, 'Overdue instalments', 'warn')}
  ${card('failedCommands', c.failedCommands, 'Failed commands', 'alert')}
  ${card('queuedCommands', c.queuedCommands, 'Queued')}
  ${card('runningCommands', c.runningCommands, 'Running')}
  ${card('activePurchases', c.activePurchases, 'Active purchases')}
</div>
${invoicePanel('unpaid-memberships', 'Unpaid membership invoices', view.unpaidMembershipInvoices, c.unpaidMembershipInvoices, 'No unpaid membership invoice is due.', fmt)}
${invoicePanel('overdue-installments', 'Overdue instalments', view.overdueInstallments, c.overdueInstallments, 'No instalment is due.', fmt)}
<div class="columns">
  <section class="panel" id="recent-activity">
    <h2>Recent activity <small>finished commands, newest first</small></h2>
    ${view.recentActivity.length === 0
      ? html`<p class="empty">Nothing yet.</p>`
      : html`<ul class="feed">${view.recentActivity.map(
          (a) => html`<li data-command-id="${a.commandId}">${badge(a.status)}<span class="what">${withShortIds(a.summary)}</span><span class="when">${label(a.type)} · ${fmt.at(a.at)}</span></li>`,
        )}</ul>`}
  </section>
  <section class="panel" id="failed-commands">
    <h2>Failed commands <small>retries exhausted</small></h2>
    ${view.failedCommands.length === 0
      ? html`<p class="empty">None: every command finished.</p>`
      : html`<div class="scroll"><table>
  <thead><tr><th>Command</th><th>Error</th><th class="num">Attempts</th><th>Created</th></tr></thead>
  <tbody>${view.failedCommands.map(
    (f) => html`<tr data-command-id="${f.id}"><td>${label(f.type)} ${shortId(f.id)}</td><td class="wrap">${f.error?.code ?? ''}<br><span class="muted">${failedDetail(f)}</span></td><td class="num">${f.attempts}</td><td>${fmt.at(f.createdAt)}</td></tr>`,
  )}</tbody>
</table></div>`}
  </section>
</div>`;
}

/**
 * A failed command's detail names its correlation id and never the internal error (that is in the
 * worker's log). Rows stored before that rule may still hold one: they get a generic line too.
 */
export function failedDetail(f: { id: string; attempts: number; error?: { detail?: string } }): string {
  const detail = f.error?.detail ?? '';
  return /^The command failed after \d+ attempts; quote (correlation|command) id \S+ to support$/.test(detail)
    ? detail
    : `The command failed after ${f.attempts} attempts; quote command id ${f.id} to support`;
}

function invoicePanel(id: string, title: string, items: DashboardInvoiceItem[], total: number, none: string, fmt: Formatter): SafeHtml {
  const shown = items.slice(0, SHOWN_ROWS);
  return html`<section class="panel" id="${id}">
  <h2>${title} <small>${total === 0 ? '' : `${total} open · most overdue first`}</small></h2>
  ${shown.length === 0
    ? html`<p class="empty">${none}</p>`
    : html`<div class="scroll"><table>
  <thead><tr><th>Invoice</th><th>Patient</th><th>Plan</th><th class="num">Amount</th><th class="num">Balance due</th><th>Due date</th><th class="num">Days overdue</th></tr></thead>
  <tbody>${shown.map(
    (i) => html`<tr data-invoice-id="${i.invoiceId}" data-days-overdue="${i.daysOverdue}">
    <td>#${i.number}</td>
    <td><a href="/dashboard/patients?search=${encodeURIComponent(i.patientName)}">${i.patientName}</a></td>
    <td><a href="/dashboard/purchases/${i.purchaseId}">${i.planName}</a></td>
    <td class="num">${fmt.amount(i.amount)}</td>
    <td class="num">${fmt.amount(i.balanceDue)}</td>
    <td>${fmt.date(i.dueDate)}</td>
    <td class="num">${daysOverdue(i.daysOverdue)}</td>
  </tr>`,
  )}</tbody>
</table></div>
${total > shown.length ? html`<p class="more">Showing the ${shown.length} most overdue of ${total}.</p>` : ''}`}
</section>`;
}

function daysOverdue(days: number): SafeHtml {
  if (days <= 0) return html`<span class="days today">Due today</span>`;
  const tone = days >= 30 ? 'very-late' : 'late';
  return html`<span class="days ${tone}">${days} ${days === 1 ? 'day' : 'days'}</span>`;
}
