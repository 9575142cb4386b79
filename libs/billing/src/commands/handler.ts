import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { DeleteQueryBuilder, InsertQueryBuilder, UpdateQueryBuilder } from 'kysely';
import type { CommandJobData } from './queue.js';
import type { BillingErrorCode } from '../domain/errors.js';
import type { IsoDate } from '../domain/dates.js';
import type { ClinicSettings } from '../entities/clinic.entity.js';
import type { Command } from '../entities/command.entity.js';
import type { Database } from '../db/database.js';
import type { CommandRequest, CommandResult, CommandType } from './catalogue.js';

export interface HandlerContext<T extends CommandType = CommandType> {
  /** Inside the command's transaction (for batched handlers: a plain fork; they open their own). */
  em: EntityManager;
  command: Command;
  /** The command's request, read back through the catalogue. */
  request: CommandRequest<T>;
  clinic: { id: string; timezone: string; settings: ClinicSettings };
  /** Today in the clinic's time zone. */
  today: IsoDate;
  /** For long handlers: saved on the command for clients to poll. */
  reportProgress: (progress: Record<string, unknown>) => Promise<void>;
  /** The commands queue, where the worker provides it (reconciliation re-queues lost commands). */
  commandsQueue: Queue<CommandJobData> | null;
}

/**
 * One write of a command's effects, built with Kysely. The runner runs a succeeded command's
 * writes as data-modifying CTEs of the statement that records its outcome (one round trip for
 * effects and outcome). They all see the snapshot of that statement, not each other's rows: a
 * handler computes final values and writes each row once.
 */
export type EffectWrite =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  InsertQueryBuilder<Database, any, any> | UpdateQueryBuilder<Database, any, any, any> | DeleteQueryBuilder<Database, any, any>;

/**
 * An effect write as a shape (db/query.ts shaped): `build` places `args` where values go, and
 * `key` names everything else that changes its text (which optional columns it sets, …). The
 * runner compiles each sequence of keys with the outcome once per process, then only fills in
 * the arguments: no Kysely building or compiling per command.
 */
export interface ShapedWrite {
  readonly key: string;
  readonly args: readonly unknown[];
  readonly build: (...slots: readonly unknown[]) => EffectWrite;
}

/** An effect write as a shape: see ShapedWrite. */
export const shapedWrite = <A extends readonly unknown[] | []>(key: string, args: A, build: (...slots: A) => EffectWrite): ShapedWrite =>
  // build is only ever called with args, or with their stand-ins.
  ({ key, args, build: build as unknown as ShapedWrite['build'] });

/**
 * Values of a write whose columns vary (optional ones left out): as a shape's arguments, with the
 * column names for its key (`names`), the values in order (`args`) and the object rebuilt from
 * their stand-ins (`from`).
 */
export function varyingColumns<T extends Record<string, unknown>>(values: T): { names: string; args: unknown[]; from: (slots: readonly unknown[]) => T } {
  const columns = Object.keys(values);
  return {
    names: columns.join(','),
    args: columns.map((c) => values[c]),
    from: (slots) => Object.fromEntries(columns.map((c, i) => [c, slots[i]])) as T,
  };
}

export type HandlerOutcome<T extends CommandType = CommandType> =
  | { status: 'succeeded'; result: CommandResult<T>; effects: readonly ShapedWrite[] }
  | { status: 'rejected'; code: BillingErrorCode; detail?: string };

export interface CommandHandler<T extends CommandType> {
  /**
   * true (the default): the runner wraps the handler, its effects and the command's final status
   * in one transaction. false: the handler works in batches of its own transactions
   * (reconciliation) and must be idempotent across a crash mid-way.
   */
  transactional?: boolean;
  handle(ctx: HandlerContext<T>): Promise<HandlerOutcome<T>>;
}

export const succeeded = <T extends CommandType>(result: CommandResult<T>, effects: readonly ShapedWrite[] = []): HandlerOutcome<T> => ({ status: 'succeeded', result, effects });
export const rejected = (code: BillingErrorCode, detail?: string): HandlerOutcome<never> => ({ status: 'rejected', code, ...(detail ? { detail } : {}) });
