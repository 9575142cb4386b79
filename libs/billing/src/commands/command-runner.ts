import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { CommandJobData } from './queue.js';
import { todayIn } from '../domain/dates.js';
import { Clinic } from '../entities/clinic.entity.js';
import { Command, type CommandProblem } from '../entities/command.entity.js';
import { problemFor } from '../problems/problem.js';
import { notifyCommandEvent } from './command-events.js';
import { isFinal } from './command-store.js';
import type { CommandHandler, HandlerContext, HandlerOutcome } from './handler.js';

export type RunResult = 'skipped' | 'succeeded' | 'rejected' | 'failed';

/**
 * The worker's half of the pipeline. Delivery is at least once, so a run first takes the
 * command row's lock and skips a command that is already final; the effects and the final
 * status commit together, so a crash leaves either both or neither.
 */
export class CommandRunner {
  private readonly handlers: Map<string, CommandHandler>;

  constructor(
    private readonly em: EntityManager,
    handlers: CommandHandler[],
    private readonly commandsQueue: Queue<CommandJobData> | null = null,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.type, h]));
  }

  /**
   * Runs one delivery of a command. Unexpected errors are rethrown for BullMQ to retry, except on
   * the last attempt, where the command is marked failed for staff to see.
   */
  async run(commandId: string, options: { lastAttempt: boolean }): Promise<RunResult> {
    const started = await this.markStarted(commandId);
    if (!started) return 'skipped';
    const handler = this.handlers.get(started.type);
    try {
      if (!handler) throw new Error(`No handler for command type ${started.type}`);
      return handler.transactional === false ? await this.runBatched(started, handler) : await this.runInOneTransaction(commandId, handler);
    } catch (error) {
      if (!options.lastAttempt) throw error;
      await this.finish(this.em.fork(), commandId, {
        status: 'failed',
        error: problemFor('internal_error', `Failed after retries: ${(error as Error).message ?? String(error)}`),
      });
      return 'failed';
    }
  }

  /** Counts the attempt in its own statement, so it sticks even when the attempt's transaction rolls back. */
  private async markStarted(commandId: string): Promise<Command | null> {
    const em = this.em.fork();
    const rows = await em.execute<{ id: string }[]>(
      `update command set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now())
       where id = ? and status in ('queued', 'running') returning id`,
      [commandId],
    );
    if (rows.length === 0) return null;
    return em.findOne(Command, { id: commandId });
  }

  private async runInOneTransaction(commandId: string, handler: CommandHandler): Promise<RunResult> {
    return this.em.fork().transactional(async (tx) => {
      const command = await tx.findOneOrFail(Command, { id: commandId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // Another delivery finished it while this one waited for the lock.
      if (isFinal(command)) return 'skipped';
      const outcome = await handler.handle(await this.context(tx, command));
      return this.finish(tx, commandId, this.toFinal(outcome));
    });
  }

  private async runBatched(command: Command, handler: CommandHandler): Promise<RunResult> {
    const em = this.em.fork();
    const outcome = await handler.handle(await this.context(em, command));
    return this.em.fork().transactional(async (tx) => {
      const locked = await tx.findOneOrFail(Command, { id: command.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (isFinal(locked)) return 'skipped';
      return this.finish(tx, command.id, this.toFinal(outcome));
    });
  }

  private async context(em: EntityManager, command: Command): Promise<HandlerContext> {
    const clinic = await em.findOneOrFail(Clinic, { id: command.clinicId });
    return {
      em,
      command,
      clinic,
      today: todayIn(clinic.timezone),
      commandsQueue: this.commandsQueue,
      reportProgress: async (progress) => {
        await this.em.fork().execute('update command set progress = ? where id = ?', [JSON.stringify(progress), command.id]);
      },
    };
  }

  private toFinal(outcome: HandlerOutcome): FinalState {
    return outcome.status === 'succeeded'
      ? { status: 'succeeded', result: outcome.result }
      : { status: 'rejected', error: problemFor(outcome.code, outcome.detail) };
  }

  private async finish(em: EntityManager, commandId: string, final: FinalState): Promise<RunResult> {
    const rows = await em.execute<{ clinic_id: string; type: Command['type'] }[]>(
      `update command set status = ?, result = ?, error = ?, finished_at = now()
       where id = ? and status not in ('succeeded', 'rejected', 'failed') returning clinic_id, type`,
      [final.status, final.result ? JSON.stringify(final.result) : null, final.error ? JSON.stringify(final.error) : null, commandId],
    );
    if (!rows[0]) return 'skipped';
    await notifyCommandEvent(em, { id: commandId, clinicId: rows[0].clinic_id, type: rows[0].type, status: final.status });
    return final.status;
  }
}

type FinalState =
  | { status: 'succeeded'; result: Record<string, unknown>; error?: undefined }
  | { status: 'rejected' | 'failed'; error: CommandProblem; result?: undefined };
