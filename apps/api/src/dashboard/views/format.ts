import { moneyFormat } from '@app/billing';
import { html, type SafeHtml } from './html.js';

/** How one clinic wants numbers and dates shown (its currency and time zone). */
export class Formatter {
  private readonly money: (minor: number) => string;
  private readonly instant: Intl.DateTimeFormat;

  constructor(
    readonly currency: string,
    readonly timeZone: string,
  ) {
    // The library's formatter: receipts and statements print the same figures.
    this.money = moneyFormat(currency);
    this.instant = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  }

  /** Minor units (cents) as the clinic's currency: 12000 → $120.00. */
  amount(minor: number): string {
    return this.money(minor);
  }

  /** A calendar date (YYYY-MM-DD) in a <time> element, shown as "Nov 14, 2026". */
  date(iso: string | null | undefined): SafeHtml {
    if (!iso) return html`<span class="muted">—</span>`;
    return html`<time datetime="${iso}">${DATE.format(new Date(`${iso}T00:00:00Z`))}</time>`;
  }

  /** An instant in the clinic's time zone. */
  at(iso: string): SafeHtml {
    return html`<time datetime="${iso}">${this.instant.format(new Date(iso))}</time>`;
  }
}

const DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', dateStyle: 'medium' });

/** snake_case or lower words as a label: front_desk → Front desk. */
export function label(value: string): string {
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const TONES: Record<string, string> = {
  active: 'ok',
  paid: 'ok',
  succeeded: 'ok',
  open: 'info',
  queued: 'info',
  running: 'info',
  overdue: 'warn',
  rejected: 'warn',
  exhausted: 'muted',
  expired: 'muted',
  void: 'muted',
  cancelled: 'muted',
  failed: 'bad',
};

/** A coloured status pill. */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${TONES[status] ?? 'muted'}">${label(status)}</span>`;
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Text with the UUIDs it mentions shortened (an activity summary names invoices by id). */
export function withShortIds(text: string): SafeHtml {
  const parts: unknown[] = [];
  let last = 0;
  for (const match of text.matchAll(UUIDS)) {
    parts.push(text.slice(last, match.index), shortId(match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

/**
 * The last block of a UUID, enough to tell rows apart on screen (the full id is in the title).
 * Not the first: a v7 id starts with its timestamp, shared by everything made in the same minute.
 */
export function shortId(id: string): SafeHtml {
  return html`<code title="${id}">…${id.slice(-8)}</code>`;
}
