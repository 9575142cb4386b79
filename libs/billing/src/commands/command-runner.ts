import { Logger, type LoggerService } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UnrecoverableError, type Queue } from 'bullmq';
import { sql, type QueryCreator } from 'kysely';
import { todayIn } from '../domain/dates.js';
import { allowedFrom } from '../domain/transitions.js';
import type { ClinicSettings } from '../entities/clinic.entity.js';
import type { CommandProblem } from '../entities/command.entity.js';
import { problemFor } from '../problems/problem.js';
import { workerMetrics } from '../metrics/metrics.js';
import type { Database } from '../db/database.js';
import { COMMAND_COLUMNS, qualified } from '../db/columns.js';
import { commandOf } from './command-row.js';
import { executePreparedCompiled } from '../database/prepared.js';
import { rerunDeadlocked } from '../database/deadlocks.js';
import { db, json, runShaped, shaped } from '../db/query.js';
import { COMMAND_EVENTS_CHANNEL, commandFieldsSql, MAX_NOTIFY_PAYLOAD_BYTES } from './command-events.js';
import type { CommandJobData } from './queue.js';
import { COMMAND_CATALOGUE, isCommandType, type CommandType } from './catalogue.js';
import { UnreadableRequest } from './request-reader.js';
import type { CommandHandler, EffectWrite, HandlerContext, HandlerOutcome, ShapedWrite } from './handler.js';

export type RunResult = 'skipped' | 'succeeded' | 'rejected' | 'failed';

export interface RunOptions {
  lastAttempt: boolean;
  /**
   * Called when the command turns out to be one that opens transactions of its own
   * (reconciliation), once its start has committed: its caller need not count it as a running
   * command transaction for the rest of its (long) run.
   */
  onOwnTransactions?: () => void;
}

/** One delivery of a command by the queue. */
export interface Delivery {
  commandId: string;
  lastAttempt: boolean;
}

/** One handler per command type: a type without one does not compile. */
export type CommandHandlers = { readonly [T in CommandType]: CommandHandler<T> };

// Queued, or running again after a crashed delivery: the command table's moves to running.
const STARTABLE = allowedFrom('command', 'running');

const BATCHED = Symbol('batched');

/** A command a shared transaction cannot run (unreadable, or a handler with transactions of its own). */
class RunsAlone extends Error {}

type Started = { ctx: HandlerContext; handler: CommandHandler<CommandType> } | { unreadable: string; correlationId: string | null };

/**
 * The worker's half of the pipeline: it starts the command, calls its handler and records the
 * outcome with its notification, all in one transaction. Delivery is at least once, so a run
 * starts by updating the command row (which takes its lock) only if it is not final yet: a
 * duplicate delivery waits for the first one and then finds nothing to do. The effects the
 * handler returns run in the statement that records the outcome, so a crash leaves either both
 * or neither. Round trips: BEGIN, start, the handler's reads, effects-and-outcome, COMMIT.
 */
export class CommandRunner {
  constructor(
    private readonly em: EntityManager,
    private readonly handlers: CommandHandlers,
    private readonly commandsQueue: Queue<CommandJobData> | null = null,
    private readonly logger: Pick<LoggerService, 'error'> = new Logger('CommandRunner'),
  ) {}

