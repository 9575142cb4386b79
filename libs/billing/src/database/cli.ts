// Database commands for npm scripts: `migrate` (apply committed migrations) and
// `create-migration` (diff the entities against a scratch database migrated to head).
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config/app-config.js';
import { withDatabase } from './database-url.js';
import { dropDatabase, migrate } from './migrate.js';
import { ormConfig } from './orm-config.js';
import { explainConnectionError } from './connection-errors.js';

async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  if (command === 'migrate') {
    const applied = await migrate(config.DATABASE_URL);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
    return;
  }
  if (command === 'create-migration') {
    const scratch = withDatabase(config.DATABASE_URL, `migration_scratch_${process.pid}`);
    await migrate(scratch);
    const orm = await MikroORM.init(ormConfig({ databaseUrl: scratch, poolSize: 2 }));
    try {
      const result = await orm.migrator.create(undefined, false, false, process.argv[3]);
      console.log(result.fileName ? `Created ${result.fileName}: add it to migrations/index.ts` : 'No changes: entities match the migrations.');
    } finally {
      await orm.close(true);
      await dropDatabase(scratch);
    }
    return;
  }
  throw new Error(`Unknown command ${command ?? '(none)'}: use migrate or create-migration`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
