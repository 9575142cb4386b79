import { COMMAND_TYPES, type ActivityItem, type CommandContext, type CommandResource, type CommandType, type DashboardInvoiceItem, type DashboardView, type IsoDate, type PatientContact } from '@app/billing';
import { notice, paymentForm, retryForm } from './actions.view.js';
import { chartsPanel, type ChartsData } from './charts.view.js';
import { badge, label, shortId, withShortIds, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';
import { canRetry, type ViewContext } from './page-context.js';
import { dataTable } from './table.js';

/** Rows shown per invoice list; the counts above always give the full numbers. */
const SHOWN_ROWS = 200;

export interface DashboardPageData {
  view: DashboardView;
  contexts: Map<string, CommandContext>;
  contacts: Map<string, PatientContact>;
  charts: ChartsData;
  /** The command retried from this page (?retried=), followed until it finishes. */
  retried: { command: CommandResource; context: CommandContext } | null;
  activityType: CommandType | null;
}

export interface DashboardQueryState {
  asOf: IsoDate | null;
  type: CommandType | null;
  retried: string | null;
}

function query(state: DashboardQueryState): string {
  const params = new URLSearchParams();
  if (state.asOf) params.set('asOf', state.asOf);
  if (state.type) params.set('type', state.type);
  if (state.retried) params.set('retried', state.retried);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const dashboardFragmentUrl = (state: DashboardQueryState) => `/dashboard/fragment${query(state)}`;
export const dashboardPath = (state: DashboardQueryState) => `/dashboard${query(state)}`;

/** The dashboard's content: the date picker and search (static), then the live region. */
export function dashboardContent(
  data: DashboardPageData,
  today: IsoDate,
  state: DashboardQueryState,
  ctx: ViewContext,
  extras: { asOfError?: string; typedAsOf?: string; notice?: string } = {},
): SafeHtml {
  const { view } = data;
  const fmt = ctx.fmt;
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
    <form class="inline" method="get" action="/dashboard" id="as-of-form" novalidate>
      <label class="field" for="as-of">As of</label>
      <input type="date" id="as-of" name="asOf" value="${extras.typedAsOf ?? view.asOf}" required${extras.asOfError ? html` aria-invalid="true" aria-describedby="as-of-error"` : ''}>
      ${state.type ? html`<input type="hidden" name="type" value="${state.type}">` : ''}
      <button type="submit">Show</button>
    </form>
    <a class="button secondary" href="/dashboard/collections${view.asOf === today ? '' : `?asOf=${view.asOf}`}">Collections</a>
    <a class="button secondary" id="csv-overdue" href="/dashboard/overdue.csv?asOf=${view.asOf}" download>CSV of the overdue lists</a>
  </div>
</div>
${extras.asOfError ? html`<p class="notice" role="alert" id="as-of-error">${extras.asOfError}</p>` : ''}
${notice(extras.notice)}
<div id="live" data-live-src="${dashboardFragmentUrl(state)}" data-live-name="Dashboard">
${dashboardLive(data, state, ctx)}
</div>`;
}

/** The part refreshed when a command finishes: counts, charts, the overdue lists, activity and failures. */
export function dashboardLive(data: DashboardPageData, state: DashboardQueryState, ctx: ViewContext): SafeHtml {
  const { view } = data;
  const fmt = ctx.fmt;
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
${data.retried ? retriedPanel(data.retried) : ''}
${chartsPanel(data.charts, fmt)}
${invoicePanel('unpaid-memberships', 'Unpaid membership invoices', view.unpaidMembershipInvoices, c.unpaidMembershipInvoices, 'No unpaid membership invoice is due.', data.contacts, ctx)}
${invoicePanel('overdue-installments', 'Overdue instalments', view.overdueInstallments, c.overdueInstallments, 'No instalment is due.', data.contacts, ctx)}
${view.failedCommands.length > 0
  ? // Failed commands need the page's width (patient, invoice, what happened, Retry) and come first.
    html`${failedPanel(data, ctx)}${activityPanel(data, state, fmt)}`
  : html`<div class="columns">
  ${activityPanel(data, state, fmt)}
  ${failedPanel(data, ctx)}
</div>`}`;
}

function retriedPanel({ command, context }: NonNullable<DashboardPageData['retried']>): SafeHtml {
  const who = context.patientName ? ` for ${context.patientName}` : '';
  return html`<section class="panel" id="retried" data-command-id="${command.id}" data-toast="${label(command.type)} ${command.status}${who}">
  <h2>Retried command</h2>
  <p class="retried-line">${badge(command.status)} <span>${label(command.type)} ${shortId(command.id)}${who}${context.invoiceNumber ? `, invoice #${context.invoiceNumber}` : ''} · ${command.attempts} attempts so far</span></p>
</section>`;
}

function activityPanel(data: DashboardPageData, state: DashboardQueryState, fmt: Formatter): SafeHtml {
  const items = data.view.recentActivity;
  return html`<section class="panel" id="recent-activity">
    <h2>Recent activity <small>finished commands, newest first</small></h2>
    <form class="inline filter" method="get" action="/dashboard">
      ${state.asOf ? html`<input type="hidden" name="asOf" value="${state.asOf}">` : ''}
      <label for="activity-type">Show</label>
      <select id="activity-type" name="type">
        <option value="">Every kind</option>
        ${COMMAND_TYPES.map((t) => html`<option value="${t}"${state.type === t ? html` selected` : ''}>${label(t)}</option>`)}
      </select>
      <button type="submit" class="button secondary">Filter</button>
    </form>
    ${items.length === 0
      ? html`<p class="empty">Nothing yet${state.type ? ` of that kind` : ''}.</p>`
      : html`<ul class="feed">${items.map((a) => activityLine(a, data.contexts.get(a.commandId) ?? {}, fmt))}</ul>`}
  </section>`;
}

function activityLine(a: ActivityItem, context: CommandContext, fmt: Formatter): SafeHtml {
  const who = context.patientName ? ` for ${context.patientName}` : '';
  const toast = `${label(a.type)} ${a.status}${who}`;
  return html`<li data-command-id="${a.commandId}" data-type="${a.type}" data-toast="${toast}">${badge(a.status)}<span class="what">${prose(a.summary, fmt)}${a.amount !== undefined ? html` · <strong>${fmt.amount(a.amount)}</strong>` : ''}</span>
  <span class="about">${contextLinks(context)}</span>
  <span class="when">${label(a.type)} · ${fmt.at(a.at)}</span></li>`;
}

/** The patient (to their page), the plan (to the purchase) and the invoice a command concerns. */
function contextLinks(context: CommandContext): SafeHtml {
  const parts: SafeHtml[] = [];
  if (context.patientName) parts.push(html`<a href="/dashboard/patients?search=${encodeURIComponent(context.patientName)}">${context.patientName}</a>`);
  if (context.purchaseId && context.planName) parts.push(html`<a href="/dashboard/purchases/${context.purchaseId}">${context.planName}</a>`);
  if (context.invoiceNumber !== undefined) parts.push(html`invoice #${context.invoiceNumber}`);
  // Links among plain words are underlined: colour alone does not tell them apart (axe link-in-text-block).
  return html`<span class="context">${parts.map((p, i) => html`${i > 0 ? ' · ' : ''}${p}`)}</span>`;
}

/** A summary made for people: ids shortened, dates in the clinic's format, "1 visit" not "1 visit(s)". */
export function prose(summary: string, fmt: Formatter): SafeHtml {
  const text = summary
    .replace(/\b(\d+) visit\(s\)/g, (_, n: string) => `${n} ${n === '1' ? 'visit' : 'visits'}`)
    .replace(/\bvisit\(s\)/g, 'visits')
    .replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d: string) => fmt.dateText(d));
  return withShortIds(text);
}

