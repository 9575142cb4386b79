import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ENTITIES } from '../entities/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { namePreparedStatements } from './prepared.js';

// Raw queries return bigint (money sums, counts) as numbers: every amount is validated far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// Calendar dates stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface OrmOptions {
  databaseUrl: string;
  poolSize?: number;
  debug?: boolean;
}

export function ormConfig({ databaseUrl, poolSize = 20, debug = false }: OrmOptions) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      path: 'libs/billing/src/migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: { min: 0, max: poolSize },
    driverOptions: { onPoolCreated: namePreparedStatements },
    forceUtcTimezone: true,
    // Handlers fork an EntityManager per job and per request; the global one must never be used.
    allowGlobalContext: false,
    debug,
  });
}
