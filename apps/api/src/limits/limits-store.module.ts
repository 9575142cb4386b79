import { Global, Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { LimitsRedis } from './limits-redis.js';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';

/**
 * The counters behind every limit, in Redis: the rate limit's storage and the failed-authentication
 * limiter (global: the API-key guard, the dashboard's sign-in and Bull Board's access all use it).
 */
@Global()
@Module({
  providers: [LimitsRedis, SharedThrottlerStorage, AuthFailureLimiter],
  exports: [LimitsRedis, SharedThrottlerStorage, AuthFailureLimiter],
})
export class LimitsStoreModule {}
