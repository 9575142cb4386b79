import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, type Role } from '../entities/api-key.entity.js';
import { build } from '../entities/base.js';

/** A new API key: 32 random bytes, prefixed so leaked keys are easy to spot and grep for. */
export function generateApiKey(): string {
  return `cbk_${randomBytes(32).toString('base64url')}`;
}

/** Keys are stored only as this hash. SHA-256 suffices: keys are random, not passwords. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Active (not revoked) API keys a clinic may hold at once. */
export const MAX_ACTIVE_API_KEYS_PER_CLINIC = 50;

/**
 * Inside a transaction: locks the clinic's row (serialising key creation per clinic), then counts
 * its active keys; null when the clinic does not exist. Two statements: the count's snapshot must
 * be taken after the lock, to see the keys the previous holder committed.
 */
export async function activeKeysUnderLock(tx: EntityManager, clinicId: string): Promise<number | null> {
  const locked = await tx.execute<{ id: string }[]>('select id from clinic where id = ? for update', [clinicId]);
  if (!locked[0]) return null;
  const [{ active }] = await tx.execute<{ active: number }[]>('select count(*)::int as active from api_key where clinic_id = ? and revoked_at is null', [clinicId]);
  return active;
}

/** A new key row for a clinic and the key itself: the only place a key is hashed for storage. */
export function newApiKey(clinicId: string, name: string, role: Role): { row: ApiKey; key: string } {
  const key = generateApiKey();
  return { row: build(ApiKey, { clinicId, name, role, keyHash: hashApiKey(key), keyPrefix: keyPrefix(key) }), key };
}

/** Postgres channel on which a revoked key's hash is announced (API processes cache active keys). */
export const API_KEY_EVENTS_CHANNEL = 'api_key_events';

/** What a request's authentication needs of its key. */
export interface ActiveApiKey {
  id: string;
  clinicId: string;
  role: Role;
}

/** The active key with this hash, in one plain query (the hot path of every request). */
export async function findActiveApiKeyByHash(em: EntityManager, keyHash: string): Promise<ActiveApiKey | null> {
  const rows = await em.execute<{ id: string; clinic_id: string; role: Role }[]>(
    'select id, clinic_id, role from api_key where key_hash = ? and revoked_at is null',
    [keyHash],
  );
  return rows[0] ? { id: rows[0].id, clinicId: rows[0].clinic_id, role: rows[0].role } : null;
}

/** Revokes a key and announces its hash to every API process, on commit. The hash, or null if it was revoked already. */
export async function revokeApiKey(tx: EntityManager, id: string): Promise<string | null> {
  const rows = await tx.execute<{ key_hash: string }[]>(
    `with revoked as (update api_key set revoked_at = now() where id = ? and revoked_at is null returning key_hash)
     select key_hash, pg_notify(?, key_hash) from revoked`,
    [id, API_KEY_EVENTS_CHANNEL],
  );
  return rows[0]?.key_hash ?? null;
}

/** The key row a caller's raw key names, if it exists and is not revoked. */
export function findActiveApiKey(em: EntityManager, rawKey: string): Promise<ApiKey | null> {
  return em.fork().findOne(ApiKey, { keyHash: hashApiKey(rawKey), revokedAt: null });
}