function failedPanel(data: DashboardPageData, ctx: ViewContext): SafeHtml {
  const failed = data.view.failedCommands;
  const retry = canRetry(ctx.role);
  return html`<section class="panel" id="failed-commands">
    <h2>Failed commands <small>retries exhausted</small></h2>
    ${failed.length === 0
      ? html`<p class="empty">None: every command finished.</p>`
      : dataTable(
          'Failed commands',
          [
            { head: 'Command', cell: (f: CommandResource) => html`${label(f.type)} ${shortId(f.id)}` },
            { head: 'Patient', cell: (f) => contextLinks({ ...pick(data.contexts.get(f.id), ['patientName']) }) },
            { head: 'Invoice', cell: (f) => contextLinks({ ...pick(data.contexts.get(f.id), ['purchaseId', 'planName', 'invoiceNumber']) }) },
            { head: 'What happened', wrap: true, cell: (f) => failedDetail(f) },
            { head: 'Attempts', num: true, cell: (f) => f.attempts },
            { head: 'Created', cell: (f) => ctx.fmt.at(f.createdAt) },
            ...(retry ? [{ head: 'Action', cell: (f: CommandResource) => retryForm(f.id, ctx, `${label(f.type)} ${f.id.slice(-8)}`) }] : []),
          ],
          failed,
          (f) => html` data-command-id="${f.id}"`,
        )}
  </section>`;
}

