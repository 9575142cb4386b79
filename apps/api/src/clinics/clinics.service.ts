import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, Clinic, DEFAULT_CLINIC_SETTINGS, newApiKey } from '@app/billing';
import { notFound } from '../common/problem.exception.js';
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
      settings: { ...DEFAULT_CLINIC_SETTINGS, ...definedOnly(dto.settings) },
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
    const em = this.em.fork();
    const clinic = await em.findOne(Clinic, { id: clinicId });
    if (!clinic) throw notFound('Clinic');
    // A new object, so the JSON column is seen as changed; only `settings` is written (never invoice_seq).
    clinic.settings = { ...DEFAULT_CLINIC_SETTINGS, ...clinic.settings, ...definedOnly(dto) };
    await em.flush();
    return clinic;
  }
}

// Zones are matched case-insensitively; keep the IANA spelling ('america/toronto' → 'America/Toronto')
// without resolving links, which would surprise ('EST' resolves to 'America/Panama').
const ZONES = new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((z) => [z.toLowerCase(), z]));
const zoneSpelling = (zone: string) => ZONES.get(zone.toLowerCase()) ?? zone;

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
