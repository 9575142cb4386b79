import { usableLocale } from './money-format.js';

/** A tax as documents print it: its code, its name, its rate (thousandths of a percent) and amount. */
export interface DocumentTax {
  code: string;
  name: string;
  rateMilliPercent: number | null;
  amount: number;
}

/** The clinic as its documents show it. */
export interface DocumentClinic {
  name: string;
  /** Printed when the clinic has one (settings.taxNumber); null until it is set. */
  taxNumber: string | null;
  currency: string;
  timezone: string;
  locale: string;
}

interface ClinicTaxSetting {
  code: string;
  name?: string;
}

/** The clinic's row and settings, read defensively: tax settings may be absent (no taxes yet). */
export function documentClinic(row: { name: string; currency: string; timezone: string; settings: unknown }): DocumentClinic & { taxNames: Map<string, string> } {
  const settings = (typeof row.settings === 'string' ? JSON.parse(row.settings) : (row.settings ?? {})) as Record<string, unknown>;
  const taxNumber = typeof settings.taxNumber === 'string' && settings.taxNumber.trim() !== '' ? settings.taxNumber.trim() : null;
  const taxes = Array.isArray(settings.taxes) ? (settings.taxes as ClinicTaxSetting[]) : [];
  return {
    name: row.name,
    taxNumber,
    currency: row.currency,
    timezone: row.timezone,
    locale: usableLocale(settings.locale),
    taxNames: new Map(taxes.filter((t) => typeof t?.code === 'string').map((t) => [t.code, typeof t.name === 'string' ? t.name : t.code])),
  };
}

/**
 * A line's taxes from its row: `taxes` as the tax engineers store them ({ code, rateMilliPercent
 * or rateBp, amount }); none while the column does not exist.
 */
export function rowTaxes(raw: unknown, names: Map<string, string>): DocumentTax[] {
  const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!Array.isArray(list)) return [];
  return list.flatMap((t: Record<string, unknown>) => {
    if (typeof t?.code !== 'string') return [];
    const rate = typeof t.rateMilliPercent === 'number' ? t.rateMilliPercent : typeof t.rateBp === 'number' ? t.rateBp * 10 : null;
    return [{ code: t.code, name: names.get(t.code) ?? t.code, rateMilliPercent: rate, amount: Number(t.amount ?? 0) }];
  });
}

/** Taxes summed per code, in the order codes first appear. */
export function taxesPerCode(taxes: readonly DocumentTax[]): DocumentTax[] {
  const byCode = new Map<string, DocumentTax>();
  for (const t of taxes) {
    const seen = byCode.get(t.code);
    if (seen) byCode.set(t.code, { ...seen, amount: seen.amount + t.amount, rateMilliPercent: seen.rateMilliPercent === t.rateMilliPercent ? seen.rateMilliPercent : null });
    else byCode.set(t.code, { ...t });
  }
  return [...byCode.values()];
}
