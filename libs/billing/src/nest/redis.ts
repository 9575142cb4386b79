import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS = Symbol('REDIS');

/** redis[s]://[user:password@]host[:port][/db] as ioredis options (BullMQ then owns and closes its connections). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.replace('/', '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections that block (workers); producers
 * fail fast instead (`enableOfflineQueue: false`), because Postgres already holds the command
 * and the sweeper re-queues whatever Redis did not take.
 */
export function redisOptions(url: string, role: 'producer' | 'worker'): RedisOptions {
  return {
    ...redisOptionsFromUrl(url),
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
  };
}

export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  return new Redis(redisOptions(url, role));
}

/** The same options typed for BullMQ (its option type is its own, not ioredis'). */
export function bullConnection(url: string, role: 'producer' | 'worker'): ConnectionOptions {
  return redisOptions(url, role) as ConnectionOptions;
}

/** Deletes every key under a queue prefix (tests and benchmarks clean up the Redis they share); how many went. */
export async function deleteQueueKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
