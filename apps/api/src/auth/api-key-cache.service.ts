import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { API_KEY_EVENTS_CHANNEL, findActiveApiKeyByHash, hashApiKey, type ActiveApiKey } from '@app/billing';
import { DatabaseNotifications } from '../common/database-notifications.service.js';

/** A cached key is checked again after this long, whatever happens. */
const TTL_MS = 60_000;
/** Bounded: at most this many keys are remembered (the oldest go first). */
const MAX_ENTRIES = 10_000;

/**
 * Active API keys by hash, so most requests authenticate without a query. A revocation is
 * announced on a Postgres channel and evicts the key in every API process; while that channel is
 * down nothing is cached (a revocation could be missed), and a lookup that overlapped an
 * announcement is not cached either.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: ActiveApiKey; expiresAt: number }>();
  /** Bumped by every eviction: a lookup that saw it change may hold a key revoked meanwhile. */
  private generation = 0;
  /** Revocations waiting to hear their own announcement, by key hash. */
  private readonly awaited = new Map<string, () => void>();

  constructor(
    private readonly notifications: DatabaseNotifications,
    private readonly em: EntityManager,
  ) {
    notifications.on(API_KEY_EVENTS_CHANNEL, (keyHash) => {
      this.forget(keyHash);
      this.awaited.get(keyHash)?.();
    });
    notifications.onDisconnected(() => this.clear());
  }

  /** The active key a raw key names, or null. */
  async find(rawKey: string): Promise<ActiveApiKey | null> {
    const keyHash = hashApiKey(rawKey);
    const hit = this.entries.get(keyHash);
    if (hit && hit.expiresAt > Date.now()) return hit.key;
    const generation = this.generation;
    const key = await findActiveApiKeyByHash(this.em, keyHash);
    if (!key) this.entries.delete(keyHash);
    else if (this.notifications.connected && generation === this.generation) this.remember(keyHash, key);
    return key;
  }

  /**
   * Resolves when this process hears the revocation of `keyHash` announced (or after `timeoutMs`):
   * every API process hears it at about the same moment, so a revocation that waits for it
   * answers when the key has stopped working everywhere. Call before the revocation commits.
   */
  announcement(keyHash: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.awaited.delete(keyHash);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.awaited.set(keyHash, done);
    });
  }

  forget(keyHash: string): void {
    this.generation += 1;
    this.entries.delete(keyHash);
  }

  private clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private remember(keyHash: string, key: ActiveApiKey): void {
    this.entries.delete(keyHash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyHash, { key, expiresAt: Date.now() + TTL_MS });
  }
}
