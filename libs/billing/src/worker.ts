// '@app/billing/worker': what only the worker runs (the command runner, the handlers, the
// schedulers' work). apps/api imports '@app/billing' only.
export * from './commands/handler.js';
export * from './commands/command-runner.js';
export * from './commands/command-batcher.js';
export * from './commands/handlers/index.js';
export * from './commands/requeue.js';
export * from './notifications/receipt-mail.js';
export * from './reconciliation/daily.js';
