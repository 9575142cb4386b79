import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/billing';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/validation.js';

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(config: AppConfig, options: { logger?: false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  // Any content type is parsed as JSON so that a wrong Content-Type still gets a clear 400/415, not an empty body.
  app.useBodyParser('json', { limit: '1mb', strict: false });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  return app;
}
