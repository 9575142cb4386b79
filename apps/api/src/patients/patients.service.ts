import { Injectable } from '@nestjs/common';
import { raw, type FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, Family, Patient, todayIn } from '@app/billing';
import { ClinicsService } from '../clinics/clinics.service.js';
import { invalidField } from '../common/fields/invalid-field.js';
import { decodeCursor, pageLimit, toPage, type Page } from '../common/pagination.js';
import { notFound } from '../common/problem.exception.js';
import type { CreatePatientDto } from './dto/create-patient.dto.js';
import type { ListPatientsQuery } from './dto/list-patients.query.js';
import { toPatientResponse, type PatientResponse } from './dto/patient.response.js';
import type { UpdatePatientDto } from './dto/update-patient.dto.js';

@Injectable()
export class PatientsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clinics: ClinicsService,
  ) {}

  async create(clinicId: string, dto: CreatePatientDto): Promise<Patient> {
    await this.checkReferences(clinicId, dto);
    const patient = build(Patient, {
      clinicId,
      firstName: dto.firstName,
      lastName: dto.lastName,
      email: dto.email ?? null,
      phone: dto.phone ?? null,
      dateOfBirth: dto.dateOfBirth ?? null,
      familyId: dto.familyId?.toLowerCase() ?? null,
    });
    await this.em.persist(patient).flush();
    return patient;
  }

  /** A patient of the clinic; another clinic's is a 404 like a missing one. */
  async get(clinicId: string, id: string): Promise<Patient> {
    const patient = await this.em.findOne(Patient, { id, clinicId });
    if (!patient) throw notFound('Patient');
    return patient;
  }

  async update(clinicId: string, id: string, dto: UpdatePatientDto): Promise<Patient> {
    const em = this.em.fork();
    const patient = await em.findOne(Patient, { id, clinicId });
    if (!patient) throw notFound('Patient');
    await this.checkReferences(clinicId, dto);
    if (dto.firstName !== undefined) patient.firstName = dto.firstName;
    if (dto.lastName !== undefined) patient.lastName = dto.lastName;
    if (dto.email !== undefined) patient.email = dto.email;
    if (dto.phone !== undefined) patient.phone = dto.phone;
    if (dto.dateOfBirth !== undefined) patient.dateOfBirth = dto.dateOfBirth;
    if (dto.familyId !== undefined) patient.familyId = dto.familyId?.toLowerCase() ?? null;
    await em.flush();
    return patient;
  }

  async list(clinicId: string, query: ListPatientsQuery): Promise<Page<PatientResponse>> {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const where: FilterQuery<Patient> = { clinicId, ...(cursor ? { id: { $lt: cursor } } : {}) };
    const search = query.search?.trim();
    if (search) Object.assign(where, { $or: searchConditions(search) });
    const rows = await this.em.find(Patient, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return toPage(rows, limit, toPatientResponse);
  }

  /** A family of another clinic is unknown (404); a birth date is a past day in the clinic's calendar. */
  private async checkReferences(clinicId: string, dto: { familyId?: string | null; dateOfBirth?: string | null }): Promise<void> {
    if (dto.familyId) {
      const family = await this.em.count(Family, { id: dto.familyId.toLowerCase(), clinicId });
      if (!family) throw notFound('Family');
    }
    if (dto.dateOfBirth) {
      const today = todayIn(await this.clinics.timezoneOf(clinicId));
      if (dto.dateOfBirth > today) throw invalidField('dateOfBirth', 'dateOfBirth must not be in the future');
    }
  }
}

/** Case-insensitive substring of a name, "first last", email or phone (phone also by its digits alone). */
function searchConditions(search: string): FilterQuery<Patient>[] {
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const conditions: FilterQuery<Patient>[] = [
    { firstName: { $ilike: pattern } },
    { lastName: { $ilike: pattern } },
    { email: { $ilike: pattern } },
    { phone: { $ilike: pattern } },
    { [raw((alias) => `(${alias}.first_name || ' ' || ${alias}.last_name)`)]: { $ilike: pattern } },
  ];
  const digits = search.replace(/\D/g, '');
  if (digits.length >= 3 && /^[0-9 ().+\-/]+$/.test(search)) {
    conditions.push({ [raw((alias) => `regexp_replace(coalesce(${alias}.phone, ''), '\\D', '', 'g')`)]: { $like: `%${digits}%` } });
  }
  return conditions;
}
