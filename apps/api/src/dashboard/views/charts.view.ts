import { AGEING_BUCKETS, type AgeingReport, type LiabilityReport, type RevenueReport } from '@app/billing';
import { label, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';
import { dataTable } from './table.js';

// Charts drawn as SVG on the server (the CSP runs no third-party script), each followed by its
// table as the text alternative. Colours differ in lightness too, and every bar has its figure.

export interface ChartsData {
  ageing: AgeingReport;
  revenue: RevenueReport;
  liability: LiabilityReport;
}

const KIND_COLOURS: Record<string, string> = { membership: '#2f5bea', installment: '#b45309', service: '#0f766e', package: '#7c3aed' };
const BUCKET_LABELS: Record<string, string> = { current: 'Not yet due', '1-30': '1–30 days', '31-60': '31–60 days', '61-90': '61–90 days', 'over-90': 'Over 90 days' };

export function chartsPanel(data: ChartsData, fmt: Formatter): SafeHtml {
  return html`<section class="charts" id="charts" aria-label="Charts">
${ageingChart(data.ageing, fmt)}
${revenueChart(data.revenue, fmt)}
${liabilityChart(data.liability, fmt)}
</section>`;
}

/** Overdue ageing: one stacked bar per bucket, a layer per invoice kind, the bucket's money on top. */
export function ageingChart(report: AgeingReport, fmt: Formatter): SafeHtml {
  const kinds = [...new Set(report.buckets.map((b) => b.kind))].sort();
  const amount = (bucket: string, kind: string) => report.buckets.find((b) => b.bucket === bucket && b.kind === kind)?.balanceDue ?? 0;
  const totals = AGEING_BUCKETS.map((bucket) => kinds.reduce((sum, k) => sum + amount(bucket, k), 0));
  const grand = totals.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...totals);
  const W = 520, H = 220, top = 24, bottom = 34, left = 10, slot = (W - left * 2) / AGEING_BUCKETS.length, barW = slot * 0.56;
  const plot = H - top - bottom;
  const bars = AGEING_BUCKETS.map((bucket, i) => {
    let y = H - bottom;
    const x = left + i * slot + (slot - barW) / 2;
    const layers = kinds.map((kind) => {
      const h = (amount(bucket, kind) / max) * plot;
      y -= h;
      return h > 0 ? html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${KIND_COLOURS[kind] ?? '#475467'}"><title>${BUCKET_LABELS[bucket]}, ${label(kind)}: ${fmt.amount(amount(bucket, kind))}</title></rect>` : html``;
    });
    return html`${layers}<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 6).toFixed(1)}" text-anchor="middle" class="fig">${totals[i] > 0 ? fmt.amount(totals[i]) : ''}</text>
<text x="${(x + barW / 2).toFixed(1)}" y="${H - bottom + 18}" text-anchor="middle" class="axis">${BUCKET_LABELS[bucket]}</text>`;
  });
  const rows = AGEING_BUCKETS.map((bucket, i) => ({ bucket, total: totals[i] }));
  return html`<figure class="panel chart" id="ageing-chart">
  <h2>Overdue ageing <small>${fmt.amount(grand)} open, as of ${fmt.dateText(report.asOf)}</small></h2>
  <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Stacked bars of open balances by days overdue and invoice kind; the table below gives the figures" preserveAspectRatio="xMidYMid meet">
    <line x1="${left}" x2="${W - left}" y1="${H - bottom}" y2="${H - bottom}" class="base"/>${bars}
  </svg>
  ${legend(kinds.map((k) => ({ name: label(k), colour: KIND_COLOURS[k] ?? '#475467' })))}
  <details><summary>Figures</summary>${dataTable(
    'Overdue ageing figures',
    [{ head: 'Days overdue', cell: (r: (typeof rows)[number]) => BUCKET_LABELS[r.bucket] }, ...kinds.map((k) => ({ head: label(k), num: true, cell: (r: (typeof rows)[number]) => fmt.amount(amount(r.bucket, k)) })), { head: 'Total', num: true, cell: (r: (typeof rows)[number]) => fmt.amount(r.total) }],
    rows,
  )}</details>
</figure>`;
}

