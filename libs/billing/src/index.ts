// The library's public face for both apps. Worker-only code (the runner, the handlers, the
// schedulers' work) is '@app/billing/worker' (worker.ts), which apps/api never imports.
export * from './config/app-config.js';
export * from './database/orm-config.js';
export * from './database/migrate.js';
export * from './database/database-url.js';
export * from './database/connection-errors.js';
export * from './database/deadlocks.js';
export * from './entities/index.js';
export * from './problems/problem.js';
export * from './auth/api-keys.js';
export * from './commands/queue.js';
export { COMMAND_CATALOGUE, isCommandType } from './commands/catalogue.js';
// CommandType comes from the entity (the same set: catalogue.ts checks it when compiled).
export type {
  CommandCatalogue, CommandDefinition, CommandRequest, CommandResult, ExistenceRule,
  RedemptionRequest, RedemptionResult, CancellationRequest, CancellationResult, RefundRequest, RefundResult,
  TransferRequest, TransferResult, ReconciliationRequest, ReconciliationResult, ReceiptEmailRequest, ReceiptEmailResult,
  ExtensionCommandRequest, ExtensionCommandResult, PauseCommandRequest, PauseCommandResult, ResumeCommandRequest, ResumeCommandResult,
  ReversalCommandRequest, ReversalCommandResult, GivenBackResult, InvoiceVoidCommandRequest, InvoiceVoidCommandResult,
  InvoiceRefundCommandRequest, InvoiceRefundCommandResult, AppointmentCancellationCommandRequest, AppointmentCancellationCommandResult,
} from './commands/catalogue.js';
export * from './nest/redis.js';
export * from './nest/store-health.js';
export * from './nest/billing-core.module.js';
export * from './commands/request-hash.js';
export * from './commands/idempotency-store.js';
export * from './commands/command-store.js';
export * from './commands/command-events.js';
export * from './commands/retry.js';
export * from './invoices/invoice-numbers.js';
export * from './invoices/invoice-edits.js';
export * from './domain/index.js';
export * from './queries/purchase-states.js';
export * from './sales/create-purchase.js';
export * from './queries/purchase-details.js';
export * from './database/preflight.js';
export * from './sales/delete-purchase.js';
export * from './queries/dashboard.js';
export * from './reports/index.js';
export * from './verify/verify.js';
export * from './metrics/metrics.js';
export * from './logging/logging.js';
export * from './nest/stop-on-signals.js';
export * from './database/pg-listener.js';
export * from './documents/index.js';
export * from './notifications/queue.js';
