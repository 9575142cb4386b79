import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppConfig, BillingCoreModule } from '@app/billing';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { ProblemFilter } from './common/problem.filter.js';
import { IdempotencyModule } from './common/idempotency.module.js';
import { HealthModule } from './health/health.module.js';
import { RESOURCE_MODULES } from './resource-modules.js';
import { COMMAND_MODULES } from './command-modules.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BillingCoreModule.forRoot({ config, role: 'producer' }),
        IdempotencyModule,
        HealthModule,
        ...RESOURCE_MODULES,
        ...COMMAND_MODULES,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
