import { Migration20261125141423_initial } from './Migration20261125141423_initial.js';

// Every migration, in order. A new one is generated with `npm run db:migration:create -- <name>`
// and added here (an explicit list: no file globbing at run time, works from src and dist alike).
export const MIGRATIONS = [Migration20261125141423_initial];
