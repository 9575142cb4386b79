import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig, redisOptions } from '@app/billing';

/** How long start-up waits for Redis before counting in memory until it answers. */
const CONNECT_WAIT_MS = 5_000;

/** Under QUEUE_PREFIX, so a deployment's (or a test suite's) counters go with its queue keys. */
export const limitsKeyPrefix = (config: Pick<AppConfig, 'QUEUE_PREFIX'>) => `${config.QUEUE_PREFIX}:limits:`;

/**
 * The Redis connection that holds every limit counter, shared by all API processes. Its own
 * connection because its keys carry their own prefix. While Redis cannot answer, `orElse` runs
 * the per-process fallback (logged once per outage) instead of failing the request: Postgres,
 * not Redis, is what the API must have to work.
 */
@Injectable()
export class LimitsRedis implements OnModuleInit, OnApplicationShutdown {
  readonly redis: Redis;
  private readonly logger = new Logger('Limits');
  private down = false;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.redis = new Redis({ ...redisOptions(config.REDIS_URL, 'producer'), keyPrefix: limitsKeyPrefix(config) });
    // Failures are reported by orElse; without a listener ioredis prints every reconnection attempt.
    this.redis.on('error', () => undefined);
  }

  /** Producer connections do not queue commands while connecting: wait for it (bounded). */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done).off('error', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      this.redis.once('ready', done).once('error', done);
    });
  }

  async orElse<T>(shared: (redis: Redis) => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    try {
      const result = await shared(this.redis);
      if (this.down) this.logger.log('Redis answers again: limits are shared by the API processes again');
      this.down = false;
      return result;
    } catch (error) {
      if (!this.down) this.logger.warn(`Redis cannot answer (${error instanceof Error ? error.message : String(error)}): limits count in this process only until it does`);
      this.down = true;
      return local();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
