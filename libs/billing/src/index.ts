// The library's public face: both apps import from '@app/billing' only.
export * from './config/app-config.js';
export * from './database/orm-config.js';
export * from './database/migrate.js';
export * from './database/database-url.js';
export * from './database/connection-errors.js';
export * from './entities/index.js';
export * from './problems/problem.js';
export * from './auth/api-keys.js';
export * from './commands/queue.js';
export * from './nest/redis.js';
export * from './nest/billing-core.module.js';
export * from './commands/request-hash.js';
export * from './commands/idempotency-store.js';
export * from './commands/command-store.js';
export * from './commands/command-events.js';
