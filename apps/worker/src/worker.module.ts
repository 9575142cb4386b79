import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, BillingCoreModule } from '@app/billing';
import { CommandsProcessor } from './commands.processor.js';
import { MaintenanceProcessor } from './schedulers/maintenance.processor.js';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [BillingCoreModule.forRoot({ config, role: 'worker' })],
      providers: [CommandsProcessor, MaintenanceProcessor],
    };
  }
}
