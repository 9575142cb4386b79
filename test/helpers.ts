import type { TestEnv } from './harness.js';
import { ADMIN_TOKEN } from './harness.js';

export type KeyRole = 'owner' | 'billing' | 'front_desk' | 'online';

export interface TestClinic {
  id: string;
  keys: Record<KeyRole, string>;
}

let keySeq = 0;
/** A unique Idempotency-Key. */
export const idem = (label = 'k') => `${label}-${Date.now()}-${++keySeq}-${Math.random().toString(36).slice(2)}`;

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** A clinic with one key of every role. */
export async function createClinic(env: TestEnv, body: Record<string, unknown> = {}): Promise<TestClinic> {
  const res = await env
    .http()
    .post('/v1/clinics')
    .set(bearer(ADMIN_TOKEN))
    .send({ name: 'Test Clinic', currency: 'CAD', timezone: 'America/Toronto', ...body });
  if (res.status !== 201) throw new Error(`create clinic: ${res.status} ${JSON.stringify(res.body)}`);
  const keys = { owner: res.body.ownerKey as string } as Record<KeyRole, string>;
  for (const role of ['billing', 'front_desk', 'online'] as const) {
    const k = await env.http().post('/v1/api-keys').set(bearer(keys.owner)).send({ name: role, role });
    if (k.status !== 201) throw new Error(`create key: ${k.status} ${JSON.stringify(k.body)}`);
    keys[role] = k.body.key;
  }
  return { id: res.body.id, keys };
}
