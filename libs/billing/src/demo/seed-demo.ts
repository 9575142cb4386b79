// `npm run demo`: seeds a demo clinic in DATABASE_URL (migrated by the script before) and prints its keys.
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config/app-config.js';
import { explainConnectionError } from '../database/connection-errors.js';
import { ormConfig } from '../database/orm-config.js';
import { seedDemo } from './seed.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await MikroORM.init(ormConfig({ databaseUrl: config.DATABASE_URL, poolSize: 4 }));
  try {
    const demo = await seedDemo(orm.em);
    const base = `http://127.0.0.1:${config.PORT}`;
    const { counts } = demo;
    console.log(`Demo clinic "${demo.clinicName}" (${demo.clinicId}) seeded: ${counts.services} services, ${counts.plans} plans, ${counts.patients} patients, ${counts.purchases} purchases, ${counts.redemptions} redemptions.`);
    console.log('API keys (shown once; each run seeds a new clinic):');
    for (const [role, key] of Object.entries(demo.keys)) console.log(`  ${role.padEnd(11)} ${key}`);
    console.log(`Dashboard:  ${base}/dashboard  (sign in with the owner key)`);
    console.log(`API docs:   ${base}/docs`);
    console.log(`Bull Board: ${base}/admin/queues  (owner)`);
    console.log('Start the API and the worker with `npm start` if they are not running.');
  } finally {
    await orm.close(true);
  }
}

main().catch((error: unknown) => {
  console.error(explainConnectionError(error));
  process.exit(1);
});
