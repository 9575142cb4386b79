import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, BillingCoreModule } from '@app/billing';
import { CommandsProcessor } from './commands.processor.js';
import { SCHEDULERS } from './schedulers/index.js';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [BillingCoreModule.forRoot({ config, role: 'worker' })],
      providers: [CommandsProcessor, ...SCHEDULERS],
    };
  }
}
