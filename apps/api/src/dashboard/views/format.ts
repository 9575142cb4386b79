import { moneyFormat } from '@app/billing';
import { html, type SafeHtml } from './html.js';

/** How one clinic wants numbers and dates shown (its currency and time zone). */
export class Formatter {
  private readonly money: (minor: number) => string;
  private readonly instant: Intl.DateTimeFormat;
  private readonly clock: Intl.DateTimeFormat;

  constructor(
    readonly currency: string,
    readonly timeZone: string,
  ) {
    // The library's formatter: receipts and statements print the same figures.
    this.money = moneyFormat(currency);
    this.instant = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    this.clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  /** Minor units (cents) as the clinic's currency: 12000 → $120.00. */
  amount(minor: number): string {
    return this.money(minor);
  }

  /** A calendar date as plain text ("Nov 14, 2026"), for prose and chart labels. */
  dateText(iso: string): string {
    return DATE.format(new Date(`${iso}T00:00:00Z`));
  }

  /** A calendar date (YYYY-MM-DD) in a <time> element, shown as "Nov 14, 2026". */
  date(iso: string | null | undefined): SafeHtml {
    if (!iso) return html`<span class="muted">—</span>`;
    return html`<time datetime="${iso}">${DATE.format(new Date(`${iso}T00:00:00Z`))}</time>`;
  }

  /** The clock time of an instant in the clinic's time zone (HH:MM). */
  time(iso: string): string {
    return this.clock.format(new Date(iso));
  }

  /** An instant in the clinic's time zone. */
  at(iso: string): SafeHtml {
    return html`<time datetime="${iso}">${this.instant.format(new Date(iso))}</time>`;
  }
}

const DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', dateStyle: 'medium' });

/** Words spelt one way on every page (British "instalment", as the clinic's documents). */
const SPELLINGS: Record<string, string> = { installment: 'Instalment', installments: 'Instalments', e_transfer: 'E-transfer', over_90: 'Over 90 days' };

/** snake_case or lower words as a label: front_desk → Front desk. */
export function label(value: string): string {
  if (SPELLINGS[value]) return SPELLINGS[value];
  const words = value.replace(/_/g, ' ').replace(/\binstallment/gi, 'instalment');
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
  written_off: 'muted',
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