function pick(context: CommandContext | undefined, fields: (keyof CommandContext)[]): CommandContext {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (context?.[f] !== undefined) out[f] = context[f];
  if (fields.includes('patientName') && context?.patientId) out.patientId = context.patientId;
  return out as CommandContext;
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

function invoicePanel(id: string, title: string, items: DashboardInvoiceItem[], total: number, none: string, contacts: Map<string, PatientContact>, ctx: ViewContext): SafeHtml {
  const fmt = ctx.fmt;
  const shown = items.slice(0, SHOWN_ROWS);
  const owed = items.reduce((sum, i) => sum + i.balanceDue, 0);
  return html`<section class="panel" id="${id}">
  <h2>${title} <small>${total === 0 ? '' : html`${total} open · <span class="owed" data-total="${owed}">${fmt.amount(owed)} due</span> · most overdue first`}</small></h2>
  ${shown.length === 0
    ? html`<p class="empty">${none}</p>`
    : dataTable(
        title,
        [
          { head: 'Invoice', cell: (i: DashboardInvoiceItem) => `#${i.number}` },
          { head: 'Patient', cell: (i) => html`<a href="/dashboard/patients?search=${encodeURIComponent(i.patientName)}">${i.patientName}</a>` },
          { head: 'Contact', wrap: true, cell: (i) => contactLinks(contacts.get(i.patientId)) },
          { head: 'Plan', cell: (i) => html`<a href="/dashboard/purchases/${i.purchaseId}">${i.planName}</a>` },
          { head: 'Amount', num: true, cell: (i) => fmt.amount(i.amount) },
          { head: 'Balance due', num: true, cell: (i) => fmt.amount(i.balanceDue) },
          { head: 'Due date', cell: (i) => fmt.date(i.dueDate) },
          { head: 'Days overdue', num: true, cell: (i) => daysOverdue(i.daysOverdue) },
          { head: 'Action', cell: (i) => paymentForm(i.invoiceId, i.balanceDue, ctx, `invoice #${i.number}, ${i.patientName}`) },
        ],
        shown,
        (i) => html` data-invoice-id="${i.invoiceId}" data-days-overdue="${i.daysOverdue}"`,
        html`<tfoot><tr><th scope="row" colspan="5">Total of ${total} open</th><td class="num" data-label="Total due">${fmt.amount(owed)}</td><td colspan="3"></td></tr></tfoot>`,
      )}
${total > shown.length ? html`<p class="more">Showing the ${shown.length} most overdue of ${total}.</p>` : ''}
</section>`;
}

export function contactLinks(contact: PatientContact | undefined): SafeHtml {
  if (!contact || (!contact.phone && !contact.email)) return html`<span class="muted">no contact</span>`;
  return html`${contact.phone ? html`<a class="tel" href="tel:${contact.phone.replace(/[^\d+]/g, '')}">${contact.phone}</a>` : ''}${contact.phone && contact.email ? html`<br>` : ''}${contact.email ? html`<a href="mailto:${contact.email}">${contact.email}</a>` : ''}`;
}

export function daysOverdue(days: number): SafeHtml {
  if (days <= 0) return html`<span class="days today">${days < 0 ? `Due in ${-days} ${days === -1 ? 'day' : 'days'}` : 'Due today'}</span>`;
  const tone = days >= 30 ? 'very-late' : 'late';
  return html`<span class="days ${tone}">${days} ${days === 1 ? 'day' : 'days'}</span>`;
}
