import type { NextFunction, Request, Response } from 'express';
import { apiMetrics } from '@app/billing';

/**
 * Times every request into the HTTP histogram, labelled by the route pattern express matched
 * (`/v1/purchases/:id`), never the raw URL, so ids do not explode the label set.
 */
export function httpMetricsMiddleware() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = apiMetrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routePattern(req), status_code: String(res.statusCode) });
    });
    next();
  };
}

function routePattern(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  // No route (static files, errors before routing) or Nest's catch-all 404 route (`/{*all}`).
  if (typeof path !== 'string' || path.includes('{*')) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}` || '/';
}
