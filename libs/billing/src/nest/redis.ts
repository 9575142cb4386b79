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
