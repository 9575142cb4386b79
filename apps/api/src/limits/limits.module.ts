import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitPerMinute, type AppConfig } from '@app/billing';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * RATE_LIMIT_PER_MINUTE per API key (0: off). Counters live in each API process's memory, so
 * with N replicas behind a balancer a key gets up to N times the limit.
 */
@Module({})
export class LimitsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const limit = rateLimitPerMinute(config);
    return {
      module: LimitsModule,
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(limit, 1) }], skipIf: () => limit === 0 })],
      // Registered after AppModule's ApiKeyGuard, so req.auth is known when the tracker is chosen.
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