/** The last 30 days: payments and recognized revenue as lines, redemptions as bars beneath. */
export function revenueChart(report: RevenueReport, fmt: Formatter): SafeHtml {
  const days = report.days;
  const W = 520, H = 220, top = 18, left = 10, right = 10, moneyH = 120, visitsTop = 160, visitsH = 36;
  const n = Math.max(1, days.length);
  const step = (W - left - right) / n;
  const maxMoney = Math.max(1, ...days.map((d) => Math.max(d.payments, d.recognized)));
  const maxVisits = Math.max(1, ...days.map((d) => d.redemptions));
  const x = (i: number) => left + step * i + step / 2;
  const yMoney = (v: number) => top + moneyH - (v / maxMoney) * moneyH;
  const path = (pick: (d: (typeof days)[number]) => number) => days.map((d, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${yMoney(pick(d)).toFixed(1)}`).join(' ');
  const sum = (pick: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + pick(d), 0);
  const first = days[0]?.date ?? report.from;
  const last = days.at(-1)?.date ?? report.to;
  return html`<figure class="panel chart" id="revenue-chart">
  <h2>Last 30 days <small>payments ${fmt.amount(sum((d) => d.payments))} · recognized ${fmt.amount(sum((d) => d.recognized))} · ${sum((d) => d.redemptions)} redemptions</small></h2>
  <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Daily payments and recognized revenue as lines, redemptions as bars, ${fmt.dateText(first)} to ${fmt.dateText(last)}; the table below gives the figures">
    <line x1="${left}" x2="${W - right}" y1="${top + moneyH}" y2="${top + moneyH}" class="base"/>
    <text x="${left}" y="${top - 6}" class="axis">${fmt.amount(maxMoney)}</text>
    <path d="${path((d) => d.payments)}" class="line payments"/>
    <path d="${path((d) => d.recognized)}" class="line recognized"/>
    ${days.map((d, i) => {
      const h = (d.redemptions / maxVisits) * visitsH;
      return h > 0 ? html`<rect x="${(x(i) - step * 0.35).toFixed(1)}" y="${(visitsTop + visitsH - h).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" class="visits"><title>${fmt.dateText(d.date)}: ${d.redemptions} redemptions</title></rect>` : html``;
    })}
    <line x1="${left}" x2="${W - right}" y1="${visitsTop + visitsH}" y2="${visitsTop + visitsH}" class="base"/>
    <text x="${left}" y="${H - 4}" class="axis">${fmt.dateText(first)}</text>
    <text x="${W - right}" y="${H - 4}" text-anchor="end" class="axis">${fmt.dateText(last)}</text>
  </svg>
  ${legend([{ name: 'Payments', colour: '#2f5bea' }, { name: 'Recognized revenue', colour: '#0f766e' }, { name: 'Redemptions (visits)', colour: '#98a2b3' }])}
  <details><summary>Figures</summary>${dataTable(
    'Last 30 days figures',
    [
      { head: 'Date', cell: (d: (typeof days)[number]) => fmt.date(d.date) },
      { head: 'Payments', num: true, cell: (d) => fmt.amount(d.payments) },
      { head: 'Recognized', num: true, cell: (d) => fmt.amount(d.recognized) },
      { head: 'Redemptions', num: true, cell: (d) => d.redemptions },
    ],
    days,
  )}</details>
</figure>`;
}

/** The liability now: what the clinic still owes in unused visits, by plan, beside the totals. */
export function liabilityChart(report: LiabilityReport, fmt: Formatter): SafeHtml {
  const plans = [...report.plans].filter((p) => p.outstanding !== 0).sort((a, b) => b.outstanding - a.outstanding);
  const shown = plans.slice(0, 6);
  const W = 520, rowH = 30, left = 150, H = Math.max(1, shown.length) * rowH + 8;
  const max = Math.max(1, ...shown.map((p) => p.outstanding));
  const t = report.totals;
  return html`<figure class="panel chart" id="liability-chart">
  <h2>Liability now <small>${fmt.amount(t.outstanding)} owed in unused visits · ${t.unusedVisits} visits</small></h2>
  ${shown.length === 0
    ? html`<p class="empty">No unused paid visits: the clinic owes nothing.</p>`
    : html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Bars of the amount still owed in unused visits, by plan; the table below gives the figures">
    ${shown.map((p, i) => {
      const w = Math.max(2, (Math.max(0, p.outstanding) / max) * (W - left - 90));
      const y = 4 + i * rowH;
      return html`<text x="${left - 8}" y="${y + 18}" text-anchor="end" class="axis">${p.planName.length > 22 ? `${p.planName.slice(0, 21)}…` : p.planName}</text>
<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" class="owed"><title>${p.planName}: ${fmt.amount(p.outstanding)}</title></rect>
<text x="${(left + w + 6).toFixed(1)}" y="${y + 18}" class="fig">${fmt.amount(p.outstanding)}</text>`;
    })}
  </svg>`}
  <dl class="facts small">
    <div><dt>Paid</dt><dd>${fmt.amount(t.paid)}</dd></div><div><dt>Refunded</dt><dd>${fmt.amount(t.refunded)}</dd></div>
    <div><dt>Recognized</dt><dd>${fmt.amount(t.recognized)}</dd></div><div><dt>Forfeited</dt><dd>${fmt.amount(t.forfeited)}</dd></div>
    <div><dt>Outstanding</dt><dd>${fmt.amount(t.outstanding)}</dd></div>
  </dl>
  <details><summary>Figures</summary>${dataTable(
    'Liability figures by plan',
    [
      { head: 'Plan', cell: (p: (typeof report.plans)[number]) => p.planName },
      { head: 'Purchases', num: true, cell: (p) => p.purchases },
      { head: 'Unused visits', num: true, cell: (p) => p.unusedVisits },
      { head: 'Paid', num: true, cell: (p) => fmt.amount(p.paid) },
      { head: 'Recognized', num: true, cell: (p) => fmt.amount(p.recognized) },
      { head: 'Outstanding', num: true, cell: (p) => fmt.amount(p.outstanding) },
    ],
    report.plans,
  )}</details>
</figure>`;
}

function legend(items: { name: string; colour: string }[]): SafeHtml {
  return html`<ul class="legend">${items.map((i) => html`<li><svg width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" rx="2" fill="${i.colour}"/></svg>${i.name}</li>`)}</ul>`;
}
