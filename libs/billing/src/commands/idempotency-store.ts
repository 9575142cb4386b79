import type { EntityManager } from '@mikro-orm/postgresql';

export interface StoredKey {
  endpoint: string;
  requestHash: string;
  commandId: string | null;
  state: 'in_progress' | 'done';
  statusCode: number | null;
  responseBody: unknown;
  updatedAt: Date;
}

export type ClaimResult =
  | { claimed: true }
  | { claimed: false; existing: StoredKey };

/**
 * Idempotency keys, scoped to a clinic. Claiming is an INSERT … ON CONFLICT DO NOTHING: of
 * concurrent claims exactly one inserts; the others wait for its transaction and then see
 * its row, so one key never yields two effects.
 */
export class IdempotencyStore {
  constructor(private readonly em: EntityManager) {}

  /** Claims a key for a request that is not a command (commands claim theirs in submitCommand's statement). */
  async claim(clinicId: string, key: string, endpoint: string, hash: string): Promise<ClaimResult> {
    const inserted = await this.em.execute<{ id: string }[]>(
      `insert into idempotency_record (id, clinic_id, key, endpoint, request_hash, state, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, 'in_progress', now())
       on conflict (clinic_id, key) do nothing returning id`,
      [clinicId, key, endpoint, hash],
    );
    if (inserted.length > 0) return { claimed: true };
    const existing = await this.find(clinicId, key);
    if (!existing) throw new Error('idempotency record vanished after a conflict');
    return { claimed: false, existing };
  }

  async find(clinicId: string, key: string): Promise<StoredKey | null> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select endpoint, request_hash, command_id, state, status_code, response_body, created_at
       from idempotency_record where clinic_id = ? and key = ?`,
      [clinicId, key],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      endpoint: row.endpoint as string,
      requestHash: row.request_hash as string,
      commandId: (row.command_id as string | null) ?? null,
      state: row.state as 'in_progress' | 'done',
      statusCode: (row.status_code as number | null) ?? null,
      responseBody: typeof row.response_body === 'string' ? JSON.parse(row.response_body) : row.response_body,
      updatedAt: new Date(row.created_at as string),
    };
  }

  /** Takes over a claim whose first request died mid-way (it never answered). */
  async reclaimStale(clinicId: string, key: string, olderThanSeconds: number): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update idempotency_record set created_at = now()
       where clinic_id = ? and key = ? and state = 'in_progress' and created_at < now() - make_interval(secs => ?)
       returning id`,
      [clinicId, key, olderThanSeconds],
    );
    return rows.length > 0;
  }

  async complete(clinicId: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.em.execute(
      `update idempotency_record set state = 'done', status_code = ?, response_body = ? where clinic_id = ? and key = ?`,
      [statusCode, JSON.stringify(body ?? null), clinicId, key],
    );
  }

  /** The request failed unexpectedly: free the key so the client can retry. */
  async release(clinicId: string, key: string): Promise<void> {
    await this.em.execute(`delete from idempotency_record where clinic_id = ? and key = ? and state = 'in_progress'`, [clinicId, key]);
  }
}
