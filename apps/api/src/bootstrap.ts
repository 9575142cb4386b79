import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { requestLoggingMiddleware, trustProxySetting, type AppConfig } from '@app/billing';
import { AppModule } from './app.module.js';
import { bodyDepthGuard } from './common/body-depth.middleware.js';
import { createValidationPipe } from './common/validation.js';
import { useCors, useSecurityHeaders } from './limits/http-security.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { setupOpenApi } from './openapi/openapi.js';

export interface ApiAppOptions {
  /** false: Nest's own messages are not logged at all (request logs follow LOG_LEVEL). */
  logger?: false;
  /** Where pino writes instead of stdout (tests capture it). */
  logDestination?: DestinationStream;
  /** Overrides LOG_LEVEL. */
  logLevel?: string;
}

/** Responses not yet finished, per app: what a graceful stop waits for. */
const inFlight = new WeakMap<object, Set<Response>>();
/** Streams (the dashboard's server-sent events) never finish by themselves: a stop does not wait for them. */
const isStream = (res: Response) => String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(config: AppConfig, options: ApiAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  // Order matters: the correlation id and timing wrap everything, the body parser included (413s too).
  const responses = new Set<Response>();
  inFlight.set(app, responses);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    responses.add(res);
    res.once('close', () => responses.delete(res));
    next();
  });
  // The root logger, read outside a request; none is made for an app that logs nothing (the tests').
  const silent = (options.logLevel ?? config.LOG_LEVEL) === 'silent';
  app.use(requestLoggingMiddleware(silent ? null : (await app.resolve<PinoLogger>(PinoLogger)).logger));
  app.use(httpMetricsMiddleware());
  useSecurityHeaders(app);
  useCors(app, config);
  // JSON bodies up to 1 MiB (a body of another type reaches validation empty: a clear 400).
  app.useBodyParser('json', { limit: '1mb', strict: false });
  app.use(bodyDepthGuard());
  // The client address (limits, logs) and HTTPS (the Secure cookie) as the trusted proxies say (TRUST_PROXY).
  app.set('trust proxy', trustProxySetting(config));
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
  return app;
}

/**
 * Graceful stop (SIGTERM): stop accepting connections, let the requests in flight finish (a
 * `Prefer: wait` may take up to 30 s) within `timeoutMs`, cut the event streams (browsers
 * reconnect elsewhere), then close the app (queues, database). Nest's own shutdown hooks would
 * close the database before the HTTP server, under live requests.
 */
export async function drainAndClose(app: NestExpressApplication, timeoutMs: number): Promise<void> {
  const server = app.getHttpServer() as Server;
  const responses = inFlight.get(app) ?? new Set<Response>();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = Date.now() + timeoutMs;
  while ([...responses].some((res) => !isStream(res)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.closeIdleConnections();
  }
  server.closeAllConnections();
  await closed;
  await app.close();
}
