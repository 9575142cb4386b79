import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, BillingCoreModule, loggerParams, StoreHealth } from '@app/billing';
import { CommandsProcessor } from './commands.processor.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { WorkerHealthController } from './health/health.controller.js';
import { JobDrain } from './health/job-drain.service.js';
import { JobInstrumentation } from './metrics/job-instrumentation.service.js';
import { WorkerMetricsController } from './metrics/metrics.controller.js';
import { SCHEDULERS } from './schedulers/index.js';

export interface WorkerModuleOptions {
  logDestination?: DestinationStream;
  logLevel?: string;
}

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config, { app: 'worker', destination: options.logDestination, level: options.logLevel })),
        BillingCoreModule.forRoot({ config, role: 'worker' }),
        DiscoveryModule,
        TerminusModule,
        NotificationsModule,
      ],
      controllers: [WorkerHealthController, WorkerMetricsController],
      providers: [CommandsProcessor, ...SCHEDULERS, JobDrain, JobInstrumentation, StoreHealth],
    };
  }
}
