import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
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

type CorrelatedRequest = IncomingMessage & { correlationId?: string; auth?: { clinicId: string; keyId: string }; id?: unknown };

/**
 * First middleware of an app, in place of pino-http (issue 17): `req.correlationId` for the code
 * after it (the API stores it on commands), `X-Request-Id` on every response, errors included,
 * `req.log` (the root logger with the correlation id, which nestjs-pino binds to the request's
 * async context: `useExisting`), and one line per finished request. pino-http made three child loggers per request and serialized, redacted and
 * stringified the request into one of them up front, ~58 µs a request, whether or not a line
 * was written; here the request is serialized only for a line the level lets through (at warn,
 * only a 5xx), and the one child costs ~3 µs. `root` null: silent (the tests' apps), the
 * correlation id only.
 */
export function requestLoggingMiddleware(root: Logger | null) {
  return (req: CorrelatedRequest, res: ServerResponse, next: () => void): void => {
    const correlationId = (req.correlationId ??= correlationIdFor(req.headers[REQUEST_ID_HEADER]));
    res.setHeader('X-Request-Id', correlationId);
    req.id = correlationId;
    if (root === null || root.level === 'silent') {
      next();
      return;
    }
    const log = (req.log = root.child({ correlationId }));
    if (!QUIET_PATHS.test(req.url ?? '')) logWhenFinished(req, res, log, Date.now());
    next();
  };
}

/** The request's line, as pino-http wrote it: req, res, responseTime, the key's clinic and id; `error` at 5xx. */
function logWhenFinished(req: CorrelatedRequest, res: ServerResponse, log: Logger, startedAt: number): void {
  const done = (error?: Error) => {
    res.off('close', done);
    res.off('finish', done);
    res.off('error', done);
    const failed = error !== undefined || res.statusCode >= 500;
    const level = failed ? 'error' : 'info';
    if (!log.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = { req, res, responseTime: Date.now() - startedAt };
    if (req.auth) {
      fields.clinicId = req.auth.clinicId;
      fields.keyId = req.auth.keyId;
    }
    if (failed) {
      fields.err = error ?? new Error(`failed with status code ${res.statusCode}`);
      log.error(fields, 'request errored');
    } else {
      log.info(fields, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
    }
  };
  res.on('close', done);
  res.on('finish', done);
  res.on('error', done);
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

/**
 * nestjs-pino's LoggerModule parameters for an app's Nest logger. The requests' lines come from
 * requestLoggingMiddleware, which the app mounts first with nestjs-pino's root logger
 * (`(await app.resolve(PinoLogger)).logger`, read outside a request), and nestjs-pino only binds each request's `req.log` to its async context (`useExisting`), so that
 * what the request's code logs carries its correlation id. pino-http is still what nestjs-pino
 * builds its root logger with: its options give the request's lines their serializers.
 */
export function loggerParams(config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>, options: LoggingOptions): Params {
  const pinoOptions = {
    ...loggerOptions(config, options),
    serializers: {
      req: (req: Record<string, unknown>) => ({ ...req, url: redactUrl(req.url as string | undefined), query: undefined, params: undefined }),
      // The status is enough; the answer's headers are the same on every line.
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  // Silent (the tests): nothing would be written, so the binding middleware is left out too.
  const silent = pinoOptions.level === 'silent';
  return { pinoHttp: options.destination ? [pinoOptions, options.destination] : pinoOptions, useExisting: true, ...(silent ? { forRoutes: [] } : {}) } as Params;
}
