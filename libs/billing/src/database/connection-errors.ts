import { ConfigError } from '../config/app-config.js';

/**
 * One line for the errors a newcomer meets first (a service not running, a bad setting),
 * with what to do about it; anything else keeps its stack.
 */
export function explainConnectionError(error: unknown): string {
  const e = error as { code?: string; message?: string; address?: string; port?: number; errors?: unknown[]; service?: string };
  if (error instanceof ConfigError) return error.message;
  const code = e.code ?? (e.errors?.[0] as { code?: string } | undefined)?.code;
  const port = e.port ?? (e.errors?.[0] as { port?: number } | undefined)?.port;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    if (e.service === 'redis' || (e.service === undefined && (port === 6379 || /redis/i.test(e.message ?? '')))) {
      return `Cannot reach Redis (${code}). Start it (e.g. \`redis-server --daemonize yes\` or \`docker compose up -d redis\`) or set REDIS_URL.`;
    }
    return `Cannot reach PostgreSQL (${code}). Start it (e.g. \`pg_ctlcluster 15 main start\` or \`docker compose up -d postgres\`) or set DATABASE_URL.`;
  }
  if (e.service === 'redis') return `Cannot reach Redis (${e.message}). Start it (e.g. \`redis-server --daemonize yes\` or \`docker compose up -d redis\`) or set REDIS_URL.`;
  if (code === '28P01' || code === '28000') return `PostgreSQL refused the login (${code}): check the user and password in DATABASE_URL.`;
  if (code === '3D000') return `The database in DATABASE_URL does not exist: run \`npm run db:migrate\` to create it.`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
