import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { redisOptionsFromUrl } from '../nest/redis.js';

export class ServiceUnreachableError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly service: 'postgres' | 'redis',
  ) {
    super(message);
  }
}

/**
 * Checks that Postgres and Redis answer before an app starts, so that a missing service is one
 * clear line (explainConnectionError) instead of a stream of reconnect errors.
 */
export async function assertServicesReachable(config: AppConfig, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw Object.assign(error as Error, { service: 'postgres' });
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis({ ...redisOptionsFromUrl(config.REDIS_URL), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const e = error as { code?: string; message: string };
    throw new ServiceUnreachableError(e.message, e.code ?? 'ECONNREFUSED', 'redis');
  } finally {
    redis.disconnect();
  }
}
