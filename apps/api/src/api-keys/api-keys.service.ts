import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { activeKeysUnderLock, ApiKey, MAX_ACTIVE_API_KEYS_PER_CLINIC, newApiKey, revokeApiKey } from '@app/billing';
import { ApiKeyCache } from '../auth/api-key-cache.service.js';
import { decodeCursor, pageLimit, toPage, type ListQuery, type Page } from '../common/pagination.js';
import { notFound, ProblemException } from '../common/problem.exception.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { toApiKeyResponse, type ApiKeyResponse, type CreatedApiKeyResponse } from './dto/api-key.response.js';

/** How long a revocation waits to hear its own announcement (the LISTEN connection may be down). */
const ANNOUNCEMENT_WAIT_MS = 2000;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly cache: ApiKeyCache,
  ) {}

  /** At most MAX_ACTIVE_API_KEYS_PER_CLINIC active keys: counted and inserted under the clinic's lock, so concurrent creations cannot pass it. */
  async create(clinicId: string, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    const { row, key } = newApiKey(clinicId, dto.name, dto.role);
    await this.em.fork().transactional(async (tx) => {
      const active = await activeKeysUnderLock(tx, clinicId);
      if (active === null) throw notFound('Clinic');
      if (active >= MAX_ACTIVE_API_KEYS_PER_CLINIC) {
        throw new ProblemException('api_key_limit', `The clinic has ${active} active API keys, the most it may have (${MAX_ACTIVE_API_KEYS_PER_CLINIC}): revoke one first`);
      }
      tx.persist(row);
    });
    return { ...toApiKeyResponse(row), key };
  }

  async list(clinicId: string, query: ListQuery): Promise<Page<ApiKeyResponse>> {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const rows = await this.em.find(ApiKey, { clinicId, ...(cursor ? { id: { $lt: cursor } } : {}) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return toPage(rows, limit, toApiKeyResponse);
  }

  /**
   * Revokes a key (the guard refuses it from the next request on). Revoking again is a no-op.
   * The last active owner key cannot go: nobody could manage the clinic's keys any more.
   */
  async revoke(clinicId: string, id: string): Promise<void> {
    let announced: Promise<void> | null = null;
    const revokedHash = await this.em.fork().transactional(async (tx) => {
      const key = await tx.findOne(ApiKey, { id, clinicId });
      if (!key) throw notFound('API key');
      if (key.revokedAt) return null;
      if (key.role === 'owner') {
        // Locking the active owner keys serialises concurrent revocations of the last two.
        const owners = await tx.execute<{ id: string }[]>(
          `select id from api_key where clinic_id = ? and role = 'owner' and revoked_at is null for update`,
          [clinicId],
        );
        if (!owners.some((o) => o.id === id)) return null;
        if (owners.length <= 1) throw new ProblemException('conflict', 'The last active owner key cannot be revoked: create another owner key first');
      }
      const keyHash = await revokeApiKey(tx, id);
      if (keyHash) announced = this.cache.announcement(keyHash, ANNOUNCEMENT_WAIT_MS);
      return keyHash;
    });
    if (!revokedHash) return;
    // This process forgets the key at once; the 204 waits until the announcement that makes the
    // other API processes forget it has come back here too.
    this.cache.forget(revokedHash);
    await announced;
  }
}
