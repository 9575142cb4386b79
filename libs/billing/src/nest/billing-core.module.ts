import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { ormConfig } from '../database/orm-config.js';
import { COMMANDS_QUEUE, MAINTENANCE_QUEUE, commandJobOptions } from '../commands/queue.js';
import { bullConnection, createRedis, REDIS } from './redis.js';

export interface CoreOptions {
  config: AppConfig;
  role: 'producer' | 'worker';
}

/**
 * What both apps share: the configuration, one MikroORM (a forked EntityManager per request
 * via the request context), one Redis connection and the BullMQ queues.
 */
@Global()
@Module({})
export class BillingCoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot({ config, role }: CoreOptions): DynamicModule {
    const redisProvider = { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL, role) };
    return {
      module: BillingCoreModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormConfig({ databaseUrl: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE }),
          registerRequestContext: true,
        }),
        BullModule.forRoot({
          connection: bullConnection(config.REDIS_URL, role),
          prefix: config.QUEUE_PREFIX,
        }),
        BullModule.registerQueue(
          { name: COMMANDS_QUEUE, defaultJobOptions: commandJobOptions(config.COMMAND_ATTEMPTS) },
          { name: MAINTENANCE_QUEUE },
        ),
      ],
      providers: [{ provide: AppConfig, useValue: config }, redisProvider],
      exports: [AppConfig, REDIS, BullModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
