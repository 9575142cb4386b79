import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/billing';
import { WorkerModule } from './worker.module.js';

/** The worker: BullMQ processors and schedulers, plus health and metrics on WORKER_PORT. */
export async function createWorkerApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(WorkerModule.forRoot(config), {
    ...(options.logger === false ? { logger: false } : {}),
  });
  app.enableShutdownHooks();
  return app;
}
