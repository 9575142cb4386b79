import type { EntityManager } from '@mikro-orm/postgresql';
import { newApiKey } from '../auth/api-keys.js';
import { isValidTimeZone } from '../domain/dates.js';
import { ROLES, type Role } from '../entities/api-key.entity.js';
import { build } from '../entities/base.js';
import { Clinic, DEFAULT_CLINIC_SETTINGS } from '../entities/clinic.entity.js';

// What the platform operator does without the HTTP API (CLI, demo seed): a clinic with its first
// owner key, and more keys. Keys are returned once and stored only as their hash.

export class SetupError extends Error {}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function assertCurrency(currency: string): void {
  if (!/^[A-Z]{3}$/.test(currency) || !CURRENCIES.has(currency)) throw new SetupError(`currency must be an ISO 4217 code such as CAD (got ${currency})`);
}

export function assertTimeZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) throw new SetupError(`timezone must be an IANA time zone such as America/Toronto (got ${timezone})`);
}

export function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new SetupError(`role must be one of ${ROLES.join(', ')} (got ${role})`);
}

export async function createClinicWithOwnerKey(
  em: EntityManager,
  input: { name: string; currency: string; timezone: string },
): Promise<{ clinic: Clinic; ownerKey: string; ownerKeyId: string }> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new SetupError('name must be 1 to 200 characters');
  assertCurrency(input.currency);
  assertTimeZone(input.timezone);
  const clinic = build(Clinic, { name, currency: input.currency, timezone: input.timezone, settings: { ...DEFAULT_CLINIC_SETTINGS } });
  const { row: key, key: ownerKey } = newApiKey(clinic.id, 'Owner', 'owner');
  await em.fork().transactional(async (tx) => {
    tx.persist(clinic);
    tx.persist(key);
  });
  return { clinic, ownerKey, ownerKeyId: key.id };
}

export async function createApiKey(em: EntityManager, input: { clinicId: string; role: string; name: string }): Promise<{ id: string; key: string; role: Role }> {
  assertRole(input.role);
  const name = input.name.trim();
  if (!name || name.length > 200) throw new SetupError('name must be 1 to 200 characters');
  const fork = em.fork();
  if (!/^[0-9a-f-]{36}$/i.test(input.clinicId) || !(await fork.count(Clinic, { id: input.clinicId.toLowerCase() }))) {
    throw new SetupError(`No clinic ${input.clinicId}`);
  }
  const { row, key } = newApiKey(input.clinicId.toLowerCase(), name, input.role);
  await fork.persist(row).flush();
  return { id: row.id, key, role: input.role };
}
