import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, BillingCoreModule, loggerParams } from '@app/billing';
import { AdminModule } from './admin/admin.module.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemFilter } from './common/problem.filter.js';
import { IdempotencyModule } from './common/idempotency.module.js';
import { NotificationsModule } from './common/notifications.module.js';
import { HealthModule } from './health/health.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RESOURCE_MODULES } from './resource-modules.js';
import { COMMAND_MODULES } from './command-modules.js';

export interface AppModuleOptions {
  /** Where log lines go instead of stdout (tests capture them). */
  logDestination?: DestinationStream;
  /** Overrides LOG_LEVEL. */
  logLevel?: string;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config, { app: 'api', destination: options.logDestination, level: options.logLevel })),
        BillingCoreModule.forRoot({ config, role: 'producer' }),
        NotificationsModule,
        AuthModule,
        IdempotencyModule,
        HealthModule,
        MetricsModule,
        AdminModule,
        ...RESOURCE_MODULES,
        ...COMMAND_MODULES,
        // After the ApiKeyGuard below: the rate limit counts per key, so it must know the key.
        LimitsModule.forRoot(config),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
