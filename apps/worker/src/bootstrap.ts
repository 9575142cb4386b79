import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { requestLoggingMiddleware, type AppConfig } from '@app/billing';
import { WorkerModule } from './worker.module.js';

export interface WorkerAppOptions {
  /** false: Nest's own messages are not logged at all (job logs follow LOG_LEVEL). */
  logger?: false;
  logDestination?: DestinationStream;
  logLevel?: string;
}

/**
 * The worker: BullMQ processors and schedulers, plus health and metrics on WORKER_PORT. No
 * signal handling here: main.ts closes it on SIGTERM (JobDrain lets the jobs in progress finish).
 */
export async function createWorkerApp(config: AppConfig, options: WorkerAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(WorkerModule.forRoot(config, options), {
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  // The root logger, read outside a request; none is made for an app that logs nothing (the tests').
  const silent = (options.logLevel ?? config.LOG_LEVEL) === 'silent';
  app.use(requestLoggingMiddleware(silent ? null : (await app.resolve<PinoLogger>(PinoLogger)).logger));
  return app;
}
