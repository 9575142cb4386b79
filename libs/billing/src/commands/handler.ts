import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { CommandJobData } from './queue.js';
import type { BillingErrorCode } from '../domain/errors.js';
import type { IsoDate } from '../domain/dates.js';
import type { ClinicSettings } from '../entities/clinic.entity.js';
import type { Command, CommandType } from '../entities/command.entity.js';

export interface HandlerContext {
  /** Inside the command's transaction (for batched handlers: a plain fork; they open their own). */
  em: EntityManager;
  command: Command;
  clinic: { id: string; timezone: string; settings: ClinicSettings };
  /** Today in the clinic's time zone. */
  today: IsoDate;
  /** For long handlers: saved on the command for clients to poll. */
  reportProgress: (progress: Record<string, unknown>) => Promise<void>;
  /** The commands queue, where the worker provides it (reconciliation re-queues lost commands). */
  commandsQueue: Queue<CommandJobData> | null;
}

/**
 * Writes a handler leaves to the runner, as data-modifying CTEs (`a as (insert …), b as (update …)`):
 * they run in the statement that records the command's final status (one round trip fewer).
 */
export interface DeferredWrites {
  ctes: string;
  params: unknown[];
}

export type HandlerOutcome =
  | { status: 'succeeded'; result: Record<string, unknown>; writes?: DeferredWrites }
  | { status: 'rejected'; code: BillingErrorCode; detail?: string };

export interface CommandHandler {
  type: CommandType;
  /**
   * true (the default): the runner wraps the handler and the command's final status in one
   * transaction. false: the handler works in batches of its own transactions (reconciliation)
   * and must be idempotent across a crash mid-way.
   */
  transactional?: boolean;
  handle(ctx: HandlerContext): Promise<HandlerOutcome>;
}

export const succeeded = (result: Record<string, unknown>, writes?: DeferredWrites): HandlerOutcome => ({ status: 'succeeded', result, ...(writes ? { writes } : {}) });
export const rejected = (code: BillingErrorCode, detail?: string): HandlerOutcome => ({ status: 'rejected', code, ...(detail ? { detail } : {}) });
