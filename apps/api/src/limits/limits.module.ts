import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitPerMinute, type AppConfig } from '@app/billing';
import { LimitsStoreModule } from './limits-store.module.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';

/**
 * RATE_LIMIT_PER_MINUTE per API key (0: off), counted in Redis so that it holds across API
 * processes; and (LimitsStoreModule) the failed-authentication limit, which is never off.
 */
@Module({})
export class LimitsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const limit = rateLimitPerMinute(config);
    return {
      module: LimitsModule,
      imports: [
        LimitsStoreModule,
        ThrottlerModule.forRootAsync({
          imports: [LimitsStoreModule],
          inject: [SharedThrottlerStorage],
          useFactory: (storage: SharedThrottlerStorage) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(limit, 1) }],
            skipIf: () => limit === 0,
            storage,
          }),
        }),
      ],
      // Registered after AppModule's ApiKeyGuard, so req.auth is known when the tracker is chosen.
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
      exports: [LimitsStoreModule],
    };
  }
}
