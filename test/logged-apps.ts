// An API and a worker logging at info into memory, on a scratch database and queue prefix of their
// own. Not through startTestEnv: nestjs-pino keeps one pino instance per module registry, made by
// the first app, and the harness's apps are silent.
import '@nestjs/common';
import '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { deleteQueueKeys, dropDatabase, loadConfig, migrate, withDatabase, type AppConfig } from '@app/billing';
import { ADMIN_TOKEN, type TestEnv } from './harness.js';

export interface LoggedApps {
  config: AppConfig;
  db: pg.Pool;
  api: INestApplication;
  worker: INestApplication;
  /** The apps as the harness's TestEnv, for helpers that take one (http, signIn). */
  env: TestEnv;
  /** What both apps wrote, as written. */
  lines: string[];
  /** The lines as JSON records. */
  records(): Record<string, any>[];
}

/** Registers the suite's beforeAll (database, config with `settings`, both apps) and afterAll (close and drop); fields are set once beforeAll has run. */
export function useLoggedApps(name: string, settings: Record<string, string> = {}): LoggedApps {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) };
  const apps = {
    lines,
    records: () => lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, any>),
  } as LoggedApps;
  beforeAll(async () => {
    const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
    const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
    const databaseUrl = withDatabase(server, `cb_test_${name}_${suffix}`);
    await migrate(databaseUrl);
    const config = (apps.config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: `cbtest_${name}_${suffix}`,
      ADMIN_TOKEN,
      DB_POOL_SIZE: '5',
      RECONCILE_TICK_MS: '0',
      ...settings,
    }));
    apps.db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // pool.end() resolves before its idle connections have closed: the DROP DATABASE … WITH (FORCE)
    // that follows may end them first, an error nobody needs to hear about.
    apps.db.on('error', () => undefined);
    const { createApiApp } = await import('../apps/api/src/bootstrap.js');
    const { createWorkerApp } = await import('../apps/worker/src/bootstrap.js');
    apps.api = await createApiApp(config, { logDestination: destination, logLevel: 'info' });
    await apps.api.listen(0, '127.0.0.1');
    apps.worker = await createWorkerApp(config, { logDestination: destination, logLevel: 'info' });
    await apps.worker.init();
    const baseUrl = `http://127.0.0.1:${(apps.api.getHttpServer().address() as { port: number }).port}`;
    apps.env = { config, baseUrl, api: apps.api, worker: apps.worker, db: apps.db, http: () => request(baseUrl) } as unknown as TestEnv;
  });
  afterAll(async () => {
    await apps.worker?.close();
    await apps.api?.close();
    await apps.db?.end();
    if (apps.config) {
      const redis = new Redis(apps.config.REDIS_URL);
      await deleteQueueKeys(redis, apps.config.QUEUE_PREFIX);
      redis.disconnect();
      await dropDatabase(apps.config.DATABASE_URL);
    }
  });
  return apps;
}
