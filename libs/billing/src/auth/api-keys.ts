import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
