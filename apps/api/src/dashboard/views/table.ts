import { html, type SafeHtml } from './html.js';

export interface Column<T> {
  head: string;
  cell: (row: T) => unknown;
  num?: boolean;
  wrap?: boolean;
}

/**
 * A table in a keyboard-scrollable region (tabindex=0, role=region, named), each cell labelled
 * with its column's head so that below 640 px the rows read as cards (the stylesheet shows the
 * label beside the value). `rowAttrs` renders the row's attributes (they start the <tr>).
 */
export function dataTable<T>(label: string, columns: Column<T>[], rows: readonly T[], rowAttrs: (row: T) => SafeHtml = () => html``, foot?: SafeHtml): SafeHtml {
  const cls = (c: Column<T>) => [c.num ? 'num' : '', c.wrap ? 'wrap' : ''].filter(Boolean).join(' ');
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${label}"><table class="stack">
  <thead><tr>${columns.map((c) => html`<th scope="col"${cls(c) ? html` class="${cls(c)}"` : ''}>${c.head}</th>`)}</tr></thead>
  <tbody>${rows.map((row) => html`<tr${rowAttrs(row)}>${columns.map((c) => html`<td data-label="${c.head}"${cls(c) ? html` class="${cls(c)}"` : ''}>${c.cell(row)}</td>`)}</tr>`)}</tbody>${foot ?? ''}
</table></div>`;
}
