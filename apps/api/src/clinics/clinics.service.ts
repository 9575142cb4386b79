import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { build, Clinic, DEFAULT_CLINIC_SETTINGS, formatRate, newApiKey, parseRate, removedTaxCodes, type ClinicTax } from '@app/billing';
import { notFound, ProblemException } from '../common/problem.exception.js';
import type { ClinicSettingsDto } from './dto/clinic-settings.dto.js';
import type { CreateClinicDto } from './dto/create-clinic.dto.js';

@Injectable()
export class ClinicsService {
  constructor(private readonly em: EntityManager) {}

  /** The clinic and its first owner key, together or not at all. */
  async create(dto: CreateClinicDto): Promise<{ clinic: Clinic; ownerKey: string }> {
    const clinic = build(Clinic, {
      name: dto.name,
      currency: dto.currency,
      timezone: zoneSpelling(dto.timezone),
      settings: { ...DEFAULT_CLINIC_SETTINGS, ...definedOnly(dto.settings), ...(dto.settings?.taxes ? { taxes: dto.settings.taxes.map(canonicalTax) } : {}) },
    });
    const { row: key, key: ownerKey } = newApiKey(clinic.id, 'Owner', 'owner');
    await this.em.fork().transactional(async (tx) => {
      tx.persist(clinic);
      tx.persist(key);
    });
    return { clinic, ownerKey };
  }

  async get(clinicId: string): Promise<Clinic> {
    const clinic = await this.em.findOne(Clinic, { id: clinicId });
    if (!clinic) throw notFound('Clinic');
    return clinic;
  }

  /** Calendar dates (today, service dates, due dates) are days in this zone. */
  async timezoneOf(clinicId: string): Promise<string> {
    return (await this.get(clinicId)).timezone;
  }

  async updateSettings(clinicId: string, dto: ClinicSettingsDto): Promise<Clinic> {
    // The clinic's row lock orders this against services and plans naming its tax codes (they read it `for share`).
    return this.em.fork().transactional(async (em) => {
      const clinic = await em.findOne(Clinic, { id: clinicId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!clinic) throw notFound('Clinic');
      const changes = { ...definedOnly(dto), ...(dto.taxes ? { taxes: dto.taxes.map(canonicalTax) } : {}) };
      if (changes.taxes) await this.refuseRemovingUsedCodes(em, clinicId, removedTaxCodes(clinic.settings.taxes ?? [], changes.taxes));
      // A new object, so the JSON column is seen as changed; only `settings` is written (never invoice_seq).
      clinic.settings = { ...DEFAULT_CLINIC_SETTINGS, ...clinic.settings, ...changes };
      return clinic;
    });
  }

  /** 409 tax_code_in_use when a service or plan of the clinic still names a removed code. */
  private async refuseRemovingUsedCodes(em: EntityManager, clinicId: string, removed: string[]): Promise<void> {
    if (!removed.length) return;
    const used = await em.getConnection().execute<{ code: string }[]>(
      `select distinct c.code from (select jsonb_array_elements_text(tax_codes) as code from service where clinic_id = ?
         union all select jsonb_array_elements_text(tax_codes) from plan where clinic_id = ?) c where c.code = any(?::text[]) order by c.code`,
      [clinicId, clinicId, `{${removed.join(',')}}`],
    );
    if (used.length) {
      const codes = used.map((r) => r.code);
      throw new ProblemException('tax_code_in_use', `A service or plan still uses ${codes.join(', ')}: take the code off them first`, { codes });
    }
  }
}

// Zones are matched case-insensitively; keep the IANA spelling ('america/toronto' → 'America/Toronto')
// without resolving links, which would surprise ('EST' resolves to 'America/Panama').
const ZONES = new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((z) => [z.toLowerCase(), z]));
const zoneSpelling = (zone: string) => ZONES.get(zone.toLowerCase()) ?? zone;

/** The rate as its shortest text ("13.000" → "13"), the name trimmed. */
const canonicalTax = (t: ClinicTax): ClinicTax => ({ code: t.code, name: t.name, rate: formatRate(parseRate(t.rate)) });

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
