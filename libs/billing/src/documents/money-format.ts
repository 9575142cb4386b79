/** The locale documents and the dashboard use when a clinic names none. */
export const DEFAULT_LOCALE = 'en-CA';

/**
 * Minor units as the clinic's currency and locale: 12000 → "$120.00" (CAD, en-CA). One place,
 * so the dashboard, receipts and statements print the same figures.
 */
export function moneyFormat(currency: string, locale = DEFAULT_LOCALE): (minor: number) => string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const minorDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return (minor) => format.format(minor / 10 ** minorDigits);
}

/** A locale Intl accepts, or the default (a clinic's setting is data, not trusted code). */
export function usableLocale(locale: unknown): string {
  if (typeof locale !== 'string' || locale.length === 0) return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** Dates for documents: calendar dates as they are, instants in the clinic's time zone. */
export class DocumentDates {
  private readonly calendar: Intl.DateTimeFormat;
  private readonly day: Intl.DateTimeFormat;
  private readonly instant: Intl.DateTimeFormat;

  constructor(timeZone: string, locale = DEFAULT_LOCALE) {
    // A calendar date (YYYY-MM-DD) has no zone: read and shown in UTC so it never shifts a day.
    this.calendar = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' });
    this.day = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
    this.instant = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  }

  /** "Nov 14, 2026" for 2026-11-14. */
  date(iso: string): string {
    return this.calendar.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
  }

  /** The clinic's day of an instant. */
  dayOf(at: Date | string): string {
    return this.day.format(new Date(at));
  }

  /** An instant with its time, in the clinic's time zone. */
  at(at: Date | string): string {
    return this.instant.format(new Date(at));
  }
}
