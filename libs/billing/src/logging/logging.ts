import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions, type DestinationStream, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config.js';

// Logs of both apps: pino JSON (pretty under NODE_ENV=development), one `correlationId` from the
// HTTP request (X-Request-Id) to the command row to the worker's job logs, secrets redacted.

export const REQUEST_ID_HEADER = 'x-request-id';
/** What a client may choose as its request id: short, no spaces or control characters. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The client's X-Request-Id when it is sane, else a new UUID. */
export function correlationIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

type CorrelatedRequest = IncomingMessage & { correlationId?: string; auth?: { clinicId: string; keyId: string } };

/**
 * First middleware of an app: `req.correlationId` for the code after it (the API stores it on
 * commands) and `X-Request-Id` on every response, errors included.
 */
export function correlationIdMiddleware() {
  return (req: CorrelatedRequest, res: ServerResponse, next: () => void): void => {
    req.correlationId ??= correlationIdFor(req.headers[REQUEST_ID_HEADER]);
    res.setHeader('X-Request-Id', req.correlationId);
    next();
  };
}

const SECRET_FIELDS = ['key', 'ownerKey', 'apiKey', 'token', 'password', 'secret', 'ADMIN_TOKEN', 'METRICS_TOKEN', 'SESSION_SECRET', 'DATABASE_URL', 'REDIS_URL'];

/** Paths pino blanks out wherever they appear in a log line (three levels deep). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Query parameters that may carry a secret are masked in logged URLs. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:key|api_key|apiKey|token|access_token)=)[^&#]*/gi, '$1[Redacted]');
}

export interface LoggingOptions {
  app: 'api' | 'worker' | 'cli';
  /** Where lines go instead of stdout (tests capture them). */
  destination?: DestinationStream;
  /** Overrides LOG_LEVEL. */
  level?: string;
}

const requireHere = createRequire(import.meta.url);
function prettyAvailable(): boolean {
  try {
    requireHere.resolve('pino-pretty');
    return true;
  } catch {
    return false; // a production image has no dev dependencies
  }
}

/** pino's options: level from LOG_LEVEL, redaction, ISO times; pretty in development when pino-pretty is installed. */
export function loggerOptions(config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>, options: LoggingOptions): LoggerOptions {
  const pretty = config.NODE_ENV === 'development' && !options.destination && prettyAvailable();
  return {
    level: options.level ?? config.LOG_LEVEL,
    base: { app: options.app, pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : { formatters: { level: (label: string) => ({ level: label }) } }),
  };
}

/** Health checks and scrapes come every few seconds: their success is not worth a line. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/** nestjs-pino's LoggerModule parameters for an app's HTTP side and its Nest logger. */
export function loggerParams(config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>, options: LoggingOptions): Params {
  const pinoOptions = {
    ...loggerOptions(config, options),
    // The correlation id as a top-level field of every line logged during the request.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    genReqId: (req: CorrelatedRequest) => req.correlationId ?? correlationIdFor(req.headers[REQUEST_ID_HEADER]),
    customProps: (req: CorrelatedRequest) => (req.auth ? { clinicId: req.auth.clinicId, keyId: req.auth.keyId } : {}),
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : 'info',
    serializers: {
      req: (req: Record<string, unknown>) => ({ ...req, url: redactUrl(req.url as string | undefined), query: undefined, params: undefined }),
      // The status is enough; the answer's headers are the same on every line.
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  // Silent (the tests): nothing would be written, so the per-request middleware is left out.
  const silent = pinoOptions.level === 'silent';
  return { pinoHttp: options.destination ? [pinoOptions, options.destination] : pinoOptions, ...(silent ? { forRoutes: [] } : {}) } as Params;
}
