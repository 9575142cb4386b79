import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { databaseName, withDatabase } from './database-url.js';
import { ormConfig } from './orm-config.js';

/** Creates the database named in the URL if it does not exist (connecting to `postgres`). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Two processes creating it at once: the loser sees a duplicate, which is fine.
    if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName(databaseUrl).replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface MigrateOptions {
  /** Stop after this migration (its name, e.g. 'Migration20261125141423_initial'); default: all. */
  to?: string;
}

/** Applies the committed migrations (up to `to`, if given); returns the names applied. */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  await ensureDatabaseExists(databaseUrl);
  const orm = await MikroORM.init(ormConfig({ databaseUrl, poolSize: 2 }));
  try {
    const applied = await orm.migrator.up(options.to ? { to: options.to } : undefined);
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
