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

/** A new key row for a clinic and the key itself: the only place a key is hashed for storage. */
export function newApiKey(clinicId: string, name: string, role: Role): { row: ApiKey; key: string } {
  const key = generateApiKey();
  return { row: build(ApiKey, { clinicId, name, role, keyHash: hashApiKey(key), keyPrefix: keyPrefix(key) }), key };
}

/** The key row a caller's raw key names, if it exists and is not revoked. */
export function findActiveApiKey(em: EntityManager, rawKey: string): Promise<ApiKey | null> {
  return em.fork().findOne(ApiKey, { keyHash: hashApiKey(rawKey), revokedAt: null });
}
