import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { LimitsRedis } from './limits-redis.js';

type Increment = ThrottlerStorage['increment'];

/**
 * The rate limit's counters in Redis (@nest-lab/throttler-storage-redis), so N API processes
 * allow a key the limit once, not N times. While Redis cannot answer, each process counts in its
 * own memory (Nest's storage) rather than refusing every request.
 */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();

  constructor(private readonly limits: LimitsRedis) {
    // Given a connection, the library neither prefixes nor closes it: LimitsRedis does both.
    this.shared = new ThrottlerStorageRedisService(limits.redis);
  }

  increment(...args: Parameters<Increment>): ReturnType<Increment> {
    return this.limits.orElse(
      () => this.shared.increment(...args),
      () => this.local.increment(...args),
    );
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