  /**
   * Runs one delivery of a command. Unexpected errors are rethrown for BullMQ to retry, except on
   * the last attempt, where the command is marked failed for staff to see. A command of an
   * unknown type or with an unreadable request is marked failed at once and throws BullMQ's
   * UnrecoverableError: no retry can read it. A deadlock's victim (Postgres rolled its
   * transaction back whole and let the other go on) runs again at once, without counting an attempt.
   */
  async run(commandId: string, options: RunOptions): Promise<RunResult> {
    let startCommitted = false;
    let unreadable: string | null = null;
    try {
      let batched: Extract<Started, { ctx: HandlerContext }> | null = null;
      const result = await rerunDeadlocked(() => this.em.fork().transactional(async (tx) => {
        const started = await this.start(tx, commandId);
        if (!started) return 'skipped' as const;
        if ('unreadable' in started) {
          // The reason goes to the log; the client and the dashboard get the id to quote.
          unreadable = started.unreadable;
          this.logger.error({ commandId, correlationId: started.correlationId, reason: started.unreadable }, 'Command failed: it cannot be read');
          const quote = started.correlationId ? `correlation id ${started.correlationId}` : `command id ${commandId}`;
          return this.finish(tx, commandId, { status: 'failed', error: problemFor('internal_error', `The command cannot be run: its request cannot be read; quote ${quote} to support`) });
        }
        if (started.handler.transactional === false) {
          // Commit the start at once: a batched handler opens transactions of its own.
          batched = started;
          return BATCHED;
        }
        return this.finish(tx, commandId, toFinal(await started.handler.handle(started.ctx)));
      }));
      if (unreadable !== null) throw new UnrecoverableError(`Command ${commandId}: ${unreadable}`);
      if (result !== BATCHED) return result;
      startCommitted = true;
      options.onOwnTransactions?.();
      const { ctx, handler } = batched!;
      const outcome = await handler.handle({ ...ctx, em: this.em.fork() });
      return await this.em.fork().transactional((tx) => this.finish(tx, commandId, toFinal(outcome)));
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
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
   * Runs several deliveries in one transaction: one BEGIN, one start of them all and one COMMIT
   * (and WAL flush), then each command's reads and effects-and-outcome as in run(), one after the
   * other, each seeing the effects of the ones before. If any statement fails (a deadlock, a
   * command that cannot share a transaction, a bug), nothing of the batch is committed and each
   * delivery runs again alone, at once and in its own transaction, so a failure costs only its
   * own command an attempt. A COMMIT whose outcome is unknown is safe too: a rerun finds the
   * committed commands final and skips them. Each delivery's outcome settles on its own.
   */
  runMany(deliveries: readonly Delivery[], options: Pick<RunOptions, 'onOwnTransactions'> = {}): Promise<RunResult>[] {
    const shared = deliveries.length > 1 ? this.runShared(deliveries) : Promise.resolve(null);
    const alone = new Map<string, Promise<RunResult>>();
    // A command delivered twice in the batch runs once, as its last attempt if either delivery is.
    const lastAttempt = (commandId: string) => deliveries.some((d) => d.commandId === commandId && d.lastAttempt);
    return deliveries.map(({ commandId }, i) =>
      shared.then((results) => {
        if (results) return results[i];
        if (!alone.has(commandId)) alone.set(commandId, this.run(commandId, { lastAttempt: lastAttempt(commandId), ...options }));
        return alone.get(commandId)!;
      }),
    );
  }

  /** The shared transaction of runMany: each delivery's result, or null when it rolled back. */
  private async runShared(deliveries: readonly Delivery[]): Promise<RunResult[] | null> {
    try {
      const results = await this.em.fork().transactional(async (tx) => {
        const starts = await this.startMany(tx, deliveries.map((d) => d.commandId));
        if ([...starts.values()].some((started) => 'unreadable' in started || started.handler.transactional === false)) throw new RunsAlone();
        const out: RunResult[] = [];
        for (const { commandId } of deliveries) {
          const started = starts.get(commandId) as Extract<Started, { ctx: HandlerContext }> | undefined;
          // A second delivery of one command in the batch: the first ran it.
          starts.delete(commandId);
          // Each command reads its own entities: none left over from the one before.
          tx.clear();
          out.push(started ? await this.finish(tx, commandId, toFinal(await started.handler.handle(started.ctx))) : 'skipped');
        }
        return out;
      });
      workerMetrics.sharedTransactions.observe({ outcome: 'committed' }, deliveries.length);
      return results;
    } catch {
      // Rolled back as a whole: every delivery runs again, alone.
      workerMetrics.sharedTransactions.observe({ outcome: 'rolled_back' }, deliveries.length);
      return null;
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

  /**
   * Marks the command running (one more attempt) and loads it with its clinic, its handler and
   * its request read back; null when it is final already.
   */
  private async start(tx: EntityManager, commandId: string): Promise<Started | null> {
    const rows = await runShaped(tx, 'command.start', [commandId], (id) => startQuery(sql<boolean>`c.id = ${id}`));
    return rows[0] ? this.started(tx, rows[0]) : null;
  }

  /** start() of several commands in one statement: the started ones by id. */
  private async startMany(tx: EntityManager, commandIds: readonly string[]): Promise<Map<string, Started>> {
    const rows = await runShaped(tx, 'command.start.many', [commandIds], (ids) => startQuery(sql<boolean>`c.id = any(${ids}::uuid[])`));
    return new Map(rows.map((row) => [row.id, this.started(tx, row)]));
  }

  private started(tx: EntityManager, row: StartedRow): Started {
    const { clinic_timezone: timezone, clinic_settings: settings, ...commandRow } = row;
    const command = commandOf(tx, commandRow);
    if (!isCommandType(command.type)) return { unreadable: `unknown command type '${String(command.type)}'`, correlationId: command.correlationId };
    let request;
    try {
      request = COMMAND_CATALOGUE[command.type].read(command.request);
    } catch (error) {
      if (error instanceof UnreadableRequest) return { unreadable: `its ${command.type} request cannot be read (${error.message})`, correlationId: command.correlationId };
      throw error;
    }
    const clinic = { id: command.clinicId, timezone, settings: (typeof settings === 'string' ? JSON.parse(settings) : settings) as ClinicSettings };
    const ctx: HandlerContext = {
      em: tx,
      command,
      request,
      clinic,
      today: todayIn(clinic.timezone),
      commandsQueue: this.commandsQueue,
      reportProgress: async (progress) => {
        await this.em.fork().execute('update command set progress = ? where id = ?', [JSON.stringify(progress), command.id]);
      },
    };
    return { ctx, handler: this.handlers[command.type] as CommandHandler<CommandType> };
  }

  /**
   * Writes a succeeded handler's effects, the final status and its announcement, in one
   * statement inside the command's transaction (a data-modifying CTE runs whether or not it is
   * referenced). The announcement carries the finished command when it fits, so a waiting
   * request need not read it back.
   */
  private async finish(em: EntityManager, commandId: string, final: FinalState): Promise<RunResult> {
    const statement = finishStatement(commandId, final);
    const rows = await executePreparedCompiled(em, statement.sql, statement.parameters);
    return rows.length > 0 ? final.status : 'skipped';
  }
}

/**
 * The finishing statement: the effects' CTEs, then the outcome and its announcement. It is a
 * shape (shaped) keyed by the sequence of its effects' keys: Kysely builds and compiles each
 * sequence once per process (a redemption has a handful), later commands only fill in the
 * outcome's and the effects' arguments, in order.
 */
export function finishStatement(commandId: string, final: FinalState): { sql: string; parameters: readonly unknown[] } {
  const effects = final.effects ?? [];
  const outcome: [FinalState['status'], string | null, string | null, string] = [final.status, final.result ? json(final.result) : null, final.error ? json(final.error) : null, commandId];
  if (effects.length === 0) return shaped('command.finish', outcome, (status, result, error, id) => finishQuery(db, status, result, error, id, []));
  let key = 'command.finish';
  const args: unknown[] = [...outcome];
  for (const effect of effects) {
    key += `|${effect.key}`;
    args.push(...effect.args);
  }
  return shaped(key, args, (...slots) => {
    let at = outcome.length;
    const writes = effects.map((effect) => effect.build(...slots.slice(at, (at += effect.args.length))));
    return finishQuery(db, ...(slots.slice(0, outcome.length) as typeof outcome), writes);
  });
}

export function finishQuery(
  root: QueryCreator<Database>,
  status: FinalState['status'],
  result: string | null,
  error: string | null,
  commandId: string,
  effects: readonly EffectWrite[],
) {
  let writes = root;
  effects.forEach((write, i) => {
    writes = writes.with(`effect_${i}`, () => write);
  });
  return writes
    .with('done', (qc) =>
      qc.updateTable('command')
        .set({ status, result, error, finished_at: sql<Date>`clock_timestamp()` })
        .where('id', '=', commandId)
        .where('status', 'not in', ['succeeded', 'rejected', 'failed'])
        .returning([...COMMAND_COLUMNS]),
    )
    .with('event', (qc) =>
      qc.selectFrom('done').select([
        'id',
        sql<string>`json_build_object('id', id, 'clinicId', clinic_id, 'type', type, 'status', status)::text`.as('short'),
        sql<string>`json_build_object('id', id, 'clinicId', clinic_id, 'type', type, 'status', status, 'command', ${sql.raw(commandFieldsSql('done'))})::text`.as('whole'),
      ]),
    )
    .selectFrom('event')
    .select(['id', sql`pg_notify(${COMMAND_EVENTS_CHANNEL}, case when octet_length(whole) < ${sql.lit(MAX_NOTIFY_PAYLOAD_BYTES)} then whole else short end)`.as('notified')]);
}

/** Marks the commands that match `which` and may start running (one more attempt), returning them with their clinic. */
function startQuery(which: ReturnType<typeof sql<boolean>>) {
  return db.updateTable('command as c')
    .from('clinic as cl')
    .set((eb) => ({ status: 'running', attempts: eb('c.attempts', '+', 1), started_at: sql<Date>`coalesce(c.started_at, now())` }))
    .whereRef('cl.id', '=', 'c.clinic_id')
    .where(which)
    .where('c.status', 'in', STARTABLE)
    .returning([...qualified('c', COMMAND_COLUMNS), 'cl.timezone as clinic_timezone', 'cl.settings as clinic_settings']);
}

type StartedRow = Awaited<ReturnType<ReturnType<typeof startQuery>['execute']>>[number];

function toFinal(outcome: HandlerOutcome): FinalState {
  return outcome.status === 'succeeded'
    ? { status: 'succeeded', result: outcome.result as object, effects: outcome.effects }
    : { status: 'rejected', error: problemFor(outcome.code, outcome.detail) };
}

type FinalState =
  | { status: 'succeeded'; result: object; effects: readonly ShapedWrite[]; error?: undefined }
  | { status: 'rejected' | 'failed'; error: CommandProblem; result?: undefined; effects?: undefined };
