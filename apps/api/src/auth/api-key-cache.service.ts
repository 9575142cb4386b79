import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { API_KEY_EVENTS_CHANNEL, findActiveApiKeyByHash, hashApiKey, type ActiveApiKey } from '@app/billing';
import { DatabaseNotifications } from '../common/database-notifications.service.js';

/** A cached key is checked again after this long, whatever happens. */
const TTL_MS = 60_000;
/** Bounded: at most this many keys are remembered (the oldest go first); as many misses. */
const MAX_ENTRIES = 10_000;
/**
 * An unknown key is answered from memory this long. Keys are random, so a key created meanwhile
 * cannot be one that missed (nobody could send it before it existed); a revoked key only ever
 * turns into a miss. A client repeating a bad key costs one query per this long.
 */
const MISS_TTL_MS = 5_000;

/**
 * Active API keys by hash, so most requests authenticate without a query. A revocation is
 * announced on a Postgres channel and evicts the key in every API process; while that channel is
 * down nothing is cached (a revocation could be missed), and a lookup that overlapped an
 * announcement is not cached either. Unknown keys are remembered as misses for a few seconds, so
 * a client repeating a bad key does not cost a query each time.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: ActiveApiKey; expiresAt: number }>();
  /** Hashes of unknown (or revoked) keys, until when they are known to miss. */
  private readonly misses = new Map<string, number>();
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
    const missUntil = this.misses.get(keyHash);
    if (missUntil !== undefined && missUntil > Date.now()) return null;
    const generation = this.generation;
    const key = await findActiveApiKeyByHash(this.em, keyHash);
    if (!key) {
      this.entries.delete(keyHash);
      bounded(this.misses, keyHash, Date.now() + MISS_TTL_MS);
    } else if (this.notifications.connected && generation === this.generation) this.remember(keyHash, key);
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
    this.misses.delete(keyHash);
    bounded(this.entries, keyHash, { key, expiresAt: Date.now() + TTL_MS });
  }
}

/** Sets `key` last in `map`, dropping the oldest entry when the map is full. */
function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}
