// The library's public face: both apps import from '@app/billing' only.
export * from './config/app-config.js';
export * from './database/orm-config.js';
export * from './database/migrate.js';
export * from './database/database-url.js';
export * from './database/connection-errors.js';
export * from './entities/index.js';
