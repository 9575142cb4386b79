import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import cliProgress from 'cli-progress';
import { allowFutureAsOf, type AppConfig } from '../config/app-config.js';
import { submitCommand } from '../commands/command-store.js';
import { commandJobOptions, COMMANDS_QUEUE, enqueueCommand, type CommandJobData } from '../commands/queue.js';
import { isAsOfAllowed, todayIn } from '../domain/dates.js';
import { Clinic } from '../entities/clinic.entity.js';
import { FINAL_COMMAND_STATUSES, type CommandStatus } from '../entities/command.entity.js';
import { bullConnection } from '../nest/redis.js';
import { formatVerifyReport, verifyLedger } from '../verify/verify.js';
import { createApiKey, createClinicWithOwnerKey, SetupError } from './clinic-setup.js';
import type { CliActions, CreateClinicOptions, CreateKeyOptions, ReconcileOptions } from './program.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** A progress bar only on a terminal. */
  isTty: boolean;
}

export interface CliContext {
  config: AppConfig;
  em: () => Promise<EntityManager>;
  io: CliIo;
  /** How often `reconcile` reads the command row (ms). */
  pollMs?: number;
  /** Receives the exit code: 0 ok, 1 refused or failed, 2 gave up waiting (main.ts: process.exitCode). */
  exit(code: number): void;
}

/** The CLI's actions, each ending with ctx.exit(code). */
export function cliActions(ctx: CliContext): CliActions {
  const { io } = ctx;
  const guarded =
    <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (error) {
        if (!(error instanceof SetupError)) throw error;
        io.err(`error: ${error.message}`);
        ctx.exit(1);
      }
    };

  return {
    createClinic: guarded(async (options: CreateClinicOptions) => {
      const { clinic, ownerKey } = await createClinicWithOwnerKey(await ctx.em(), options);
      io.out(`Clinic ${clinic.name} created: ${clinic.id} (${clinic.currency}, ${clinic.timezone})`);
      io.out(`Owner API key (shown once, store it now): ${ownerKey}`);
      ctx.exit(0);
    }),

    createKey: guarded(async (options: CreateKeyOptions) => {
      const { id, key, role } = await createApiKey(await ctx.em(), { clinicId: options.clinic, role: options.role, name: options.name });
      io.out(`API key ${id} (${role}) created for clinic ${options.clinic}`);
      io.out(`Key (shown once, store it now): ${key}`);
      ctx.exit(0);
    }),

    reconcile: guarded(async (options: ReconcileOptions) => {
      ctx.exit(await reconcile(ctx, options));
    }),

    verify: async () => {
      const result = await verifyLedger(await ctx.em());
      io.out(formatVerifyReport(result));
      ctx.exit(result.clean ? 0 : 1);
    },
  };
}

/** Phases the reconciliation handler reports, in order (its `progress.phase`). */
export const RECONCILIATION_PHASES = ['membership_cycles', 'cancellations', 'expiry', 'overdue', 'requeue', 'done'];

/** Where a command's `progress` stands, as a bar position: explicit counts if given, else its phase. */
export function progressPosition(progress: Record<string, unknown> | null): { value: number; total: number; label: string } {
  if (!progress) return { value: 0, total: RECONCILIATION_PHASES.length - 1, label: 'queued' };
  const count = ['done', 'processed', 'completed', 'current'].map((k) => progress[k]).find((v) => typeof v === 'number');
  if (typeof progress.total === 'number' && progress.total > 0 && typeof count === 'number') {
    return { value: Math.min(count, progress.total), total: progress.total, label: String(progress.phase ?? '') };
  }
  const phase = String(progress.phase ?? '');
  const index = RECONCILIATION_PHASES.indexOf(phase);
  const detail = typeof progress.purchasesDone === 'number' ? ` (${progress.purchasesDone} memberships)` : '';
  return { value: Math.max(index, 0), total: RECONCILIATION_PHASES.length - 1, label: `${phase || 'running'}${detail}` };
}

interface CommandState {
  status: CommandStatus;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: { code?: string; detail?: string } | null;
}

const parseJson = <T>(value: unknown): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : ((value as T) ?? null));

