// End-to-end harness: a scratch database and Redis prefix per suite, the real API and worker.
// Nest's core is imported first and the apps loaded with import() (an ESM cycle trap of Nest 12 under jest).
import '@nestjs/common';
import '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { deleteQueueKeys, dropDatabase, loadConfig, migrate, withDatabase, type AppConfig } from '@app/billing';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestEnv {
  config: AppConfig;
  baseUrl: string;
  api: INestApplication;
  worker: INestApplication | null;
  /** Direct SQL for assertions on what was written. */
  db: pg.Pool;
  http: () => ReturnType<typeof request>;
  startWorker: () => Promise<INestApplication>;
  stopWorker: () => Promise<void>;
  close: () => Promise<void>;
}

export interface TestEnvOptions {
  worker?: boolean;
  env?: Record<string, string>;
}

export async function startTestEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const databaseUrl = withDatabase(server, `cb_test_${suffix}`);
  await migrate(databaseUrl);
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: `cbtest_${suffix}`,
    ADMIN_TOKEN,
    DB_POOL_SIZE: '10',
    // Suites reconcile when they mean to: no daily run starting on its own mid-test.
    RECONCILE_TICK_MS: '0',
    ...options.env,
  });

  const { createApiApp } = await import('../apps/api/src/bootstrap.js');
  const { createWorkerApp } = await import('../apps/worker/src/bootstrap.js');
  const api = await createApiApp(config, { logger: false });
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // pool.end() resolves before its idle connections have closed: the DROP DATABASE … WITH (FORCE)
  // that follows may end them first, an error nobody needs to hear about.
  db.on('error', () => undefined);

  const env: TestEnv = {
    config,
    baseUrl,
    api,
    worker: null,
    db,
    http: () => request(baseUrl),
    async startWorker() {
      const worker = await createWorkerApp(config, { logger: false });
      await worker.init();
      env.worker = worker;
      return worker;
    },
    async stopWorker() {
      await env.worker?.close();
      env.worker = null;
    },
    async close() {
      await env.stopWorker();
      await api.close();
      await db.end();
      await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
      await dropDatabase(databaseUrl);
    },
  };
  if (options.worker !== false) await env.startWorker();
  return env;
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await deleteQueueKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
