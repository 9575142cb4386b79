import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { corsOrigins, type AppConfig } from '@app/billing';

/** Browser pages that bring their own scripts and set their own Content-Security-Policy. */
const PAGES_WITH_OWN_CSP = /^\/(docs|dashboard|admin\/queues)(\/|$)/;

/** Helmet's security headers on every answer; its strict CSP on everything but the HTML pages above. */
export function useSecurityHeaders(app: INestApplication): void {
  const strict = helmet();
  const pages = helmet({ contentSecurityPolicy: false });
  app.use((req: Request, res: Response, next: NextFunction) => (PAGES_WITH_OWN_CSP.test(req.path) ? pages : strict)(req, res, next));
}

/** CORS for the front-end apps listed in CORS_ORIGINS (none: no CORS headers at all). */
export function useCors(app: INestApplication, config: AppConfig): void {
  const origins = corsOrigins(config);
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Prefer', 'X-Request-Id'],
    exposedHeaders: ['Location', 'Idempotent-Replayed', 'Retry-After', 'X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600,
  });
}