async function readCommand(em: EntityManager, id: string): Promise<CommandState> {
  const rows = await em.fork().execute<Record<string, unknown>[]>('select status, progress, result, error from command where id = ?', [id]);
  const row = rows[0];
  return {
    status: row.status as CommandStatus,
    progress: parseJson(row.progress),
    result: parseJson(row.result),
    error: parseJson(row.error),
  };
}

/**
 * Stores a reconciliation command (as the API would), queues its job, then follows the command
 * row's `progress` until it is final. The command, not this process, does the work: leaving
 * (Ctrl-C, --timeout) does not stop it.
 */
async function reconcile(ctx: CliContext, options: ReconcileOptions): Promise<number> {
  const { config, io } = ctx;
  const em = await ctx.em();
  const clinic = await em.fork().findOne(Clinic, { id: options.clinic }, { fields: ['timezone'] });
  if (!clinic) throw new SetupError(`No clinic ${options.clinic}`);
  // The API's rule: the operator's tool is no back door to billing cycles not yet started.
  const today = todayIn(clinic.timezone);
  if (options.asOf && !isAsOfAllowed(today, options.asOf, allowFutureAsOf(config))) {
    throw new SetupError(`--as-of ${options.asOf} is after today (${today}) in the clinic's time zone; only a deployment with ALLOW_FUTURE_AS_OF=true may reconcile ahead`);
  }
  const submitted = await submitCommand(em.fork(), {
    clinicId: options.clinic,
    type: 'reconciliation',
    endpoint: 'CLI reconcile',
    request: options.asOf ? { asOf: options.asOf } : {},
    idempotencyKey: null,
    requestedByKeyId: null,
    channel: 'staff',
    correlationId: `cli-${randomUUID()}`,
  });
  if (!('command' in submitted)) throw new Error('unreachable: no idempotency key, no existence check');
  const id = submitted.command.id;
  io.out(`Reconciliation ${id} submitted for clinic ${options.clinic}${options.asOf ? ` as of ${options.asOf}` : ''}`);

  const queue = new Queue<CommandJobData>(COMMANDS_QUEUE, { connection: bullConnection(config.REDIS_URL, 'producer'), prefix: config.QUEUE_PREFIX });
  try {
    await queue.waitUntilReady();
    await enqueueCommand(queue, id, commandJobOptions(config.COMMAND_ATTEMPTS));
  } catch (error) {
    io.err(`Stored but not queued (${(error as Error).message}): a worker's sweeper will queue it`);
  } finally {
    await queue.close().catch(() => undefined);
  }

  const bar = options.progress && io.isTty ? new cliProgress.SingleBar({ format: 'reconciling [{bar}] {percentage}% | {label}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  const deadline = Date.now() + options.timeout * 1000;
  let lastLabel = '';
  let state = await readCommand(em, id);
  bar?.start(progressPosition(state.progress).total, 0, { label: state.status });
  for (;;) {
    const position = progressPosition(state.progress);
    const label = state.status === 'queued' ? 'queued: waiting for a worker' : position.label;
    if (bar) {
      bar.setTotal(position.total);
      bar.update(position.value, { label });
    } else if (label !== lastLabel) {
      io.out(`  ${label}`);
    }
    lastLabel = label;
    if (FINAL_COMMAND_STATUSES.includes(state.status)) break;
    if (Date.now() > deadline) {
      bar?.stop();
      io.err(`Still ${state.status} after ${options.timeout} s; it carries on. Follow it with GET /v1/commands/${id}`);
      return 2;
    }
    await new Promise((resolve) => setTimeout(resolve, ctx.pollMs ?? 500));
    state = await readCommand(em, id);
  }
  if (bar) {
    if (state.status === 'succeeded') bar.update(bar.getTotal(), { label: 'done' });
    bar.stop();
  }
  if (state.status === 'succeeded') {
    io.out(`Reconciliation succeeded: ${JSON.stringify(state.result?.counts ?? state.result ?? {})}`);
    return 0;
  }
  io.err(`Reconciliation ${state.status}: ${state.error?.code ?? ''} ${state.error?.detail ?? ''}`.trim());
  return 1;
}
