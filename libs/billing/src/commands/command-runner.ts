import { Logger, type LoggerService } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { todayIn } from '../domain/dates.js';
import type { ClinicSettings } from '../entities/clinic.entity.js';
import { Command, type CommandProblem } from '../entities/command.entity.js';
import { problemFor } from '../problems/problem.js';
import { columnsOf, executePrepared } from '../database/prepared.js';
import { COMMAND_EVENTS_CHANNEL, commandFieldsSql, MAX_NOTIFY_PAYLOAD_BYTES } from './command-events.js';
import type { CommandJobData } from './queue.js';
import type { CommandHandler, DeferredWrites, HandlerContext, HandlerOutcome } from './handler.js';

export type RunResult = 'skipped' | 'succeeded' | 'rejected' | 'failed';

const BATCHED = Symbol('batched');

/**
 * The worker's half of the pipeline. Delivery is at least once, so a run starts by updating the
 * command row (which takes its lock) only if it is not final yet: a duplicate delivery waits for
 * the first one and then finds nothing to do. The effects and the final status commit together,
 * so a crash leaves either both or neither. Round trips are few on purpose: start, the
 * handler's own statements, finish-and-notify.
 */
export class CommandRunner {
  private readonly handlers: Map<string, CommandHandler>;

  constructor(
    private readonly em: EntityManager,
    handlers: CommandHandler[],
    private readonly commandsQueue: Queue<CommandJobData> | null = null,
    private readonly logger: Pick<LoggerService, 'error'> = new Logger('CommandRunner'),
  ) {
    this.handlers = new Map(handlers.map((h) => [h.type, h]));
  }

  /**
   * Runs one delivery of a command. Unexpected errors are rethrown for BullMQ to retry, except on
   * the last attempt, where the command is marked failed for staff to see.
   */
  async run(commandId: string, options: { lastAttempt: boolean }): Promise<RunResult> {
    let startCommitted = false;
    try {
      let batched: HandlerContext | null = null;
      const result = await this.em.fork().transactional(async (tx) => {
        const ctx = await this.start(tx, commandId);
        if (!ctx) return 'skipped' as const;
        const handler = this.handlerFor(ctx.command);
        if (handler.transactional === false) {
          // Commit the start at once: a batched handler opens transactions of its own.
          batched = ctx;
          return BATCHED;
        }
        return this.finish(tx, commandId, toFinal(await handler.handle(ctx)));
      });
      if (result !== BATCHED) return result;
      startCommitted = true;
      const ctx = batched as unknown as HandlerContext;
      const outcome = await this.handlerFor(ctx.command).handle({ ...ctx, em: this.em.fork() });
      return await this.em.fork().transactional((tx) => this.finish(tx, commandId, toFinal(outcome)));
    } catch (error) {
      // The attempt's transaction rolled back with its start; count the attempt on its own.
      if (!startCommitted) await this.em.fork().execute(
        `update command set attempts = attempts + 1, started_at = coalesce(started_at, now()) where id = ? and status in ('queued', 'running')`,
        [commandId],
      );
      if (!options.lastAttempt) throw error;
      return this.fail(commandId, error);
    }
  }

  /**
   * Retries exhausted: the internal error goes to the log only, with the correlation id; the
   * command (which clients and the dashboard read) keeps a generic detail naming that id.
   */
  private async fail(commandId: string, error: unknown): Promise<RunResult> {
    const [row] = await this.em.fork().execute<{ correlation_id: string | null; attempts: number }[]>('select correlation_id, attempts from command where id = ?', [commandId]);
    const correlationId = row?.correlation_id ?? null;
    this.logger.error({ commandId, correlationId, attempts: row?.attempts, err: error }, 'Command failed: retries exhausted');
    const detail = `The command failed after ${row?.attempts ?? 1} attempts; quote ${correlationId ? `correlation id ${correlationId}` : `command id ${commandId}`} to support`;
    return this.em.fork().transactional((tx) => this.finish(tx, commandId, { status: 'failed', error: problemFor('internal_error', detail) }));
  }

  private handlerFor(command: Command): CommandHandler {
    const handler = this.handlers.get(command.type);
    if (!handler) throw new Error(`No handler for command type ${command.type}`);
    return handler;
  }

  /** Marks the command running (one more attempt) and loads it with its clinic; null when it is final already. */
  private async start(tx: EntityManager, commandId: string): Promise<HandlerContext | null> {
    const rows = await executePrepared<Record<string, unknown>>(tx,
      `update command c set status = 'running', attempts = c.attempts + 1, started_at = coalesce(c.started_at, now())
         from clinic cl
        where c.id = ? and cl.id = c.clinic_id and c.status in ('queued', 'running')
        returning ${columnsOf(tx, Command, 'c')}, cl.timezone as clinic_timezone, cl.settings as clinic_settings`,
      [commandId],
    );
    const row = rows[0];
    if (!row) return null;
    const { clinic_timezone: timezone, clinic_settings: settings, ...commandRow } = row;
    const command = tx.map(Command, commandRow);
    const clinic = { id: command.clinicId, timezone: timezone as string, settings: (typeof settings === 'string' ? JSON.parse(settings) : settings) as ClinicSettings };
    return {
      em: tx,
      command,
      clinic,
      today: todayIn(clinic.timezone),
      commandsQueue: this.commandsQueue,
      reportProgress: async (progress) => {
        await this.em.fork().execute('update command set progress = ? where id = ?', [JSON.stringify(progress), command.id]);
      },
    };
  }

  /**
   * Writes the final status and announces it, in one statement, inside the command's transaction.
   * The announcement carries the finished command when it fits, so a waiting request need not read it back.
   */
  private async finish(em: EntityManager, commandId: string, final: FinalState): Promise<RunResult> {
    // A succeeded handler's deferred writes run first in the same statement (a data-modifying CTE
    // runs whether or not it is referenced).
    const writes = final.writes ?? { ctes: '', params: [] };
    const rows = await executePrepared<{ id: string }>(em,
      `with ${writes.ctes ? `${writes.ctes},` : ''} done as (
         update command set status = ?, result = ?::jsonb, error = ?::jsonb, finished_at = clock_timestamp()
          where id = ? and status not in ('succeeded', 'rejected', 'failed')
          returning *
       ), event as (
         select id, json_build_object('id', id, 'clinicId', clinic_id, 'type', type, 'status', status)::text as short,
                json_build_object('id', id, 'clinicId', clinic_id, 'type', type, 'status', status, 'command', ${commandFieldsSql('done')})::text as whole
           from done
       )
       select id, pg_notify(?, case when octet_length(whole) < ${MAX_NOTIFY_PAYLOAD_BYTES} then whole else short end)
         from event`,
      [...writes.params, final.status, final.result ? JSON.stringify(final.result) : null, final.error ? JSON.stringify(final.error) : null, commandId, COMMAND_EVENTS_CHANNEL],
    );
    return rows.length > 0 ? final.status : 'skipped';
  }
}

function toFinal(outcome: HandlerOutcome): FinalState {
  return outcome.status === 'succeeded'
    ? { status: 'succeeded', result: outcome.result, writes: outcome.writes }
    : { status: 'rejected', error: problemFor(outcome.code, outcome.detail) };
}

type FinalState =
  | { status: 'succeeded'; result: Record<string, unknown>; writes?: DeferredWrites; error?: undefined }
  | { status: 'rejected' | 'failed'; error: CommandProblem; result?: undefined; writes?: undefined };
