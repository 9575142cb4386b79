import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;

/** The development default of ADMIN_TOKEN: a production deployment must set its own. */
export const DEVELOPMENT_ADMIN_TOKEN = 'local-admin-token-change-me';

/** Everything the apps read from the environment, with working local defaults. */
export class AppConfig {
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://root@127.0.0.1:5432/clinic_billing';

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key, so several deployments (or test suites) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1-64 of A-Z a-z 0-9 : _ -' })
  QUEUE_PREFIX = 'clinic-billing';

  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN = DEVELOPMENT_ADMIN_TOKEN;

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'PORT must be an integer' })
  PORT = 3000;

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'WORKER_PORT must be an integer' })
  WORKER_PORT = 3001;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' })
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @Min(1)
  @Max(256)
  @IsInt({ message: 'WORKER_CONCURRENCY must be an integer' })
  WORKER_CONCURRENCY = 16;

  /**
   * Command transactions a worker process runs at once; the jobs beyond them wait and then share
   * one transaction (group commit). At or above WORKER_CONCURRENCY every job has its own.
   */
  @Transform(toInt)
  @Min(1)
  @Max(256)
  @IsInt({ message: 'WORKER_TRANSACTIONS must be an integer' })
  WORKER_TRANSACTIONS = 4;

  @Transform(toInt)
  @Min(1)
  @Max(200)
  @IsInt({ message: 'DB_POOL_SIZE must be an integer' })
  DB_POOL_SIZE = 20;

  /** Attempts of a command on unexpected errors before it is marked failed. */
  @Transform(toInt)
  @Min(1)
  @Max(50)
  @IsInt({ message: 'COMMAND_ATTEMPTS must be an integer' })
  COMMAND_ATTEMPTS = 5;

  /** How often the sweeper looks for commands queued in Postgres but missing in Redis. */
  @Transform(toInt)
  @Min(100)
  @IsInt({ message: 'SWEEP_INTERVAL_MS must be an integer' })
  SWEEP_INTERVAL_MS = 30_000;

  /** How often workers look for clinics whose daily reconciliation time has come; 0 turns the daily run off. */
  @Transform(toInt)
  @Min(0)
  @IsInt({ message: 'RECONCILE_TICK_MS must be an integer' })
  RECONCILE_TICK_MS = 300_000;

  /**
   * Origins of front-end apps allowed to call the API from a browser, comma-separated
   * (`https://desk.example.com,https://book.example.com`). Unset: no CORS headers.
   * Initialised (to undefined) so loadConfig, which reads the keys of a fresh instance, reads it.
   */
  @IsOptional()
  @IsString()
  CORS_ORIGINS: string | undefined = undefined;

  /**
   * Requests per minute per API key (per client IP when there is no key); 0 turns the limit
   * off. Unset: 600, except under NODE_ENV=test where it is off (see rateLimitPerMinute).
   */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(1_000_000)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer' })
  RATE_LIMIT_PER_MINUTE: number | undefined = undefined;

  /** When set, GET /metrics (API and worker) wants `Authorization: Bearer <METRICS_TOKEN>`; unset, it is public. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN: string | undefined = undefined;

  /** On SIGTERM: how long the API drains requests and the worker finishes its jobs before giving up. */
  @Transform(toInt)
  @Min(0)
  @Max(600_000)
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_MS must be an integer' })
  SHUTDOWN_TIMEOUT_MS = 25_000;

  /** Address the worker's health and metrics server binds (0.0.0.0 in containers). */
  @Matches(/^[0-9A-Za-z.:_-]{1,253}$/, { message: 'WORKER_HOST must be a host name or IP address' })
  WORKER_HOST = '127.0.0.1';

  @IsIn(['development', 'production', 'test'], { message: 'NODE_ENV must be development, production or test' })
  NODE_ENV = 'development';

  /** Signs the dashboard's session cookies; unset in development: derived from a fixed local value. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SESSION_SECRET must be at least 32 characters' })
  SESSION_SECRET: string | undefined = undefined;

  /** Failed authentications per minute from one client address before it gets 429 (its own limit, never off). */
  @Transform(toInt)
  @Min(1)
  @Max(1_000_000)
  @IsInt({ message: 'AUTH_FAILURES_PER_MINUTE must be an integer' })
  AUTH_FAILURES_PER_MINUTE = 20;

  /** Demos and tests only: lets a reconciliation run as of a date after today. */
  @IsIn(['true', 'false'], { message: 'ALLOW_FUTURE_AS_OF must be true or false' })
  ALLOW_FUTURE_AS_OF: 'true' | 'false' = 'false';

  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client address
   * (`false`, `true`, a hop count, or comma-separated addresses/subnets such as `loopback,10.0.0.0/8`).
   */
  @Matches(/^(false|true|\d{1,2}|[0-9A-Za-z.:/,\s_-]{1,500})$/, { message: 'TRUST_PROXY must be false, true, a hop count or a list of addresses' })
  TRUST_PROXY = 'false';

  /** Outgoing mail (receipts): smtp://user:pass@host:port; unset, e-mail endpoints answer 503 email_not_configured. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL: string | undefined = undefined;

  /** The sender of receipts (an address the mail server may send as); unset: receipts@<SMTP_URL's host>. */
  @IsOptional()
  @Matches(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'MAIL_FROM must be an e-mail address' })
  MAIL_FROM: string | undefined = undefined;
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError whose message is one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const given = Object.fromEntries(known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const config = plainToInstance(AppConfig, given, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const messages = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new ConfigError(`Invalid configuration: ${messages.join('; ')}`);
  }
  const unsafe = config.NODE_ENV === 'production' ? productionRefusals(config, env) : [];
  if (unsafe.length > 0) throw new ConfigError(`Refusing to start with NODE_ENV=production: ${unsafe.join('; ')}`);
  return config;
}

/** What a production deployment must set itself: development's defaults are public knowledge. */
function productionRefusals(config: AppConfig, env: NodeJS.ProcessEnv): string[] {
  const refusals: string[] = [];
  if (!env.ADMIN_TOKEN) refusals.push('ADMIN_TOKEN is not set');
  else if (config.ADMIN_TOKEN === DEVELOPMENT_ADMIN_TOKEN) refusals.push('ADMIN_TOKEN is the development default');
  else if (config.ADMIN_TOKEN.length < 32) refusals.push('ADMIN_TOKEN must be at least 32 characters');
  if (!config.SESSION_SECRET) refusals.push('SESSION_SECRET is not set');
  if (!config.METRICS_TOKEN) refusals.push('METRICS_TOKEN is not set');
  return refusals;
}

/** Whether a reconciliation may run as of a date after today (demos and tests). */
export function allowFutureAsOf(config: Pick<AppConfig, 'ALLOW_FUTURE_AS_OF'>): boolean {
  return config.ALLOW_FUTURE_AS_OF === 'true';
}

/** TRUST_PROXY as Express's `trust proxy` value. */
export function trustProxySetting(config: Pick<AppConfig, 'TRUST_PROXY'>): boolean | number | string {
  const value = config.TRUST_PROXY.trim();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** The effective per-key rate limit (0 = off): tests run unthrottled unless they ask for a limit. */
export function rateLimitPerMinute(config: Pick<AppConfig, 'RATE_LIMIT_PER_MINUTE' | 'NODE_ENV'>): number {
  return config.RATE_LIMIT_PER_MINUTE ?? (config.NODE_ENV === 'test' ? 0 : 600);
}

/** CORS_ORIGINS as a list (empty: CORS off). */
export function corsOrigins(config: Pick<AppConfig, 'CORS_ORIGINS'>): string[] {
  return (config.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
